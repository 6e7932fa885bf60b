"""OCR_ENGINE=cascade (issue 23): the engine reads first, the API is paid only when the engine
cannot vouch for its reading, and pay once holds for the engine's readings too.

The fast tier runs the pipeline over the in-memory bucket (tests/test_pipeline_fast.py's) with
a scripted engine; the rest goes over the real object protocol (moto behind the OSS shim, the
OCR contract server as the API, and a second contract server as the engine function: the
engine speaks the marketplace's contract, tests/test_engine_server.py).
"""

import json
import re
import socket

import pytest

from idcard_ocr import errors, handle
from idcard_ocr.app import App
from idcard_ocr.card.vouching import MIN_CONFIDENCE, decline_reason, sheet_decline_reason
from idcard_ocr.config import Settings
from idcard_ocr.errors import ConfigError, InvocationFailed, PermanentError, TransientError
from idcard_ocr.io.cascade import Cascade
from idcard_ocr.io.offline import OfflineEngine
from idcard_ocr.io.ocr_api import MarketplaceClient
from idcard_ocr.io.retry import Deadline
from idcard_ocr.io.seams import Recognition
from tests.conftest import APPCODE, fc_context, oss_event, read_from_secret, upload
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE, OcrApiServer
from tests.test_pipeline_fast import Api, Bucket

SURE = 0.998  # clears the fitted thresholds (free text is fitted at up to 0.995)
# The engine's answers as engine/__init__.py shapes them (its signature, confidences, doubts).
ENGINE_FACE = dict(FACE, confidence={name: SURE for name in FACE}, doubts={},
                   num_valid=True, birth_conflict=False, sides_found=["face"],
                   engine="idcard-ocr offline", success=True)
ENGINE_BACK = dict(BACK, confidence={name: SURE for name in BACK}, doubts={},
                   sides_found=["back"], engine="idcard-ocr offline", success=True)
# The back of FACE's holder on one sheet: issued at 25, valid 10 years (card/checks.py).
SHEET_BACK = dict(ENGINE_BACK, end_date="20250610", sides_found=["face", "back"])
SHEET_FACE = dict(ENGINE_FACE, sides_found=["face", "back"])


def unsure(answer, field, score=0.5):
    return dict(answer, confidence=dict(answer["confidence"], **{field: score}))


class Engine:
    """The engine, scripted per side: an answer, 'absent' (no such side), 'down' (a
    TransientError as the engine function's client raises), 'broken' (an unforeseen
    exception), 'unreadable' (the side found, none of its fields read: io/offline.py's
    recognition_failed), 'page' (no such side, and the answer says `on_sheet`: a page on which
    it found no card, io/offline.py's error), 'spent' (no such side found before the photo's
    work budget ran out: `over_budget`). Counts its reads; attempts=0 as io/offline.py's."""

    def __init__(self, face="absent", back="absent"):
        self.script = {"face": face, "back": back}
        self.calls = []

    def recognize(self, image, side, deadline):
        self.calls.append(side)
        answer = self.script[side]
        if answer == "absent":
            raise PermanentError(errors.NOT_AN_ID_CARD, "no such side", 200)
        if answer == "page":
            from idcard_ocr.io.offline import engine_answer

            engine_answer({"success": False, "on_sheet": True, "sides_found": []}, side)
        if answer == "spent":
            from idcard_ocr.io.offline import engine_answer

            engine_answer({"success": False, "over_budget": True, "sides_found": []}, side)
        if answer == "down":
            raise TransientError(errors.CONNECTION_FAILED, "could not reach the engine")
        if answer == "broken":
            raise RuntimeError("an engine fault")
        if answer == "unreadable":
            raise PermanentError(errors.RECOGNITION_FAILED, "no field read", 200)
        return Recognition(json.loads(json.dumps(answer)), 0)


@pytest.fixture
def fast():
    return Bucket()


def run_fast(fast, engine, api, key="idcards/a-face.jpg", event=None, **options):
    event = event or fast.upload(key)
    return event, fast.run(Cascade(engine, api), event, **options)


# The fast tier -------------------------------------------------------------------------------

def test_a_reading_the_engine_vouches_for_is_free_and_names_its_reader(fast):
    engine, api = Engine(face=ENGINE_FACE), Api(face=dict(FACE))
    event, outcome = run_fast(fast, engine, api)
    assert (outcome.status, outcome.api_calls, outcome.recognized_by) == ("ok", 0, "engine")
    assert api.calls == [] and engine.calls == ["face"]
    result = fast.result(event.key)
    assert result["recognized_by"] == "engine" and result["fields"] == FACE
    assert result["engine_confidence"] == {name: SURE for name in FACE}
    assert "engine_declined" not in result and "recognized_by" not in result["api"]
    assert result["checks_passed"] is True


@pytest.mark.parametrize("engine_face, declined", [
    (unsure(ENGINE_FACE, "name"), "low_confidence:name"),
    (unsure(ENGINE_FACE, "num", MIN_CONFIDENCE["num"] - 0.001), "low_confidence:num"),
    (dict(ENGINE_FACE, doubts={"nationality": "not one of the 56"}), "doubted:nationality"),
    # Doubts in another shape are doubts all the same (a list was ignored and the face vouched)
    (dict(ENGINE_FACE, doubts=["address"]), "doubted:address"),
    (dict(ENGINE_FACE, doubts="the address"), "doubted:answer"),
    (dict(ENGINE_FACE, doubts={"<b>3301</b>": "made up"}), "doubted:answer"),
    # Any doubt of a field declines it, whatever its reason says: one the cascade has never
    # heard of (a look-alike character's, engine/fields.py), an empty one, none at all.
    (dict(ENGINE_FACE, doubts={"name": "look_alike_character"}), "doubted:name"),
    (dict(ENGINE_FACE, doubts={"name": "a doubt added after this test"}), "doubted:name"),
    (dict(ENGINE_FACE, doubts={"name": ""}), "doubted:name"),
    (dict(ENGINE_FACE, doubts={"name": None}), "doubted:name"),
    (dict(ENGINE_FACE, address=""), "missing:address"),
    (dict(ENGINE_FACE, address="住扯" + FACE["address"]), "implausible:address"),
    (dict(ENGINE_FACE, num=FACE["num"][:-1] + "4"), "checks_failed:number_format"),
    (dict(ENGINE_FACE, sex="女"), "checks_failed:sex_matches_number"),
    (dict(ENGINE_FACE, confidence=None), "no_confidence"),
    # The engine stopped at its work budget (a card on a newspaper): every field read at its
    # best confidence, none doubted, yet never vouched for.
    (dict(ENGINE_FACE, over_budget=True), "over_budget"),
    (dict(ENGINE_FACE, confidence=dict(ENGINE_FACE["confidence"], birth=True)),
     "low_confidence:birth"),
    # A confidence is a number from 0 to 1 (engine/__init__.py); one out of range is none, so
    # it neither vouches (a score of 5 "clears" any threshold) nor fails the photo (an integer
    # too large for float() raised OverflowError before the API could read).
    (unsure(ENGINE_FACE, "name", 5), "low_confidence:name"),
    (unsure(ENGINE_FACE, "birth", 1e300), "low_confidence:birth"),
    (unsure(ENGINE_FACE, "num", 10 ** 400), "low_confidence:num"),
    (unsure(ENGINE_FACE, "name", "0.99"), "low_confidence:name"),
])
def test_a_reading_the_engine_cannot_vouch_for_is_paid_and_says_why(fast, engine_face, declined):
    api = Api(face=dict(FACE, name="API读的"), back="absent")
    event, outcome = run_fast(fast, Engine(face=engine_face), api)
    # Stopped at its work budget, the engine did not look for the back to the end: the API is
    # asked for it too (test_a_photo_the_engine_stopped_reading_at_its_budget_...).
    calls = 2 if declined == "over_budget" else 1
    assert (outcome.status, outcome.api_calls, outcome.recognized_by) == ("ok", calls, "api")
    result = fast.result(event.key)
    assert result["recognized_by"] == "api" and result["engine_declined"] == declined
    assert result["fields"]["name"] == "API读的"  # the API's answer stands
    if isinstance(engine_face.get("confidence"), dict):
        assert result["engine_confidence"]["address"] == SURE


@pytest.mark.parametrize("reason", ["look_alike_character", "", None, {"why": "nested"}])
def test_a_doubt_reaches_the_vouching_through_either_engine_client(reason):
    # The engine function's answer goes through the marketplace client's checked_answer, which
    # drops extras of the wrong shape: a doubt must never be one of them, or a doubted name
    # read through ENGINE_URL would be vouched for where the engine in the function's is not.
    from idcard_ocr.io.ocr_api import checked_answer
    from idcard_ocr.io.offline import engine_answer

    doubted = dict(ENGINE_FACE, doubts={"name": reason})
    for client in (engine_answer, checked_answer):
        answer = client(json.loads(json.dumps(doubted)), "face")
        assert decline_reason(answer, "face") == "doubted:name"
        assert sheet_decline_reason({"face": answer, "back": dict(SHEET_BACK)}) == \
            "face:doubted:name"


@pytest.mark.parametrize("line, lost, declined", [
    (0, (), None), (0, (9,), "doubted:address"), (1, (1,), "doubted:address"),
    (1, (0,), "doubted:address")])
def test_an_address_read_alike_twice_without_a_character_is_paid(fast, line, lost, declined):
    # 文一西路 read 文西路 (or 西路 read 西969号) in both of the engine's reads, every character
    # sure: the line's second read has a character's room where nothing was read; 西路 read 路,
    # the line's first character stands a character past the value column (engine/fields.
    # confirm_lines). The API reads instead of the engine vouching for a wrong address.
    from idcard_ocr.engine.fields import confirm_lines, read_side
    from tests.test_engine import face_lines, on_card, read_again

    printed = ("浙江省杭州市余杭区文一", "西路969号")
    lines = [read_again(text, lost if i == line else (), score=SURE + 0.001)
             for i, text in enumerate(printed)]
    # The detector's box holds every printed character, the lost one too.
    out = read_side(face_lines(address=[on_card("住址", 52, 258, 22)] + [
        on_card(read.text, 140, 258 + 42 * i, width=sum(0.55 if c.isascii() else 1.05
                                                         for c in text) * 30)
        for i, (read, text) in enumerate(zip(lines, printed))]), "face")
    confirm_lines(out, "address", lines)
    engine_face = dict(ENGINE_FACE, address=out.fields["address"], doubts=out.doubts,
                       evidence=out.evidence)
    api = Api(face=dict(FACE))
    event, outcome = run_fast(fast, Engine(face=engine_face), api)
    result = fast.result(event.key)
    assert result.get("engine_declined") == declined
    assert (outcome.recognized_by, outcome.api_calls) == (("api", 1) if declined else
                                                          ("engine", 0))
    assert result["fields"]["address"] == FACE["address"]  # 浙江省杭州市余杭区文一西路969号


def on_a_card_of(long_side):
    return [{"x": 0, "y": 0}, {"x": 0, "y": long_side * 0.63},
            {"x": long_side, "y": long_side * 0.63}, {"x": long_side, "y": 0}]


@pytest.mark.parametrize("long_side, declined", [
    (900, None), (700, None),
    # an A4 copy's card: a character lost at a line's end shows in no score (育才街 read 育街)
    (585, "low_confidence:address"), (None, "low_confidence:address")])
def test_an_address_printed_large_stands_on_its_own_threshold(fast, long_side, declined):
    # A right address of a large print whose weakest character (a thin stroke, a rare one)
    # scored 0.95 was paid for at the threshold the small prints' misses set.
    engine_face = dict(unsure(ENGINE_FACE, "address", 0.95),
                       card_region=on_a_card_of(long_side) if long_side else None)
    engine, api = Engine(face=engine_face), Api(face=dict(FACE))
    thresholds = dict(MIN_CONFIDENCE, address=0.99, address_large_print=0.9)
    event = fast.upload("idcards/a-face.jpg")
    fast.run(Cascade(engine, api, thresholds=thresholds), event)
    result = fast.result(event.key)
    assert result.get("engine_declined") == declined
    assert result["recognized_by"] == ("api" if declined else "engine")


