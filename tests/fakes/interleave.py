"""An explorer of interleavings: deliveries of OSS events through the real pipeline, step by step.

Every storage operation (io/memory.MemoryObjectStore, OSS's semantics), every call of the OCR
API and every sleep is a step. A deterministic scheduler decides, at each step, which invocation
moves on, whether it dies there (a crash: nothing after it happens, not even its `finally`),
whether time jumps (claims expire; FC ends an invocation at its timeout first), whether the
photo is overwritten by a new version (with its own event), and whether FC delivers an event
again (duplicates, and its retries of a failed or dead invocation). The API may answer, find no
card of that side (billed), or fail transiently (not billed).

Scheduling is PCT (Burckhardt et al., "A randomized scheduler with probabilistic guarantees of
finding bugs", ASPLOS 2010): random priorities with a few random change points, which finds
ordering bugs of small depth with known probability, plus random crashes and platform events.
A run is fully determined by its seed: `explore(seed=...)` replays it.

After every run the invariants of payonce.py are checked:
  I1 at most one paid call per version and side (plus one per purchase whose process died
     between the API's answer and the claim write that keeps it, counted);
  I2 the result ends describing the current version (when a delivery of it finished), except in
     the named window between the version check and the write, which is counted;
  I3 is I1 for the delivery that finds no result, waits, and wins the claim afterwards;
  I4 a claim object is taken over by one invocation at most;
  I5 no invocation raises anything but a TransientError, whatever documents were planted;
and, for an output beside the result (a message queue, before or instead of the JSON), each
version's record is sent once (plus one per process that died between the send and the
write that records it).
  I6 (Scenario.cascade, OCR_ENGINE=cascade) once a reading the engine vouched for is kept (in a
     claim or the result), the API is never paid for that version and side, even when the
     engine is down on the retry.
"""

import hashlib
import json
import logging
import random
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from idcard_ocr import errors
from idcard_ocr.card.keys import ResultLocation
from idcard_ocr.card.signatures import Signer
from idcard_ocr.errors import PermanentError, TransientError
from idcard_ocr.imaging import ImageLimits, prepare
from idcard_ocr.io.cascade import Cascade
from idcard_ocr.io.events import ObjectEvent
from idcard_ocr.io.memory import MemoryObjectStore
from idcard_ocr.io.results import ResultStore, parse_document
from idcard_ocr.io.retry import Deadline
from idcard_ocr.io.seams import Recognition
from idcard_ocr.pipeline import Pipeline, PipelineOptions
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE

BUCKET = "explored"
KEY = "idcards/photo 0001.jpg"      # the name says nothing: auto mode asks face, then back
SIGNER = Signer(["explorer-signing-key-0123456789abcdef-not-a-secret"])
_VERIFY = Signer.verify  # the checks' own, whatever a test plants into the code under test
LOCATION = ResultLocation()
FUNCTION_TIMEOUT_S = 60.0
RESERVE_S = 3.0
TIME_JUMP_S = 120.0                 # past any claim: deadline + CLAIM_MARGIN_S < 120


class Crash(BaseException):
    """The invocation's process died here (FC's timeout, OOM, a lost instance)."""


class VirtualClock:
    def __init__(self, world: "World"):
        self._world = world
        self.now = 1_800_000_000.0
        self.mono = 1_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.mono += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        self._world.point("sleep")


