"""The card's fields from upright text lines, by the card's layout rather than reading order.

Labels anchor rows (姓名, 性别/民族, 出生, 住址, 公民身份号码 on the face; 签发机关, 有效期限 on
the back). A value is what stands right of its label in the same row; the address is every
line from the 住址 row down to the number row, in the value column. Labels and values may come
as one OCR line ("姓名张三") or several.
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..card import idnumber
from .reader import Line

FACE_LABELS = {"name": "姓名", "sex": "性别", "nation": "民族", "birth": "出生",
               "address": "住址", "num": "公民身份号码"}
BACK_LABELS = {"issue": "签发机关", "valid": "有效期限"}
_NUM_LABEL = re.compile(r"公民身份号码|公民身份号|身份号码|公民身份")
_DATE = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})")


@dataclass
class Extraction:
    side: Optional[str]
    fields: Dict[str, str] = field(default_factory=dict)
    anchors: Dict[str, Line] = field(default_factory=dict)
    num_valid: Optional[bool] = None


def which_side(lines: List[Line]) -> Optional[str]:
    text = "".join(line.text for line in lines)
    face = sum(label in text for label in ("姓名", "性别", "民族", "出生", "住址", "公民身份"))
    back = sum(label in text for label in ("签发机关", "有效期限", "居民身份证", "中华人民共和国"))
    if face >= 2 and face > back:
        return "face"
    if back >= 2 and back > face:
        return "back"
    return None


def is_upside_down(lines: List[Line], side: str) -> bool:
    """True when the side's first anchor stands below its last one."""
    first, last = ("中华人民共和国", "有效期") if side == "back" else ("姓名", "公民身份")
    top = [line for line in lines if first in line.text]
    bottom = [line for line in lines if last in line.text]
    return bool(top and bottom) and top[0].cy > bottom[0].cy


def extract(lines: List[Line], side: str) -> Extraction:
    return _face(lines) if side == "face" else _back(lines)


# Face ----------------------------------------------------------------------------------------

def _face(lines: List[Line]) -> Extraction:
    out = Extraction("face")
    rows = _rows(lines)
    height = _median([line.height for line in lines]) or 20

    def row_of(label_pattern):
        for i, row in enumerate(rows):
            if re.search(label_pattern, _join(row)):
                return i
        return None

    name_row, sex_row, birth_row = row_of("姓名"), row_of("性别|民族"), row_of("出生")
    addr_row, num_row = row_of("住址"), row_of(_NUM_LABEL.pattern)
    if name_row is not None:
        out.fields["name"] = _after(rows[name_row], "姓名")
        out.anchors["name"] = _label_line(rows[name_row], "姓名")
    if sex_row is not None:
        joined = _join(rows[sex_row])
        sex = re.search(r"性别[:：]?([男女])", joined) or re.search(r"([男女])", joined)
        if sex:
            out.fields["sex"] = sex.group(1)
        nation = re.search(r"民族[:：]?(.+)$", joined)
        if nation:
            out.fields["nationality"] = nation.group(1)
    if birth_row is not None:
        joined = _after(rows[birth_row], "出生")
        m = _DATE.search(joined)
        if m:
            out.fields["birth"] = f"{m.group(1)}{int(m.group(2)):02d}{int(m.group(3)):02d}"
    if num_row is not None:
        out.anchors["num"] = rows[num_row][0]
        raw = _NUM_LABEL.sub("", _join(rows[num_row]))
        out.fields["num"] = raw
    else:
        for line in lines:  # the label went unread; an 18-character run is still the number
            candidate = idnumber.clean(line.text)
            if re.fullmatch(r"[0-9A-Za-z|]{17}[0-9Xx]", candidate):
                out.fields["num"] = candidate
    if addr_row is not None:
        end = num_row if num_row is not None and num_row > addr_row else len(rows)
        label = _label_line(rows[addr_row], "住址")
        # The value column starts right of the label's first character (label and value may
        # be one OCR line); anything left of that is not address.
        column = label.x0 + height * 0.8 if label is not None else 0
        address = "".join(_join([line for line in row if line is label or line.x0 >= column])
                          for row in rows[addr_row:end])
        out.fields["address"] = re.sub(r"^.*?住址[:：]?", "", address)
    if "num" in out.fields:
        number = idnumber.repair(out.fields["num"], out.fields.get("birth"),
                                 out.fields.get("sex"))
        out.fields["num"] = number
        out.num_valid = idnumber.is_valid(number)
        if "birth" not in out.fields and out.num_valid:
            out.fields["birth"] = idnumber.birth_date(number)
    return out


# Back ----------------------------------------------------------------------------------------

def _back(lines: List[Line]) -> Extraction:
    out = Extraction("back")
    rows = _rows(lines)
    for row in rows:
        joined = _join(row)
        if re.search(r"签发机关|签发机", joined):
            out.fields["issue"] = re.sub(r"^.*?签发机关?[:：]?", "", joined)
            out.anchors["issue"] = row[0]
        elif re.search(r"有效期限|有效期", joined):
            value = re.sub(r"^.*?有效期限?[:：]?", "", joined)
            out.anchors["valid"] = row[0]
            m = re.search(r"(\d{4})\D?(\d{2})\D?(\d{2})\D*?(长期|\d{4}\D?\d{2}\D?\d{2})", value)
            if m:
                out.fields["start_date"] = m.group(1) + m.group(2) + m.group(3)
                end = m.group(4)
                out.fields["end_date"] = end if end == "长期" else re.sub(r"\D", "", end)
    return out


# Geometry ------------------------------------------------------------------------------------

def _rows(lines: List[Line]) -> List[List[Line]]:
    """Lines grouped into rows (vertical centres within half a line height), top to bottom."""
    rows: List[List[Line]] = []
    for line in sorted(lines, key=lambda item: item.cy):
        if rows:
            last = rows[-1]
            ref = sum(item.cy for item in last) / len(last)
            tolerance = 0.5 * max(line.height, _median([item.height for item in last]))
            if abs(line.cy - ref) <= tolerance:
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.x0) for row in rows]


def _join(row: List[Line]) -> str:
    """A row's text left to right; where the detector boxed the same characters twice
    (overlapping boxes such as "姓名黄" and "黄芳英"), the repeat is dropped."""
    text, previous = "", None
    for line in row:
        piece = line.text
        if previous is not None and line.x0 < previous.x1 - 0.3 * line.height:
            for k in range(min(len(piece), len(text)), 0, -1):
                if text.endswith(piece[:k]):
                    piece = piece[k:]
                    break
        text += piece
        previous = line
    return text


def _after(row: List[Line], label: str) -> str:
    joined = _join(row)
    index = joined.find(label)
    return joined[index + len(label):].lstrip(":：") if index >= 0 else joined


def _label_line(row: List[Line], label: str) -> Optional[Line]:
    for line in row:
        if label in line.text:
            return line
    return None


def _median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else 0
