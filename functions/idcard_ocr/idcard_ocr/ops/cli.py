"""`idcard-ocr`: run the function locally, backfill and report on a bucket, and the offline engine.

    idcard-ocr invoke EVENT.json [--bucket B] [--key K] [--timeout S] [--region R]
    idcard-ocr backfill --bucket B [--prefix P] [--concurrency N] [--qps Q]
                        [--retry-failed] [--force] [--dry-run]
    idcard-ocr report --bucket B [--prefix P] [--csv FILE]
    idcard-ocr review --bucket B [--prefix P] [--port N] [--operator NAME] [--mode local|invoke]
    idcard-ocr serve [--host H] [--port P] [--workers N] [--appcode CODE ...] [--memory-mb MB]
                     [--max-decoded-mb MB] [--idle-timeout S] [--body-timeout S]
                     [--queue-timeout S] [--grace S]
    idcard-ocr scan FILE... [--side auto|face|back] [--json] [--full]

Exit codes: 0 done, 1 something failed (FC would retry), 2 bad settings, arguments or event.
"""

import argparse
import json
import os
import sys
import time
from typing import List, Optional

from .. import __version__
from ..errors import ConfigError, EventError, IdcardOcrError, PermanentError
from ..io.log import scrub

BAD_INPUT = 2


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, EventError) as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    except PermanentError as e:  # a missing bucket, access denied: the arguments or settings
        print(f"error: {scrub(str(e))}", file=sys.stderr)
        return BAD_INPUT
    except IdcardOcrError as e:  # e.g. a secret that could not be read: FC would retry
        print(f"failed: {e}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="idcard-ocr", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"idcard-ocr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    invoke = commands.add_parser("invoke", help="run the function's handler on an event file, "
                                                "with this shell's environment variables")
    invoke.add_argument("event", help="a trigger event (JSON), e.g. events/face-upload.json")
    invoke.add_argument("--timeout", type=float, default=120,
                        help="the function timeout to pretend (seconds), for retry budgets")
    invoke.add_argument("--region", help="the bucket's region, for the default OSS endpoint "
                                         "(public outside Function Compute; else OSS_ENDPOINT)")
    invoke.add_argument("--bucket", help="put this bucket into every record of the event")
    invoke.add_argument("--key", help="put this object key into every record of the event; "
                                      "with --bucket or --key the records' eTag and size are "
                                      "dropped, so the object as it is now is processed")
    invoke.set_defaults(func=_invoke)

    backfill = commands.add_parser("backfill", help="process the photos already in a bucket")
    _bucket_arguments(backfill)
    _processing_arguments(backfill, "invoke")
    backfill.add_argument("--retry-failed", action="store_true",
                          help="redo photos whose result is an error (e.g. quota_exhausted)")
    backfill.add_argument("--force", action="store_true", help="redo every photo")
    backfill.add_argument("--dry-run", action="store_true", help="count what would be done")
    backfill.set_defaults(func=_backfill)

    report = commands.add_parser("report", help="count results by status and error code; "
                                                "export them as CSV")
    _bucket_arguments(report)
    report.add_argument("--csv", help="write every result to this CSV file (full data: it is "
                                      "for the people who reconcile onboarding records)")
    report.set_defaults(func=_report)

    review = commands.add_parser("review", help="a local web console to look at the results, "
                                                "correct, approve and reprocess them")
    _bucket_arguments(review)
    review.add_argument("--port", type=int, default=8765, help="0: any free port")
    review.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default loopback only)")
    review.add_argument("--operator", help="the name written into reviews and log lines "
                                           "(default: this OS user)")
    _processing_arguments(review, "local")
    review.set_defaults(func=_review)

    serve = commands.add_parser("serve", help="serve the marketplace OCR contract offline")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=_positive_int, default=1,
                       help="processes sharing the port")
    serve.add_argument("--appcode", action="append", default=[],
                       help="accept only these AppCodes (repeat; default: ENGINE_APPCODES, "
                            "comma-separated, or any)")
    serve.add_argument("--memory-mb", type=int,
                       help="memory budget of the whole server (default: ENGINE_MEMORY_MB, "
                            "else 80%% of the machine's or FC instance's memory)")
    serve.add_argument("--max-decoded-mb", type=float,
                       help="largest decoded image per request, width x height x bytes per "
                            "pixel (default 256, less when the budget is small); over it: 413")
    serve.add_argument("--idle-timeout", type=float, dest="idle_timeout_s",
                       help="seconds for a request head to arrive, and keep-alive (default 10)")
    serve.add_argument("--body-timeout", type=float, dest="body_timeout_s",
                       help="seconds for the whole body to arrive, else 408 (default 60)")
    serve.add_argument("--queue-timeout", type=float, dest="queue_timeout_s",
                       help="seconds a request may wait for its turn, else 429 (default 5)")
    serve.add_argument("--grace", type=float, dest="grace_s",
                       help="seconds requests in flight get after SIGTERM (default 30)")
    serve.set_defaults(func=_serve)

    scan = commands.add_parser("scan", help="print the fields read from local photos")
    scan.add_argument("files", nargs="+")
    scan.add_argument("--side", choices=("auto", "face", "back"), default="auto")
    scan.add_argument("--json", action="store_true", help="one JSON answer per line")
    scan.add_argument("--full", action="store_true",
                      help="show personal data unmasked (default: masked)")
    scan.set_defaults(func=_scan)
    return parser