@dataclass
class Scenario:
    """What the platform and the API may do in one run."""

    deliveries: int = 2             # deliveries of the first version's event (duplicates)
    fc_retries: int = 2             # FC's async retries of a failed or dead invocation
    overwrite: bool = True          # a second version may be uploaded (with one event)
    crashes: int = 1                # invocations that may die at any step
    flakes: int = 1                 # transient API failures
    time_jumps: int = 1             # jumps past every claim's expiry
    face_found: bool = False        # does the face call find the card (else: billed, not found)
    sheet: bool = False             # the face answer names both sides
    planted: Optional[str] = None   # a hostile document at the result or claim key
    queue: Optional[str] = None     # an output besides the result: "beside" the JSON or "only"
    queue_flakes: int = 1           # transient failures of that output
    p_env: float = 0.08             # chance per step that the platform acts
    p_crash: float = 0.03           # chance per step that the moving invocation dies
    p_switch: float = 0.05          # chance per step of a change point besides PCT's own
    change_points: int = 3          # PCT's depth
    cascade: bool = False           # OCR_ENGINE=cascade: the engine (io/cascade.py) reads first
    engine_vouches: bool = True     # its reading clears the thresholds (else the API reads)
    engine_downs: int = 0           # times the engine function fails (down, busy, timed out)

    @classmethod
    def random(cls, rng: random.Random) -> "Scenario":
        return cls(deliveries=rng.randint(1, 3), overwrite=rng.random() < 0.5,
                   crashes=rng.randint(0, 2), flakes=rng.randint(0, 2),
                   time_jumps=rng.randint(0, 1), face_found=rng.random() < 0.5,
                   sheet=rng.random() < 0.3,
                   planted=rng.choice([None, None, None] + sorted(PLANTED)),
                   queue=rng.choice([None, "beside", "only"]), queue_flakes=rng.randint(0, 2),
                   change_points=rng.randint(1, 4))


@dataclass
class Actor:
    name: str
    version: str
    event: ObjectEvent
    chain: int                       # which delivery (its retries share it)
    retries_left: int
    kill_at: float = 0.0
    priority: float = 0.0
    thread: Optional[threading.Thread] = None
    at: Optional[str] = None         # the step it waits at
    turn: bool = False
    finished: bool = False
    dead: bool = False
    crash_now: bool = False
    ended: str = ""                  # ok | transient:<code> | crash | unexpected:<type>
    unsecured: set = field(default_factory=set)   # purchases not yet in a claim or result
    unsent: set = field(default_factory=set)      # versions sent, the message id kept nowhere
    last_photo_head: int = -1
    previous_op: str = ""            # the operation before the one in progress
    current_op: str = ""


@dataclass
class Run:
    seed: int
    scenario: Scenario
    steps: int = 0
    purchases: Counter = field(default_factory=Counter)      # (version, side) -> paid calls
    allowance: Counter = field(default_factory=Counter)      # died between answer and claim
    sent: Counter = field(default_factory=Counter)           # version -> messages sent
    resend_allowance: Counter = field(default_factory=Counter)  # died between send and keep
    window_hits: int = 0      # an older version's result written over a newer one in I2's window
    written: List[str] = field(default_factory=list)         # versions the result described
    takeovers: Dict[str, set] = field(default_factory=lambda: defaultdict(set))
    endings: List[str] = field(default_factory=list)
    violations: List[str] = field(default_factory=list)
    trace: List[str] = field(default_factory=list)
    vouched_kept: set = field(default_factory=set)   # (version, side) the engine read, kept


class ExplorerStore(MemoryObjectStore):
    """The in-memory bucket, telling the world what each invocation wrote."""

    def __init__(self, world: "World"):
        super().__init__(BUCKET, world.clock.time, world.before, self._wrote)
        self.world = world

    def _wrote(self, key, body, previous):
        actor = self.world.current()
        if actor is not None:
            self.world.wrote(actor, key, body, previous)

    def head(self, key, deadline=None):
        found = super().head(key, deadline)
        actor = self.world.current()
        if actor is not None and key == KEY:
            actor.last_photo_head = self.world.run.steps
        return found


class ScriptedApi:
    """The OCR API: billed per answer; which answer is the scenario's (and the scheduler's)."""

    def __init__(self, world: "World"):
        self.world = world

    def recognize(self, image: bytes, side: str, deadline: Deadline) -> Recognition:
        world = self.world
        world.point(f"API {side}")
        version = world.version_of.get(hashlib.md5(image).hexdigest(), "?")
        if world.flakes_left and world.rng.random() < 0.3:
            world.flakes_left -= 1
            error = TransientError(errors.API_UNAVAILABLE, "HTTP 503: scripted")
            error.attempts = 1
            raise error
        actor = world.current()
        if (version, side) in world.run.vouched_kept:
            world.run.violations.append(f"I6: {version}/{side} paid for after the engine's "
                                        f"vouched reading was kept")
        world.run.purchases[version, side] += 1
        actor.unsecured.add((version, side))
        world.point(f"API {side} answered")  # dying here: billed, the answer lost
        found = side == "back" or world.scenario.face_found
        if not found:
            error = PermanentError(errors.NOT_AN_ID_CARD, "scripted: no card of that side", 200)
            error.attempts = 1
            raise error
        answer = dict(FACE if side == "face" else BACK)
        if side == "face" and world.scenario.sheet:
            answer["sides_found"] = ["face", "back"]
        return Recognition(answer, 1)


