"""The fonts the generators draw with: whether they are installed, a face at a size, and whether
a face draws a text.

A font is a `(path, face index)` pair, as fontconfig names a face in a collection (.ttc). Every
generator asks these questions the same way, here: six hold-outs had each written their own,
four different ways of asking whether a face draws a character (its missing-glyph box compared,
drawn or not, or fontconfig's character map). On every face they use and every character their
data holds the four answered alike (checked 2026-12-07 over 52 faces and 1,337 characters), so
the map, the face's own statement of what it draws, is the one kept. Only the question is shared:
each generator keeps its own fonts and its own drawing, so one set's pictures never move because
another's changed.
"""

import os
import subprocess
from functools import lru_cache
from typing import Iterable, Sequence, Tuple

from PIL import ImageFont

Font = Tuple[str, int]


def installed(fonts: Iterable[Font]) -> bool:
    """Whether every font's file is on this machine (`make fonts` installs them)."""
    return all(os.path.exists(path) for path, _ in fonts)


@lru_cache(maxsize=512)
def face(font: Font, size: float) -> ImageFont.FreeTypeFont:
    """`font` at `size` px, no smaller than 6 px (a size worked out from a tiny photo would
    otherwise ask FreeType for a face it refuses)."""
    return ImageFont.truetype(font[0], max(6, int(size)), index=font[1])


@lru_cache(maxsize=64)
def _characters(font: Font) -> frozenset:
    """The code points the face maps, as fontconfig reads its character map."""
    out = subprocess.run(["fc-query", "-i", str(font[1]), "--format=%{charset}", font[0]],
                         capture_output=True, text=True, check=True).stdout
    points = set()
    for part in out.split():
        first, _, last = part.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def covers(font: Font, text: Sequence[str]) -> bool:
    """Whether the face draws every character of `text` (white space aside) with a glyph of its
    own, not its missing-glyph box."""
    characters = _characters(font)
    return all(ord(c) in characters for c in "".join(text) if not c.isspace())
