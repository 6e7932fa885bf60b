"""The outsider hold-out's generators (tests/fakes/outsider.py, tests/fakes/outsider_kyc.py)
draw what their truth says, every kind and artifact, the same photo for the same number, and
data as real cards carry.

Accuracy is not measured here (bench/engine_unseen.py outsider, bench/quality.py kyc --style
outsider and bench/cascade.py --sets outsider do, once, after the merge); these tests hold the
yardstick itself.
"""

import dataclasses
import random
from collections import Counter
from datetime import date

import numpy as np
import pytest

from tests.conftest import (compact_date, drawn_alike, drawn_back_matches, jpeg_picture,
                            refuses_unknown_kind, registered_holdout)
from tests.fakes import artifacts, outsider, outsider_kyc, renderings
from tests.fakes.cards import REAL_NATIONS, holder_faults

pytestmark = pytest.mark.skipif(not outsider.available(),
                                reason=f"make fonts (apt-get install {outsider.PACKAGES})")

SMALL = dataclasses.replace(artifacts.OUTSIDER, frame=(1024, 768))  # quick frames


def test_the_outsider_is_registered_as_a_rendering_and_a_kyc_style():
    registered_holdout("outsider", outsider, outsider_kyc, artifacts.OUTSIDER)


@pytest.mark.parametrize("kind", outsider.KINDS)
def test_every_kind_is_drawn_the_same_for_the_same_number(kind):
    img = jpeg_picture(drawn_alike("outsider", kind).data)
    assert max(img.size) >= 1080
    assert np.asarray(img.convert("L")).std() > 10  # a scene with a card in it


def test_the_benches_seeds_are_drawn():
    for kind in outsider.KINDS:  # bench/readings.py's SEED_BASE, the last of 60 (bench/
        photo = renderings.shoot("outsider", kind, 4059)  # engine_unseen.py's run)
        assert photo.kind == kind and jpeg_picture(photo.data).size


def test_an_unknown_kind_is_refused_by_name():
    refuses_unknown_kind("outsider", artifacts.OUTSIDER)


def test_a_sheet_holds_one_persons_two_sides():
    for seed in range(2):
        photo = renderings.shoot("outsider", "sheet", seed)
        face, back = photo.truth["face"], photo.truth["back"]
        assert photo.detail.startswith("A4 at ")
        place = next(p for p in outsider.OUTSIDER_PLACES if face["num"].startswith(p[0]))
        assert back["issue"] == place[4] and face["address"].startswith(place[1])


def test_hard_photos_turn_by_every_quarter_and_carry_stamps_and_watermarks():
    details = [renderings.shoot("outsider", "hard", seed).detail for seed in range(8)]
    turns = {word for d in details for word in ("upright", "turned 90", "turned 180",
                                                 "turned 270") if word in d}
    assert len(turns) == 4, details
    assert any("stamp" in d for d in details) and any("watermark" in d for d in details)
    assert any("degrees off" in d and int(d.split(" degrees off")[0].split()[-1]) >= 28
               for d in details)  # strong perspective


def test_a_messenger_photo_has_the_messengers_size():
    for seed in range(6):
        photo = renderings.shoot("outsider", "plain_face", seed)
        if "sent at" in photo.detail:
            long_side = int(photo.detail.split("sent at ")[1].split()[0])
            assert max(jpeg_picture(photo.data).size) == long_side in (1080, 1280)
            return
    pytest.fail("no plain face of seeds 0-5 was sent through a messenger")


@pytest.mark.parametrize("seed", range(6))
def test_every_value_of_the_truth_is_drawn_on_the_card(seed):
    person = outsider.random_person(random.Random(seed))
    face, back = person["face"], person["back"]
    log = []
    card = outsider.draw_face(face, random.Random(seed), log)
    assert card.size == outsider.CARD_SIZE
    drawn = [text for text, _ in log]
    for field in ("name", "sex", "nationality", "num"):
        assert face[field] in drawn, field
    assert "".join(drawn[6:-1]) == face["address"]  # its lines, after the birth date
    birth = face["birth"]
    assert {birth[:4], str(int(birth[4:6])), str(int(birth[6:]))} <= set(drawn)
    w, h = card.size
    for text, (x0, y0, x1, y1) in log:  # every value inside the card, left of the portrait
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, text
        if text != face["num"]:
            assert x1 <= outsider.mm(56.5), text
    number_box = dict(log)[face["num"]]
    assert number_box[1] > h * 0.75  # the number on its own row at the bottom
    grey = np.asarray(card.convert("L"))
    x0, y0, x1, y1 = number_box
    assert grey[y0:y1, x0:x1].min() < 90  # printed dark
    drawn_back_matches(outsider.draw_back, back, seed)


