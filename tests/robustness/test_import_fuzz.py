"""Random and malformed workbooks against both Excel importers (experts and
project applications), through the pure readers, the services, the upload
pages and the CLI.

The property, everywhere: an import either refuses the file as a whole with
a message in Chinese, or answers with problems that name a row and a column
and writes nothing, or writes every row; the server never fails (no 5xx) and
nothing written is longer than its column allows (PostgreSQL enforces
VARCHAR lengths, SQLite does not: ``overlong_values`` checks on both).
"""

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tests.helpers import Auth
from tests.reviews.round_factories import make_round
from tests.robustness import hostile_workbooks as hostile
from tests.robustness.importing import (
    APPLICATION_HEADERS,
    CJK,
    EDGE_TEXTS,
    EXPERT_HEADERS,
    application_row,
    application_workbooks,
    check_problems,
    expert_row,
    expert_workbooks,
    overlong_values,
    table_counts,
)
from thinktank.errors import DomainError
from thinktank.experts.importer import read_experts
from thinktank.experts.models import Expert
from thinktank.experts.transfer import import_experts
from thinktank.extensions import db
from thinktank.reviews.applications import create_application, import_applications
from thinktank.reviews.importer import ApplicationData, read_applications
from thinktank.reviews.models import Application
from thinktank.spreadsheets import FileRefused, Reason
from thinktank.text import organisation_key, pinyin_index
from thinktank.timeutil import today_in_display_zone
from thinktank.vocabulary import SEED_FIELDS

TEN_MB = 10 * 1024 * 1024
# Database fixtures are set up once per test, not per example: each example
# compares the table counts before and after instead of relying on empty tables.
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=20)
FILENAMES = st.sampled_from(["专家名单.xlsx", "LIST.XLSX", '<script>alert(1)</script>".xlsx',
                             "\u202egpj.xlsx", "a/b\\c.xlsx", "名单\x00.xlsx",
                             "名" * 300 + ".xlsx"])


def column_limits(model) -> dict[str, int]:
    return {column.name: column.type.length for column in model.__table__.columns
            if getattr(column.type, "length", None)}


def assert_fits(values: dict, limits: dict[str, int]) -> None:
    for name, value in values.items():
        if isinstance(value, str) and name in limits:
            assert len(value) <= limits[name], (name, len(value))


# --- the pure readers ---------------------------------------------------------------------


@FUZZ
@given(expert_workbooks)
def test_the_experts_reader_refuses_or_locates_every_problem(case):
    data, header, count = case
    try:
        sheet = read_experts(data, "fuzz.xlsx", field_names=SEED_FIELDS,
                             today=today_in_display_zone(), max_bytes=TEN_MB)
    except FileRefused as refused:
        assert refused.reason is Reason.NO_ROWS  # the only refusal a readable workbook earns
        return
    check_problems(sheet.problems, EXPERT_HEADERS, header, count)
    assert not {row.row for row in sheet.rows} & {problem.row for problem in sheet.problems}
    limits = column_limits(Expert)
    for row in sheet.rows:
        assert_fits(vars(row.data), limits)
        # What the pool stores besides the row's values must fit as well.
        assert len(pinyin_index(row.data.name)) <= limits["name_pinyin"]
        assert len(organisation_key(row.data.organisation)) <= limits["organisation_key"]


@FUZZ
@given(application_workbooks)
def test_the_applications_reader_refuses_or_locates_every_problem(case):
    data, header, count = case
    try:
        sheet = read_applications(data, "fuzz.xlsx", max_bytes=TEN_MB)
    except FileRefused as refused:
        assert refused.reason is Reason.NO_ROWS
        return
    check_problems(sheet.problems, APPLICATION_HEADERS, header, count)
    assert not {row.row for row in sheet.rows} & {problem.row for problem in sheet.problems}
    limits = column_limits(Application)
    for row in sheet.rows:
        assert_fits(vars(row.data), limits)
        assert len(organisation_key(row.data.organisation)) <= limits["organisation_key"]


# --- the services: all rows or nothing ----------------------------------------------------


