"""The pipeline's declared seams: what reads a card, and where a finished result goes.

The composition root (app.py) picks an implementation of each from the settings; the pipeline
knows only these protocols. Implementations hold no per-call state, so one instance serves
every thread of a backfill.
"""

from dataclasses import dataclass
from typing import Any, Optional, Protocol, Tuple, runtime_checkable

from .retry import Deadline

SIDES = ("face", "back")


@dataclass(frozen=True)
class Recognition:
    """One side's answer, as the marketplace API shapes it, and what it cost."""

    answer: dict
    attempts: int  # billable calls made for it, retries included


@runtime_checkable
class Recognizer(Protocol):
    """Reads one side of an ID card from image bytes.

    Raises PermanentError (not_an_id_card when the photo is not that side, or an API error)
    or TransientError (after its retries); either carries `attempts`.
    """

    def recognize(self, image: bytes, side: str, deadline: Deadline) -> Recognition: ...


class PhotoStore(Protocol):
    """Where the photos are read from (an OSS bucket: io.oss.ObjectStore)."""

    def read_source(self, key: str, max_bytes: int, deadline: Optional[Deadline] = None
                    ) -> Tuple[Optional[Any], bool]: ...

    def head(self, key: str, deadline: Optional[Deadline] = None) -> Optional[Any]: ...


@runtime_checkable
class Output(Protocol):
    """A destination for finished records besides the result store (e.g. a message queue).

    `deliver` returns the record as it should be stored afterwards (with its receipt, e.g. a
    message id), or raises TransientError, and the photo is not marked done. `delivered` says
    whether a stored record already went there, so a retry sends only what is missing.
    """

    name: str

    def deliver(self, record: dict, result_key: str, deadline: Deadline) -> dict: ...

    def delivered(self, record: dict) -> bool: ...
