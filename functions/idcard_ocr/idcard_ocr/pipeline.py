"""One photo through the whole path: skip or not, done or not, read, prepare, recognise, deliver.

Orchestration only: each step is a collaborator chosen by the composition root (app.py). Each
object ends in exactly one Outcome and one log line; a PermanentError ends in an error record,
a TransientError propagates (nothing that blocks a retry is written).
"""

import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence

from .card.documents import error_record, ok_record, receipt, source_info
from .errors import IdcardOcrError, PermanentError, TransientError
from .imaging import ImageLimits, PreparedImage, crops, prepare, quality
from .io.events import ObjectEvent
from .io.keys import skip_reason
from .io.log import log_context, log_event
from .io.oss import StoredObject
from .io.results import Claimed, ResultStore, Verdict
from .io.retry import Deadline
from .io.seams import Output, PhotoStore, Recognizer
from .recognition import read_card, sides_to_try


# Claims: how long past our own deadline a claim stays valid (then a retry may take it over),
# how long a duplicate delivery waits for the holder, and how often it looks.
CLAIM_MARGIN_S = 30.0
CLAIM_WAIT_S = 20.0
CLAIM_POLL_S = 0.5
SETTLE_S = 2.0  # inside the 3 s the invocation's deadline keeps back
_FINISHED_ELSEWHERE = object()


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
    kept_answer: bool = False        # delivered what an earlier, failed invocation paid for
    ms: Dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in (("key", self.key), ("status", self.status),
                                  ("reason", self.reason), ("side", self.side),
                                  ("result_key", self.result_key)) if v is not None}


@dataclass(frozen=True)
class PipelineOptions:
    card_side: str = "auto"
    limits: ImageLimits = ImageLimits()
    source_max_bytes: int = 50 * 1024 * 1024
    keeps_full_results: bool = True   # False: OSS keeps a receipt, the data goes to the outputs
    save_crops: bool = False
    quality_info: bool = False
    force: bool = False               # process even when an ok result for the version exists


