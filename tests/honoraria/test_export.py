"""The 劳务费发放表 pages, downloads and CLI: read back with openpyxl, audited,
secretariat only."""

import io

import pytest
from openpyxl import load_workbook

from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.permissions import Role

HEADERS = ["序号", "姓名", "工作单位", "职称", "天数/评审件数", "标准（元）", "金额（元）", "签字"]


def read_back(data: bytes):
    """(title, header, lines, total row) of a payment sheet."""
    rows = [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    total_index = next(i for i, row in enumerate(rows) if row[0] == "合计")
    return rows[0][0], rows[1], rows[2:total_index], rows[total_index]


def audit_actions():
    return db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.action.like("honoraria.%"))).all()


@pytest.fixture
def secretariat(make_user, auth):
    auth.login(make_user(Role.SECRETARIAT))


def test_session_sheet_download(client, secretariat, session_of_three):
    response = client.get(f"/honoraria/sessions/{session_of_three.id}.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    title, header, lines, total = read_back(response.data)
    assert title == f"劳务费发放表 — {session_of_three.title}"
    assert header == HEADERS
    assert [line[0] for line in lines] == [1, 2, 3]
    by_name = {line[1]: line for line in lines}
    assert by_name["张教授"][3:8] == ["教授", 0.5, 2000, 1200, None]
    assert by_name["王副教授"][3:7] == ["副教授", 0.5, 1200, 720]
    assert by_name["王副教授"][2].startswith("江西测试大学")
    assert total[6] == sum(line[6] for line in lines) == 3120
    assert audit_actions() == ["honoraria.session_exported"]


def test_round_sheet_download(client, secretariat, round_of_three):
    response = client.get(f"/honoraria/rounds/{round_of_three.id}.xlsx")
    assert response.status_code == 200
    _title, header, lines, total = read_back(response.data)
    assert header == HEADERS
    assert sorted((line[3], line[4], line[6]) for line in lines) == [
        ("副研究员", 2, 1000), ("教授", 3, 1500), ("正高级工程师", 1, 500)]
    assert total[6] == sum(line[6] for line in lines) == 3000
    assert audit_actions() == ["honoraria.round_exported"]


def test_preview_pages_show_lines_and_total(client, secretariat, session_of_three,
                                            round_of_three):
    page = client.get(f"/honoraria/sessions/{session_of_three.id}").get_data(as_text=True)
    assert "张教授" in page and "赵主任" not in page
    assert 'id="honoraria-total">3120<' in page
    assert '<td class="text-end">0.5</td><td class="text-end">2000</td>' in page
    # a half day is not half the rate: the rule is shown on the line
    assert "半天：2000 × 60% = 1200" in page
    page = client.get(f"/honoraria/rounds/{round_of_three.id}").get_data(as_text=True)
    assert 'id="honoraria-total">3000<' in page
    assert "3 × 500 = 1500" in page
    assert audit_actions() == []  # only files are audited


def test_links_from_the_session_and_round_pages(client, secretariat, session_of_three,
                                                round_of_three):
    page = client.get(f"/consultations/{session_of_three.id}").get_data(as_text=True)
    assert f"/honoraria/sessions/{session_of_three.id}" in page
    page = client.get(f"/reviews/{round_of_three.id}").get_data(as_text=True)
    assert f"/honoraria/rounds/{round_of_three.id}" in page


def test_out_of_range_config_is_shown_not_exported(app, monkeypatch, client, secretariat,
                                                   session_of_three):
    monkeypatch.setitem(app.config, "HONORARIA_SENIOR_DAY_RATE", 3000)
    page = client.get(f"/honoraria/sessions/{session_of_three.id}").get_data(as_text=True)
    assert 'id="honoraria-error"' in page and "HONORARIA_SENIOR_DAY_RATE" in page
    response = client.get(f"/honoraria/sessions/{session_of_three.id}.xlsx")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/honoraria/sessions/{session_of_three.id}")
    assert audit_actions() == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXPERT, Role.OFFICIAL])
def test_only_the_secretariat(client, make_user, auth, role, session_of_three, round_of_three):
    auth.login(make_user(role))
    for url in (f"/honoraria/sessions/{session_of_three.id}",
                f"/honoraria/sessions/{session_of_three.id}.xlsx",
                f"/honoraria/rounds/{round_of_three.id}",
                f"/honoraria/rounds/{round_of_three.id}.xlsx"):
        assert client.get(url).status_code == 403, url
    assert audit_actions() == []


def test_unknown_session_or_round(client, secretariat):
    assert client.get("/honoraria/sessions/999999.xlsx").status_code == 404
    assert client.get("/honoraria/rounds/999999").status_code == 404


def test_cli_writes_both_sheets(runner, tmp_path, session_of_three, round_of_three):
    target = tmp_path / "session.xlsx"
    result = runner.invoke(args=["honoraria", "session", str(session_of_three.id), str(target)])
    assert result.exit_code == 0, result.output
    assert read_back(target.read_bytes())[3][6] == 3120
    target = tmp_path / "round.xlsx"
    result = runner.invoke(args=["honoraria", "round", str(round_of_three.id), str(target)])
    assert result.exit_code == 0, result.output
    assert read_back(target.read_bytes())[3][6] == 3000
    actors = db.session.scalars(db.select(AuditEntry.actor).where(
        AuditEntry.action.like("honoraria.%"))).all()
    assert actors == ["cli", "cli"]


def test_cli_refuses_unknown_ids_and_bad_config(app, monkeypatch, runner, tmp_path,
                                                session_of_three):
    target = tmp_path / "out.xlsx"
    result = runner.invoke(args=["honoraria", "round", "999999", str(target)])
    assert result.exit_code != 0 and "no review round" in result.output
    monkeypatch.setitem(app.config, "HONORARIA_REVIEW_ITEM_RATE", "0")
    result = runner.invoke(args=["honoraria", "session", str(session_of_three.id), str(target)])
    assert result.exit_code != 0 and "HONORARIA_REVIEW_ITEM_RATE" in result.output
    assert not target.exists()
