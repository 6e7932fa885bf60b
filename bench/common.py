"""What the benchmark scripts share: where they write, and how they describe the machine."""

import json
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTION_DIR = os.path.join(ROOT, "functions", "idcard_ocr")
sys.path[:0] = [ROOT, FUNCTION_DIR]


def header(packages) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{n} {_version(n)}" for n in packages)
    if "rapidocr-onnxruntime" in packages:  # which models the engine ran (docs/engine.md)
        versions += f"; models: {os.environ.get('IDCARD_ENGINE_MODELS') or 'wheel'}"
    return f"Run {now} on {machine()}; Python {platform.python_version()}; {versions}."


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # e.g. being reinstalled in a shared venv meanwhile
        return "(version unknown)"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores"


RESULTS = os.path.join(ROOT, "bench", "results.json")


def record(section: str, figures: dict) -> None:
    """Keep a benchmark's figures in bench/results.json, the one machine-readable source of
    the numbers the docs quote (tools/bench_numbers.py puts them there; a test compares)."""
    results = load_results()
    results[section] = dict(figures, run=f"{datetime.now(timezone.utc):%Y-%m-%d} on {machine()}")
    with open(RESULTS, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")


def load_results() -> dict:
    try:
        with open(RESULTS, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def publish(name: str, lines) -> None:
    """Print the report and put it into its section of bench/README.md."""
    table = "\n".join(lines)
    print(table)
    write_section(name, table)


def write_section(name: str, table: str) -> None:
    """Replace the text between <!-- NAME:start --> and <!-- NAME:end --> in bench/README.md;
    a run whose section the README does not have (a rendering or style named on the command
    line) is printed only, not lost at the end."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    path = os.path.join(ROOT, "bench", "README.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if start not in text or end not in text:
        print(f"bench/README.md has no section {name}: printed only", file=sys.stderr)
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{start}\n{table}\n{end}{tail}")
