"""The novel hold-out's generators (tests/fakes/novel.py, tests/fakes/novel_kyc.py) draw what
their truth says, every kind and artifact, the same photo for the same number, and data as real
cards carry.

Accuracy is not measured here (bench/engine_unseen.py novel, bench/quality.py kyc --style novel
and bench/cascade.py --sets novel do, once, after the merge); these tests hold the yardstick
itself.
"""

import dataclasses
import os
import random
from collections import Counter
from datetime import date

import numpy as np
import pytest

from tests.conftest import (card_where_region_says, cut_beyond_frame, drawn_alike,
                            drawn_back_matches, each_holder_as_a_real_card,
                            every_variant_drawn, jpeg_picture, kyc_shot_sound,
                            refuses_unknown_kind, registered_holdout)
from tests.fakes import artifacts, novel, novel_kyc, renderings
from tests.fakes.cards import REAL_NATIONS, holder_faults

pytestmark = pytest.mark.skipif(not novel.available(),
                                reason=f"make fonts (apt-get install {novel.PACKAGES})")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dataclasses.replace(artifacts.NOVEL, frame=(1024, 768))  # quick frames
TINY = dataclasses.replace(artifacts.NOVEL, frame=(480, 360))


def test_the_novel_set_is_registered_as_a_rendering_and_a_kyc_style():
    registered_holdout("novel", novel, novel_kyc, artifacts.NOVEL)


@pytest.mark.parametrize("kind", novel.KINDS)
def test_every_kind_is_drawn_the_same_for_the_same_number(kind):
    img = jpeg_picture(drawn_alike("novel", kind).data)
    assert max(img.size) >= 1080
    assert np.asarray(img.convert("L")).std() > 10  # a scene with a card in it


def test_an_unknown_kind_is_refused_by_name():
    refuses_unknown_kind("novel", artifacts.NOVEL)


def test_a_sheet_holds_one_persons_two_sides():
    photo = renderings.shoot("novel", "sheet", 0)
    face, back = photo.truth["face"], photo.truth["back"]
    assert photo.detail.startswith("A4 at ")
    place = next(p for p in novel.PLACES if face["num"].startswith(p[0]))
    assert back["issue"] == place[4] and face["address"].startswith(place[1])
    assert holder_faults(face, back) == []


def test_a_hard_photo_keeps_the_card_448_to_1300_px_wide_and_says_what_was_done():
    for seed in range(2):
        detail = renderings.shoot("novel", "hard", seed).detail
        notes = detail.split(", ")
        width = int(next(n for n in notes if n.startswith("card ")).split()[1])
        frame = max(int(v) for v in next(n for n in notes if "x" in n and n[0].isdigit())
                    .split("x"))
        sent = [int(n.split()[2]) for n in notes if n.startswith("sent at ")]
        assert 447 <= width * (sent[0] / frame if sent else 1) <= 1300, detail
        assert notes[0] in ("face", "back")
        assert any(turn in notes for turn in ("upright", "turned 90", "turned 180",
                                              "turned 270")), detail


def test_quarter_turns_keystone_and_skew_move_the_corners_as_said():
    rng = random.Random(1)
    upright = novel.card_quad(rng, (4000, 3000), 1000, 0, 0, 0.0, at=(2000, 1500))
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = upright
    assert abs((trx - tlx) - 1000) < 25 and abs((bly - tly) - 1000 * 54 / 85.6) < 25
    turned = novel.card_quad(rng, (4000, 3000), 1000, 90, 0, 0.0, at=(2000, 1500))
    (tlx, tly), _, _, (trx, try_) = turned
    assert abs(trx - tlx) < 25 and try_ - tly > 950  # the top edge now runs downwards
    narrowed = novel.card_quad(random.Random(2), (4000, 3000), 1000, 0, 0, 0.4, at=(2000, 1500))
    edges = [np.hypot(*np.subtract(narrowed[i], narrowed[(i + 1) % 4])) for i in range(4)]
    assert min(edges[1], edges[3]) < 0.85 * 1000 or min(edges[0], edges[2]) < 0.85 * 631


def test_stamps_are_red_and_watermarks_lay_their_phrase_over_the_card():
    card = novel.card_image("face", novel.random_person(random.Random(3))["face"],
                            random.Random(3))
    stamped, what = novel.stamp(card, random.Random(4))
    assert what.endswith("stamp")
    before, after = (np.asarray(i.convert("RGB"), np.int16) for i in (card, stamped))
    reddened = (after[..., 0] - after[..., 1] > 60) & (before[..., 0] - before[..., 1] < 30)
    assert reddened.sum() > 500
    marked, what = novel.watermark(card, random.Random(5))
    assert what.startswith("watermark ")
    changed = np.abs(np.asarray(marked, np.int16) - before).sum(-1) > 30
    assert changed.mean() > 0.02
    assert all(p.replace("{}", "") for p in novel.OVERLAY_PHRASES)


@pytest.mark.parametrize("seed", range(4))
def test_every_value_of_the_truth_is_drawn_on_the_card(seed):
    person = novel.random_person(random.Random(seed))
    face, back = person["face"], person["back"]
    log = []
    card = novel.draw_face(face, random.Random(seed), log)
    assert card.size == novel.CARD_SIZE
    drawn = [text for text, _ in log]
    for field in ("name", "sex", "nationality", "num"):
        assert face[field] in drawn, field
    birth = face["birth"]
    assert drawn[3:6] == [birth[:4], str(int(birth[4:6])), str(int(birth[6:]))]
    assert "".join(drawn[6:-1]) == face["address"]  # its lines, after the birth date
    w, h = card.size
    for text, (x0, y0, x1, y1) in log:  # every value inside the card, left of the portrait
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, text
        if text != face["num"]:
            assert x1 <= novel.mm(56.5), text
    x0, y0, x1, y1 = dict(log)[face["num"]]
    assert y0 > h * 0.75 and x1 <= novel.mm(83)  # its own row at the bottom, on the card
    assert np.asarray(card.convert("L"))[y0:y1, x0:x1].min() < 90  # printed dark
    drawn_back_matches(novel.draw_back, back, seed)


