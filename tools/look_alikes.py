"""Derive the engine's table of look-alikes (engine/look_alikes.py): the common characters its
recogniser reads, with confidence, for a rarer character printed (瑭 read as 塘 at 1.0, 亓 as
元, 彧 as 或). A name read holding one of them is doubted (fields._doubt_unlikely_name):
nothing in the line's scores or geometry tells the two apart, so only a second opinion can.

    PYTHONPATH=$PWD/functions/idcard_ocr nice .venv/bin/python tools/look_alikes.py
    ... tools/look_alikes.py --check   # derive again and compare with the committed table

Offline and deterministic: the characters are drawn with PIL in installed CJK faces and read
by the engine's own recogniser (engine/ocr.recognise, the wheel's models), nothing random.

- **The rarer characters printed** (not in GB 2312's first level, its 3,755 common characters):
  - of names: those the generators tuned on (tests/fakes: GENERATORS) draw into names, 2,000
    holders each, those beginning a name (rare surnames) -> SURNAME_LOOK_ALIKES and those later
    in one (rare given-name characters) -> GIVEN_LOOK_ALIKES (fields doubts a name holding a
    character read for one where it stands: 远 read for the surname 逯 is not doubted in 志远);
  - of places: those of the county-level divisions' names (places.py) -> PLACE_LOOK_ALIKES
    (places takes a short name read one such character off for the real one);
  - of the 56 groups: those the recogniser does not know (仫) -> READ_AS (lines.choose_in_area
    scores the group by what the character is read as).
  Every character of GB 2312's second level was drawn once as well (2026-12-07): 713 common
  characters were read, with confidence, for one of them, most for a variant or a radical no
  one is named with (強 read 强, 黃 黄, 亠 一, 孑 子): doubting them would doubt half of all
  names, so only characters seen in names are drawn.
- **The common characters read**: GB 2312's first level (its 3,755 common characters), read
  in the rarer one's place with a score of at least fields.NAME_MIN_SCORE (lower, the name is
  left empty anyway) in at least one face (for READ_AS, any character so read).
- **The faces**: Song/Ming (Noto Serif CJK in its simplified and traditional forms, AR PL
  UMing), Hei (Noto Sans CJK, both forms; WenQuanYi Zen Hei) and Kai (AR PL UKai), the styles
  cards and their imitations print names in.
- Each character is drawn 32 px high on a 48 px line (the recogniser's input height) in lines
  of LINE characters set close, as a name is; each character read is paired with the one drawn
  where the recogniser emitted it (ocr.Text.char_places).
"""

import functools
import os
import sys
from typing import Dict, Iterable, List, Tuple

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "functions", "idcard_ocr", "idcard_ocr", "engine", "look_alikes.py")
FACES = (("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
         ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3, "Noto Serif CJK TC"),
         ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
         ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3, "Noto Sans CJK TC"),
         ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "AR PL UMing"),
         ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "AR PL UKai"),
         ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"))
LINE = 8       # characters drawn per line
HEIGHT = 48    # the line's height in pixels (the recogniser's input height)
GLYPH = 32     # the characters' size in pixels


def gb2312_level(character: str) -> int:
    """1 (common), 2 (less common) or 0 (not in GB 2312): its first byte in EUC-CN says."""
    try:
        encoded = character.encode("gb2312")
    except UnicodeEncodeError:
        return 0
    if len(encoded) != 2 or encoded[0] < 0xB0:
        return 0  # not a Chinese character (symbols, kana, Greek...)
    return 1 if encoded[0] < 0xD8 else 2


GENERATORS = ("blind", "fresh", "nomad", "novel", "outsider", "pilgrim", "stranger", "wayfarer",
              "drifter")  # tests/fakes modules tuned on (never a hold-out being drawn)
HOLDERS = 2000


def _rare(characters: Iterable[str]) -> List[str]:
    return sorted({c for c in characters if "\u3400" <= c <= "\u9fff" and gb2312_level(c) != 1})


def name_characters() -> Tuple[List[str], List[str]]:
    """The rarer characters of the names the generators tuned on draw (HOLDERS each): those
    that begin a name (surnames: 亓, 逯) and those that stand later in one (瑭, 彧)."""
    import importlib
    import random

    names = []
    for generator in GENERATORS:
        module = importlib.import_module("tests.fakes." + generator)
        names += [module.random_person(random.Random(seed))["face"]["name"]
                  for seed in range(HOLDERS)]
    return _rare(name[:1] for name in names), _rare("".join(name[1:] for name in names))


def place_characters() -> List[str]:
    from idcard_ocr.engine import places

    return _rare("".join(name for _, name in places._places()))


def group_characters() -> List[str]:
    """The characters of the 56 groups the recogniser does not know (仫 of 仫佬)."""
    from idcard_ocr.engine import ocr
    from idcard_ocr.engine.fields import ETHNIC_GROUPS

    return sorted({c for group in ETHNIC_GROUPS for c in group if not ocr.knows(c)})


@functools.lru_cache(maxsize=None)
def _font(path: str, index: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, GLYPH, index=index)