@pytest.mark.parametrize("long_side, decoded_scale, large", [
    (900, None, True),            # an answer that does not say: the photo's own pixels
    (900, 1.0, True),
    # a 12 MP photo read shrunk to 2048 px: the card the engine read was 450 px long
    (900, 2.0, False), (1400, 2.0, True),
    (900, float("nan"), False), (900, 0, False), (900, -1.0, False), (900, "2", False),
    (float("inf"), 1.0, False),   # a corner at 1e400 in the engine function's JSON
])
def test_a_large_print_is_measured_in_the_pixels_the_engine_read(long_side, decoded_scale,
                                                                 large):
    # The engine reads a photo decoded at most 2048 px long (engine/detect.DECODE_MAX_SIDE)
    # and gives card_region in the photo's pixels: a card 900 px long in a 4000 px photo was
    # read 460 px long, an A4 copy's small print, and its address was vouched at 0.9.
    from idcard_ocr.card.vouching import large_print

    answer = {"card_region": on_a_card_of(long_side)}
    if decoded_scale is not None:
        answer["decoded_scale"] = decoded_scale
    assert large_print(answer) is large


@pytest.mark.parametrize("evidence, declined, shown", [
    ({"second_read": "agrees", "second_score": 0.99, "margin": 0.98}, None, 0.98),
    # read twice alike, but the recogniser hesitated between two characters in the second read
    ({"second_read": "agrees", "second_score": 0.99, "margin": 0.89}, "low_confidence:name",
     0.89),
    ({"second_read": "agrees", "second_score": 0.93, "margin": 0.98}, "low_confidence:name",
     0.93),
    ({"second_read": "agrees", "second_score": "high", "margin": 0.98}, "low_confidence:name",
     None),
])
def test_a_name_stands_on_the_weakest_of_its_evidence(evidence, declined, shown):
    from idcard_ocr.card.vouching import engine_confidence

    answer = dict(ENGINE_FACE, evidence={"name": evidence})
    assert decline_reason(answer, "face", thresholds=dict(MIN_CONFIDENCE, name=0.94)) == declined
    assert engine_confidence(answer, "face").get("name") == (
        pytest.approx(shown) if shown is not None else None)


@pytest.mark.parametrize("side, change, declined", [
    ("face", {"name": "欧"}, "implausible:name"),
    ("face", {"name": "姓名欧阳晓明"}, "implausible:name"),           # a label read into it
    # another label's words joined to it, or read for it, begin with a surname all the same
    ("face", {"name": "欧阳性别"}, "implausible:name"),
    ("face", {"name": "公民身份"}, "implausible:name"),
    ("face", {"name": "肖民族汉"}, "implausible:name"),
    ("face", {"name": "欧阳晓明·"}, "implausible:name"),
    ("face", {"name": "禤婧"}, "implausible:name"),   # a surname not in the list: paid for
    ("face", {"name": "元东"}, None),                 # 元 is one (百家姓: 伍余元卜)
    ("face", {"name": "欧阳晓明"}, None),             # a compound surname
    ("face", {"name": "肖红"}, None),                 # a simplified form kept on cards
    ("face", {"name": "买买提·艾力", "nationality": "维吾尔"}, None),  # a minority name
    ("face", {"name": "买买提·艾力"}, "implausible:name"),             # … not for 汉
    ("face", {"name": "阿卜杜热合曼·买买提", "nationality": "维吾尔"}, None),
    ("face", {"name": "麦麦提依明", "nationality": "柯尔克孜"}, "implausible:name"),  # dot lost
    ("face", {"name": "洗秀东", "nationality": "裕固"}, "implausible:name"),  # 冼 misread
    ("face", {"name": "婧珂", "nationality": "纳西"}, "implausible:name"),    # surname lost
    ("face", {"name": "韦婧珂", "nationality": "壮"}, None),                  # a surname
    ("face", {"address": "开户浙江省杭州市余杭区文一西路969号"}, "implausible:address"),
    ("face", {"birth": "20990307", "num": "330110209903072316"}, "implausible:birth"),
    ("back", {"issue": "杭州市公安"}, "implausible:issue"),              # cut short
    ("back", {"issue": "签发机关杭州市公安局"}, "implausible:issue"),    # the label kept
    ("back", {"issue": "余杭区派出所"}, None),
    ("back", {"issue": "西湖公安局"}, "implausible:issue"),              # no division named
    ("back", {"issue": "陵县公安局"}, "implausible:issue"),   # 鄢陵县's end: its start lost?
    ("back", {"issue": "鄢陵县公安局"}, None),
    # A whole city's name ends a longer one's (鞍山市 of 马鞍山市): its branch tells them apart.
    ("back", {"issue": "鞍山市公安局铁东分局"}, None),              # 鞍山's district
    ("back", {"issue": "眉山市公安局东坡分局"}, None),              # 眉山's (峨眉山市 has none)
    ("back", {"issue": "鞍山市公安局花山分局"}, "implausible:issue"),  # 马鞍山's: 马 lost
    ("back", {"issue": "鞍山市公安局"}, "implausible:issue"),        # no branch to tell by
    ("back", {"start_date": "20990610", "end_date": "21190610"}, "implausible:start_date"),
])
def test_a_field_not_written_as_on_a_card_is_not_vouched_for(side, change, declined):
    answer = dict(ENGINE_FACE if side == "face" else ENGINE_BACK, **change)
    assert decline_reason(answer, side) == declined


@pytest.mark.parametrize("failure, code", [("down", errors.CONNECTION_FAILED),
                                           ("broken", "RuntimeError")])
def test_an_engine_that_fails_never_costs_the_photo_its_result(fast, failure, code):
    api = Api(face=dict(FACE))
    event, outcome = run_fast(fast, Engine(face=failure, back=failure), api)
    assert (outcome.status, outcome.recognized_by, api.calls) == ("ok", "api", ["face"])
    result = fast.result(event.key)
    assert result["engine_declined"] == f"engine_failed:{code}"
    assert "engine_confidence" not in result


def test_a_back_alone_whose_authority_may_have_lost_its_start_is_read_by_the_api():
    # 鄢陵县公安局 read 陵县公安局, alike twice at 0.998: 陵县 is a county's name too.
    engine = Engine(back=dict(ENGINE_BACK, issue="陵县公安局"))
    api = Api(back=dict(ENGINE_BACK, issue="鄢陵县公安局"))
    recognition = Cascade(engine, api).recognize(b"x", "back", Deadline(300))
    assert api.calls == ["back"] and recognition.answer["recognized_by"] == "api"
    assert recognition.answer["engine_declined"] == "implausible:issue"
    assert recognition.answer["issue"] == "鄢陵县公安局"


@pytest.mark.parametrize("evidence, declined", [
    ({"issue": {"second_read": "agrees", "first_at_column": True}}, None),
    ({"issue": {"second_read": "agrees"}}, "implausible:issue"),       # not measured there
    ({"issue": {"second_read": "agrees", "first_at_column": "yes"}}, "implausible:issue"),
    ({}, "implausible:issue"),
])
def test_an_authority_that_ends_a_longer_name_stands_when_nothing_stands_before_it(
        evidence, declined):
    # 唐县公安局 (唐县 is also the end of 行唐县): read with its first character at the back's
    # value column (engine/fields.confirm_lines), no character was lost before it.
    engine = Engine(back=dict(ENGINE_BACK, issue="唐县公安局", evidence=evidence))
    api = Api(back=dict(ENGINE_BACK, issue="唐县公安局"))
    recognition = Cascade(engine, api).recognize(b"x", "back", Deadline(300))
    assert recognition.answer.get("engine_declined") == declined
    assert api.calls == ([] if declined is None else ["back"])


def test_no_time_for_the_engine_means_the_api_reads_at_once():
    engine, api = Engine(face=ENGINE_FACE), Api(face=dict(FACE))
    recognition = Cascade(engine, api, api_reserve_s=10).recognize(b"x", "face", Deadline(9))
    assert engine.calls == [] and api.calls == ["face"] and recognition.attempts == 1
    assert recognition.answer["engine_declined"] == "engine_skipped:no_time"


def test_a_sheet_stands_only_when_the_engine_vouches_for_both_sides(fast):
    engine, api = Engine(face=SHEET_FACE, back=SHEET_BACK), Api(face=dict(FACE))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (outcome.api_calls, api.calls) == (0, [])
    result = fast.result(event.key)
    assert result["recognized_by"] == "engine"
    assert {side: part["recognized_by"] for side, part in result["sides"].items()} == \
        {"face": "engine", "back": "engine"}


def test_a_sheet_whose_back_the_engine_doubts_is_read_by_the_api_on_both_sides(fast):
    engine = Engine(face=SHEET_FACE, back=unsure(SHEET_BACK, "issue"))
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (outcome.api_calls, api.calls) == (2, ["face", "back"])
    result = fast.result(event.key)
    assert result["recognized_by"] == "api"
    assert result["engine_declined"] == "back:low_confidence:issue"
    assert result["sides"]["back"]["recognized_by"] == "api"
    assert result["sides"]["back"]["engine_declined"] == "back:low_confidence:issue"


# The face of a sheet on which the engine found one card: small in the photo, on a copy's page
# (engine/__init__.py's `on_sheet`); its back, beside it, not found (wayfarer: 22 of 100 sheets).
LONE_FACE_ON_SHEET = dict(ENGINE_FACE, on_sheet=True)


def test_a_sheet_on_which_the_engine_found_one_card_is_not_vouched_complete(fast):
    """The face the engine found stands on its own; the back it did not find is the API's,
    and the result says why (the user copied both sides and gets both)."""
    engine, api = Engine(face=LONE_FACE_ON_SHEET), Api(face=dict(FACE), back=dict(BACK))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (api.calls, outcome.api_calls) == (["back"], 1)
    sides = fast.result(event.key)["sides"]
    assert sides["face"]["recognized_by"] == "engine"
    assert (sides["back"]["recognized_by"], sides["back"]["engine_declined"]) == \
        ("api", "back:one_side")


def test_a_sheet_whose_lone_card_the_engine_cannot_vouch_for_is_read_by_the_api_on_both_sides(
        fast):
    engine = Engine(face=unsure(LONE_FACE_ON_SHEET, "name"))
    api = Api(face=dict(FACE), back=dict(BACK))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert api.calls == ["face", "back"]
    result = fast.result(event.key)
    assert result["engine_declined"] == "low_confidence:name"
    assert result["sides"]["back"]["engine_declined"] == "back:one_side"


def test_a_sheet_on_which_the_engine_found_only_the_back_gets_its_face_from_the_api(fast):
    # CARD_SIDE=auto asks for the face first: the engine's "not this side" is not believed for
    # a sheet's lone card, and the back it vouched for is still read free (wayfarer's two-up
    # scans: the back's frame took in the face).
    engine = Engine(back=dict(ENGINE_BACK, on_sheet=True))
    api = Api(face=dict(FACE), back=dict(BACK))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (api.calls, outcome.api_calls) == (["face"], 1)
    sides = fast.result(event.key)["sides"]
    assert (sides["face"]["recognized_by"], sides["face"]["engine_declined"]) == \
        ("api", "face:one_side")
    assert sides["back"]["recognized_by"] == "engine"


def test_a_sheet_whose_face_the_engine_could_not_read_gets_both_sides_from_the_api(fast):
    # The engine found both cards and read nothing of the face (stranger: 2 sheets): the API
    # reads the face, and is asked for the back too, which the engine cannot vouch for alone.
    engine = Engine(face="unreadable", back=SHEET_BACK)
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (api.calls, outcome.api_calls) == (["face", "back"], 2)
    sides = fast.result(event.key)["sides"]
    assert sides["face"]["engine_declined"] == "engine_failed:recognition_failed"
    assert sides["back"]["engine_declined"] == "engine_failed:recognition_failed"


def test_a_fault_while_looking_for_an_unreadable_sides_other_side_never_costs_the_photo(fast):
    engine, api = Engine(face="unreadable", back="broken"), Api(face=dict(FACE))
    event, outcome = run_fast(fast, engine, api)
    assert (outcome.status, outcome.recognized_by, api.calls) == ("ok", "api", ["face"])


def test_a_lone_card_off_any_sheet_is_complete_as_before(fast):
    engine, api = Engine(face=ENGINE_FACE), Api(face=dict(FACE), back=dict(BACK))
    event, outcome = run_fast(fast, engine, api, key="idcards/unnamed.jpg")
    assert (api.calls, outcome.api_calls, outcome.recognized_by) == ([], 0, "engine")


