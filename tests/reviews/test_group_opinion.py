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



# --- locking the results with group opinions missing ------------------------------------


def _closed_with_every_sheet(make_expert):
    """``(round, apps, experts)``: both applications scored by all five members,
    scoring closed; the first application's opinion answered by all but one
    member, the second without an opinion."""
    from tests.reviews.outcome_factories import add_sheet
    review_round, _panel, apps, experts = scored_round(make_expert)
    for application in apps:
        for expert in experts:
            add_sheet(review_round, application, expert, "80")
    db.session.commit()
    opinion = _draft(apps[0], experts[0])
    for member in experts[:4]:
        group_opinion.answer_opinion(opinion, member.id, True, None, 1)
    review_round.status = RoundStatus.CLOSED.value
    db.session.commit()
    return review_round, apps, experts


def test_locking_with_opinions_missing_needs_a_reason_that_is_kept_and_audited(make_expert):
    from thinktank.reviews.rounds import change_status
    review_round, apps, _experts = _closed_with_every_sheet(make_expert)

    with pytest.raises(DomainError, match="2"):
        change_status(review_round, RoundStatus.FINALIZED, reason="  ", actor="test")
    db.session.rollback()
    assert review_round.status == RoundStatus.CLOSED and review_round.lock_reason is None

    change_status(review_round, RoundStatus.FINALIZED, reason=" 会上已纸质签署 ", actor="test")
    db.session.commit()

    assert review_round.status == RoundStatus.FINALIZED
    assert review_round.lock_reason == "会上已纸质签署"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review_round.status_changed"))
    assert entry.payload == {"from": "closed", "to": "finalized", "reason": "会上已纸质签署",
                             "incomplete_opinions": [apps[0].number, apps[1].number]}


def test_locking_with_every_opinion_answered_needs_no_reason(make_expert):
    from thinktank.reviews.rounds import change_status
    review_round, apps, experts = _closed_with_every_sheet(make_expert)
    group_opinion.answer_opinion(group_opinion.opinion_of(apps[0]), experts[4].id, False,
                                 "产业化前景评价偏高。", 1)  # a dissent is an answer
    second = _draft(apps[1], experts[0])
    for member in experts:
        group_opinion.answer_opinion(second, member.id, True, None, 1)
    db.session.commit()

    change_status(review_round, RoundStatus.FINALIZED, actor="test")
    db.session.commit()

    assert review_round.status == RoundStatus.FINALIZED and review_round.lock_reason is None


def test_the_lock_page_lists_what_is_missing_and_the_results_show_the_reason(
        make_expert, make_user, auth, client):
    review_round, apps, experts = _closed_with_every_sheet(make_expert)
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/reviews/{review_round.id}/status/finalized"

    page = client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"confirmed": "yes", "reason": ""})

    listed = page.split('id="incomplete-opinions"')[1].split("</div>")[0]
    assert f"{apps[0].number} " in listed and "1 位专家尚未答复" in listed
    assert f"{apps[1].number} " in listed and "尚无专家组意见" in listed
    assert 'name="reason"' in page
    assert refused.status_code == 400 and "请填写理由" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(review_round), review_round.id).status == RoundStatus.CLOSED

    locked = client.post(url, data={"confirmed": "yes", "reason": "会上已纸质签署"})
    results = client.get(f"/reviews/{review_round.id}/results").get_data(as_text=True)

    assert locked.status_code == 302
    reason = results.split('id="lock-reason"')[1].split("</div>")[0]
    assert "专家组意见缺失" in reason and "会上已纸质签署" in reason


# --- paper answers entered by the secretariat (代录) --------------------------------------


def test_the_secretariat_enters_a_paper_dissent_audited_as_proxy_entry(panel, make_user, auth,
                                                                      client):
    review_round, application, leader, members = panel
    _draft(application, leader)
    secretariat = make_user(Role.SECRETARIAT)
    auth.login(secretariat)
    url = f"/reviews/applications/{application.id}/opinion/proxy/{members[1].id}"
    listing = client.get(f"/reviews/{review_round.id}/opinions").get_data(as_text=True)
    assert f'href="{url}"' in listing

    no_reason = client.post(url, data={"verdict": "dissent", "reason": " ", "version": 1})
    assert no_reason.status_code == 400 and db.session.scalar(
        select(OpinionConfirmation)) is None

    done = client.post(url, data={"verdict": "dissent", "reason": "投资估算依据不足",
                                  "version": 1})

    assert done.status_code == 302
    answer = db.session.scalar(select(OpinionConfirmation))
    assert (answer.expert_id, answer.verdict, answer.reason) == (
        members[1].id, OpinionVerdict.DISSENT, "投资估算依据不足")
    assert answer.entered_by_proxy_user_id == secretariat.id
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "group_opinion.proxy_dissent"))
    assert entry.user_id == secretariat.id
    assert entry.payload["proxy"] is True and entry.payload["expert"] == members[1].id
    listing = client.get(f"/reviews/{review_round.id}/opinions").get_data(as_text=True)
    shown = listing.split(f'id="opinion-{application.id}"')[1]
    assert members[1].name + "：" in shown and 'class="badge text-bg-warning proxy">代录' in shown
    assert shown.count(">代录<") == 1


def test_the_expert_s_own_answer_replaces_the_paper_one(panel, make_user):
    _round, application, leader, members = panel
    opinion = _draft(application, leader)
    secretariat = make_user(Role.SECRETARIAT)
    group_opinion.answer_opinion(opinion, members[0].id, True, None, 1, user=secretariat,
                                 proxy=True)
    db.session.commit()
    assert opinion.confirmations[0].entered_by_proxy_user_id == secretariat.id

    group_opinion.answer_opinion(opinion, members[0].id, False, "补充意见", 1)
    db.session.commit()

    assert opinion.confirmations[0].entered_by_proxy_user_id is None
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
        "group_opinion.dissent")


def test_a_paper_answer_only_for_an_expert_who_scores_the_application(panel, make_user, auth,
                                                                      client, make_expert):
    _round, application, leader, _members = panel
    _draft(application, leader)
    auth.login(make_user(Role.SECRETARIAT))
    outsider = make_expert()

    response = client.get(f"/reviews/applications/{application.id}/opinion/proxy/{outsider.id}")

    assert response.status_code == 404


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
