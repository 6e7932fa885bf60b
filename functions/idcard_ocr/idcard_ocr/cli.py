"""`idcard-ocr`: the offline engine's server and scanner, and the local demo.

    idcard-ocr serve [--host H] [--port P] [--workers N] [--appcode CODE ...]
    idcard-ocr scan FILE... [--side auto|face|back] [--json] [--full]
"""

import argparse
import json
import os
import sys
import time
from typing import List, Optional

from .privacy import mask_fields

FIELDS = {"face": ("name", "sex", "nationality", "birth", "address", "num"),
          "back": ("issue", "start_date", "end_date")}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="idcard-ocr", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the marketplace OCR contract offline")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    serve.add_argument("--appcode", action="append", default=[],
                       help="accept only these AppCodes (repeat; default: ENGINE_APPCODES, "
                            "comma-separated, or any)")

    scan = commands.add_parser("scan", help="print the fields read from local photos")
    scan.add_argument("files", nargs="+")
    scan.add_argument("--side", choices=("auto", "face", "back"), default="auto")
    scan.add_argument("--json", action="store_true", help="one JSON answer per line")
    scan.add_argument("--full", action="store_true",
                      help="show personal data unmasked (default: masked)")

    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _scan(args)


def _serve(args) -> int:
    from .engine.server import serve

    codes = args.appcode or [c for c in os.environ.get("ENGINE_APPCODES", "").split(",") if c]
    if codes:
        print(f"AppCode required ({len(codes)} accepted)", file=sys.stderr)
    serve(args.host, args.port, codes, args.workers)
    return 0


def _scan(args) -> int:
    from .engine import recognize
    from .errors import PermanentError

    failed = 0
    for path in args.files:
        started = time.perf_counter()
        try:
            with open(path, "rb") as f:
                data = f.read()
            answer, side = None, None
            for side in (("face", "back") if args.side == "auto" else (args.side,)):
                answer = recognize(data, side)
                if answer.get("success"):
                    break
        except (OSError, PermanentError) as e:
            failed += 1
            print(f"{path}: error: {e}", file=sys.stderr)
            continue
        elapsed = time.perf_counter() - started
        if not answer.get("success"):
            failed += 1
        shown = {k: answer.get(k) for k in FIELDS[side]} if answer.get("success") else {}
        if not args.full:
            shown = mask_fields(shown)
        if args.json:
            doc = dict(answer) if args.full else {k: v for k, v in answer.items()
                                                   if k not in FIELDS["face"]}
            doc.update(shown)
            print(json.dumps({"file": path, "side": side if answer.get("success") else None,
                              "seconds": round(elapsed, 3), **doc}, ensure_ascii=False))
        elif not answer.get("success"):
            print(f"{path}: not an ID card ({elapsed:.2f} s)")
        else:
            warn = "" if answer.get("num_valid", True) else "  [number INVALID: check it]"
            values = "  ".join(f"{k}={v}" for k, v in shown.items())
            print(f"{path}: {side}  {values}  ({elapsed:.2f} s){warn}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
