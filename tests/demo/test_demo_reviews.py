"""The demo's review rounds: one in scoring with two groups, panels drawn with
avoidance and part of the sheets in; one finalized and published. Built through
the services."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.demo.helpers import load
from thinktank.demo import data
from thinktank.demo import reviews as demo
from thinktank.draws.services import draws_for
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.reviews import panels
from thinktank.reviews.applications import application_query
from thinktank.reviews.models import (
    Application,
    AvoidanceRequest,
    PanelMemberSource,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from thinktank.reviews.results import round_results
from thinktank.timeutil import utcnow
from thinktank.vocabulary import JIANGXI_CITIES


def round_named(name: str) -> ReviewRound:
    return db.session.scalars(select(ReviewRound).where(ReviewRound.name == name)).one()


def sheets_of(review_round: ReviewRound) -> list[ScoreSheet]:
    return list(db.session.scalars(select(ScoreSheet).join(ScoreSheet.application).where(
        Application.round_id == review_round.id)))


def login(client, email: str) -> None:
    client.post("/auth/login", data={"email": email, "password": data.DEFAULT_PASSWORD})


def test_a_round_in_scoring_with_two_groups_of_fifteen(loaded):
    assert "2 review rounds" in loaded.output
    review_round = round_named(demo.SCORING.name)
    assert review_round.status == RoundStatus.SCORING
    assert (review_round.category, review_round.aggregation, review_round.panel_size) == (
        "标志性产业化项目遴选", "trimmed_mean", 5)
    assert [(c.name, c.max_points) for c in review_round.criteria] == [
        ("技术先进性", Decimal(30)), ("产业化前景", Decimal(25)), ("团队与基础", Decimal(20)),
        ("经济社会效益", Decimal(15)), ("实施方案可行性", Decimal(10))]
    ahead = review_round.scoring_deadline - utcnow()
    assert timedelta(days=9) < ahead < timedelta(days=11)
    applications = db.session.scalars(application_query(review_round)).all()
    assert Counter(a.group.name for a in applications) == {"生物医药组": 15, "生物化工与材料组": 15}
    assert len({a.number for a in applications}) == 30
    assert len({a.organisation for a in applications}) == 30
    assert all(a.city in JIANGXI_CITIES and a.investment > 0 and a.summary and a.phone
               for a in applications)
    requests = db.session.scalars(select(AvoidanceRequest)).all()
    assert len(requests) == len(demo.AVOIDANCE) == 4


def test_panels_drawn_with_avoidance_and_the_demo_expert_on_one(loaded):
    review_round = round_named(demo.SCORING.name)
    demo_expert = db.session.scalars(select(Expert).where(Expert.name == data.DEMO_EXPERT)).one()
    day = panels.event_date(review_round)
    by_group = {panel.group.name: panel for panel in panels.panels_of(review_round)}
    assert set(by_group) == {"生物医药组", "生物化工与材料组"}
    for name, panel in by_group.items():
        active = [m for m in panel.members if m.active]
        backups = [m for m in panel.members if m.is_backup]
        assert (len(active), len(backups)) == (5, 2)
        assert len(draws_for("panel", panel.id)) == 1
        assert sum(m.is_leader for m in panel.members) == 1
        applications = panels.panel_applications(panel)
        applicants = {a.organisation for a in applications}
        kept_away = {r.expert_name for a in applications for r in a.avoidance_requests}
        for member in panel.members:
            expert = member.expert
            assert expert.organisation not in applicants, (name, expert.name)
            assert expert.name not in kept_away, (name, expert.name)
            conflicts = {c.organisation for c in expert.conflicts
                         if c.ends_on is None or c.ends_on >= day}
            assert not conflicts & applicants, expert.name
    # He advises an applicant of the other group (a declared conflict), so he is on this one,
    # put there by hand, and leads it.
    own = next(m for m in by_group["生物医药组"].members if m.expert_id == demo_expert.id)
    assert own.source == PanelMemberSource.MANUAL and own.is_leader and own.active
    assert demo_expert.id not in {m.expert_id for m in by_group["生物化工与材料组"].members}


def test_part_of_the_sheets_are_in_and_the_demo_expert_has_work(loaded, client):
    review_round = round_named(demo.SCORING.name)
    sheets = sheets_of(review_round)
    assert Counter(s.status for s in sheets) == {
        SheetStatus.SUBMITTED: (15 + 12 + 10 + 7) + (15 + 12 + 10 + 7 + 4),
        SheetStatus.DRAFT: 3 + 4,  # the next application of each member not done
    }
    maxima = {c.id: c.max_points for c in review_round.criteria}
    for sheet in sheets:
        assert all(Decimal(0) <= s.points <= maxima[s.criterion_id] for s in sheet.scores)
        assert sheet.entered_by_proxy_user_id is None
        if sheet.status == SheetStatus.SUBMITTED:
            assert {s.criterion_id for s in sheet.scores} == set(maxima)
            assert sheet.comment and sheet.recommendation in ("推荐", "不推荐")
        else:
            assert len(sheet.scores) == demo.DRAFT_CRITERIA and sheet.recommendation is None
    results = round_results(review_round)
    assert len({row.result.final_score for row in results.rows}) > 10  # not all alike
    demo_expert = next(u for u in data.DEMO_USERS if u.expert)
    assert data.DEMO_EXPERT not in {s.expert.name for s in sheets}
    login(client, demo_expert.email)
    page = client.get("/reviews/my-assignments").get_data(as_text=True)
    assert page.count(demo.SCORING.name) == 15
    assert "未开始" in page


def test_a_published_round_that_officials_see(loaded, client):
    review_round = round_named(demo.PUBLISHED.name)
    assert review_round.status == RoundStatus.PUBLISHED
    assert review_round.scoring_deadline < utcnow()
    sheets = sheets_of(review_round)
    assert len(sheets) == 5 * len(demo.PUBLISHED_APPLICATIONS)
    assert {s.status for s in sheets} == {SheetStatus.SUBMITTED}
    results = round_results(review_round)
    assert sorted(row.rank for row in results.rows) == [1, 2, 3, 4]
    official = next(u for u in data.DEMO_USERS if u.role == "official")
    login(client, official.email)
    listing = client.get("/reviews/").get_data(as_text=True)
    assert demo.PUBLISHED.name in listing and demo.SCORING.name not in listing
    response = client.get(f"/reviews/{review_round.id}/results")
    assert response.status_code == 200
    best = results.rows[0]
    assert str(best.result.final_score) in response.get_data(as_text=True)


def test_loading_again_adds_no_rounds(loaded, runner):
    again = load(runner)
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(ReviewRound.id))) == 2
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == 92 + 7 + 20


def test_a_failed_load_leaves_no_rounds(runner):
    assert load(runner, "short").exit_code != 0
    assert db.session.scalars(select(ReviewRound)).all() == []
