"""Masking of personal data and scrubbing of secrets before text leaves the process.

Results hold personal data by design; logs, exceptions and messages never do. Secrets (the
AppCode, the result-signing key) are registered once per process and removed, in any letter
case, from everything scrub() sees: log lines, error messages, stored documents.
"""

import re
import threading
from typing import Any, FrozenSet

# Every citizen-number shape, whatever stands next to it (a letter, a newline escaped as "\n",
# an underscore): any run of 15 or more digits (the old 15-digit numbers, the 18-character ones,
# and longer runs that may hide one), with an X at its end, and with single separators between
# the digits (spaces, hyphens, dots, zero-width characters: "1101 0519 9001 0123 18"). \d also
# matches full-width digits. Masking too much in a log line costs nothing.
_SEPARATOR = "[ \\-_.\u00a0\u200b-\u200d\u2060\ufeff]"
_ID_NUMBER = re.compile(f"(?<!\\d)\\d(?:{_SEPARATOR}?\\d){{14,}}(?:{_SEPARATOR}?[XxＸｘ])?")
_SEPARATORS = re.compile(_SEPARATOR)
_APPCODE_HEADER = re.compile(r"(APPCODE\s+)\S+", re.IGNORECASE)
_MIN_SECRET = 6  # shorter values would mask ordinary words

_secrets: FrozenSet[str] = frozenset()
_secret_pattern = None
_lock = threading.Lock()


def register_secret(value) -> None:
    """Never let `value` (in any letter case) appear in anything scrub() returns."""
    global _secrets, _secret_pattern
    if not isinstance(value, str) or len(value) < _MIN_SECRET or value in _secrets:
        return
    with _lock:
        _secrets = _secrets | {value}
        alternatives = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in alternatives),
                                     re.IGNORECASE)


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
    """Mask citizen-number shapes, AppCode headers and registered secrets in free text."""
    if not text:
        return text
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub("***", text)
    text = _ID_NUMBER.sub(lambda m: mask_number(_SEPARATORS.sub("", m.group(0))), text)
    return _APPCODE_HEADER.sub(r"\1***", text)


def scrub_secrets(value: Any) -> Any:
    """A copy of a JSON-like value with registered secrets removed from every string in it.

    For documents that keep personal data by design (results, messages): only secrets go.
    """
    pattern = _secret_pattern
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub("***", value)
    if isinstance(value, dict):
        return {scrub_secrets(k): scrub_secrets(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_secrets(item) for item in value]
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
