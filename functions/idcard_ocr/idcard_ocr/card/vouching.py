"""Whether the offline engine's reading of a card can stand without the paid API
(OCR_ENGINE=cascade), and how a result names its reader.

Pure rules over answers. The engine vouches for a side when every field was read, none is
doubted, every field's confidence (the weakest character score it was read from) clears its
threshold, every free-text field is written as on a real card (implausible_field), and the
integrity checks of card/checks.py pass. A sheet with both sides stands only when both do (the
back's validity judged by the face's birth date).

Why the engine's reading was declined is a short code (DECLINE_KINDS), never a value that was
read: `engine_failed:<error code>`, `no_card_found`, `doubted:<field>`, `missing:<field>`,
`low_confidence:<field>`, `implausible:<field>`, `checks_failed:<check>`, `over_budget`,
`api_forced`, and for a sheet `<side>:<reason>` naming the side that could not stand.
"""

import math
import re
from functools import lru_cache
from typing import Dict, Mapping, Optional

from .checks import (back_checks, division_named, division_names, divisions_under,
                     face_checks, province_named, today_in_china)
from .documents import FIELDS
from .surnames import has_known_surname

ENGINE, API = "engine", "api"

# The weakest character score each field may be read from for the engine's reading to stand,
# one per pool of fields (bench/cascade.py's POOLS): fields the checks cross-examine (number,
# birth, sex, validity dates) may stand on a lower score than free text no check can catch
# (name, nationality, address, authority). Written by `bench/cascade.py --fit` (docs/cascade.md,
# "The thresholds and how they were fitted"); CASCADE_MIN_CONFIDENCE overrides them.
# fitted: begin (bench/cascade.py --fit writes this block)
# 2026-12-07 14:36 UTC, fitted on realistic (148 photos) + fresh (140 photos) + blind (1000 photos):
# checked 0.5 (2662 readings at or above, 0 wrong)
# names 0.9 (718 readings at or above, 0 wrong)
# lines 0.99 (533 readings at or above, 0 wrong)
# issue alone 0.9 (686 readings at or above, 0 wrong)
# lines on a large print 0.9 (424 readings at or above, 0 wrong)
MIN_CONFIDENCE: Mapping[str, float] = {
    "name": 0.9, "sex": 0.5, "nationality": 0.9, "birth": 0.5, "address": 0.99, "num": 0.5,
    "issue": 0.9, "start_date": 0.5, "end_date": 0.5, "address_large_print": 0.9,
}
# fitted: end

# A card printed large in the photo the engine read (its long side LARGE_PRINT_PX pixels or
# more: the address's characters some 25 px tall) has its address judged by its own threshold
# (`address_large_print`, fitted beside the others). A character lost at the end of an
# address's line, with every other one read surely, is what no score shows (育才街 read 育街 in
# both reads at 0.947 and 0.979, the 才 ending a line); on the fit sets' readings it happened
# only where the print was small (blind's A4 copies, the card 434 and 585 px long), while the
# large prints' right addresses scored 0.9-0.99 (a thin stroke, a rare character) and were
# paid for at the one threshold the small prints' misses set.
LARGE_PRINT_PX = 700
LARGE_PRINT = "_large_print"
LARGE_PRINT_FIELDS = ("address",)

# Every kind of engine_declined ("<kind>" or "<kind>:<field, check or error code>", on a sheet
# prefixed by the side): this module's, and io/cascade.py's about the engine itself.
DECLINE_KINDS = ("low_confidence", "missing", "doubted", "implausible", "checks_failed",
                 "no_confidence", "no_card_found", "engine_failed", "engine_skipped",
                 "api_forced", "one_side", "over_budget")

# What the cascade adds to an answer, and the record lifts to its top level (and each side's).
READER_KEYS = ("recognized_by", "engine_confidence", "engine_declined")
# The engine says so in every answer it gives (engine/__init__.py); the marketplace never does.
ENGINE_SIGNATURE = "idcard-ocr offline"


