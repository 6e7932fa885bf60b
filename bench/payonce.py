"""Pay-once benchmark (part of `make bench`).

1. The explorer of interleavings (tests/fakes/interleave.py) over BENCH_PAYONCE_RUNS seeds:
   how many runs and steps, how long, what it exercised, and the violations of I1-I5 (none
   expected). Then each defect a review found, planted back, and how many runs it takes the
   explorer to find it.
2. The one window OSS leaves open (docs/guarantees.md, I2): from the look at the photo's
   version to the end of the result's PUT, measured over moto's S3 server on loopback.
"""

import os
import statistics
import sys
import time
from collections import Counter

from common import ROOT, header, publish

RUNS = int(os.environ.get("BENCH_PAYONCE_RUNS", 5000))
WINDOW_SAMPLES = int(os.environ.get("BENCH_PAYONCE_WINDOW", 300))


def exploration():
    from tests.fakes.interleave import explore

    started = time.perf_counter()
    runs = explore(RUNS)
    seconds = time.perf_counter() - started
    endings = Counter(e.split(":", 1)[1] for r in runs for e in r.endings)
    return {
        "runs": len(runs), "seconds": seconds, "steps": sum(r.steps for r in runs),
        "invocations": sum(len(r.endings) for r in runs), "endings": endings,
        "purchases": sum(sum(r.purchases.values()) for r in runs),
        "allowance": sum(sum(r.allowance.values()) for r in runs),
        "takeovers": sum(len(r.takeovers) for r in runs),
        "sent": sum(sum(r.sent.values()) for r in runs),
        "resend": sum(sum(r.resend_allowance.values()) for r in runs),
        "window": sum(r.window_hits for r in runs),
        "violations": [(r.seed, v) for r in runs for v in r.violations],
    }


def planted_defects():
    """Runs until the explorer finds each defect, planted back the way the tests do it."""
    import pytest

    from tests import test_payonce_explorer as tests
    from tests.fakes.interleave import exploring

    found = {}
    cases = {
        "1 no fresh look after the claim":
            tests.test_without_the_fresh_look_after_the_claim_a_slow_duplicate_pays_again,
        "2 no version check at the write":
            tests.test_without_the_version_check_an_old_version_overwrites_the_new_result,
        "3 kept answers without one taker":
            tests.test_without_one_taker_kept_answers_are_taken_twice_and_the_back_bought_twice,
        "4 planted documents read as before":
            tests.test_without_defensive_reading_a_planted_document_raises,
    }
    original = tests._first_violation
    for name, case in cases.items():
        seen = []

        def counting(prefix, runs=400, scenario=None):
            started = time.perf_counter()
            for n, run in enumerate(exploring(runs, scenario=scenario), 1):
                if any(v.startswith(prefix) for v in run.violations):
                    seen.append((n, time.perf_counter() - started, run.violations[0]))
                    return run.seed, run.violations
            seen.append((None, time.perf_counter() - started, ""))
            return None
        tests._first_violation = counting
        patch = pytest.MonkeyPatch()
        try:
            case(patch)
        except AssertionError:
            pass
        finally:
            patch.undo()
            tests._first_violation = original
        found[name] = seen
    return found


def window():
    import oss2

    from idcard_ocr.card.keys import ResultLocation
    from idcard_ocr.card.signatures import Signer
    from idcard_ocr.io.oss import ObjectStore
    from idcard_ocr.io.results import ResultStore
    from tests.fakes import images
    from tests.fakes.oss_server import LocalOssServer

    server = LocalOssServer()
    server.start()
    try:
        bucket = oss2.Bucket(oss2.Auth("w", "w"), server.endpoint, "window-bench")
        bucket.create_bucket()
        data = images.card_jpeg()
        etag = bucket.put_object("idcards/w-face.jpg", data).etag.strip('"').upper()
        store = ObjectStore(bucket)
        results = ResultStore(store, ResultLocation(), "window-bench",
                              Signer(["bench-signing-key-0123456789abcdef-xyz"]), None)
        record = {"schema_version": 1, "status": "ok", "side": "face",
                  "source": {"bucket": "window-bench", "key": "idcards/w-face.jpg",
                             "etag": etag, "size": len(data)},
                  "fields": {"name": "x" * 4, "address": "y" * 60}, "api": {"z": "w" * 2000}}
        widths = []
        for _ in range(WINDOW_SAMPLES):
            started = time.perf_counter()
            store.head("idcards/w-face.jpg")
            results.save(record, None)
            widths.append((time.perf_counter() - started) * 1000)
        return sorted(widths)
    finally:
        server.stop()


def main() -> None:
    sys.path.insert(0, ROOT)
    explored = exploration()
    defects = planted_defects()
    widths = window()
    q = statistics.quantiles(widths, n=100)
    endings = explored["endings"]
    lines = [
        header(["oss2", "moto"]) + f" Load average at the end: {os.getloadavg()[0]:.1f}.", "",
        "| explorer (`make bench`, BENCH_PAYONCE_RUNS) | value |", "|---|---|",
        f"| runs (each a seed: 1-3 deliveries, FC retries, crashes, expiry, overwrites, "
        f"flaky API and queue, planted documents) | {explored['runs']:,} |",
        f"| invocations run | {explored['invocations']:,} |",
        f"| steps (storage operations, API calls, sleeps) | {explored['steps']:,} |",
        f"| time | {explored['seconds']:.1f} s ({explored['seconds'] / explored['runs'] * 1000:.1f}"
        f" ms a run) |",
        f"| invocations that ended ok / died / waited out a live claim (in_progress) / met "
        f"the API down / met the queue down | {endings['ok']:,} / {endings['crash']:,} / "
        f"{endings['transient:in_progress']:,} / {endings['transient:api_unavailable']:,} / "
        f"{endings['transient:mns_send_failed']:,} |",
        f"| paid calls / of them allowed because a process died between the answer and its "
        f"claim write | {explored['purchases']:,} / {explored['allowance']:,} |",
        f"| claims taken over | {explored['takeovers']:,} |",
        f"| messages sent / of them allowed because a process died between the send and "
        f"its record | {explored['sent']:,} / {explored['resend']:,} |",
        f"| older result written over a newer one inside the I2 window | {explored['window']} |",
        f"| **violations of I1-I5** | **{len(explored['violations'])}** |",
        "",
        "| defect planted back into the code | runs until the explorer found it | first "
        "violation it reported |", "|---|---|---|",
    ]
    for name, seen in defects.items():
        for n, seconds, violation in seen:
            where = f"{n} ({seconds:.2f} s)" if n else f"**not found** ({seconds:.1f} s)"
            lines.append(f"| {name} | {where} | {violation.split(' (')[0]} |")
    lines += ["", f"The I2 window over moto on loopback ({WINDOW_SAMPLES} samples of HEAD photo + "
                  f"PUT result, 3 KB): p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, "
                  f"max {widths[-1]:.1f} ms."]
    publish("payonce", lines)


if __name__ == "__main__":
    main()
