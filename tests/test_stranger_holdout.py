"""The stranger hold-out's generators (tests/fakes/stranger.py, tests/fakes/stranger_kyc.py)
draw what their truth says, every kind and artifact, the same photo for the same number, and
data as real cards carry.

Accuracy is not measured here (bench/engine_unseen.py stranger, bench/quality.py kyc --style
stranger and bench/cascade.py --sets stranger do, once, after the merge); these tests hold the
yardstick itself.
"""

import dataclasses
import os
import random
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from tests.conftest import (card_where_region_says, cut_beyond_frame, drawn_alike,
                            drawn_back_matches, every_variant_drawn,
                            holders_as_real_cards_carry, jpeg_picture, kyc_shot_sound,
                            overlays_mark_the_card, refuses_unknown_kind, registered_holdout)
from tests.fakes import artifacts, renderings, stranger, stranger_kyc
from tests.fakes.cards import REAL_NATIONS, holder_faults

pytestmark = pytest.mark.skipif(not stranger.available(),
                                reason=f"make fonts (apt-get install {stranger.PACKAGES})")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dataclasses.replace(artifacts.STRANGER, frame=(1024, 768))  # quick frames
TINY = dataclasses.replace(artifacts.STRANGER, frame=(480, 360))


def test_the_stranger_set_is_registered_as_a_rendering_and_a_kyc_style():
    registered_holdout("stranger", stranger, stranger_kyc, artifacts.STRANGER)


@pytest.mark.parametrize("kind", stranger.KINDS)
def test_every_kind_is_drawn_the_same_for_the_same_number(kind):
    img = jpeg_picture(drawn_alike("stranger", kind).data)
    assert max(img.size) >= 1080
    assert np.asarray(img.convert("L")).std() > 10  # a scene with a card in it


def test_an_unknown_kind_is_refused_by_name():
    refuses_unknown_kind("stranger", artifacts.STRANGER)


def test_a_sheet_holds_one_persons_two_sides():
    for seed in (3, 4):
        photo = renderings.shoot("stranger", "sheet", seed)
        face, back = photo.truth["face"], photo.truth["back"]
        assert photo.detail.startswith("A4 at ")
        place = next(p for p in stranger.PLACES if face["num"].startswith(p[0]))
        assert back["issue"] == place[2] and face["address"].startswith(place[1])
        assert holder_faults(face, back) == []


def _notes(detail: str) -> dict:
    return {note.split(" ")[0]: note for note in detail.split(", ")}


def test_a_photo_says_the_card_is_448_to_1300_px_wide_and_how_it_is_turned():
    for seed in range(3):
        photo = renderings.shoot("stranger", "plain_face", seed)
        notes = photo.detail.split(", ")
        width = int(next(n for n in notes if n.startswith("card ")).split()[1])
        assert 448 <= width <= 1300, photo.detail
        assert notes[0] == "face" and "upright" in notes


def test_hard_photos_turn_every_quarter_and_carry_stamps_and_watermarks(monkeypatch):
    # the frames made small (as many, so that every seed makes the same choices): the notes of
    # 24 hard photos without drawing 24 photos of 12 MP
    monkeypatch.setattr(stranger, "FRAMES", ((320, 240),) * len(stranger.FRAMES))
    details = [renderings.shoot("stranger", "hard", seed).detail for seed in range(24)]
    turns = {turn for d in details for turn in stranger.TURNS.values() if turn in d}
    assert len(turns) == 4, details
    for effect in ("stamp", "watermark handwritten", "watermark tiled", "sent at", "dark",
                   "glare", "motion blur", "rolling shutter", "barrel", "HDR", "beauty",
                   "worn corner", "scratched laminate", "sun-faded", "holographic sheen",
                   "plastic sleeve", "hand shadow",
                   "lamp and daylight", "out of focus"):
        assert any(effect in d for d in details), effect
    skews = [abs(int(d.split("skew ")[1].split(",")[0])) for d in details]
    assert max(skews) >= 15