def assert_all_or_nothing(run, header, count, template, created_in):
    """Run an import; check that it refused, or reported and wrote nothing, or wrote."""
    before = table_counts()
    try:
        report = run()
    except DomainError as error:
        db.session.rollback()
        assert CJK.search(error.message)
        assert table_counts() == before
        return
    if not report.ok or report.dry_run:
        check_problems(report.problems, template, header, count)
        db.session.rollback()
        assert table_counts() == before
        return
    db.session.commit()
    after = table_counts()
    assert after[created_in] == before[created_in] + report.created
    assert overlong_values() == []


@FUZZ
@given(expert_workbooks, st.booleans())
def test_an_experts_import_writes_every_row_or_nothing(case, dry_run):
    data, header, count = case
    assert_all_or_nothing(
        lambda: import_experts(data, "fuzz.xlsx", dry_run=dry_run, actor="fuzz"),
        header, count, EXPERT_HEADERS, "experts")


@FUZZ
@given(application_workbooks, st.booleans())
def test_an_applications_import_writes_every_row_or_nothing(case, dry_run):
    data, header, count = case
    review_round = make_round()
    assert_all_or_nothing(
        lambda: import_applications(review_round, data, "fuzz.xlsx",
                                    dry_run=dry_run, actor="fuzz"),
        header, count, APPLICATION_HEADERS, "review_applications")


def _edge_workbook(headers, make_row, header: str, base: int) -> tuple[bytes, list[dict]]:
    rows = [dict(make_row(base + index), **{header: text})
            for index, text in enumerate(EDGE_TEXTS)]
    book = Workbook()
    book.active.append(headers)
    for values in rows:
        book.active.append([values[h] for h in headers])
    return hostile.save(book), rows


@pytest.mark.parametrize("template", ["experts", "applications"])
def test_rows_the_reader_accepts_are_always_written(template):
    """Every edge text in every column: the rows the reader finds valid import
    and are stored whole (the database never refuses what validation let through)."""
    headers, make_row, table = TEMPLATES[template]
    review_round = make_round() if template == "applications" else None
    for position, header in enumerate(headers):
        data, rows = _edge_workbook(headers, make_row, header, 2_000_000 + position * 100)
        if review_round is None:
            sheet = read_experts(data, "e.xlsx", field_names=SEED_FIELDS,
                                 today=today_in_display_zone(), max_bytes=TEN_MB)
        else:
            sheet = read_applications(data, "e.xlsx", max_bytes=TEN_MB)
        accepted = [rows[row.row - 2] for row in sheet.rows]
        book = Workbook()
        book.active.append(headers)
        for values in accepted:
            book.active.append([values[h] for h in headers])
        before = table_counts()
        if review_round is None:
            report = import_experts(hostile.save(book), "e.xlsx", dry_run=False, actor="fuzz")
        else:
            report = import_applications(review_round, hostile.save(book),
                                         "e.xlsx", dry_run=False, actor="fuzz")
        assert report.ok, (header, report.problems)
        db.session.commit()
        assert table_counts()[table] == before[table] + report.created, header
        assert overlong_values() == [], header


