"""The offline engine as its own FC function (part of `make bench`); writes its table into
bench/README.md. The figures size `EngineFunction` in template.yml and s.yaml.

Runs the engine exactly as the custom runtime does (the start command of template.yml,
`python3 -m idcard_ocr serve --host ... --port ...` with an AppCode), on loopback:

- cold start: from process start to the first answer for a photo (interpreter start, imports,
  model load, first inference), the time FC's first request to a new instance waits on top of
  unpacking the code;
- throughput of one instance: requests/s and latency with N concurrent clients, each level on a
  fresh server, and the server's peak RSS (VmHWM) at that level, which sizes MemorySize and
  InstanceConcurrency. Twice: with distinct photos (every request a photo the server has not
  seen: what FC sees, and what sizes the template), and with 8 photos sent again and again
  after a first round, which the engine answers from its cache by content (labelled "cached":
  an upper bound, not a capacity).

Photos are generated card photos (tests/fakes/cards.py; needs fonts-noto-cjk) at the size the
OSS-triggered function sends (at most IMAGE_MAX_SIDE = 2048 px).
"""

import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from common import FUNCTION_DIR, ROOT, header, publish

COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", 3))
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_CONCURRENCY", "1,2,4,8").split(","))
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS_PER_CLIENT", 4))
APPCODE = "bench-appcode"
ENGINE_VCPU = 2  # template.yml's EngineFunction Cpu
PATH = "/rest/160601/ocr/ocr_idcard.json"


def bodies(count: int):
    from tests.fakes.cards import make_card, photograph

    out = []
    for seed in range(count):
        card = make_card(60_000 + seed)
        data = photograph(card, ("clean", "rotated", "large", "cluttered")[seed % 4], seed)
        out.append(json.dumps({"image": base64.b64encode(_as_sent(data)).decode(),
                               "configure": json.dumps({"side": card.side})}).encode())
    return out


def _as_sent(data: bytes) -> bytes:
    """What the OSS-triggered function sends: the photo prepared with its default settings."""
    from idcard_ocr.imaging import ImageLimits, prepare

    return prepare(data, ImageLimits()).data


def start_command(port: int):
    """template.yml's start command."""
    return [sys.executable, "-m", "idcard_ocr", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--appcode", APPCODE]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, body: bytes, timeout: float = 120):
    import requests

    return requests.post(f"http://127.0.0.1:{port}{PATH}", data=body, timeout=timeout,
                         headers={"Authorization": f"APPCODE {APPCODE}",
                                  "Content-Type": "application/json; charset=UTF-8"})


class Instance:
    """One engine process, as one FC instance runs it."""

    def __init__(self):
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=FUNCTION_DIR)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(start_command(self.port), cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def first_answer(self, body: bytes, limit_s: float = 180) -> float:
        """Seconds from process start to the first 200 answer (polling until it listens)."""
        import requests

        while time.perf_counter() - self.started < limit_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"engine exited with {self.process.returncode}")
            try:
                response = post(self.port, body)
            except requests.ConnectionError:
                time.sleep(0.02)
                continue
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - self.started
        raise TimeoutError("engine did not answer")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (all its threads, user + system)."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as f:
            return int(f.read().split("VmHWM:")[1].split()[0]) / 1024

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def cold_starts(body: bytes):
    times = []
    for _ in range(COLD_STARTS):
        instance = Instance()
        try:
            times.append(instance.first_answer(body))
        finally:
            instance.stop()
    return times


