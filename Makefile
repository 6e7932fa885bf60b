# Everything a fresh machine needs is installed by these targets into .venv.
#   make demo   the pipeline end to end on local servers, no cloud account
#   make test   the test suite (what CI runs)
#   make bench  the benchmarks (results in bench/README.md and bench/results.json)
#   make review-demo  the demo, then the review console on its bucket
#   make deploy-check the offline checks of what is deployed (also part of make test)
#   make demo-keep    the demo, then its local OSS and engine stay up (for report, backfill, invoke)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-keep test deploy-check bench fonts package clean review-demo review-screenshots chromium models

# Two installs. The demo's is light and needs no root: the project, its offline engine and the
# local stand-ins (moto's S3 server as OSS; the review console for review-demo), from PyPI only,
# so it works as a normal user on any Linux or macOS with Python >= 3.9.
# The tests' adds the heavy parts: Serverless Devs (npm, pinned in deploy/package-lock.json) to
# render s.yaml, both zips' wheels for Linux x86_64 (python3.10, and python3.12 for the engine)
# to build them offline, and Debian's chromium for the review console's browser test
# (Playwright drives it; its own browser download is never used). A test install satisfies
# the demo too.
DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml functions/idcard_ocr/requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[demo]'
	touch $(DEMO_STAMP)

$(STAMP): pyproject.toml functions/idcard_ocr/requirements.txt deploy/package-lock.json
	$(MAKE) chromium fonts
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,engine,ops,demo,package]'
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/package.py --prefetch $(VENV)/wheelhouse
	touch $(STAMP) $(DEMO_STAMP) $(PACKAGE_STAMP)

# `make package`'s own: onnx, to derive the engine's folded models into its zip (PyPI only, no
# root). A test install satisfies it too.
PACKAGE_STAMP := $(VENV)/.installed-package

$(PACKAGE_STAMP): pyproject.toml functions/idcard_ocr/requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[package]'
	touch $(PACKAGE_STAMP)

# Text detection and recognition models derived from the installed rapidocr-onnxruntime wheel's:
# folded (its arithmetic with the element-wise steps folded, a few seconds; a quarter less CPU,
# the same answers) and int8 (calibrated on the committed sample photos, about a minute on 2
# cores; they lose fields). Neither is a checkout's default (docs/engine.md, "The folded
# models", "The int8 models"): the engine runs them only with IDCARD_ENGINE_MODELS=folded or
# int8, and then refuses to start without them. The deployed engine runs folded ones, which
# `make package` derives into its zip itself.
MODELS := functions/idcard_ocr/idcard_ocr/engine/models/manifest.json

