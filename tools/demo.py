"""The pipeline end to end on this machine, no cloud account: `make demo`.

Starts a local object store (moto's S3 server, which oss2 talks to as it would to OSS) and a
local OCR endpoint that speaks the marketplace contract, uploads sample photos, runs the real
`handler(event, context)` on real-shaped OSS events from events/, and prints what it recognised,
masked. The results are also copied to demo-output/ so you can open them.

The local OCR endpoint is the tests' contract server: it validates each request as the
marketplace does and answers with the documented sample card, so the fields shown are that
sample's, whatever the photo. Point OCR_API_URL/OCR_APPCODE at a real endpoint to read real cards.
"""

import json
import os
import sys
import uuid
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "functions", "idcard_ocr")]

import oss2  # noqa: E402

import index  # noqa: E402  (the deployed entry point, exactly as FC imports it)
from idcard_ocr.errors import InvocationFailed  # noqa: E402
from idcard_ocr.privacy import mask_fields  # noqa: E402
from tests.fakes import images  # noqa: E402
from tests.fakes.ocr_api import OcrApiServer  # noqa: E402
from tests.fakes.oss_server import LocalOssServer  # noqa: E402

BUCKET = "idcards-demo"
APPCODE = "demo-appcode-not-a-secret"
SAMPLES = [
    # (event file whose shape is used, key, photo)
    ("face-upload.json", "idcards/applicant-0001-face.jpg", lambda: images.card_jpeg()),
    ("back-upload.json", "idcards/applicant-0001-back.jpg",
     lambda: images.card_jpeg(side="back")),
    ("face-upload.json", "idcards/IMG_4032 正面.HEIC",
     lambda: images.encode(images.card(seed=7), "HEIF")),
    ("face-upload.json", "idcards/phone photo rotated face.jpg",
     lambda: images.phone_photo(orientation=6)),
    ("face-upload.json", "idcards/not-a-photo-face.jpg", lambda: b"%PDF-1.7 scanned form"),
    ("result-object.json", "idcards/applicant-0001-face.jpg.json", None),
]


def event_for(template_file: str, key: str, etag: str, size: int) -> bytes:
    with open(os.path.join(ROOT, "events", template_file), encoding="utf-8") as f:
        event = json.load(f)
    record = event["events"][0]
    record["oss"]["bucket"]["name"] = BUCKET
    record["oss"]["object"].update({"key": key, "eTag": etag, "size": size})
    return json.dumps({"events": [record]}, ensure_ascii=False).encode("utf-8")


def main() -> int:
    s3 = LocalOssServer()
    s3.start()
    endpoint = s3.endpoint
    api = OcrApiServer().start()
    api.state.appcodes = (APPCODE,)
    try:
        bucket = oss2.Bucket(oss2.Auth("demo", "demo"), endpoint, BUCKET)
        bucket.create_bucket()
        os.environ.update({
            "OSS_ENDPOINT": endpoint, "OCR_API_URL": api.url, "OCR_APPCODE": APPCODE,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "demo", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        })
        print(f"local OSS (moto) at {endpoint}, local OCR API at {api.url}\n")
        rows = []
        for template, key, make in SAMPLES:
            if make is not None:
                data = make()
                etag = bucket.put_object(key, data).etag.strip('"').upper()
                size = len(data)
            else:
                etag, size = "0" * 32, 0
            context = SimpleNamespace(request_id=f"demo-{uuid.uuid4().hex[:8]}",
                                      credentials=None,
                                      function=SimpleNamespace(timeout=60))
            try:
                summary = index.handler(event_for(template, key, etag, size), context)
                rows.append((key, size, summary["objects"][0]))
            except InvocationFailed as e:
                rows.append((key, size, {"status": "failed", "reason": str(e)}))
        return report(bucket, rows)
    finally:
        api.stop()
        s3.stop()


def report(bucket, rows) -> int:
    out_dir = os.path.join(ROOT, "demo-output")
    os.makedirs(out_dir, exist_ok=True)
    print(f"{'object':44} {'bytes':>9}  {'status':8} {'side':5} recognised (masked) / reason")
    failed = 0
    for key, size, outcome in rows:
        status = outcome["status"]
        detail = outcome.get("reason") or ""
        if outcome.get("result_key"):
            doc = json.loads(bucket.get_object(outcome["result_key"]).read())
            name = outcome["result_key"].replace("/", "__")
            with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False, indent=2)
            if doc["status"] == "ok":
                detail = " ".join(f"{k}={v}" for k, v in mask_fields(doc["fields"]).items())
            else:
                detail = f"{doc['error']['code']}: {doc['error']['message']}"
        failed += status == "failed"
        print(f"{key:44} {size:>9,}  {status:8} {outcome.get('side') or '-':5} {detail}")
    print(f"\nresult objects copied to {os.path.relpath(out_dir)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
