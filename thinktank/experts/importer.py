"""Reading the experts Excel template (shared/import-template.md, "Experts").

Pure: workbook bytes in; normalised rows, problems and warnings out. No Flask
here: a problem carries a ``Reason`` code and its parameters, and the caller
words it in the user's language (``thinktank.experts.transfer.describe``).
"""

import io
import re
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from openpyxl import load_workbook

from thinktank.experts.constants import CATEGORIES, GENDERS, normalise_city
from thinktank.experts.rules import (
    ExpertData,
    RuleError,
    normalise_email,
    normalise_mobile,
    parse_date,
    split_fields,
)
from thinktank.text import fold

# A genuine expert list expands a few times when unzipped; far more is a zip bomb.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
FIRST_BIRTH_YEAR = 1930
HEADER_ROW = 1


class Reason(StrEnum):
    """Why a file, a header or a cell is refused (or, for warnings, noted)."""

    # the file as a whole
    NOT_XLSX = "not_xlsx"
    TOO_LARGE = "too_large"
    EXPANDS_TOO_MUCH = "expands_too_much"
    UNREADABLE = "unreadable"
    NO_ROWS = "no_rows"
    # the header row
    MISSING_COLUMN = "missing_column"
    REPEATED_COLUMN = "repeated_column"
    UNKNOWN_COLUMN = "unknown_column"  # a warning only
    # one cell
    REQUIRED = "required"
    TOO_LONG = "too_long"
    GENDER = "gender"
    BIRTH_YEAR = "birth_year"
    CATEGORY = "category"
    UNKNOWN_FIELD = "unknown_field"
    CITY = "city"
    MOBILE = "mobile"
    EMAIL = "email"
    DATE = "date"
    TERM_ORDER = "term_order"
    SAME_AS_ROW = "same_as_row"
    # found when the rows are matched against the pool (transfer.py)
    CONTACT_OF_OTHER_EXPERT = "contact_of_other_expert"
    SAME_EXPERT_AS_ROW = "same_expert_as_row"
    RETIRED_FIELD = "retired_field"


@dataclass
class Problem:
    """One finding, located as Excel shows it: row number and column header."""

    row: int
    column: str
    reason: Reason
    params: dict[str, Any] = field(default_factory=dict)


class FileRefused(Exception):
    """The file cannot be read as an experts workbook at all."""

    def __init__(self, reason: Reason, **params: Any):
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Column:
    header: str
    attribute: str  # of ExpertData
    required: bool = False


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
    Column("手机", "mobile", required=True),
    Column("电子邮箱", "email", required=True),
    Column("聘期开始", "term_start"),
    Column("聘期结束", "term_end"),
    Column("备注", "notes"),
)
COLUMN_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}

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


class _Invalid(Exception):
    def __init__(self, reason: Reason, **params: Any):
        super().__init__(reason)
        self.reason = reason
        self.params = params


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
    raw_rows = _read_first_sheet(data, filename, max_bytes, max_uncompressed_bytes)
    header = raw_rows[0] if raw_rows else ()
    sheet = ExpertSheet()
    positions = _match_header(header, sheet)
    if sheet.problems:
        return sheet
    sheet.attributes = frozenset(positions)
    parsers = _parsers(set(field_names), today)
    first_row_of: dict[tuple[str, str], int] = {}
    for number, values in enumerate(raw_rows[1:], start=HEADER_ROW + 1):
        cells = {
            attribute: values[index] if index < len(values) else None
            for attribute, index in positions.items()
        }
        # Ignored columns do not count: a row with only a side remark is blank.
        if all(not _cell_text(value).strip() for value in cells.values()):
            continue
        row = _read_row(number, cells, parsers, first_row_of, sheet.problems)
        if row is not None:
            sheet.rows.append(row)
    if not sheet.rows and not sheet.problems:
        raise FileRefused(Reason.NO_ROWS)
    return sheet