@pytest.mark.parametrize("face, back", [
    (SHEET_FACE, SHEET_BACK),                            # both vouched: free
    (SHEET_FACE, unsure(SHEET_BACK, "issue")),           # the back doubted: the API reads both
    (LONE_FACE_ON_SHEET,   "absent"),                     # a lone face: the back is the API's
    ("absent", dict(ENGINE_BACK, on_sheet=True)),        # a lone back: the face is the API's
    ("absent", "unreadable"),                            # "not this side", the other unreadable
])
def test_the_engine_reads_each_side_of_a_photo_once(fast, face, back):
    # CARD_SIDE=auto asks the cascade for the face, then for the other side the answer lists:
    # the engine had read that side already (to judge the sheet whole), and was asked again,
    # and again for the first side (an HTTP request each to the engine function).
    engine = Engine(face=face, back=back)
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert sorted(engine.calls) == sorted(set(engine.calls))


@pytest.mark.parametrize("face", [LONE_FACE_ON_SHEET,                     # the face vouched
                                  unsure(SHEET_FACE, "name")])            # the API read it
def test_an_api_failure_on_a_side_the_engine_did_not_find_keeps_the_side_read(fast, face):
    # A card with text beside it may be on a copy's page, or on a keyboard: the API is asked
    # for the side the engine did not find, and timed out. The invocation failed and was
    # retried, and the side read was lost with it; now it stands and the result says what is
    # missing. Pay once: the face is in the claim before the back is asked for.
    engine, api = Engine(face=face, back="absent"), Api(face=dict(FACE), back="down")
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (outcome.status, outcome.side, api.calls[-1]) == ("ok", "face", "back")
    result = fast.result(event.key)
    assert result["fields"] == FACE and "sides" not in result
    assert result["sides_missing"] == {"back": errors.API_UNAVAILABLE}
    assert fast.claims() == []


def test_an_api_failure_on_a_side_the_engine_stopped_looking_for_is_retried(fast):
    # A sheet on a newspaper: the engine found the face and spent the photo's work budget
    # before it found the back. The back may well be on the page: the API's timeout on it
    # is retried, never a result that says the photo lacks its back.
    face = dict(LONE_FACE_ON_SHEET, over_budget=True)
    engine, api = Engine(face=face, back="spent"), Api(face=dict(FACE), back="down")
    with pytest.raises(TransientError) as failed:
        run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert not isinstance(failed.value, errors.UnfoundSideUnread)
    assert api.calls == ["face", "back"]


def test_an_api_failure_on_a_side_the_engine_found_is_retried(fast):
    # Both cards found, the back doubted: the page holds the back, and another attempt reads it.
    engine = Engine(face=SHEET_FACE, back=unsure(SHEET_BACK, "issue"))
    api = Api(face=dict(FACE), back="down")
    with pytest.raises(TransientError):
        run_fast(fast, engine, api, key="idcards/sheet.jpg")


@pytest.mark.parametrize("back", ["unreadable",  # found, none of its fields read
                                  "down"])       # the engine function unreachable: not looked
def test_an_api_failure_on_a_side_the_engine_did_not_rule_out_is_retried(fast, back):
    # The face's answer lists the back (both cards found); the engine then could not read the
    # back, or could not be asked. That is no "not found": the page holds the back, and the
    # API's timeout on it dropped it as missing from a result never retried.
    engine = Engine(face=SHEET_FACE, back=back)
    api = Api(face=dict(FACE), back="down")
    with pytest.raises(TransientError):
        run_fast(fast, engine, api, key="idcards/sheet.jpg")


def test_a_page_on_which_the_engine_found_no_card_has_the_api_read_both_sides(fast):
    # A copy's page with both cards lost (darkened, turned, under a pen note: wayfarer 10,
    # stranger 10 sheets): the engine's miss says on_sheet, and the API is asked for the back
    # too, where before it read the face alone and the back was lost.
    engine = Engine(face="page", back="page")
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (api.calls, outcome.api_calls) == (["face", "back"], 2)
    result = fast.result(event.key)
    assert set(result["sides"]) == {"face", "back"}
    assert result["sides"]["back"]["engine_declined"] == "no_card_found"
    # ... and a photo without a card that is no page: the API reads the side it finds, once
    engine, api = Engine(), Api(face=dict(FACE))
    run_fast(fast, engine, api, key="idcards/unnamed.jpg")
    assert api.calls == ["face"]


@pytest.mark.parametrize("face, back", [
    ("spent", "spent"),      # neither card found before the photo's work budget ran out
    (dict(ENGINE_FACE, over_budget=True), "spent"),  # the face found, the back not looked for
])
def test_a_photo_the_engine_stopped_reading_at_its_budget_has_the_api_read_both_sides(
        fast, face, back):
    # A sheet on a newspaper: the engine spent the photo's work budget before it had looked
    # for every side. "The API reads the sheet" means what the engine could not read: the
    # API read the face alone, and the back on the page was lost (the engine's answers did
    # not list it, so CARD_SIDE=auto never asked for it).
    engine = Engine(face=face, back=back)
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    assert (api.calls, outcome.api_calls) == (["face", "back"], 2)
    result = fast.result(event.key)
    assert set(result["sides"]) == {"face", "back"}
    assert result["engine_declined"] == "over_budget"
    assert result["sides"]["back"]["engine_declined"] == "over_budget"
    # ... and a card alone on such a page costs one call more, which finds nothing: the side
    # stands as read, retried never (the API's answer is a real one: no such side)
    engine, api = Engine(face=face, back=back), Api(face=dict(FACE), back="absent")
    event, outcome = run_fast(fast, engine, api, key="idcards/alone.jpg")
    assert (outcome.status, api.calls) == ("ok", ["face", "back"])
    assert "sides" not in fast.result(event.key)


def test_a_page_without_a_card_is_judged_by_its_own_reading_not_by_what_is_remembered():
    # Other invocations of the same instance read their photos while the API reads this one:
    # the remembered reads of this page were pushed out (REMEMBERED_READS), and the page's
    # back was not asked for: whether a page's second side is read depended on other photos.
    from idcard_ocr.io.cascade import REMEMBERED_READS

    class BusyApi(Api):
        def recognize(self, image, side, deadline):
            if image == b"the page":
                for n in range(REMEMBERED_READS):
                    cascade.recognize(b"another photo %d" % n, "face", Deadline(60))
            return super().recognize(image, side, deadline)

    api = BusyApi(face=dict(FACE), back=dict(BACK))
    cascade = Cascade(Engine(face="page", back="page"), api)
    recognition = cascade.recognize(b"the page", "face", Deadline(60))
    assert recognition.answer["sides_found"] == ["face", "back"]


@pytest.mark.parametrize("flag", [
    "on_sheet",      # a page on which the engine found no card: the API reads both sides
    # a side not found within the photo's work budget (a sheet on a newspaper) was not looked
    # for to the end: an API failure on it is retried, not recorded as a side the photo lacks
    "over_budget"])
def test_a_miss_says_what_the_engine_said_of_it_through_either_engine_client(flag):
    from idcard_ocr.io.ocr_api import checked_answer
    from idcard_ocr.io.offline import engine_answer

    for read in (engine_answer, checked_answer):
        for answer, said in (({"success": False, flag: True}, True),
                             ({"success": False}, False),
                             ({"success": False, flag: "yes"}, False)):
            with pytest.raises(PermanentError) as missed:
                read(answer, "face")
            assert missed.value.code == errors.NOT_AN_ID_CARD
            assert getattr(missed.value, flag) is said


def test_a_sheet_back_is_judged_by_the_face_birth():
    # 20 years would be right for a back alone; the face says the holder was 25 at issue.
    assert decline_reason(dict(SHEET_BACK, end_date="20350610"), "back") is None
    assert sheet_decline_reason({"face": SHEET_FACE, "back": dict(
        SHEET_BACK, end_date="20350610")}) == "back:checks_failed:validity_length"


@pytest.mark.parametrize("issue, address, declined", [
    ("杭州市公安局余杭分局", FACE["address"], None),
    ("余杭区公安局", FACE["address"], None),
    # A police station's own name is no division: its bureau's is looked for.
    ("杭州市公安局余杭分局五常派出所", FACE["address"], None),
    # One character misread in the authority, every character sure (培城 for 涪城): the card's
    # two sides name two counties, which no real card does.
    ("绵阳市公安局培城区分局", "四川省绵阳市涪城区临园路东段68号", "back:checks_failed:authority_elsewhere"),
    # A lost first character (鄢陵县 read 陵县, vouched at 0.996 on novel): its rest ends a
    # longer division's name, which the back alone pays for already (implausible);
    # authority_elsewhere would catch it too (test_authority_elsewhere_looks_where_a_name_begins).
    ("陵县公安局", "河南省许昌市鄢陵县马栏镇", "back:implausible:issue"),
    ("城区分局", "四川省绵阳市涪城区临园路东段68号", "back:implausible:issue"),
    ("济南市公安局市中分局", "山东省济南市市中区英雄山路", None),  # 市中 after 济南市's 市
    ("鄢陵县公安局", "河南省许昌市鄢陆县马栏镇", "back:checks_failed:authority_elsewhere"),
])
def test_a_sheet_whose_authority_issues_elsewhere_than_its_address_is_paid(
        fast, issue, address, declined):
    engine = Engine(face=dict(SHEET_FACE, address=address), back=dict(SHEET_BACK, issue=issue))
    api = Api(face=dict(FACE), back=dict(BACK, end_date="20250610"))
    event, outcome = run_fast(fast, engine, api, key="idcards/sheet.jpg")
    result = fast.result(event.key)
    assert result.get("engine_declined") == declined
    assert outcome.api_calls == (2 if declined else 0)
    if declined:
        assert result["fields"]["address"] == FACE["address"]  # the API's answer stands


def test_authority_elsewhere_looks_where_a_name_begins():
    # Its rest is in the address, but not where a division's name begins (after a
    # province's, a city's suffix).
    from idcard_ocr.card.vouching import authority_elsewhere

    assert authority_elsewhere("陵县公安局", "河南省许昌市鄢陵县马栏镇")
    assert authority_elsewhere("城区分局", "四川省绵阳市涪城区临园路东段68号")
    assert not authority_elsewhere("鄢陵县公安局", "河南省许昌市鄢陵县马栏镇")


def test_a_back_alone_names_no_address_to_check_its_authority_against(fast):
    engine = Engine(back=dict(ENGINE_BACK, issue="绵阳市公安局培城区分局"))
    event, outcome = run_fast(fast, engine, Api(face="absent"), key="idcards/a-back.jpg")
    assert (outcome.recognized_by, outcome.api_calls) == ("engine", 0)


def test_the_engine_saying_not_this_side_is_believed_only_when_it_vouches_for_the_other(fast):
    engine, api = Engine(face="absent", back=ENGINE_BACK), Api(face="absent")
    event, outcome = run_fast(fast, engine, api, key="idcards/unnamed-1.jpg")
    assert (outcome.side, outcome.api_calls, api.calls) == ("back", 0, [])
    engine, api = Engine(face="absent", back=unsure(ENGINE_BACK, "issue")), \
        Api(face=dict(FACE))
    event, outcome = run_fast(fast, engine, api, key="idcards/unnamed-2.jpg")
    assert (outcome.side, api.calls) == ("face", ["face"])  # the engine misjudged: the API reads
    assert fast.result(event.key)["engine_declined"] == "no_card_found"


def test_a_photo_the_engine_finds_nothing_on_is_read_by_the_api_as_before(fast):
    api = Api(face="absent", back=dict(BACK))
    event, outcome = run_fast(fast, Engine(), api, key="idcards/unnamed.jpg")
    assert (outcome.side, api.calls, outcome.api_calls) == ("back", ["face", "back"], 2)


def test_a_vouched_reading_is_kept_and_never_paid_for_on_retry_even_with_the_engine_down(fast):
    engine, api = Engine(face=ENGINE_FACE), Api(face=dict(FACE))
    event = fast.upload("idcards/kept-face.jpg")
    result_key = fast.results.key_for(event.key)

    def result_write_fails(operation, key):
        if operation.startswith("PUT") and key == result_key:
            raise TransientError(errors.STORAGE_UNAVAILABLE, "scripted")
    fast.store.before = result_write_fails
    with pytest.raises(TransientError):
        fast.run(Cascade(engine, api), event)
    claim = json.loads(fast.store.get(fast.claims()[0]))
    assert claim["answers"]["face"]["recognized_by"] == "engine"
    fast.store.before = lambda *a: None
    engine.script["face"] = "down"
    outcome = fast.run(Cascade(engine, api), event)
    assert (outcome.status, outcome.kept_answer, outcome.recognized_by) == ("ok", True, "engine")
    assert api.calls == [] and engine.calls == ["face"] and fast.claims() == []
    assert fast.result(event.key)["recognized_by"] == "engine"


