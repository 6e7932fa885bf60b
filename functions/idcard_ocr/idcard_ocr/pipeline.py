"""One photo through the whole path: skip or not, done or not, read, prepare, recognise, deliver.

Orchestration only: each step is a collaborator chosen by the composition root (app.py). Each
object ends in exactly one Outcome and one log line; a PermanentError ends in an error record,
a TransientError propagates (nothing that blocks a retry is written).
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence

from .card.documents import Standing, Verdict, error_record, ok_record, receipt, source_info
from .card.keys import skip_reason
from .errors import IdcardOcrError, PermanentError, TransientError, VersionReplaced
from .imaging import ImageLimits, PreparedImage, crops, prepare, quality
from .io.events import ObjectEvent
from .io.log import log_context, log_event
from .io.oss import StoredObject
from .io.results import ResultStore
from .io.retry import Deadline
from .io.seams import Output, PhotoStore, Recognizer
from .payonce import Clock, Finished, PayOnce, PhotoVersion, SystemClock, Ticket, new_holder
from .recognition import Ledger, Purchases, read_card, sides_to_try


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
    recognized_by: Optional[str] = None  # engine | api (card/vouching.py), when recognised here
    key_decoded: bool = False
    kept_answer: bool = False        # used answers an earlier, failed invocation paid for
    foreign_result: bool = False     # a result object we did not sign was there (overwritten)
    ms: Dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in (("key", self.key), ("status", self.status),
                                  ("reason", self.reason), ("side", self.side),
                                  ("result_key", self.result_key),
                                  ("recognized_by", self.recognized_by)) if v is not None}


@dataclass(frozen=True)
class PipelineOptions:
    card_side: str = "auto"
    limits: ImageLimits = ImageLimits()
    source_max_bytes: int = 50 * 1024 * 1024
    keeps_full_results: bool = True   # False: OSS keeps a receipt, the data goes to the outputs
    save_crops: bool = False
    quality_info: bool = False
    force: bool = False               # process even when an ok result for the version exists


@dataclass
class _Job:
    """One object's way through the pipeline: what every step reads and adds to."""

    event: ObjectEvent
    outcome: Outcome
    deadline: Deadline
    results: ResultStore
    photos: PhotoStore
    timed: "_Stopwatch"
    record: Optional[dict] = None   # the finished record as far as it got (outputs' receipts
    #                                 included): kept in the claim if it cannot be written


