"""Masking of personal data and removal of secrets before text leaves the process.

Results hold personal data by design; logs, exceptions and messages never do. Pure functions:
the secrets to remove are passed in (io/log.py holds the process's set of them).
"""

import re
from typing import Any, Iterable, Optional, Pattern

# Every citizen-number shape, whatever stands next to it (a letter, a newline escaped as "\n",
# an underscore): any run of 15 or more digits (the old 15-digit numbers, the 18-character ones,
# and longer runs that may hide one), with an X at its end, and with a short run of anything
# that is neither letter nor digit between the digit groups: spaces (one or several), hyphens,
# dots, slashes, commas, "·", "—", zero-width characters ("110101/19900307/1234"). \d also
# matches full-width digits. Masking too much in a log line costs nothing.
_SEPARATOR = "(?:[^\\w]|_)"
_SEPARATOR_RUN = f"{_SEPARATOR}{{0,4}}"
_ID_NUMBER = re.compile(f"(?<!\\d)\\d(?:{_SEPARATOR_RUN}\\d){{14,}}(?:{_SEPARATOR_RUN}[XxＸｘ])?")
_NOT_DIGIT_OR_X = re.compile("[^\\dXxＸｘ]")
_APPCODE_HEADER = re.compile(r"(APPCODE\s+)\S+", re.IGNORECASE)
MIN_SECRET = 6  # shorter values would mask ordinary words


def secret_pattern(secrets: Iterable[str]) -> Optional[Pattern]:
    """One pattern that finds any of `secrets` in any letter case (None for none)."""
    kept = sorted({s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET},
                  key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(re.escape(s) for s in kept), re.IGNORECASE)


def mask_number(number: str) -> str:
    """'330106199001012318' -> '3301**********2318'."""
    if not number:
        return number
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# Runs of Chinese characters in a key (a name: "张三-1101...-face.jpg"): the first one is kept.
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def mask_key(key: str) -> str:
    """An object key as the review console shows it before Reveal: citizen-number shapes masked
    as in logs, and runs of Chinese characters (names) shortened like a name field:
    'idcards/张三-110101199003071234-face.jpg' -> 'idcards/张*-1101**********1234-face.jpg'."""
    if not key:
        return key
    return _HAN_RUN.sub(lambda m: mask_text(m.group(0)), scrub(key))


def mask_text(value: str) -> str:
    """Keep the first character of a name or address and hide the rest: '张三' -> '张*'."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def scrub(text: str, secrets: Optional[Pattern] = None) -> str:
    """Mask citizen-number shapes and AppCode headers in free text, and remove `secrets`
    (a secret_pattern())."""
    if not text:
        return text
    if secrets is not None:
        text = secrets.sub("***", text)
    text = _ID_NUMBER.sub(lambda m: mask_number(_NOT_DIGIT_OR_X.sub("", m.group(0))), text)
    return _APPCODE_HEADER.sub(r"\1***", text)


def scrub_secrets(value: Any, secrets: Optional[Pattern] = None) -> Any:
    """A copy of a JSON-like value with `secrets` (a secret_pattern()) removed from every
    string in it.

    For documents that keep personal data by design (results, messages): only secrets go.
    """
    pattern = secrets
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub("***", value)
    if isinstance(value, dict):
        return {scrub_secrets(k, pattern): scrub_secrets(v, pattern) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_secrets(item, pattern) for item in value]
    return value


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