class ScriptedEngine:
    """The offline engine (io/cascade.py's engine seam): free, a step of its own, sometimes
    down; its answers carry the confidences the cascade thresholds."""

    def __init__(self, world: "World"):
        self.world = world

    def recognize(self, image: bytes, side: str, deadline: Deadline) -> Recognition:
        world = self.world
        world.point(f"engine {side}")
        if world.engine_downs_left and world.rng.random() < 0.4:
            world.engine_downs_left -= 1
            raise TransientError(errors.CONNECTION_FAILED, "scripted: the engine is down")
        found = side == "back" or world.scenario.face_found
        if not found:
            raise PermanentError(errors.NOT_AN_ID_CARD, "scripted: no card of that side", 200)
        # On a sheet, the back of FACE's holder: issued at 25, valid 10 years (card/checks.py).
        answer = dict(FACE) if side == "face" else \
            dict(BACK, end_date="20250610" if world.scenario.sheet else BACK["end_date"])
        sure = 1.0 if world.scenario.engine_vouches else 0.3  # clears any fitted threshold
        answer.update(confidence={name: sure for name in answer}, doubts={},
                      engine="idcard-ocr offline", success=True,
                      sides_found=["face", "back"] if world.scenario.sheet else [side])
        return Recognition(answer, 0)


class ScriptedQueue:
    """An output (a message queue): each send may fail transiently, else it is delivered."""

    name = "queue"

    def __init__(self, world: "World"):
        self.world = world

    def deliver(self, record: dict, result_key: str, deadline: Deadline) -> dict:
        world = self.world
        world.point("SEND")
        if world.queue_flakes_left and world.rng.random() < 0.3:
            world.queue_flakes_left -= 1
            raise TransientError(errors.MNS_SEND_FAILED, "scripted")
        version = world._version_of_etag(record["source"]["etag"])
        world.run.sent[version] += 1
        world.current().unsent.add(version)
        world.point("SENT")  # dying here: delivered, its id known to nobody
        return dict(record, message={"id": f"{version}-{world.run.sent[version]}"})

    def delivered(self, record: dict) -> bool:
        return bool((record.get("message") or {}).get("id"))


