"""The fresh hold-out's generators (tests/fakes/fresh.py, tests/fakes/fresh_kyc.py) draw what
their truth says, every kind, the same photo for the same number, and data as real cards carry.

Accuracy is not measured here (bench/engine_unseen.py, bench/quality.py kyc and
bench/cascade.py do, once, on the fresh sets); these tests hold the yardstick itself.
"""

import dataclasses
import random
from collections import Counter

import numpy as np
import pytest

from tests.conftest import jpeg_picture
from tests.fakes import artifacts, fresh, renderings
from tests.fakes.cards import holder_faults

pytestmark = pytest.mark.skipif(not fresh.available(), reason="make fonts")

SIDES = {"plain_face": {"face"}, "plain_back": {"back"}}
SMALL = dataclasses.replace(artifacts.FRESH, frame=(960, 540))  # the fresh style, small frames


@pytest.mark.parametrize("kind", fresh.KINDS)
def test_every_kind_is_drawn_the_same_for_the_same_number(kind):
    first, again = renderings.shoot("fresh", kind, 11), renderings.shoot("fresh", kind, 11)
    assert first.data == again.data and first.truth == again.truth
    assert first.detail == again.detail
    other = renderings.shoot("fresh", kind, 12)
    assert other.data != first.data
    sides = set(first.truth)
    assert sides == SIDES.get(kind, {"face", "back"} if kind == "sheet" else sides)
    assert len(sides) == (2 if kind == "sheet" else 1)
    img = jpeg_picture(first.data)
    assert min(img.size) >= 448
    grey = np.asarray(img.convert("L"))
    assert grey.std() > 10  # a scene with a card in it, not a blank frame


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown kind 'selfie'"):
        renderings.shoot("fresh", "selfie", 1)


@pytest.mark.parametrize("seed", range(6))
def test_every_value_of_the_truth_is_drawn_on_the_card(seed):
    person = fresh.random_person(random.Random(seed))
    face, back = person["face"], person["back"]
    log = []
    card = fresh.draw_face(face, random.Random(seed), log)
    drawn = "".join(log)
    for field in ("name", "sex", "nationality", "num"):
        assert face[field] in log, field
    assert face["address"] in drawn  # its lines, one after another
    birth = face["birth"]
    assert {birth[:4], str(int(birth[4:6])), str(int(birth[6:]))} <= set(log)
    # the number's row is printed (dark strokes where it stands), and so is the name's
    grey = np.asarray(card.convert("L"))
    h, w = grey.shape
    assert grey[int(h * 0.82):int(h * 0.95), int(w * 0.3):int(w * 0.95)].min() < 90
    assert grey[int(h * 0.1):int(h * 0.25), int(w * 0.17):int(w * 0.45)].min() < 90
    log = []
    fresh.draw_back(back, random.Random(seed), log)
    drawn = "".join(log)
    assert back["issue"] in drawn
    s, e = back["start_date"], back["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    assert f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}" in log


def test_the_data_is_what_real_cards_carry():
    people = [fresh.random_person(random.Random(n)) for n in range(600)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert set(nations) <= set(fresh.NATIONALITIES) and len(fresh.NATIONALITIES) == 56
    assert len(nations) >= 50  # the rare ones appear, not only 汉
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 30 and sum(n > 22 for n in lengths) > 60  # three lines, often
    ends = Counter(p["back"]["end_date"] == "长期" for p in people)
    assert ends[True] > 20
    for p in people:
        face, back = p["face"], p["back"]
        assert holder_faults(face, back) == []
        # the authority is the address's: its city or county is in both
        assert any(part and part in face["address"] for part in
                   (back["issue"].split("公安局")[0],))


@pytest.mark.parametrize("kind", artifacts.KINDS)
def test_the_fresh_kyc_style_draws_every_kind_with_its_card_region(kind):
    shot = artifacts.render(kind, 5, SMALL)
    again = artifacts.render(kind, 5, SMALL)
    assert shot.data == again.data and shot.region == again.region
    assert shot.style == "fresh" and shot.expected == (None if kind == "ordinary" else kind)
    img = jpeg_picture(shot.data)
    assert img.size == SMALL.frame
    assert artifacts.region_faults(shot, img.size) == []


def test_the_fresh_kyc_style_draws_the_card_where_its_region_says():
    shot = artifacts.render("ordinary", 9, SMALL)
    img = np.asarray(jpeg_picture(shot.data).convert("L"), dtype=np.float32)
    xs, ys = [p[0] for p in shot.region], [p[1] for p in shot.region]
    cx, cy = int(sum(xs) / 4), int(sum(ys) / 4)
    inner = img[cy - 5:cy + 5, cx - 5:cx + 5]
    assert inner.mean() > 120  # the card's light print, whatever lies around it


def test_the_full_size_style_uses_phone_frames():
    sizes = {jpeg_picture(artifacts.render("screen_recapture", n, artifacts.FRESH).data).size
             for n in range(3)}
    assert sizes <= {(4000, 3000), (3000, 4000), (1920, 1080)}
