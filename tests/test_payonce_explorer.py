"""Pay once, proved over interleavings: the explorer (tests/fakes/interleave.py) runs 2-4
deliveries of the real pipeline over the in-memory bucket, with FC's retries, a crash at any
step, claim expiry, overwrites, flaky API answers, a flaky message queue and planted
documents, and checks the
invariants I1-I5 of payonce.py after every run. Then the same explorer is pointed at each
defect a review found, planted back into today's code, and must find it: the check can fail.
"""

import json
import re

import pytest

from idcard_ocr.card import signatures
from idcard_ocr.card.claims import ClaimRecord, ClaimState
from idcard_ocr.io import results
from idcard_ocr.payonce import PayOnce, Ticket
from idcard_ocr.pipeline import Pipeline
from tests.fakes.interleave import Scenario, explore, exploring

RUNS = 600


def test_every_explored_interleaving_holds_the_invariants():
    runs = explore(RUNS)
    violations = {run.seed: run.violations for run in runs if run.violations}
    assert violations == {}
    # what was explored, so that a quiet explorer cannot pass for a thorough one
    endings = [ending.split(":", 1)[1] for run in runs for ending in run.endings]
    assert endings.count("crash") > 100 and endings.count("ok") > RUNS
    assert sum("in_progress" in e for e in endings) > 50
    assert sum("api_unavailable" in e for e in endings) > 50
    assert sum(len(run.takeovers) for run in runs) > 50          # claims taken over
    assert sum(sum(run.allowance.values()) for run in runs) > 10  # died holding an answer
    assert sum(run.scenario.overwrite for run in runs) > RUNS / 3
    assert len({run.scenario.planted for run in runs}) > 10
    assert sum(sum(run.sent.values()) for run in runs) > RUNS / 2      # messages sent
    assert sum("mns_send_failed" in e for e in endings) > 20
    assert sum(run.steps for run in runs) > 30 * RUNS


def _first_violation(prefix, runs=400, scenario=None):
    for run in exploring(runs, scenario=scenario):
        found = [v for v in run.violations if v.startswith(prefix)]
        if found:
            return run.seed, found
    return None


def test_without_the_fresh_look_after_the_claim_a_slow_duplicate_pays_again(monkeypatch):
    """Issue case 1 planted back: the claim is won and nothing looks for a result again."""
    acquire = PayOnce.acquire

    def without_a_second_look(self, version, holder, deadline, settled=None):
        ticket = acquire(self, version, holder, deadline, settled=None)
        ticket.standing = None
        return ticket
    monkeypatch.setattr(PayOnce, "acquire", without_a_second_look)
    assert _first_violation("I1", scenario=Scenario(deliveries=3, overwrite=False, crashes=0,
                                                    flakes=0, time_jumps=0)) is not None


def test_without_the_version_check_an_old_version_overwrites_the_new_result(monkeypatch):
    """Issue case 2 planted back: results are written whatever the photo has become."""
    monkeypatch.setattr(Pipeline, "_replaced", lambda self, job, key, etag: False)
    assert _first_violation("I2", scenario=Scenario(deliveries=1, overwrite=True, crashes=0,
                                                    flakes=0, time_jumps=0,
                                                    p_env=0.3)) is not None


def test_without_one_taker_kept_answers_are_taken_twice_and_the_back_bought_twice(monkeypatch):
    """Issue case 3 planted back: a kept claim is overwritten by whoever read it."""
    def take_over_without_marker(self, version, found, holder, ttl, deadline):
        answers = dict(found.record.answers) if found.record is not None else {}
        record = ClaimRecord(version, holder, ClaimState.HELD, self.clock.time() + ttl, ttl,
                             answers)
        self.store.put_claim(record, deadline)
        return Ticket(self, record, taken_over=True)
    monkeypatch.setattr(PayOnce, "_take_over", take_over_without_marker)
    assert _first_violation("I", runs=1500,
                            scenario=Scenario(deliveries=3, overwrite=False, crashes=0, flakes=2,
                                              time_jumps=0, p_switch=0.15)) is not None


