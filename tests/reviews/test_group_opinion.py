"""The group opinion: drafted by the panel leader, confirmed or dissented
(with reasons) by each scoring expert, answers reset when the text changes;
the pages of the leader, the members and the secretariat."""

import pytest
from sqlalchemy import select

from tests.reviews.outcome_factories import scored_round
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reviews import group_opinion
from thinktank.reviews.models import OpinionConfirmation, OpinionVerdict, RoundStatus


@pytest.fixture
def panel(make_expert):
    """``(round, application, leader, members)``: a round in scoring, its first
    application, the panel leader and the four other members."""
    review_round, _panel, apps, experts = scored_round(make_expert)
    return review_round, apps[0], experts[0], experts[1:]


def _draft(application, leader, text="项目技术先进，建议立项支持。", seen=0):
    opinion = group_opinion.save_opinion(application, leader.id, text, seen)
    db.session.commit()
    return opinion


def test_confirm_and_dissent_are_recorded_and_reset_when_the_leader_edits(panel):
    _round, application, leader, members = panel
    opinion = _draft(application, leader)
    group_opinion.answer_opinion(opinion, members[0].id, True, None, 1)
    group_opinion.answer_opinion(opinion, members[1].id, False, "产业化前景评价偏高。", 1)
    db.session.commit()

    answers = {c.expert_id: (c.verdict, c.reason) for c in opinion.confirmations}
    assert answers == {members[0].id: (OpinionVerdict.CONFIRMED, None),
                       members[1].id: (OpinionVerdict.DISSENT, "产业化前景评价偏高。")}
    status = group_opinion.answers_for(application)
    assert status.unanswered == 3

    revised = _draft(application, leader, "项目技术先进，产业化前景尚需论证。", seen=1)

    assert revised.version == 2
    assert db.session.scalars(select(OpinionConfirmation)).all() == []
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "group_opinion.saved").order_by(AuditEntry.id.desc())).first()
    assert entry.payload["answers_reset"] == 2
    # An answer given to the old text is refused.
    with pytest.raises(DomainError):
        group_opinion.answer_opinion(revised, members[0].id, True, None, 1)


def test_saving_the_same_text_keeps_the_answers(panel):
    _round, application, leader, members = panel
    opinion = _draft(application, leader)
    group_opinion.answer_opinion(opinion, members[0].id, True, None, 1)
    db.session.commit()

    again = _draft(application, leader, seen=1)

    assert again.version == 1 and len(again.confirmations) == 1


def test_only_the_leader_drafts_and_only_scoring_experts_answer(panel, make_expert):
    _round, application, leader, members = panel
    with pytest.raises(Forbidden):
        group_opinion.save_opinion(application, members[0].id, "意见", 0)
    opinion = _draft(application, leader)

    with pytest.raises(Forbidden):
        group_opinion.answer_opinion(opinion, make_expert().id, True, None, 1)
    with pytest.raises(DomainError, match="理由|reasons"):
        group_opinion.answer_opinion(opinion, members[0].id, False, "  ", 1)
    with pytest.raises(DomainError):  # drafted from an older page
        group_opinion.save_opinion(application, leader.id, "新的意见", 0)


def test_no_opinion_once_published(panel):
    review_round, application, leader, _members = panel
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()

    with pytest.raises(DomainError):
        group_opinion.save_opinion(application, leader.id, "意见", 0)


def test_leader_page_is_only_for_the_leader(panel, make_user, auth, client):
    _round, application, leader, members = panel
    url = f"/reviews/applications/{application.id}/opinion/edit"
    auth.login(make_user(Role.EXPERT, expert=members[0]))
    assert client.get(url).status_code == 403
    assert client.post(url, data={"text": "意见", "version": 0}).status_code == 403
    auth.logout()

    auth.login(make_user(Role.EXPERT, email="leader@example.cn", expert=leader))
    page = client.get(url)
    saved = client.post(url, data={"text": "建议支持。", "version": 0})
    stale = client.post(url, data={"text": "建议不支持。", "version": 0})

    assert page.status_code == 200 and "清空已有的全部确认" in page.get_data(as_text=True)
    assert saved.status_code == 302
    assert stale.status_code == 400 and "已被修改" in stale.get_data(as_text=True)
    assert group_opinion.opinion_of(application).text == "建议支持。"


def test_member_answers_on_the_page_and_the_secretariat_sees_it(panel, make_user, auth,
                                                                client, make_expert):
    review_round, application, leader, members = panel
    _draft(application, leader)
    url = f"/reviews/applications/{application.id}/opinion"
    auth.login(make_user(Role.EXPERT, expert=make_expert()))
    assert client.get(url).status_code == 403  # not on the panel
    auth.logout()
    auth.login(make_user(Role.EXPERT, email="member@example.cn", expert=members[0]))

    listed = client.get("/reviews/opinions").get_data(as_text=True)
    refused = client.post(url, data={"verdict": "dissent", "reason": "", "version": 1})
    recorded = client.post(url, data={"verdict": "dissent", "reason": "投资估算偏乐观。",
                                      "version": 1})

    assert application.number in listed
    assert refused.status_code == 400 and "请填写保留意见的理由" in refused.get_data(as_text=True)
    assert recorded.status_code == 302
    auth.logout()
    auth.login(make_user(Role.SECRETARIAT, email="sec@example.cn"))
    overview = client.get(f"/reviews/{review_round.id}/opinions").get_data(as_text=True)
    assert "投资估算偏乐观。" in overview and "未回复" in overview
    auth.logout()
    auth.login(make_user(Role.EXPERT, email="other@example.cn", expert=members[1]))
    assert client.get(f"/reviews/{review_round.id}/opinions").status_code == 403



def test_assignments_and_sheet_link_the_opinion_to_the_leader_and_awaited_members(
        panel, make_user, auth, client):
    _round, application, leader, members = panel
    edit = f'href="/reviews/applications/{application.id}/opinion/edit"'
    answer = f'href="/reviews/applications/{application.id}/opinion"'
    sheet = f"/reviews/applications/{application.id}/sheet"
    auth.login(make_user(Role.EXPERT, email="leader@example.cn", expert=leader))
    for url in ("/reviews/my-assignments", sheet):
        assert edit in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(make_user(Role.EXPERT, email="member@example.cn", expert=members[0]))
    assert answer not in client.get("/reviews/my-assignments").get_data(as_text=True)

    opinion = _draft(application, leader)
    for url in ("/reviews/my-assignments", sheet):
        page = client.get(url).get_data(as_text=True)
        assert answer in page and edit not in page
    group_opinion.answer_opinion(opinion, members[0].id, True, None, 1)
    db.session.commit()
    assert answer not in client.get("/reviews/my-assignments").get_data(as_text=True)
