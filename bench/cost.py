"""What 1,000 photos cost in each mode (part of `make bench`, after the scripts it reads).

Arithmetic on measured figures, not a measurement of its own: durations and throughput come
from bench/results.json (written by versus_sample.py, engine.py and engine_function.py; the
cascade's share of photos and calls paid by cascade.py), sizes
from template.yml, prices from the settings below. Function Compute 3.0 bills pay-as-you-go
resource use in CU (compute units): active vCPU-seconds, GB-seconds of configured memory while a
request runs, and invocations, each converted to CU by a fixed factor, at a price per CU
(Alibaba Cloud, "Function Compute 3.0: pay-as-you-go billing",
alibabacloud.com/help/functioncompute/fc-3-0/product-overview/pay-as-you-go-billing-method-1:
tier 1, up to 100 million CU a month, USD 0.000020 per CU list price; factors 1 CU per active
vCPU-second, 0.15 CU per GB-second, 75 CU per 10,000 invocations). Every price is a setting:

  BENCH_CU_PRICE_USD        0.000020   FC 3.0 price per CU (tier 1, list)
  BENCH_API_PRICE_USD       0.0014     the marketplace OCR API per call: an assumption (about
                                       CNY 0.01, a usual per-call price of ID card OCR
                                       packages); set your package's price
  BENCH_FUNCTION_VCPU       0.35       vCPU of the 512 MB function (template.yml sets memory
                                       only): an assumption; set what the console shows
  BENCH_LOCAL_MEMORY_GB     2          the function with OCR_ENGINE=local (docs/engine.md: 1 GB
                                       or more; the engine peaks at 430-600 MB under load)
  BENCH_LOCAL_VCPU          1          its vCPUs

Idle instances cost nothing here (FC 3.0 bills idle vCPU at 0 CU), cold starts are not
counted, and one API call per photo is assumed (a sheet with both sides costs two).
"""

import os
import sys

from common import ROOT, load_results, publish, record

CU_PRICE = float(os.environ.get("BENCH_CU_PRICE_USD", 0.000020))
API_PRICE = float(os.environ.get("BENCH_API_PRICE_USD", 0.0014))
FUNCTION_VCPU = float(os.environ.get("BENCH_FUNCTION_VCPU", 0.35))
LOCAL_MEMORY_GB = float(os.environ.get("BENCH_LOCAL_MEMORY_GB", 2))
LOCAL_VCPU = float(os.environ.get("BENCH_LOCAL_VCPU", 1))
CU_PER_VCPU_S, CU_PER_GB_S, CU_PER_INVOCATION = 1.0, 0.15, 75 / 10_000
PHOTOS = 1000
# The sets whose cascade figures (bench/cascade.py, in bench/results.json) get rows here: the
# realistic fit set (the mix users send) and the specimen rendering (hard photos and sheets).
CASCADE_SETS = ("realistic", "specimen")


def template_sizes():
    """MemorySize (GB) of the function and Cpu, MemorySize, InstanceConcurrency of the engine,
    as template.yml deploys them by default (the function's size depends on the Cascade
    parameter: `Fn::If` of Cascade=in-function, whose other branch is the default)."""
    import yaml

    with open(os.path.join(ROOT, "template.yml"), encoding="utf-8") as f:
        resources = yaml.safe_load(f)["Resources"]
    memory = resources["Function"]["Properties"]["MemorySize"]
    if isinstance(memory, dict):
        memory = memory["Fn::If"][2]
    engine = resources["EngineFunction"]["Properties"]
    return (int(memory) / 1024, float(engine["Cpu"]), int(engine["MemorySize"]) / 1024,
            int(engine["InstanceConcurrency"]))


def fc_usd(vcpu: float, memory_gb: float, seconds: float, invocations: int = PHOTOS) -> float:
    cu = (vcpu * seconds * CU_PER_VCPU_S + memory_gb * seconds * CU_PER_GB_S) * PHOTOS \
        + invocations * CU_PER_INVOCATION
    return cu * CU_PRICE