def test_the_offline_engine_alone_costs_no_call():
    engine = OfflineEngine()
    # attempts count billed calls (io/seams.py): the engine's reading is not one.
    from tests.fakes import realistic

    photo = realistic.shoot("clean", 7, side="face")
    assert engine.recognize(photo.data, "face").attempts == 0


def test_a_side_the_engine_found_but_read_nothing_of_is_unreadable_and_the_api_reads_it(
        monkeypatch):
    """Seen on unseen cards (a back turned a quarter, its row not read): the engine answers
    success with every field empty. Alone it is `recognition_failed` naming the engine (it
    was reported as the API's bad answer); in the cascade the API reads the photo."""
    import idcard_ocr.engine as engine_package

    empty = {"success": True, "issue": "", "start_date": "", "end_date": "",
             "confidence": {"issue": 0.0, "start_date": 0.0, "end_date": 0.0},
             "sides_found": ["back"], "engine": "idcard-ocr offline"}
    monkeypatch.setattr(engine_package, "recognize", lambda image, side: dict(empty))
    with pytest.raises(PermanentError) as raised:
        OfflineEngine().recognize(b"photo", "back")
    assert raised.value.code == errors.RECOGNITION_FAILED
    assert "offline engine" in str(raised.value) and "API" not in str(raised.value)

    class PaidApi:
        def __init__(self):
            self.calls = []

        def recognize(self, image, side, deadline=None):
            self.calls.append(side)
            return Recognition({"success": True, "issue": "某市公安局", "start_date": "20200101",
                                "end_date": "20300101"}, 1)

    api = PaidApi()
    recognition = Cascade(OfflineEngine(), api).recognize(b"photo", "back", Deadline(300))
    assert api.calls == ["back"] and recognition.attempts == 1
    assert recognition.answer["recognized_by"] == "api"
    assert recognition.answer["engine_declined"] == "engine_failed:recognition_failed"


def test_with_the_engine_alone_a_reading_stopped_at_its_budget_says_so_in_the_result(
        fast, monkeypatch):
    # OCR_ENGINE=local: no API reads what the engine could not, so the result itself must say
    # that the reading stopped at the work budget (docs/engine.md, "The budget"): the answer
    # kept in the result is flagged and its empty fields doubted, and a side not found says it
    # was not looked for to the end rather than that the photo holds no card.
    import idcard_ocr.engine as engine_package

    read = dict(ENGINE_FACE, address="", over_budget=True,
                confidence=dict(ENGINE_FACE["confidence"], address=0.0),
                doubts={"address": "over_budget"})
    monkeypatch.setattr(engine_package, "recognize", lambda image, side: json.loads(
        json.dumps(read if side == "face" else {"success": False, "over_budget": True,
                                                  "sides_found": []})))
    event = fast.upload("idcards/on-a-newspaper.jpg")
    outcome = fast.run(OfflineEngine(), event, card_side="auto")
    assert (outcome.status, outcome.api_calls, outcome.recognized_by) == ("ok", 0, "engine")
    result = fast.result(event.key)
    assert result["api"]["over_budget"] is True
    assert result["api"]["doubts"] == {"address": "over_budget"}
    assert result["fields"]["address"] == "" and result["fields"]["name"] == FACE["name"]
    # ... and a photo on which it found no side within the budget is no "not an ID card" that
    # was looked for to the end: the error says where it stopped
    monkeypatch.setattr(engine_package, "recognize", lambda image, side: {
        "success": False, "over_budget": True, "sides_found": []})
    event = fast.upload("idcards/a-page-of-print.jpg", seed=2)
    outcome = fast.run(OfflineEngine(), event, card_side="auto")
    assert (outcome.status, outcome.reason) == ("error", errors.NOT_AN_ID_CARD)
    error = fast.result(event.key)["error"]
    assert "work budget" in error["message"] and "may be on the photo" in error["message"]


def test_a_paired_back_belongs_to_its_holder_as_on_a_real_card():
    """The calibration's sheets (tests/fakes/cards.random_back with the face's birth): issued
    after the birth, valid as long as the holder's age gives, judged by card/checks.py."""
    import random

    from idcard_ocr.card.checks import back_checks
    from tests.fakes.cards import REAL_PLACES, random_back, random_face

    rng, lengths = random.Random(23), set()
    for _ in range(300):
        face = random_face(rng, places=REAL_PLACES)
        back = random_back(rng, places=REAL_PLACES, birth=face["birth"])
        checks = back_checks(back, birth=face["birth"])
        assert checks["validity_format"]["ok"] and checks["validity_length"]["ok"], back
        assert back["start_date"] > face["birth"]
        lengths.add(back["end_date"] if back["end_date"] == "长期" else
                    int(back["end_date"][:4]) - int(back["start_date"][:4]))
    assert lengths == {5, 10, 20, "长期"}  # every age band occurs


def test_a_paired_sheet_is_issued_where_its_holder_lives_in_every_rendering():
    """A card is issued by the bureau of the county its address registers (the rule behind
    vouching.authority_elsewhere): a paired sheet of each generator the cascade is fitted and
    measured on says so, or every such sheet is paid for a defect no real card has."""
    import random

    from idcard_ocr.card.vouching import authority_elsewhere
    from tests.fakes import realistic, renderings
    from tests.fakes.cards import REAL_PLACES, authority_of, random_face

    rng = random.Random(23)
    for _ in range(300):
        address = random_face(rng, places=REAL_PLACES)["address"]
        assert not authority_elsewhere(authority_of(address, REAL_PLACES), address)
    sheets = [realistic.shoot("sheet_scan", 40_001, paired=True),
              realistic.shoot("sheet_photo", 40_002, paired=True),
              renderings.shoot("gb", "sheet", 4001, paired=True),
              renderings.shoot("specimen", "sheet", 4001, paired=True)]
    for sheet in sheets:
        assert not authority_elsewhere(sheet.truth["back"]["issue"],
                                       sheet.truth["face"]["address"])


# Settings and the composition root ------------------------------------------------------------

BASE = {"RESULT_SIGNING_KEY": "Zk7qW2mX9pL4vN8rT3yB6cH1jF5gD0sA2eU7iO4wQ9zX3nM8", "OSS_ENDPOINT": "http://127.0.0.1:9",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret"}


def test_cascade_needs_the_api_appcode_and_takes_the_engine_url_only_in_cascade_mode():
    with pytest.raises(ConfigError, match="OCR_APPCODE"):
        Settings.from_env(BASE | {"OCR_ENGINE": "cascade"})
    with pytest.raises(ConfigError, match="ENGINE_URL"):
        Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "ENGINE_URL": "http://127.0.0.1:1/x"})
    with pytest.raises(ConfigError, match="ENGINE_TIMEOUT_S"):
        Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade",
                                  "ENGINE_TIMEOUT_S": "0"})
    with pytest.raises(ConfigError, match="ENGINE_APPCODE"):
        Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade",
                                  "ENGINE_APPCODE": "has space"})


CASCADE = BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade"}


@pytest.mark.parametrize("name, url", [
    ("ENGINE_URL", "http://engine.example.com/rest/160601/ocr/ocr_idcard.json"),
    ("ENGINE_URL", "http://10.0.0.8/rest/x"),          # a private address is still a network
    ("OCR_API_URL", "http://dm-51.data.aliyun.com/rest/160601/ocr/ocr_idcard.json"),
    ("OCR_API_URL", "http://127.0.0.1.example.com/x"),  # a name that only looks local
])
def test_an_appcode_never_goes_over_plain_http_to_another_machine(name, url):
    # ENGINE_URL took http:// to any host: the engine's AppCode (and the card) crossed the
    # network in clear text. OCR_API_URL, which carries the marketplace's, follows one rule.
    # What the templates give it stays valid: an FC 3.0 HTTP trigger's urlInternet is
    # https://<...>.fcapp.run (FC API 2023-03-30, struct HTTPTrigger), the marketplace https.
    with pytest.raises(ConfigError, match="https") as refused:
        Settings.from_env(CASCADE | {"ENGINE_APPCODE": "engine-code-0123456789", name: url})
    assert [p.variable for p in refused.value.problems] == [name]


@pytest.mark.parametrize("url", ["http://[::1", "http://[zz]/x", "http://[::1]:99999/x",
                                 "https://host:port/x"])
def test_a_malformed_host_or_port_is_refused_naming_the_setting(url):
    # urlsplit raises ValueError on these: start-up failed with a bare ValueError, no setting
    # named (the check caught it only around .hostname, after urlsplit had raised).
    for name in ("ENGINE_URL", "OCR_API_URL", "KMS_ENDPOINT"):
        with pytest.raises(ConfigError, match="http") as refused:
            Settings.from_env(CASCADE | {"ENGINE_APPCODE": "engine-code-0123456789", name: url})
        assert [p.variable for p in refused.value.problems] == [name]


def test_a_url_the_http_client_reads_as_another_host_is_refused():
    # urlsplit read the host after the '@' (127.0.0.1, so plain http was taken); requests and
    # urllib3 end the host at the backslash and would send the AppCode to evil.example.com.
    import requests
    url = "http://evil.example.com\\@127.0.0.1/x"
    assert requests.Request("POST", url).prepare().url.startswith("http://evil.example.com")
    for name in ("ENGINE_URL", "OCR_API_URL"):
        with pytest.raises(ConfigError) as refused:
            Settings.from_env(CASCADE | {"ENGINE_APPCODE": "engine-code-0123456789", name: url})
        assert [p.variable for p in refused.value.problems] == [name]


@pytest.mark.parametrize("host", ["127.0.0.1:8", "localhost:8", "[::1]:8", "127.3.2.1"])
def test_plain_http_to_a_loopback_host_and_https_anywhere_are_taken(host):
    settings = Settings.from_env(CASCADE | {"ENGINE_APPCODE": "engine-code-0123456789",
                                            "ENGINE_URL": f"http://{host}/rest/x",
                                            "OCR_API_URL": f"http://{host}/api"})
    assert settings.engine_url == f"http://{host}/rest/x"
    assert Settings.from_env(CASCADE | {"ENGINE_APPCODE": "engine-code-0123456789",
                                        "ENGINE_URL": "https://engine.example.com/x"}).engine_url


def test_an_engine_url_without_an_appcode_is_refused_at_start_unless_said_so():
    # Every photo went to the API, paid for, without a word: the deployed engine refuses a
    # request that carries no AppCode.
    with pytest.raises(ConfigError, match="ENGINE_WITHOUT_APPCODE") as refused:
        App.from_environment(CASCADE | {"ENGINE_URL": "https://engine.example.com/x"})
    assert [p.variable for p in refused.value.problems] == ["ENGINE_APPCODE"]
    # An engine that takes no AppCode (one's own, behind a private network) is said so.
    settings = Settings.from_env(CASCADE | {"ENGINE_URL": "https://engine.example.com/x",
                                            "ENGINE_WITHOUT_APPCODE": "true"})
    assert settings.engine_url and settings.engine_appcode is None
    for more in ({}, {"ENGINE_URL": "https://e.example.com/x", "ENGINE_APPCODE": "code-12345"}):
        with pytest.raises(ConfigError, match="ENGINE_WITHOUT_APPCODE"):
            Settings.from_env(CASCADE | {"ENGINE_WITHOUT_APPCODE": "true"} | more)
    # Commands that recognise nothing (report, a dry run) do not ask for it.
    assert Settings.from_env(CASCADE | {"ENGINE_URL": "https://engine.example.com/x"},
                             recognizes=False).engine_url


def test_the_cascade_reads_in_process_or_through_the_engine_url():
    app = App.from_environment(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade"})
    assert isinstance(app.recognizer, Cascade) and isinstance(app.recognizer.engine,
                                                              OfflineEngine)
    app = App.from_environment(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade",
                                       "ENGINE_URL": "http://127.0.0.1:1/rest/x",
                                       "ENGINE_APPCODE": "engine-code-0123456789",
                                       "ENGINE_TIMEOUT_S": "3"})
    engine = app.recognizer.engine
    assert isinstance(engine, MarketplaceClient) and engine.api_url == "http://127.0.0.1:1/rest/x"
    assert (engine.policy.max_attempts, engine.policy.per_call_s) == (1, 3.0)
    assert isinstance(app.recognizer.api, MarketplaceClient)
    assert app.recognizer.api.api_url != engine.api_url


