"""The pure reader of the experts template: every rule of docs/design.md,
"The experts template"."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from tests.experts.workbooks import HEADERS, row, save, workbook
from thinktank.experts.importer import (
    MAX_UNCOMPRESSED_BYTES,
    FileRefused,
    Problem,
    Reason,
    read_experts,
)
from thinktank.vocabulary import SEED_FIELDS

TODAY = date(2026, 6, 1)
TEN_MB = 10 * 1024 * 1024
REQUIRED = ["姓名", "工作单位", "单位类别", "专业领域", "所在地区", "手机", "电子邮箱"]


def read(data: bytes, filename: str = "experts.xlsx", **limits):
    return read_experts(data, filename, field_names=SEED_FIELDS, today=TODAY,
                        max_bytes=limits.pop("max_bytes", TEN_MB), **limits)


def problems_of(values: dict) -> list[Problem]:
    sheet = read(workbook([values]))
    assert not sheet.rows
    return sheet.problems


def only_problem(values: dict) -> Problem:
    (problem,) = problems_of(values)
    return problem


def value_of(header: str, cell, attribute: str):
    sheet = read(workbook([row(**{header: cell})]))
    assert not sheet.problems, sheet.problems
    return getattr(sheet.rows[0].data, attribute)


def test_a_valid_row_is_normalised():
    sheet = read(workbook([row(姓名=" 欧阳　喆 ", 手机="+86 139-0000-1111",
                               电子邮箱="OuYang@Example.CN", 备注="  第一行\n第二行  ")]))
    assert not sheet.problems and not sheet.warnings
    (imported,) = sheet.rows
    data = imported.data
    assert imported.row == 2
    assert data.name == "欧阳 喆"
    assert (data.gender, data.birth_year) == ("女", 1975)
    assert (data.organisation, data.category) == ("江西农业大学", "高校院所")
    assert (data.title, data.position) == ("教授", "院长")
    assert data.field_names == ["生物医药", "酶制剂"]
    assert data.city == "南昌"
    assert (data.mobile, data.email) == ("13900001111", "ouyang@example.cn")
    assert (data.term_start, data.term_end) == (date(2025, 1, 1), date(2027, 12, 31))
    assert data.notes == "第一行\n第二行"
    assert sheet.attributes == {
        "name", "gender", "birth_year", "organisation", "category", "title", "position",
        "field_names", "city", "mobile", "email", "term_start", "term_end", "notes"}


def test_optional_cells_left_empty_are_none():
    sheet = read(workbook([row(性别=None, 出生年份=None, 职称="  ", 职务=None, 聘期开始=None,
                               聘期结束=None, 备注="\u3000")]))
    data = sheet.rows[0].data
    assert (data.gender, data.birth_year, data.title, data.position) == (None, None, None, None)
    assert (data.term_start, data.term_end, data.notes) == (None, None, None)


# --- the header row ---------------------------------------------------------------

@pytest.mark.parametrize("header", REQUIRED)
def test_each_required_column_missing_is_a_problem_on_row_1(header):
    headers = [h for h in HEADERS if h != header]
    sheet = read(workbook([row()], headers))
    assert sheet.problems == [Problem(1, header, Reason.MISSING_COLUMN)]
    assert not sheet.rows


def test_every_missing_required_column_is_listed():
    sheet = read(workbook([row()], ["姓名", "备注"]))
    assert [p.column for p in sheet.problems] == REQUIRED[1:]


def test_optional_columns_may_be_absent_and_order_is_free():
    headers = list(reversed(REQUIRED))
    sheet = read(workbook([row()], headers))
    assert not sheet.problems and len(sheet.rows) == 1
    assert sheet.attributes == {"name", "organisation", "category", "field_names", "city",
                                "mobile", "email"}
    assert sheet.rows[0].data.title is None


def test_headers_are_matched_after_trimming_half_and_full_width_spaces():
    headers = [f" {h}\u3000" if i % 2 else f"\u3000{h}  " for i, h in enumerate(HEADERS)]
    sheet = read(workbook([row()], headers))
    assert not sheet.problems and not sheet.warnings
    assert sheet.rows[0].data.city == "南昌"


def test_an_unknown_column_is_a_warning_and_its_values_are_ignored():
    sheet = read(workbook([row(籍贯="江西")], [*HEADERS, " 籍贯 "]))
    assert not sheet.problems
    assert sheet.warnings == [Problem(1, "籍贯", Reason.UNKNOWN_COLUMN)]
    assert len(sheet.rows) == 1


def test_the_exported_code_column_is_read_past_without_a_warning():
    # The export writes 专家编号 first; the import identifies experts by mobile
    # and email, so a code (even a wrong one, or one on a row otherwise blank) changes nothing.
    rows = [row(专家编号="ZJ00007"), row(专家编号="不是编号"), {"专家编号": "ZJ00009"}]
    sheet = read(workbook(rows, ["专家编号", *HEADERS]))
    assert not sheet.problems and not sheet.warnings
    assert [r.row for r in sheet.rows] == [2, 3]
    assert "code" not in sheet.attributes


@pytest.mark.parametrize(("mobile", "email"), [("手机号", "邮箱"), ("手机号码", "电子邮件"),
                                               ("联系电话", "邮箱")])
def test_the_usual_other_names_of_the_mobile_and_email_columns_are_accepted(mobile, email):
    values = row()
    values[mobile], values[email] = values.pop("手机"), values.pop("电子邮箱")
    headers = [{"手机": mobile, "电子邮箱": email}.get(h, h) for h in HEADERS]
    sheet = read(workbook([values], headers))
    assert not sheet.problems and not sheet.warnings
    assert sheet.rows[0].data.mobile == values[mobile]
    assert sheet.rows[0].data.email == values[email]


def test_a_column_given_under_two_names_is_repeated():
    sheet = read(workbook([row()], [*HEADERS, "手机号"]))
    assert sheet.problems == [Problem(1, "手机号", Reason.REPEATED_COLUMN)]


def test_a_repeated_column_is_a_problem():
    sheet = read(workbook([row()], [*HEADERS, "手机"]))
    assert sheet.problems == [Problem(1, "手机", Reason.REPEATED_COLUMN)]


# --- rows ------------------------------------------------------------------------

def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers():
    rows = [row(), {"备注": "   ", "籍贯": "只有无关列"}, row(手机="bad")]
    sheet = read(workbook(rows, [*HEADERS, "籍贯"], blank_rows_before={0: 2, 2: 1}))
    # header 1, blank 2-3, valid 4, whitespace and an ignored column only 5, blank 6, bad 7
    assert [r.row for r in sheet.rows] == [4]
    assert sheet.problems == [Problem(7, "手机", Reason.MOBILE)]


def test_a_row_shorter_than_the_header_has_empty_trailing_cells():
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["张三", None, None, "南昌大学", "高校院所"])
    sheet = read(save(book))
    assert {p.column for p in sheet.problems} == {"专业领域", "所在地区", "手机", "电子邮箱"}
    assert {p.reason for p in sheet.problems} == {Reason.REQUIRED}


def test_only_the_first_sheet_is_read():
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append([row()[h] for h in HEADERS])
    other = book.create_sheet("说明")
    other.append(["这里不是数据"])
    sheet = read(save(book))
    assert len(sheet.rows) == 1 and not sheet.problems


def test_a_sheet_without_data_rows_is_refused():
    with pytest.raises(FileRefused) as refused:
        read(workbook([], blank_rows_before={}))
    assert refused.value.reason is Reason.NO_ROWS


def test_every_problem_of_every_row_is_reported_and_bad_rows_are_left_out():
    sheet = read(workbook([row(), row(性别="男性", 手机="123"), row(), row(电子邮箱="x")]))
    assert [r.row for r in sheet.rows] == [2, 4]
    assert [(p.row, p.column, p.reason) for p in sheet.problems] == [
        (3, "性别", Reason.GENDER), (3, "手机", Reason.MOBILE), (5, "电子邮箱", Reason.EMAIL)]


# --- one rule per column --------------------------------------------------------

@pytest.mark.parametrize("header", REQUIRED)
@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000\u3000"])
def test_each_required_cell_left_empty_is_a_problem(header, empty):
    assert only_problem(row(**{header: empty})) == Problem(2, header, Reason.REQUIRED)


@pytest.mark.parametrize(("header", "attribute", "limit"), [
    ("姓名", "name", 50), ("工作单位", "organisation", 100), ("职称", "title", 50),
    ("职务", "position", 50), ("备注", "notes", 2000)])
def test_text_up_to_its_limit_is_kept_and_longer_text_is_a_problem(header, attribute, limit):
    assert value_of(header, "字" * limit, attribute) == "字" * limit
    assert only_problem(row(**{header: "字" * (limit + 1)})) == Problem(
        2, header, Reason.TOO_LONG, {"limit": limit})


@pytest.mark.parametrize("cell", ["男", " 女 "])
def test_gender_accepts_male_and_female(cell):
    assert value_of("性别", cell, "gender") == cell.strip()


@pytest.mark.parametrize("cell", ["男性", "M", "未知", 1])
def test_gender_refuses_anything_else(cell):
    problem = only_problem(row(性别=cell))
    assert (problem.column, problem.reason) == ("性别", Reason.GENDER)
    assert problem.params == {"choices": "男、女"}


@pytest.mark.parametrize(("cell", "year"), [(1930, 1930), (2026, 2026), ("1970", 1970),
                                            ("１９７０", 1970), (1970.0, 1970), (" 1968 ", 1968)])
def test_birth_year_accepts_four_digit_years_from_1930_to_this_year(cell, year):
    assert value_of("出生年份", cell, "birth_year") == year


@pytest.mark.parametrize("cell", [1929, 2027, "85", "19700", "1970.5", 1970.5, "一九七〇",
                                  "1970年", "abc"])
def test_birth_year_refuses_other_values(cell):
    assert only_problem(row(出生年份=cell)) == Problem(
        2, "出生年份", Reason.BIRTH_YEAR, {"first": 1930, "last": 2026})


def test_category_must_be_in_the_list():
    assert value_of("单位类别", " 链主企业 ", "category") == "链主企业"
    problem = only_problem(row(单位类别="大学"))
    assert (problem.column, problem.reason) == ("单位类别", Reason.CATEGORY)
    assert "研发服务机构" in problem.params["choices"]


def test_fields_accept_every_separator_and_drop_repeats():
    cell = "生物医药、酶制剂,投融资，标准制定;知识产权；生物安全/法规伦理／政策研究、生物医药、"
    assert value_of("专业领域", cell, "field_names") == [
        "生物医药", "酶制剂", "投融资", "标准制定", "知识产权", "生物安全", "法规伦理", "政策研究"]


def test_fields_with_spaces_around_separators_are_fine():
    assert value_of("专业领域", " 生物医药 、 酶制剂 ", "field_names") == ["生物医药", "酶制剂"]


@pytest.mark.parametrize(("cell", "unknown"), [
    ("生物医药、航空航天", "航空航天"),
    ("生物医药 酶制剂", "生物医药 酶制剂"),  # a space is not a separator
    ("生物医药|酶制剂", "生物医药|酶制剂"),
    ("人工智能、区块链", "人工智能、区块链"),
])
def test_unknown_fields_and_bad_separators_name_what_was_not_understood(cell, unknown):
    assert only_problem(row(专业领域=cell)) == Problem(
        2, "专业领域", Reason.UNKNOWN_FIELD, {"names": unknown})


def test_fields_made_only_of_separators_count_as_empty():
    assert only_problem(row(专业领域="、，/")) == Problem(2, "专业领域", Reason.REQUIRED)


def test_the_known_fields_are_the_ones_given():
    sheet = read_experts(workbook([row(专业领域="合成生物学")]), "a.xlsx",
                         field_names=["合成生物学"], today=TODAY, max_bytes=TEN_MB)
    assert sheet.rows[0].data.field_names == ["合成生物学"]


@pytest.mark.parametrize(("cell", "city"), [("南昌", "南昌"), ("南昌市", "南昌"),
                                            (" 景德镇市 ", "景德镇"), ("上饶", "上饶"),
                                            ("省外", "省外")])
def test_city_accepts_jiangxi_cities_with_or_without_shi_and_outside(cell, city):
    assert value_of("所在地区", cell, "city") == city


@pytest.mark.parametrize("cell", ["北京", "北京市", "南昌县", "省外市", "江西省南昌市", "赣中"])
def test_city_refuses_other_places(cell):
    assert only_problem(row(所在地区=cell)) == Problem(2, "所在地区", Reason.CITY)


@pytest.mark.parametrize("cell", ["13912345678", "+86 139 1234 5678", "+8613912345678",
                                  "139-1234-5678", "0086 139 1234 5678", "１３９１２３４５６７８",
                                  "＋８６　１３９－１２３４－５６７８", 13912345678, 13912345678.0])
def test_mobile_is_cleaned_of_prefix_spaces_dashes_and_full_width_digits(cell):
    assert value_of("手机", cell, "mobile") == "13912345678"


@pytest.mark.parametrize("cell", ["1391234567", "139123456789", "23912345678", "0791-88888888",
                                  "+1 139 1234 5678", "1391234567x", "手机号"])
def test_mobile_refuses_what_is_not_a_mainland_mobile(cell):
    assert only_problem(row(手机=cell)) == Problem(2, "手机", Reason.MOBILE)


@pytest.mark.parametrize(("cell", "email"), [
    ("Li.Ming@Example.CN", "li.ming@example.cn"),
    ("  li@example.cn ", "li@example.cn"),
    ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ", "li@example.cn"),
])
def test_email_is_normalised_to_lower_case(cell, email):
    assert value_of("电子邮箱", cell, "email") == email


@pytest.mark.parametrize("cell", ["li", "li@", "@example.cn", "li ming@example.cn",
                                  "li@@example.cn", "li@example"])
def test_email_refuses_invalid_addresses(cell):
    assert only_problem(row(电子邮箱=cell)) == Problem(2, "电子邮箱", Reason.EMAIL)


@pytest.mark.parametrize("cell", ["2025-03-09", "2025/3/9", "2025.3.9", "2025年3月9日",
                                  "2025-3-9", "２０２５年３月９日", " 2025/03/09 ",
                                  datetime(2025, 3, 9), datetime(2025, 3, 9, 15, 30),
                                  date(2025, 3, 9)])
def test_dates_may_be_date_cells_or_text_in_four_forms(cell):
    assert value_of("聘期开始", cell, "term_start") == date(2025, 3, 9)
    assert value_of("聘期结束", cell, "term_end") == date(2025, 3, 9)


@pytest.mark.parametrize("cell", ["2025-13-01", "2025-02-30", "09/03/2025", "2025-3", "明年",
                                  "20250309", 45725])
def test_bad_dates_are_problems(cell):
    assert only_problem(row(聘期开始=cell, 聘期结束=None)) == Problem(2, "聘期开始", Reason.DATE)
    assert only_problem(row(聘期结束=cell)) == Problem(2, "聘期结束", Reason.DATE)


def test_the_term_may_not_end_before_it_starts():
    assert only_problem(row(聘期开始="2026-01-02", 聘期结束="2026/1/1")) == Problem(
        2, "聘期结束", Reason.TERM_ORDER)
    sheet = read(workbook([row(聘期开始="2026-01-01", 聘期结束="2026年1月1日")]))
    assert not sheet.problems


# --- one expert per file --------------------------------------------------------------

def test_the_same_mobile_twice_is_a_problem_on_the_later_row():
    sheet = read(workbook([row(手机="13900001111"), row(), row(手机="+86 139-0000-1111")]))
    assert [r.row for r in sheet.rows] == [2, 3]
    assert sheet.problems == [Problem(4, "手机", Reason.SAME_AS_ROW, {"row": 2})]


def test_the_same_email_in_another_case_is_a_problem_on_the_later_row():
    sheet = read(workbook([row(电子邮箱="wang@example.cn"), row(电子邮箱="WANG@Example.cn")]))
    assert sheet.problems == [Problem(3, "电子邮箱", Reason.SAME_AS_ROW, {"row": 2})]


def test_a_duplicate_of_a_row_that_itself_has_problems_is_still_found():
    sheet = read(workbook([row(手机="13900001111", 性别="?"), row(手机="13900001111")]))
    assert [(p.row, p.column) for p in sheet.problems] == [(2, "性别"), (3, "手机")]


# --- the file -----------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["experts.csv", "experts.xls", "experts.pdf", "experts",
                                      "experts.xlsx.exe"])
def test_files_not_named_xlsx_are_refused(filename):
    with pytest.raises(FileRefused) as refused:
        read(workbook([row()]), filename)
    assert refused.value.reason is Reason.NOT_XLSX


def test_the_extension_may_be_upper_case():
    assert len(read(workbook([row()]), "EXPERTS.XLSX").rows) == 1


@pytest.mark.parametrize("data", [
    "姓名,工作单位\n张三,南昌大学\n".encode("utf-8-sig"),  # a CSV renamed .xlsx
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",  # a PDF renamed .xlsx
    b"",
])
def test_other_formats_renamed_xlsx_are_refused(data):
    with pytest.raises(FileRefused) as refused:
        read(data)
    assert refused.value.reason is Reason.UNREADABLE


def test_a_truncated_workbook_is_refused():
    data = workbook([row() for _ in range(20)])
    with pytest.raises(FileRefused) as refused:
        read(data[: len(data) // 2])
    assert refused.value.reason is Reason.UNREADABLE


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(FileRefused) as refused:
        read(buffer.getvalue())
    assert refused.value.reason is Reason.UNREADABLE


def test_a_workbook_with_damaged_xml_is_refused():
    source = zipfile.ZipFile(io.BytesIO(workbook([row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            archive.writestr(member, content)
    with pytest.raises(FileRefused) as refused:
        read(buffer.getvalue())
    assert refused.value.reason is Reason.UNREADABLE


def test_a_file_over_the_size_limit_is_refused():
    data = workbook([row()])
    assert read(data, max_bytes=len(data)).rows
    with pytest.raises(FileRefused) as refused:
        read(data, max_bytes=len(data) - 1)
    assert refused.value.reason is Reason.TOO_LARGE
    assert refused.value.params == {"megabytes": f"{(len(data) - 1) / 1048576:g}"}


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    """A small file whose parts unpack to more than the limit: the declared sizes
    are checked first, so the XML is never inflated."""
    source = zipfile.ZipFile(io.BytesIO(workbook([row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member.filename, source.read(member))
        archive.writestr("xl/media/padding.bin", bytes(MAX_UNCOMPRESSED_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < 200_000
    with pytest.raises(FileRefused) as refused:
        read(data)
    assert refused.value.reason is Reason.EXPANDS_TOO_MUCH
    assert read(data, max_uncompressed_bytes=2 * MAX_UNCOMPRESSED_BYTES).rows
