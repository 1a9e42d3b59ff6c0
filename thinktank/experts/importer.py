"""Reading the experts Excel template (docs/design.md, "The experts template").

Pure: workbook bytes in; normalised rows, problems and warnings out. No Flask
here: a problem carries a ``Reason`` code and its parameters, and the caller
words it in the user's language (``thinktank.imports.describe``). The
machinery every template shares is in ``thinktank.spreadsheets``.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thinktank.experts.rules import ExpertData
from thinktank.spreadsheets import (
    MAX_UNCOMPRESSED_BYTES,
    CellInvalid,
    Column,
    FileRefused,
    Problem,
    Reason,
    cell_text,
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
from thinktank.values import normalise_email, normalise_mobile, parse_date, split_fields
from thinktank.vocabulary import CATEGORIES, GENDERS

FIRST_BIRTH_YEAR = 1930


# The template's columns, in the template's order (the export writes them so).
COLUMNS = (
    Column("姓名", "name", required=True),
    Column("性别", "gender"),
    Column("出生年份", "birth_year"),
    Column("工作单位", "organisation", required=True),
    Column("单位类别", "category", required=True),
    Column("职称", "title"),
    Column("职务", "position"),
    Column("专业领域", "field_names", required=True),
    Column("所在地区", "city", required=True),
    Column("手机", "mobile", required=True, synonyms=("手机号", "手机号码", "联系电话")),
    Column("电子邮箱", "email", required=True, synonyms=("邮箱", "电子邮件")),
    Column("聘期开始", "term_start"),
    Column("聘期结束", "term_end"),
    Column("备注", "notes"),
)
COLUMN_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}
# The expert's code (ZJ00001), the export's first column, so that a reader of
# the file can name the expert. An import identifies experts by mobile, then
# email, and reads past it; the code is the app's to give, never the file's.
CODE_COLUMN = Column("专家编号", "code")

# Limits of the database columns and of the web form, so both paths agree.
TEXT_LIMITS = {"name": 50, "organisation": 100, "title": 50, "position": 50}
NOTES_LIMIT = 2000


@dataclass
class ExpertRow:
    row: int
    data: ExpertData


@dataclass
class ExpertSheet:
    """What a workbook says: valid rows, the problems of the others, warnings.

    ``attributes`` names the ExpertData attributes whose column the file has;
    an optional column that is absent leaves existing values alone.
    """

    rows: list[ExpertRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    attributes: frozenset[str] = frozenset()


def read_experts(
    data: bytes,
    filename: str,
    *,
    field_names: Collection[str],
    today: date,
    max_bytes: int,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
) -> ExpertSheet:
    """Read and validate an experts workbook.

    ``field_names`` are the expertise fields a row may name; ``today`` bounds
    the birth year. Raises ``FileRefused`` when the file is not a readable
    .xlsx within the limits; every other finding is in the returned sheet.
    """
    raw_rows = read_first_sheet(data, filename, max_bytes=max_bytes,
                                max_uncompressed_bytes=max_uncompressed_bytes)
    header = raw_rows[0] if raw_rows else ()
    sheet = ExpertSheet()
    positions = match_header(header, (CODE_COLUMN, *COLUMNS), sheet.problems, sheet.warnings)
    positions.pop(CODE_COLUMN.attribute, None)
    if sheet.problems:
        return sheet
    sheet.attributes = frozenset(positions)
    parsers = _parsers(set(field_names), today)
    first_row_of: dict[tuple[str, str], int] = {}
    for number, cells in data_rows(raw_rows, positions):
        row = _read_row(number, cells, parsers, first_row_of, sheet.problems)
        if row is not None:
            sheet.rows.append(row)
    if not sheet.rows and not sheet.problems:
        raise FileRefused(Reason.NO_ROWS)
    return sheet


def _read_row(
    number: int,
    cells: dict[str, Any],
    parsers: dict[str, Callable[[Any], Any]],
    first_row_of: dict[tuple[str, str], int],
    problems: list[Problem],
) -> ExpertRow | None:
    values, found = parse_cells(number, cells, COLUMNS, parsers)
    start, end = values.get("term_start"), values.get("term_end")
    if start and end and end < start:
        found.append(Problem(number, COLUMN_BY_ATTRIBUTE["term_end"].header, Reason.TERM_ORDER))
    # One expert per file: a mobile or email seen on an earlier row is an error here.
    for attribute in ("mobile", "email"):
        if attribute not in values:
            continue
        key = (attribute, values[attribute])
        if key in first_row_of:
            found.append(Problem(number, COLUMN_BY_ATTRIBUTE[attribute].header,
                                 Reason.SAME_AS_ROW, {"row": first_row_of[key]}))
        else:
            first_row_of[key] = number
    if found:
        problems.extend(found)
        return None
    return ExpertRow(number, ExpertData(**values))


def _parsers(known_fields: set[str], today: date) -> dict[str, Callable[[Any], Any]]:
    """One function per attribute: a non-blank cell to its normalised value."""

    def birth_year(value: Any) -> int:
        folded = fold(cell_text(value))
        if not re.fullmatch(r"\d{4}", folded) or not (
            FIRST_BIRTH_YEAR <= int(folded) <= today.year
        ):
            raise CellInvalid(Reason.BIRTH_YEAR, first=FIRST_BIRTH_YEAR, last=today.year)
        return int(folded)

    def expertise(value: Any) -> list[str]:
        names = split_fields(cell_text(value))
        unknown = [name for name in names if name not in known_fields]
        if unknown:
            raise CellInvalid(Reason.UNKNOWN_FIELD, names="、".join(unknown))
        if not names:
            raise CellInvalid(Reason.REQUIRED)
        return names

    return {
        "name": text_parser(TEXT_LIMITS["name"]),
        "gender": choice_parser(GENDERS, Reason.GENDER),
        "birth_year": birth_year,
        "organisation": text_parser(TEXT_LIMITS["organisation"]),
        "category": choice_parser(CATEGORIES, Reason.CATEGORY),
        "title": text_parser(TEXT_LIMITS["title"]),
        "position": text_parser(TEXT_LIMITS["position"]),
        "field_names": expertise,
        "city": parse_city,
        "mobile": rule_parser(normalise_mobile, Reason.MOBILE),
        "email": rule_parser(normalise_email, Reason.EMAIL),
        # Date cells arrive as datetimes, which parse_date takes as they are.
        "term_start": rule_parser(parse_date, Reason.DATE, as_text=False),
        "term_end": rule_parser(parse_date, Reason.DATE, as_text=False),
        "notes": free_text_parser(NOTES_LIMIT),
    }
