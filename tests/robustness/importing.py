"""What the importers' robustness tests share: random cell values, random
workbooks of both templates, and the checks of an import's outcome."""

import re
from datetime import date, datetime

from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import String, func, select

from tests.robustness.hostile_workbooks import save
from thinktank.experts.importer import COLUMNS as EXPERT_COLUMNS
from thinktank.extensions import db
from thinktank.imports import REASON_TEXTS, describe
from thinktank.reviews.importer import COLUMNS as APPLICATION_COLUMNS

EXPERT_HEADERS = [column.header for column in EXPERT_COLUMNS]
APPLICATION_HEADERS = [column.header for column in APPLICATION_COLUMNS]
CJK = re.compile(r"[\u4e00-\u9fff]")

# Characters a worksheet can hold: no surrogates, no C0 controls but tab and
# line breaks (XML 1.0 has no way to write them; openpyxl refuses them).
_CONTROLS = [chr(code) for code in range(32) if code not in (9, 10, 13)]
xml_characters = st.characters(codec="utf-8", exclude_characters=[*_CONTROLS, "\ufffe", "\uffff"])

# Values that broke or nearly broke importers elsewhere: bidi controls, joiners,
# emoji sequences, formula-looking text, characters that NFKC or casefold
# expand (one character becoming 18, "ß" becoming "ss"), very long text.
EDGE_TEXTS = [
    "", " ", "\u3000", "\u00a0", "\t\n\r", "\u200f", "\u202e南昌\u202c", "\u200d", "\u2028",
    "👩\u200d🔬", "🧬" * 10, "\U0001f1e8\U0001f1f3", "=1+1", '=HYPERLINK("http://example.com","点击")',
    "+86 139 0000 1111", "-1", "@SUM(A1:A2)", "<script>alert(1)</script>", "ＡＢＣ１２３",
    "\ufdfa", "\ufdfa" * 60, "\u337f" * 60, "ß" * 100, "ß" * 101, "双" * 50, "x" * 100_000,
    "长" * 100_000,
    "南昌", "省外", "生物医药", "高校院所", "男", "2025-01-01", "2025年13月1日", "13900000000",
    "a@b.cn", "NaN", "1e400", "-0", "0x10", "１９７０", "١٩٧٠", "None", "TRUE", "#N/A",
]

text_values = st.one_of(st.sampled_from(EDGE_TEXTS), st.text(xml_characters, max_size=60))
cell_values = st.one_of(
    st.none(),
    text_values,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 2)),
    st.datetimes(min_value=datetime(1900, 1, 2)),
    st.times(),
)


def expert_row(number: int) -> dict:
    """A valid experts row; ``number`` makes the mobile and email."""
    return {
        "姓名": f"导入专家{number}", "性别": "女", "出生年份": 1975, "工作单位": "江西农业大学",
        "单位类别": "高校院所", "职称": "教授", "职务": "院长", "专业领域": "生物医药、酶制剂",
        "所在地区": "南昌市", "手机": f"137{number:08d}", "电子邮箱": f"fuzz{number}@example.cn",
        "聘期开始": date(2025, 1, 1), "聘期结束": "2027/12/31", "备注": "首批入库",
    }


def application_row(number: int) -> dict:
    return {
        "申报编号": f"FZ-{number:06d}", "项目名称": f"酶法合成中试项目{number}",
        "申报单位": "江西某生物科技有限公司", "方向": "生物化工", "所在地区": "赣州市",
        "总投资（万元）": 1200.5, "分组": "生物化工组", "项目简介": "利用酶催化……",
        "联系人": "王工", "联系电话": "0797-8888888",
    }


@st.composite
def header_rows(draw, headers: list[str]) -> list[str]:
    """The template's headers, most often as they are; else reordered, some
    left out, some repeated, some unknown ones added."""
    if draw(st.integers(0, 3)):
        return list(headers)
    chosen = draw(st.permutations(headers))
    chosen = [h for h in chosen if draw(st.integers(0, 7))]  # each dropped 1 time in 8
    chosen += draw(st.lists(st.sampled_from(headers), max_size=2))
    chosen += draw(st.lists(text_values, max_size=2))
    return draw(st.permutations(chosen))


@st.composite
def workbooks(draw, headers: list[str], make_row) -> tuple[bytes, list[str], int]:
    """(an .xlsx, its header row, its number of data rows): valid rows of the
    template with some cells replaced by random values of any type."""
    header = draw(header_rows(headers))
    base = draw(st.integers(0, 10**7))
    rows = []
    for index in range(draw(st.integers(0, 6))):
        values = make_row(base + index)
        values.update(draw(st.dictionaries(st.sampled_from(headers), cell_values, max_size=3)))
        rows.append(values)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append([values.get(title) for title in header])
    return save(book), header, len(rows)


expert_workbooks = workbooks(EXPERT_HEADERS, expert_row)
application_workbooks = workbooks(APPLICATION_HEADERS, application_row)


# --- checks -----------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """The number of rows of every table: an import that writes nothing leaves it as it was."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def overlong_values() -> list[tuple[str, str, int]]:
    """(table, column, length) of every stored text longer than its column allows.

    PostgreSQL refuses such a value (a 500 if nothing checked it before);
    SQLite stores it, so this finds on SQLite what PostgreSQL would refuse."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                longest = db.session.scalar(select(func.max(func.length(column))))
                if longest is not None and longest > column.type.length:
                    found.append((table.name, column.name, longest))
    return found


def check_problems(problems, template: list[str], header: list[str], data_rows: int) -> None:
    """Every problem is located (a row Excel shows; a column of the template,
    which the file has unless the problem is that it lacks it) and worded in Chinese."""
    in_file = {title.strip() for title in header}
    for problem in problems:
        assert 1 <= problem.row <= data_rows + 1, problem
        assert problem.column in template, problem
        assert problem.row == 1 or problem.column in in_file, problem
        assert problem.reason in REASON_TEXTS
        assert CJK.search(describe(problem.reason, problem.params)), problem
