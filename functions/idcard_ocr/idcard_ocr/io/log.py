"""Structured logging: one JSON object per line, scrubbed of personal data and secrets.

FC ships stdout to Log Service; one line per object makes each upload one searchable record.
The invocation's request id and the object's bucket and key are set once, as log context
(contextvars, so each thread of a backfill keeps its own), and every line carries them.
"""

import contextvars
import json
import logging
import os
import sys
from contextlib import contextmanager
from typing import Dict, Iterator

from ..card.privacy import scrub

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        doc.update(getattr(record, "context", None) or {})
        doc.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            # The type and our own message only: a traceback's locals could hold anything.
            doc["exception"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
        return scrub(json.dumps(doc, ensure_ascii=False, default=str))


class Scrubbed(logging.Filter):
    """For the libraries' own loggers: oss2 logs every error answer at INFO, the requested key
    included, and FC's runtime sends the root logger's lines to Log Service."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), ()
        return True


# The libraries the function uses that log requests or answers.
THIRD_PARTY_LOGGERS = ("oss2", "urllib3", "requests", "mns", "alibabacloud_credentials")


def scrub_third_party_logs() -> None:
    """Put Scrubbed on the libraries' loggers and their modules' (a filter is not inherited:
    oss2 logs from `oss2.api`). Their modules are imported by then."""
    scrubbed = Scrubbed()
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in THIRD_PARTY_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, Scrubbed) for f in logger.filters):
                logger.addFilter(scrubbed)


def get_logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    if not getattr(logger, "_idcard_configured", False):
        scrub_third_party_logs()
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