def draw(text: str, face):
    from PIL import Image, ImageDraw

    font = _font(*face[:2])
    width = int(font.getlength(text)) + HEIGHT // 2
    image = Image.new("RGB", (width, HEIGHT), (236, 233, 226))
    ImageDraw.Draw(image).text((HEIGHT // 4, (HEIGHT - GLYPH) // 2 - 2), text, font=font,
                               fill=(30, 30, 34))
    return np.asarray(image)


def confusions(characters: List[str], faces=FACES, progress=sys.stderr
               ) -> Dict[Tuple[str, str], Tuple[float, str]]:
    """(read, printed) -> (best score, face) of every character read as another, alone."""
    from idcard_ocr.engine import ocr

    found: Dict[Tuple[str, str], Tuple[float, str]] = {}

    def note(printed: str, read: str, score: float, face_name: str) -> None:
        if read != printed and score > found.get((read, printed), (-1.0, ""))[0]:
            found[read, printed] = (score, face_name)

    for face in faces:
        lines = ["".join(characters[i:i + LINE]) for i in range(0, len(characters), LINE)]
        font = _font(*face[:2])
        for line, text in zip(lines, ocr.recognise([draw(line, face) for line in lines])):
            # Each character read is the one drawn where the recogniser emitted it (its place
            # in line heights: ocr.Text.char_places); a character drawn with none read there,
            # or with two, is left out (dropped or split: no look-alike read with confidence).
            edges = [HEIGHT // 4 + font.getlength(line[:i]) for i in range(len(line) + 1)]
            at: Dict[int, List[int]] = {}
            for k, place in enumerate(text.char_places):
                drawn = next((i for i in range(len(line))
                              if edges[i] <= place * HEIGHT < edges[i + 1]), None)
                if drawn is not None:
                    at.setdefault(drawn, []).append(k)
            for i, read in at.items():
                if len(read) == 1:
                    note(line[i], text.text[read[0]], text.char_scores[read[0]], face[2])
        if progress is not None:
            print(f"{face[2]}: {len(lines)} lines", file=progress, flush=True)
    return found


def table(found, printed: Iterable[str], common_only: bool = True
          ) -> Dict[str, List[Tuple[str, float, str]]]:
    """Character read -> [(character printed, best score, face)] of the `printed` characters,
    each read as another (a common one, `common_only`) at NAME_MIN_SCORE or more."""
    from idcard_ocr.engine.fields import NAME_MIN_SCORE

    printed = set(printed)
    out: Dict[str, List[Tuple[str, float, str]]] = {}
    for (read, character), (score, face) in sorted(found.items()):
        if character in printed and score >= NAME_MIN_SCORE and (
                gb2312_level(read) == 1 or not common_only):
            out.setdefault(read, []).append((character, round(score, 2), face))
    return out


def _dict(name: str, found: Dict[str, List[Tuple[str, float, str]]]) -> List[str]:
    lines = [f"{name} = {{"]
    for read, printed in found.items():
        items = ", ".join(f"({c!r}, {s}, {f!r})" for c, s, f in printed)
        lines.append(f"    {read!r}: ({items},),")
    return lines + ["}"]


def module(first, later, places, groups, counts: Tuple[int, int, int, int]) -> str:
    read_as: Dict[str, str] = {}
    for read, printed in groups.items():
        for character, _, _ in printed:
            read_as[character] = read_as.get(character, "") + read
    lines = ['"""The characters the recogniser reads, with confidence, for a rarer one printed',
             "(written by tools/look_alikes.py: do not edit; derive it again when the models, the",
             "generators' names, the places or the installed faces change). Each entry: the",
             "character read -> the characters printed it was read for, with the best score and",
             f"the face. Drawn in {len(FACES)} faces: {counts[0]} rarer characters beginning "
             f"names, {counts[1]} later in them,",
             f"{counts[2]} of places, {counts[3]} of the 56 groups the recogniser does not "
             'know."""', "", "",
             "# Of names (fields._doubt_unlikely_name): a name read beginning with one of the first",
             "# is doubted (a rare surname: 亓 read 元), one holding one of the second later on",
             "# (a rare given name's character: 瑭 read 塘)."]
    lines += _dict("SURNAME_LOOK_ALIKES", first)
    lines += [""]
    lines += _dict("GIVEN_LOOK_ALIKES", later)
    lines += ["", "# Of the county-level divisions' names (places._closest)."]
    lines += _dict("PLACE_LOOK_ALIKES", places)
    lines += ["", "# A group's character the recogniser does not know -> what it reads it as",
              "# (lines.choose_in_area scores the group by these).", "READ_AS = {"]
    lines += [f"    {character!r}: {read!r}," for character, read in sorted(read_as.items())]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv) -> int:
    (first, later), places, groups = name_characters(), place_characters(), group_characters()
    found = confusions(sorted(set(first) | set(later) | set(places) | set(groups)))
    text = module(table(found, first), table(found, later), table(found, places),
                  table(found, groups, False), (len(first), len(later), len(places), len(groups)))
    if "--check" in argv:
        with open(TABLE, encoding="utf-8") as f:
            same = f.read() == text
        print("the committed table is " + ("as derived" if same else "NOT as derived"))
        return 0 if same else 1
    with open(TABLE + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(TABLE + ".tmp", TABLE)
    print(f"{TABLE}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main(sys.argv[1:]))