class World:
    def __init__(self, seed: int, scenario: Optional[Scenario] = None, max_steps: int = 4000):
        self.rng = random.Random(seed)
        self.scenario = scenario or Scenario.random(random.Random(seed * 7919 + 1))
        self.run = Run(seed, self.scenario)
        self.clock = VirtualClock(self)
        self.store = ExplorerStore(self)
        self.api = ScriptedApi(self)
        self.queue = ScriptedQueue(self)
        self.queue_flakes_left = self.scenario.queue_flakes
        self.engine_downs_left = self.scenario.engine_downs
        self.cond = threading.Condition()
        self.local = threading.local()
        self.actors: List[Actor] = []
        self.pending: List[Actor] = []            # deliveries FC has yet to start
        self.flakes_left = self.scenario.flakes
        self.crashes_left = self.scenario.crashes
        self.jumps_left = self.scenario.time_jumps
        self.version_of: Dict[str, str] = {}
        self.etags: Dict[str, str] = {}
        self.current_version = "v1"
        self.max_steps = max_steps
        self.change_at = sorted(self.rng.randrange(1, 200)
                                for _ in range(self.scenario.change_points))
        self.last_upload = -1
        self.overwritten = False

    # What the actors call ----------------------------------------------------------------------

    def current(self) -> Optional[Actor]:
        return getattr(self.local, "actor", None)

    def before(self, operation: str, key: str) -> None:
        actor = self.current()
        if actor is not None:
            actor.previous_op, actor.current_op = actor.current_op, f"{operation} {key}"
        self.point(f"{operation} {key}")

    def point(self, label: str) -> None:
        actor = self.current()
        if actor is None:
            return  # the test itself (uploads, checks)
        if actor.dead:
            raise Crash()
        with self.cond:
            actor.at, actor.turn = label, False
            self.cond.notify_all()
            while not actor.turn:
                self.cond.wait()
        if actor.dead or actor.crash_now or self.clock.mono >= actor.kill_at:
            actor.dead = True
            raise Crash()

    def wrote(self, actor: Actor, key: str, body: bytes, previous: Optional[bytes]) -> None:
        """Book-keeping of a write: purchases secured, the I2 window, takeovers (I4)."""
        doc = _parsed(body)
        if key == LOCATION.result_key(KEY):
            version = self._version_of_etag((doc.get("source") or {}).get("etag"))
            actor.unsecured = {(v, s) for v, s in actor.unsecured if v != version}
            if (doc.get("message") or {}).get("id"):
                actor.unsent = {v for v in actor.unsent if v != version}
            for side, part in ((doc.get("sides") or {}) or {doc.get("side"): doc}).items():
                if isinstance(part, dict) and part.get("recognized_by") == "engine":
                    self.run.vouched_kept.add((version, side))
            if self.run.written and version < self.run.written[-1]:
                checked = actor.previous_op == f"HEAD {KEY}"
                if checked and self.last_upload > actor.last_photo_head:
                    self.run.window_hits += 1  # the upload came between our look and write
                else:
                    self.run.violations.append(f"I2: {actor.name} wrote {version}'s result "
                                               f"over {self.run.written[-1]}'s")
            self.run.written.append(version)
        elif key.endswith(".claim.json") and doc.get("kind") == "claim":
            version = self._version_of_etag((doc.get("source") or {}).get("etag"))
            answers = doc.get("answers") or {}
            actor.unsecured = {(v, s) for v, s in actor.unsecured
                               if not (v == version and s in answers)}
            if ((doc.get("record") or {}).get("message") or {}).get("id"):
                actor.unsent = {v for v in actor.unsent if v != version}
            self.run.vouched_kept |= {(version, s) for s, a in answers.items()
                                      if isinstance(a, dict) and a.get("recognized_by") == "engine"}
            before = _parsed(previous) if previous is not None else {}
            if previous is not None and before.get("holder") != doc.get("holder"):
                replaced = hashlib.md5(previous).hexdigest()
                self.run.takeovers[f"{key}@{replaced}"].add(doc.get("holder"))

    # The platform ------------------------------------------------------------------------------

    def upload(self, version: str) -> None:
        data = images.card_jpeg(seed=100 + int(version[1:]))
        etag = hashlib.md5(data).hexdigest().upper()
        self.version_of[hashlib.md5(prepare(data, ImageLimits()).data).hexdigest()] = version
        self.etags[version] = etag
        self.store.write(KEY, data, "image/jpeg")
        self.current_version = version
        self.last_upload = self.run.steps

    def event(self, version: str) -> ObjectEvent:
        return ObjectEvent(name="ObjectCreated:PutObject", bucket=BUCKET, key=KEY,
                           etag=self.etags[version], size=None, region="cn-hangzhou", time=None)

    def deliver(self, version: str, chain: int, retries_left: int) -> None:
        actor = Actor(f"{version}#{chain}.{self.scenario.fc_retries - retries_left}", version,
                      self.event(version), chain, retries_left)
        self.pending.append(actor)

    def start(self, actor: Actor) -> None:
        actor.kill_at = self.clock.mono + FUNCTION_TIMEOUT_S
        actor.priority = self.rng.random() + 1.0
        self.actors.append(actor)
        recognizer = Cascade(ScriptedEngine(self), self.api) if self.scenario.cascade \
            else self.api
        pipeline = Pipeline(lambda bucket: self.store,
                            lambda bucket: ResultStore(self.store, LOCATION, bucket, SIGNER, None),
                            recognizer, (self.queue,) if self.scenario.queue else (),
                            PipelineOptions(keeps_full_results=self.scenario.queue != "only"),
                            request_id=actor.name, clock=self.clock)

        def body():
            self.local.actor = actor
            try:
                self.point("start")
                pipeline.process(actor.event, Deadline(FUNCTION_TIMEOUT_S - RESERVE_S,
                                                       self.clock.monotonic))
                actor.ended = "ok"
            except Crash:
                actor.ended = "crash"
            except TransientError as e:
                actor.ended = f"transient:{e.code}"
            except BaseException as e:  # noqa: BLE001 - I5: anything else is a violation
                actor.ended = f"unexpected:{type(e).__name__}:{e}"
            finally:
                with self.cond:
                    actor.finished, actor.turn = True, False
                    self.cond.notify_all()
        actor.thread = threading.Thread(target=body, name=actor.name, daemon=True)
        actor.thread.start()
        self._wait(actor)

    def _wait(self, actor: Actor) -> None:
        with self.cond:
            while not actor.finished and (actor.turn or actor.at is None):
                self.cond.wait()

    def step(self, actor: Actor) -> None:
        with self.cond:
            actor.turn = True
            actor.at = None
            self.cond.notify_all()
        self._wait(actor)
        self.run.steps += 1
        if actor.finished:
            self._ended(actor)

    def _ended(self, actor: Actor) -> None:
        self.run.endings.append(f"{actor.name}:{actor.ended}")
        if actor.ended == "crash":
            for bought in actor.unsecured:
                self.run.allowance[bought] += 1
            for version in actor.unsent:
                self.run.resend_allowance[version] += 1
        if actor.ended != "ok" and not actor.ended.startswith("unexpected") and \
                actor.retries_left > 0:
            self.deliver(actor.version, actor.chain, actor.retries_left - 1)

    # One run -----------------------------------------------------------------------------------

    def explore(self) -> Run:
        self.upload("v1")
        if self.scenario.planted:
            self.store.write(*PLANTED[self.scenario.planted](self), "application/json")
        for chain in range(self.scenario.deliveries):
            self.deliver("v1", chain, self.scenario.fc_retries)
        while self.run.steps < self.max_steps:
            live = [a for a in self.actors if not a.finished]
            env = self._platform_moves()
            if not live and not env:
                break
            if env and (not live or self.rng.random() < self.scenario.p_env):
                self.rng.choice(env)()
                continue
            if self.run.steps in self.change_at or self.rng.random() < self.scenario.p_switch:
                max(live, key=lambda a: a.priority).priority = self.rng.random() * 0.5
            actor = max(live, key=lambda a: a.priority)
            if actor.at == "sleep":  # a waiter yields: whoever it waits for gets to move
                actor.priority = self.rng.random() * 0.5
                actor = max(live, key=lambda a: a.priority)
            if self.crashes_left and self.rng.random() < self.scenario.p_crash:
                self.crashes_left -= 1
                actor.crash_now = True
            self.run.trace.append(f"{actor.name}: {actor.at}")
            self.step(actor)
        else:
            self.run.violations.append("did not finish within the step limit")
        for actor in self.actors:  # a stuck actor is a violation; a crashed one is gone
            if not actor.finished:
                actor.dead = True
                self.step(actor)
        self.check()
        return self.run

    def _platform_moves(self):
        moves = [lambda a=a: (self.pending.remove(a), self.start(a)) for a in self.pending]
        if self.scenario.overwrite and not self.overwritten:
            moves.append(self._overwrite)
        if self.jumps_left:
            moves.append(self._jump)
        return moves

    def _overwrite(self) -> None:
        self.overwritten = True
        self.upload("v2")
        self.deliver("v2", 100, self.scenario.fc_retries)

    def _jump(self) -> None:
        self.jumps_left -= 1
        self.clock.advance(TIME_JUMP_S)  # FC has ended every invocation older than this

    # The invariants ----------------------------------------------------------------------------

    def check(self) -> None:
        run = self.run
        for (version, side), paid in run.purchases.items():
            allowed = 1 + run.allowance[version, side]
            if paid > allowed:
                run.violations.append(f"I1: {version}/{side} paid {paid} times "
                                      f"(allowed {allowed})")
        result = _parsed(self.store.get(LOCATION.result_key(KEY)))
        trusted = bool(result) and _VERIFY(SIGNER, result, BUCKET, KEY)
        current = self.etags[self.current_version]
        described = (result.get("source") or {}).get("etag") if trusted else None
        finished = any(a.ended == "ok" and a.version == self.current_version for a in self.actors)
        if finished and described != current and not run.window_hits:
            run.violations.append(f"I2: a delivery of {self.current_version} finished, and no "
                                  f"result of ours describes it")
        for claim, takers in run.takeovers.items():
            if len(takers) > 1:
                run.violations.append(f"I4: {len(takers)} invocations took over one claim")
        for version, sent in run.sent.items():
            if sent > 1 + run.resend_allowance[version]:
                run.violations.append(f"I1 (messages): {version}'s record sent {sent} times")
        for actor in self.actors:
            if actor.ended.startswith("unexpected"):
                run.violations.append(f"I5: {actor.name} raised {actor.ended[11:]}")

    def _version_of_etag(self, etag) -> Optional[str]:
        for version, known in self.etags.items():
            if str(etag or "").upper() == known:
                return version
        return None


