"""One OSS object through the whole path: check, read, prepare, recognise, write.

Each object ends in exactly one Outcome and one log line; a PermanentError ends in an error
record, a TransientError propagates (nothing written, so a later retry can still succeed).
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Dict, Optional

from . import errors
from .budget import Deadline
from .config import Settings
from .errors import PermanentError
from .events import ObjectEvent
from .images import ImageLimits, prepare
from .keys import OutputNaming, is_image_key, side_from_name
from .log import log_event
from .ocr import OcrClient
from .results import error_record, is_done, ok_record, source_info
from .storage import ObjectStore

# Answers that mean "this is not the side you asked for": in auto mode, try the other one.
_WRONG_SIDE = (errors.NOT_AN_ID_CARD, errors.RECOGNITION_FAILED)


@dataclass
class Outcome:
    """What happened to one object; becomes its log line and its entry in the handler's summary."""

    bucket: str
    key: str
    status: str = "skipped"          # ok | error | skipped | failed (transient, raised)
    reason: Optional[str] = None     # why skipped, or the error code
    side: Optional[str] = None
    result_key: Optional[str] = None
    bytes_read: int = 0
    bytes_sent: int = 0
    api_calls: int = 0
    key_decoded: bool = False
    ms: Dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in (("key", self.key), ("status", self.status),
                                  ("reason", self.reason), ("side", self.side),
                                  ("result_key", self.result_key)) if v is not None}


@contextmanager
def _timed(into: Dict[str, float], name: str):
    """Adds the block's wall time, in milliseconds, to into[name]."""
    start = time.perf_counter()
    try:
        yield
    finally:
        into[name] = round(into.get(name, 0) + (time.perf_counter() - start) * 1000, 1)


class Pipeline:
    def __init__(self, settings: Settings, store_for: Callable[[str, Optional[str]], ObjectStore],
                 ocr: OcrClient, request_id: Optional[str] = None,
                 deadline: Optional[Deadline] = None):
        self.settings = settings
        self.naming = OutputNaming(settings.result_suffix, settings.result_prefix)
        self.limits = ImageLimits(settings.image_max_side, settings.image_max_bytes,
                                  settings.image_max_pixels)
        self._store_for = store_for
        self.ocr = ocr
        self.request_id = request_id
        self.deadline = deadline or Deadline(600)

    def process(self, event: ObjectEvent) -> Outcome:
        outcome = Outcome(bucket=event.bucket, key=event.key)
        try:
            self._process(event, outcome)
        except errors.TransientError as e:
            outcome.status, outcome.reason = "failed", e.code
            self._log(outcome, logging.WARNING, e)
            raise
        except Exception as e:
            outcome.status, outcome.reason = "failed", type(e).__name__
            self._log(outcome, logging.ERROR, e)
            raise
        self._log(outcome, logging.INFO)
        return outcome

    def _process(self, event: ObjectEvent, outcome: Outcome) -> None:
        skip = self._skip_reason(event)
        if skip:
            outcome.reason = skip
            return
        stage = partial(_timed, outcome.ms)
        source = self._store_for(event.bucket, event.region)
        results = self._results_store(source, event.region)
        with stage("read"):
            outcome.result_key = self.naming.result_key(event.key)
            if is_done(results.read_json(outcome.result_key), event.etag):
                outcome.reason = "already_done"
                return
            try:
                obj, outcome.key_decoded = source.read_source(event.key,
                                                              self.settings.source_max_bytes)
            except PermanentError as e:
                self._write_error(results, outcome, source_info(event.bucket, event.key,
                                                                event.etag, event.size), e, stage)
                return
            if obj is None:
                outcome.reason = "object_gone"
                return
            if outcome.key_decoded:
                log_event(logging.INFO, "key found only after URL-decoding",
                          request_id=self.request_id, bucket=event.bucket, key=obj.key)
                outcome.key = obj.key
                outcome.result_key = self.naming.result_key(obj.key)
                if is_done(results.read_json(outcome.result_key), obj.etag):
                    outcome.reason = "already_done"
                    return
            outcome.bytes_read = obj.size
        source_doc = source_info(event.bucket, obj.key, obj.etag, obj.size)
        try:
            with stage("prepare"):
                image = prepare(obj.data, self.limits)
            outcome.bytes_sent = len(image.data)
            with stage("ocr"):
                side, answer = self._recognize(image.data, obj.key, outcome)
        except PermanentError as e:
            self._write_error(results, outcome, source_doc, e, stage)
            return
        outcome.status, outcome.side = "ok", side
        with stage("write"):
            sent = {"format": image.format, "width": image.width, "height": image.height,
                    "transformed": image.transformed, "source_format": image.source_format}
            record = ok_record(source_doc, side, answer, sent, self.request_id)
            results.write_json(outcome.result_key, record, **self._write_options("ok", obj.etag))

    def _skip_reason(self, event: ObjectEvent) -> Optional[str]:
        if not event.is_finished_object:
            return "not_a_finished_object_event"
        if self.naming.is_output(event.key):
            return "own_output"
        if not is_image_key(event.key):
            return "not_an_image_key"
        return None

    def _recognize(self, image: bytes, key: str, outcome: Outcome):
        side = self.settings.card_side
        if side == "auto":
            side = side_from_name(key) or "auto"
        candidates = ("face", "back") if side == "auto" else (side,)
        for i, candidate in enumerate(candidates):
            try:
                answer = self.ocr.recognize(image, candidate, self.deadline)
                return candidate, answer
            except PermanentError as e:
                if i + 1 == len(candidates) or e.code not in _WRONG_SIDE:
                    raise
            finally:
                outcome.api_calls += self.ocr.attempts
        raise AssertionError("unreachable")

    def _results_store(self, source: ObjectStore, region: Optional[str]) -> ObjectStore:
        if self.settings.result_bucket and self.settings.result_bucket != source.name:
            return self._store_for(self.settings.result_bucket, region)
        return source

    def _write_error(self, results: ObjectStore, outcome: Outcome, source_doc: dict,
                     error: PermanentError, stage) -> None:
        outcome.status, outcome.reason = "error", error.code
        outcome.result_key = self.naming.result_key(source_doc["key"])
        with stage("write"):
            record = error_record(source_doc, error.as_dict(), self.request_id)
            results.write_json(outcome.result_key, record,
                               **self._write_options("error", source_doc["etag"]))

    def _write_options(self, status: str, etag: Optional[str]) -> dict:
        return {"encryption": self.settings.result_encryption,
                "kms_key_id": self.settings.result_kms_key_id,
                "metadata": {"status": status, "source-etag": etag or ""}}

    def _log(self, outcome: Outcome, level: int, error: Optional[BaseException] = None) -> None:
        fields = {
            "request_id": self.request_id, "bucket": outcome.bucket, "key": outcome.key,
            "side": outcome.side, "status": outcome.status, "reason": outcome.reason,
            "result_key": outcome.result_key, "bytes_read": outcome.bytes_read,
            "bytes_sent": outcome.bytes_sent, "api_calls": outcome.api_calls, "ms": outcome.ms,
        }
        if outcome.key_decoded:
            fields["key_decoded"] = True
        if error is not None:
            fields["error"] = str(error) if isinstance(error, errors.IdcardOcrError) \
                else type(error).__name__
        log_event(level, "object " + outcome.status, **fields)
