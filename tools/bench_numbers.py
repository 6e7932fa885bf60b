"""The numbers the docs quote from the benchmarks, checked against (or written from)
bench/results.json, which the benchmark scripts write.

A quoted figure is the number right before a marker naming its place in results.json:

    p50 0.34<!-- bench:engine.p50_s --> s

(in Markdown the marker is invisible; in YAML comments it stays readable). `make bench` runs
this with --write after the benchmarks, and tests/test_docs.py runs the check, so a figure
retyped by hand, or left behind by a new run, is caught.

    python tools/bench_numbers.py            # list disagreements; exit 1 if any
    python tools/bench_numbers.py --write    # put results.json's figures into the files
"""

import glob
import json
import os
import re
import sys
from typing import Iterator, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results.json")
# The number right before the marker: digits with an optional sign, separators and decimals.
MARKER = re.compile(r"(-?[\d,]*\d(?:\.\d+)?)<!-- bench:([\w.]+) -->")


def quoting_files() -> List[str]:
    names = ["README.md", "template.yml", "s.yaml", "s.engine.yaml",
             os.path.join("bench", "README.md")] + \
        sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [n for n in names if os.path.exists(os.path.join(ROOT, n))]


def display(value) -> str:
    """How a figure is written in prose: as stored, without a trailing .0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


def lookup(results: dict, path: str):
    value = results
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def quotes(text: str) -> Iterator[Tuple[str, str, int]]:
    """(quoted number, results.json path, offset) of every marker in `text`."""
    for match in MARKER.finditer(text):
        yield match.group(1), match.group(2), match.start()


def disagreements(results: dict) -> List[str]:
    problems = []
    for name in quoting_files():
        with open(os.path.join(ROOT, name), encoding="utf-8") as f:
            problems += check_text(name, f.read(), results)
    return problems


# Any marker at all, to catch one that lost its number or was broken across lines.
ANY_MARKER = re.compile(r"<!--\s*bench:")


def check_text(name: str, text: str, results: dict) -> List[str]:
    problems = []
    found = {match.end() for match in MARKER.finditer(text)}
    for match in ANY_MARKER.finditer(text):
        end = text.find("-->", match.start()) + 3
        if end not in found:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{name}:{line}: a bench marker without a number right before it, "
                            f"or broken across lines")
    for quoted, path, offset in quotes(text):
        line = text.count("\n", 0, offset) + 1
        try:
            expected = display(lookup(results, path))
        except KeyError:
            problems.append(f"{name}:{line}: {path} is not in bench/results.json")
            continue
        if quoted != expected:
            problems.append(f"{name}:{line}: quotes {quoted} for {path}; the bench says "
                            f"{expected}")
    return problems


def write(results: dict) -> int:
    changed = 0
    for name in quoting_files():
        path = os.path.join(ROOT, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = MARKER.sub(lambda m: display(lookup(results, m.group(2))) + m.group(0)[
            len(m.group(1)):], text)
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            changed += 1
    return changed


def load() -> dict:
    with open(RESULTS, encoding="utf-8") as f:
        return json.load(f)


def main(argv: List[str]) -> int:
    results = load()
    if "--write" in argv:
        print(f"{write(results)} file(s) updated from bench/results.json")
    problems = disagreements(results)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
