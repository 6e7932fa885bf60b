# Everything a fresh machine needs is installed by these targets into .venv.
#   make demo   the pipeline end to end on local servers, no cloud account
#   make test   the test suite (what CI runs)
#   make bench  the benchmarks (results in bench/README.md)
#   make review-demo  the demo, then the review console on its bucket
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench fonts package clean review-demo review-screenshots chromium

# The tests also need Serverless Devs (npm, pinned in deploy/package-lock.json) to render
# s.yaml, the function's wheels for Linux x86_64 / python3.10 to build its zip offline, and
# Debian's chromium for the review console's browser test (Playwright drives it; its own
# browser download is never used).
$(STAMP): pyproject.toml functions/idcard_ocr/requirements.txt deploy/package-lock.json
	$(MAKE) chromium
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,engine,ops]'
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/package.py --prefetch $(VENV)/wheelhouse
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py

# Two worker processes, one test file each at a time: the suite waits on its loopback servers
# more than it computes. A single test: .venv/bin/python -m pytest tests/test_x.py -k name
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# The README's screenshots of the review console, from its browser test (synthetic cards).
review-screenshots: $(STAMP)
	REVIEW_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/test_review_browser.py

# The demo's bucket stays up (local OSS and engine) and the console opens on it; Ctrl-C ends both.
review-demo: $(STAMP)
	$(BIN)/python tools/demo.py --review

bench: $(STAMP) fonts
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/versus_seed.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/quality.py kyc
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/engine_function.py
	$(BIN)/python bench/engine_server.py
	$(BIN)/python bench/review.py

# The synthetic card generators draw with Debian's Hei-style CJK fonts and OCR-B (benchmark and
# tools/make_samples.py only; the tests read committed photos).
fonts:
	@(fc-list 2>/dev/null | grep -q NotoSansCJK && fc-list | grep -q "Zen Hei" && \
	    fc-list | grep -q "OCR B") || \
	    (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fonts-wqy-microhei \
	        fonts-wqy-zenhei fonts-ocr-b)

# The deployable zips, with dependencies for FC's Linux x86_64 whatever machine builds them:
# dist/idcard-ocr.zip (python3.10) and dist/idcard-ocr-engine.zip (the offline engine, for
# custom.debian11's Python 3.12). template.yml and s.yaml point at them. Prints their sizes.
# KMS=1 adds the KMS client, for OCR_APPCODE_SECRET_NAME.
package:
	$(PY) tools/package.py --out dist $(if $(KMS),--with kms)

clean:
	rm -rf $(VENV) functions/idcard_ocr/python demo-output dist deploy/node_modules