def decline_reason(answer: Mapping, side: str, birth: Optional[str] = None,
                   thresholds: Mapping[str, float] = MIN_CONFIDENCE) -> Optional[str]:
    """None when the engine's answer for `side` can stand on its own, else why not.

    `birth`: the face's birth date when the back is read from the same sheet (the validity's
    length depends on the holder's age at issue).
    """
    if answer.get("over_budget") not in (None, False):
        # The engine stopped at its work budget (engine/__init__.py: a page of print around
        # the card): what it read stands unconfirmed, and what it did not read it cannot vouch
        # for, whatever its confidences say.
        return "over_budget"
    confidence = answer.get("confidence")
    if not isinstance(confidence, Mapping):
        return "no_confidence"
    doubts = answer.get("doubts")
    if doubts not in (None, {}):
        # Doubts of another shape than the engine's {field: why} (a list, a string) are doubts
        # all the same; the reason names a field of this side, never a key the answer made up.
        doubted = [name for name in FIELDS[side] if isinstance(doubts, (Mapping, list))
                   and name in doubts]
        return f"doubted:{doubted[0] if doubted else 'answer'}"
    for name in FIELDS[side]:
        value = answer.get(name)
        if not isinstance(value, str) or not value:
            return f"missing:{name}"
        score = field_confidence(answer, name)
        if score is None or not score >= threshold_for(answer, name, thresholds):
            return f"low_confidence:{name}"
    fields = {name: answer.get(name) for name in FIELDS[side]}
    if side == "face":
        if answer.get("num_valid") is False or answer.get("birth_conflict"):
            return "checks_failed:number"
        checks = face_checks(fields)
    else:
        checks = back_checks(fields, birth=birth)
    unlike = implausible_field(fields, side, answer.get("evidence"))
    if unlike is not None:
        return f"implausible:{unlike}"
    failed = [name for name, check in checks.items()  # in the checks' order: the cause first
              if not check.get("informational") and not check["ok"]]
    return f"checks_failed:{failed[0]}" if failed else None


def threshold_for(answer: Mapping, name: str,
                  thresholds: Mapping[str, float] = MIN_CONFIDENCE) -> float:
    """The threshold a field's confidence must clear: its own, or for a card printed large in
    the photo (large_print) its large print's, when `thresholds` has one."""
    if name in LARGE_PRINT_FIELDS and name + LARGE_PRINT in thresholds and large_print(answer):
        return thresholds[name + LARGE_PRINT]
    return thresholds[name]


def large_print(answer: Mapping) -> bool:
    """Whether the card's long side in the pixels the engine read is LARGE_PRINT_PX or more:
    its `card_region` (four corners, in the photo's pixels) over `decoded_scale` (the photo's
    pixels per pixel the engine decoded: a photo over engine/detect.DECODE_MAX_SIDE is read
    shrunk, and its card's print with it; an answer without it, 1). Anything else (no region,
    another shape, a scale that is no positive number) is not."""
    corners = answer.get("card_region")
    scale = answer.get("decoded_scale", 1.0)
    try:
        points = [(float(c["x"]), float(c["y"])) for c in corners]
    except (TypeError, KeyError, ValueError):
        return False
    if len(points) != 4 or isinstance(scale, bool) or not isinstance(scale, (int, float)) \
            or not math.isfinite(scale) or scale <= 0:
        return False
    sides = [math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1])
             for i in range(4)]
    longest = max(sides) / scale
    return math.isfinite(longest) and longest >= LARGE_PRINT_PX  # NaN compares False


# How a resident ID card writes its free-text fields (GB 19083 and the issuing practice): a
# name of 2-4 Chinese characters that begins with a Chinese surname (card/surnames.py: a rare
# one is paid for, not refused), or, when the nationality is not 汉, a minority name in its
# dotted form (its parts joined by a middle dot: 麦麦提·依明; one read without its dot, or a
# name of a minority card that neither begins with a surname nor has a dot, is paid for: on
# blind, 麦麦提依明, a surname misread as 洗 and a lost one were vouched for at 0.95-0.995 by
# the exemption of any minority name); an address that begins with the province-level
# name; an issuing authority that is a public security bureau of a named division (…公安局,
# …分局) or a police station (…派出所), the division's name not the end of a longer one's
# (_ends_of_longer_names).
# A reading that breaks one was composed wrongly (a label, a stamp or an overlay read into the
# field, a field cut short), however sure the engine is of each character.
_HAN = "\u3400-\u9fff"
_NAME = re.compile(f"^[{_HAN}]{{2,4}}$")
_MINORITY_NAME = re.compile(f"^[{_HAN}]+([·•][{_HAN}]+)+$")
_AUTHORITY_ENDINGS = ("公安局", "分局", "派出所")
# The face's labels' words: no name holds one (公民身份 and 欧阳性别 begin with a surname).
_FACE_LABEL_WORDS = ("姓名", "性别", "民族", "出生", "住址", "公民", "身份", "号码")


