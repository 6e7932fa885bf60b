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
from . import crops
from .images import ImageLimits, prepare
from .quality import assess
from .keys import OutputNaming, is_image_key, side_from_name
from .log import log_event
from .ocr import OcrClient
from .messages import encode as encode_message
from .messages import envelope
from .mns import MnsPublisher
from .results import delivered, error_record, is_done, ok_record, receipt, source_info, with_message
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
    deadline: Optional[Deadline] = field(default=None, repr=False)

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
                 deadline: Optional[Deadline] = None, publisher: Optional[MnsPublisher] = None,
                 force: bool = False):
        self.settings = settings
        self.naming = OutputNaming(settings.result_suffix, settings.result_prefix,
                                   settings.crop_prefix)
        self.limits = ImageLimits(settings.image_max_side, settings.image_max_bytes,
                                  settings.image_max_pixels)
        self._store_for = store_for
        self.ocr = ocr
        self.request_id = request_id
        self.deadline = deadline or Deadline(600)
        self.publisher = publisher
        self.force = force  # process even when an ok result for the ETag exists

    def process(self, event: ObjectEvent, deadline: Optional[Deadline] = None) -> Outcome:
        """One object; `deadline` overrides the invocation's (a backfill gives each its own)."""
        outcome = Outcome(bucket=event.bucket, key=event.key, deadline=deadline or self.deadline)
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
            existing = results.read_json(outcome.result_key)
        if self._finish_if_done(results, outcome, existing, event.etag, stage):
            return
        try:
            with stage("read"):
                obj, outcome.key_decoded = source.read_source(event.key,
                                                              self.settings.source_max_bytes)
        except PermanentError as e:
            self._fail(results, outcome, source_info(event.bucket, event.key, event.etag,
                                                     event.size), e, stage)
            return
        if obj is None:
            outcome.reason = "object_gone"
            return
        if outcome.key_decoded:
            log_event(logging.INFO, "key found only after URL-decoding",
                      request_id=self.request_id, bucket=event.bucket, key=obj.key)
            outcome.key = obj.key
            outcome.result_key = self.naming.result_key(obj.key)
            with stage("read"):
                existing = results.read_json(outcome.result_key)
            if self._finish_if_done(results, outcome, existing, obj.etag, stage):
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
            self._fail(results, outcome, source_doc, e, stage)
            return
        outcome.status, outcome.side = "ok", side
        sent = {"format": image.format, "width": image.width, "height": image.height,
                "transformed": image.transformed, "source_format": image.source_format}
        record = ok_record(source_doc, side, answer, sent, self.request_id)
        with stage("assess"):
            self._assess(results, record, image, answer)
        self._deliver(results, outcome, record, stage)

    def _assess(self, results: ObjectStore, record: dict, image, answer: dict) -> None:
        """Quality warnings for every ok result; crops of card and portrait when asked for."""
        picture = image.picture
        if picture is None:  # sent as uploaded: decode it once, here
            import io

            from PIL import Image

            picture = Image.open(io.BytesIO(image.data))
            picture.load()
        region = answer.get("card_region")
        record["quality"] = assess(picture, region,
                                   answer.get("quality_info") if self.settings.quality_info
                                   else None)
        if not self.settings.save_crops:
            return
        key = record["source"]["key"]
        made = {}
        for name, crop, suffix in (
                ("card", crops.card(picture, region), self.settings.crop_card_suffix),
                ("portrait", crops.portrait(picture, region, answer.get("face_rect_vertices"),
                                            answer.get("face_rect")),
                 self.settings.crop_portrait_suffix)):
            if crop is None:
                continue
            crop_key = self.naming.crop_key(key, suffix)
            results.write_bytes(crop_key, crops.jpeg(crop), "image/jpeg",
                                encryption=self.settings.result_encryption,
                                kms_key_id=self.settings.result_kms_key_id)
            made[name] = {"key": crop_key, "width": crop.size[0], "height": crop.size[1]}
        record["crops"] = made

    def _finish_if_done(self, results: ObjectStore, outcome: Outcome, record: Optional[dict],
                        etag: Optional[str], stage) -> bool:
        """True when this object version needs no API call: an ok result for its ETag exists.

        If that result's message was never confirmed (the invocation failed in between), the
        message is sent now from the stored result.
        """
        if self.force or not is_done(record, etag):
            return False
        outcome.reason = "already_done"
        if self.publisher is not None and not delivered(record):
            outcome.reason = "already_done_message_sent"
            outcome.side = record.get("side")
            self._deliver(results, outcome, record, stage, json_written=True)
        return True

    def _fail(self, results: ObjectStore, outcome: Outcome, source_doc: dict,
              error: PermanentError, stage) -> None:
        outcome.status, outcome.reason = "error", error.code
        outcome.result_key = self.naming.result_key(source_doc["key"])
        self._deliver(results, outcome, error_record(source_doc, error.as_dict(),
                                                     self.request_id), stage)

    def _deliver(self, results: ObjectStore, outcome: Outcome, record: dict, stage,
                 json_written: bool = False) -> None:
        """Write the JSON, then send the message, then note the message in the JSON.

        With OUTPUT=mns alone, the JSON is a receipt without personal data, written after the
        message: it is what makes a repeated event free.
        """
        writes_json = self.settings.writes_json
        if writes_json and not json_written:
            with stage("write"):
                self._put(results, outcome.result_key, record)
        if self.publisher is None:
            return
        with stage("publish"):
            body = encode_message(envelope(record, outcome.result_key if writes_json else None,
                                           self.settings.mns_fields))
            message_id = self.publisher.publish(body, outcome.deadline)
        record = with_message(record, message_id, self.publisher.destination)
        with stage("write"):
            self._put(results, outcome.result_key, record if writes_json else receipt(record))

    def _put(self, results: ObjectStore, key: str, record: dict) -> None:
        results.write_json(key, record, encryption=self.settings.result_encryption,
                           kms_key_id=self.settings.result_kms_key_id,
                           metadata={"status": record["status"],
                                     "source-etag": (record.get("source") or {}).get("etag")
                                     or ""})

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
                answer = self.ocr.recognize(image, candidate, outcome.deadline)
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