@pytest.mark.parametrize("seed", range(4))
def test_every_value_of_the_truth_is_drawn_on_the_card(seed):
    person = stranger.random_person(random.Random(seed))
    face, back = person["face"], person["back"]
    log = []
    card = stranger.draw_face(face, random.Random(seed), log)
    assert card.size == stranger.CARD_SIZE
    drawn = [text for text, _ in log]
    for field in ("name", "sex", "nationality", "num"):
        assert face[field] in drawn, field
    birth = face["birth"]
    assert drawn[3:6] == [birth[:4], str(int(birth[4:6])), str(int(birth[6:]))]
    assert "".join(drawn[6:-1]) == face["address"]  # its lines, after the birth date
    assert len(drawn[6:-1]) <= 3
    w, h = card.size
    for text, (x0, y0, x1, y1) in log:  # every value inside the card, left of the portrait
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, text
        if text != face["num"]:
            assert x1 <= stranger.mm(55.5), text
    x0, y0, x1, y1 = dict(log)[face["num"]]
    assert y0 > h * 0.75 and x1 <= stranger.mm(84)  # its own row at the bottom, on the card
    assert np.asarray(card.convert("L"))[y0:y1, x0:x1].min() < 90  # printed dark
    drawn_back_matches(stranger.draw_back, back, seed)


def test_a_long_authority_wraps_onto_a_second_line():
    back = {"issue": "喀喇沁左翼蒙古族自治县公安局", "start_date": "20150301",
            "end_date": "20350301"}
    wrapped = []
    for seed in range(6):
        log = []
        stranger.draw_back(back, random.Random(seed), log)
        wrapped.append(len(log) - 1)
    assert max(wrapped) >= 2  # at the larger value sizes the row cannot hold it


def test_every_character_of_the_data_is_in_the_fonts_that_draw_it():
    data = "".join(stranger.NATIONALITIES) + stranger.SURNAMES + stranger.RARE_SURNAMES + \
        "".join(stranger.COMPOUND_SURNAMES) + stranger.GIVEN_CHARS + \
        stranger.RARE_GIVEN_CHARS + "".join(
            stranger.DOTTED_PARTS + stranger.TIBETAN_NAMES + stranger.MONGOLIAN_NAMES +
            stranger.YI_NAMES + stranger.STREETS + stranger.STREET_KINDS + stranger.TOWNS +
            stranger.VILLAGES + stranger.COMPOUNDS) + "".join(
        p[1] + p[2] for p in stranger.PLACES) + "组号栋单元室长期·0123456789"
    for spec in stranger.VALUE_FONTS:
        assert stranger.covers(spec, data), spec
    for spec in stranger.LABEL_FONTS:
        assert stranger.covers(spec, "姓名性别民族出生年月日住址公民身份号码签发机关有效期限")
    for spec in stranger.NUMBER_FONTS:
        assert stranger.covers(spec, "0123456789X"), spec
    assert not stranger.covers(stranger.NUMBER_FONTS[0], "姓")  # the check can say no


