"""A document number is an official act: a second click must not use one up.

A subject (an application, a session) has one document of each kind: issuing
it again is refused, with the way to the existing document and to its
correction (a new version under the same number), and the year's numbers do
not move. A document without a subject (the pool statistics) is issued only
under the number the page named; taken meanwhile, the page names the new one
and asks again."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import DocumentCounter, IssuedDocument

from .documents import issued, reviewed_round
from .test_documents_session import issued_session

TITLE = "专家库构成统计表"


def numbers() -> tuple[dict, list[str]]:
    """The counters of each year and every number given out, in order."""
    counters = dict(db.session.execute(
        select(DocumentCounter.year, DocumentCounter.last_sequence)).all())
    given = db.session.scalars(select(IssuedDocument.number).order_by(IssuedDocument.id)).all()
    return counters, given


@pytest.fixture
def secretariat(make_user, auth):
    user = make_user("secretariat")
    auth.login(user)
    return user


@pytest.fixture
def application(make_expert):
    _round, applications, _experts = reviewed_round(make_expert, applications=1, experts=3)
    return applications[0]


def subjects(make_expert, application):
    session, _experts = issued_session(make_expert)
    return {"application_opinion": application.id, "session_opinion": session.id}


@pytest.mark.parametrize("kind", ["application_opinion", "session_opinion"])
def test_the_service_refuses_a_second_document_of_a_subject(make_expert, application, kind):
    subject_id = subjects(make_expert, application)[kind]
    first = issued(kind, subject_id, "专家评审意见表")
    before = numbers()

    with pytest.raises(services.AlreadyIssued) as refused:
        services.request_issue(kind, subject_id, "专家评审意见表")
    db.session.rollback()

    assert refused.value.document.id == first.id
    assert first.number in refused.value.message and "更正版本" in refused.value.message
    assert numbers() == before == ({2026: 1}, ["赣生智咨〔2026〕1号"])


def test_the_refusal_leads_to_the_latest_version_and_its_correction_keeps_the_number(
        make_expert, application):
    first = issued("application_opinion", application.id)
    second = services.reissue(first, "专家姓名有误，更正后重新出具")
    db.session.commit()
    assert services.render_document(second.id).is_done

    with pytest.raises(services.AlreadyIssued) as refused:
        services.request_issue("application_opinion", application.id, "专家评审意见表")
    db.session.rollback()

    assert refused.value.document.id == second.id
    assert numbers() == ({2026: 1}, ["赣生智咨〔2026〕1号"] * 2)


def test_the_database_holds_one_number_per_subject_and_kind(make_expert, application):
    first = issued("application_opinion", application.id)
    copy = IssuedDocument(
        kind=first.kind, subject_type=first.subject_type, subject_id=first.subject_id,
        title=first.title, prefix=first.prefix, year=first.year, sequence=first.sequence + 1,
        number="赣生智咨〔2026〕2号", version=1, verification_code="ABCDEFGHIJ", html="")
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Kinds without a subject have no subject_id and never clash.
    services.request_issue("pool_statistics", None, TITLE)
    services.request_issue("pool_statistics", None, TITLE)
    db.session.commit()


def test_a_second_click_on_the_page_is_refused_with_the_way_to_correct(
        client, secretariat, make_expert, application):
    form = {"kind": "application_opinion", "subject_id": application.id,
            "title": "专家评审意见表"}
    assert client.post("/reports/issue", data=form).status_code == 302
    before = numbers()
    document = db.session.scalar(select(IssuedDocument))

    again = client.post("/reports/issue", data=form)

    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert 'id="already-issued"' in page and "不予出具" in page
    assert f'href="/reports/{document.id}"' in page and 'href="#reissue-form"' in page
    assert 'id="reissue-form"' in page and "赣生智咨〔2026〕1号" in page
    db.session.expire_all()
    assert numbers() == before == ({2026: 1}, ["赣生智咨〔2026〕1号"])


def upcoming(page: str) -> tuple[str, str]:
    """The number the issue form names, and the sequence it sends."""
    named = re.search(r"将占用文号 (赣生智咨〔\d+〕\d+号)", page)[1]
    sent = re.search(r'name="sequence" value="(\d+)"', page)[1]
    return named, sent


def test_a_document_without_subject_takes_the_number_the_page_named(client, secretariat, pool):
    issued("pool_statistics", None, TITLE)  # 1号
    page = client.get("/reports/").get_data(as_text=True)
    named, sent = upcoming(page)
    assert (named, sent) == ("赣生智咨〔2026〕2号", "2")
    assert "确认出具（赣生智咨〔2026〕2号）" in page

    form = {"kind": "pool_statistics", "title": TITLE, "sequence": sent}
    response = client.post("/reports/issue", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    document = db.session.get(IssuedDocument, int(response.headers["Location"].split("/")[-1]))
    assert document.number == named

    # The same form sent again (a second click): the number moved, so nothing
    # is issued and the page names the number it would take now.
    again = client.post("/reports/issue", data=form)
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert 'id="number-changed"' in page
    assert upcoming(page) == ("赣生智咨〔2026〕3号", "3")
    db.session.expire_all()
    assert numbers() == ({2026: 2}, ["赣生智咨〔2026〕1号", "赣生智咨〔2026〕2号"])


def test_a_document_without_subject_is_not_issued_unconfirmed(client, secretariat, pool):
    response = client.post("/reports/issue", data={"kind": "pool_statistics", "title": TITLE})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请确认该文件将占用的文号" in page
    assert upcoming(page) == ("赣生智咨〔2026〕1号", "1")
    assert numbers() == ({}, [])


def test_the_service_refuses_a_number_other_than_the_one_shown(pool):
    assert services.upcoming_sequence() == (1, "赣生智咨〔2026〕1号")
    issued("pool_statistics", None, TITLE)
    with pytest.raises(services.NumberChanged) as changed:
        services.request_issue("pool_statistics", None, TITLE, expected_sequence=1)
    db.session.rollback()
    assert changed.value.number == "赣生智咨〔2026〕2号"
    assert numbers() == ({2026: 1}, ["赣生智咨〔2026〕1号"])
    assert services.request_issue("pool_statistics", None, TITLE,
                                  expected_sequence=2).number == "赣生智咨〔2026〕2号"
