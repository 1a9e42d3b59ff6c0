"""The import pages (upload, preview, confirm) and the export download."""

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.experts.workbooks import HEADERS, read_back, row, workbook
from tests.helpers import Auth
from thinktank.audit.models import AuditEntry
from thinktank.experts.models import Expert, ExpertiseField
from thinktank.extensions import db


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


@pytest.fixture
def imports_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "imports"


def stashed(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*")} if directory.exists() else set()


def upload(client, data: bytes, filename: str = "专家名单.xlsx"):
    return client.post("/experts/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def token_of(page: str) -> str:
    marker = 'name="token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def count(action: str | None = None) -> int:
    if action is None:
        return db.session.scalar(select(func.count(Expert.id)))
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_the_upload_page_explains_the_template(secretariat):
    page = secretariat.get("/experts/import").get_data(as_text=True)
    assert "导入专家" in page and 'enctype="multipart/form-data"' in page
    assert "不超过 10 MB" in page
    for header in HEADERS:
        assert header in page


def test_upload_preview_confirm_imports_once(secretariat, imports_dir, make_expert):
    make_expert(mobile="13900000001")
    before = stashed(imports_dir)
    response = upload(secretariat, workbook([row(), row(手机="13900000001"), row()],
                                            [*HEADERS, "籍贯"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "新增 2 位专家" in page and "更新库中已有的 1 位专家" in page
    assert "此列不在模板中，已忽略" in page and "籍贯" in page
    assert count() == 1  # a preview writes nothing
    (kept,) = stashed(imports_dir) - before
    token = token_of(page)
    assert kept == f"{token}.xlsx"

    response = secretariat.post("/experts/import/confirm", data={"token": token})
    assert response.status_code == 302 and response.location.endswith("/experts/")
    assert count() == 3 and count("experts.imported") == 1
    assert stashed(imports_dir) == before  # the kept file is gone
    listing = secretariat.get("/experts/").get_data(as_text=True)
    assert "导入完成：新增 2 位，更新 1 位，未变更 0 位。" in listing

    again = secretariat.post("/experts/import/confirm", data={"token": token})
    assert again.status_code == 302 and again.location.endswith("/experts/import")
    assert count() == 3 and count("experts.imported") == 1


def test_a_confirmation_is_checked_again_against_the_pool(secretariat, imports_dir):
    before = stashed(imports_dir)
    page = upload(secretariat, workbook([row(专业领域="投融资")])).get_data(as_text=True)
    field = db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "投融资"))
    field.active = False  # retired between preview and confirmation
    db.session.commit()
    response = secretariat.post("/experts/import/confirm", data={"token": token_of(page)})
    assert response.status_code == 422
    assert "专业领域已停用：投融资" in response.get_data(as_text=True)
    assert count() == 0 and stashed(imports_dir) == before


def test_a_bad_file_shows_every_problem_and_keeps_nothing(secretariat, imports_dir):
    before = stashed(imports_dir)
    response = upload(secretariat, workbook([row(), row(所在地区="北京", 出生年份=1900),
                                             row(电子邮箱=None)]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未导入任何数据：文件中有 3 处问题" in page
    assert "<td>3</td><td>出生年份</td>" in page and "<td>3</td><td>所在地区</td>" in page
    assert "<td>4</td><td>电子邮箱</td><td>此项为必填项。</td>" in page
    assert "确认导入" not in page
    assert stashed(imports_dir) == before and count() == 0


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"name,mobile\n", "experts.csv", "仅支持导入 .xlsx"),
    (b"%PDF-1.4\n%%EOF\n", "experts.xlsx", "不是可读取的 .xlsx 工作簿"),
    (b"PK\x03\x04broken", "experts.xlsx", "不是可读取的 .xlsx 工作簿"),
])
def test_files_that_are_not_workbooks_are_refused(secretariat, data, filename, message):
    response = upload(secretariat, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_file_over_the_configured_limit_is_refused(secretariat, app, monkeypatch):
    data = workbook([row()])
    monkeypatch.setitem(app.config, "EXPERT_IMPORT_MAX_BYTES", len(data) - 1)
    response = upload(secretariat, data)
    assert response.status_code == 400
    assert f"文件超过 {(len(data) - 1) / 1048576:g} MB" in response.get_data(as_text=True)


def test_posting_without_a_file_is_refused(secretariat):
    response = secretariat.post("/experts/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要导入的文件" in response.get_data(as_text=True)


def test_a_new_upload_replaces_the_waiting_one(secretariat, imports_dir):
    before = stashed(imports_dir)
    first = token_of(upload(secretariat, workbook([row()])).get_data(as_text=True))
    second = token_of(upload(secretariat, workbook([row(), row()])).get_data(as_text=True))
    assert stashed(imports_dir) - before == {f"{second}.xlsx"}
    response = secretariat.post("/experts/import/confirm", data={"token": first})
    assert response.status_code == 302 and count() == 0
    secretariat.post("/experts/import/confirm", data={"token": second})
    assert count() == 2


def test_another_session_cannot_confirm_an_upload(app, secretariat, make_user):
    page = upload(secretariat, workbook([row()])).get_data(as_text=True)
    other = app.test_client()
    Auth(other).login(make_user("secretariat"))
    response = other.post("/experts/import/confirm", data={"token": token_of(page)})
    assert response.status_code == 302 and count() == 0
    secretariat.post("/experts/import/confirm", data={"token": token_of(page)})
    assert count() == 1


def test_export_downloads_the_filtered_list(secretariat, make_expert):
    make_expert(name="南昌专家", city="南昌")
    make_expert(name="赣州专家", city="赣州")
    response = secretariat.get("/experts/export?city=赣州&sort=name")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert ".xlsx" in response.headers["Content-Disposition"]
    rows = read_back(response.data)
    assert list(rows[0]) == ["专家编号", *HEADERS] and [r[1] for r in rows[1:]] == ["赣州专家"]
    assert count("experts.exported") == 1


def test_the_list_offers_import_and_export_with_the_current_filters(secretariat):
    page = secretariat.get("/experts/?city=南昌&status=active").get_data(as_text=True)
    assert 'href="/experts/import"' in page
    assert "/experts/export?" in page and "city=%E5%8D%97%E6%98%8C" in page


@pytest.mark.parametrize("role", ["official", "admin", "expert"])
def test_other_roles_may_neither_import_nor_export(client, make_user, role):
    Auth(client).login(make_user(role))
    assert client.get("/experts/import").status_code == 403
    assert upload(client, workbook([row()])).status_code == 403
    assert client.post("/experts/import/confirm", data={"token": "0" * 32}).status_code == 403
    assert client.get("/experts/export").status_code == 403
    assert count() == 0
    if role != "expert":
        page = client.get("/experts/").get_data(as_text=True)
        assert "/experts/import" not in page and "/experts/export" not in page


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get("/experts/export")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_only_the_base_name_of_the_upload_is_shown_and_audited(secretariat):
    page = upload(secretariat, workbook([row()]), "../Users/秘书/专家 名单.xlsx").get_data(
        as_text=True)
    assert "专家 名单.xlsx" in page and "Users" not in page
    secretariat.post("/experts/import/confirm", data={"token": token_of(page)})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "experts.imported"))
    assert entry.payload["file"] == "专家 名单.xlsx" and entry.user_id is not None


def test_the_import_page_offers_an_empty_template_that_imports_once_filled(secretariat):
    page = secretariat.get("/experts/import").get_data(as_text=True)
    assert 'href="/experts/import/template.xlsx"' in page

    response = secretariat.get("/experts/import/template.xlsx")

    assert response.status_code == 200
    assert quote("专家导入模板.xlsx") in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == HEADERS and sheet.max_row == 1
    assert sheet["A1"].font.bold and not sheet["B1"].font.bold  # 姓名 required, 性别 not
    # filled in, it is a workbook the import takes
    sheet.append([row()[header] for header in HEADERS])
    filled = io.BytesIO()
    sheet.parent.save(filled)
    preview = upload(secretariat, filled.getvalue())
    assert preview.status_code == 200 and 'name="token"' in preview.get_data(as_text=True)