def test_without_defensive_reading_a_planted_document_raises(monkeypatch):
    """Issue case 4 planted back: documents parsed and verified as they were."""
    def parse_as_before(data):
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            return None
        return doc if isinstance(doc, dict) else None

    def verify_as_before(self, doc, bucket, key, etag=None):
        signature, source = doc.get("signature"), doc.get("source")
        if not isinstance(signature, dict) or not isinstance(source, dict):
            return False
        if source.get("bucket") != bucket or source.get("key") != key:
            return False
        if etag is not None and str(source.get("etag") or "").upper() != etag.upper():
            return False
        value = signature.get("value")
        if not isinstance(value, str):
            return False
        body = signatures._document_bytes({k: v for k, v in doc.items() if k != "signature"})
        return any(signatures.hmac.compare_digest(value, signatures._mac(k, body))
                   for k in self._keys)
    monkeypatch.setattr(results, "parse_document", parse_as_before)
    monkeypatch.setattr(signatures.Signer, "verify", verify_as_before)
    for planted in ("result-signature-not-ascii", "result-nan", "claim-nan"):
        found = _first_violation("I5", runs=5, scenario=Scenario(planted=planted))
        assert found is not None, planted


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_run_is_replayed_exactly_from_its_seed(seed):
    """The same steps in the same order (claim objects' ETags aside: a holder's name has a
    random nonce, and a claim's ETag is the MD5 of its body)."""
    first, again = explore(1, seed)[0], explore(1, seed)[0]
    assert _steps(first) == _steps(again) and first.purchases == again.purchases


def _steps(run):
    return [re.sub(r"\b[0-9A-F]{32}\b", "<etag>", step) for step in run.trace]


CASCADE_RUNS = 300


def test_the_cascade_keeps_pay_once_and_never_pays_for_what_the_engine_vouched_for():
    """OCR_ENGINE=cascade (issue 23) under the same platform: the engine vouching or not, and
    down at times (I6 besides I1-I5)."""
    runs = [run for seed in range(CASCADE_RUNS) for run in explore(1, seed, Scenario(
        **dict(vars(Scenario.random(_rng(seed))), cascade=True, engine_vouches=seed % 3 != 0,
               engine_downs=seed % 4)))]
    violations = {run.seed: run.violations for run in runs if run.violations}
    assert violations == {}
    vouched = [run for run in runs if run.scenario.engine_vouches]
    assert sum(run.vouched_kept != set() for run in vouched) > len(vouched) / 2
    assert sum(sum(run.purchases.values()) for run in vouched) < \
        sum(sum(run.purchases.values()) for run in runs if not run.scenario.engine_vouches)
    endings = [ending.split(":", 1)[1] for run in runs for ending in run.endings]
    assert endings.count("crash") > 30 and endings.count("ok") > CASCADE_RUNS


def test_a_cascade_that_forgot_the_kept_reading_is_caught(monkeypatch):
    """The check can fail: a retry that ignores what the claim kept asks again, and with the
    engine down, pays the API for what the engine had vouched for (I6)."""
    from idcard_ocr import recognition

    class Forgetful:
        def __init__(self, ledger):
            self._ledger = ledger

        answers = {}

        def bought(self, side, answer, deadline):
            self._ledger.bought(side, answer, deadline)
    read_card = recognition.read_card
    monkeypatch.setattr("idcard_ocr.pipeline.read_card",
                        lambda r, i, s, d, ledger, both=False: read_card(r, i, s, d,
                                                                         Forgetful(ledger), both))
    assert _first_violation("I6", runs=200, scenario=Scenario(
        deliveries=1, overwrite=False, crashes=1, p_crash=0.1, flakes=0, time_jumps=1,
        cascade=True, engine_downs=3, face_found=True)) is not None


def _rng(seed):
    import random
    return random.Random(seed * 7919 + 1)


def test_a_side_found_absent_is_not_bought_again_when_the_other_sides_answer_lists_it():
    """The explorer's cascade runs found it (seed 60): the face asked first and answered "no
    face", the back's answer listing both sides (a sheet's lone card, io/cascade), and the face
    asked again in the same invocation: paid twice. Answers bought in this invocation count as
    known, like those of an earlier one."""
    from idcard_ocr.io.retry import Deadline
    from idcard_ocr.io.seams import Recognition
    from idcard_ocr.recognition import Purchases, read_card
    from idcard_ocr import errors
    from idcard_ocr.errors import PermanentError

    asked = []

    class Recognizer:
        def recognize(self, image, side, deadline):
            asked.append(side)
            if side == "face":
                error = PermanentError(errors.NOT_AN_ID_CARD, "no face", 200)
                error.attempts = 1
                raise error
            return Recognition({"issue": "x", "sides_found": ["face", "back"]}, 1)

    class Claim(Purchases):  # as payonce.Ticket: `answers` is a copy of what the claim holds
        @property
        def answers(self):
            return dict(self.kept)

        def __init__(self):
            self.kept = {}

        def bought(self, side, answer, deadline):
            self.kept[side] = answer

    reading = read_card(Recognizer(), b"photo", ("face", "back"), Deadline(30), Claim(),
                        both=True)
    assert reading.side == "back" and reading.others == {}
    assert asked == ["face", "back"]
    assert reading.attempts == 2
