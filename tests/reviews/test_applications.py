"""Applications by hand: the form, attachments (PDF only, 20 MB), avoidance
requests, and who may open them."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import Auth
from tests.reviews.round_factories import application_data, make_round
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reviews import access
from thinktank.reviews.applications import (
    add_attachment,
    add_avoidance_request,
    add_group,
    create_application,
)
from thinktank.reviews.models import (
    Application,
    ApplicationAttachment,
    AvoidanceRequest,
    RoundStatus,
)

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form(**overrides):
    values = {
        "number": "JX-2026-001",
        "title": "年产万吨生物基材料中试线",
        "organisation": "江西某新材料有限公司",
        "direction": "生物材料",
        "city": "九江",
        "investment": "3,500.5",
        "group_name": "",
        "summary": "项目简介",
        "contact": "李工",
        "phone": "０７９２－８８８８８８８",
    }
    values.update(overrides)
    return values


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


@pytest.fixture
def application():
    review_round = make_round()
    application = create_application(review_round, application_data())
    db.session.commit()
    return application


def upload(client, application_id, data, filename="申报书.pdf"):
    from io import BytesIO

    return client.post(f"/reviews/applications/{application_id}/attachments",
                       data={"file": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_the_secretariat_adds_an_application_by_hand(secretariat):
    review_round = make_round()
    add_group(review_round, "生物材料组")
    db.session.commit()
    response = secretariat.post(f"/reviews/{review_round.id}/applications/new",
                                data=form(group_name="生物材料组"))
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert str(application.investment) == "3500.50"
    assert application.phone == "0792-8888888"
    assert application.organisation_key == "江西某新材料有限公司"
    assert application.group.name == "生物材料组"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "review_application.created")) == 1


@pytest.mark.parametrize("overrides", [
    {"investment": "-5"}, {"investment": "很多"}, {"phone": "12345"}, {"number": ""},
    {"direction": "合成生物"}, {"city": "北京"}, {"group_name": "不存在的组"},
])
def test_bad_values_are_refused(secretariat, overrides):
    review_round = make_round()
    response = secretariat.post(f"/reviews/{review_round.id}/applications/new",
                                data=form(**overrides))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_a_number_is_unique_within_its_round(secretariat, application):
    review_round = application.round
    response = secretariat.post(f"/reviews/{review_round.id}/applications/new",
                                data=form(number=application.number))
    assert response.status_code == 400
    assert application.number in response.get_data(as_text=True)
    with pytest.raises(DomainError):
        create_application(review_round, application_data(number=application.number))
    other = make_round()
    assert create_application(other, application_data(number=application.number))


def test_an_application_is_edited_and_the_change_audited(secretariat, application):
    response = secretariat.post(f"/reviews/applications/{application.id}/edit",
                                data=form(number=application.number, title="新标题"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == "新标题"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review_application.updated"))
    assert entry.payload["title"] == "新标题"


def test_applications_do_not_change_once_scoring_has_started(secretariat, application):
    application.round.status = RoundStatus.SCORING.value
    db.session.commit()
    response = secretariat.post(f"/reviews/applications/{application.id}/edit",
                                data=form(number=application.number, title="新标题"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).title != "新标题"
    assert secretariat.get(f"/reviews/{application.round_id}/applications/new").status_code == 302
    with pytest.raises(DomainError):
        create_application(application.round, application_data())


def test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_an_attachment(
        app, secretariat, application):
    assert upload(secretariat, application.id, PDF).status_code == 302
    attachment = db.session.scalar(select(ApplicationAttachment))
    assert attachment.original_name == "申报书.pdf" and attachment.size == len(PDF)
    stored = Path(app.config["UPLOAD_DIR"]) / "applications" / attachment.stored_name
    assert stored.read_bytes() == PDF and "申报书" not in attachment.stored_name
    response = secretariat.get(f"/reviews/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "review_application.attachment_added")) == 1


@pytest.mark.parametrize(("data", "filename"), [
    (b"PK\x03\x04 a docx renamed", "申报书.pdf"),
    (b"<html>%PDF-</html>", "page.pdf"),
    (b"", "empty.pdf"),
])
def test_a_file_that_is_not_a_pdf_is_refused(secretariat, application, data, filename):
    upload(secretariat, application.id, data, filename)
    assert db.session.scalar(select(func.count(ApplicationAttachment.id))) == 0


def test_a_pdf_over_20_mb_is_refused(app, secretariat, application):
    directory = Path(app.config["UPLOAD_DIR"]) / "applications"
    before = set(directory.iterdir()) if directory.exists() else set()
    too_big = PDF + bytes(ApplicationAttachment.max_bytes + 1 - len(PDF))
    upload(secretariat, application.id, too_big)
    assert db.session.scalar(select(func.count(ApplicationAttachment.id))) == 0
    with pytest.raises(DomainError):
        add_attachment(application, "big.pdf", too_big)
    assert (set(directory.iterdir()) if directory.exists() else set()) == before
    just_right = PDF + bytes(ApplicationAttachment.max_bytes - len(PDF))
    assert add_attachment(application, "ok.pdf", just_right).size == len(just_right)


@pytest.mark.parametrize("role", ["official", "expert"])
def test_only_the_secretariat_and_admins_open_applications_and_attachments(
        client, make_user, make_expert, application, role):
    attachment = add_attachment(application, "a.pdf", PDF)
    db.session.commit()
    user = make_user(role, expert=make_expert() if role == "expert" else None)
    Auth(client).login(user)
    assert client.get(f"/reviews/applications/{application.id}").status_code == 403
    assert client.get(f"/reviews/attachments/{attachment.id}").status_code == 403
    assert not access.can_view_application(user, application)


def test_an_admin_reads_an_application_and_its_attachments(client, make_user, application):
    attachment = add_attachment(application, "a.pdf", PDF)
    db.session.commit()
    admin = make_user("admin")
    Auth(client).login(admin)
    page = client.get(f"/reviews/applications/{application.id}").get_data(as_text=True)
    assert application.title in page and "/edit" not in page
    assert client.get(f"/reviews/attachments/{attachment.id}").data == PDF
    assert access.can_view_application(admin, application)


def test_avoidance_requests_are_added_and_removed(secretariat, application):
    url = f"/reviews/applications/{application.id}/avoidance"
    secretariat.post(url, data={"expert_name": "张三", "expert_code": "", "reason": "曾为合作方"})
    secretariat.post(url, data={"expert_name": "", "expert_code": "e0001", "reason": "竞争关系"})
    secretariat.post(url, data={"expert_name": "", "expert_code": "", "reason": "无名"})
    requests = db.session.scalars(select(AvoidanceRequest).order_by(AvoidanceRequest.id)).all()
    assert [(r.expert_name, r.expert_code) for r in requests] == [("张三", None), (None, "E0001")]
    page = secretariat.get(f"/reviews/applications/{application.id}").get_data(as_text=True)
    assert "曾为合作方" in page and "E0001" in page
    response = secretariat.post(f"{url}/{requests[0].id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(AvoidanceRequest.id))) == 1
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("review_application.avoidance%"))).all()
    assert sorted(actions) == ["review_application.avoidance_added"] * 2 + [
        "review_application.avoidance_removed"]


def test_removing_another_applications_request_does_nothing(secretariat, application):
    other = create_application(application.round, application_data())
    request = add_avoidance_request(other, "张三", None, "理由")
    db.session.commit()
    secretariat.post(f"/reviews/applications/{application.id}/avoidance/{request.id}/delete")
    assert db.session.scalar(select(func.count(AvoidanceRequest.id))) == 1
