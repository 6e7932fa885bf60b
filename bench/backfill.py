"""Backfill benchmark (part of `make bench`).

1. Throughput of `backfill --mode local` against the OCR test server answering after 300 ms,
   under a QPS limit: how close the achieved rate gets to the limit (target ≥ 90 %).
2. Memory while listing: tracemalloc's peak while streaming 10 000 and 100 000 keys through
   the lister (target: flat, not growing with the key count).
"""

import os
import subprocess
import sys
import time

from common import FUNCTION_DIR, header, publish

LATENCY_S = 0.3
QPS = float(os.environ.get("BENCH_BACKFILL_QPS", 10))
PHOTOS = int(os.environ.get("BENCH_BACKFILL_PHOTOS", 150))


def throughput(endpoint: str, api) -> dict:
    import oss2

    from idcard_ocr.app import App
    from idcard_ocr.ops import backfill
    from tests.fakes import images

    bucket = oss2.Bucket(oss2.Auth("b", "b"), endpoint, "backfill-bench")
    bucket.create_bucket()
    data = images.card_jpeg()
    for i in range(PHOTOS):
        bucket.put_object(f"idcards/{i:05d}-face.jpg", data)
    env = {"OSS_ENDPOINT": endpoint, "OCR_API_URL": api.url, "OCR_APPCODE": api.state.appcodes[0],
           "RESULT_SIGNING_KEY": "bench-signing-key-0123456789abcdef-xyz",
           "ALIBABA_CLOUD_ACCESS_KEY_ID": "b", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"}
    app = App.from_environment(env)
    concurrency = int(QPS * (LATENCY_S + 0.2)) + 2  # enough calls in flight to reach the QPS
    before = len(api.requests)
    started = time.perf_counter()
    report = backfill.run(app.bucket("backfill-bench"), app.results("backfill-bench"),
                          backfill.local(app.pipeline("bench")), None,
                          backfill.Plan("idcards/", concurrency=concurrency, qps=QPS))
    elapsed = time.perf_counter() - started
    times = sorted(r.at for r in api.requests[before:])
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {"photos": report.done.get("ok", 0), "elapsed": elapsed, "concurrency": concurrency,
            "overall": report.done.get("ok", 0) / elapsed, "at_server": steady}


def listing_peak_kb(count: int) -> float:
    """Peak Python memory while streaming `count` keys (objects made in moto's backend)."""
    import oss2
    from moto.s3.models import s3_backends

    from tests.fakes.oss_server import LocalOssServer

    server = LocalOssServer()
    server.start()
    try:
        name = f"listing-{count}"
        oss2.Bucket(oss2.Auth("b", "b"), server.endpoint, name).create_bucket()
        backend = s3_backends["123456789012"]["aws"]
        for i in range(count):  # straight into the server's store: 100 000 PUTs take minutes
            backend.put_object(name, f"idcards/{i:07d}-face.jpg", b"x")
        # The lister runs in a child process: moto, in this one, allocates per request too.
        code = ("import sys, tracemalloc, oss2; from idcard_ocr.io.oss import ObjectStore; "
                "store = ObjectStore(oss2.Bucket(oss2.Auth('b', 'b'), sys.argv[1], sys.argv[2])); "
                "tracemalloc.start(); n = sum(1 for _ in store.list('idcards/')); "
                "print(n, tracemalloc.get_traced_memory()[1])")
        out = subprocess.run([sys.executable, "-c", code, server.endpoint, name],
                             cwd=FUNCTION_DIR, capture_output=True, text=True,
                             check=True).stdout.split()
        assert int(out[0]) == count, (out, count)
        return int(out[1]) / 1024
    finally:
        server.stop()


def main() -> int:
    from tests.fakes.ocr_api import OcrApiServer
    from tests.fakes.oss_server import LocalOssServer

    os.environ["LOG_LEVEL"] = "WARNING"
    s3 = LocalOssServer()
    s3.start()
    api = OcrApiServer().start()
    api.state.delay_s = LATENCY_S
    try:
        result = throughput(s3.endpoint, api)
    finally:
        api.stop()
        s3.stop()
    small, large = listing_peak_kb(10_000), listing_peak_kb(100_000)
    out = [header(("oss2", "moto")), "",
           f"### Throughput of `backfill --mode local` (OCR server answers after "
           f"{LATENCY_S * 1000:.0f} ms; target ≥ 90 % of the QPS limit)", "",
           "| photos | QPS limit | concurrency | achieved, whole run | achieved, at the OCR "
           "server | share of the limit |", "|---:|---:|---:|---:|---:|---:|",
           f"| {result['photos']} | {QPS:g} | {result['concurrency']} | "
           f"{result['overall']:.2f}/s | {result['at_server']:.2f}/s | "
           f"{100 * result['at_server'] / QPS:.0f} % |", "",
           "*Whole run* includes listing and the per-photo result lookups before the first "
           "call; *at the OCR server* is the steady rate between the first and last call.", "",
           "### Memory while listing (tracemalloc peak, Python objects)", "",
           "| keys listed | peak |", "|---:|---:|",
           f"| 10 000 | {small:,.0f} KiB |", f"| 100 000 | {large:,.0f} KiB |", "",
           "Flat: one page of 1,000 keys is held at a time. The run itself keeps at most "
           "4 × concurrency photos queued."]
    publish("backfill", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
