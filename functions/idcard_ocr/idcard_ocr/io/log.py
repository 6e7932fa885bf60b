"""Structured logging: one JSON object per line, scrubbed of personal data and secrets.

FC ships stdout to Log Service; one line per object makes each upload one searchable record.
The invocation's request id and the object's bucket and key are set once, as log context
(contextvars, so each thread of a backfill keeps its own), and every line carries them.

This module also holds the process's secrets (the AppCode, the signing keys), registered once
they are known, and puts scrubbing into every log record of the process as soon as it is
imported: before the first library call, whatever logger the record comes from.
"""

import contextvars
import json
import logging
import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Dict, FrozenSet, Iterator

from ..card import privacy

LOGGER_NAME = "idcard_ocr"

_context: contextvars.ContextVar[Dict[str, object]] = contextvars.ContextVar(
    "idcard_ocr_log_context", default={})


@contextmanager
def log_context(**fields) -> Iterator[None]:
    """Add `fields` to every line logged inside the block (nested blocks add to the outer)."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


_secrets: FrozenSet[str] = frozenset()
_secret_pattern = None
_lock = threading.Lock()


def register_secret(value) -> None:
    """Never let `value` (in any letter case) appear in anything scrub() returns."""
    global _secrets, _secret_pattern
    if not isinstance(value, str) or len(value) < privacy.MIN_SECRET or value in _secrets:
        return
    with _lock:
        _secrets = _secrets | {value}
        _secret_pattern = privacy.secret_pattern(_secrets)


def scrub(text: str) -> str:
    """Citizen-number shapes and AppCode headers masked, registered secrets removed."""
    return privacy.scrub(text, _secret_pattern)


def scrub_secrets(value: Any) -> Any:
    """A copy of a JSON-like value without the registered secrets (personal data stays)."""
    return privacy.scrub_secrets(value, _secret_pattern)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        doc.update(getattr(record, "context", None) or {})
        doc.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            # The type and our own message only: a traceback's locals could hold anything.
            doc["exception"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
        return scrub(json.dumps(doc, ensure_ascii=False, default=str))


def _scrubbed_record_factory(make_record):
    """A LogRecord factory that scrubs each record's message, exception and stack as it is made.

    FC's Python runtime logs the root logger at INFO, and oss2 logs every error answer at INFO
    with the requested key ("NoSuchKey ... 'Key': 'uploads/110105...-face.jpg.json'", "Start to
    delete object ... key: ..."). A filter on a library's logger is not inherited by its child
    loggers and misses loggers made later; the record factory sees every record of every
    logger, and only records that will be emitted are made.
    """
    def make(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a library's malformed arguments: keep only what cannot leak
            message = str(record.msg)
        record.msg, record.args = scrub(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return record

    make.idcard_scrubbing = True
    return make


def scrub_every_record() -> None:
    """Put scrubbing in place for every log record of the process (once; idempotent)."""
    with _lock:
        current = logging.getLogRecordFactory()
        if not getattr(current, "idcard_scrubbing", False):
            logging.setLogRecordFactory(_scrubbed_record_factory(current))


scrub_every_record()  # on import: the handler imports this module before any library call


def get_logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    if not getattr(logger, "_idcard_configured", False):
        scrub_every_record()
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        level = os.environ.get("LOG_LEVEL", "INFO").upper()
        logger.setLevel(level if isinstance(logging.getLevelName(level), int) else "INFO")
        # FC's runtime puts its own handler on the root logger; our lines are already complete.
        logger.propagate = False
        logger._idcard_configured = True
    return logger


def log_event(level: int, message: str, **fields) -> None:
    get_logger().log(level, message, extra={"fields": fields, "context": _context.get()})


def send_to(stream) -> None:
    """Write the log lines to `stream` instead (the CLI keeps stdout for its own output)."""
    for handler in get_logger().handlers:
        if isinstance(handler, logging.StreamHandler) and isinstance(handler.formatter,
                                                                     JsonFormatter):
            handler.stream = stream  # not setStream(): it flushes the old one, maybe closed
