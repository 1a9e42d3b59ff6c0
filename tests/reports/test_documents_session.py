"""咨询意见书: an issued session's consultation opinion as a real PDF."""

import pytest
from sqlalchemy import func, select

from tests.consultations.proceedings_factories import close_opinions, held_session
from thinktank.consultations import proceedings
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import IssuedDocument
from thinktank.reports.session_opinion import build_context

from .documents import checked_text, issued, queries_of, save_first_page, squeezed
from .helpers import RARE_NAMES

CONSOLIDATED = "综合各位专家意见，建议加快酶制剂中试平台建设。\n同时完善生物安全评估机制。"


def experts_with_rare_names(make_expert, count: int = 3):
    titles = ["研究员", "教授级高级工程师", "副教授"]
    experts = [make_expert(name=name, organisation=f"江西省生物技术研究院{n}",
                           title=titles[n % 3])
               for n, name in enumerate(RARE_NAMES)]
    experts += [make_expert(name=f"专家{n}", title="教授") for n in range(count - 3)]
    return experts


def issued_session(make_expert, count: int = 3, absent=()):
    experts = experts_with_rare_names(make_expert, count)
    session = held_session(present=experts, absent=absent,
                           agenda="一、产业现状通报\n二、规划思路讨论")
    for number, expert in enumerate(experts):
        proceedings.submit_opinion(session, expert.id, f"{expert.name}的意见：第{number}条建议。")
    db.session.commit()
    close_opinions(session)
    proceedings.collect_opinions(session)
    proceedings.issue_consolidated_opinion(session, CONSOLIDATED, None)
    db.session.commit()
    return session, experts


def test_session_opinion_pdf_has_the_session_attendees_and_opinions(make_expert, tmp_path,
                                                                   screenshots):
    absentee = make_expert(name="缺席专家")
    session, experts = issued_session(make_expert, absent=[absentee])
    document = issued("session_opinion", session.id, f"关于“{session.title}”的咨询意见书")
    text = checked_text(document, tmp_path)
    flat = squeezed(text)
    for expected in ("关于“生物医药产业规划会商”的咨询意见书", "定期会商", "产业规划编制",
                     "省科技厅301会议室", "一、产业现状通报", "二、规划思路讨论",
                     "参会专家", "综合意见", "建议加快酶制剂中试平台建设", "完善生物安全评估机制",
                     "专家个人意见", "教授级高级工程师", "江西省生物技术研究院0", "签字"):
        assert expected in flat, expected
    for expert in experts:
        assert expert.name in flat
        assert f"{expert.name}的意见：" in flat
    assert "缺席专家" not in flat  # only those present attended
    assert "年" in flat and "—" in text  # the time as 2026年…日 09:00—11:00
    save_first_page(document, "session_opinion", tmp_path, screenshots)


def test_a_session_not_issued_is_refused_with_nothing_issued(make_expert):
    experts = experts_with_rare_names(make_expert)
    session = held_session(present=experts)
    with pytest.raises(DomainError, match="综合意见"):
        services.request_issue("session_opinion", session.id, "咨询意见书")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_a_missing_session_is_not_found(app):
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        build_context(999999)
    with pytest.raises(DomainError):  # a session kind needs its session
        services.request_issue("session_opinion", None, "咨询意见书")


def test_the_context_is_loaded_in_constant_queries(make_expert, count_queries):
    small, _experts = issued_session(make_expert, count=3)
    large, _experts = issued_session(make_expert, count=12)
    few = queries_of(count_queries, build_context, small.id)
    many = queries_of(count_queries, build_context, large.id)
    context = build_context(large.id)
    assert len(context["attendees"]) == len(context["opinions"]) == 12
    assert many == few <= 5


def test_the_consolidated_page_issues_the_opinion(client, make_user, auth, make_expert):
    session, _experts = issued_session(make_expert)
    auth.login(make_user("secretariat"))
    page = client.get(f"/consultations/{session.id}/opinions").get_data(as_text=True)
    assert 'data-kind="session_opinion"' in page
    response = client.post("/reports/issue", data={
        "kind": "session_opinion", "subject_id": session.id, "title": "咨询意见书"})
    assert response.status_code == 302
    document = db.session.scalar(select(IssuedDocument))
    assert (document.subject_type, document.subject_id) == ("consultation_session", session.id)
    assert document.is_done and "综合意见" in document.html


def test_the_issue_button_is_not_shown_before_issue_and_issuing_is_refused(
        client, make_user, auth, make_expert):
    session = held_session(present=experts_with_rare_names(make_expert))
    auth.login(make_user("secretariat"))
    page = client.get(f"/consultations/{session.id}/opinions").get_data(as_text=True)
    assert 'data-kind="session_opinion"' not in page
    response = client.post("/reports/issue", data={
        "kind": "session_opinion", "subject_id": session.id, "title": "咨询意见书"})
    assert response.status_code == 400
    assert "综合意见签发后" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_the_documents_list_offers_only_kinds_without_a_subject(client, make_user, auth):
    auth.login(make_user("secretariat"))
    page = client.get("/reports/").get_data(as_text=True)
    assert 'value="pool_statistics"' in page
    for kind in ("session_opinion", "application_opinion", "round_results", "expert_sheet"):
        assert f'value="{kind}"' not in page
    # A kind about a subject needs its subject, and one without a subject takes none.
    for data in ({"kind": "session_opinion", "title": "咨询意见书"},
                 {"kind": "pool_statistics", "subject_id": "1", "title": "统计表",
                  "sequence": "1"}):
        response = client.post("/reports/issue", data=data)
        assert response.status_code == 400
        assert "页面上出具" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
