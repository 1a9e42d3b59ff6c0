"""Values shared by every area, at the bottom of the layers: the rule error
and the normalisation of e-mail addresses, mobiles, dates and field lists.

Pure: no Flask. Shared by the web forms and the Excel imports, so a value
accepted in one is accepted in the other (docs/design.md, "Expert pool").
"""

import re
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email

from thinktank.text import fold

FIELD_SEPARATORS = re.compile(r"[、,，;；/／]")
_MOBILE_NOISE = re.compile(r"[\s\-()（）]")
_DATE_TEXT = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


class RuleError(ValueError):
    """A value breaks a rule; ``args[0]`` is the reason (a message key)."""


def normalise_mobile(value: str) -> str:
    """Mainland mobile: 11 digits starting with 1, after removing spaces,
    dashes and a +86 / 0086 prefix."""
    digits = _MOBILE_NOISE.sub("", fold(value))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not re.fullmatch(r"1\d{10}", digits):
        raise RuleError("mobile")
    return digits


def normalise_email(value: str) -> str:
    text = fold(value).lower()
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise RuleError("email") from error


def parse_date(value) -> date:
    """An Excel date cell or text such as 2025-01-01, 2025/1/1, 2025.1.1, 2025年1月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold(str(value))
    for pattern in _DATE_TEXT:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError as error:
                raise RuleError("date") from error
    raise RuleError("date")


def split_fields(value: str) -> list[str]:
    """``"生物医药、酶制剂 / 投融资"`` → ``["生物医药", "酶制剂", "投融资"]``.

    Order is kept; repeats are dropped."""
    names = []
    for part in FIELD_SEPARATORS.split(fold(value)):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names