def test_the_data_is_what_real_cards_carry():
    assert len(stranger.NATIONALITIES) == 56 == len(set(stranger.NATIONALITIES))
    assert set(stranger.NATIONALITIES) == set(REAL_NATIONS)
    people = [stranger.random_person(random.Random(n)) for n in range(800)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert len(nations) == 56  # the rare ones appear, not only 汉
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 3 * stranger.CHARS_PER_LINE
    assert sum(n > 2 * stranger.CHARS_PER_LINE for n in lengths) > 40  # three lines, often
    assert sum(n <= 2 * stranger.CHARS_PER_LINE for n in lengths) > 40  # and one or two
    names = [p["face"]["name"] for p in people]
    assert all(2 <= len(n) <= 11 for n in names)
    assert sum("·" in n for n in names) > 15 and sum(len(n) == 2 for n in names) > 40
    assert sum(len(n) >= 4 and "·" not in n for n in names) > 15  # long names without a dot
    assert sum(n[:2] in stranger.COMPOUND_SURNAMES for n in names) > 10
    assert sum(n[0] in stranger.RARE_SURNAMES for n in names) > 50
    assert sum(any(c in stranger.RARE_GIVEN_CHARS for c in n) for n in names) > 50
    issues = [p["back"]["issue"] for p in people]
    assert sum("分局" in i for i in issues) > 100 and sum(i.endswith("县公安局") for i in issues)
    assert sum(("旗" in p["face"]["address"] or "盟" in p["face"]["address"] or "自治" in
                p["face"]["address"]) for p in people) > 100
    holders_as_real_cards_carry(people, stranger)


def test_the_check_character_is_gb_11643s():
    assert stranger.check_character("11010519491231002") == "X"  # the standard's example
    assert stranger.check_character("44052418800101001") == "4"


def test_stamps_are_red_and_watermarks_lay_their_phrase_over_the_card():
    overlays_mark_the_card(stranger)


@pytest.mark.parametrize("kind", artifacts.KINDS)
def test_the_stranger_kyc_style_draws_every_kind_with_its_card_region(kind):
    shot = kyc_shot_sound(kind, SMALL)
    assert artifacts.render(kind, 6, SMALL).data != shot.data  # another seed, another photo


def test_every_artifact_of_each_kind_is_drawn():
    kyc = stranger_kyc
    every_variant_drawn({"ordinary": kyc.ORDINARY, "photocopy": kyc.COPIES,
                         "screen_recapture": kyc.SCREENS, "incomplete_border": kyc.CUTS,
                         "occlusion": kyc.OCCLUDERS, "glare_on_fields": kyc.GLARES,
                         "multiple_cards": kyc.OTHER_CARDS + kyc.ARRANGEMENTS},
                        TINY, 200_000)


def test_the_stranger_kyc_style_draws_the_card_where_its_region_says():
    # on a desk, slightly blurred, on patterned cloth (not the dim room)
    card_where_region_says(SMALL, (0, 3, 4), 0.1)


def test_a_cut_card_reaches_beyond_the_frame_and_an_ordinary_one_does_not():
    cut_beyond_frame(TINY)


def test_a_screen_shows_its_subpixels_and_a_copy_loses_the_cards_colour():
    grey = Image.new("RGBA", (600, 300), (200, 200, 200, 255))
    lcd = np.asarray(stranger_kyc.mosaic(grey, "phone LCD", 3.5, random.Random(1)), np.float32)
    columns = lcd[50:250].mean(0)  # the stripes: red and blue peak in different columns
    assert np.corrcoef(columns[:, 0], columns[:, 2])[0, 1] < 0.5
    assert abs(columns[:, 0].mean() - columns[:, 2].mean()) < 10  # and still grey on average
    pentile = np.asarray(stranger_kyc.mosaic(grey, "OLED PenTile", 1.7, random.Random(1))
                         .convert("RGB"), np.float32).reshape(-1, 3).mean(0)
    assert np.ptp(pentile) < 12
    card = stranger.card_image("back", stranger.random_person(random.Random(7))["back"],
                               random.Random(7))
    copy = np.asarray(stranger_kyc.copy_of(card, random.Random(2), "black-and-white laser")
                      .convert("RGB"), np.int16)
    assert np.abs(copy[..., 0] - copy[..., 2]).max() < 12


def test_the_benches_report_stranger_measured_once_in_sections_of_its_own(bench):
    # Measured once as a hold-out on 2026-12-07 (the engine's misses and the KYC rates printed
    # by those runs): tuned on since; its once-measured sections keep their own names.
    engine_unseen, quality, cascade = (bench(n) for n in ("engine_unseen", "quality", "cascade"))
    assert engine_unseen.ROLE["stranger"].startswith("tuned on since 2026-12-07")
    assert "stranger" in engine_unseen.tuned_on()
    assert quality.ROLE["stranger"].startswith("tuned on since 2026-12-07")
    assert cascade.role("stranger").startswith("hold-out")
    assert cascade.section(["stranger"]) == "cascade-stranger"
    readme = open(os.path.join(ROOT, "bench", "README.md"), encoding="utf-8").read()
    for name in ("engine-stranger", "quality-kyc-stranger", "cascade-stranger"):
        start = readme.index(f"<!-- {name}:start -->")
        assert readme.index(f"<!-- {name}:end -->") > start + len(f"<!-- {name}:start -->\n")
