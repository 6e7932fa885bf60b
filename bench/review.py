"""Review console benchmark (part of `make bench`): 100 000 results open in about a second.

100 000 photos and their signed results are put straight into the local OSS server's store
(100 000 PUTs over HTTP take minutes); the server runs in a process of its own, as OSS is
not in the console's process (in one process the two would share one interpreter lock).
Then the console's pages are fetched over HTTP as a browser does: the first page, the next one by its cursor, a filter that matches one row in
ten, and a filter that matches nothing (it returns after its scan budget: how many rows a
request looks at per second). Target: the first page in about a second, whatever the count.
"""

import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time

from common import header, publish

COUNT = int(os.environ.get("BENCH_REVIEW_RESULTS", 100_000))
SIGNING_KEY = "bench-signing-key-0123456789abcdef-xyz"
BUCKET = "review-bench"
REPEAT = 5


def fill(server, name: str) -> None:
    import oss2
    from moto.s3.models import s3_backends

    from idcard_ocr.card.documents import ok_record, error_record, source_info
    from idcard_ocr.card.signatures import Signer
    from tests.fakes.ocr_api import FACE

    oss2.Bucket(oss2.Auth("b", "b"), server.endpoint, name).create_bucket()
    backend = s3_backends["123456789012"]["aws"]
    signer = Signer([SIGNING_KEY])
    photo = b"\xff\xd8\xff not decoded here"
    etag = hashlib.md5(photo).hexdigest().upper()
    misread = dict(FACE, num=FACE["num"][:17] + "0")
    for i in range(COUNT):
        key = f"idcards/{i:07d}-face.jpg"
        source = source_info(name, key, etag, len(photo))
        if i % 50 == 49:
            record = error_record(source, {"code": "quota_exhausted", "message": "HTTP 403",
                                           "retryable": False}, "bench")
        else:
            record = ok_record(source, "face", misread if i % 10 == 9 else FACE,
                               {"format": "JPEG", "width": 856, "height": 540}, "bench")
        backend.put_object(name, key, photo)
        backend.put_object(name, key + ".json",
                           json.dumps(signer.sign(record), ensure_ascii=False).encode())


def serve_filled() -> None:
    """The child: the local OSS server with the results in it, until stdin closes."""
    from tests.fakes.oss_server import LocalOssServer

    server = LocalOssServer()
    server.start()
    started = time.perf_counter()
    fill(server, BUCKET)
    print(server.endpoint, round(time.perf_counter() - started), flush=True)
    sys.stdin.read()
    os._exit(0)  # nothing to keep: the store lives in this process's memory


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed(session, url: str):
    started = time.perf_counter()
    response = session.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.text


def main() -> int:
    import requests

    from idcard_ocr.app import App
    from idcard_ocr.ops import backfill
    from idcard_ocr.ops.review.server import ConsoleServer, build_console
    os.environ["LOG_LEVEL"] = "WARNING"
    child = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    endpoint, filled_s = child.stdout.readline().split()
    name = BUCKET
    env = {"OSS_ENDPOINT": endpoint, "OCR_API_URL": "http://127.0.0.1:9/unused",
           "RESULT_SIGNING_KEY": SIGNING_KEY, "ALIBABA_CLOUD_ACCESS_KEY_ID": "b",
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"}
    app = App.from_environment(env)
    # The local OSS server alone, before the console (and its background count) runs.
    store, results = app.bucket(name), app.results(name)
    listing = [_seconds(lambda: next(iter(store.pages("idcards/")))) for _ in range(3)]
    reads = [_seconds(lambda: results.read(f"idcards/{i:07d}-face.jpg.json"))
             for i in range(20)]
    console = build_console(app, name, "idcards/", "bench",
                            backfill.local(app.pipeline("bench", force=True)), None)
    try:
        with ConsoleServer(console, "127.0.0.1", 0) as server:
            session = requests.Session()
            login = time.perf_counter()
            first = session.get(server.login_url)
            cold = time.perf_counter() - login
            assert first.status_code == 200
            first_rows = first.text.count('class="row ')
            firsts = [timed(session, server.session_url)[0] for _ in range(REPEAT)]
            more = re.search(r'hx-get="(/s/[^/"]+/rows\?[^"]+)"', first.text).group(1)
            nexts = [timed(session, server.url + more.replace("&amp;", "&").lstrip("/"))[0]
                     for _ in range(REPEAT)]
            filtered = [timed(session, server.session_url + "?status=checks_failed")
                        for _ in range(REPEAT)]
            filtered_rows = filtered[0][1].count('class="row ')
            nothing_s, nothing = timed(session, server.session_url + "?status=pending")
            scanned = int(re.search(r"\((?:scanned|已查看) (\d+)\)", nothing).group(1))
            assert "cursor=" in nothing
            counting = console.counting.counts
    finally:
        child.stdin.close()
        child.wait(60)
    out = [header(("oss2", "moto", "starlette", "uvicorn")), "",
           f"{COUNT:,} photos with signed results in one prefix (put straight into the local "
           f"OSS server's store in {filled_s} s); pages fetched over HTTP from the console "
           f"on loopback, as the browser does. Median of {REPEAT}. Target: the first page in "
           f"about a second.", "",
           "| request | rows | median | slowest |", "|---|---:|---:|---:|",
           f"| first page, right after start (token, cookie, page) | {first_rows} | "
           f"{cold:.2f} s | — |",
           f"| first page | 50 | {statistics.median(firsts):.2f} s | {max(firsts):.2f} s |",
           f"| next page (its cursor: the listing's continuation token) | 50 | "
           f"{statistics.median(nexts):.2f} s | {max(nexts):.2f} s |",
           f"| first response of `status=checks_failed` (1 row in 10 matches) | "
           f"{filtered_rows} | "
           f"{statistics.median(t for t, _ in filtered):.2f} s | "
           f"{max(t for t, _ in filtered):.2f} s |",
           f"| a filter that matches nothing: returns after its scan budget | 0 | "
           f"{nothing_s:.2f} s | — |",
           f"| *the local OSS server alone*: one listing page (1,000 keys) | — | "
           f"{statistics.median(listing):.2f} s | {max(listing):.2f} s |",
           f"| *the local OSS server alone*: one GET of a result | — | "
           f"{statistics.median(reads) * 1000:.0f} ms | {max(reads) * 1000:.0f} ms |", "",
           "moto lists by walking every key of the bucket, so its listing page grows with the "
           "bucket (OSS's does not); that, and moto answering GETs one interpreter at a time, "
           "is most of the time above.", "",
           f"A request looks at about {scanned / nothing_s:,.0f} rows a second (one GET of the "
           f"result per photo, 8 threads); the one that matched nothing had looked at "
           f"{scanned:,} rows and handed the browser a cursor to go on from. The counts at "
           f"the top fill in in the background ({counting.rows:,} counted by the end of the "
           f"run), never before the first page."]
    publish("review", out)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_filled()
        sys.exit(0)
    sys.exit(main())