def test_every_character_of_the_data_is_in_the_fonts_that_draw_it():
    # a value font lacking a character is not chosen for it; BabelStone Han (the fallback)
    # holds every one the data uses
    data = "".join(novel.NATIONALITIES) + novel.SURNAMES + "".join(
        novel.RARE_SURNAMES + novel.DOUBLE_SURNAMES + novel.GIVEN) + novel.RARE_GIVEN + "".join(
        novel.DOTTED_GIVEN + novel.DOTTED_FAMILY + novel.TIBETAN_NAMES + novel.MONGOLIAN_NAMES
        + novel.TOWNS + novel.VILLAGES + novel.ROADS + novel.ESTATES) + "".join(
        "".join(p) for p in novel.PLACES) + "组号栋单元室幢长期·"
    assert novel.covers(novel.BABELSTONE, data)
    for spec in novel.LABEL_FONTS:
        assert novel.covers(spec, "姓名性别民族出生年月日住址公民身份号码签发机关有效期限")
    for spec in novel.NUMBER_FONTS:
        assert novel.covers(spec, "0123456789X"), spec
    assert not novel.covers(novel.NUMBER_FONTS[0], "姓")  # the check can say no


def test_the_data_is_what_real_cards_carry():
    assert len(novel.NATIONALITIES) == 56 == len(set(novel.NATIONALITIES))
    assert set(novel.NATIONALITIES) == set(REAL_NATIONS)
    people = [novel.random_person(random.Random(n)) for n in range(800)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert len(nations) == 56  # the rare ones appear, not only 汉
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 3 * novel.CHARS_PER_LINE
    assert sum(n > 2 * novel.CHARS_PER_LINE for n in lengths) > 40  # three lines, often
    assert sum(n <= 2 * novel.CHARS_PER_LINE for n in lengths) > 40  # and one or two
    names = [p["face"]["name"] for p in people]
    assert all(2 <= len(n) <= 9 for n in names)
    assert sum("·" in n for n in names) > 20 and sum(len(n) == 2 for n in names) > 40
    assert sum(n[:2] in novel.DOUBLE_SURNAMES for n in names) > 10
    assert sum(n[0] in novel.RARE_SURNAMES for n in names) > 80
    assert sum(len(p["back"]["issue"]) > 13 for p in people) > 20  # long enough to wrap
    ends = Counter(p["back"]["end_date"] == "长期" for p in people)
    assert ends[True] > 40
    each_holder_as_a_real_card(people, novel)


@pytest.mark.parametrize("kind", artifacts.KINDS)
def test_the_novel_kyc_style_draws_every_kind_with_its_card_region(kind):
    kyc_shot_sound(kind, SMALL)


def test_every_artifact_of_each_kind_is_drawn():
    every_variant_drawn({"ordinary": novel_kyc.ORDINARY, "photocopy": novel_kyc.COPIES,
                         "screen_recapture": novel_kyc.SCREENS,
                         "incomplete_border": novel_kyc.CUTS,
                         "occlusion": novel_kyc.OCCLUDERS, "glare_on_fields": novel_kyc.GLARES,
                         "multiple_cards": novel_kyc.OTHER_CARDS + novel_kyc.ARRANGEMENTS},
                        TINY, 300_000)


def test_the_novel_kyc_style_draws_the_card_where_its_region_says():
    card_where_region_says(SMALL, range(3), 0.05)


def test_a_cut_card_reaches_beyond_the_frame_and_an_ordinary_one_does_not():
    cut_beyond_frame(TINY)


def test_a_screen_shows_its_subpixels_and_a_copy_loses_the_cards_colour():
    card = novel.card_image("back", novel.random_person(random.Random(7))["back"],
                            random.Random(7))
    lcd = np.asarray(novel_kyc._mosaic(card, "LCD stripe", 300, 900, random.Random(1)),
                     np.float32)
    columns = lcd[100:400].mean(0)  # the stripes: red and blue peak in different columns
    assert np.corrcoef(columns[:, 0], columns[:, 2])[0, 1] < 0.5
    grey = np.asarray(novel_kyc._copy_of(card, random.Random(2), "black-and-white laser"),
                      np.int16)
    assert np.abs(grey[..., 0] - grey[..., 2]).max() < 12


def test_the_benches_report_novel_measured_once_in_sections_of_its_own(bench):
    # Measured once as a hold-out on 2026-12-07 (its engine misses printed by that run): tuned
    # on since, and its once-measured sections keep their own names.
    engine_unseen, quality, cascade = (bench(n) for n in ("engine_unseen", "quality", "cascade"))
    assert engine_unseen.ROLE["novel"].startswith("tuned on since 2026-12-07")
    assert "novel" in engine_unseen.tuned_on() and "outsider" in engine_unseen.tuned_on()
    assert quality.ROLE["novel"].startswith("tuned on since 2026-12-07")
    assert cascade.role("novel").startswith("hold-out")
    assert cascade.section(["novel"]) == "cascade-novel"
    assert cascade.section(["specimen", "gb"]) == "cascade"
    readme = open(os.path.join(ROOT, "bench", "README.md"), encoding="utf-8").read()
    for name in ("engine-novel", "quality-kyc-novel", "cascade-novel"):
        assert f"<!-- {name}:start -->" in readme and f"<!-- {name}:end -->" in readme
