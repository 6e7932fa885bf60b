"""Citizen ID numbers (GB 11643-1999): validation, and repair of one OCR-confusable character.

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence (odd: male, even:
female), and a check character over the first 17 digits.
"""

import unicodedata
from datetime import date
from typing import Optional

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Letters and marks OCR reads in place of a digit, with the digits each may stand for.
_AS_DIGIT = {"O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "l": "1", "|": "1",
             "i": "1", "J": "1", "Z": "27", "z": "2", "S": "5", "s": "5", "B": "83", "G": "6",
             "b": "6", "g": "9", "q": "9", "T": "7", "A": "4"}


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def is_valid(number: str) -> bool:
    """Format, birth date and check character all right."""
    return (len(number) == 18 and number.isascii() and number[:17].isdigit()
            and number[17] in "0123456789X"
            and birth_date(number) is not None and check_char(number[:17]) == number[17])


def birth_date(number: str) -> Optional[str]:
    """YYYYMMDD from the number when it is a real date, else None."""
    digits = number[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return digits if 1900 <= born.year <= date.today().year else None


def sex(number: str) -> Optional[str]:
    digit = number[16:17]
    return None if not digit.isdigit() else ("男" if int(digit) % 2 else "女")


def clean(text: str) -> str:
    """Full-width forms made ASCII, spaces and separators dropped, x and × made 'X'."""
    text = unicodedata.normalize("NFKC", text)
    return "".join("X" if c in "x×" else c for c in text
                   if not c.isspace() and c not in "-_.,·")


def repair(text: str, birth: Optional[str] = None, sex_field: Optional[str] = None) -> str:
    """The number as read, with confusable characters resolved where that is unambiguous.

    Two repairs, each applied only when exactly one reading is valid and agrees with the birth
    date and sex printed elsewhere on the card:
    - letters read in place of digits (O/0, I/1, B/8, S/5, Z/2 ...), which cannot be right;
    - one digit of the birth-date part that disagrees with the birth date read on the card.
    A misread digit anywhere else is not guessed at: the number stays invalid (is_valid() is
    False), because a guess that happens to satisfy the check character would be silently
    wrong.
    """
    number = clean(text)
    if len(number) != 18 or _consistent(number, birth, sex_field):
        return number
    options = [_AS_DIGIT.get(c, c) if i < 17 or c != "X" else c for i, c in enumerate(number)]
    readings = [""]
    for choice in options:
        readings = [r + c for r in readings for c in choice]
        if len(readings) > 64:
            return number
    valid = {r for r in readings if _consistent(r, birth, sex_field)}
    if len(valid) == 1:
        return valid.pop()
    digits = readings[0] if len(readings) == 1 else None
    if digits and birth and len(birth) == 8:
        wrong = [i for i in range(8) if digits[6 + i] != birth[i]]
        if len(wrong) == 1:
            candidate = digits[:6] + birth + digits[14:]
            if _consistent(candidate, birth, sex_field):
                return candidate
    return number


def _consistent(number: str, birth: Optional[str], sex_field: Optional[str]) -> bool:
    if not is_valid(number):
        return False
    if birth and birth_date(number) != birth:
        return False
    return not sex_field or sex(number) == sex_field
