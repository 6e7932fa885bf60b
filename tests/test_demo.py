"""`make demo`'s table: columns line up in a terminal whatever the file names' script."""

import importlib.util
import os
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _demo():
    spec = importlib.util.spec_from_file_location("demo", os.path.join(ROOT, "tools", "demo.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _demo()


def test_wide_characters_take_two_columns():
    assert demo.display_width("IMG_2041.jpg") == 12
    assert demo.display_width("身份证复印件") == 12
    assert demo.display_width("国徽面 copy（1）.jpg") == 6 + 1 + 4 + 2 + 1 + 2 + 4  # full-width （）
    assert demo.display_width("ｶ") == 1  # half-width katakana is narrow (East Asian Width H)


def test_rows_line_up_by_display_width_for_chinese_names():
    keys = [key for key, _ in demo.UPLOADS]
    assert any(unicodedata.east_asian_width(ch) == "W" for key in keys for ch in key)
    lines = [(demo.table_row(key, "81,436", "ok", "face", "name=邓**"), "81,436") for key in keys]
    lines.append((demo.table_row("object", "bytes", "status", "side", "recognised"), "bytes"))
    # The size column ends at the same display column on every line, and so the status,
    # side and detail columns after it start at the same one.
    ends = {demo.display_width(row[:row.index(size) + len(size)]) for row, size in lines}
    assert ends == {demo.KEY_COLUMN + 1 + 9}


def test_a_name_longer_than_the_column_pushes_only_its_own_row():
    key = "idcards/" + "很长的文件名" * 5 + ".jpg"
    row = demo.table_row(key, "1", "ok", "face", "")
    assert row.startswith(key + " ") and row.split()[1:3] == ["1", "ok"]
