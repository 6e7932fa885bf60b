"""Step 1, detect (engine/detect.py): where each card's text is, from boxes alone.

Pure geometry on boxes laid out as a card's text lies (rows about one text height apart, the
back's title block set off from its two rows), so these run without the models.
"""

import pytest

from idcard_ocr.engine import detect

pytestmark = pytest.mark.engine

HEIGHT = 30  # px, a row's thickness


def row(x, y, chars, height=HEIGHT, upright=True):
    """A box around `chars` characters at (x, y), running across (or, not upright, down), its
    corners clockwise from the top left as the detector gives them."""
    width, tall = (chars * height, height) if upright else (height, chars * height)
    return [(x, y), (x + width, y), (x + width, y + tall), (x, y + tall)]


def face(x, y):
    """A face's rows: name, sex and nationality, birth, three of address, the number."""
    rows = [(0, 0, 5), (0, 1.6, 8), (0, 3.2, 12), (0, 4.8, 14), (2.5, 6.0, 11), (2.5, 7.2, 6),
            (0, 10.0, 24)]
    return [row(x + dx * HEIGHT, y + dy * HEIGHT, n) for dx, dy, n in rows]


def back(x, y):
    """A back: the title block top right, then four text heights of emblem and guilloche, then
    the authority and validity rows."""
    rows = [(8, 0, 7), (8, 2.0, 5), (1, 9.0, 13), (1, 10.6, 16)]
    return [row(x + dx * HEIGHT, y + dy * HEIGHT, n) for dx, dy, n in rows]


def test_a_single_card_is_one_area_its_back_too():
    for boxes in (face(100, 100), back(100, 100)):
        assert detect.cards(boxes) == [boxes]


def test_each_card_of_a_sheet_is_its_own_area():
    top, bottom = face(100, 100), back(120, 100 + 20 * HEIGHT)
    groups = detect.cards(top + bottom)
    assert groups == [top, bottom]  # largest (most characters) first


def test_cards_side_by_side_are_apart_too():
    left, right = face(0, 0), back(30 * HEIGHT, 0)
    assert sorted(map(len, detect.cards(left + right))) == [len(right), len(left)]


def test_text_that_no_empty_band_divides_stays_one_area():
    # Wider than a card, yet no band a text height wide runs through it: never cut blindly.
    boxes = [row(0, y * HEIGHT * 1.2, 40) for y in range(20)]
    assert detect.cards(boxes) == [boxes]


def test_a_few_stray_characters_are_not_a_card():
    card, stray = face(100, 100), [row(100, 100 + 30 * HEIGHT, 2)]
    assert detect.cards(card + stray) == [card]


def test_text_height_is_a_rows_thickness_whichever_way_it_runs():
    # The other card of a sheet turned a quarter turn: its rows run down the photo. Their
    # thickness, not their length, is the text's height.
    across = [row(0, i * 50, 12) for i in range(3)]
    down = [row(600 + i * 50, 0, 12, upright=False) for i in range(4)]
    assert detect.text_height(across + down) == pytest.approx(HEIGHT)
    located = detect.around(_blank(2000, 2000), across + down)
    assert located.sideways and located.zoom == pytest.approx(detect.TEXT_BOX_HEIGHT / HEIGHT)


def _blank(width, height):
    import numpy as np

    return np.full((height, width, 3), 255, dtype=np.uint8)