def _read_first_sheet(
    data: bytes, filename: str, max_bytes: int, max_uncompressed_bytes: int
) -> list[tuple]:
    if not filename.lower().endswith(".xlsx"):
        raise FileRefused(Reason.NOT_XLSX)
    if len(data) > max_bytes:
        raise FileRefused(Reason.TOO_LARGE, megabytes=f"{max_bytes / (1024 * 1024):g}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Declared sizes are binding: zipfile stops at them while inflating.
            expanded = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRefused(Reason.UNREADABLE) from error
    if expanded > max_uncompressed_bytes:
        raise FileRefused(Reason.EXPANDS_TOO_MUCH)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise FileRefused(Reason.UNREADABLE)
            worksheet = workbook.worksheets[0]
            # The declared dimension may be wrong; read every row there is.
            worksheet.reset_dimensions()
            return list(worksheet.iter_rows(min_row=1, min_col=1, values_only=True))
        finally:
            workbook.close()
    except FileRefused:
        raise
    except Exception as error:
        # The bytes come from outside: whatever openpyxl, zipfile or the XML
        # parser trips over means "not a workbook we can read".
        raise FileRefused(Reason.UNREADABLE) from error


def _match_header(header: tuple, sheet: ExpertSheet) -> dict[str, int]:
    """``{attribute: column index}``; header problems and warnings go on ``sheet``."""
    by_header = {column.header: column for column in COLUMNS}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        title = _cell_text(value).strip()  # str.strip() also drops full-width spaces
        if not title:
            continue
        column = by_header.get(title)
        if column is None:
            sheet.warnings.append(Problem(HEADER_ROW, title, Reason.UNKNOWN_COLUMN))
        elif column.attribute in positions:
            sheet.problems.append(Problem(HEADER_ROW, title, Reason.REPEATED_COLUMN))
        else:
            positions[column.attribute] = index
    for column in COLUMNS:
        if column.required and column.attribute not in positions:
            sheet.problems.append(Problem(HEADER_ROW, column.header, Reason.MISSING_COLUMN))
    return positions


def _read_row(
    number: int,
    cells: dict[str, Any],
    parsers: dict[str, Callable[[Any], Any]],
    first_row_of: dict[tuple[str, str], int],
    problems: list[Problem],
) -> ExpertRow | None:
    values: dict[str, Any] = {}
    found: list[Problem] = []
    for column in COLUMNS:
        if column.attribute not in cells:
            continue
        raw = cells[column.attribute]
        if not _cell_text(raw).strip():
            if column.required:
                found.append(Problem(number, column.header, Reason.REQUIRED))
            continue
        try:
            values[column.attribute] = parsers[column.attribute](raw)
        except _Invalid as invalid:
            found.append(Problem(number, column.header, invalid.reason, invalid.params))
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

    def text(limit: int) -> Callable[[Any], str]:
        def parse(value: Any) -> str:
            folded = fold(_cell_text(value))
            if len(folded) > limit:
                raise _Invalid(Reason.TOO_LONG, limit=limit)
            return folded

        return parse

    def notes(value: Any) -> str:
        # Free text: line breaks are kept, only the ends are trimmed.
        stripped = _cell_text(value).strip()
        if len(stripped) > NOTES_LIMIT:
            raise _Invalid(Reason.TOO_LONG, limit=NOTES_LIMIT)
        return stripped

    def one_of(choices: Collection[str], reason: Reason) -> Callable[[Any], str]:
        def parse(value: Any) -> str:
            folded = fold(_cell_text(value))
            if folded not in choices:
                raise _Invalid(reason, choices="、".join(choices))
            return folded

        return parse

    def birth_year(value: Any) -> int:
        folded = fold(_cell_text(value))
        if not re.fullmatch(r"\d{4}", folded) or not (
            FIRST_BIRTH_YEAR <= int(folded) <= today.year
        ):
            raise _Invalid(Reason.BIRTH_YEAR, first=FIRST_BIRTH_YEAR, last=today.year)
        return int(folded)

    def expertise(value: Any) -> list[str]:
        names = split_fields(_cell_text(value))
        unknown = [name for name in names if name not in known_fields]
        if unknown:
            raise _Invalid(Reason.UNKNOWN_FIELD, names="、".join(unknown))
        if not names:
            raise _Invalid(Reason.REQUIRED)
        return names

    def city(value: Any) -> str:
        name = normalise_city(fold(_cell_text(value)))
        if name is None:
            raise _Invalid(Reason.CITY)
        return name

    def ruled(rule: Callable[[Any], Any], reason: Reason, *, as_text: bool = True):
        def parse(value: Any) -> Any:
            try:
                return rule(_cell_text(value) if as_text else value)
            except RuleError as error:
                raise _Invalid(reason) from error

        return parse

    return {
        "name": text(TEXT_LIMITS["name"]),
        "gender": one_of(GENDERS, Reason.GENDER),
        "birth_year": birth_year,
        "organisation": text(TEXT_LIMITS["organisation"]),
        "category": one_of(CATEGORIES, Reason.CATEGORY),
        "title": text(TEXT_LIMITS["title"]),
        "position": text(TEXT_LIMITS["position"]),
        "field_names": expertise,
        "city": city,
        "mobile": ruled(normalise_mobile, Reason.MOBILE),
        "email": ruled(normalise_email, Reason.EMAIL),
        # Date cells arrive as datetimes, which parse_date takes as they are.
        "term_start": ruled(parse_date, Reason.DATE, as_text=False),
        "term_end": ruled(parse_date, Reason.DATE, as_text=False),
        "notes": notes,
    }


def _cell_text(value: Any) -> str:
    """A cell as text. Numbers typed into Excel come back as floats: a mobile
    13912345678 or a year 1970 must not read as ``"13912345678.0"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
