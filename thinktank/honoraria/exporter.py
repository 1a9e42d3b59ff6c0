"""The payment sheet (劳务费发放表) as an .xlsx: a title row, one row per payee
with an empty signature cell, the 合计 row and a note on how amounts were set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from thinktank.spreadsheets import workbook_bytes

if TYPE_CHECKING:
    from thinktank.honoraria.services import Honoraria

HEADERS = ("序号", "姓名", "工作单位", "职称", "天数/评审件数", "标准（元）", "金额（元）", "签字")
WIDTHS = (6, 10, 30, 16, 14, 12, 12, 16)
NOTES = {
    False: "注：会期不超过4小时的按半天计，半天按日标准的60%发放；金额四舍五入至元。",
    True: "注：函评按提交的评分表件数计发，每件标准不超过日标准的50%；金额四舍五入至元。",
}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
AMOUNT_COLUMN = HEADERS.index("金额（元）") + 1


def payment_workbook(honoraria: Honoraria) -> bytes:
    """The 劳务费发放表 of ``honoraria``; its 合计 is the sum of the line amounts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "劳务费发放表"
    sheet.cell(row=1, column=1, value=f"劳务费发放表 — {honoraria.title}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(list(HEADERS))
    for number, line in enumerate(honoraria.lines, start=1):
        row = sheet.max_row + 1
        sheet.cell(row=row, column=1, value=number)
        for column, value in ((2, line.name), (3, line.organisation), (4, line.title)):
            sheet.cell(row=row, column=column, value=value)
        sheet.cell(row=row, column=5, value=line.quantity)
        sheet.cell(row=row, column=6, value=line.rate).number_format = "0.##"
        sheet.cell(row=row, column=7, value=line.amount).number_format = "0"
    total_row = sheet.max_row + 1
    sheet.cell(row=total_row, column=1, value="合计")
    sheet.cell(row=total_row, column=AMOUNT_COLUMN, value=honoraria.total).number_format = "0"
    for row in sheet.iter_rows(min_row=2, max_row=total_row, max_col=len(HEADERS)):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[2] + sheet[total_row]:
        cell.font = Font(bold=True)
    sheet.cell(row=total_row + 1, column=1, value=NOTES[honoraria.per_item])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    return workbook_bytes(workbook)
