"""ID card OCR for Alibaba Cloud Function Compute.

An OSS upload goes in; the recognised fields come out as JSON next to the object.
`handle(event, context)` is the public entry point; `index.handler` wraps it.
"""

from .handler import handle

__version__ = "0.1.0"

__all__ = ["handle", "__version__"]