def cascade_settings(**more):
    return Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade"} | more)


@pytest.mark.parametrize("value, expected", [
    ("0.97", {name: 0.97 for name in MIN_CONFIDENCE}),
    # an address's threshold is its large print's too, unless that is given by name
    ("0.97,address=0.99", dict({name: 0.97 for name in MIN_CONFIDENCE}, address=0.99,
                               address_large_print=0.99)),
    ("address=0.99, 0.97", dict({name: 0.97 for name in MIN_CONFIDENCE}, address=0.99,
                                address_large_print=0.99)),
    ("address=0.99,address_large_print=0.95", {"address": 0.99, "address_large_print": 0.95}),
    ("name=1, num=0", {"name": 1.0, "num": 0.0}),
    ("  ", {}),
])
def test_the_thresholds_can_be_overridden_by_a_setting(value, expected):
    assert dict(cascade_settings(CASCADE_MIN_CONFIDENCE=value).confidence_overrides) == expected
    app = App.from_environment(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade",
                                       "CASCADE_MIN_CONFIDENCE": value})
    assert dict(app.recognizer.thresholds) == dict(MIN_CONFIDENCE, **expected)


@pytest.mark.parametrize("value, message", [
    ("1.5", "is not a threshold"), ("-0.1", "is not a threshold"), ("nan", "is not a threshold"),
    ("high", "is not a threshold"), ("address=", "is not a threshold"),
    ("adress=0.9", "'adress' is not a field"), ("0.9,0.95", "two thresholds"),
    ("0.9,,address=0.95", "is not a threshold"),
])
def test_a_wrong_threshold_override_is_refused_at_start_naming_the_setting(value, message):
    with pytest.raises(ConfigError, match=message) as refused:
        cascade_settings(CASCADE_MIN_CONFIDENCE=value)
    assert refused.value.variable == "CASCADE_MIN_CONFIDENCE"


@pytest.mark.parametrize("name, value", [("CASCADE_MIN_CONFIDENCE", "0.9"),
                                         ("CASCADE_FORCE_API", "true")])
def test_the_cascade_settings_are_refused_in_another_mode(name, value):
    with pytest.raises(ConfigError, match="only with OCR_ENGINE=cascade"):
        Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, name: value})
    assert Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "CASCADE_FORCE_API": "false"})


def test_the_kill_switch_sends_every_photo_to_the_api_without_asking_the_engine(fast):
    with pytest.raises(ConfigError, match="CASCADE_FORCE_API"):
        cascade_settings(CASCADE_FORCE_API="maybe")
    app = App.from_environment(BASE | {"OCR_APPCODE": APPCODE, "OCR_ENGINE": "cascade",
                                       "CASCADE_FORCE_API": "yes"})
    assert app.recognizer.force_api is True
    engine, api = Engine(face=ENGINE_FACE), Api(face=dict(FACE))
    event = fast.upload("idcards/forced-face.jpg")
    outcome = fast.run(Cascade(engine, api, force_api=True), event)
    assert (outcome.status, outcome.api_calls, outcome.recognized_by) == ("ok", 1, "api")
    assert engine.calls == [] and api.calls == ["face"]
    assert fast.result(event.key)["engine_declined"] == "api_forced"


# Over the real object protocol ----------------------------------------------------------------

ENGINE_APPCODE = "engine-appcode-0123456789abcdef"


@pytest.fixture(scope="module")
def _engine_server():
    with OcrApiServer() as server:
        yield server


@pytest.fixture
def engine_fn(_engine_server):
    """The engine function's stand-in: the contract server answering as the engine does."""
    _engine_server.reset()
    _engine_server.state.appcodes = (ENGINE_APPCODE,)
    _engine_server.state.face = json.loads(json.dumps(ENGINE_FACE))
    _engine_server.state.back = json.loads(json.dumps(ENGINE_BACK))
    yield _engine_server


@pytest.fixture
def cascade_env(env, engine_fn):
    return env | {"OCR_ENGINE": "cascade", "ENGINE_URL": engine_fn.url,
                  "ENGINE_APPCODE": ENGINE_APPCODE}


def run(bucket, env, *items):
    summary = handle(oss_event(bucket.bucket_name, *items), fc_context(), env)
    return summary["objects"][0]


def stored(bucket, key):
    return json.loads(bucket.get_object(key + ".json").read())


def test_over_http_the_engine_function_reads_first_and_the_api_is_not_called(
        bucket, cascade_env, ocr_api, engine_fn):
    item = upload(bucket, "idcards/c1-face.jpg", images.card_jpeg(seed=231))
    assert run(bucket, cascade_env, item)["recognized_by"] == "engine"
    assert ocr_api.requests == [] and [r.side for r in engine_fn.requests] == ["face"]
    assert engine_fn.requests[0].headers["Authorization"] == f"APPCODE {ENGINE_APPCODE}"
    result = stored(bucket, item[0])
    assert result["recognized_by"] == "engine" and result["fields"] == FACE


def test_an_answer_cannot_name_its_own_reader(bucket, env, ocr_api):
    # The marketplace's (or the engine's) answer saying who read it was believed: a paid
    # reading recorded as the engine's (free in report and backfill), with confidences that
    # are no number the console could show.
    ocr_api.state.face = dict(FACE, recognized_by="engine", engine_declined="<i>x</i>",
                              engine_confidence={"name": 10 ** 400})
    item = upload(bucket, "idcards/c0-face.jpg", images.card_jpeg(seed=230))
    assert run(bucket, env, item)["recognized_by"] == "api"
    result = stored(bucket, item[0])
    assert result["recognized_by"] == "api" and result["fields"] == FACE
    assert not {"engine_confidence", "engine_declined"} & (set(result) | set(result["api"]))


def test_over_http_a_declined_reading_is_paid_once_with_the_reason(
        bucket, cascade_env, ocr_api, engine_fn):
    engine_fn.state.face = unsure(ENGINE_FACE, "address", 0.3)
    item = upload(bucket, "idcards/c2-face.jpg", images.card_jpeg(seed=232))
    assert run(bucket, cascade_env, item)["recognized_by"] == "api"
    assert [r.side for r in ocr_api.requests] == ["face"]
    result = stored(bucket, item[0])
    assert result["engine_declined"] == "low_confidence:address"
    assert result["engine_confidence"]["address"] == 0.3
    assert run(bucket, cascade_env, item)["reason"] == "already_done"
    assert len(ocr_api.requests) == 1


@pytest.mark.parametrize("trouble", ["busy", "unreachable", "garbage"])
def test_over_http_an_engine_in_trouble_means_the_api_reads(
        bucket, cascade_env, ocr_api, engine_fn, trouble):
    env = dict(cascade_env)
    if trouble == "busy":
        engine_fn.fail_next(429, "server busy: memory budget in use, retry later")
    elif trouble == "garbage":
        engine_fn.fail_next(200, "ok", body=b"<html>not json</html>")
    else:
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            env["ENGINE_URL"] = f"http://127.0.0.1:{s.getsockname()[1]}/rest/x"
    item = upload(bucket, f"idcards/c3-{trouble}-face.jpg", images.card_jpeg(seed=233))
    assert run(bucket, env, item)["recognized_by"] == "api"
    assert [r.side for r in ocr_api.requests] == ["face"]
    assert stored(bucket, item[0])["engine_declined"].startswith("engine_failed:")
    if trouble == "busy":
        assert len(engine_fn.requests) == 1  # a busy engine is not asked again


def test_over_http_a_vouched_reading_survives_a_failed_write_and_the_engine_going_down(
        bucket, cascade_env, ocr_api, engine_fn, oss_server):
    item = upload(bucket, "idcards/c4-face.jpg", images.card_jpeg(seed=234))
    oss_server.fail_next("PUT", f"/{bucket.bucket_name}/idcards/c4-face.jpg.json", 503,
                         "ServiceUnavailable", times=20)
    with pytest.raises(InvocationFailed):
        run(bucket, cascade_env | {"OCR_MAX_ATTEMPTS": "1"}, item)
    oss_server.clear_failures()
    engine_fn.fail_next(503, "engine down", times=10)
    assert run(bucket, cascade_env, item)["recognized_by"] == "engine"
    assert ocr_api.requests == [] and len(engine_fn.requests) == 1
    assert stored(bucket, item[0])["recognized_by"] == "engine"


def test_over_http_the_settings_raise_a_threshold_or_force_the_api(
        bucket, cascade_env, ocr_api, engine_fn):
    item = upload(bucket, "idcards/c6-face.jpg", images.card_jpeg(seed=236))
    env = cascade_env | {"CASCADE_MIN_CONFIDENCE": f"address={SURE + 0.001:g}"}
    assert run(bucket, env, item)["recognized_by"] == "api"
    assert stored(bucket, item[0])["engine_declined"] == "low_confidence:address"
    item = upload(bucket, "idcards/c7-face.jpg", images.card_jpeg(seed=237))
    assert run(bucket, cascade_env | {"CASCADE_FORCE_API": "true"}, item)["recognized_by"] \
        == "api"
    assert len(engine_fn.requests) == 1  # the first photo's; the forced one never asked it
    assert stored(bucket, item[0])["engine_declined"] == "api_forced"
    assert len(ocr_api.requests) == 2


# ENGINE_APPCODE from KMS Secrets Manager, as the API's AppCode (tests/test_secrets.py) --------

ENGINE_SECRET = "idcard-ocr/engine-appcode"


@pytest.fixture
def engine_kms_env(cascade_env, kms):
    return read_from_secret(cascade_env, kms, "ENGINE_APPCODE", ENGINE_SECRET, ENGINE_APPCODE)


def test_the_engine_appcode_comes_from_its_secret_once_per_instance(
        bucket, engine_kms_env, kms, ocr_api, engine_fn, logs):
    for n in range(2):
        item = upload(bucket, f"idcards/k{n}-face.jpg", images.card_jpeg(seed=250 + n))
        assert run(bucket, engine_kms_env, item)["recognized_by"] == "engine"
    assert kms.state.reads == [ENGINE_SECRET]
    assert {r.headers["Authorization"] for r in engine_fn.requests} == \
        {f"APPCODE {ENGINE_APPCODE}"}
    assert ocr_api.requests == []
    assert ENGINE_APPCODE not in "\n".join(logs) + json.dumps(stored(bucket, item[0]))


def test_a_rotated_engine_secret_is_read_again_after_the_engine_refuses_the_old_one(
        bucket, engine_kms_env, kms, ocr_api, engine_fn, monkeypatch):
    from idcard_ocr.io import secrets

    run(bucket, engine_kms_env, upload(bucket, "idcards/k2-face.jpg",
                                       images.card_jpeg(seed=252)))
    rotated = "rotated-engine-appcode-0123456789"
    kms.state.secrets[ENGINE_SECRET] = rotated
    engine_fn.state.appcodes = (rotated,)
    monkeypatch.setattr(secrets, "REREAD_AFTER_S", 0.0)
    item = upload(bucket, "idcards/k3-face.jpg", images.card_jpeg(seed=253))
    assert run(bucket, engine_kms_env, item)["recognized_by"] == "engine"
    assert kms.state.reads == [ENGINE_SECRET, ENGINE_SECRET] and ocr_api.requests == []


@pytest.mark.parametrize("change, message", [
    ({"ENGINE_APPCODE_SECRET_NAME": "no-such-secret"}, "there is no secret"),
    ({"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-the-secret"}, "needs kms:GetSecretValue"),
    ({"ENGINE_APPCODE": ENGINE_APPCODE}, "not both"),
    ({"ENGINE_URL": ""}, "only with ENGINE_URL"),
])
def test_engine_secret_problems_fail_before_any_call_naming_the_setting(
        bucket, engine_kms_env, kms, ocr_api, engine_fn, change, message):
    item = upload(bucket, "idcards/k4-face.jpg", images.card_jpeg(seed=254))
    with pytest.raises(ConfigError, match=message) as refused:
        handle(oss_event(bucket.bucket_name, item), fc_context(), engine_kms_env | change)
    assert {p.variable for p in refused.value.problems} <= {"ENGINE_APPCODE",
                                                           "ENGINE_APPCODE_SECRET_NAME"}
    assert ocr_api.requests == [] and engine_fn.requests == []
    assert not bucket.object_exists("idcards/k4-face.jpg.json")


