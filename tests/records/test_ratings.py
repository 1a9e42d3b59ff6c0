from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.consultations.proceedings_factories import held_session
from tests.reviews.panel_factories import panel_with, scoring_round
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.records import evaluation, ratings
from thinktank.records.models import ExpertRating
from thinktank.reviews.models import PanelMember, RoundStatus
from thinktank.timeutil import today_in_display_zone, utcnow


@pytest.fixture
def levels_mode(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATING_MODE", "levels")
    monkeypatch.setitem(app.config, "RATING_LEVELS", [("优秀", 95), ("合格", 70)])


def finalized_round(members, backups=()):
    review_round = scoring_round(applications=1)
    panel = panel_with(review_round, members)
    for rank, expert in enumerate(backups, 1):
        db.session.add(PanelMember(panel=panel, expert_id=expert.id, is_backup=True,
                                   backup_rank=rank, source="manual"))
    review_round.status = RoundStatus.FINALIZED.value
    db.session.commit()
    return review_round


def test_a_session_rates_its_present_experts(make_expert):
    present, absent = make_expert(name="甲"), make_expert(name="乙")
    subject = ratings.session_subject(held_session(present=[present], absent=[absent]))

    assert ratings.participants(subject) == [present]
    rating = ratings.rate(subject, present, score=88, comment=" 准备充分 ")
    db.session.commit()

    assert (rating.score, rating.comment, rating.level) == (88, "准备充分", None)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "expert.rated")).one()
    assert entry.payload["score"] == 88
    with pytest.raises(DomainError):
        ratings.rate(subject, absent, score=80)


def test_rating_again_replaces_the_rating(make_expert):
    expert = make_expert()
    subject = ratings.session_subject(held_session(present=[expert]))
    ratings.rate(subject, expert, score=60)
    ratings.rate(subject, expert, score=90)
    db.session.commit()

    assert [r.score for r in db.session.scalars(select(ExpertRating))] == [90]


@pytest.mark.parametrize("score", [None, -1, 101])
def test_a_score_must_lie_between_0_and_100(make_expert, score):
    expert = make_expert()
    subject = ratings.session_subject(held_session(present=[expert]))

    with pytest.raises(DomainError):
        ratings.rate(subject, expert, score=score)


def test_levels_are_stored_with_their_points(make_expert, levels_mode):
    expert = make_expert()
    subject = ratings.session_subject(held_session(present=[expert]))

    rating = ratings.rate(subject, expert, level="合格", score=10)

    assert (rating.level, rating.score) == ("合格", 70)
    with pytest.raises(DomainError):
        ratings.rate(subject, expert, level="很好")


def test_a_round_rates_its_active_panel_members(make_expert):
    member, removed, backup = make_expert(name="甲"), make_expert(name="乙"), make_expert(name="丙")
    review_round = finalized_round([member, removed], backups=[backup])
    db.session.scalars(select(PanelMember).where(PanelMember.expert_id == removed.id)
                       ).one().removed_at = utcnow()
    db.session.commit()

    assert ratings.participants(ratings.round_subject(review_round)) == [member]


def test_only_held_sessions_and_finalized_rounds_are_rated(make_expert):
    from tests.consultations.factories import make_session

    with pytest.raises(DomainError):
        ratings.session_subject(make_session(status="scheduled"))
    with pytest.raises(DomainError):
        ratings.round_subject(scoring_round(applications=1))


def _rated(expert, score, days_ago):
    subject = ratings.session_subject(held_session(present=[expert]))
    rating = ratings.rate(subject, expert, score=score)
    rating.rated_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def test_the_running_score_is_the_mean_of_the_last_two_years(make_expert, app):
    expert = make_expert()
    today = today_in_display_zone()
    assert evaluation.running_score(expert, today) is None
    assert not evaluation.is_flagged(expert, today)

    _rated(expert, 90, days_ago=10)
    _rated(expert, 65, days_ago=400)
    _rated(expert, 10, days_ago=800)  # older than two years: left out

    assert evaluation.running_score(expert, today) == Decimal("77.5")
    assert not evaluation.is_flagged(expert, today)
    # Two years on, only the recent ones are older still: none remains.
    assert evaluation.running_score(expert, today + timedelta(days=800)) is None


def test_experts_below_the_threshold_are_flagged(make_expert, app, monkeypatch):
    expert = make_expert()
    _rated(expert, 55, days_ago=1)
    today = today_in_display_zone()

    assert evaluation.is_flagged(expert, today)
    monkeypatch.setitem(app.config, "RATING_FLAG_THRESHOLD", 50)
    assert not evaluation.is_flagged(expert, today)


def test_two_years_before_29_february():
    assert evaluation.years_before(date(2028, 2, 29), 2) == date(2026, 2, 28)