def test_every_character_of_the_data_is_in_the_fonts_that_draw_it():
    # a value font lacking a character is not chosen for it, and Droid Sans Fallback (the
    # fallback) holds every CJK character the data uses; Latin and digits come from LATIN
    data = "".join(outsider.NATIONALITIES) + outsider.SURNAMES + "".join(
        outsider.RARE_SURNAMES) + outsider.GIVEN + "".join(
        "".join(p) for p in outsider.OUTSIDER_PLACES) + "".join(
        outsider.STREET_WORDS + outsider.TOWN_WORDS) + "路街镇村组号栋单元室小区新村花园楼长期年月日"
    assert outsider.covers(outsider.DROID, [c for c in data if ord(c) > 0x2e80])
    assert outsider.covers(outsider.LATIN, "0123456789X.-")
    for font in outsider.NUMBER_FONTS:
        assert outsider.covers(font, "0123456789X"), font


def test_the_data_is_what_real_cards_carry():
    assert len(outsider.NATIONALITIES) == 56 == len(set(outsider.NATIONALITIES))
    assert set(outsider.NATIONALITIES) == set(REAL_NATIONS)
    people = [outsider.random_person(random.Random(n)) for n in range(800)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert len(nations) == 56  # the rare ones appear, not only 汉
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 3 * outsider.CHARS_PER_LINE
    assert sum(n > 2 * outsider.CHARS_PER_LINE for n in lengths) > 40  # three lines, often
    names = [p["face"]["name"] for p in people]
    assert all(2 <= len(n) <= 4 for n in names)
    assert sum(any(n.startswith(s) for s in outsider.RARE_SURNAMES) for n in names) > 100
    assert sum(len(p["back"]["issue"]) > 12 for p in people) > 40  # long enough to wrap
    ends = Counter(p["back"]["end_date"] == "长期" for p in people)
    assert ends[True] > 40
    for p in people:
        face, back = p["face"], p["back"]
        assert holder_faults(face, back) == []
        num = face["num"]
        assert outsider.check_character(num[:17]) == num[17]
        assert num[6:14] == face["birth"] and int(num[16]) % 2 == (face["sex"] == "男")
        start, birth = compact_date(back["start_date"]), compact_date(face["birth"])
        assert birth < start <= date(2026, 11, 20)
        age = (start - birth).days // 365
        if back["end_date"] == "长期":
            assert age >= 46
        else:
            years = compact_date(back["end_date"]).year - start.year
            assert years == (5 if age < 16 else 10 if age < 26 else 20)
            assert back["end_date"][4:] == back["start_date"][4:]
            assert compact_date(back["end_date"]) >= outsider.TODAY  # a card still valid


@pytest.mark.parametrize("kind", artifacts.KINDS)
def test_the_outsider_kyc_style_draws_every_kind_with_its_card_region(kind):
    shot = artifacts.render(kind, 5, SMALL)
    again = artifacts.render(kind, 5, SMALL)
    assert shot.data == again.data and shot.region == again.region
    assert shot.style == "outsider" and shot.expected == (None if kind == "ordinary" else kind)
    assert shot.detail.split(",")[0] in ("face", "back")  # the side read comes first
    img = jpeg_picture(shot.data)
    assert img.size in (SMALL.frame, (1080, 810), (1080, 608))  # or sent through a messenger
    assert artifacts.region_faults(shot, img.size) == []


def test_every_artifact_of_each_kind_is_drawn():
    # each variant the style names in turn, by seed (details name them): a run of n seeds
    # holds every one of n variants
    wanted = {"photocopy": outsider_kyc.COPIES, "screen_recapture": outsider_kyc.SCREENS,
              "occlusion": outsider_kyc.OCCLUDERS, "glare_on_fields": outsider_kyc.GLARES,
              "multiple_cards": outsider_kyc.OTHER_CARDS + outsider_kyc.ARRANGEMENTS}
    small = dataclasses.replace(artifacts.OUTSIDER, frame=(480, 360))
    for kind, variants in wanted.items():
        count = 9 if kind == "multiple_cards" else len(variants)
        details = " | ".join(artifacts.render(kind, 200_000 + seed, small).detail
                             for seed in range(count))
        for name in variants:
            assert name in details, (kind, name)


def test_the_outsider_kyc_style_draws_the_card_where_its_region_says():
    for seed in range(3):
        shot = artifacts.render("ordinary", seed, SMALL)
        img = np.asarray(jpeg_picture(shot.data).convert("L"), dtype=np.float32)
        (tlx, tly), _, (brx, bry), _ = shot.region
        cx, cy = int((tlx + brx) / 2), int((tly + bry) / 2)
        assert img[cy - 3:cy + 3, cx - 3:cx + 3].mean() > 100  # the card's light print


def test_a_cut_card_reaches_beyond_the_frame_or_onto_its_edge():
    for seed in range(4):
        shot = artifacts.render("incomplete_border", seed, SMALL)
        w, h = jpeg_picture(shot.data).size
        assert any(x <= 0 or y <= 0 or x >= w - 1 or y >= h - 1 for x, y in shot.region)