def test_kms_down_for_the_engine_secret_means_the_api_reads_not_a_failed_invocation(
        bucket, engine_kms_env, kms, ocr_api, engine_fn, monkeypatch):
    # Every invocation failed while KMS could not give the engine's secret (read at start),
    # though the API, whose AppCode is at hand, could read every photo.
    from idcard_ocr.io import secrets

    kms.state.failures = [(503, "ServiceUnavailable")] * 2  # one read of two attempts
    item = upload(bucket, "idcards/k6-face.jpg", images.card_jpeg(seed=256))
    assert run(bucket, engine_kms_env, item)["recognized_by"] == "api"
    assert stored(bucket, item[0])["engine_declined"] == \
        f"engine_failed:{errors.SECRET_UNAVAILABLE}"
    assert engine_fn.requests == [] and len(ocr_api.requests) == 1
    # The failed read at start-up stands for a while: the photo did not ask KMS again.
    assert kms.state.reads == [] and kms.state.failures == []
    monkeypatch.setattr(secrets, "FAILED_READ_HOLD_S", 0.0)  # the hold is over
    item = upload(bucket, "idcards/k7-face.jpg", images.card_jpeg(seed=257))
    assert run(bucket, engine_kms_env, item)["recognized_by"] == "engine"  # KMS is back


@pytest.fixture
def silent_kms():
    """A KMS endpoint that takes connections and never answers (an outage that hangs)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)  # the kernel completes connections; nobody ever reads them
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_a_hanging_kms_costs_each_photo_no_more_than_the_engine_share(
        bucket, engine_kms_env, ocr_api, engine_fn, silent_kms):
    # Each photo spent up to 12 s re-reading the engine's secret (two attempts of 5 s, every
    # photo again), so photos after the first ran out of time before the API could read them.
    # Now the read is bounded by ENGINE_TIMEOUT_S and its failure stands for a while: the
    # invocation takes about one engine share, not 12 s per photo (a bound, not a speed).
    import time

    env = engine_kms_env | {"KMS_ENDPOINT": silent_kms, "ENGINE_TIMEOUT_S": "1"}
    items = [upload(bucket, f"idcards/k8-{n}-face.jpg", images.card_jpeg(seed=258 + n))
             for n in range(3)]
    started = time.monotonic()
    summary = handle(oss_event(bucket.bucket_name, *items), fc_context(), env)
    elapsed = time.monotonic() - started
    assert [o["recognized_by"] for o in summary["objects"]] == ["api"] * 3
    for item in items:
        assert stored(bucket, item[0])["engine_declined"] == \
            f"engine_failed:{errors.SECRET_UNAVAILABLE}"
    assert engine_fn.requests == [] and len(ocr_api.requests) == 3
    assert elapsed < 8, elapsed  # was over 30 s: 12 s at start-up and again for each photo


def test_a_failed_secret_read_stands_a_while_and_a_read_keeps_to_the_callers_time():
    from idcard_ocr.io import secrets

    now, asked = [100.0], []

    def fetch(timeout):
        asked.append(timeout)
        raise TransientError(errors.SECRET_UNAVAILABLE, "KMS did not answer")

    secrets.forget_cached()
    try:
        source = secrets.SecretAppCode("s", "http://127.0.0.1:9", None, fetch=fetch,
                                       clock=lambda: now[0])
        with pytest.raises(TransientError):
            source.current(Deadline(1.0))  # the engine's share: at most 1 s of KMS
        assert asked and all(timeout <= 1.0 for timeout in asked)
        now[0] += secrets.FAILED_READ_HOLD_S - 1
        before = len(asked)
        with pytest.raises(TransientError, match="asked again after"):
            source.current()
        assert len(asked) == before  # the failure stood: KMS was not asked again
        now[0] += 1
        with pytest.raises(TransientError):
            source.current(Deadline(1.0))
        assert len(asked) > before  # the hold is over: KMS is asked again
        now[0] += 2 * secrets.FAILED_READ_HOLD_S
        # No time left to ask KMS at all is no failure of KMS's: nothing is held.
        before = len(asked)
        with pytest.raises(TransientError):
            source.current(Deadline(0.1))
        assert len(asked) == before
        with pytest.raises(TransientError):
            source.current(Deadline(1.0))
        assert len(asked) > before
    finally:
        secrets.forget_cached()


def test_the_kill_switch_works_when_the_engine_secret_is_what_went_wrong(
        bucket, engine_kms_env, kms, ocr_api, engine_fn):
    # The engine's secret deleted or refused: CASCADE_FORCE_API must still send every photo to
    # the API (the engine's secret was read at start-up, and every invocation failed).
    env = engine_kms_env | {"ENGINE_APPCODE_SECRET_NAME": "no-such-secret",
                            "CASCADE_FORCE_API": "true"}
    item = upload(bucket, "idcards/k5-face.jpg", images.card_jpeg(seed=255))
    assert run(bucket, env, item)["recognized_by"] == "api"
    assert kms.state.reads == [] and engine_fn.requests == []
    assert stored(bucket, item[0])["engine_declined"] == "api_forced"


def test_the_message_names_the_reader_and_the_receipt_keeps_it(
        bucket, cascade_env, ocr_api, engine_fn, mns):
    env = cascade_env | {"OUTPUT": "mns", "MNS_ENDPOINT": mns.endpoint,
                         "MNS_QUEUE": "idcard-results"}
    engine_fn.state.face = unsure(ENGINE_FACE, "name", 0.42)
    item = upload(bucket, "idcards/c5-face.jpg", images.card_jpeg(seed=235))
    run(bucket, env, item)
    [message] = mns.messages
    body = message.json
    assert (body["recognized_by"], body["engine_declined"]) == ("api", "low_confidence:name")
    assert body["engine_confidence"]["name"] == 0.42
    receipt = stored(bucket, item[0])
    assert receipt["recognized_by"] == "api" and "fields" not in receipt
    assert FACE["name"] not in json.dumps(receipt, ensure_ascii=False)


def test_backfill_counts_paid_and_free_and_report_counts_by_reader(
        bucket, cascade_env, ocr_api, engine_fn, monkeypatch, capsys, tmp_path):
    import csv

    from idcard_ocr.ops.cli import main as cli
    for i in range(3):
        upload(bucket, f"idcards/bf-{i}-face.jpg", images.card_jpeg(seed=240 + i))
    engine_fn.fail_next(503, "engine down", times=1)  # one photo: the engine is down
    for name, value in cascade_env.items():
        monkeypatch.setenv(name, value)
    assert cli(["backfill", "--bucket", bucket.bucket_name, "--prefix", "idcards/",
                "--mode", "local", "--concurrency", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["paid"], report["free"], report["api_calls"]) == (1, 2, 1)
    assert len(ocr_api.requests) == 1
    out = tmp_path / "results.csv"
    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/",
                "--csv", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["by_reader"] == {"engine": 2, "api": 1}
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert sorted(row["recognized_by"] for row in rows) == ["api", "engine", "engine"]
    [paid] = [row for row in rows if row["recognized_by"] == "api"]
    assert paid["engine_declined"].startswith("engine_failed:")
    assert {row["engine_confidence_min"] for row in rows if row["recognized_by"] == "engine"} \
        == {str(SURE)}


def test_the_console_filters_by_reader_and_ignores_other_values():
    from idcard_ocr.io.results import StoredResult
    from idcard_ocr.ops.review.catalog import Filter, Row

    def row(doc, trusted=True):
        return Row("idcards/a.jpg", "E", 1, StoredResult("idcards/a.jpg.json", doc, trusted))
    free = row({"status": "ok", "recognized_by": "engine"})
    paid = row({"status": "ok", "recognized_by": "api", "engine_declined": "no_card_found"})
    planted = row({"status": "ok", "recognized_by": "engine"}, trusted=False)
    assert (free.recognized_by, paid.recognized_by, planted.recognized_by) == \
        ("engine", "api", None)
    where = Filter.from_params({"recognized_by": "engine"})
    assert where.params() == {"recognized_by": "engine"}
    assert where.matches(free) and not where.matches(paid) and not where.matches(planted)
    assert Filter.from_params({"recognized_by": "<script>"}) == Filter()


def test_the_console_detail_shows_the_reader_its_confidences_and_why_it_declined(
        bucket, cascade_env, ocr_api, engine_fn):
    """The detail page over HTTP (the real console server), in Chinese and in English."""
    from idcard_ocr.ops.review.server import ConsoleServer
    from tests.test_review_http import Client, console_for

    free = upload(bucket, "idcards/d1-face.jpg", images.card_jpeg(seed=261))
    run(bucket, cascade_env, free)
    engine_fn.state.face = unsure(ENGINE_FACE, "address", 0.31)
    paid = upload(bucket, "idcards/d2-face.jpg", images.card_jpeg(seed=262))
    run(bucket, cascade_env, paid)
    with ConsoleServer(console_for(cascade_env, bucket), "127.0.0.1", 0) as server:
        client = Client(server)
        page = client.get("/detail", key=free[0]).text
        assert 'id="reader-face" data-reader="engine"' in page and "离线引擎" in page
        assert "引擎置信度" in page and "未采用引擎结果的原因" not in page
        assert re.search(r'data-field="address"><th>住址</th><td>0\.998</td>', page)
        page = client.get("/detail", key=paid[0]).text
        assert 'data-reader="api"' in page and "API（计费）" in page
        assert "未采用引擎结果的原因" in page and "住址的置信度低于阈值" in page
        assert "<code>low_confidence:address</code>" in page
        assert re.search(r'data-field="address"><th>住址</th><td>0\.310</td>', page)
        # The list's "read by" tag says why on hover, in the console's language (it showed
        # the raw code, untranslated, where every other code is translated).
        listing = client.get("/").text
        tag = re.search(r'<span class="tag reader-api" title="([^"]*)" '
                        r'data-declined="low_confidence:address">', listing)
        assert tag and tag.group(1) == "住址的置信度低于阈值"
        english = client.get("/lang", to="en", next="/detail?key=" + paid[0]).text
        assert "Why the engine&#39;s reading was not taken" in english
        assert "address: confidence below its threshold" in english
        listing = client.get("/").text
        assert 'title="address: confidence below its threshold" ' \
               'data-declined="low_confidence:address"' in listing
        assert FACE["address"] not in page + english + listing  # masked as every personal field


def test_every_decline_reason_reads_as_a_sentence_in_both_languages():
    from idcard_ocr.card.vouching import DECLINE_KINDS
    from idcard_ocr.ops.review import i18n

    assert set(i18n.DECLINES) == set(DECLINE_KINDS)
    assert i18n.declined("back:checks_failed:validity_length", "zh") == \
        "国徽面: 校验未通过：有效期长度"
    assert i18n.declined("engine_failed:connection_failed", "en") == \
        "the engine failed (connection_failed)"
    assert i18n.declined("face:doubted:answer", "en") == "face: the engine doubts its reading"
    assert i18n.declined("back:checks_failed:authority_elsewhere", "en") == \
        "back: check failed: the authority is not the address's county"
    assert i18n.declined("api_forced", "zh").endswith("（CASCADE_FORCE_API）")
    assert i18n.declined("something:new", "zh") == "something:new"  # shown as it is
    assert i18n.declined(None, "en") == ""


# Deploying (template.yml's Cascade parameter; s.cascade*.yaml in tests/test_deploy_s.py) -------

def test_the_template_offers_the_cascade_with_the_engine_inside_or_beside():
    from tests import ros

    template = ros.load()
    inside = ros.variant(template, Cascade="in-function")["Resources"]
    props, env = inside["Function"]["Properties"], \
        inside["Function"]["Properties"]["EnvironmentVariables"]
    assert props["Runtime"] == "python3.12"  # the engine zip's wheels (tools/package.py)
    assert props["Code"]["OssObjectName"] == {"Ref": "EngineCodeObject"}
    assert props["MemorySize"] >= 1024 and props["Cpu"] == 1
    assert (env["OCR_ENGINE"], env["ENGINE_URL"]) == ("cascade", "")
    assert env["OCR_APPCODE"] == {"Ref": "OcrAppCode"} and "EngineFunction" not in inside

    beside = ros.variant(template, Cascade="engine-function")["Resources"]
    env = beside["Function"]["Properties"]["EnvironmentVariables"]
    assert "EngineFunction" in beside and env["OCR_ENGINE"] == "cascade"
    assert env["OCR_API_URL"] == {"Ref": "OcrApiUrl"}  # the marketplace stays the API
    assert env["OCR_APPCODE"] == {"Ref": "OcrAppCode"}
    assert env["ENGINE_APPCODE"] == {"Fn::GetAtt": ["EngineAppCode", "value"]}
    assert "EngineHttpTrigger" in str(env["ENGINE_URL"])
    secret = ros.variant(template, Cascade="engine-function",
                         AppCodeSecretName="idcard-ocr/appcode")["Resources"]
    assert secret["Function"]["Properties"]["EnvironmentVariables"][
        "OCR_APPCODE_SECRET_NAME"] == {"Ref": "AppCodeSecretName"}

    default = ros.variant(template)["Resources"]["Function"]["Properties"]
    assert default["EnvironmentVariables"]["OCR_ENGINE"] == "api" and "Cpu" not in default


def test_the_template_refuses_an_api_url_the_function_would_refuse_at_start():
    """OcrApiUrl carries the AppCode in its header: config.py refuses plain http (except to
    loopback, which a deployed function never calls) and a backslash or whitespace, so the
    template's AllowedPattern refuses them at deploy time, not on the first photo."""
    from tests import ros

    template = ros.load()
    assert ros.variant(template)["Parameters"]["OcrApiUrl"]["Default"].startswith("https://")
    for url in ("http://dm-51.data.aliyun.com/rest/160601/ocr/ocr_idcard.json",
                "https://evil.example.com\\@dm-51.data.aliyun.com/x", "https://a b/x", ""):
        with pytest.raises(ros.TemplateError, match="does not match"):
            ros.variant(template, OcrApiUrl=url)
        with pytest.raises(ConfigError):
            Settings.from_env(BASE | {"OCR_APPCODE": APPCODE, "OCR_API_URL": url or "http://"})