def _bucket_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--region", help="the bucket's region, for the default OSS endpoint "
                                         "(public outside Function Compute; else "
                                         "OSS_ENDPOINT)")


def _processing_arguments(parser: argparse.ArgumentParser, mode: str) -> None:
    """How photos are (re)processed: in this process, or by the deployed function."""
    parser.add_argument("--mode", choices=("invoke", "local"), default=mode,
                        help="invoke: asynchronous invocations of the deployed FC 3.0 "
                             "function (fans out on FC); local: this process")
    parser.add_argument("--function", default=os.environ.get("FC_FUNCTION", "idcard-ocr"),
                        help="the FC 3.0 function (default FC_FUNCTION or idcard-ocr)")
    parser.add_argument("--qualifier", help="version or alias of the function (default "
                                            "LATEST)")
    parser.add_argument("--fc-endpoint", default=os.environ.get("FC_ENDPOINT"),
                        help="default https://<ALIBABA_CLOUD_ACCOUNT_ID>.<region>"
                             ".fc.aliyuncs.com")
    parser.add_argument("--concurrency", type=_positive_int, default=4)
    parser.add_argument("--qps", type=float, help="at most this many photos per second "
                                                   "(the OCR API's purchased QPS)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _app(args, uses, more_checks=()):
    """The same composition root the function uses, from this shell's environment, asking
    only for what `uses` needs; every missing setting is reported at once, the command's own
    (`more_checks`: callables that raise ConfigError) included."""
    from ..app import App
    from ..io.events import is_bucket_name

    problems = []
    app = None
    bucket = getattr(args, "bucket", None)
    if bucket is not None and not is_bucket_name(bucket):
        problems.append(ConfigError("--bucket", f"{bucket[:70]!r} is not an OSS bucket name "
                                                f"(3-63 lower-case letters, digits, hyphens)"))
    try:
        app = App.from_environment(None, None, region=args.region, uses=uses)
    except ConfigError as e:
        problems.append(e)
    for check in more_checks:
        try:
            check()
        except ConfigError as e:
            problems.append(e)
    if problems:
        raise ConfigError.all_of(problems)
    return app


def _report(args) -> int:
    from ..app import READING
    from .report import summarize

    app = _app(args, READING)
    records = app.results(args.bucket).documents(args.prefix)
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8-sig") as out:
            summary = summarize(records, out)
    else:
        summary = summarize(records)
    print(json.dumps(dict(summary.as_dict(), csv=args.csv), ensure_ascii=False, indent=2))
    return 0


def _backfill(args) -> int:
    from ..app import EVERYTHING, READING
    from ..io.log import send_to
    from . import backfill

    send_to(sys.stderr)
    hands_over = args.mode == "invoke" and not args.dry_run
    # A dry run only lists and judges; invoke mode hands photos to the deployed function,
    # which recognises them: neither needs the AppCode, and a dry run needs no FC endpoint.
    uses = EVERYTHING if args.mode == "local" and not args.dry_run else READING
    app = _app(args, uses, [backfill.Invoker.require, lambda: _fc_endpoint(args)]
               if hands_over else [])  # checked before anything is listed
    # a photo whose result is an error the API's answer gave is redone only when forced
    process = _dry_run if args.dry_run else _processor(args, app, "backfill",
                                                       args.force or args.retry_failed)
    plan = backfill.Plan(args.prefix, args.concurrency, args.qps, args.retry_failed,
                         args.force, args.dry_run)
    started = time.monotonic()
    report = backfill.run(app.bucket(args.bucket), app.results(args.bucket), process,
                          args.region or app.settings.region, plan,
                          progress=_progress_printer(started))
    print(json.dumps(dict(report.as_dict(), seconds=round(time.monotonic() - started, 1),
                          dry_run=args.dry_run), indent=2))
    return 0 if report.ok else 1


def _dry_run(event) -> str:
    raise AssertionError("a dry run processes nothing")  # backfill.run returns before this


def _processor(args, app, request_id: str, force: bool):
    """What processes one photo: the function's pipeline here, or an asynchronous invocation
    of the deployed function (--mode)."""
    from ..io.oss import Credentials
    from . import backfill

    if args.mode == "local":
        return backfill.local(app.pipeline(request_id, force=force))
    return backfill.Invoker(_fc_endpoint(args), args.function, Credentials.resolve(None),
                            args.qualifier)


def _fc_endpoint(args) -> str:
    """Where asynchronous invocations go: --fc-endpoint, else the account's public FC 3.0
    endpoint in the region."""
    account = os.environ.get("ALIBABA_CLOUD_ACCOUNT_ID")
    region = args.region or os.environ.get("FC_REGION")
    if args.fc_endpoint:
        return args.fc_endpoint
    if not (account and region):
        raise ConfigError("--fc-endpoint", "--mode invoke needs --fc-endpoint (or "
                                           "FC_ENDPOINT), or ALIBABA_CLOUD_ACCOUNT_ID and "
                                           "--region; --mode local runs here instead")
    return f"https://{account}.{region}.fc.aliyuncs.com"


def _review(args) -> int:
    """The review console, in the foreground until Ctrl-C; its address goes to stderr."""
    try:
        from .review.server import ConsoleServer, build_console
    except ImportError:
        raise ConfigError("review", "needs the console's libraries: pip install "
                                    "'idcard-ocr[review]'") from None
    from ..app import EVERYTHING, READING
    from ..io.log import send_to
    from . import backfill

    send_to(sys.stderr)
    operator = _operator(args.operator)
    # Reprocessing here recognises photos (the AppCode is needed); handed to the deployed
    # function, it does not.
    app = _app(args, EVERYTHING if args.mode == "local" else READING,
               [backfill.Invoker.require, lambda: _fc_endpoint(args)]
               if args.mode == "invoke" else [])
    process = _processor(args, app, "review", True)
    console = build_console(app, args.bucket, args.prefix, operator, process,
                            args.region or app.settings.region, args.concurrency, args.qps)
    try:
        server = ConsoleServer(console, args.host, args.port)
    except OSError as e:
        raise ConfigError("--port", f"cannot listen on {args.host}:{args.port}: "
                                    f"{e.strerror}") from None
    if not server.loopback_only:
        print(f"warning: listening on {args.host}, not loopback only: anyone who can reach "
              f"it and has the token sees the results", file=sys.stderr)
    print(f"review console for oss://{args.bucket}/{args.prefix} as {operator}; open\n\n"
          f"    {server.login_url}\n\n(Ctrl-C stops it)", file=sys.stderr, flush=True)
    server.serve_forever()
    return 0


def _operator(name: Optional[str]) -> str:
    import getpass

    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "operator"
    name = name.strip()
    if not 0 < len(name) <= 64 or not name.isprintable():
        raise ConfigError("--operator", "1 to 64 printable characters")
    return name


def _progress_printer(started: float):
    import threading

    last = [0.0]
    lock = threading.Lock()

    def progress(report) -> None:
        now = time.monotonic()
        with lock:
            if now - last[0] < 2:
                return
            last[0] = now
        done = sum(report.done.values())
        print(f"listed {report.listed:,}  to do {report.submitted:,}  done {done:,}  "
              f"failed {sum(report.failed.values()):,}  "
              f"{done / max(now - started, 1e-9):.1f}/s", file=sys.stderr, flush=True)
    return progress


def _invoke(args) -> int:
    """Like `s local invoke`: the real handler, this machine's environment as the function's."""
    import uuid
    from types import SimpleNamespace

    from ..errors import InvocationFailed
    from ..handler import handle
    from ..io.log import send_to

    try:
        with open(args.event, "rb") as f:
            event = f.read()
    except OSError as e:
        print(f"cannot read {args.event}: {e.strerror}", file=sys.stderr)
        return BAD_INPUT
    if args.bucket is not None or args.key is not None:
        from ..io.events import retarget

        event = json.dumps(retarget(event, args.bucket, args.key)).encode("utf-8")
    send_to(sys.stderr)  # log lines on stderr; the summary alone on stdout
    context = SimpleNamespace(request_id=f"local-{uuid.uuid4().hex[:12]}", credentials=None,
                              region=args.region,
                              function=SimpleNamespace(name="idcard-ocr", timeout=args.timeout,
                                                       handler="index.handler"))
    try:
        summary = handle(event, context)
    except InvocationFailed as e:
        print(f"failed: {e}", file=sys.stderr)
        return 1
    for outcome in summary["objects"]:
        if outcome["status"] == "skipped":  # done by design (exit 0), but say why
            print(f"skipped {outcome.get('key', 'record %s' % outcome.get('record'))}: "
                  f"{outcome['reason']}: {SKIP_REASONS.get(outcome['reason'], '')}".rstrip(": "),
                  file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


# Why the function left an object alone, for the person who ran `invoke` (docs/operations.md).
SKIP_REASONS = {
    "superseded": "the event's eTag is not the object's ETag now: the event is for an earlier "
                  "upload, and the newer one's own event reads it. An event file edited by hand "
                  "keeps its old eTag: pass --bucket and --key instead, which drop it",
    "own_output": "the key is one of the function's own outputs (a result, claim, review or "
                  "crop): it never processes them, so it cannot loop",
    "not_an_image_key": "the key does not end in an image ending (.jpg .jpeg .png .heic ...)",
    "not_a_finished_object_event": "the event is not a finished upload (a removal, or a "
                                   "multipart upload's part)",
    "key_too_long": "the key's result or claim key would pass OSS's 1023 bytes",
    "already_done": "a signed result for this version of the photo exists (verified with "
                    "RESULT_SIGNING_KEY): nothing is paid twice. Upload the photo again, or "
                    "run backfill --force, to redo it",
    "already_done_delivered": "a result existed; the output it was missing was delivered "
                              "from it, without another OCR call",
    "object_gone": "the object is not in the bucket (removed, or a wrong --bucket or --key)",
    "duplicate_record": "the event repeats another record of the same version",
    "malformed_record": "the record is not an OSS object record (the log line says why)",
}


def _serve(args) -> int:
    from ..engine.server import Limits, serve
    from ..io.log import get_logger

    codes = args.appcode or [c for c in os.environ.get("ENGINE_APPCODES", "").split(",") if c]
    if not codes and os.environ.get("FC_FUNCTION_NAME"):
        # In Function Compute the engine listens on a public URL: with no AppCode it would read
        # anyone's photos at our cost. An ENGINE_APPCODES left empty (an unset variable in
        # s.*.yaml, a template parameter not given) is a mistake, not a choice.
        print("error: ENGINE_APPCODES is empty; in Function Compute the engine serves only "
              "callers with an AppCode", file=sys.stderr)
        return 2
    try:
        limits = Limits.from_env(
            workers=args.workers, memory_mb=args.memory_mb, max_decoded_mb=args.max_decoded_mb,
            idle_timeout_s=args.idle_timeout_s, body_timeout_s=args.body_timeout_s,
            queue_timeout_s=args.queue_timeout_s, grace_s=args.grace_s)
        limits.check()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    get_logger()  # the engine's log lines as JSON on stdout, like the function's
    if codes:
        print(f"AppCode required ({len(codes)} accepted)", file=sys.stderr)
    print(f"memory budget {limits.memory_mb} MB for {limits.workers} worker(s); at most "
          f"{limits.max_decoded_bytes // 2**20} MB decoded per request", file=sys.stderr)
    try:
        return serve(args.host, args.port, codes, limits=limits)
    except OSError as e:  # e.g. the port is taken
        print(f"error: cannot serve on {args.host}:{args.port}: {e.strerror or e}",
              file=sys.stderr)
        return 2


def _scan(args) -> int:
    from ..card.documents import FIELDS
    from ..card.privacy import mask_fields
    from ..engine import recognize
    from ..errors import PermanentError

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
