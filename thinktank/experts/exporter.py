"""Writing experts to the Excel template, so that an export imports back unchanged."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from thinktank.experts.importer import CODE_COLUMN, COLUMNS
from thinktank.experts.models import Expert
from thinktank.spreadsheets import workbook_bytes

SHEET_TITLE = "专家"
DATE_FORMAT = "yyyy-mm-dd"
FIELD_SEPARATOR = "、"
# Wide enough for the usual content of each column, in characters.
WIDTHS = {"organisation": 30, "field_names": 30, "email": 28, "notes": 40,
          "mobile": 14, "term_start": 12, "term_end": 12}
DEFAULT_WIDTH = 10
# The expert's code first, then the template's columns, which import back.
EXPORT_COLUMNS = (CODE_COLUMN, *COLUMNS)


def export_experts(experts: Iterable[Expert]) -> bytes:
    """The experts as an .xlsx: their codes, then the import template's columns
    in its order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for index, column in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(
            column.attribute, DEFAULT_WIDTH
        )
    for row, expert in enumerate(experts, start=2):
        for index, column in enumerate(EXPORT_COLUMNS, start=1):
            _write(sheet.cell(row=row, column=index), _value(expert, column.attribute))
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


def _value(expert: Expert, attribute: str) -> Any:
    if attribute == "field_names":
        return FIELD_SEPARATOR.join(expert.field_names)
    return getattr(expert, attribute)


def _write(cell, value: Any) -> None:
    cell.value = value
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
