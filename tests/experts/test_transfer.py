"""Importing into and exporting from the pool (the service, on a real database)."""

from datetime import date, datetime

import pytest
from sqlalchemy import event, func, select

from tests.experts.workbooks import HEADERS, read_back, row, workbook
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.experts.importer import Problem, Reason
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus
from thinktank.experts.services import ExpertFilters, set_status
from thinktank.experts.transfer import (
    claim_upload,
    describe,
    discard_upload,
    export_pool,
    import_experts,
    problem_line,
    stash_upload,
)
from thinktank.extensions import db
from thinktank.timeutil import today_in_display_zone


def run(rows, *, dry_run=False, headers=None, filename="专家名单.xlsx"):
    report = import_experts(workbook(rows, headers), filename, dry_run=dry_run, actor="test")
    db.session.commit()
    return report


def experts() -> list[Expert]:
    db.session.expire_all()
    return list(db.session.scalars(select(Expert).order_by(Expert.id)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_new_rows_create_experts_with_codes_and_an_audit_entry():
    report = run([row(姓名="李明", 手机="+86 138-0000-0001"), row(姓名="王芳")])
    assert report.ok and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    li, wang = experts()
    assert (li.name, li.mobile, li.code) == ("李明", "13800000001", f"ZJ{li.id:05d}")
    assert li.field_names == ["生物医药", "酶制剂"] and li.city == "南昌"
    assert li.term_end == date(2027, 12, 31) and li.status == ExpertStatus.ACTIVE.value
    assert "liming" in li.name_pinyin and wang.name == "王芳"
    assert actions() == ["expert.created", "expert.created", "experts.imported"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "experts.imported"))
    assert entry.payload == {"file": "专家名单.xlsx", "created": 2, "updated": 0, "unchanged": 0}
    assert entry.actor == "test"


def test_known_experts_are_updated_or_counted_unchanged(make_expert):
    same = make_expert(mobile="13900000001", email="same@example.cn")
    moved = make_expert(mobile="13900000002", email="moved@example.cn")
    unchanged_row = row(姓名=same.name, 工作单位=same.organisation, 单位类别=same.category,
                        职称=same.title, 职务=None, 性别=None, 出生年份=None,
                        专业领域="生物医药", 所在地区=same.city, 手机=same.mobile,
                        电子邮箱=same.email, 聘期开始=same.term_start, 聘期结束=same.term_end,
                        备注=None)
    last_change = same.updated_at
    report = run([unchanged_row, row(手机="139 0000 0002", 电子邮箱="moved@example.cn",
                                     工作单位="九江学院"), row()])
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    first, second, third = experts()
    assert first.updated_at == last_change
    assert second.organisation == "九江学院" and second.organisation_key == "九江学院"
    assert third.id not in (same.id, moved.id)
    assert actions().count("expert.updated") == 1


def test_an_expert_is_found_by_email_when_the_mobile_is_new(make_expert):
    expert = make_expert(mobile="13900000001", email="zhao@example.cn")
    report = run([row(手机="13700009999", 电子邮箱="zhao@example.cn")])
    assert (report.created, report.updated) == (0, 1)
    (updated,) = experts()
    assert updated.id == expert.id and updated.mobile == "13700009999"


def test_emails_are_matched_case_insensitively(make_expert):
    expert = make_expert(email="Qian@Example.cn")  # stored as given by an older path
    report = run([row(手机="13700008888", 电子邮箱="QIAN@example.CN")])
    assert (report.created, report.updated) == (0, 1)
    (updated,) = experts()
    assert updated.id == expert.id and updated.email == "qian@example.cn"


def test_a_dry_run_counts_but_writes_nothing(make_expert):
    make_expert(mobile="13900000001")
    report = run([row(), row(手机="13900000001")], dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert len(experts()) == 1
    assert "experts.imported" not in actions()


def test_nothing_is_written_when_any_row_is_bad(make_expert):
    expert = make_expert(mobile="13900000001")
    report = run([row(), row(手机="13900000001", 姓名="新名字"), row(所在地区="北京")])
    assert not report.ok
    assert report.problems == [Problem(4, "所在地区", Reason.CITY)]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    (only,) = experts()
    assert only.name == expert.name
    assert actions() == ["expert.created"]  # make_expert's own entry


def test_a_row_whose_mobile_and_email_belong_to_two_experts_is_a_problem(make_expert):
    make_expert(mobile="13900000001", email="a@example.cn")
    other = make_expert(mobile="13900000002", email="b@example.cn")
    report = run([row(手机="13900000001", 电子邮箱="B@example.cn")])
    assert report.problems == [Problem(2, "电子邮箱", Reason.CONTACT_OF_OTHER_EXPERT,
                                       {"code": other.code, "name": other.name})]
    assert other.code in describe(report.problems[0].reason, report.problems[0].params)


def test_two_rows_naming_the_same_pool_expert_are_a_problem(make_expert):
    expert = make_expert(mobile="13900000001", email="a@example.cn")
    report = run([row(手机="13900000001"), row(手机="13700000001", 电子邮箱="a@example.cn")])
    assert report.problems == [Problem(3, "电子邮箱", Reason.SAME_EXPERT_AS_ROW,
                                       {"row": 2, "code": expert.code})]
    assert len(experts()) == 1


def test_problems_are_listed_by_row_then_column():
    report = run([row(手机="1", 电子邮箱="bad"), row(姓名=None)])
    assert [(p.row, p.column) for p in report.problems] == [(2, "手机"), (2, "电子邮箱"),
                                                            (3, "姓名")]


def test_an_absent_optional_column_keeps_values_and_an_empty_cell_clears_them(make_expert):
    expert = make_expert(mobile="13900000001", title="研究员", position="所长",
                         notes="保留备注")
    headers = [h for h in HEADERS if h not in ("备注", "职务")]
    report = run([row(手机="13900000001", 职称=None, 姓名=expert.name)], headers=headers)
    assert report.updated == 1
    (updated,) = experts()
    assert (updated.notes, updated.position) == ("保留备注", "所长")
    assert updated.title is None


def test_a_retired_field_is_refused_unless_the_expert_already_has_it(make_expert):
    make_expert(mobile="13900000001", field_names=["酶制剂"])
    db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "酶制剂")).active = False
    db.session.commit()
    report = run([row(手机="13900000001", 专业领域="酶制剂、生物医药"),
                  row(专业领域="生物医药、酶制剂")], dry_run=True)
    assert report.problems == [Problem(3, "专业领域", Reason.RETIRED_FIELD, {"names": "酶制剂"})]