def implausible_field(fields: Mapping[str, str], side: str,
                      evidence: Optional[Mapping] = None) -> Optional[str]:
    """The first field whose value is not shaped as on a real card, or None. `evidence`: the
    engine's answer's, where the authority's first character read was measured at the value
    column (nothing printed before it: its division is not a longer one's end)."""
    today = today_in_china().strftime("%Y%m%d")
    if side == "face":
        name = fields["name"]
        if not ((_NAME.match(name) and has_known_surname(name))
                or (fields["nationality"] != "汉" and len(name) <= 20
                    and _MINORITY_NAME.match(name))) \
                or any(word in name for word in _FACE_LABEL_WORDS):
            return "name"
        if province_named(fields["address"]) is None:
            return "address"
        if fields["birth"] > today:
            return "birth"
        return None
    issue = fields["issue"]
    division = division_named(issue)
    if not issue.endswith(_AUTHORITY_ENDINGS) or division is None \
            or (_may_have_lost_its_start(issue, division) and not _first_at_column(evidence)):
        return "issue"
    if fields["start_date"] > today:
        return "start_date"
    return None


# An authority whose first characters were not read can still begin with a real division's
# name: 陵县公安局 read for 鄢陵县公安局 (novel, 0.984 and 0.996, read alike twice; with its label in
# one box where the line's first character is not measured, on a back alone where no address
# says otherwise), whose 陵县 is a county of its own. Nothing in the characters read tells the
# two apart, so an authority that begins with a name another division's name ends with (陵县 of
# 鄢陵县, 唐县 of 行唐县; 93 of GB/T 2260's names) is paid for: on the cached readings of seven
# sets this declined 6 wrong authorities and 16 right ones (唐县公安局), of some 1,700. Unless
# the engine measured the line's first character at the value column (_first_at_column): a
# character lost before it would put it a character further (novel's 陵: 1.55; when its label
# shares its box nothing is measured and the rule holds).
@lru_cache(maxsize=1)
def _ends_of_longer_names() -> frozenset:
    names = division_names()
    by_tail = {name[i:] for name in names for i in range(1, len(name) - 1)}
    return frozenset(name for name in names if name in by_tail)


# A city's bureau names its branch by one of the city's own districts (鞍山市公安局铁东分局):
# when that district is the city's and none of the longer namesakes' (马鞍山市's are 花山, 雨山,
# 博望...; 峨眉山市, county-level, has no districts), the authority is not the longer name's
# with its start lost, and all of 鞍山 and 眉山 are no longer paid for. 鞍山市公安局花山分局
# (马鞍山's, 马 lost) still is, and so is a bureau with no branch (唐县公安局, 鞍山市公安局).
_BRANCH = re.compile("公安局(.+?)分局")


def _may_have_lost_its_start(issue: str, division: str) -> bool:
    """Whether the authority's division may be the end of a longer one's name whose first
    characters were not read (_ends_of_longer_names), as far as its branch tells."""
    if division not in _ends_of_longer_names():
        return False
    branch = _BRANCH.match(issue, len(division))
    if branch is None:
        return True
    named = branch.group(1)

    def holds(name: str) -> bool:
        return any(named in (sub, sub[:-1]) for sub in divisions_under(name))
    return not holds(division) or any(holds(name) for name in division_names()
                                      if name.endswith(division) and name != division)


def _first_at_column(evidence) -> bool:
    """Whether the engine measured the authority's first character read at the back's value
    column (engine/fields.confirm_lines: `evidence.issue.first_at_column`)."""
    issue = evidence.get("issue") if isinstance(evidence, Mapping) else None
    return isinstance(issue, Mapping) and issue.get("first_at_column") is True


def sheet_decline_reason(answers: Mapping[str, Mapping],
                         thresholds: Mapping[str, float] = MIN_CONFIDENCE) -> Optional[str]:
    """None when every side the engine read can stand; else the first side's reason, named.
    Both sides of one card also stand only when its authority issues where its address is
    (authority_elsewhere)."""
    birth = (answers.get("face") or {}).get("birth")
    for side in ("face", "back"):
        if side in answers:
            reason = decline_reason(answers[side], side, birth if side == "back" else None,
                                    thresholds)
            if reason is not None:
                return reason if len(answers) == 1 else f"{side}:{reason}"
    if len(answers) == 2 and authority_elsewhere(answers["back"]["issue"],
                                                 answers["face"]["address"]):
        return f"back:checks_failed:{AUTHORITY_ELSEWHERE}"
    return None


