"""What the console does in the background: counting the rows, and reprocessing photos.

Reprocessing goes through backfill.run, the code `idcard-ocr backfill` runs: `local(pipeline)`
in this process or an Invoker (asynchronous invocations of the deployed function), with
force on, so a photo that already has a result is recognised again. One set at a time.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Optional

from ...errors import IdcardOcrError
from ...io.events import ObjectEvent
from ...io.oss import ObjectInfo
from .. import backfill
from .catalog import Catalog, Filter, Row


@dataclass
class Counts:
    """Rows per status so far; `finished` once the whole listing has been read."""

    by_label: Counter = field(default_factory=Counter)
    by_warning: Counter = field(default_factory=Counter)
    reviewed: int = 0
    needs_review: int = 0
    rows: int = 0
    started: float = field(default_factory=time.time)
    finished: bool = False
    failed: Optional[str] = None

    def add(self, row: Row, times: int = 1) -> None:
        """Count `row` (times=-1: take it back out)."""
        self.by_label[row.label] += times
        self.by_warning.update({name: times for name in set(row.warnings)})
        self.rows += times
        self.reviewed += times * row.reviewed
        self.needs_review += times * row.needs_review

    @property
    def by_status(self) -> Counter:
        out = Counter()
        for name, n in self.by_label.items():
            out[Row.status_of(name)] += n
        return out

    @property
    def by_error(self) -> Counter:
        return Counter({name.split(":", 1)[1]: n for name, n in self.by_label.items()
                        if name.startswith("error:")})


class Counting:
    """Counts every row in a thread of its own; the first page never waits for it.

    A review or a reprocessed photo revises the counts at once (`revise`): a row already
    counted is taken out and counted again as it is now; a row the running count has not
    reached yet is counted as it is now when it gets there.
    """

    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._lock = threading.Lock()
        self._counts = Counts()
        self._generation = 0
        self._counted_to: Optional[str] = None   # the last key the running count took
        self._revised: Dict[str, Row] = {}       # rows changed ahead of the running count
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        """Count again from the start (a count already running is abandoned)."""
        with self._lock:
            self._generation += 1
            generation, self._counts = self._generation, Counts()
            self._counted_to, self._revised = None, {}
        self._thread = threading.Thread(target=self._count, args=(generation,), daemon=True,
                                        name="review-count")
        self._thread.start()

    def ensure_started(self) -> None:
        if self._thread is None:
            self.start()

    @property
    def counts(self) -> Counts:
        with self._lock:
            return self._counts

    def revise(self, before: Row, after: Row) -> None:
        """The row of one photo changed (reviewed, reprocessed): count it as it is now."""
        with self._lock:
            counts = self._counts
            if counts.finished or (self._counted_to is not None
                                   and before.key <= self._counted_to):
                counts.add(before, -1)
                counts.add(after)
            elif self._thread is not None:
                self._revised[after.key] = after

    def _count(self, generation: int) -> None:
        counts = Counts()
        try:
            for row in self._catalog.rows(Filter()):
                with self._lock:
                    if generation != self._generation:
                        return
                    counts.add(self._revised.pop(row.key, row))
                    self._counted_to = row.key
                    self._counts = counts
        except IdcardOcrError as e:
            counts.failed = e.code
        except Exception as e:  # noqa: BLE001 - the page shows that counting stopped
            counts.failed = type(e).__name__
        with self._lock:
            if generation == self._generation:
                counts.finished = True
                self._counts = counts


@dataclass
class Job:
    """One reprocessing run: what it covers, and backfill's report as it goes."""

    description: str
    operator: str
    report: backfill.Report = field(default_factory=backfill.Report)
    started: float = field(default_factory=time.time)
    finished: bool = False
    failed: Optional[str] = None


class Reprocessor:
    """Reprocess one photo now, or a set of them in the background, through backfill.run."""

    def __init__(self, catalog: Catalog, process: Callable[[ObjectEvent], str],
                 region: Optional[str], concurrency: int = 4, qps: Optional[float] = None,
                 on_finished: Callable[[], None] = lambda: None):
        self._catalog = catalog
        self._process = process
        self._region = region
        self._concurrency = concurrency
        self._qps = qps
        self._on_finished = on_finished
        self._lock = threading.Lock()
        self.job: Optional[Job] = None

    def one(self, info: ObjectInfo) -> backfill.Report:
        """Reprocess one photo in this thread; returns backfill's report (done: its status)."""
        return self._run([info], 1)

    def start(self, photos: Iterable[ObjectInfo], description: str, operator: str
              ) -> Optional[Job]:
        """Start reprocessing `photos` in the background; None when a job is still running."""
        with self._lock:
            if self.job is not None and not self.job.finished:
                return None
            job = self.job = Job(description, operator)
        threading.Thread(target=self._background, args=(job, photos), daemon=True,
                         name="review-reprocess").start()
        return job

    def _background(self, job: Job, photos: Iterable[ObjectInfo]) -> None:
        try:
            job.report = self._run(photos, self._concurrency,
                                   lambda current: setattr(job, "report", current))
        except IdcardOcrError as e:
            job.failed = e.code
        except Exception as e:  # noqa: BLE001 - the job's page says it stopped
            job.failed = type(e).__name__
        finally:
            job.finished = True
            self._on_finished()

    def _run(self, photos: Iterable[ObjectInfo], concurrency: int,
             progress: Optional[Callable[[backfill.Report], None]] = None) -> backfill.Report:
        plan = backfill.Plan(self._catalog.prefix, concurrency, self._qps, force=True)
        return backfill.run(self._catalog.photos, self._catalog.results, self._process,
                            self._region, plan, progress=progress, listing=photos)
