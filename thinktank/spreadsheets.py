"""What every Excel import template shares (docs/design.md, "Excel imports"),
and the one rule of every spreadsheet the app writes.

Pure: workbook bytes in, rows of cells and located problems out. No Flask
here: a problem carries a ``Reason`` code and its parameters, and the caller
words it in the user's language (``thinktank.imports.describe``). Each
template (experts, project applications) names its columns and parses its
cells; refusing a file, matching the header row, skipping blank rows and
checking required cells happen here, the same for all.

Every .xlsx and CSV the app writes goes out through ``workbook_bytes`` or
``csv_text``: text typed by anyone (a name, a project title, a note) that
starts like a formula must never run as one in Excel or WPS.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from thinktank.text import fold, tidy
from thinktank.values import RuleError
from thinktank.vocabulary import normalise_city

# A genuine list expands a few times when unzipped; far more is a zip bomb.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
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
    # a cell of any template
    REQUIRED = "required"
    TOO_LONG = "too_long"
    CITY = "city"
    # a cell of the experts template
    GENDER = "gender"
    BIRTH_YEAR = "birth_year"
    CATEGORY = "category"
    UNKNOWN_FIELD = "unknown_field"
    MOBILE = "mobile"
    EMAIL = "email"
    DATE = "date"
    TERM_ORDER = "term_order"
    SAME_AS_ROW = "same_as_row"
    # experts rows matched against the pool (experts/transfer.py)
    CONTACT_OF_OTHER_EXPERT = "contact_of_other_expert"
    SAME_EXPERT_AS_ROW = "same_expert_as_row"
    RETIRED_FIELD = "retired_field"
    # a cell of the project applications template, and its round (reviews)
    DIRECTION = "direction"
    INVESTMENT = "investment"
    PHONE = "phone"
    SAME_NUMBER_AS_ROW = "same_number_as_row"
    NUMBER_TAKEN = "number_taken"


@dataclass
class Problem:
    """One finding, located as Excel shows it: row number and column header."""

    row: int
    column: str
    reason: Reason
    params: dict[str, Any] = field(default_factory=dict)


class FileRefused(Exception):
    """The file cannot be read as a workbook of the template at all."""

    def __init__(self, reason: Reason, **params: Any):
        super().__init__(reason)
        self.reason = reason
        self.params = params


class CellInvalid(Exception):
    """A cell breaks its column's rule; raised by the template's parsers."""

    def __init__(self, reason: Reason, **params: Any):
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Column:
    header: str
    attribute: str  # of the template's row data
    required: bool = False
    synonyms: tuple[str, ...] = ()  # other headers people use for it, accepted too


Parser = Callable[[Any], Any]


def read_first_sheet(
    data: bytes, filename: str, *, max_bytes: int,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
) -> list[tuple]:
    """The cell values of the first sheet, row by row. Raises ``FileRefused``
    when the file is not a readable .xlsx within the limits."""
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


def match_header(
    header: tuple, columns: Sequence[Column], problems: list[Problem], warnings: list[Problem]
) -> dict[str, int]:
    """``{attribute: column index}`` of the header row; its problems and
    warnings are appended to the lists given."""
    by_header = {title: column for column in columns
                 for title in (column.header, *column.synonyms)}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        title = cell_text(value).strip()  # str.strip() also drops full-width spaces
        if not title:
            continue
        column = by_header.get(title)
        if column is None:
            warnings.append(Problem(HEADER_ROW, title, Reason.UNKNOWN_COLUMN))
        elif column.attribute in positions:
            problems.append(Problem(HEADER_ROW, title, Reason.REPEATED_COLUMN))
        else:
            positions[column.attribute] = index
    for column in columns:
        if column.required and column.attribute not in positions:
            problems.append(Problem(HEADER_ROW, column.header, Reason.MISSING_COLUMN))
    return positions


def data_rows(raw_rows: list[tuple], positions: dict[str, int]) -> Iterator[tuple[int, dict]]:
    """``(Excel row number, {attribute: raw cell})`` for each non-blank row
    below the header."""
    for number, values in enumerate(raw_rows[1:], start=HEADER_ROW + 1):
        cells = {
            attribute: values[index] if index < len(values) else None
            for attribute, index in positions.items()
        }
        # Ignored columns do not count: a row with only a side remark is blank.
        if any(cell_text(value).strip() for value in cells.values()):
            yield number, cells


def parse_cells(
    number: int, cells: dict[str, Any], columns: Sequence[Column], parsers: dict[str, Parser]
) -> tuple[dict[str, Any], list[Problem]]:
    """The parsed values of a row's non-blank cells, and the row's problems
    (a required cell left blank, a value a parser refuses)."""
    values: dict[str, Any] = {}
    found: list[Problem] = []
    for column in columns:
        if column.attribute not in cells:
            continue
        raw = cells[column.attribute]
        if not cell_text(raw).strip():
            if column.required:
                found.append(Problem(number, column.header, Reason.REQUIRED))
            continue
        try:
            values[column.attribute] = parsers[column.attribute](raw)
        except CellInvalid as invalid:
            found.append(Problem(number, column.header, invalid.reason, invalid.params))
    return values, found


def sort_problems(problems: list[Problem], columns: Sequence[Column]) -> None:
    """In reading order: by row, then by the template's column order."""
    order = {column.header: index for index, column in enumerate(columns)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))


