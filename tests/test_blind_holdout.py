"""The blind hold-out's generators (tests/fakes/blind.py, tests/fakes/blind_kyc.py) draw what
their truth says, every kind, the same photo for the same number, and data as real cards carry.

Accuracy is not measured here (bench/engine_unseen.py blind, bench/quality.py kyc --style blind
and bench/cascade.py --sets blind do, once); these tests hold the yardstick itself.
"""

import dataclasses
import os
import random
import subprocess
import sys
from collections import Counter
from datetime import date

import numpy as np
import pytest

from tests.conftest import compact_date, drawn_alike, jpeg_picture
from tests.fakes import artifacts, blind, blind_kyc, renderings
from tests.fakes.cards import REAL_NATIONS, holder_faults

pytestmark = pytest.mark.skipif(not blind.available(), reason="make fonts")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dataclasses.replace(artifacts.BLIND, frame=(960, 720))  # the blind style, small frames


@pytest.mark.parametrize("kind", blind.KINDS)
def test_every_kind_is_drawn_the_same_for_the_same_number(kind):
    img = jpeg_picture(drawn_alike("blind", kind).data)
    assert min(img.size) >= 960
    assert np.asarray(img.convert("L")).std() > 10  # a scene with a card in it


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown kind 'selfie'"):
        renderings.shoot("blind", "selfie", 1)


def test_a_sheet_holds_one_persons_two_sides():
    for seed in range(3):
        photo = renderings.shoot("blind", "sheet", seed)
        face, back = photo.truth["face"], photo.truth["back"]
        assert photo.detail.startswith("A4 ")
        place = next(p for p in blind.PLACES if face["num"].startswith(p[0]))
        assert back["issue"] == place[2] and face["address"].startswith(place[1])


@pytest.mark.parametrize("seed", range(8))
def test_every_value_of_the_truth_is_drawn_on_the_card(seed):
    person = blind.random_person(random.Random(seed))
    face, back = person["face"], person["back"]
    log = []
    card = blind.draw_face(face, random.Random(seed), log)
    assert card.size == blind.CARD_SIZE
    for field in ("name", "sex", "nationality", "num"):
        assert face[field] in log, field
    assert "".join(line for line in log if line in face["address"]).find(face["address"]) >= 0
    birth = face["birth"]
    assert {birth[:4], str(int(birth[4:6])), str(int(birth[6:]))} <= set(log)
    grey = np.asarray(card.convert("L"))
    h, w = grey.shape
    assert grey[int(h * 0.8):int(h * 0.95), int(w * 0.3):int(w * 0.9)].min() < 90  # the number
    log = []
    blind.draw_back(back, random.Random(seed), log)
    assert back["issue"] in "".join(log)
    s, e = back["start_date"], back["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    assert f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}" in log


def test_the_data_is_what_real_cards_carry():
    assert len(blind.NATIONALITIES) == 56 == len(set(blind.NATIONALITIES))
    assert set(blind.NATIONALITIES) == set(REAL_NATIONS)  # the 56 as printed after 民族
    people = [blind.random_person(random.Random(n)) for n in range(800)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert len(nations) >= 54  # the rare ones appear, not only 汉
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 3 * blind.CHARS_PER_LINE
    assert sum(n > 2 * blind.CHARS_PER_LINE for n in lengths) > 80  # three lines, often
    names = [p["face"]["name"] for p in people]
    assert sum("·" in n for n in names) > 5
    assert all(2 <= len(n) <= 4 for n in names if "·" not in n)
    assert sum(n[:2] in blind.SURNAMES for n in names) > 20  # two-character surnames
    ends = Counter(p["back"]["end_date"] == "长期" for p in people)
    assert ends[True] > 40
    for p in people:
        face, back = p["face"], p["back"]
        assert holder_faults(face, back) == []
        start, birth = compact_date(back["start_date"]), compact_date(face["birth"])
        assert birth < start < date(2026, 12, 1)
        if back["end_date"] != "长期":
            assert back["end_date"][4:] in (back["start_date"][4:], "0301")
            assert compact_date(back["end_date"]) >= date(2026, 11, 1)  # a card still valid
        place = next(x for x in blind.PLACES if face["num"].startswith(x[0]))
        assert face["address"].startswith(place[1]) and back["issue"] == place[2]


@pytest.mark.parametrize("kind", artifacts.KINDS)
def test_the_blind_kyc_style_draws_every_kind_with_its_card_region(kind):
    shot = artifacts.render(kind, 5, SMALL)
    again = artifacts.render(kind, 5, SMALL)
    assert shot.data == again.data and shot.region == again.region
    assert shot.style == "blind" and shot.expected == (None if kind == "ordinary" else kind)
    assert shot.detail.split(",")[0] in ("face", "back")  # the side read comes first
    img = jpeg_picture(shot.data)
    assert img.size == SMALL.frame
    assert artifacts.region_faults(shot, img.size) == []


def test_the_blind_kyc_style_draws_the_card_where_its_region_says():
    for seed in range(3):
        shot = artifacts.render("ordinary", seed, SMALL)
        img = np.asarray(jpeg_picture(shot.data).convert("L"), dtype=np.float32)
        (tlx, tly), _, (brx, bry), _ = shot.region
        cx, cy = int((tlx + brx) / 2), int((tly + bry) / 2)
        assert img[cy - 4:cy + 4, cx - 4:cx + 4].mean() > 110  # the card's light print


def test_the_full_size_style_uses_phone_frames_and_scans():
    sizes = {jpeg_picture(artifacts.render(kind, n, artifacts.BLIND).data).size
             for kind, n in (("incomplete_border", 0), ("incomplete_border", 1),
                             ("photocopy", 1))}
    allowed = {size for frame in blind_kyc.FRAMES for size in (frame, frame[::-1])}
    assert sizes <= allowed | {blind_kyc.SCAN}


def test_render_only_without_a_cache_is_refused_before_drawing_anything():
    env = dict(os.environ, BENCH_KYC_CACHE="")
    done = subprocess.run([sys.executable, "bench/quality.py", "kyc", "--style", "blind",
                           "--render-only"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "BENCH_KYC_CACHE" in done.stderr
