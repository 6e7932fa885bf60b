"""ID card OCR for Alibaba Cloud Function Compute.

An OSS upload goes in; the recognised fields come out as JSON next to the object.
`handle(event, context)` is the public entry point (`index.handler` wraps it); every error the
package raises on purpose derives from `IdcardOcrError` and is importable from here.
"""

from .errors import (ConfigError, EventError, IdcardOcrError, InvocationFailed, PermanentError,
                     TransientError)
from .handler import handle

__version__ = "0.2.0"

__all__ = ["handle", "__version__", "IdcardOcrError", "PermanentError", "TransientError",
           "ConfigError", "EventError", "InvocationFailed"]