def test_the_template_reads_the_engine_appcode_from_kms_when_asked():
    from tests import ros

    template = ros.load()
    # The engine function accepts EngineSecretAppCode: without one it accepted anyone on its
    # public URL (ENGINE_APPCODES empty), so ROS refuses the parameters (template Rules).
    with pytest.raises(ros.TemplateError, match="EngineSecretAppCode"):
        ros.variant(template, Cascade="engine-function",
                    EngineAppCodeSecretName="idcard-ocr/engine-appcode")
    # The names go into the policies' Resource: a '*' granted every secret (or key) of the
    # account (KMS secret names: letters, digits and _/+=.@-, at most 192; CreateSecret).
    for options in ({"EngineAppCodeSecretName": "*"}, {"EngineAppCodeSecretKeyId": "*"},
                    {"AppCodeSecretName": "idcard-ocr/*"}, {"AppCodeSecretKeyId": "*"}):
        with pytest.raises(ros.TemplateError, match="does not match"):
            ros.variant(template, Cascade="engine-function", EngineSecretAppCode="e" * 40,
                        **options)
    kms = ros.variant(template, Cascade="engine-function",
                      EngineAppCodeSecretName="idcard-ocr/engine-appcode",
                      EngineAppCodeSecretKeyId="key-123",
                      EngineSecretAppCode="engine-appcode-0123456789abcdef")
    resources = kms["Resources"]
    env = resources["Function"]["Properties"]["EnvironmentVariables"]
    assert env["ENGINE_APPCODE"] == ""  # not in the function's configuration any more
    assert env["ENGINE_APPCODE_SECRET_NAME"] == {"Ref": "EngineAppCodeSecretName"}
    assert resources["EngineFunction"]["Properties"]["EnvironmentVariables"][
        "ENGINE_APPCODES"] == {"Ref": "EngineSecretAppCode"}
    assert template["Parameters"]["EngineSecretAppCode"]["NoEcho"] is True
    assert resources["EngineAppCodeSecretPolicy"]["Properties"]["Roles"] == \
        [{"Fn::GetAtt": ["FunctionRole", "RoleName"]}]  # the function's role, not the engine's
    policy = ros.resolve(resources["EngineAppCodeSecretPolicy"]["Properties"],
                         kms["_parameters"], {})
    statements = policy["PolicyDocument"]["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["kms:GetSecretValue"],
         ["acs:kms:cn-hangzhou:123456789:secret/idcard-ocr/engine-appcode"]),
        (["kms:Decrypt"], ["acs:kms:cn-hangzhou:123456789:key/key-123"])]
    assert "EnableKeyManagement" in resources
    ros.cdk_check(resources)
    for options in ({}, {"Cascade": "engine-function"},
                    {"EngineAppCodeSecretName": "idcard-ocr/engine-appcode"}):  # no cascade
        other = ros.variant(template, **options)["Resources"]
        assert "EngineAppCodeSecretPolicy" not in other and "EnableKeyManagement" not in other
        assert other["Function"]["Properties"]["EnvironmentVariables"][
            "ENGINE_APPCODE_SECRET_NAME"] == ""


# The thresholds' fit (bench/cascade.py --fit) -----------------------------------------------

@pytest.fixture
def bench_cascade(monkeypatch):
    import importlib
    import os

    monkeypatch.syspath_prepend(os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "bench"))
    return importlib.import_module("cascade")


def test_the_rule_of_three_bounds_a_rate_seen_as_zero(bench_cascade):
    bound = bench_cascade.upper_bound
    assert bound(0, 300) == pytest.approx(1 - 0.05 ** (1 / 300), rel=1e-6)  # about 3/300
    assert bound(0, 3000) < 0.001 < bound(0, 2900)  # ~3,000 clean fields show <= 0.1 %
    assert bound(1, 300) > bound(0, 300) and bound(0, 0) == 1.0 and bound(5, 5) == 1.0


def test_a_pool_threshold_sits_a_step_above_its_highest_miss_and_needs_support(bench_cascade):
    fit_pool, grid = bench_cascade.fit_pool, bench_cascade.GRID
    many = [(0.99, False)] * bench_cascade.MIN_SUPPORT
    # A miss at 0.93: the grid value above it is 0.94, the margin one step more: 0.95.
    assert fit_pool(many + [(0.93, True), (0.6, False)]) == (0.95, len(many), 0)
    assert fit_pool(many + [(0.6, False)]) == (grid[0], len(many) + 1, 0)  # no miss at all
    assert fit_pool(many, floor=0.9)[0] == 0.9
    # Too few readings at or above the threshold to tell it from luck: never vouch.
    assert fit_pool(many[:-1] + [(0.93, True)])[0] == 1.0
    assert fit_pool(many + [(0.999, True)])[0] == 1.0  # a miss above the grid


def test_the_fit_pools_fields_by_what_the_checks_can_catch(bench_cascade):
    from idcard_ocr.card.documents import FIELDS

    pools = bench_cascade.POOLS
    assert sorted(n for names in pools.values() for n in names) == \
        sorted(n for side in FIELDS.values() for n in side)
    assert bench_cascade.UNCHECKED == {"name", "nationality", "address", "issue"}
    # The names (read twice, or one of 56) apart from the lines, whose misses no score shows.
    assert set(pools["names"]) == {"name", "nationality"}
    assert set(pools["lines"]) == {"address", "issue"}


def test_a_name_pool_is_not_held_at_the_lines_threshold_and_keeps_the_floor(
        bench_cascade, monkeypatch):
    # A wrong address at 0.991 (no score shows a character joined at a line's end) holds the
    # lines at 0.995; the names, whose misses stand under 0.9, fit at their own.
    many = {"name": 0.99, "nationality": 0.99, "address": 0.999, "issue": 0.999,
            "sex": 0.99, "birth": 0.99, "num": 0.99, "start_date": 0.99, "end_date": 0.99}
    right = {"name": "X", "nationality": "汉", "address": "A", "issue": "B", "sex": "男",
             "birth": "1", "num": "2", "start_date": "3", "end_date": "4"}

    def reading(conf, wrong=()):
        answers = {}
        for side, names in (("face", ("name", "sex", "nationality", "birth", "address",
                                      "num")), ("back", ("issue", "start_date", "end_date"))):
            answers[side] = {n: ("W" if n in wrong else right[n]) for n in names}
            answers[side]["confidence"] = {n: conf.get(n, many[n]) for n in names}
        return {"answers": answers, "truth": {
            "face": {n: right[n] for n in answers["face"] if n != "confidence"},
            "back": {n: right[n] for n in answers["back"] if n != "confidence"}}}
    monkeypatch.setattr("idcard_ocr.card.vouching.decline_reason", lambda *a, **k: None)
    readings = [reading({})] * bench_cascade.MIN_SUPPORT + [
        reading({"address": 0.991}, wrong=("address",)), reading({"name": 0.85}, wrong=("name",))]
    thresholds, fitted = bench_cascade.fit(readings)
    assert fitted["lines"][0] == thresholds["address"] == 0.995
    assert fitted["names"][0] == thresholds["name"] == 0.92  # 0.9 and a step
    assert thresholds["num"] == 0.5


def test_a_field_its_own_readings_support_is_not_held_at_its_pools_threshold(bench_cascade):
    # The lines pool is held at 0.995 by a wrong address at 0.991; the authority, with as many
    # readings as a pool needs and no miss of its own, stands at the floor; the address, whose
    # own readings are too few to be fitted alone, keeps the pool's threshold.
    from idcard_ocr.card.documents import FIELDS

    right = {"name": "王芳", "nationality": "汉", "address": "A", "issue": "B", "sex": "男",
             "birth": "1", "num": "2", "start_date": "3", "end_date": "4"}

    def reading(side, confidence, wrong=False):
        answer = {n: ("W" if wrong and n == "address" else right[n]) for n in FIELDS[side]}
        answer["confidence"] = {n: confidence for n in FIELDS[side]}
        return {"answers": {side: answer}, "truth": {side: {n: right[n] for n in FIELDS[side]}}}

    import unittest.mock

    readings = ([reading("back", 0.999)] * bench_cascade.MIN_SUPPORT
                + [reading("face", 0.999)] * 20 + [reading("face", 0.991, wrong=True)])
    with unittest.mock.patch("idcard_ocr.card.vouching.decline_reason", lambda *a, **k: None):
        thresholds, fitted = bench_cascade.fit(readings)
    assert fitted["lines"][0] == thresholds["address"] == 0.995
    assert thresholds["issue"] == 0.9 and fitted["issue alone"] == (0.9, 300, 0)
    assert "address alone" not in fitted


def test_an_address_printed_large_is_fitted_on_the_large_prints_of_its_pool(bench_cascade):
    # 育才街 read 育街 at 0.979 on an A4 copy's card (435 px long) holds the lines at 0.99; the
    # large prints' addresses and authorities, as many as a pool needs and no miss among them,
    # stand at the free text's floor for an address printed large.
    from idcard_ocr.card.documents import FIELDS

    right = {"name": "王芳", "nationality": "汉", "address": "A", "issue": "B", "sex": "男",
             "birth": "1", "num": "2", "start_date": "3", "end_date": "4"}

    def reading(side, confidence, long_side, wrong=False):
        answer = {n: ("W" if wrong and n == "address" else right[n]) for n in FIELDS[side]}
        answer["confidence"] = {n: confidence for n in FIELDS[side]}
        answer["card_region"] = on_a_card_of(long_side)
        return {"answers": {side: answer}, "truth": {side: {n: right[n] for n in FIELDS[side]}}}

    import unittest.mock

    readings = ([reading("back", 0.95, 900)] * (bench_cascade.MIN_SUPPORT - 100)
                + [reading("face", 0.95, 900)] * 100 + [reading("face", 0.999, 435)] * 400
                + [reading("face", 0.979, 435, wrong=True)])
    with unittest.mock.patch("idcard_ocr.card.vouching.decline_reason", lambda *a, **k: None):
        thresholds, fitted = bench_cascade.fit(readings)
    assert thresholds["address"] == 0.99
    assert thresholds["address_large_print"] == 0.9
    assert fitted["lines on a large print"] == (0.9, bench_cascade.MIN_SUPPORT, 0)
    # Too few large prints to trust: the address's own threshold
    with unittest.mock.patch("idcard_ocr.card.vouching.decline_reason", lambda *a, **k: None):
        thresholds, _ = bench_cascade.fit(readings[bench_cascade.MIN_SUPPORT - 100:])
    assert thresholds["address_large_print"] == 0.99


