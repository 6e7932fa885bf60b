"""Masking of personal data before anything reaches a log line or an exception.

Results hold personal data by design; logs, exceptions and messages never do.
"""

import re

# 18-character citizen numbers (and the old 15-digit ones) wherever they appear, e.g. in a key.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8,9}|\d{11}[0-9Xx])(?![0-9A-Za-z])")
_APPCODE_HEADER = re.compile(r"(APPCODE\s+)\S+", re.IGNORECASE)


def mask_number(number: str) -> str:
    """'330106199001012318' -> '3301**********2318'."""
    if not number:
        return number
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_text(value: str) -> str:
    """Keep the first character of a name or address and hide the rest: '张三' -> '张*'."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def scrub(text: str) -> str:
    """Mask anything in free text that looks like a citizen number or an AppCode header."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_number(m.group(0)), text)
    return _APPCODE_HEADER.sub(r"\1***", text)


def mask_fields(fields: dict) -> dict:
    """A copy of recognised fields that is safe to print: numbers and dates masked, text shortened."""
    masked = {}
    for name, value in fields.items():
        if not isinstance(value, str):
            masked[name] = value
        elif name == "num":
            masked[name] = mask_number(value)
        elif name == "birth":
            masked[name] = "*" * len(value)
        elif name in ("name", "address"):
            masked[name] = mask_text(value)
        else:
            masked[name] = value
    return masked