def text_parser(limit: int, normalise: Callable[[str], str] = tidy) -> Parser:
    """A one-line text of at most ``limit`` characters: as typed, tidied
    (names, titles, organisations), or folded to half-width with
    ``normalise=fold`` for what is compared as a key (a number)."""

    def parse(value: Any) -> str:
        text = normalise(cell_text(value))
        if len(text) > limit:
            raise CellInvalid(Reason.TOO_LONG, limit=limit)
        return text

    return parse


def free_text_parser(limit: int) -> Parser:
    """Free text: line breaks are kept, only the ends are trimmed."""

    def parse(value: Any) -> str:
        stripped = cell_text(value).strip()
        if len(stripped) > limit:
            raise CellInvalid(Reason.TOO_LONG, limit=limit)
        return stripped

    return parse


def choice_parser(choices: Collection[str], reason: Reason) -> Parser:
    """One of a fixed list, compared after folding."""

    def parse(value: Any) -> str:
        folded = fold(cell_text(value))
        if folded not in choices:
            raise CellInvalid(reason, choices="、".join(choices))
        return folded

    return parse


def rule_parser(rule: Callable[[Any], Any], reason: Reason, *, as_text: bool = True) -> Parser:
    """A pure rule (raising ``RuleError``) applied to the cell's text, or to
    the cell's value as it is (dates, numbers) when ``as_text`` is false."""

    def parse(value: Any) -> Any:
        try:
            return rule(cell_text(value) if as_text else value)
        except RuleError as error:
            raise CellInvalid(reason) from error

    return parse


def parse_city(value: Any) -> str:
    """A Jiangxi prefecture city, with or without 市, or 省外."""
    name = normalise_city(fold(cell_text(value)))
    if name is None:
        raise CellInvalid(Reason.CITY)
    return name


def cell_text(value: Any) -> str:
    """A cell as text. Numbers typed into Excel come back as floats: a mobile
    13912345678 or a year 1970 must not read as ``"13912345678.0"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A cell starting with one of these is read as a formula by Excel and WPS
# (a tab or a carriage return is skipped before one): "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """Whether ``value`` is text that a spreadsheet would run as a formula.
    Numbers never are: a negative amount stays a number."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx file of ``workbook``, every text cell kept as text.

    openpyxl makes a formula of text starting with "=" (and an error cell of
    "#N/A"): every text cell is typed as text here. Text that starts like a
    formula is also marked quote-prefixed, which is how Excel keeps a value
    typed with a leading ``'``: it stays text when someone edits the cell.
    The value itself is unchanged, so an exported expert list imports back
    as it was, and the importers need not strip anything. The app's exports
    hold no formulas of their own."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if looks_like_formula(cell.value):
                        cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes(columns: Sequence[Column]) -> bytes:
    """An empty import template: the header row of ``columns``, the required
    ones in bold, as an .xlsx file."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in columns])
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = Font(bold=column.required)
        sheet.column_dimensions[cell.column_letter].width = 14
    return workbook_bytes(workbook)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """``rows`` as CSV text (RFC 4180: lines end in CRLF, so that a cell
    holding a line break of either kind is quoted), ``None`` as an empty cell.
    CSV has no cell types: text that starts like a formula gets a leading
    ``'``, which Excel and WPS read as "this is text"; numbers are left as
    they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return "'" + value if looks_like_formula(value) else value
