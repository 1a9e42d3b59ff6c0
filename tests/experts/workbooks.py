"""Experts workbooks for the import tests, built in memory with openpyxl."""

import io
import itertools
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook

from thinktank.experts.importer import COLUMNS

HEADERS = [column.header for column in COLUMNS]
_numbers = itertools.count(1)


def row(**overrides: Any) -> dict[str, Any]:
    """A valid row keyed by header, with a fresh mobile and email; ``None`` leaves a cell empty."""
    number = next(_numbers)
    values = {
        "姓名": f"导入专家{number}",
        "性别": "女",
        "出生年份": 1975,
        "工作单位": "江西农业大学",
        "单位类别": "高校院所",
        "职称": "教授",
        "职务": "院长",
        "专业领域": "生物医药、酶制剂",
        "所在地区": "南昌市",
        "手机": f"137{number:08d}",
        "电子邮箱": f"import{number}@example.cn",
        "聘期开始": date(2025, 1, 1),
        "聘期结束": "2027/12/31",
        "备注": "首批入库",
    }
    values.update(overrides)
    return values


def workbook(rows: list[dict[str, Any]], headers: list[str] | None = None,
             *, blank_rows_before: dict[int, int] | None = None) -> bytes:
    """An .xlsx with ``headers`` (default: the template's) in row 1 and ``rows`` below.

    ``blank_rows_before={i: n}`` puts ``n`` empty rows before ``rows[i]``."""
    headers = HEADERS if headers is None else headers
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for index, values in enumerate(rows):
        for _ in range((blank_rows_before or {}).get(index, 0)):
            sheet.append([None] * len(headers))
        sheet.append([values.get(header.strip(" \u3000")) for header in headers])
    return save(book)


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_back(data: bytes) -> list[tuple]:
    """The first sheet's cells (values), row by row."""
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