def test_a_refused_file_raises_a_domain_error_in_chinese():
    with pytest.raises(DomainError) as error:
        import_experts(b"name,mobile\n", "experts.csv", dry_run=True)
    assert "xlsx" in error.value.message and "仅支持" in error.value.message
    with pytest.raises(DomainError) as error:
        import_experts(b"name,mobile\n", "experts.xlsx", dry_run=True)
    assert "损坏" in error.value.message


def test_the_size_limit_comes_from_the_configuration(app, monkeypatch):
    data = workbook([row()])
    monkeypatch.setitem(app.config, "EXPERT_IMPORT_MAX_BYTES", len(data) - 1)
    with pytest.raises(DomainError) as error:
        import_experts(data, "a.xlsx", dry_run=True)
    assert "MB" in error.value.message


def test_problems_read_in_chinese_with_their_location():
    report = run([row(出生年份=1800)])
    assert problem_line(report.problems[0]) == (
        f"row 2, 出生年份: 请填写 1930 至 {today_in_display_zone().year} 之间的四位年份。")


def test_a_failure_in_the_middle_of_writing_takes_back_the_earlier_rows(make_expert):
    kept = make_expert(mobile="13900000001", name="原名")

    def fail_on_third(mapper, connection, target):
        if target.name == "第三位":
            raise RuntimeError("disk full")

    event.listen(Expert, "before_insert", fail_on_third)
    try:
        with pytest.raises(RuntimeError):
            import_experts(workbook([row(手机="13900000001", 姓名="改名"), row(姓名="第二位"),
                                     row(姓名="第三位")]),
                           "a.xlsx", dry_run=False)
    finally:
        event.remove(Expert, "before_insert", fail_on_third)
    db.session.commit()
    (only,) = experts()
    assert (only.id, only.name) == (kept.id, "原名")
    assert actions() == ["expert.created"]


# --- export and the round trip ----------------------------------------------------------