class Pipeline:
    def __init__(self, sources: Callable[[str], PhotoStore],
                 results: Callable[[str], ResultStore], recognizer: Recognizer,
                 outputs: Sequence[Output] = (), options: PipelineOptions = PipelineOptions(),
                 request_id: Optional[str] = None, clock: Clock = SystemClock()):
        self._sources = sources
        self._results = results
        self.recognizer = recognizer
        self.outputs = tuple(outputs)
        self.options = options
        self.request_id = request_id
        self.clock = clock

    def process(self, event: ObjectEvent, deadline: Deadline) -> Outcome:
        outcome = Outcome(bucket=event.bucket, key=event.key)
        with log_context(bucket=event.bucket):
            try:
                reason = self._skip_reason(event)
                if reason:
                    outcome.reason = reason
                else:
                    self._process(_Job(event, outcome, deadline, self._results(event.bucket),
                                       self._sources(event.bucket), _Stopwatch(outcome.ms)))
            except TransientError as e:
                outcome.status, outcome.reason = "failed", e.code
                self._log(outcome, logging.WARNING, e)
                raise
            except Exception as e:
                outcome.status = "failed"
                outcome.reason = _code(e)
                self._log(outcome, logging.ERROR, e)
                raise
            self._log(outcome, logging.INFO)
        return outcome

    def _process(self, job: _Job) -> None:
        event, outcome = job.event, job.outcome
        outcome.result_key = job.results.key_for(event.key)
        if self._settled(job, self._look(job, event.key, event.etag)):
            return
        try:
            with job.timed("read"):
                obj, outcome.key_decoded = job.photos.read_source(
                    event.key, self.options.source_max_bytes, job.deadline)
        except PermanentError as e:
            source = source_info(event.bucket, event.key, event.etag, event.size)
            outcome.status, outcome.reason = "error", e.code
            self._deliver(job, error_record(source, e.as_dict(), self.request_id))
            return
        if obj is None:
            outcome.reason = "object_gone"
            return
        outcome.bytes_read = obj.size
        if outcome.key_decoded:
            log_event(logging.INFO, "key found only after URL-decoding", key=obj.key)
            outcome.key, outcome.result_key = obj.key, job.results.key_for(obj.key)
        if event.etag and obj.etag and obj.etag != event.etag:
            outcome.reason = "superseded"  # a newer version is there; its own event reads it
            return
        if (outcome.key_decoded or not event.etag) and \
                self._settled(job, self._look(job, obj.key, obj.etag)):
            return
        self._recognise_once(job, obj)

    def _recognise_once(self, job: _Job, obj: StoredObject) -> None:
        """Claim the version (payonce), then finish it with what is already there: a record an
        output received, a stored result an output still misses, the answers already bought;
        and buy only what is missing.

        Concurrent deliveries of one event make one API call per side, and send one message
        per output; every answer is kept in the claim as soon as it is bought, so a retry goes
        on from there.
        """
        if not obj.etag:  # nothing names the version: no claim can cover it
            self._deliver(job, self._record(job, obj, Purchases()))
            return
        version = PhotoVersion(job.event.bucket, obj.key, obj.etag)
        with job.timed("claim"):
            claimed = PayOnce(job.results, self.clock).acquire(
                version, new_holder(self.request_id), job.deadline,
                settled=None if self.options.force else self._is_settled)
        if isinstance(claimed, Finished):
            self._settled(job, claimed.standing)
            return
        try:
            # A new upload since our read makes this version's purchase pointless, and its
            # first result may since have been replaced by the new version's (I1, I3).
            if self._replaced(job, obj.key, obj.etag):
                self._settle(claimed, keep=True)
                return
            job.outcome.kept_answer = claimed.taken_over and bool(claimed.answers)
            stored = claimed.standing
            if claimed.kept_record is not None:  # built and paid for; writing it had failed
                self._finish_kept(job, claimed.kept_record)
            elif stored is not None and stored.final:  # an output still misses the result
                self._finish_stored(job, stored)
            else:
                job.record = self._record(job, obj, claimed)
                self._deliver(job, job.record)
        except BaseException:
            self._settle(claimed, keep=True, finished=job.record)
            raise
        # Replaced or deleted before the write: what was bought stays in the claim, for the
        # same bytes uploaded again (the same ETag is the same version).
        self._settle(claimed, keep=job.outcome.reason in ("superseded", "object_gone"))

    def _finish_kept(self, job: _Job, record: dict) -> None:
        outcome = job.outcome
        outcome.kept_answer = True
        outcome.status, outcome.side = record.get("status", "ok"), record.get("side")
        outcome.reason = (record.get("error") or {}).get("code")
        outcome.recognized_by = record.get("recognized_by")
        self._deliver(job, record, saved=True)

    def _settle(self, ticket: Ticket, keep: bool, finished: Optional[dict] = None) -> None:
        try:
            ticket.abandon(finished) if keep else ticket.release()
        except Exception as e:  # noqa: BLE001 - the claim expires on its own; a retry takes over
            code = _code(e)
            log_event(logging.WARNING, "claim not settled", key=ticket.version.key, error=code)

    def _record(self, job: _Job, obj: StoredObject, ledger: Ledger) -> dict:
        """The ok record for the photo, or the error record of a permanent failure."""
        outcome = job.outcome
        source = source_info(job.event.bucket, obj.key, obj.etag, obj.size)
        try:
            with job.timed("prepare"):
                image = prepare(obj.data, self.options.limits)
            outcome.bytes_sent = len(image.data)
            with job.timed("ocr"):
                try:
                    reading = read_card(self.recognizer, image.data,
                                        sides_to_try(self.options.card_side, obj.key),
                                        job.deadline, ledger,
                                        both=self.options.card_side == "auto")
                except IdcardOcrError as e:
                    outcome.api_calls = e.attempts
                    raise
        except PermanentError as e:
            outcome.status, outcome.reason = "error", e.code
            return error_record(source, e.as_dict(), self.request_id)
        outcome.status, outcome.side = "ok", reading.side
        outcome.api_calls = reading.attempts
        outcome.kept_answer = outcome.kept_answer or reading.reused
        record = ok_record(source, reading.side, reading.answer, _seen(image),
                           self.request_id, others=reading.others, missing=reading.missing)
        outcome.recognized_by = record["recognized_by"]
        with job.timed("assess"):
            self._assess(job, record, obj.key, image, reading.answer, reading.others)
        return record

    def _assess(self, job: _Job, record: dict, key: str, image: PreparedImage,
                answer: dict, others: Optional[Dict[str, dict]] = None) -> None:
        """Quality warnings and crops: what they cost is never worth a paid answer, so a
        failure here leaves them out of the record (and says so) instead of failing it.

        `others`: the answers for the other sides of a sheet; where they found their side is
        the same card, not a second one."""
        try:
            picture = image.decoded()
            record["quality"] = quality.assess(
                picture, answer.get("card_region"),
                answer.get("quality_info") if self.options.quality_info else None,
                side=record.get("side"),
                other_regions=[other.get("card_region") for other in (others or {}).values()
                               if isinstance(other, dict)])
            if self.options.save_crops:
                record["crops"] = self._save_crops(job, key, picture, answer)
        except Exception as e:  # noqa: BLE001 - see above
            code = _code(e)
            record.setdefault("quality", None)
            record["assessment_error"] = code
            log_event(logging.WARNING, "quality or crops left out", key=key, error=code)

    def _save_crops(self, job: _Job, key: str, picture, answer: dict) -> dict:
        location = job.results.location
        suffixes = {"card": location.crop_card_suffix,
                    "portrait": location.crop_portrait_suffix}
        saved = {}
        for name, crop in crops.cut(picture, answer).items():
            crop_key = job.results.save_crop(key, suffixes[name], crops.jpeg(crop), job.deadline)
            saved[name] = {"key": crop_key, "width": crop.size[0], "height": crop.size[1]}
        return saved

    def _look(self, job: _Job, key: str, etag: Optional[str]) -> Optional[Standing]:
        """The stored result for this version (None when forced: a forced run pays again)."""
        if self.options.force:
            return None
        with job.timed("read"):
            standing = job.results.standing(key, etag, job.deadline)
        job.outcome.foreign_result = job.outcome.foreign_result or standing.foreign
        return standing

    def _is_settled(self, standing: Standing) -> bool:
        """Nothing left to do for the version: its result settles it (ok, or an error the
        API's answer gave) and every output has it."""
        return standing.final and all(o.delivered(standing.document) for o in self.outputs)

    def _settled(self, job: _Job, standing: Optional[Standing]) -> bool:
        """True (and the outcome says so) when the version is settled: nothing to do."""
        if standing is None or not self._is_settled(standing):
            return False
        job.outcome.reason = "already_done" if standing.verdict is Verdict.DONE \
            else "already_failed"
        return True

    def _finish_stored(self, job: _Job, standing: Standing) -> None:
        """Send a stored result to the outputs that miss it (its writer failed in between)."""
        done = "already_done" if standing.verdict is Verdict.DONE else "already_failed"
        job.outcome.reason, job.outcome.side = f"{done}_delivered", standing.document.get("side")
        self._deliver(job, standing.document, saved=True)

    def _deliver(self, job: _Job, record: dict, saved: bool = False) -> None:
        """Write the result, send it to the outputs, then note what they returned in it.

        When the result object keeps the full record it is written first, so a consumer told by
        an output can fetch it at once. Otherwise (e.g. OUTPUT=mns) a receipt without personal
        data is written after the outputs: it is what keeps a repeated event from billing twice.
        Every write is preceded by a look at the photo: a version replaced in the meantime
        never overwrites the newer one's result.
        """
        key = job.results.key_for(record["source"]["key"])
        keeps_full = self.options.keeps_full_results
        pending = [o for o in self.outputs if not (saved and o.delivered(record))]
        if keeps_full and pending and not saved:
            if not self._save(job, record):
                return
        for output in pending:
            with job.timed("publish"):
                record = output.deliver(record, key, job.deadline)
            job.record = record
        self._save(job, record if keeps_full else receipt(record))

    def _save(self, job: _Job, record: dict) -> bool:
        """Write the record if it still describes the photo's current version (I2), looked at
        before each attempt of the write, retries included. OSS has no compare-and-swap: a new
        upload landing between that look and the attempt is the one window left
        (docs/guarantees.md)."""
        source = record["source"]

        def still_current() -> None:
            if self._replaced(job, source["key"], source.get("etag")):
                raise VersionReplaced(gone=job.outcome.reason == "object_gone")
        with job.timed("write"):
            try:
                job.results.save(record, job.deadline, before_attempt=still_current)
            except VersionReplaced:
                return False
        return True

    def _replaced(self, job: _Job, key: str, etag: Optional[str]) -> bool:
        """True (and the outcome says why) when the photo is no longer the version `etag`."""
        current = job.photos.head(key, job.deadline)
        if current is not None and (not etag or not current.etag or
                                    current.etag.upper() == str(etag).upper()):
            return False
        job.outcome.status = "skipped"
        job.outcome.reason = "superseded" if current is not None else "object_gone"
        return True

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
        if outcome.recognized_by:
            fields["recognized_by"] = outcome.recognized_by
        for flag in ("key_decoded", "kept_answer", "foreign_result"):
            if getattr(outcome, flag):
                fields[flag] = True
        if error is not None:
            fields["error"] = str(error) if isinstance(error, IdcardOcrError) \
                else type(error).__name__
        log_event(level, "object " + outcome.status, **fields)


def _code(error: BaseException) -> str:
    """What a log line calls a failure: our error's code, or the exception's type."""
    return error.code if isinstance(error, IdcardOcrError) else type(error).__name__


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
