"""The pipeline end to end on this machine, no cloud account: `make demo`.

Starts the offline engine (`idcard-ocr serve`, the marketplace contract on loopback), a local
object store (moto's S3 server, which oss2 talks to as it would to OSS), uploads the sample
photos of tests/fixtures/cards (synthetic cards: rotated, sideways, upside down, blurred, in
clutter; one converted to HEIC) plus a PDF named .jpg, runs the real `index.handler(event,
context)` on real-shaped OSS events from events/, and prints what was recognised, masked.
The result objects and the card and portrait crops are copied to demo-output/.

`--review` (`make review-demo`) then keeps the local servers up and opens the review console
(`idcard-ocr review`) on the demo bucket, until Ctrl-C.

`--keep` (`make demo-keep`) keeps them up too, until Ctrl-C, with one more photo in the bucket
that no event announced (as if it was there before the trigger), and writes the settings that
reach them to demo-output/demo.env, so that `idcard-ocr report`, `backfill` and `invoke` can be
tried on the demo's bucket (docs/operations.md has the recipe).
"""

import io
import json
import os
import sys
import threading
import unicodedata
import uuid
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "functions", "idcard_ocr")]

import oss2  # noqa: E402

import index  # noqa: E402  (the deployed entry point, exactly as FC imports it)
from idcard_ocr.engine.server import EngineServer, warm_up  # noqa: E402
from idcard_ocr.errors import InvocationFailed  # noqa: E402
from idcard_ocr.card.documents import checks_passed, expired, failed_checks  # noqa: E402
from idcard_ocr.card.privacy import mask_fields  # noqa: E402
from tests.fakes.oss_server import LocalOssServer  # noqa: E402

BUCKET = "idcards-demo"
APPCODE = "demo-appcode-not-a-secret"
SIGNING_KEY = "demo-signing-key-not-a-secret-0123456789"
SAMPLES_DIR = os.path.join(ROOT, "tests", "fixtures", "cards")
UPLOADS = [  # (key as a user would name it, sample photo or None for a special case)
    ("idcards/applicant-0001-face.jpg", "face-clean.jpg"),
    ("idcards/applicant-0001-back.jpg", "back-clean.jpg"),
    ("idcards/IMG_2041.jpg", "face-rotated.jpg"),
    ("idcards/scan 2026-11-25 (2).jpg", "face-sideways.jpg"),
    ("idcards/IMG_2042.jpg", "face-exif-sideways.jpg"),
    ("idcards/微信图片_20261125 正面.jpg", "face-upside-down.jpg"),
    ("idcards/IMG_4032.HEIC", "face-blurred.jpg"),
    ("idcards/国徽面 copy.jpg", "back-jpeg-noise.jpg"),
    ("idcards/desk photo.png", "face-cluttered.jpg"),
    ("idcards/applicant-0009-back.jpg", "back-rotated.jpg"),
    ("idcards/身份证复印件 0012.jpg", "real-sheet-photo.jpg"),  # an A4 copy with both sides
    ("idcards/not-a-photo-face.jpg", None),
]
# With --keep: in the bucket, but no event ran the function on it (backfill's work).
WAITING = ("idcards/arrived-before-the-trigger.jpg", "real-face-glare.jpg")


def photo_bytes(key: str, sample: str) -> bytes:
    with open(os.path.join(SAMPLES_DIR, sample), "rb") as f:
        data = f.read()
    if key.lower().endswith((".heic", ".png")):  # as a phone or a screenshot tool would save it
        from PIL import Image

        img = Image.open(io.BytesIO(data))
        out = io.BytesIO()
        if key.lower().endswith(".heic"):
            import pillow_heif

            pillow_heif.register_heif_opener()
            img.save(out, "HEIF", quality=90)
        else:
            img.save(out, "PNG")
        data = out.getvalue()
    return data


def event_for(key: str, etag: str, size: int) -> bytes:
    with open(os.path.join(ROOT, "events", "face-upload.json"), encoding="utf-8") as f:
        event = json.load(f)
    record = event["events"][0]
    record["oss"]["bucket"]["name"] = BUCKET
    record["oss"]["object"].update({"key": key, "eTag": etag, "size": size})
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def main(review: bool = False, keep: bool = False) -> int:
    print("loading the offline engine's models (from the rapidocr-onnxruntime wheel)...")
    warm_up()
    engine = EngineServer(("127.0.0.1", 0), appcodes=(APPCODE,))
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    s3 = LocalOssServer()
    s3.start()
    try:
        bucket = oss2.Bucket(oss2.Auth("demo", "demo"), s3.endpoint, BUCKET)
        bucket.create_bucket()
        os.environ.update({
            "OSS_ENDPOINT": s3.endpoint, "OCR_API_URL": engine.url, "OCR_APPCODE": APPCODE,
            "RESULT_SIGNING_KEY": SIGNING_KEY,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "demo", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), "SAVE_CROPS": "true",
        })
        print(f"offline engine at {engine.url}\nlocal OSS at {s3.endpoint}\n")
        rows = []
        for key, sample in UPLOADS:
            data = photo_bytes(key, sample) if sample else b"%PDF-1.7 a scanned form"
            etag = bucket.put_object(key, data).etag.strip('"').upper()
            context = SimpleNamespace(request_id=f"demo-{uuid.uuid4().hex[:8]}",
                                      credentials=None, function=SimpleNamespace(timeout=60))
            try:
                summary = index.handler(event_for(key, etag, len(data)), context)
                rows.append((key, len(data), summary["objects"][0]))
            except InvocationFailed as e:
                rows.append((key, len(data), {"status": "failed", "reason": str(e)}))
        # The function's own output arriving as an event is ignored (no loop).
        summary = index.handler(event_for(UPLOADS[0][0] + ".json", "0" * 32, 0),
                                SimpleNamespace(request_id="demo-loop", credentials=None,
                                                function=SimpleNamespace(timeout=60)))
        rows.append((UPLOADS[0][0] + ".json", 0, summary["objects"][0]))
        code = report(bucket, rows)
        if review:
            review_console()
        elif keep:
            keep_serving(bucket)
        return code
    finally:
        engine.shutdown()
        s3.stop()


