"""`python -m idcard_ocr ...` is `idcard-ocr ...` (e.g. the engine function's start command)."""

import sys

from .ops.cli import main

sys.exit(main())
