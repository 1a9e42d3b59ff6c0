"""Panels through their service: the draw with avoidance (the draw service),
members by hand with the same checks, the leader, replacements."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from tests.reviews.round_factories import application_data, make_round
from thinktank.audit.models import AuditEntry
from thinktank.draws.models import Draw
from thinktank.errors import DomainError
from thinktank.experts.services import add_conflict
from thinktank.extensions import db
from thinktank.reviews import access, panels, scoring
from thinktank.reviews.applications import add_avoidance_request, create_application
from thinktank.reviews.models import PanelMemberSource, RoundStatus
from thinktank.timeutil import utcnow


def _round_with_applicants(*organisations, group=None):
    review_round = make_round(RoundStatus.DRAFT, scoring_deadline=utcnow() + timedelta(days=7))
    for organisation in organisations:
        create_application(review_round, application_data(
   organisation=organisation, group_name=group), actor="test")
    db.session.commit()
    return review_round


def test_the_draw_keeps_applicants_conflicts_and_named_experts_away(make_expert):
    review_round = _round_with_applicants("江西甲生物有限公司", "江西乙生物有限公司")
    first, second = applications_of(review_round)
    employee = make_expert(name="甲员工", organisation="江西甲生物有限公司")
    width_folded = make_expert(name="乙员工", organisation="江西乙生物有限公司 ")
    conflicted = make_expert(name="有冲突")
    add_conflict(conflicted, "江西乙生物有限公司", "曾任职", date.today() + timedelta(days=400))
    by_name = make_expert(name="张　三")
    by_code = make_expert(name="李四")
    add_avoidance_request(first, "张三", None, "竞争关系", actor="test")
    add_avoidance_request(second, None, by_code.code, "合作关系", actor="test")
    free = [make_expert() for _ in range(7)]
    panel = panels.create_panels(review_round, per_group=False)[0]
    db.session.commit()

    draw = panels.draw_members(panel, backups=2)
    db.session.commit()

    kept_out = {e["expert_id"]: e["reason"] for e in draw.exclusions}
    assert kept_out == {employee.id: "applicant_organisation",
                        width_folded.id: "applicant_organisation",
                        conflicted.id: "conflict", by_name.id: "kept_away",
                        by_code.id: "kept_away"}
    assert sorted(draw.pool) == sorted(e.id for e in free)
    assert (draw.context_type, draw.context_id) == ("panel", panel.id)
    members = [m for m in panel.members if m.active]
    backups = sorted((m for m in panel.members if m.is_backup), key=lambda m: m.backup_rank)
    assert [m.expert_id for m in members] == draw.drawn and len(members) == 5
    assert [m.expert_id for m in backups] == draw.backups and len(backups) == 2
    assert {m.source for m in panel.members} == {PanelMemberSource.DRAW}


def test_a_second_draw_only_fills_the_panel(make_expert):
    review_round = _round_with_applicants("江西甲生物有限公司")
    experts = [make_expert() for _ in range(6)]
    panel = panel_with(review_round, experts[:3])
    draw = panels.draw_members(panel, backups=2)
    assert len(draw.drawn) == 2 and len(draw.backups) == 1 and draw.backups_missing == 1
    assert set(draw.pool) == {e.id for e in experts[3:]}
    assert sum(m.active for m in panel.members) == 5
    with pytest.raises(DomainError, match="5"):
        panels.draw_members(panel)


def test_too_few_eligible_experts_is_an_error_naming_the_counts(make_expert):
    for _ in range(3):
        make_expert()
    panel = panel_with(_round_with_applicants("江西甲生物有限公司"), [])
    with pytest.raises(DomainError, match="3.*5"):
        panels.draw_members(panel)
    assert db.session.scalars(select(Draw)).all() == []


def test_the_draw_needs_the_scoring_deadline(make_expert):
    review_round = make_round(RoundStatus.DRAFT, applications=1)
    panel = panel_with(review_round, [])
    with pytest.raises(DomainError, match="截止时间"):
        panels.draw_members(panel)


def test_adding_by_hand_runs_the_same_checks_and_names_the_reason(make_expert):
    review_round = _round_with_applicants("江西甲生物有限公司")
    application = applications_of(review_round)[0]
    employee = make_expert(name="甲员工", organisation="江西甲生物有限公司")
    named = make_expert(name="王五")
    conflicted = make_expert(name="赵六")
    add_conflict(conflicted, "江西甲生物有限公司", "亲属任职", None)
    suspended = make_expert(name="停用")
    suspended.status = "suspended"
    add_avoidance_request(application, "王五", None, "竞争关系", actor="test")
    db.session.commit()
    panel = panel_with(review_round, [])
    refusals = {
        employee: "江西甲生物有限公司",
        named: "申请 王五 回避",
        conflicted: "亲属任职",
        suspended: "不是在库专家",
    }
    for expert, reason in refusals.items():
        with pytest.raises(DomainError, match=reason):
            panels.add_member(panel, expert)
    fine = make_expert()
    member = panels.add_member(panel, fine)
    assert member.source == PanelMemberSource.MANUAL and member.active
    with pytest.raises(DomainError, match="已在"):
        panels.add_member(panel, fine)
    panels.remove_member(member, "身体原因")
    again = panels.add_member(panel, fine)
    assert again.id == member.id and again.removed_at is None
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"review_panel.member_added", "review_panel.member_removed"} <= set(actions)


def test_one_leader_and_only_a_whole_panel_member(make_expert):
    experts = [make_expert() for _ in range(3)]
    panel = panel_with(scoring_round(), experts)
    first, second, third = panel.members
    panels.set_leader(first)
    panels.set_leader(second)
    assert [m.is_leader for m in panel.members] == [False, True, False]
    panels.remove_member(third, "出差")
    with pytest.raises(DomainError):
        panels.set_leader(third)


def test_one_panel_per_round_or_one_per_group():
    grouped = make_round(RoundStatus.DRAFT, applications=2, group="生物医药组")
    created = panels.create_panels(grouped, per_group=True)
    assert [p.group.name for p in created] == ["生物医药组"]
    with pytest.raises(DomainError):
        panels.create_panels(grouped, per_group=False)
    plain = make_round(RoundStatus.DRAFT, applications=1)
    with pytest.raises(DomainError):
        panels.create_panels(plain, per_group=True)
    locked = make_round(RoundStatus.FINALIZED, applications=1)
    with pytest.raises(DomainError):
        panels.create_panels(locked, per_group=False)


def test_a_group_panel_scores_only_its_groups_applications(make_expert):
    review_round = make_round(RoundStatus.DRAFT, applications=1, group="甲组")
    create_application(review_round, application_data(group_name="乙组"), actor="t")
    db.session.commit()
    first = next(p for p in panels.create_panels(review_round, per_group=True)
                 if p.group.name == "甲组")
    one, other = applications_of(review_round)
    expert = make_expert()
    first.members.append(panels.PanelMember(expert_id=expert.id, source="manual"))
    db.session.commit()
    assert panels.panel_applications(first) == [one]
    assert panels.is_assigned(expert.id, one) and not panels.is_assigned(expert.id, other)


def _conflict_on(application, member, make_user):
    user = make_user("expert", expert=member.expert)
    scoring.declare_conflict(application, member.expert_id, "曾参与该项目", 0, user=user)
    db.session.commit()


def test_a_conflict_is_replaced_by_the_next_backup_for_that_application_only(
        make_expert, make_user):
    review_round = scoring_round(applications=2)
    [make_expert() for _ in range(8)]
    panel = panels.create_panels(review_round, per_group=False)[0]
    draw = panels.draw_members(panel, backups=2)
    db.session.commit()
    first, second = applications_of(review_round)
    stepping_back = next(m for m in panel.members if m.expert_id == draw.drawn[0])
    with pytest.raises(DomainError, match="冲突"):
        panels.replace_member(stepping_back, first)
    _conflict_on(first, stepping_back, make_user)

    replacement = panels.replace_member(stepping_back, first)
    db.session.commit()

    assert replacement.expert_id == draw.backups[0]
    assert replacement.source == PanelMemberSource.REPLACEMENT
    assert replacement.application_id == first.id and not replacement.is_backup
    assert panels.is_assigned(replacement.expert_id, first)
    assert not panels.is_assigned(replacement.expert_id, second)
    assert panels.is_assigned(stepping_back.expert_id, second)
    db.session.refresh(draw)
    assert draw.promotions[-1]["outcome"] == "promoted"
    with pytest.raises(DomainError):
        panels.replace_member(stepping_back, first)


def test_with_no_backup_left_one_more_is_drawn_with_avoidance(make_expert, make_user):
    review_round = scoring_round(applications=1)
    application = applications_of(review_round)[0]
    members = [make_expert() for _ in range(5)]
    panel = panel_with(review_round, members)
    employee = make_expert(organisation=application.organisation)
    spare = make_expert()
    _conflict_on(application, panel.members[0], make_user)

    replacement = panels.replace_member(panel.members[0], application)
    db.session.commit()

    assert replacement.expert_id == spare.id != employee.id
    assert replacement.draw_id is not None
    draw = db.session.get(Draw, replacement.draw_id)
    assert {e["expert_id"] for e in draw.exclusions} >= {employee.id, *[m.id for m in members]}


def test_membership_is_hidden_from_officials_until_publication(make_user):
    official, secretary = make_user("official"), make_user("secretariat")
    expert = make_user("expert")
    for status in RoundStatus:
        review_round = make_round(status)
        assert access.can_view_panels(secretary, review_round)
        assert not access.can_view_panels(expert, review_round)
        assert access.can_view_panels(official, review_round) == (
            status == RoundStatus.PUBLISHED)