# --- the upload pages ---------------------------------------------------------------------


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def upload(client, url: str, data: bytes, filename: str = "名单.xlsx"):
    return client.post(url, data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


PROBLEM_ROW = re.compile(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>")
TOKEN = re.compile(r'name="token" type="hidden" value="([0-9a-f]{32})"')


def assert_upload_answered(client, url: str, data: bytes, filename: str, created_in: str):
    """The upload is refused (400), reported (422, every problem with its row and
    column, nothing written) or previewed (200) and then confirmed in full."""
    before = table_counts()
    response = upload(client, url, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 413, 422), response.status_code
    assert CJK.search(page)
    assert "<script>alert(1)</script>" not in page
    assert table_counts() == before
    if response.status_code == 422:
        problems = PROBLEM_ROW.findall(page)
        assert problems and all(int(row) >= 1 and column.strip() for row, column, _ in problems)
    if response.status_code == 200:
        token = TOKEN.search(page)[1]
        confirmed = client.post(f"{url}/confirm", data={"token": token})
        assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:2000]
        assert table_counts()[created_in] >= before[created_in]
        assert overlong_values() == []


@FEW
@given(expert_workbooks, FILENAMES)
def test_random_expert_uploads_are_answered_without_a_server_error(secretariat, case, filename):
    data, _header, _count = case
    assert_upload_answered(secretariat, "/experts/import", data, filename, "experts")


@FEW
@given(application_workbooks, FILENAMES)
def test_random_application_uploads_are_answered_without_a_server_error(secretariat, case,
                                                                        filename):
    data, _header, _count = case
    review_round = make_round()
    assert_upload_answered(secretariat, f"/reviews/{review_round.id}/import", data, filename,
                           "review_applications")


# --- files that are not workbooks, or are workbooks meant to hurt ---------------------------


def _valid(headers, make_row) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for number in range(3):
        values = make_row(900_000 + number)
        book.active.append([values[h] for h in headers])
    return hostile.save(book)


def _no_sheets(headers, make_row) -> bytes:
    data = _valid(headers, make_row)
    workbook_xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheets/></workbook>')
    return hostile.replace_parts(data, {hostile.WORKBOOK: workbook_xml})


def _empty_first_sheet(headers, make_row) -> bytes:
    book = Workbook()
    book.create_sheet("数据").append(headers)
    return hostile.save(book)


def _raw_cells(headers, make_row, *cells) -> bytes:
    values = make_row(910_000)
    row = [values[h] for h in headers]
    row[:len(cells)] = cells
    return hostile.workbook_with_sheet(hostile.sheet_xml([headers, row]))


def _shared_strings(headers, make_row, strings: bytes) -> bytes:
    values = make_row(920_000)
    return hostile.workbook_with_shared_strings(
        [headers, [hostile.shared(0), *[values[h] for h in headers[1:]]]], strings)


HOSTILE_FILES = {
    "random bytes": lambda h, r: bytes(range(256)) * 40,
    "empty file": lambda h, r: b"",
    "zip that is no workbook": lambda h, r: hostile.replace_parts(
        _valid(h, r), {name: None for name in (
            "[Content_Types].xml", hostile.WORKBOOK, hostile.SHEET, "_rels/.rels")}),
    "truncated workbook": lambda h, r: _valid(h, r)[:3000],
    "workbook with one byte changed": lambda h, r: (lambda d: d[:900] + bytes([d[900] ^ 0xFF])
                                                    + d[901:])(_valid(h, r)),
    "workbook without sheets": _no_sheets,
    "empty first sheet, data on the second": _empty_first_sheet,
    "only a header row": lambda h, r: hostile.workbook_with_sheet(hostile.sheet_xml([h])),
    "nothing at all": lambda h, r: hostile.save(Workbook()),
    "sheet XML inflating to 300 MB": lambda h, r: hostile.decompression_bomb(300),
    "300 MB sheet declared as 5 KB": lambda h, r: hostile.decompression_bomb(
        300, declared_size=5000),
    "entity expansion bomb": lambda h, r: hostile.workbook_with_sheet(hostile.billion_laughs()),
    "external entity": lambda h, r: hostile.workbook_with_sheet(
        hostile.external_entity("/etc/passwd")),
    "raw control character": lambda h, r: _raw_cells(h, r, hostile.text("a\x01b", raw=True)),
    "raw NUL character": lambda h, r: _raw_cells(h, r, hostile.text("a\x00b", raw=True)),
    "character reference to NUL": lambda h, r: _raw_cells(h, r, hostile.text("a&#0;b", raw=True)),
    "shared strings not UTF-8": lambda h, r: _shared_strings(
        h, r, hostile.shared_strings_xml(["张三"]).replace("张三".encode(), "张三".encode("gbk"))),
    "shared strings in GBK": lambda h, r: _shared_strings(
        h, r, hostile.shared_strings_xml(["张三"], encoding="GBK")),
    "shared string index out of range": lambda h, r: hostile.workbook_with_shared_strings(
        [h, [hostile.shared(7)]], hostile.shared_strings_xml(["张三"])),
    "number cell that is no number": lambda h, r: _raw_cells(h, r, hostile.number("abc")),
    "number cells NaN and INF": lambda h, r: _raw_cells(h, r, hostile.number("NaN"),
                                                        hostile.number("INF")),
    "formula without a cached value": lambda h, r: _raw_cells(h, r, hostile.formula("1+1")),
    "100,000 characters in every cell": lambda h, r: hostile.workbook_with_sheet(
        hostile.sheet_xml([h, ["长" * 100_000] * len(h)])),
}
TEMPLATES = {
    "experts": (EXPERT_HEADERS, expert_row, "experts"),
    "applications": (APPLICATION_HEADERS, application_row, "review_applications"),
}


def _url(template: str) -> str:
    if template == "experts":
        return "/experts/import"
    return f"/reviews/{make_round().id}/import"


@pytest.mark.parametrize("template", TEMPLATES)
def test_hostile_files_are_refused_or_reported_never_written(secretariat, template):
    headers, make_row, _table = TEMPLATES[template]
    url = _url(template)
    before = table_counts()
    answers = {}
    for case, build in HOSTILE_FILES.items():
        response = upload(secretariat, url, build(headers, make_row))
        page = response.get_data(as_text=True)
        answers[case] = response.status_code
        assert CJK.search(page), case
        assert "root:" not in page, case  # the external entity was not read
        assert table_counts() == before, case
    assert {case for case, status in answers.items() if status not in (400, 422)} == set(), answers


def test_bombs_are_refused_without_being_inflated():
    with pytest.raises(FileRefused) as declared:
        read_experts(hostile.decompression_bomb(300), "bomb.xlsx", field_names=SEED_FIELDS,
                     today=today_in_display_zone(), max_bytes=TEN_MB)
    assert declared.value.reason is Reason.EXPANDS_TOO_MUCH
    # A bomb that lies about its size stops at the size it declared (then fails its CRC).
    with pytest.raises(FileRefused) as lying:
        read_experts(hostile.decompression_bomb(300, declared_size=5000), "bomb.xlsx",
                     field_names=SEED_FIELDS, today=today_in_display_zone(), max_bytes=TEN_MB)
    assert lying.value.reason is Reason.UNREADABLE
    with pytest.raises(FileRefused) as laughs:
        read_applications(hostile.workbook_with_sheet(hostile.billion_laughs()), "bomb.xlsx",
                          max_bytes=TEN_MB)
    assert laughs.value.reason is Reason.UNREADABLE


def test_an_upload_over_the_request_limit_is_refused_in_chinese(secretariat, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    before = table_counts()
    response = upload(secretariat, "/experts/import", bytes(8192))
    assert response.status_code == 413
    assert CJK.search(response.get_data(as_text=True))
    assert table_counts() == before


# --- cells that look like something else --------------------------------------------------


def _read_one(headers, make_row, **cells):
    values = make_row(930_000)
    values.update(cells)
    return hostile.workbook_with_sheet(hostile.sheet_xml([headers, [values[h] for h in headers]]))


def test_formulas_count_by_their_cached_value_and_none_is_an_empty_cell():
    read = lambda data: read_experts(data, "f.xlsx", field_names=SEED_FIELDS,  # noqa: E731
                                     today=today_in_display_zone(), max_bytes=TEN_MB)
    cached = read(_read_one(EXPERT_HEADERS, expert_row, 姓名=hostile.formula(
        'HYPERLINK("http://example.com","张三")', "张三")))
    assert cached.rows[0].data.name == "张三"
    uncached = read(_read_one(EXPERT_HEADERS, expert_row, 姓名=hostile.formula("1+1")))
    assert [(p.row, p.column, p.reason) for p in uncached.problems] == [
        (2, "姓名", Reason.REQUIRED)]


FORMULA_LOOKING = ["=1+1", '=HYPERLINK("http://example.com","点击")', "+1", "-1", "@SUM(A1)",
                   "=cmd|'/C calc'!A0"]


def test_text_that_looks_like_a_formula_is_kept_as_text_and_exported_as_text(secretariat):
    rows = [dict(expert_row(940_000 + i), 姓名=text[:50], 备注=text)
            for i, text in enumerate(FORMULA_LOOKING)]
    book = Workbook()
    book.active.append(EXPERT_HEADERS)
    for values in rows:
        book.active.append([values[h] for h in EXPERT_HEADERS])
        book.active.cell(book.active.max_row, 1).data_type = "s"  # text, as Excel keeps it
        book.active.cell(book.active.max_row, 14).data_type = "s"
    report = import_experts(hostile.save(book), "f.xlsx", dry_run=False, actor="fuzz")
    assert report.ok and report.created == len(FORMULA_LOOKING), report.problems
    db.session.commit()
    exported = load_workbook(io.BytesIO(secretariat.get("/experts/export").data))
    cells = [cell for row in exported.active.iter_rows(min_row=2) for cell in row
             if cell.column in (2, 15)]  # 姓名 and 备注, after 专家编号
    assert {cell.value for cell in cells} >= set(FORMULA_LOOKING)
    assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))


