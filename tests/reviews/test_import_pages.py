"""Importing applications through the pages (upload, preview, confirm) and
``flask reviews import-applications``."""

import io

import pytest
from sqlalchemy import func, select

from tests.experts.workbooks import workbook
from tests.helpers import Auth
from tests.reviews.round_factories import HEADERS, make_round, row
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.imports import describe
from thinktank.reviews.models import Application, ReviewGroup, RoundStatus
from thinktank.spreadsheets import Reason


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def count() -> int:
    return db.session.scalar(select(func.count(Application.id)))


def post_file(client, url, data, filename="申报汇总.xlsx"):
    return client.post(url, data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_upload_preview_confirm(secretariat):
    review_round = make_round()
    url = f"/reviews/{review_round.id}/import"
    preview = post_file(secretariat, url, workbook([row(), row(分组="新组")], HEADERS))
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "新组" in page and count() == 0
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = secretariat.post(f"{url}/confirm", data={"token": token})
    assert response.status_code == 302
    assert count() == 2
    assert db.session.scalar(select(func.count(ReviewGroup.id))) == 2
    # A second confirmation of the same preview adds nothing.
    secretariat.post(f"{url}/confirm", data={"token": token})
    assert count() == 2


def test_a_preview_with_problems_lists_them_and_offers_no_confirmation(secretariat):
    review_round = make_round()
    response = post_file(secretariat, f"/reviews/{review_round.id}/import",
                         workbook([row(), row(联系电话="12345")], HEADERS))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "import-problems" in page and "联系电话" in page and 'name="token"' not in page
    assert count() == 0


@pytest.mark.parametrize(("data", "filename"), [
    (b"just text", "申报汇总.xlsx"),
    (b"a,b\n1,2\n", "申报汇总.csv"),
])
def test_a_refused_file_is_answered_on_the_upload_page(secretariat, data, filename):
    review_round = make_round()
    response = post_file(secretariat, f"/reviews/{review_round.id}/import", data, filename)
    assert response.status_code == 400
    assert count() == 0


def test_a_preview_cannot_be_confirmed_for_another_round(secretariat):
    first, second = make_round(), make_round()
    page = post_file(secretariat, f"/reviews/{first.id}/import",
                     workbook([row()], HEADERS)).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    secretariat.post(f"/reviews/{second.id}/import/confirm", data={"token": token})
    assert count() == 0


def test_no_import_once_scoring_has_started(secretariat):
    review_round = make_round(status=RoundStatus.SCORING, applications=1)
    response = post_file(secretariat, f"/reviews/{review_round.id}/import",
                         workbook([row()], HEADERS))
    assert response.status_code == 302
    assert count() == 1


def write(tmp_path, rows, name="申报汇总.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook(rows, HEADERS))
    return path


def test_cli_imports_and_prints_the_counts(runner, tmp_path):
    review_round = make_round()
    result = runner.invoke(args=["reviews", "import-applications", str(review_round.id),
                                 str(write(tmp_path, [row(), row(分组="甲组")]))])
    assert result.exit_code == 0, result.output
    assert "applications: 2, new groups: 2" in result.output
    assert count() == 2
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review_applications.imported"))
    assert entry.actor == "cli"


def test_cli_dry_run_writes_nothing(runner, tmp_path):
    review_round = make_round()
    result = runner.invoke(args=["reviews", "import-applications", str(review_round.id),
                                 str(write(tmp_path, [row()])), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and count() == 0


def test_cli_lists_every_problem_and_exits_1_without_writing(runner, tmp_path):
    review_round = make_round()
    path = write(tmp_path, [row(), row(方向="化工"), row(), row(**{"总投资（万元）": "-3"})])
    result = runner.invoke(args=["reviews", "import-applications", str(review_round.id),
                                 str(path)])
    assert result.exit_code == 1
    directions = {"choices": "生物医药、生物化工、新食品、生物材料、生物能源"}
    assert result.output.splitlines() == [
        f"row 3, 方向: {describe(Reason.DIRECTION, directions)}",
        f"row 5, 总投资（万元）: {describe(Reason.INVESTMENT)}",
    ]
    assert count() == 0


def test_cli_refuses_an_unknown_round_and_a_bad_file(runner, tmp_path):
    path = write(tmp_path, [row()])
    result = runner.invoke(args=["reviews", "import-applications", "999", str(path)])
    assert result.exit_code != 0 and "999" in result.output
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["reviews", "import-applications", str(make_round().id),
                                 str(bad)])
    assert result.exit_code == 1 and count() == 0
