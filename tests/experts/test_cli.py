"""``flask experts import`` and ``flask experts export``."""

from sqlalchemy import func, select

from tests.experts.workbooks import read_back, row, workbook
from thinktank.audit.models import AuditEntry
from thinktank.experts.importer import Reason
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.experts.services import set_status
from thinktank.experts.transfer import describe
from thinktank.extensions import db


def count_experts() -> int:
    return db.session.scalar(select(func.count(Expert.id)))


def write(tmp_path, rows, name="experts.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook(rows))
    return path


def test_import_prints_the_counts_and_exits_0(runner, tmp_path, make_expert):
    make_expert(mobile="13900000001")
    path = write(tmp_path, [row(), row(), row(手机="13900000001")])
    result = runner.invoke(args=["experts", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created: 2, updated: 1, unchanged: 0"
    assert count_experts() == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "experts.imported"))
    assert entry.actor == "cli" and entry.payload["file"] == "experts.xlsx"


def test_a_dry_run_prints_the_counts_and_writes_nothing(runner, tmp_path):
    result = runner.invoke(args=["experts", "import", str(write(tmp_path, [row(), row()])),
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["created: 2, updated: 0, unchanged: 0",
                                          "dry run: nothing was written"]
    assert count_experts() == 0


def test_problems_print_one_line_each_and_exit_1_without_writing(runner, tmp_path):
    path = write(tmp_path, [row(), row(手机="12345", 性别="M"), row(), row(电子邮箱="无")])
    result = runner.invoke(args=["experts", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 3, 性别: 请填写以下之一：男、女。",
        f"row 3, 手机: {describe(Reason.MOBILE)}",
        f"row 5, 电子邮箱: {describe(Reason.EMAIL)}",
    ]
    assert "手机号" in describe(Reason.MOBILE) and "邮箱" in describe(Reason.EMAIL)
    assert count_experts() == 0


def test_a_missing_column_is_reported_on_row_1(runner, tmp_path):
    path = tmp_path / "experts.xlsx"
    path.write_bytes(workbook([row()], ["姓名", "工作单位", "单位类别", "专业领域", "所在地区",
                                        "手机", "籍贯"]))
    result = runner.invoke(args=["experts", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["warning: 籍贯: 此列不在模板中，已忽略。",
                                          "row 1, 电子邮箱: 表头缺少此必填列。"]


def test_a_file_that_is_not_xlsx_is_refused_with_exit_1(runner, tmp_path):
    csv = tmp_path / "experts.csv"
    csv.write_text("姓名,手机\n张三,13900000001\n", encoding="utf-8")
    result = runner.invoke(args=["experts", "import", str(csv)])
    assert result.exit_code == 1 and "仅支持导入 .xlsx" in result.output
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(csv.read_bytes())
    result = runner.invoke(args=["experts", "import", str(renamed)])
    assert result.exit_code == 1 and "不是可读取的 .xlsx 工作簿" in result.output


def test_a_file_over_the_limit_is_refused(runner, tmp_path, app, monkeypatch):
    path = write(tmp_path, [row()])
    monkeypatch.setitem(app.config, "EXPERT_IMPORT_MAX_BYTES", path.stat().st_size - 1)
    result = runner.invoke(args=["experts", "import", str(path)])
    assert result.exit_code == 1 and "MB" in result.output
    assert count_experts() == 0


def test_export_writes_the_pool_and_imports_back_unchanged(runner, tmp_path, make_expert):
    make_expert(name="甲")
    set_status(make_expert(name="乙"), ExpertStatus.WITHDRAWN)
    db.session.commit()
    everyone, withdrawn = tmp_path / "all.xlsx", tmp_path / "withdrawn.xlsx"
    result = runner.invoke(args=["experts", "export", str(everyone)])
    assert result.exit_code == 0 and result.output.strip() == f"exported 2 experts to {everyone}"
    result = runner.invoke(args=["experts", "export", str(withdrawn), "--status", "withdrawn"])
    assert result.exit_code == 0, result.output
    # 姓名 comes after 专家编号
    assert [values[1] for values in read_back(withdrawn.read_bytes())[1:]] == ["乙"]
    result = runner.invoke(args=["experts", "import", str(everyone)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created: 0, updated: 0, unchanged: 2"


def test_export_refuses_an_unknown_status(runner, tmp_path):
    result = runner.invoke(args=["experts", "export", str(tmp_path / "x.xlsx"), "--status", "x"])
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()
