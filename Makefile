# Everything a fresh machine needs is installed by these targets into .venv.
#   make demo   the pipeline end to end on local servers, no cloud account
#   make test   the test suite (what CI runs)
#   make bench  the benchmarks (results in bench/README.md)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench fonts package clean

$(STAMP): pyproject.toml functions/idcard_ocr/requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,engine,ops]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP) fonts
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/versus_seed.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/engine.py

# The synthetic card generators draw with Debian's Hei-style CJK fonts and OCR-B (benchmark and
# tools/make_samples.py only; the tests read committed photos).
fonts:
	@(fc-list 2>/dev/null | grep -q NotoSansCJK && fc-list | grep -q "Zen Hei" && \
	    fc-list | grep -q "OCR B") || \
	    (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fonts-wqy-microhei \
	        fonts-wqy-zenhei fonts-ocr-b)

# The deployable code directory: functions/idcard_ocr/ with its dependencies in python/.
# Compiled wheels must match the runtime: run it with FC's Python on Linux x86_64, e.g.
# `make package PY=python3.10` (template.yml says python3.10).
package:
	rm -rf functions/idcard_ocr/python
	$(PY) -m pip install --quiet --disable-pip-version-check \
	    -r functions/idcard_ocr/requirements.txt -t functions/idcard_ocr/python

clean:
	rm -rf $(VENV) functions/idcard_ocr/python demo-output
