"""Importing project applications into a round: every rule of the template's
"Project applications" table, all or nothing, dry run, groups."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.experts.workbooks import workbook
from tests.reviews.round_factories import HEADERS, application_data, make_round, row
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reviews.applications import add_group, create_application, import_applications
from thinktank.reviews.importer import normalise_phone, parse_investment
from thinktank.reviews.models import Application, ReviewGroup, RoundStatus
from thinktank.spreadsheets import Problem, Reason


def run(review_round, rows, *, dry_run=False, headers=None, filename="申报汇总.xlsx"):
    report = import_applications(review_round, workbook(rows, headers or HEADERS),
                                 filename, dry_run=dry_run, actor="test")
    db.session.commit()
    return report


def count() -> int:
    return db.session.scalar(select(func.count(Application.id)))


def problems(rows):
    report = run(make_round(), rows)
    assert not report.ok and count() == 0
    return report.problems


def test_rows_become_applications_and_new_groups_are_created():
    review_round = make_round()
    report = run(review_round, [
        row(申报编号="Ａ-001", 申报单位=" 江西　某某 有限公司 ", 联系电话="139 0000 1111"),
        row(**{"分组": "生物医药组", "总投资（万元）": None, "所在地区": "省外"}),
        row(分组=None),
    ])
    assert report.ok and report.created == 3
    assert report.new_groups == ["生物化工组", "生物医药组"]
    applications = db.session.scalars(select(Application).order_by(Application.id)).all()
    first = applications[0]
    assert first.number == "A-001"
    assert first.organisation == "江西 某某 有限公司"
    assert first.organisation_key == "江西某某有限公司"
    assert (first.direction, first.city) == ("生物化工", "赣州")
    assert first.investment == Decimal("1200.50")
    assert first.phone == "13900001111"
    assert first.group.name == "生物化工组"
    assert applications[1].investment is None and applications[1].city == "省外"
    assert applications[2].group is None
    assert {g.name for g in db.session.scalars(select(ReviewGroup))} == {"生物医药组", "生物化工组"}
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "review_applications.imported"))
    assert entry.payload["created"] == 3 and entry.target_id == review_round.id


def test_an_existing_group_is_reused():
    review_round = make_round()
    add_group(review_round, "生物化工组")
    db.session.commit()
    report = run(review_round, [row(), row()])
    assert report.new_groups == []
    assert db.session.scalar(select(func.count(ReviewGroup.id))) == 1


def test_a_dry_run_reports_and_writes_nothing():
    review_round = make_round()
    report = run(review_round, [row(), row(分组="新组")], dry_run=True)
    assert report.ok and report.created == 2 and report.new_groups == ["生物化工组", "新组"]
    assert count() == 0 and db.session.scalar(select(func.count(ReviewGroup.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "review_applications.imported")) == 0


def test_one_bad_row_means_nothing_is_written():
    found = problems([row(), row(), row(方向="生物制药"), row()])
    assert found == [Problem(4, "方向", Reason.DIRECTION,
                             {"choices": "生物医药、生物化工、新食品、生物材料、生物能源"})]
    assert db.session.scalar(select(func.count(ReviewGroup.id))) == 0


def test_a_number_repeated_within_the_file_is_a_problem():
    found = problems([row(申报编号="X-1"), row(), row(申报编号=" X-1 ")])
    assert found == [Problem(4, "申报编号", Reason.SAME_NUMBER_AS_ROW, {"row": 2})]


def test_a_number_already_in_the_round_is_a_problem_but_not_in_another_round():
    review_round = make_round()
    create_application(review_round, application_data(number="X-1"))
    db.session.commit()
    report = run(review_round, [row(), row(申报编号="X-1")])
    assert report.problems == [Problem(3, "申报编号", Reason.NUMBER_TAKEN)]
    assert count() == 1
    assert run(make_round(), [row(申报编号="X-1")]).ok


@pytest.mark.parametrize(("header", "value", "reason"), [
    ("方向", "合成生物", Reason.DIRECTION),
    ("所在地区", "北京", Reason.CITY),
    ("所在地区", "南昌县", Reason.CITY),
    ("总投资（万元）", -1, Reason.INVESTMENT),
    ("总投资（万元）", "-1", Reason.INVESTMENT),
    ("总投资（万元）", "约500", Reason.INVESTMENT),
    ("总投资（万元）", "五百", Reason.INVESTMENT),
    ("总投资（万元）", 12.345, Reason.INVESTMENT),
    ("联系电话", "88888888", Reason.PHONE),
    ("联系电话", "1390000111", Reason.PHONE),
    ("联系电话", "0791-888", Reason.PHONE),
    ("联系电话", "电话待定", Reason.PHONE),
    ("申报编号", "X" * 51, Reason.TOO_LONG),
    ("项目名称", "项" * 201, Reason.TOO_LONG),
    ("申报单位", "单" * 101, Reason.TOO_LONG),
    ("分组", "组" * 51, Reason.TOO_LONG),
])
def test_each_cell_rule(header, value, reason):
    (problem,) = problems([row(**{header: value})])
    assert (problem.row, problem.column, problem.reason) == (2, header, reason)


@pytest.mark.parametrize("header", ["申报编号", "项目名称", "申报单位", "方向", "所在地区"])
def test_required_cells_and_columns(header):
    (problem,) = problems([row(**{header: "  "})])
    assert (problem.column, problem.reason) == (header, Reason.REQUIRED)
    report = run(make_round(), [row()], headers=[h for h in HEADERS if h != header])
    assert not report.ok and count() == 0
    found = report.problems
    assert found == [Problem(1, header, Reason.MISSING_COLUMN)]


def test_headers_are_trimmed_unknown_columns_warned_and_blank_rows_skipped():
    headers = [f"\u3000{h} " for h in HEADERS] + ["备注"]
    report = run(make_round(), [row(备注="x"), {"备注": "只有无关列"}, row()], headers=headers)
    assert report.ok and report.created == 2
    assert report.warnings == [Problem(1, "备注", Reason.UNKNOWN_COLUMN)]


def test_problems_are_listed_in_row_then_column_order():
    found = problems([row(联系电话="x", 方向="x"), row(申报编号=None, 所在地区="x")])
    assert [(p.row, p.column) for p in found] == [
        (2, "方向"), (2, "联系电话"), (3, "申报编号"), (3, "所在地区")]


@pytest.mark.parametrize(("data", "filename"), [
    (b"not a zip", "申报.xlsx"),
    (workbook([row()], HEADERS), "申报.xls"),
])
def test_a_file_refused_as_a_whole_raises_a_clear_error(data, filename):
    with pytest.raises(DomainError):
        import_applications(make_round(), data, filename, dry_run=False)


def test_an_import_needs_a_draft_round():
    with pytest.raises(DomainError):
        run(make_round(status=RoundStatus.SCORING), [row()])
    assert count() == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("13900001111", "13900001111"),
    ("+86 139-0000-1111", "13900001111"),
    ("０７９１－８８８８８８８８", "0791-88888888"),
    ("0791 88888888", "0791-88888888"),
    ("(0791)88888888", "0791-88888888"),
    ("010-12345678", "010-12345678"),
    ("0797-8888888", "0797-8888888"),
])
def test_phone_formats(value, expected):
    assert normalise_phone(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0, Decimal("0.00")), (1500, Decimal("1500.00")), (12.5, Decimal("12.50")),
    ("1,234.56", Decimal("1234.56")), ("１２００", Decimal("1200.00")),
])
def test_investment_values(value, expected):
    assert parse_investment(value) == expected
