"""Function Compute entry point (Handler: index.handler). The logic lives in idcard_ocr."""

import os
import sys

# Dependencies installed next to the code (`pip install -t python/`) are found without a layer.
_VENDORED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python")
if os.path.isdir(_VENDORED) and _VENDORED not in sys.path:
    sys.path.insert(0, _VENDORED)

from idcard_ocr.handler import handle  # noqa: E402


def handler(event, context):
    return handle(event, context)