def level(clients: int, requests_, warm_up: bytes, cached: bool = False):
    """Requests/s, p50/p95 latency and peak RSS of a fresh instance with `clients` at once.
    `warm_up` loads the model first (a photo that is not among `requests_`); `cached` sends
    every one of `requests_` once before the clock starts, so that the engine answers them
    all from its cache."""
    instance = Instance()
    try:
        instance.first_answer(warm_up)
        for body in (requests_ if cached else ()):
            assert post(instance.port, body).status_code == 200
        latencies = []

        turned_away = []

        def one(body):
            """As the function's client does: a 429 (the server at its budget, or a request
            that waited past --queue-timeout) is tried again after its Retry-After."""
            started = time.perf_counter()
            response = post(instance.port, body)
            while response.status_code == 429:
                turned_away.append(1)
                time.sleep(float(response.headers.get("Retry-After", 2)))
                response = post(instance.port, body)
            latencies.append(time.perf_counter() - started)
            return response.status_code

        work = (requests_ * (1 + clients * REQUESTS_PER_CLIENT // len(requests_)))[
            :clients * REQUESTS_PER_CLIENT]
        cpu_before = instance.cpu_seconds()
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(one, work))
        elapsed = time.perf_counter() - started
        cpu_per_request = (instance.cpu_seconds() - cpu_before) / len(work)
        assert statuses == [200] * len(work), statuses
        latencies.sort()
        return (len(work) / elapsed, latencies[len(latencies) // 2],
                latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))],
                instance.peak_rss_mb(), len(turned_away), cpu_per_request)
    finally:
        instance.stop()


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    from common import record

    most = max(LEVELS) * REQUESTS_PER_CLIENT
    distinct = bodies(most + 1)  # the last one warms each fresh server up
    cached = distinct[:8]
    sizes = [len(b) for b in distinct]
    load_before = load_average()
    cold = cold_starts(distinct[-1])
    rows = []
    for n in LEVELS:
        rows.append((n, level(n, distinct[:n * REQUESTS_PER_CLIENT], distinct[-1]),
                     level(n, cached, distinct[-1], cached=True)))
    load_after = load_average()
    record("engine_function", {
        "cold_start_s": round(statistics.median(cold), 2),
        **{f"distinct_rps_{n}": round(d[0], 2) for n, d, _ in rows},
        **{f"cached_rps_{n}": round(c[0], 2) for n, _, c in rows},
        **{f"distinct_p50_s_{n}": round(d[1], 2) for n, d, _ in rows},
        **{f"distinct_p95_s_{n}": round(d[2], 2) for n, d, _ in rows},
        **{f"distinct_cpu_s_{n}": round(d[5], 2) for n, d, _ in rows},
        # What an instance of ENGINE_VCPU vCPUs can serve when the photos are distinct and the
        # cores its own: CPU-bound work, so its vCPUs over the CPU time a request takes. Unlike
        # requests/s on this shared machine, it does not depend on the other work here.
        "distinct_capacity_rps": round(ENGINE_VCPU / min(d[5] for _, d, _ in rows), 1),
        "peak_rss_mb_max": round(max(max(d[3], c[3]) for _, d, c in rows)),
        "peak_rss_mb_1": round(rows[0][1][3]),
        "load_average": f"{load_before} before, {load_after} after"})
    out = [header(["rapidocr-onnxruntime", "onnxruntime", "pillow"]), "",
           f"`python3 -m idcard_ocr serve` with an AppCode, one process = one FC instance, on "
           f"this machine's {os.cpu_count()} cores (template.yml gives the engine 2 vCPUs). "
           f"Request bodies {min(sizes) // 1024}–{max(sizes) // 1024} KB (generated photos "
           f"prepared as the function sends them).", "",
           "| what | value |", "|---|---:|",
           f"| cold start: process start to first answer, median of {len(cold)} | "
           f"{statistics.median(cold):.2f} s |",
           f"| cold start, slowest | {max(cold):.2f} s |", "",
           f"Throughput of one instance, {REQUESTS_PER_CLIENT} requests per client. **Distinct**: "
           "every request a photo the server has not seen (what FC sees; the template's sizing "
           "uses these). **Cached**: 8 photos, each sent once before the clock starts and then "
           "again and again, so that the engine answers from its cache by content (how the "
           "figure of an earlier run came about): an upper bound, not a capacity. Load "
           f"average (1/5/15 min) {load_before} before, {load_after} after (other engineers' "
           "work shares the 2 cores).", "",
           "| concurrent clients | distinct: requests/s | p50 s | p95 s | CPU s per request | "
           "peak RSS | 429, tried again | cached: requests/s | p95 s |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {n} | {d[0]:.2f} | {d[1]:.2f} | {d[2]:.2f} | {d[5]:.2f} | {d[3]:.0f} MB | "
            f"{d[4]} | {c[0]:.2f} | {c[2]:.2f} |" for n, d, c in rows]
    best = min(d[5] for _, d, _ in rows)
    out += ["", f"Capacity of one {ENGINE_VCPU}-vCPU instance with distinct photos, from the "
            f"CPU time a request takes (the work is CPU-bound, so the figure does not depend "
            f"on what else runs here): {ENGINE_VCPU} / {best:.2f} s = "
            f"**{ENGINE_VCPU / best:.1f} requests/s**."]
    publish("engine-function", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