def test_the_fit_is_written_where_the_function_reads_its_thresholds(bench_cascade, tmp_path):
    import importlib.util

    from idcard_ocr.card import vouching

    fitted = {name: 0.5 for name in MIN_CONFIDENCE} | {"name": 0.96, "issue": 0.92}
    copy = tmp_path / "vouching.py"
    copy.write_text(open(bench_cascade.VOUCHING, encoding="utf-8").read(), encoding="utf-8")
    assert bench_cascade.VOUCHING == vouching.__file__
    bench_cascade.write_thresholds(str(copy), fitted, "a note\nof two lines")
    bench_cascade.write_thresholds(str(copy), fitted, "written twice, one block")
    text = copy.read_text(encoding="utf-8")
    assert text.count(bench_cascade.FITTED_BEGIN) == 1 and "# written twice" in text
    spec = importlib.util.spec_from_file_location("idcard_ocr.card.fitted", copy)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert dict(module.MIN_CONFIDENCE) == fitted
    with pytest.raises(ValueError):
        bench_cascade.write_thresholds(str(copy), {"name": 0.9}, "not every field")
    # ... and what card/vouching.py holds is what the function's cascade uses.
    app = App.from_environment(CASCADE)
    assert app.recognizer.thresholds == dict(vouching.MIN_CONFIDENCE)


def test_the_readings_cache_is_shared_resumable_and_answers_as_card_side_auto(
        bench_cascade, tmp_path, monkeypatch):
    import importlib

    readings = importlib.import_module("readings")
    path = tmp_path / "readings.jsonl"
    monkeypatch.setenv("BENCH_READINGS_CACHE", str(path))
    face = {"success": True, "sides_found": ["face", "back"], "name": "x"}
    sheet = {"set": "gb", "kind": "sheet", "seed": 4000, "paired": True, "truth": {},
             "answers": {"face": face, "back": {"success": True}},
             "side_s": {"face": [0.5, 0.4], "back": [0.3, 0.2]}, "wall_s": 0.8, "cpu_s": 0.6}
    alone = dict(sheet, kind="plain_back", seed=4001, answers={
        "face": {"success": False, "sides_found": ["back"]}, "back": {"success": True}})
    unpaired = dict(sheet, seed=4002, paired=False)  # read before sheets were paired
    lines = [json.dumps(r) for r in (sheet, alone, unpaired)]
    path.write_text("\n".join(lines) + '\n{"set": "gb", "kind": "pl', encoding="utf-8")
    keys = [("gb", "plain_back", 4001), ("gb", "sheet", 4000), ("gb", "sheet", 4002)]
    # An interrupted run's last line, cut short, is read again; nothing is read here.
    got = readings.readings(keys, cached_only=True)
    assert [(r["kind"], r["seed"]) for r in got] == [("plain_back", 4001), ("sheet", 4000)]
    # CARD_SIDE=auto (bench/engine.py's read_all_sides): the face, then the sides it found.
    assert set(readings.auto_answers(sheet)) == {"face", "back"}
    assert set(readings.auto_answers(alone)) == {"back"}
    assert readings.auto_seconds(sheet) == pytest.approx((0.8, 0.6))
    assert readings.auto_seconds(alone) == pytest.approx((0.8, 0.6))  # face asked, then back
    # bench/cascade.py's keys of a measured set are the same photos engine_unseen.py reads.
    monkeypatch.setattr(bench_cascade, "FIT_SETS", ())
    assert next(bench_cascade.photo_keys(["gb"]))[2] == readings.SEED_BASE


def test_the_bench_names_an_empty_reading_as_the_function_does(bench_cascade):
    # A hard photo whose back the engine found and read nothing of: the function's engine
    # (io/offline.py) calls it recognition_failed; the bench's replay called it the API's
    # bad_response, a misleading reason in the decline breakdown.
    empty = {"success": True, "issue": "", "start_date": "", "end_date": "",
             "confidence": {"issue": 0.0, "start_date": 0.0, "end_date": 0.0},
             "sides_found": ["back"], "engine": "idcard-ocr offline"}
    reading = {"answers": {"face": {"success": False, "sides_found": ["back"]}, "back": empty},
               "truth": {"back": dict(BACK)}}
    done = bench_cascade.outcome(reading, MIN_CONFIDENCE)
    assert done["declined"] == "engine_failed:recognition_failed" and done["missed"] == 0


@pytest.mark.parametrize("face, why", [
    # The first reason, the engine's doubt of that field, and W when the engine's value of the
    # field declined was wrong (paying was right): what says which lever pays for right values.
    (dict(ENGINE_FACE, doubts={"address": "second_read_differs"}),
     "doubted:address:second_read_differs"),
    (dict(ENGINE_FACE, address=FACE["address"] + "1", doubts={"address": "dropped_character"}),
     "doubted:address:dropped_character W"),
    (unsure(ENGINE_FACE, "name", 0.8), "low_confidence:name"),
    (dict(unsure(ENGINE_FACE, "name", 0.8), name="王" + FACE["name"][1:]),
     "low_confidence:name W"),
    (dict(ENGINE_FACE), None)])
def test_the_bench_says_why_a_photo_was_paid_by_field_doubt_and_whether_it_was_wrong(
        bench_cascade, face, why):
    # The decline breakdown said `doubted` or `low_confidence` only: which doubt fired, and on
    # right or wrong values, was found by hand each stop (docs/cascade.md's tables).
    reading = {"kind": "plain_face", "answers": {"face": face, "back": {"success": False}},
               "truth": {"face": dict(FACE)}}
    assert bench_cascade.outcome(reading, MIN_CONFIDENCE)["why"] == why
    totals, _, _ = bench_cascade.measure([reading], MIN_CONFIDENCE)
    assert dict(totals["why_ordinary"]) == ({why: 1} if why else {})


# A side missing reaches the operator (the result's `sides_missing`) ----------------------------

def a_sheet_missing_its_back(bucket, env, engine_fn, ocr_api, name, seed):
    """A face the engine vouches for on what may be a page (its `on_sheet`), and the API down
    for the back it did not find: the face stands, the back is missing (as in the fast tier)."""
    engine_fn.state.card_side = "face"
    engine_fn.state.face = dict(ENGINE_FACE, on_sheet=True)
    ocr_api.fail_on_side("back", 503, times=20)
    item = upload(bucket, f"idcards/{name}.jpg", images.card_jpeg(seed=seed))
    assert run(bucket, env, item)["status"] == "ok"
    assert stored(bucket, item[0])["sides_missing"] == {"back": errors.API_UNAVAILABLE}
    return item


def test_the_message_says_which_side_of_the_sheet_is_missing(
        bucket, cascade_env, ocr_api, engine_fn, mns):
    env = cascade_env | {"OUTPUT": "mns", "MNS_ENDPOINT": mns.endpoint,
                         "MNS_QUEUE": "idcard-results"}
    item = a_sheet_missing_its_back(bucket, env, engine_fn, ocr_api, "m1-sheet", 270)
    [message] = mns.messages
    assert message.json["status"] == "ok"
    assert message.json["sides_missing"] == {"back": errors.API_UNAVAILABLE}
    assert stored(bucket, item[0])["sides_missing"] == {"back": errors.API_UNAVAILABLE}


def test_report_counts_and_exports_the_sides_missing(
        bucket, cascade_env, ocr_api, engine_fn, monkeypatch, capsys, tmp_path):
    import csv

    from idcard_ocr.ops.cli import main as cli
    whole = upload(bucket, "idcards/r1-face.jpg", images.card_jpeg(seed=271))
    run(bucket, cascade_env, whole)
    a_sheet_missing_its_back(bucket, cascade_env, engine_fn, ocr_api, "r2-sheet", 272)
    for name, value in cascade_env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "results.csv"
    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/",
                "--csv", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_status"] == {"ok": 2} and summary["sides_missing"] == {"back": 1}
    with open(out, encoding="utf-8-sig") as f:
        rows = {row["key"]: row for row in csv.DictReader(f)}
    assert rows["idcards/r2-sheet.jpg"]["sides_missing"] == f"back:{errors.API_UNAVAILABLE}"
    assert rows[whole[0]]["sides_missing"] == ""


def test_the_console_shows_and_filters_a_result_missing_a_side(
        bucket, cascade_env, ocr_api, engine_fn):
    """Over HTTP (the real console server), in Chinese and in English: an ok result whose
    sheet's back was not read must not pass for the whole photo."""
    from idcard_ocr.ops.review.server import ConsoleServer
    from tests.test_review_http import Client, console_for

    whole = upload(bucket, "idcards/v1-face.jpg", images.card_jpeg(seed=273))
    run(bucket, cascade_env, whole)
    sheet = a_sheet_missing_its_back(bucket, cascade_env, engine_fn, ocr_api, "v2-sheet", 274)[0]
    with ConsoleServer(console_for(cascade_env, bucket), "127.0.0.1", 0) as server:
        client = Client(server)
        listing = client.get("/").text
        badges = re.findall(r'<tr class="row[^"]*" data-key="([^"]+)"(?:(?!</tr>).)*?'
                            r'class="tag warn side-missing" data-missing="(\w+)"',
                            listing, re.S)
        assert badges == [(sheet, "back")] and "缺国徽面" in listing
        assert 'name="side_missing"' in listing and "缺少一面" in listing
        assert [row["key"] for row in client.rows(side_missing="1")] == [sheet]
        assert sorted(row["key"] for row in client.rows()) == sorted([whole[0], sheet])
        # nobody has looked at it: it needs a review
        assert sheet in [row["key"] for row in client.rows(needs_review="1")]
        page = client.get("/detail", key=sheet).text
        assert 'id="missing-back"' in page and "重新识别" in page
        assert f"<code>{errors.API_UNAVAILABLE}</code>" in page
        assert 'id="missing-back"' not in client.get("/detail", key=whole[0]).text
        english = client.get("/lang", to="en", next="/detail?key=" + sheet).text
        assert "back missing" in english and "reprocess the photo to read the other" in english
        assert "A side missing" in client.get("/").text
        assert FACE["name"] not in listing + page + english  # masked as every personal field


def test_a_result_missing_a_side_needs_a_review_and_only_a_side_counts():
    from idcard_ocr.io.results import StoredResult
    from idcard_ocr.ops.review.catalog import Filter, Row

    def row(doc, trusted=True):
        return Row("idcards/a.jpg", "E", 1, StoredResult("idcards/a.jpg.json", doc, trusted))
    passing = {"status": "ok", "side": "face", "checks": {}, "checks_passed": True}
    lacking = row(dict(passing, sides_missing={"back": errors.API_UNAVAILABLE}))
    whole = row(passing)
    planted = row(dict(passing, sides_missing={"back": errors.API_UNAVAILABLE}), trusted=False)
    odd = row(dict(passing, sides_missing={"<b>": "x"}))
    assert lacking.sides_missing == {"back": errors.API_UNAVAILABLE}
    assert (whole.sides_missing, planted.sides_missing, odd.sides_missing) == ({}, {}, {})
    assert lacking.needs_review and not whole.needs_review
    where = Filter.from_params({"side_missing": "1"})
    assert where.params() == {"side_missing": "1"}
    assert where.matches(lacking) and not any(map(where.matches, (whole, planted, odd)))


def test_a_fit_with_no_fit_set_read_is_refused_and_writes_no_thresholds(
        bench_cascade, tmp_path, monkeypatch, capsys):
    # A hold-out measured alone (BENCH_CASCADE_FIT="": its 1,200 photos read without the fit
    # sets' 1,288 first) has no readings to fit on; `--fit` then would have written thresholds
    # fitted on nothing into card/vouching.py.
    monkeypatch.setenv("BENCH_READINGS_CACHE", str(tmp_path / "readings.jsonl"))
    monkeypatch.setattr(bench_cascade, "FIT_SETS", ())
    written = []
    monkeypatch.setattr(bench_cascade, "write_thresholds", lambda *a: written.append(a))
    import logging
    try:
        assert bench_cascade.main(["--fit", "--sets", "gb", "--cached"]) == 2
    finally:
        logging.disable(logging.NOTSET)  # main silences the replays' warnings process-wide
    assert written == [] and "--fit needs the fit sets' readings" in capsys.readouterr().err