def test_application_titles_that_look_like_formulas_are_exported_as_text(secretariat):
    review_round = make_round()
    for number, title in enumerate(FORMULA_LOOKING):
        create_application(review_round, ApplicationData(
            number=f"F-{number}", title=title, organisation=title, direction="生物材料",
            city="南昌", group_name=title[:50]), actor="test")
    review_round.name = FORMULA_LOOKING[1]
    db.session.commit()
    response = secretariat.get(f"/reviews/{review_round.id}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert {cell.value for cell in texts} >= set(FORMULA_LOOKING)
    assert [cell.coordinate for cell in texts if cell.data_type != "s"] == []


def test_merged_cells_leave_the_rows_below_empty_and_each_is_reported():
    book = Workbook()
    sheet = book.active
    sheet.append(EXPERT_HEADERS)
    for number in range(3):
        values = expert_row(950_000 + number)
        sheet.append([values[h] for h in EXPERT_HEADERS])
    sheet.merge_cells("E2:E4")  # 单位类别 of three rows, typed once
    sheet.merge_cells("A1:B1")  # 姓名 over 性别: the 性别 column is gone
    found = read_experts(hostile.save(book), "m.xlsx", field_names=SEED_FIELDS,
                         today=today_in_display_zone(), max_bytes=TEN_MB)
    assert [(p.row, p.column, p.reason) for p in found.problems] == [
        (3, "单位类别", Reason.REQUIRED), (4, "单位类别", Reason.REQUIRED)]
    assert [row.row for row in found.rows] == [2]


def test_a_hidden_first_sheet_is_the_one_read_and_the_preview_shows_its_rows(secretariat):
    """The template says "first sheet": a hidden first sheet is read like any other.
    Nothing is written before the preview, which lists what would be imported."""
    book = Workbook()
    hidden = book.active
    hidden.append(EXPERT_HEADERS)
    values = expert_row(960_000)
    hidden.append([values[h] for h in EXPERT_HEADERS])
    hidden.sheet_state = "hidden"
    book.create_sheet("可见").append(["说明"])
    book.active = 1
    before = table_counts()
    response = upload(secretariat, "/experts/import", hostile.save(book))
    assert response.status_code == 200
    assert table_counts() == before


def test_escapes_in_text_stay_literal():
    found = read_experts(_read_one(EXPERT_HEADERS, expert_row, 备注="a_x0001_b_x0000_"),
                         "e.xlsx", field_names=SEED_FIELDS, today=today_in_display_zone(),
                         max_bytes=TEN_MB)
    assert found.rows[0].data.notes == "a_x0001_b_x0000_"


# --- the CLI ------------------------------------------------------------------------------

CLI_LINE = re.compile(r"^(row \d+, \S.*: .+|warning: .+|Error: .+|created: .+|applications: .+"
                      r"|dry run: nothing was written)$")


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("case", ["random bytes", "300 MB sheet declared as 5 KB",
                                  "entity expansion bomb", "shared strings not UTF-8",
                                  "100,000 characters in every cell", "only a header row"])
def test_the_cli_answers_hostile_files_with_a_message_and_exit_1(runner, tmp_path, template,
                                                                 case):
    headers, make_row, _table = TEMPLATES[template]
    path = tmp_path / "名单.xlsx"
    path.write_bytes(HOSTILE_FILES[case](headers, make_row))
    args = (["experts", "import", str(path)] if template == "experts" else
            ["reviews", "import-applications", str(make_round().id), str(path)])
    before = table_counts()
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert CJK.search(result.output)
    assert all(CLI_LINE.match(line) for line in result.output.splitlines()), result.output
    assert table_counts() == before


@FEW
@given(expert_workbooks)
def test_the_cli_answers_random_workbooks_with_counts_or_problem_lines(runner, tmp_path, case):
    data, _header, _count = case
    path = tmp_path / "名单.xlsx"
    path.write_bytes(data)
    before = table_counts()
    result = runner.invoke(args=["experts", "import", str(path), "--dry-run"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert all(CLI_LINE.match(line) for line in result.output.splitlines()), result.output
    assert table_counts() == before
