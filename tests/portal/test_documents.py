"""The portal's document list and downloads: who sees which documents."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.portal.helpers import about_application, about_round, about_session, invite, seat
from tests.reviews.round_factories import make_round
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.reports.models import DocumentStatus
from thinktank.reviews.models import Application, RoundStatus


@pytest.fixture
def official(make_user, auth):
    user = make_user("official")
    auth.login(user)
    return user


def _listed(client, query="") -> str:
    response = client.get(f"/portal/documents{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _downloads(document) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.downloaded",
                                 AuditEntry.target_id == document.id)
    ).all()


def test_official_sees_and_downloads_an_issued_document(client, official, make_document):
    held = make_session(status="issued")
    document = make_document("关于产业规划的咨询意见", subject=about_session(held))
    page = _listed(client)
    assert "关于产业规划的咨询意见" in page and document.number in page
    assert f"/portal/documents/{document.id}/download" in page

    response = client.get(f"/portal/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.data == document.pdf
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "private, no-store"
    [entry] = _downloads(document)
    assert entry.user_id == official.id and entry.payload["sha256"] == document.sha256


def test_official_never_gets_a_superseded_pending_or_failed_version(
    client, official, make_document
):
    first = make_document("专家库统计表", kind="pool_statistics")
    second = make_document("专家库统计表", kind="pool_statistics", supersedes=first)
    pending = make_document("待生成文件", kind="pool_statistics", status=DocumentStatus.PENDING)
    failed = make_document("生成失败文件", kind="pool_statistics", status=DocumentStatus.FAILED)

    page = _listed(client)
    assert f"/portal/documents/{second.id}/download" in page
    for hidden in (first, pending, failed):
        assert f"/portal/documents/{hidden.id}/download" not in page
        assert client.get(f"/portal/documents/{hidden.id}/download").status_code == 404
    assert "待生成文件" not in page and "生成失败文件" not in page
    assert client.get(f"/portal/documents/{second.id}/download").data == second.pdf
    assert client.get("/portal/documents/999999/download").status_code == 404
    assert [len(_downloads(d)) for d in (first, second, pending, failed)] == [0, 1, 0, 0]


def test_documents_of_unreleased_sessions_and_rounds_stay_inside(
    client, official, make_document
):
    draft = make_session(status="scheduled")
    finalized = make_round(status=RoundStatus.FINALIZED, applications=1)
    application = db.session.scalar(select(Application))
    hidden = [
        make_document("未召开会议的意见", subject=about_session(draft)),
        make_document("未公布批次的结果", kind="round_results", subject=about_round(finalized)),
        make_document("未公布批次的申报意见", kind="application_opinion",
                      subject=about_application(application)),
        make_document("未知对象的文件", subject=("something_else", 1)),
    ]
    page = _listed(client)
    for document in hidden:
        assert document.title not in page
        assert client.get(f"/portal/documents/{document.id}/download").status_code == 404

    finalized.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    page = _listed(client)
    assert "未公布批次的结果" in page and "未公布批次的申报意见" in page
    assert "未召开会议的意见" not in page


def test_secretariat_reads_the_portal_too(client, make_user, auth, make_document):
    document = make_document("统计表", kind="pool_statistics")
    auth.login(make_user("secretariat"))
    assert document.title in _listed(client)
    assert client.get(f"/portal/documents/{document.id}/download").status_code == 200


def test_expert_sees_only_sessions_and_rounds_they_served_on(
    client, make_user, make_expert, auth, make_document
):
    expert = make_expert(name="参会专家")
    other = make_expert(name="其他专家")
    attended, invited, declined, elsewhere = (make_session(status="issued") for _ in range(4))
    invite(attended, expert, status="accepted", attendance="present")
    invite(invited, expert, status="invited")
    invite(declined, expert, status="declined")
    invite(elsewhere, other)
    served, backup, removed, foreign = (
        make_round(status=RoundStatus.PUBLISHED, applications=1) for _ in range(4)
    )
    seat(served, expert)
    seat(backup, expert, is_backup=True)
    seat(removed, expert, removed=True)
    seat(foreign, other)
    served_application = db.session.scalar(
        select(Application).where(Application.round_id == served.id))
    visible = [
        make_document("出席会议的意见", subject=about_session(attended)),
        make_document("受邀会议的意见", subject=about_session(invited)),
        make_document("所评批次的结果", kind="round_results", subject=about_round(served)),
    ]
    invisible = [
        # every member's scores by name: not for the other members
        make_document("所评项目的意见", kind="application_opinion",
                      subject=about_application(served_application)),
        make_document("谢绝会议的意见", subject=about_session(declined)),
        make_document("他人会议的意见", subject=about_session(elsewhere)),
        make_document("候补批次的结果", kind="round_results", subject=about_round(backup)),
        make_document("退出批次的结果", kind="round_results", subject=about_round(removed)),
        make_document("他人批次的结果", kind="round_results", subject=about_round(foreign)),
        make_document("全库统计", kind="pool_statistics"),
    ]
    auth.login(make_user("expert", expert=expert))
    page = _listed(client)
    for document in visible:
        assert document.title in page, document.title
        response = client.get(f"/portal/documents/{document.id}/download")
        assert response.status_code == 200 and response.data == document.pdf
    for document in invisible:
        assert document.title not in page, document.title
        assert client.get(f"/portal/documents/{document.id}/download").status_code == 404
    # the round filter offers only the rounds the expert scored in
    assert f'value="{served.id}"' in page and f'value="{foreign.id}"' not in page


def test_expert_never_gets_a_superseded_version_of_their_session(
    client, make_user, make_expert, auth, make_document
):
    expert = make_expert()
    session = make_session(status="issued")
    invite(session, expert, attendance="present")
    first = make_document("意见", subject=about_session(session))
    second = make_document("意见", subject=about_session(session), supersedes=first)
    auth.login(make_user("expert", expert=expert))
    assert client.get(f"/portal/documents/{first.id}/download").status_code == 404
    assert client.get(f"/portal/documents/{second.id}/download").status_code == 200


def test_an_expert_account_without_a_record_sees_nothing(client, make_user, auth, make_document):
    document = make_document("年度统计甲", kind="pool_statistics")
    auth.login(make_user("expert"))
    assert "年度统计甲" not in _listed(client)
    assert client.get(f"/portal/documents/{document.id}/download").status_code == 404


def test_overview_is_not_for_experts(client, make_user, make_expert, auth):
    auth.login(make_user("expert", expert=make_expert()))
    assert client.get("/portal/").status_code == 403


def test_filters_by_kind_topic_round_and_date(client, official, make_document):
    planning = make_session(status="issued", topic="planning")
    policy = make_session(status="issued", topic="policy")
    first_round = make_round(status=RoundStatus.PUBLISHED, applications=1)
    second_round = make_round(status=RoundStatus.PUBLISHED)
    application = db.session.scalar(select(Application))
    documents = {
        "规划意见": make_document("规划意见", subject=about_session(planning),
                              issued_at=datetime(2026, 3, 1, 2, tzinfo=UTC)),
        "政策意见": make_document("政策意见", subject=about_session(policy),
                              issued_at=datetime(2026, 5, 1, 2, tzinfo=UTC)),
        "首批结果": make_document("首批结果", kind="round_results",
                              subject=about_round(first_round)),
        "首批项目意见": make_document("首批项目意见", kind="application_opinion",
                                subject=about_application(application)),
        "次批结果": make_document("次批结果", kind="round_results",
                              subject=about_round(second_round)),
        # 2026-06-30 23:30 in Shanghai is still 30 June there
        "统计表": make_document("统计表", kind="pool_statistics",
                             issued_at=datetime(2026, 6, 30, 15, 30, tzinfo=UTC)),
    }

    def titles(query: str) -> set[str]:
        page = _listed(client, query)
        return {title for title in documents if f">{title}<" in page}

    assert titles("") == set(documents)
    assert titles("?kind=pool_statistics") == {"统计表"}
    assert titles("?topic=planning") == {"规划意见"}
    assert titles("?topic=policy&kind=session_opinion") == {"政策意见"}
    assert titles(f"?round={first_round.id}") == {"首批结果", "首批项目意见"}
    assert titles(f"?round={second_round.id}") == {"次批结果"}
    assert titles("?issued_from=2026-03-01&issued_to=2026-05-01") == {"规划意见", "政策意见"}
    assert titles("?issued_from=2026-05-02&issued_to=2026-06-30") == {"统计表"}
    assert titles("?issued_to=2026-06-29") == {"规划意见", "政策意见"}
    # a value that is not a choice or a date is ignored rather than failing the page
    assert titles("?round=999999&issued_from=yesterday&topic=nonsense") == set(documents)


def test_the_list_is_paginated(client, official, make_document):
    for number in range(30):
        make_document(f"统计表第{number:02d}号", kind="pool_statistics")
    first = _listed(client)
    second = _listed(client, "?page=2&kind=pool_statistics")
    assert first.count("/download") == 25 and second.count("/download") == 5
    assert "统计表第29号" in first and "统计表第00号" in second
    assert "kind=pool_statistics" in second  # the filter is kept by the page links


def test_group_results_and_sheets_follow_the_round(
    client, make_user, make_expert, auth, make_document
):
    from thinktank.reports.registry import GROUP_SUBJECT, MEMBER_SUBJECT
    from thinktank.reviews.models import ReviewGroup

    expert, colleague = make_expert(), make_expert()
    review_round = make_round(status=RoundStatus.FINALIZED, applications=1, group="第一组")
    group = db.session.scalar(select(ReviewGroup))
    own, other = seat(review_round, expert), seat(review_round, colleague)
    group_results = make_document("第一组结果", kind="group_results",
                                  subject=(GROUP_SUBJECT, group.id))
    own_sheet = make_document("本人评分表", kind="expert_sheet", subject=(MEMBER_SUBJECT, own.id))
    other_sheet = make_document("同组专家评分表", kind="expert_sheet",
                                subject=(MEMBER_SUBJECT, other.id))
    official = make_user("official")
    expert_user = make_user("expert", expert=expert)

    def readable(user) -> set[str]:
        auth.login(user)
        page = _listed(client)
        titles = {d.title for d in (group_results, own_sheet, other_sheet) if d.title in page}
        for document in (group_results, own_sheet, other_sheet):
            status = client.get(f"/portal/documents/{document.id}/download").status_code
            assert status == (200 if document.title in titles else 404), document.title
        auth.logout()
        return titles

    # nothing leaves before the round is published
    assert readable(official) == set() and readable(expert_user) == set()
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    assert readable(official) == {"第一组结果", "本人评分表", "同组专家评分表"}
    # an expert never reads another expert's scores
    assert readable(expert_user) == {"第一组结果", "本人评分表"}


def test_an_expert_never_gets_the_review_forms_that_name_every_members_scores(
    client, make_user, make_expert, auth, make_document
):
    """The 专家评审意见表 lists every member's scores by name: after publication
    an expert reads neither their own application's nor another group's."""
    from tests.reviews.round_factories import application_data
    from thinktank.reports.registry import GROUP_SUBJECT
    from thinktank.reviews.applications import create_application
    from thinktank.reviews.models import PanelMember, ReviewGroup, ReviewPanel

    expert, colleague = make_expert(), make_expert()
    review_round = make_round(applications=1, group="第一组")
    create_application(review_round, application_data(group_name="第二组"))
    groups = {group.name: group for group in db.session.scalars(select(ReviewGroup))}
    for name, member in (("第一组", expert), ("第二组", colleague)):
        db.session.add(PanelMember(panel=ReviewPanel(round=review_round, group=groups[name]),
                                   expert_id=member.id, source="manual"))
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    scored, other = (db.session.scalar(select(Application).where(Application.group == group))
                     for group in (groups["第一组"], groups["第二组"]))
    forms = [
        make_document("本组项目的专家评审意见表", kind="application_opinion",
                      subject=about_application(scored)),
        make_document("他组项目的专家评审意见表", kind="application_opinion",
                      subject=about_application(other)),
    ]
    summaries = [
        make_document("评审结果汇总表", kind="round_results", subject=about_round(review_round)),
        make_document("第一组评审结果汇总表", kind="group_results",
                      subject=(GROUP_SUBJECT, groups["第一组"].id)),
    ]

    auth.login(make_user("expert", expert=expert))
    page = _listed(client)
    for document in forms:
        assert document.title not in page, document.title
        assert client.get(f"/portal/documents/{document.id}/download").status_code == 404
    assert "/download" not in _listed(client, "?kind=application_opinion")
    # the ranked results, without anyone's scores, stay theirs
    for document in summaries:
        assert document.title in page, document.title
        assert client.get(f"/portal/documents/{document.id}/download").data == document.pdf
    assert [len(_downloads(d)) for d in forms] == [0, 0]
    auth.logout()

    for role in ("official", "secretariat"):
        auth.login(make_user(role))
        page = _listed(client)
        for document in forms:
            assert document.title in page, (role, document.title)
            assert client.get(f"/portal/documents/{document.id}/download").data == document.pdf
        auth.logout()