def report(bucket, rows) -> int:
    out_dir = os.path.join(ROOT, "demo-output")
    os.makedirs(out_dir, exist_ok=True)
    print(table_row("object", "bytes", "status", "side", "recognised (masked) / reason"))
    failed = 0
    for key, size, outcome in rows:
        status = outcome["status"]
        detail = outcome.get("reason") or ""
        if outcome.get("result_key") and status in ("ok", "error"):
            doc = json.loads(bucket.get_object(outcome["result_key"]).read())
            name = outcome["result_key"].replace("/", "__")
            with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False, indent=2)
            for crop in (doc.get("crops") or {}).values():
                with open(os.path.join(out_dir, crop["key"].replace("/", "__")), "wb") as f:
                    f.write(bucket.get_object(crop["key"]).read())
            if doc["status"] == "ok":
                detail = " ".join(f"{k}={v}" for k, v in mask_fields(doc["fields"]).items())
                for side, part in (doc.get("sides") or {}).items():
                    if side != doc["side"]:
                        detail += f"  + {side}: " + " ".join(
                            f"{k}={v}" for k, v in mask_fields(part["fields"]).items())
                failing = failed_checks(doc)  # every side read: a sheet's back too
                detail += "  checks " + ("passed" if checks_passed(doc) else
                                         "FAILED: " + ", ".join(failing))
                if expired(doc):
                    detail += "  EXPIRED"
                if doc["quality"]["warnings"]:
                    detail += "  quality: " + ", ".join(doc["quality"]["warnings"])
            else:
                detail = f"{doc['error']['code']}: {doc['error']['message']}"
        failed += status == "failed"
        print(table_row(key, f"{size:,}", status, outcome.get("side") or "-", detail))
    print(f"\nresult objects and crops copied to {os.path.relpath(out_dir)}/")
    return 1 if failed else 0


KEY_COLUMN = 38  # display columns: a Chinese character takes two


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: wide and full-width characters (East Asian Width W and
    F: Chinese, full-width punctuation) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table_row(key: str, size: str, status: str, side: str, detail: str) -> str:
    """One line of the demo's table, padded by display width, not by characters, so that a
    Chinese file name does not push its row's columns to the right."""
    padding = " " * max(KEY_COLUMN - display_width(key), 0)
    return f"{key}{padding} {size:>9}  {status:7} {side:5} {detail}"


def keep_serving(bucket) -> None:
    """Leave the local OSS and engine up for the operator's commands, until Ctrl-C."""
    import time

    key, sample = WAITING
    bucket.put_object(key, photo_bytes(key, sample))
    env_path = os.path.join(ROOT, "demo-output", "demo.env")
    names = ("OSS_ENDPOINT", "OCR_API_URL", "OCR_APPCODE", "RESULT_SIGNING_KEY",
             "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    with open(env_path, "w", encoding="utf-8") as f:
        f.write("# The demo's local OSS and offline engine (tools/demo.py --keep); "
                "not secrets: stand-ins.\n")
        f.writelines(f"export {name}={os.environ[name]}\n" for name in names)
    print(f"\nthe local OSS and engine stay up (Ctrl-C stops them); {key} waits in the bucket "
          f"without a result.\nIn another terminal, from {ROOT}:\n\n"
          f"    . {os.path.relpath(env_path)}\n"
          f"    .venv/bin/idcard-ocr report --bucket {BUCKET}\n\n"
          f"more in docs/operations.md\n", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def review_console() -> None:
    """The review console on the demo bucket, reprocessing through the offline engine."""
    import getpass

    from idcard_ocr.app import App
    from idcard_ocr.ops import backfill
    from idcard_ocr.ops.review.server import ConsoleServer, build_console

    app = App.from_environment()
    console = build_console(app, BUCKET, "idcards/", getpass.getuser(),
                            backfill.local(app.pipeline("review", force=True)), None)
    server = ConsoleServer(console, "127.0.0.1", int(os.environ.get("REVIEW_PORT", 8765)))
    print(f"\nreview console on oss://{BUCKET}/idcards/ (Ctrl-C stops it); open\n\n"
          f"    {server.login_url}\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main(review="--review" in sys.argv[1:], keep="--keep" in sys.argv[1:]))
