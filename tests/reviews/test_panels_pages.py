"""Panel pages: who sees membership, and the secretariat's draw, additions by
hand (refusals with their reason), leader, removal and replacement."""

from sqlalchemy import select

from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from tests.reviews.round_factories import application_data, make_round
from thinktank.draws.models import Draw
from thinktank.extensions import db
from thinktank.reviews import scoring
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import PanelMember, ReviewPanel, RoundStatus


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def test_officials_see_membership_only_once_the_round_is_published(app, make_user, make_expert):
    review_round = scoring_round(applications=1)
    member = make_expert(name="欧阳评审")
    panel = panel_with(review_round, [member])
    official = signed_in(app, make_user("official"))
    expert = signed_in(app, make_user("expert", expert=member))
    for status in (RoundStatus.SCORING, RoundStatus.CLOSED, RoundStatus.FINALIZED):
        review_round.status = status.value
        db.session.commit()
        for client in (official, expert):
            assert client.get(f"/reviews/{review_round.id}/panels").status_code == 403
            assert client.get(f"/reviews/panels/{panel.id}").status_code == 403
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    page = official.get(f"/reviews/panels/{panel.id}").get_data(as_text=True)
    assert "欧阳评审" in page and 'id="progress"' not in page
    assert "欧阳评审" in official.get(f"/reviews/{review_round.id}/panels").get_data(as_text=True)
    assert expert.get(f"/reviews/panels/{panel.id}").status_code == 403


def test_the_secretariat_creates_draws_and_leads_a_panel(app, make_user, make_expert):
    review_round = scoring_round(applications=1)
    application = applications_of(review_round)[0]
    employee = make_expert(name="申报单位员工", organisation=application.organisation)
    experts = [make_expert() for _ in range(7)]
    client = signed_in(app, make_user("secretariat"))
    assert client.post(f"/reviews/{review_round.id}/panels",
                       data={"scope": "round"}).status_code == 302
    panel = db.session.scalars(select(ReviewPanel)).one()
    response = client.post(f"/reviews/panels/{panel.id}/draw",
                           data={"backups": 2, "org_cap": 1}, follow_redirects=True)
    assert "专家已抽取" in response.get_data(as_text=True)
    draw = db.session.scalars(select(Draw)).one()
    assert employee.id in {e["expert_id"] for e in draw.exclusions}
    members = db.session.scalars(select(PanelMember).where(
        PanelMember.is_backup.is_(False))).all()
    assert {m.expert_id for m in members} == set(draw.drawn) <= {e.id for e in experts}
    leader = members[0]
    client.post(f"/reviews/panels/{panel.id}/members/{leader.id}/leader")
    db.session.refresh(leader)
    assert leader.is_leader
    page = client.get(f"/reviews/panels/{panel.id}").get_data(as_text=True)
    assert "组长" in page and f"/draws/{draw.id}" in page and 'id="progress"' in page

    refused = client.post(f"/reviews/panels/{panel.id}/members",
                          data={"expert": "申报单位员工"}, follow_redirects=True)
    assert "就职于本评审组的申报单位" in refused.get_data(as_text=True)
    client.post(f"/reviews/panels/{panel.id}/members/{leader.id}/remove", data={"reason": ""})
    db.session.refresh(leader)
    assert leader.removed_at is None
    client.post(f"/reviews/panels/{panel.id}/members/{leader.id}/remove",
                data={"reason": "因病无法参加"})
    db.session.refresh(leader)
    assert leader.removed_at is not None and not leader.is_leader
    client.post(f"/reviews/panels/{panel.id}/members/{leader.id}/replace")
    replacement = db.session.scalars(select(PanelMember).where(
        PanelMember.replaces_id == leader.id)).one()
    assert replacement.expert_id == draw.backups[0] and replacement.application_id is None


def test_a_conflict_shows_on_the_panel_page_with_a_replacement_button(
        app, make_user, make_expert):
    review_round = scoring_round(applications=1)
    application = applications_of(review_round)[0]
    experts = [make_expert() for _ in range(5)]
    panel = panel_with(review_round, experts)
    spare = make_expert()
    scoring.declare_conflict(application, experts[0].id, "曾指导该项目", 0)
    db.session.commit()
    client = signed_in(app, make_user("secretariat"))
    page = client.get(f"/reviews/panels/{panel.id}").get_data(as_text=True)
    assert "曾指导该项目" in page and "抽取递补专家" in page
    # the progress table names the application number, and no backup reads as such
    assert "<th>申报编号</th>" in page and "<th>文号</th>" not in page
    assert '<p class="text-muted mb-0" id="backups">无候补</p>' in page
    member = next(m for m in panel.members if m.expert_id == experts[0].id)
    client.post(f"/reviews/panels/{panel.id}/members/{member.id}/replace",
                data={"application_id": application.id})
    replacement = db.session.scalars(select(PanelMember).where(
        PanelMember.replaces_id == member.id)).one()
    assert replacement.expert_id == spare.id and replacement.application_id == application.id
    page = client.get(f"/reviews/panels/{panel.id}").get_data(as_text=True)
    assert "已递补" in page


def test_panels_per_group_and_no_changes_once_finalized(app, make_user):
    grouped = make_round(RoundStatus.DRAFT, applications=1, group="生物医药组")
    create_application(grouped, application_data(group_name="生物化工组"),
                       actor="test")
    db.session.commit()
    client = signed_in(app, make_user("secretariat"))
    client.post(f"/reviews/{grouped.id}/panels", data={"scope": "group"})
    page = client.get(f"/reviews/{grouped.id}/panels").get_data(as_text=True)
    assert "生物医药组" in page and "生物化工组" in page
    locked = make_round(RoundStatus.FINALIZED, applications=1)
    response = client.post(f"/reviews/{locked.id}/panels", data={"scope": "round"},
                           follow_redirects=True)
    assert "只有在批次为草稿或评分中时才能调整评审组" in response.get_data(as_text=True)
    assert db.session.scalars(select(ReviewPanel).where(
        ReviewPanel.round_id == locked.id)).all() == []