# A card is issued by the public security bureau of the county where its holder's household is
# registered, and its address is that registration: the division an authority names last
# (鄢陵县 of 鄢陵县公安局, 涪城区 of 绵阳市公安局涪城区分局, 朝阳 of 北京市公安局朝阳分局) is
# written in the address of the same card. One misread in either (培城区分局 for 涪城区分局) breaks
# it, which no threshold sees: the characters are read as surely as right ones. Only on a sheet,
# where both sides are the same card's; the number's region code is no evidence either way
# (it stays the holder's first registration when the household moves). The name is looked for
# where an address begins a division's name, at its start or after a province's, a city's or a
# county's suffix: a name that lost its first characters (陵县 read for 鄢陵县, vouched at 0.996
# on novel) is still inside the address, one character into it.
AUTHORITY_ELSEWHERE = "authority_elsewhere"
_BUREAU = re.compile("公安局|分局")
_DIVISION_ENDS = "省市区县旗州盟"  # 自治区 and 地区 end in 区


def authority_elsewhere(issue: str, address: str) -> bool:
    """Whether the division an authority names last is missing from the address where a
    division's name begins (a police station's own name, after its bureau, is not a division
    and is not looked for)."""
    named = [part for part in _BUREAU.split(issue)[:-1] if part]
    if not named:
        return False
    return re.search(f"(?:^|(?<=[{_DIVISION_ENDS}])){re.escape(named[-1])}", address) is None


def engine_confidence(answer: Mapping, side: str) -> Optional[Dict[str, float]]:
    """The engine's per-field confidences of a side (field_confidence), or None when the
    answer carries none."""
    confidence = answer.get("confidence")
    if not isinstance(confidence, Mapping):
        return None
    scores = {name: field_confidence(answer, name) for name in confidence if name in FIELDS[side]}
    return {name: score for name, score in scores.items() if score is not None}


# What of a field's `evidence` (engine/fields.py: the name read a second way) counts beside its
# confidence: the second read's weakest character score and weakest margin over the runner-up.
EVIDENCE_SCORES = ("second_score", "margin")


def field_confidence(answer: Mapping, name: str) -> Optional[float]:
    """A field's confidence as the cascade judges it: the least of the engine's confidence
    (its weakest character) and the scores of its evidence (the name's second read), or None
    when the confidence is no number from 0 to 1. A name the recogniser read twice alike but
    hesitated over between two characters in either read is as weak as its weakest."""
    score = _score((answer.get("confidence") or {}).get(name))
    evidence = answer.get("evidence")
    evidence = evidence.get(name) if isinstance(evidence, Mapping) else None
    if score is None or not isinstance(evidence, Mapping):
        return score
    others = [_score(evidence.get(key)) for key in EVIDENCE_SCORES if key in evidence]
    return None if None in others else min([score, *others])


def _score(value) -> Optional[float]:
    """A confidence as the engine defines it (a number from 0 to 1), or None. Anything else
    (text, a bool, 5, 1e300, an integer too large for a float) is no confidence at all: it must
    neither clear a threshold nor break the float() that stores it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= 1 else None  # NaN fails the comparison too


def annotated(answer: Mapping, side: str, recognized_by: str,
              engine_answer: Optional[Mapping] = None, declined: Optional[str] = None) -> dict:
    """The answer with its reader: who read it, the engine's confidences (from the engine's
    own answer, also when it was declined) and why it was declined."""
    out = dict(answer)
    out["recognized_by"] = recognized_by
    confidence = engine_confidence(engine_answer, side) if engine_answer is not None else None
    if confidence is not None:
        out["engine_confidence"] = confidence
    if declined is not None:
        out["engine_declined"] = declined
    return out


def reader_of(answer: Mapping) -> dict:
    """The reader fields of an answer, for its record. An answer the cascade did not annotate
    (OCR_ENGINE=api or local) is named by whoever gave it: the engine signs its answers."""
    reader = {k: answer[k] for k in READER_KEYS if k in answer}
    if reader.get("recognized_by") not in (ENGINE, API):
        reader["recognized_by"] = ENGINE if answer.get("engine") == ENGINE_SIGNATURE else API
    return reader


def without_reader(answer: Mapping) -> dict:
    return {k: v for k, v in answer.items() if k not in READER_KEYS}