$(MODELS): tools/derive_models.py pyproject.toml $(wildcard tests/fixtures/cards/*.jpg) | $(STAMP)
	$(BIN)/python tools/derive_models.py

models: $(MODELS)

demo: $(DEMO_STAMP)
	$(BIN)/python tools/demo.py

# The demo's local OSS and engine kept up for the operator's commands (docs/operations.md).
demo-keep: $(DEMO_STAMP)
	$(BIN)/python tools/demo.py --keep

# Two worker processes, one test file each at a time: the suite waits on its loopback servers
# more than it computes. A single test: .venv/bin/python -m pytest tests/test_x.py -k name
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Every offline check of what is deployed, the tests marked `deploy`: template.yml through
# ROS CDK for each parameter variant, RandomString's published spelling, s.yaml as `s preview`
# renders it against FC's API models, EventBridge event shapes through the handler, and both
# zips (built from the wheelhouse) imported under their runtime's CPython (3.10, 3.12) with
# nothing else on sys.path and their shared libraries read for system libraries FC's runtimes
# may lack. `make test` runs them too (CI runs `make test`). What needs an account: docs/deploy.md.
deploy-check: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m deploy

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# The README's screenshots of the review console, from its browser test (synthetic cards).
review-screenshots: $(STAMP)
	REVIEW_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/test_review_browser.py

# The demo's bucket stays up (local OSS and engine) and the console opens on it; Ctrl-C ends both.
review-demo: $(DEMO_STAMP)
	$(BIN)/python tools/demo.py --review

bench: $(STAMP) fonts
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/versus_sample.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/quality.py kyc
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/engine_function.py
	$(BIN)/python bench/engine_server.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/payonce.py
	$(BIN)/python bench/cost.py
	$(BIN)/python tools/bench_numbers.py --write

# The synthetic card generators draw with Debian's CJK fonts and OCR-B: the benchmarks,
# tools/make_samples.py and the tests of the generators themselves (test_*_holdout.py,
# test_kyc_signals.py), so the tests' install runs this too; the outsider hold-out
# (tests/fakes/outsider.py) with Droid Sans Fallback, AR PL SungtiL/KaitiM GB and FreeFont; the
# stranger hold-out (tests/fakes/stranger.py) with Noto CJK's other weights, HanaMin A, and
# JetBrains Mono, Cousine and Hack for the number; the rover hold-out (tests/fakes/rover.py)
# with Noto CJK's JP and KR faces and Fantasque Sans Mono, Monoid and monofur for the number;
# the vagabond hold-out (tests/fakes/vagabond.py) with Noto CJK's HK faces, Smiley Sans, and
# Ricty Diminished, TlwgMono and STIX for the number.
fonts:
	@(fc-list 2>/dev/null | grep -q NotoSansCJK && fc-list | grep -q "Zen Hei" && \
	    fc-list | grep -q "OCR B" && fc-list | grep -q "AR PL UKai" && \
	    fc-list | grep -q "Droid Sans Fallback" && fc-list | grep -q "AR PL SungtiL GB" && \
	    fc-list | grep -q "AR PL KaitiM GB" && fc-list | grep -q FreeMono && \
	    fc-list | grep -q "LXGW WenKai" && fc-list | grep -q "BabelStone Han" && \
	    fc-list | grep -q "B612 Mono" && fc-list | grep -q "Go Mono" && \
	    fc-list | grep -q Inconsolata && fc-list | grep -q "Noto Sans CJK SC Light" && \
	    fc-list | grep -q "Noto Serif CJK SC SemiBold" && fc-list | grep -q HanaMinA && \
	    fc-list | grep -q "JetBrains Mono" && fc-list | grep -q Cousine && \
	    fc-list | grep -q Hack && fc-list | grep -q "Noto Serif CJK SC Light" && \
	    fc-list | grep -q mononoki && fc-list | grep -q "Noto Mono" && \
	    fc-list | grep -q "Fira Code" && fc-list | grep -q "Noto Sans CJK SC Thin" && \
	    fc-list | grep -q "Noto Serif CJK SC ExtraLight" && fc-list | grep -q OCRA && \
	    fc-list | grep -q "IBM 3270" && fc-list | grep -q Hermit && \
	    fc-list | grep -q TW-Sung-98_1.ttf && fc-list | grep -q TW-Kai-98_1.ttf && \
	    fc-list | grep -q LeagueMono-NarrowRegular && fc-list | grep -q agave-r && \
	    fc-list | grep -q "Courier Prime Sans" && fc-list | grep -q "Anonymous Pro" && \
	    fc-list | grep -q DejaVuSansMono-Bold && fc-list | grep -q "Fantasque Sans Mono" && \
	    fc-list | grep -q Monoid && fc-list | grep -q monofur && \
	    fc-list | grep -q "Smiley Sans" && fc-list | grep -q "Ricty Diminished" && \
	    fc-list | grep -q TlwgMono && fc-list | grep -q STIXGeneral) || \
	    (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fonts-wqy-microhei \
	        fonts-wqy-zenhei fonts-ocr-b fonts-arphic-ukai fonts-arphic-uming \
	        fonts-droid-fallback fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-freefont-ttf \
	        fonts-lxgw-wenkai fonts-babelstone-han fonts-b612 fonts-go fonts-inconsolata \
	        fonts-noto-cjk-extra fonts-hanazono fonts-jetbrains-mono fonts-croscore fonts-hack \
	        fonts-mononoki fonts-noto-mono fonts-firacode fonts-ocr-a fonts-3270 fonts-hermit \
	        fonts-cns11643-sung fonts-cns11643-kai fonts-league-mono fonts-agave \
	        fonts-courier-prime fonts-anonymous-pro fonts-dejavu-core fonts-fantasque-sans \
	        fonts-monoid fonts-monofur fonts-smiley-sans fonts-ricty-diminished \
	        fonts-tlwg-mono-ttf fonts-stix)

# The deployable zips, with dependencies for FC's Linux x86_64 whatever machine builds them:
# dist/idcard-ocr.zip (python3.10) and dist/idcard-ocr-engine.zip (the offline engine, for
# custom.debian11's Python 3.12, with the folded models derived from the RapidOCR wheel it
# vendors). template.yml and s.yaml point at them. Prints their sizes.
# KMS=1 adds the KMS client, for OCR_APPCODE_SECRET_NAME.
package: $(PACKAGE_STAMP)
	$(BIN)/python tools/package.py --out dist $(if $(KMS),--with kms)

clean:
	rm -rf $(VENV) functions/idcard_ocr/python demo-output dist deploy/node_modules
