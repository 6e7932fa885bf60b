"""The generators' one way of asking about fonts (tests/fakes/typefaces.py)."""

import importlib

import pytest
from PIL import Image, ImageDraw

from tests.fakes import renderings, typefaces

GENERATORS = ("fresh", "blind", "outsider", "novel", "stranger", "wayfarer", "pilgrim", "nomad",
              "drifter")
CARD_TEXT = "姓名性别民族出生年月日住址公民身份号码签发机关有效期限中华人民共和国居民身份证0123456789X"


def _faces_of(name):
    """Every (path, index) font a generator module names at its top level."""
    module = importlib.import_module(f"tests.fakes.{name}")
    found = set()
    for value in vars(module).values():
        candidates = value if isinstance(value, tuple) and value and isinstance(value[0], tuple) \
            else (value,)
        for c in candidates:
            if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str) \
                    and c[0].startswith("/usr/share/fonts/") and isinstance(c[1], int):
                found.add(c)
    return found


def _drawn(face, text):
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((8, 8), text, font=face, fill=255)
    return image.tobytes()


@pytest.mark.skipif(not all(importlib.import_module(f"tests.fakes.{n}").available()
                            for n in GENERATORS), reason="make fonts")
def test_a_face_covers_a_character_exactly_when_it_draws_a_glyph_of_its_own():
    # The character map (fontconfig's) against what FreeType draws: a character the map lacks
    # draws the face's missing-glyph box, one it has draws something else.
    faces = set().union(*(_faces_of(n) for n in GENERATORS))
    assert len(faces) >= 40
    sample = CARD_TEXT + "仫佬畲傈僳黟涪燚璠·"
    checked = {True: 0, False: 0}
    for font in sorted(faces):
        face = typefaces.face(font, 32)
        missing = _drawn(face, "\U0010fffd")
        for character in sample:
            covered = typefaces.covers(font, character)
            assert covered == (_drawn(face, character) != missing), (font, hex(ord(character)))
            checked[covered] += 1
    assert checked[True] > 1000 and checked[False] > 100  # both answers were exercised


def test_white_space_is_not_asked_about_and_one_missing_character_is_enough_to_say_no():
    if not renderings.available():
        pytest.skip("make fonts")
    hei = renderings.FONTS["gb"][0]
    assert typefaces.covers(hei, "姓名 公民身份号码\n")
    assert not typefaces.covers(hei, "姓名\U0010fffd")
    assert not typefaces.covers(("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0), "姓")


def test_a_missing_file_is_not_installed_and_no_face_is_asked_below_six_pixels(tmp_path):
    assert not typefaces.installed([(str(tmp_path / "absent.ttf"), 0)])
    assert typefaces.installed([])
    if not renderings.available():
        pytest.skip("make fonts")
    hei = renderings.FONTS["gb"][0]
    assert typefaces.installed([hei])
    assert typefaces.face(hei, 2.7).size == 6 and typefaces.face(hei, 30.9).size == 30