def main() -> int:
    results = load_results()
    link = results["versus_sample"]
    engine = results["engine"]
    function = results["engine_function"]
    function_gb, engine_vcpu, engine_gb, concurrency = template_sizes()
    rows = []
    for mbit in (20, 100):
        seconds = link[f"phone_{mbit}mbit_ours_s"]
        fc = fc_usd(FUNCTION_VCPU, function_gb, seconds)
        rows.append((f"marketplace API, 12 MP phone photo, {mbit} Mbit/s link to the API",
                     seconds, fc, API_PRICE * PHOTOS))
    # The engine as its own function: an instance is billed for its active time, shared by the
    # requests it serves at once, so per photo 1 / its throughput (with distinct photos, from
    # the CPU time a request takes: the figure that does not depend on this machine's load).
    # The OSS-triggered function waits for it meanwhile: with InstanceConcurrency requests in
    # an instance, Little's law gives concurrency / throughput.
    engine_rps = function["distinct_capacity_rps"]
    outside = link["card_100mbit_ours_s"] - link["ocr_standin_delay_s"]
    caller_s = max(outside, 0) + concurrency / engine_rps
    instance_s = 1 / engine_rps
    fc = fc_usd(FUNCTION_VCPU, function_gb, caller_s) + \
        fc_usd(engine_vcpu, engine_gb, instance_s)
    rows.append((f"offline engine as its own function ({engine_vcpu:g} vCPU, {engine_gb:g} GB, "
                 f"{concurrency} requests per instance; distinct photos)", caller_s, fc, 0.0))
    # The engine inside the function: CPU-bound, so its time is its CPU time spread over the
    # vCPUs it has, and never less than what 2 cores took.
    local_s = max(engine["cpu_p50_s"] / LOCAL_VCPU, engine["p50_s"])
    fc = fc_usd(LOCAL_VCPU, LOCAL_MEMORY_GB, local_s)
    rows.append((f"offline engine inside the function ({LOCAL_VCPU:g} vCPU, "
                 f"{LOCAL_MEMORY_GB:g} GB)", local_s, fc, 0.0))

    # The cascade (OCR_ENGINE=cascade): the engine's time on every photo, the API's on the
    # share it pays for, and the API's calls in the proportion bench/cascade.py measured
    # (its calls against API-only's on the same photos, a sheet's two sides counted).
    cascade = results.get("cascade", {})
    api_s = rows[1][1]  # the API's answer over the 100 Mbit/s link
    for name in CASCADE_SETS:
        if f"{name}_call_share" not in cascade:
            continue
        paid, share = cascade[f"{name}_paid_pct"] / 100, cascade[f"{name}_call_share"]
        seconds = local_s + paid * api_s
        rows.append((f"cascade, engine inside the function, `{name}`'s mix ({100 * paid:.0f} % "
                     f"of photos paid)", seconds, fc_usd(LOCAL_VCPU, LOCAL_MEMORY_GB, seconds),
                     API_PRICE * PHOTOS * share))
        seconds = caller_s + paid * api_s
        rows.append((f"cascade, engine as its own function, `{name}`'s mix", seconds,
                     fc_usd(FUNCTION_VCPU, function_gb, seconds)
                     + fc_usd(engine_vcpu, engine_gb, instance_s), API_PRICE * PHOTOS * share))

    out = [f"Prices: FC 3.0 USD {CU_PRICE:.6f} per CU; the OCR API USD {API_PRICE:g} per call "
           f"(an assumption: set `BENCH_API_PRICE_USD`); the 512 MB function at "
           f"{FUNCTION_VCPU:g} vCPU (an assumption: `BENCH_FUNCTION_VCPU`). Durations and "
           f"throughput from bench/results.json: {link['run']} (link), {function['run']} "
           f"(engine function), {engine['run']} (engine in-process). Settings and sources: "
           "bench/cost.py's docstring.", "",
           "| mode | the triggered function's s per photo | Function Compute, USD | OCR API, USD | "
           "total per 1,000 photos, USD |", "|---|---:|---:|---:|---:|"]
    figures = {}
    for label, seconds, fc, api in rows:
        out.append(f"| {label} | {seconds:.2f} | {fc:.3f} | {api:.2f} | **{fc + api:.2f}** |")
    figures["api_20mbit_usd"] = round(rows[0][2] + rows[0][3], 2)
    figures["api_100mbit_usd"] = round(rows[1][2] + rows[1][3], 2)
    figures["api_fc_share_usd"] = round(rows[0][2], 3)
    figures["engine_function_usd"] = round(rows[2][2], 3)
    figures["engine_local_usd"] = round(rows[3][2], 3)
    for label, seconds, fc, api in rows[4:]:
        name = label.split("`")[1]
        kind = "inside" if "inside" in label else "function"
        figures[f"cascade_{name}_{kind}_usd"] = round(fc + api, 2)
    out += ["", "The API's price dominates: Function Compute adds about "
            f"{rows[0][2] / rows[0][3] * 100:.1f} % to it. The offline engine costs only "
            "compute, most of it the engine's own vCPU-seconds. The cascade's rows: the "
            "engine's time on every photo plus the API's on the photos it pays for, and the "
            "API's calls in the proportion bench/cascade.py measured on that set's photos "
            + (f"({cascade['run']}; docs/cascade.md)." if cascade else
               "(none yet: run bench/cascade.py).")]
    record("cost", figures)
    publish("cost", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