class Pipeline:
    def __init__(self, sources: Callable[[str], PhotoStore],
                 results: Callable[[str], ResultStore], recognizer: Recognizer,
                 outputs: Sequence[Output] = (), options: PipelineOptions = PipelineOptions(),
                 request_id: Optional[str] = None):
        self._sources = sources
        self._results = results
        self.recognizer = recognizer
        self.outputs = tuple(outputs)
        self.options = options
        self.request_id = request_id

    def process(self, event: ObjectEvent, deadline: Deadline) -> Outcome:
        outcome = Outcome(bucket=event.bucket, key=event.key)
        with log_context(bucket=event.bucket):
            try:
                self._process(event, outcome, deadline)
            except TransientError as e:
                outcome.status, outcome.reason = "failed", e.code
                self._log(outcome, logging.WARNING, e)
                raise
            except Exception as e:
                outcome.status = "failed"
                outcome.reason = e.code if isinstance(e, IdcardOcrError) else type(e).__name__
                self._log(outcome, logging.ERROR, e)
                raise
            self._log(outcome, logging.INFO)
        return outcome

    def _process(self, event: ObjectEvent, outcome: Outcome, deadline: Deadline) -> None:
        reason = self._skip_reason(event)
        if reason:
            outcome.reason = reason
            return
        timed = _Stopwatch(outcome.ms)
        results = self._results(event.bucket)
        outcome.result_key = results.key_for(event.key)
        if self._finished(results, event.key, event.etag, outcome, timed, deadline):
            return
        try:
            with timed("read"):
                obj, outcome.key_decoded = self._sources(event.bucket).read_source(
                    event.key, self.options.source_max_bytes, deadline)
        except PermanentError as e:
            source = source_info(event.bucket, event.key, event.etag, event.size)
            self._fail(results, source, e, outcome, timed, deadline)
            return
        if obj is None:
            outcome.reason = "object_gone"
            return
        outcome.bytes_read = obj.size
        if outcome.key_decoded:
            log_event(logging.INFO, "key found only after URL-decoding", key=obj.key)
            outcome.key, outcome.result_key = obj.key, results.key_for(obj.key)
        if event.etag and obj.etag and obj.etag != event.etag:
            outcome.reason = "superseded"  # a newer version is there; its own event reads it
            return
        if (outcome.key_decoded or not event.etag) and \
                self._finished(results, obj.key, obj.etag, outcome, timed, deadline):
            return
        self._recognise_once(results, event.bucket, obj, outcome, timed, deadline)

    def _recognise_once(self, results: ResultStore, bucket: str, obj: StoredObject,
                        outcome: Outcome, timed, deadline: Deadline) -> None:
        """Claim the version, recognise it (or deliver what a failed holder kept), deliver.

        Concurrent deliveries of one event make one API call. Whatever was paid for and not
        delivered (a finished record, or the answers of the sides already read) is kept in the
        claim when the invocation fails, so FC's retry goes on from there without paying again.
        """
        holder = f"{self.request_id or 'local'}/{uuid.uuid4().hex[:8]}"
        with timed("claim"):
            kept = self._claim(results, obj, holder, outcome, deadline)
        if kept is _FINISHED_ELSEWHERE:
            return
        kept = kept or {}
        record = kept.get("record") if isinstance(kept.get("record"), dict) else None
        paid = dict(kept.get("answers") or {}) if record is None else {}
        try:
            if record is None:
                record = self._record(results, bucket, obj, outcome, timed, deadline, paid)
            else:
                outcome.kept_answer = True
                outcome.status = record.get("status", "ok")
                outcome.side = record.get("side")
                outcome.reason = (record.get("error") or {}).get("code")
            self._deliver(results, record, outcome, timed, deadline)
        except Exception:
            keep = {"record": record} if record is not None else \
                ({"answers": paid} if paid else None)
            self._settle_claim(results, obj.key, keep, holder)
            raise
        self._settle_claim(results, obj.key, None, holder)

    def _claim(self, results: ResultStore, obj: StoredObject, holder: str, outcome: Outcome,
               deadline: Deadline):
        """None or what a failed holder kept, when the claim is ours; _FINISHED_ELSEWHERE when
        the holder we waited for finished. Raises Claimed when the holder outlasts our wait."""
        if not obj.etag:
            return None
        wait_until = time.monotonic() + min(CLAIM_WAIT_S, max(0.0, deadline.remaining() - 2))
        while True:
            try:
                return results.claim(obj.key, obj.etag, holder,
                                     deadline.remaining() + CLAIM_MARGIN_S, deadline)
            except Claimed:
                if time.monotonic() >= wait_until:
                    raise
            time.sleep(CLAIM_POLL_S)
            if results.standing(obj.key, obj.etag, deadline).verdict is Verdict.DONE:
                outcome.reason = "already_done"
                return _FINISHED_ELSEWHERE

    def _settle_claim(self, results: ResultStore, key: str, kept: Optional[dict],
                      holder: str) -> None:
        """Keep what was paid for in the claim, for the retry; or release the claim."""
        try:
            if kept is not None:
                results.keep(key, kept, holder, Deadline(SETTLE_S))
            else:
                results.release(key, holder, Deadline(SETTLE_S))
        except Exception as e:  # noqa: BLE001 - the claim expires on its own; a retry takes over
            code = e.code if isinstance(e, IdcardOcrError) else type(e).__name__
            log_event(logging.WARNING, "claim not settled", key=key, error=code)

    def _record(self, results: ResultStore, bucket: str, obj: StoredObject, outcome: Outcome,
                timed, deadline: Deadline, paid: Dict[str, Optional[dict]]) -> dict:
        """The ok record for the photo, or the error record of a permanent failure. `paid`
        holds the answers bought so far (from a kept claim); it gains every answer bought
        here, so that a failure can keep them."""
        source = source_info(bucket, obj.key, obj.etag, obj.size)
        try:
            with timed("prepare"):
                image = prepare(obj.data, self.options.limits)
            outcome.bytes_sent = len(image.data)
            with timed("ocr"):
                try:
                    reading = read_card(self.recognizer, image.data,
                                        sides_to_try(self.options.card_side, obj.key), deadline,
                                        both=self.options.card_side == "auto", known=paid)
                except IdcardOcrError as e:
                    outcome.api_calls = e.attempts
                    paid.update(getattr(e, "paid", {}))
                    raise
        except PermanentError as e:
            outcome.status, outcome.reason = "error", e.code
            return error_record(source, e.as_dict(), self.request_id)
        outcome.status, outcome.side = "ok", reading.side
        outcome.api_calls = reading.attempts
        outcome.kept_answer = reading.reused
        paid.update(reading.paid)
        record = ok_record(source, reading.side, reading.answer, _seen(image),
                           self.request_id, others=reading.others)
        with timed("assess"):
            self._assess(results, record, obj.key, image, reading.answer, deadline)
        return record

    def _assess(self, results: ResultStore, record: dict, key: str, image: PreparedImage,
                answer: dict, deadline: Deadline) -> None:
        """Quality warnings and crops: what they cost is never worth a paid answer, so a
        failure here leaves them out of the record (and says so) instead of failing it."""
        try:
            picture = image.decoded()
            record["quality"] = quality.assess(
                picture, answer.get("card_region"),
                answer.get("quality_info") if self.options.quality_info else None)
            if self.options.save_crops:
                record["crops"] = self._save_crops(results, key, picture, answer, deadline)
        except Exception as e:  # noqa: BLE001 - see above
            code = e.code if isinstance(e, IdcardOcrError) else type(e).__name__
            record.setdefault("quality", None)
            record["assessment_error"] = code
            log_event(logging.WARNING, "quality or crops left out", key=key, error=code)

    def _save_crops(self, results: ResultStore, key: str, picture, answer: dict,
                    deadline: Deadline) -> dict:
        suffixes = {"card": results.location.crop_card_suffix,
                    "portrait": results.location.crop_portrait_suffix}
        saved = {}
        for name, crop in crops.cut(picture, answer).items():
            crop_key = results.save_crop(key, suffixes[name], crops.jpeg(crop), deadline)
            saved[name] = {"key": crop_key, "width": crop.size[0], "height": crop.size[1]}
        return saved

    def _finished(self, results: ResultStore, key: str, etag: Optional[str], outcome: Outcome,
                  timed, deadline: Deadline) -> bool:
        """True when this version needs no API call: an ok result for it exists.

        A result that has not reached every output yet (the invocation failed in between) is
        delivered now, from the stored record.
        """
        if self.options.force:
            return False
        with timed("read"):
            standing = results.standing(key, etag, deadline)
        if standing.verdict is not Verdict.DONE:
            return False
        stored = standing.document
        if all(output.delivered(stored) for output in self.outputs):
            outcome.reason = "already_done"
            return True
        outcome.reason, outcome.side = "already_done_delivered", stored.get("side")
        self._deliver(results, stored, outcome, timed, deadline, saved=True)
        return True

    def _fail(self, results: ResultStore, source: dict, error: PermanentError,
              outcome: Outcome, timed, deadline: Deadline) -> None:
        outcome.status, outcome.reason = "error", error.code
        outcome.result_key = results.key_for(source["key"])
        self._deliver(results, error_record(source, error.as_dict(), self.request_id),
                      outcome, timed, deadline)

    def _deliver(self, results: ResultStore, record: dict, outcome: Outcome, timed,
                 deadline: Deadline, saved: bool = False) -> None:
        """Write the result, send it to the outputs, then note what they returned in it.

        When the result object keeps the full record it is written first, so a consumer told by
        an output can fetch it at once. Otherwise (e.g. OUTPUT=mns) a receipt without personal
        data is written after the outputs: it is what keeps a repeated event from billing twice.
        """
        key = results.key_for(record["source"]["key"])
        keeps_full = self.options.keeps_full_results
        pending = [o for o in self.outputs if not (saved and o.delivered(record))]
        if keeps_full and pending and not saved:
            with timed("write"):
                results.save(record, deadline)
        for output in pending:
            with timed("publish"):
                record = output.deliver(record, key, deadline)
        with timed("write"):
            results.save(record if keeps_full else receipt(record), deadline)

    def _skip_reason(self, event: ObjectEvent) -> Optional[str]:
        if not event.is_finished_object:
            return "not_a_finished_object_event"
        return skip_reason(event.key, self._results(event.bucket).location)

    def _log(self, outcome: Outcome, level: int, error: Optional[BaseException] = None) -> None:
        fields = {
            "key": outcome.key, "side": outcome.side, "status": outcome.status,
            "reason": outcome.reason, "result_key": outcome.result_key,
            "bytes_read": outcome.bytes_read, "bytes_sent": outcome.bytes_sent,
            "api_calls": outcome.api_calls, "ms": outcome.ms,
        }
        if outcome.key_decoded:
            fields["key_decoded"] = True
        if outcome.kept_answer:
            fields["kept_answer"] = True
        if error is not None:
            fields["error"] = str(error) if isinstance(error, IdcardOcrError) \
                else type(error).__name__
        log_event(level, "object " + outcome.status, **fields)


def _seen(image: PreparedImage) -> dict:
    """The picture the recognizer saw: its coordinates are in these pixels."""
    return {"format": image.format, "width": image.width, "height": image.height,
            "transformed": image.transformed, "source_format": image.source_format}


class _Stopwatch:
    """Adds each block's wall time, in milliseconds, to its stage in `into`."""

    def __init__(self, into: Dict[str, float]):
        self._into = into

    @contextmanager
    def __call__(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self._into[stage] = round(self._into.get(stage, 0)
                                      + (time.perf_counter() - start) * 1000, 1)