def test_the_export_uses_the_template_columns_date_cells_and_joined_fields(make_expert):
    expert = make_expert(
        name="孙悦", gender="女", birth_year=1980, field_names=["生物医药", "投融资"],
        mobile="13900000001", email="sun@example.cn", term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31), notes="=HYPERLINK(\"http://x\")")
    data, count = export_pool(ExpertFilters())
    assert count == 1
    header, values = read_back(data)
    assert list(header) == ["专家编号", *HEADERS]  # the code first, then the template's
    record = dict(zip(header, values, strict=True))
    assert record["专家编号"] == expert.code
    assert record["专业领域"] == "生物医药、投融资"
    assert record["手机"] == "13900000001" and isinstance(record["手机"], str)
    assert record["出生年份"] == 1980
    assert record["聘期开始"] == datetime(2025, 1, 1)  # a date cell, not text
    assert record["聘期结束"] == datetime(2027, 12, 31)
    assert record["备注"] == "=HYPERLINK(\"http://x\")"  # kept as text, never a formula
    assert record["职务"] is None


def test_the_export_applies_the_filters_and_is_audited(make_expert):
    make_expert(name="在库")
    set_status(make_expert(name="暂停"), ExpertStatus.SUSPENDED)
    db.session.commit()
    data, count = export_pool(ExpertFilters(status="suspended"), actor="test")
    db.session.commit()
    assert count == 1
    assert [values[1] for values in read_back(data)[1:]] == ["暂停"]  # after 专家编号
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "experts.exported"))
    assert entry.payload["count"] == 1 and entry.payload["filters"]["status"] == "suspended"


def test_an_exported_pool_imports_back_with_everything_unchanged(make_expert):
    make_expert(name="周 全", gender="男", birth_year=1930, title=None, position="主任",
                field_names=["生物医药", "数字化与智能制造", "法规伦理"], city="省外",
                category="金融投资机构", notes="第一行\n第二行", term_start=None,
                term_end=None)
    make_expert(name="=1+1", organisation="景德镇陶瓷大学", mobile="13900000009",
                email="Mixed.Case@example.cn".lower(), term_start=date(2024, 2, 29))
    # Text that starts like a formula is quote-prefixed in the file, not
    # changed: it comes back as typed, and so does a note typed with a '.
    make_expert(name="-张三", organisation="+江西某公司", title="@教授", position="=主任",
                email="-1+1@example.cn", notes="'=1+1 是文字")
    retired_holder = make_expert(field_names=["酶制剂"])
    db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "酶制剂")).active = False
    db.session.commit()
    before = {e.id: (e.updated_at, e.field_names) for e in experts()}
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))

    data, count = export_pool(ExpertFilters())
    report = import_experts(data, "导出.xlsx", dry_run=False)
    db.session.commit()

    assert report.ok, [problem_line(p) for p in report.problems]
    assert not report.warnings
    assert (report.created, report.updated, report.unchanged) == (0, 0, count) == (0, 0, 4)
    assert {e.id: (e.updated_at, e.field_names) for e in experts()} == before
    assert retired_holder.id in before
    # only the export and the import itself were logged, no expert change
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before + 2


def test_a_kept_upload_can_be_claimed_only_once():
    token = stash_upload(b"workbook bytes")
    assert claim_upload(token) == b"workbook bytes"
    assert claim_upload(token) is None
    assert claim_upload("../../etc/passwd") is None
    discarded = stash_upload(b"x")
    discard_upload(discarded)
    assert claim_upload(discarded) is None
    discard_upload(discarded)  # quiet when already gone



def _statements_to_import(rows: int, count_queries) -> tuple[int, int]:
    """Statements run to import ``rows`` new experts: (reads, all)."""
    data = workbook([row() for _ in range(rows)])
    with count_queries() as counter:
        report = import_experts(data, "experts.xlsx", dry_run=False, actor="test")
        db.session.commit()
    assert report.created == rows
    reads = sum(s.lstrip().upper().startswith("SELECT") for s in counter.statements)
    return reads, counter.count


def test_importing_new_experts_takes_the_same_statements_for_10_or_100_rows(count_queries):
    """A 5,000-row file must not run several statements per row. SQLAlchemy
    batches the INSERTs into one statement on PostgreSQL; on SQLite (no round
    trips) it runs one per row, so there only the reads are counted."""
    small, large = (_statements_to_import(n, count_queries) for n in (10, 100))
    assert small[0] == large[0]
    if db.engine.dialect.name == "postgresql":
        assert small[1] == large[1]
    assert db.session.scalar(select(func.count()).select_from(Expert)) == 110
    codes = db.session.scalars(select(Expert.code)).all()
    assert len(set(codes)) == 110 and all(code.startswith("ZJ") for code in codes)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "expert.created")) == 110