def _parsed(body: Optional[bytes]) -> dict:
    return (parse_document(body) if body else None) or {}


def _planted_result(doc_or_bytes):
    def plant(world: World):
        body = doc_or_bytes(world) if callable(doc_or_bytes) else doc_or_bytes
        return LOCATION.result_key(KEY), body if isinstance(body, bytes) else \
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    return plant


def _planted_claim(doc_or_bytes):
    def plant(world: World):
        body = doc_or_bytes(world) if callable(doc_or_bytes) else doc_or_bytes
        return LOCATION.claim_key(KEY, world.etags["v1"]), body if isinstance(body, bytes) else \
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    return plant


def _names_the_photo(world: World, **extra) -> dict:
    return dict({"status": "ok", "source": {"bucket": BUCKET, "key": KEY,
                                            "etag": world.etags["v1"]}}, **extra)


# Hostile documents (issue 4): each names the right bucket, key and ETag.
PLANTED = {
    "result-signature-not-ascii": _planted_result(
        lambda w: _names_the_photo(w, signature={"value": "é"})),
    "result-signature-number": _planted_result(
        lambda w: _names_the_photo(w, signature={"value": 7})),
    "result-nan": _planted_result(
        lambda w: json.dumps(_names_the_photo(w, signature={"value": "0" * 64},
                                              score=float("nan"))).encode()),
    "result-deep": _planted_result(b'{"source": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "result-not-utf8": _planted_result(b'{"status": "ok", "x": "\xff\xfe"}'),
    "result-list": _planted_result(b"[1, 2, 3]"),
    "result-huge": _planted_result(b" " * (4 * 1024 * 1024 + 1)),
    "result-signed-wrong-types": _planted_result(
        lambda w: SIGNER.sign(_names_the_photo(w, status=["ok"], error="x", fields=7))),
    "claim-signature-not-ascii": _planted_claim(
        lambda w: dict(_names_the_photo(w, kind="claim", holder="x", ttl_s=1e9,
                                        expires_at=1e12), signature={"value": "é"})),
    "claim-nan": _planted_claim(
        lambda w: json.dumps(dict(_names_the_photo(w, kind="claim", holder="x",
                                                   ttl_s=float("nan"), expires_at=1e12),
                                  signature={"value": "0" * 64})).encode()),
    "claim-signed-wrong-types": _planted_claim(
        lambda w: SIGNER.sign(_names_the_photo(w, kind="claim", holder=["x"], ttl_s="long",
                                               expires_at=None, answers="all",
                                               state="held"))),
    "claim-signed-answers-wrong-shape": _planted_claim(
        lambda w: SIGNER.sign(_names_the_photo(w, kind="claim", holder="x", ttl_s=1.0,
                                               expires_at=0, answers={"face": "paid"},
                                               state="abandoned"))),
}


def explore(runs: int, first_seed: int = 0, scenario: Optional[Scenario] = None) -> List[Run]:
    """Run `runs` seeds; returns every run (each replayable by its seed)."""
    return list(exploring(runs, first_seed, scenario))


def exploring(runs: int, first_seed: int = 0, scenario: Optional[Scenario] = None):
    """The runs one by one, as they finish."""
    logging.disable(logging.CRITICAL)  # thousands of invocations: their lines say nothing new
    try:
        for seed in range(first_seed, first_seed + runs):
            yield World(seed, scenario).explore()
    finally:
        logging.disable(logging.NOTSET)
