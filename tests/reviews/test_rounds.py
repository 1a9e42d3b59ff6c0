"""Rounds: criteria adding up to the full mark, panel size, status transitions."""

from decimal import Decimal

import pytest
from flask_babel import gettext
from sqlalchemy import select

from tests.reviews.round_factories import (
    CRITERIA,
    application_data,
    criteria,
    make_round,
    round_data,
)
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import Application, Criterion, ReviewRound, RoundStatus
from thinktank.reviews.rounds import change_status, create_round, update_round


def test_a_round_is_created_in_draft_with_decimal_criteria_in_order():
    review_round = create_round(round_data(), criteria(), actor="test")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ReviewRound, review_round.id)
    assert stored.status == RoundStatus.DRAFT
    assert stored.full_mark == Decimal("100") and isinstance(stored.full_mark, Decimal)
    assert (stored.panel_size, stored.aggregation) == (5, "trimmed_mean")
    assert stored.outlier_threshold == Decimal("20")
    assert [(c.name, c.max_points) for c in stored.criteria] == [
        (name, Decimal(points)) for name, points in CRITERIA]
    assert all(isinstance(c.max_points, Decimal) for c in stored.criteria)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review_round.created"))
    assert entry.target_id == review_round.id and entry.actor == "test"


def test_criteria_adding_up_to_the_full_mark_with_decimals_are_accepted():
    pairs = [("甲", "30"), ("乙", "25.5"), ("丙", "19.5"), ("丁", "15"), ("戊", "10")]
    review_round = create_round(round_data(), criteria(pairs))
    assert sum(c.max_points for c in review_round.criteria) == Decimal("100")


def test_criteria_not_adding_up_to_the_full_mark_are_refused_with_the_sums():
    pairs = [("技术先进性", "30"), ("产业化前景", "25"), ("团队与基础", "20"),
             ("经济社会效益", "15"), ("实施方案可行性", "9.9")]
    with pytest.raises(DomainError) as error:
        create_round(round_data(), criteria(pairs))
    assert "99.9" in error.value.message and "100" in error.value.message
    assert db.session.scalar(select(ReviewRound.id)) is None


def test_criteria_must_match_another_full_mark_too():
    create_round(round_data(full_mark=Decimal("50")),
                 criteria([("甲", "30"), ("乙", "20")]))
    with pytest.raises(DomainError):
        create_round(round_data(full_mark=Decimal("50")), criteria())


@pytest.mark.parametrize("pairs", [
    [],
    [("甲", "60"), ("甲", "40")],
    [("甲", "100.05")],
    [("甲", "110"), ("乙", "-10")],
    [("", "100")],
])
def test_bad_criteria_are_refused(pairs):
    with pytest.raises(DomainError):
        create_round(round_data(), criteria(pairs))


@pytest.mark.parametrize("size", [5, 7, 9])
def test_odd_panel_sizes_of_at_least_5_are_accepted(size):
    assert create_round(round_data(panel_size=size), criteria()).panel_size == size


@pytest.mark.parametrize("size", [3, 4, 6, 8, 1, 0])
def test_panel_sizes_even_or_below_5_are_refused(size):
    with pytest.raises(DomainError) as error:
        create_round(round_data(panel_size=size), criteria())
    assert "5" in error.value.message


@pytest.mark.parametrize("overrides", [
    {"full_mark": Decimal("0")},
    {"full_mark": Decimal("100.25")},
    {"outlier_threshold": Decimal("0")},
    {"aggregation": "max"},
])
def test_bad_round_values_are_refused(overrides):
    with pytest.raises(DomainError):
        create_round(round_data(**overrides), criteria())


def test_criteria_can_be_changed_in_draft():
    review_round = make_round()
    new = criteria([("技术先进性", "40"), ("产业化前景", "60")])
    changes = update_round(review_round, round_data(), new, actor="test")
    db.session.commit()
    assert changes["criteria"] == [["技术先进性", "40"], ["产业化前景", "60"]]
    assert db.session.scalars(select(Criterion.name).order_by(Criterion.position)).all() == [
        "技术先进性", "产业化前景"]


@pytest.mark.parametrize("status", [RoundStatus.SCORING, RoundStatus.CLOSED])
def test_criteria_and_full_mark_are_locked_once_scoring_has_started(status):
    review_round = make_round(status=status)
    with pytest.raises(DomainError) as error:
        update_round(review_round, round_data(),
                     criteria([("技术先进性", "50"), ("产业化前景", "50")]))
    assert error.value.message == gettext(
        "The criteria and the full mark cannot change once scoring has started.")
    with pytest.raises(DomainError):
        update_round(review_round, round_data(full_mark=Decimal("50")),
                     criteria([("技术先进性", "30"), ("产业化前景", "20")]))
    # Other facts may still change, with the same criteria.
    changes = update_round(review_round, round_data(name="改名后的批次"), criteria())
    assert changes == {"name": "改名后的批次"}


@pytest.mark.parametrize("status", [RoundStatus.FINALIZED, RoundStatus.PUBLISHED])
def test_a_locked_round_cannot_be_edited(status):
    review_round = make_round(status=status)
    with pytest.raises(DomainError):
        update_round(review_round, round_data(name="改名"), criteria())


VALID = [
    (RoundStatus.DRAFT, RoundStatus.SCORING),
    (RoundStatus.SCORING, RoundStatus.CLOSED),
    (RoundStatus.CLOSED, RoundStatus.SCORING),
    (RoundStatus.CLOSED, RoundStatus.FINALIZED),
    (RoundStatus.FINALIZED, RoundStatus.PUBLISHED),
]


@pytest.mark.parametrize(("current", "target"), VALID)
def test_valid_status_transitions_are_made_and_audited(current, target):
    review_round = make_round(status=current, applications=1)
    change_status(review_round, target, reason="会上纸质确认", actor="test")
    db.session.commit()
    assert db.session.get(ReviewRound, review_round.id).status == target
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "review_round.status_changed"))
    number = db.session.scalar(select(Application.number))
    locked_anyway = {"incomplete_opinions": [number], "reason": "会上纸质确认"}
    assert entry.payload == {"from": current.value, "to": target.value,
                             **(locked_anyway if target == RoundStatus.FINALIZED else {})}


@pytest.mark.parametrize(("current", "target"), [
    (current, target) for current in RoundStatus for target in RoundStatus
    if (current, target) not in VALID
])
def test_invalid_status_transitions_are_refused(current, target):
    review_round = make_round(status=current, applications=1)
    with pytest.raises(DomainError):
        change_status(review_round, target)
    assert review_round.status == current


def test_scoring_cannot_start_without_applications():
    review_round = make_round()
    with pytest.raises(DomainError):
        change_status(review_round, RoundStatus.SCORING)
    create_application(review_round, application_data())
    change_status(review_round, RoundStatus.SCORING)
    assert review_round.status == RoundStatus.SCORING
