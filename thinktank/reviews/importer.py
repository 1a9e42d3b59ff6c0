"""Reading the project applications template (docs/design.md, "The project
applications template"), and the rules an application's values follow.

Pure: no Flask. The rules are shared by the web form and the import, so a
value accepted in one is accepted in the other. File refusal, header matching
and blank rows are the shared machinery of ``thinktank.spreadsheets``.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from thinktank.spreadsheets import (
    MAX_UNCOMPRESSED_BYTES,
    Column,
    FileRefused,
    Parser,
    Problem,
    Reason,
    choice_parser,
    data_rows,
    free_text_parser,
    match_header,
    parse_cells,
    parse_city,
    read_first_sheet,
    rule_parser,
    text_parser,
)
from thinktank.text import fold
from thinktank.values import RuleError, normalise_mobile
from thinktank.vocabulary import INDUSTRY_DIRECTIONS

# The template's columns, in the template's order.
COLUMNS = (
    Column("申报编号", "number", required=True),
    Column("项目名称", "title", required=True),
    Column("申报单位", "organisation", required=True),
    Column("方向", "direction", required=True),
    Column("所在地区", "city", required=True),
    Column("总投资（万元）", "investment"),
    Column("分组", "group_name"),
    Column("项目简介", "summary"),
    Column("联系人", "contact"),
    Column("联系电话", "phone"),
)
COLUMN_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}

# Limits of the database columns and of the web form, so both paths agree.
TEXT_LIMITS = {"number": 50, "title": 200, "organisation": 100, "group_name": 50,
               "contact": 50}
SUMMARY_LIMIT = 5000
# Numeric(14, 2): twelve digits before the decimal point.
MAX_INVESTMENT = Decimal("999999999999.99")

_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})")
_LANDLINE_NOISE = re.compile(r"[\s()]")
_AMOUNT = re.compile(r"\d+(\.\d+)?")


@dataclass
class ApplicationData:
    """The editable facts of an application, normalised."""

    number: str
    title: str
    organisation: str
    direction: str
    city: str
    investment: Decimal | None = None
    group_name: str | None = None
    summary: str | None = None
    contact: str | None = None
    phone: str | None = None


def normalise_phone(value: str) -> str:
    """A mainland mobile (11 digits, as for experts) or a landline with its
    area code, written ``0791-88888888``."""
    text = fold(value)
    try:
        return normalise_mobile(text)
    except RuleError:
        pass
    match = _LANDLINE.fullmatch(_LANDLINE_NOISE.sub("", text))
    if match is None:
        raise RuleError("phone")
    return f"{match[1]}-{match[2]}"


def parse_investment(value: Any) -> Decimal:
    """An amount in 万元: a number ≥ 0 with at most two decimals. Excel number
    cells and text (full-width digits, thousands separators) are accepted."""
    if isinstance(value, bool):
        raise RuleError("investment")
    if isinstance(value, int | float):
        text = repr(value)
    else:
        text = fold(str(value)).replace(",", "")
        if not _AMOUNT.fullmatch(text):
            raise RuleError("investment")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise RuleError("investment") from error
    if not amount.is_finite() or amount < 0 or amount > MAX_INVESTMENT:
        raise RuleError("investment")
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleError("investment")
    return amount.quantize(Decimal("0.01"))


@dataclass
class ApplicationRow:
    row: int
    data: ApplicationData


@dataclass
class ApplicationSheet:
    """What a workbook says: valid rows, the problems of the others, warnings."""

    rows: list[ApplicationRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def read_applications(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
) -> ApplicationSheet:
    """Read and validate a project applications workbook.

    Raises ``FileRefused`` when the file is not a readable .xlsx within the
    limits; every other finding is in the returned sheet. Numbers already
    taken in the round are checked by the caller, which knows the round.
    """
    raw_rows = read_first_sheet(data, filename, max_bytes=max_bytes,
                                max_uncompressed_bytes=max_uncompressed_bytes)
    sheet = ApplicationSheet()
    positions = match_header(raw_rows[0] if raw_rows else (), COLUMNS,
                             sheet.problems, sheet.warnings)
    if sheet.problems:
        return sheet
    first_row_of_number: dict[str, int] = {}
    for number, cells in data_rows(raw_rows, positions):
        values, found = parse_cells(number, cells, COLUMNS, PARSERS)
        if "number" in values:
            first = first_row_of_number.setdefault(values["number"], number)
            if first != number:
                found.append(Problem(number, COLUMN_BY_ATTRIBUTE["number"].header,
                                     Reason.SAME_NUMBER_AS_ROW, {"row": first}))
        if found:
            sheet.problems.extend(found)
        else:
            sheet.rows.append(ApplicationRow(number, ApplicationData(**values)))
    if not sheet.rows and not sheet.problems:
        raise FileRefused(Reason.NO_ROWS)
    return sheet


PARSERS: dict[str, Parser] = {
    "number": text_parser(TEXT_LIMITS["number"], fold),  # a key: half-width, as the form
    "title": text_parser(TEXT_LIMITS["title"]),
    "organisation": text_parser(TEXT_LIMITS["organisation"]),
    "direction": choice_parser(INDUSTRY_DIRECTIONS, Reason.DIRECTION),
    "city": parse_city,
    # A number cell arrives as int or float, which parse_investment takes as it is.
    "investment": rule_parser(parse_investment, Reason.INVESTMENT, as_text=False),
    "group_name": text_parser(TEXT_LIMITS["group_name"]),
    "summary": free_text_parser(SUMMARY_LIMIT),
    "contact": text_parser(TEXT_LIMITS["contact"]),
    "phone": rule_parser(normalise_phone, Reason.PHONE),
}
