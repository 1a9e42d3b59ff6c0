"""Workbooks that no spreadsheet program would write, for the importers' robustness
tests: raw sheet XML, lying zip headers, XML bombs, bytes that are not UTF-8.

openpyxl refuses to write most of these, so the parts are written by hand into
an ordinary workbook made by openpyxl (``replace_parts``).
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from functools import cache
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

Cell = Callable[[str], str]  # the cell's reference ("B3") -> its <c> element


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_parts(data: bytes, parts: dict[str, bytes | None]) -> bytes:
    """The zip ``data`` with ``parts`` written over (``None``: removed) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename in parts:
                continue
            archive.writestr(member.filename, source.read(member))
        for name, content in parts.items():
            if content is not None:
                archive.writestr(name, content)
    return buffer.getvalue()


# --- cells written as raw XML -------------------------------------------------------


def text(value: str, *, raw: bool = False) -> Cell:
    """An inline string; ``raw`` puts ``value`` into the XML unescaped."""
    body = value if raw else escape(value)
    return lambda ref: (f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{body}'
                        f"</t></is></c>")


def number(value: str) -> Cell:
    return lambda ref: f'<c r="{ref}"><v>{value}</v></c>'


def shared(index: int) -> Cell:
    return lambda ref: f'<c r="{ref}" t="s"><v>{index}</v></c>'


def formula(expression: str, cached: str | None = None, kind: str = "str") -> Cell:
    """A formula cell, with the value Excel cached when it last computed it (if any)."""
    value = "" if cached is None else f"<v>{escape(cached)}</v>"
    type_attribute = f' t="{kind}"' if cached is not None else ""
    return lambda ref: (f'<c r="{ref}"{type_attribute}><f>{escape(expression)}</f>{value}</c>')


def as_cell(value) -> Cell:
    if callable(value):
        return value
    if value is None:
        return lambda ref: ""
    if isinstance(value, int | float):
        return number(repr(value))
    return text(str(value))


def sheet_xml(rows: Sequence[Sequence], *, extra: str = "") -> bytes:
    """A worksheet part with ``rows`` from A1 (each value a ``Cell`` or a plain
    value); ``extra`` goes after ``sheetData`` (e.g. ``<mergeCells>``)."""
    lines = []
    for number_, values in enumerate(rows, start=1):
        cells = "".join(as_cell(value)(f"{get_column_letter(column)}{number_}")
                        for column, value in enumerate(values, start=1))
        lines.append(f'<row r="{number_}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
            + "".join(lines) + f"</sheetData>{extra}</worksheet>").encode()


def workbook_with_sheet(sheet: bytes, **other_parts: bytes | None) -> bytes:
    """An openpyxl workbook whose first sheet is replaced by ``sheet``."""
    return replace_parts(save(Workbook()), {SHEET: sheet, **other_parts})


def workbook_with_shared_strings(rows: Sequence[Sequence], strings: bytes) -> bytes:
    """``rows`` may refer to ``shared(i)``; the string table is ``strings`` as given."""
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        b"</Types>")
    relations = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>")
    return workbook_with_sheet(sheet_xml(rows), **{
        "[Content_Types].xml": content_types,
        "xl/_rels/workbook.xml.rels": relations,
        SHARED_STRINGS: strings,
    })


def shared_strings_xml(strings: Sequence[str], *, encoding: str = "UTF-8",
                       raw: bool = False) -> bytes:
    items = "".join(f"<si><t>{value if raw else escape(value)}</t></si>" for value in strings)
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    body = (f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{items}</sst>")
    return head.encode() + body.encode(encoding)


# --- bombs --------------------------------------------------------------------------


def billion_laughs() -> bytes:
    """A sheet whose one cell is an entity that expands to about 3 GB."""
    entities = ['<!ENTITY l0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY l{level} "{("&l" + str(level - 1) + ";") * 10}">' for level in range(1, 9)]
    return (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{"".join(entities)}]>'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
            f"<is><t>&l8;</t></is></c></row></sheetData></worksheet>").encode()


def external_entity(path: str) -> bytes:
    """A sheet whose cell would include a local file, if external entities were read."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file://{path}">]>'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
            f"<is><t>&secret;</t></is></c></row></sheetData></worksheet>").encode()


@cache
def _inflating_sheet(megabytes: int) -> tuple[bytes, int, int]:
    """A deflated sheet part of one cell holding ``megabytes`` MB of text:
    (deflate stream, CRC-32, size when inflated)."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>').encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b"A" * (1 << 20)
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    parts, crc, size = [compressor.compress(head)], zlib.crc32(head), len(head)
    for _ in range(megabytes):
        parts.append(compressor.compress(chunk))
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    parts.append(compressor.compress(tail))
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    parts.append(compressor.flush())
    return b"".join(parts), crc, size


def decompression_bomb(megabytes: int = 300, *, declared_size: int | None = None) -> bytes:
    """A workbook whose sheet XML inflates to ``megabytes`` MB from a few hundred KB.

    ``declared_size`` makes the zip headers lie about the inflated size (both the
    local header and the central directory), as a bomb meant to slip past a
    check of the declared sizes would."""
    stream, crc, size = _inflating_sheet(megabytes)
    shown = size if declared_size is None else declared_size
    base = zipfile.ZipFile(io.BytesIO(save(Workbook())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in base.infolist():
            if member.filename != SHEET:
                archive.writestr(member.filename, base.read(member))
    entries = buffer.getvalue()
    # Append the sheet by hand: a local header, the stream, and a new central directory.
    end = entries.rindex(b"PK\x05\x06")
    count, directory_size, directory_offset = struct.unpack("<HII", entries[end + 10:end + 20])
    directory = entries[directory_offset:directory_offset + directory_size]
    name = SHEET.encode()
    offset = directory_offset
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream),
                        shown, len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc,
                          len(stream), shown, len(name), 0, 0, 0, 0, 0, offset) + name
    body = entries[:directory_offset] + local + stream
    new_directory = directory + central
    end_record = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count + 1, count + 1,
                             len(new_directory), len(body), 0)
    return body + new_directory + end_record
