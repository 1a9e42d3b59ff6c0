"""Scored rounds for the progress, results and group opinion tests: a round in
scoring with one panel, and score sheets written as rows (hand-built, so that
hundreds of them are quick to make)."""

from decimal import Decimal

from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.extensions import db
from thinktank.reviews.models import ScoreSheet, SheetScore, SheetStatus
from thinktank.timeutil import utcnow


def scored_round(make_expert, applications: int = 2, experts: int = 5, **overrides):
    """``(round, panel, applications, experts)``: a committed round in scoring
    with one panel of ``experts`` members, the first of them its leader."""
    review_round = scoring_round(applications=applications, **overrides)
    members = [make_expert() for _ in range(experts)]
    panel = panel_with(review_round, members)
    panel.members[0].is_leader = True
    db.session.commit()
    return review_round, panel, applications_of(review_round), members


def split(total: str, maxima=(30, 25, 20, 15, 10)) -> list[Decimal]:
    """Points per criterion adding up to ``total``, filling the criteria in order."""
    left, points = Decimal(total), []
    for maximum in maxima:
        value = min(left, Decimal(maximum))
        points.append(value)
        left -= value
    assert left == 0, total
    return points


def add_sheet(review_round, application, expert, total: str | None = None, *,
              status: SheetStatus = SheetStatus.SUBMITTED, recommendation: str = "推荐",
              points: list[Decimal] | None = None) -> ScoreSheet:
    """A sheet of ``expert`` for ``application`` with ``total`` split over the criteria
    (or the given ``points``); added to the session, not committed."""
    sheet = ScoreSheet(application_id=application.id, expert_id=expert.id, status=status.value,
                       recommendation=recommendation, comment="意见",
                       submitted_at=utcnow() if status == SheetStatus.SUBMITTED else None)
    if status != SheetStatus.CONFLICT:
        values = points if points is not None else split(total)
        sheet.scores = [SheetScore(criterion_id=criterion.id, points=value)
                        for criterion, value in zip(review_round.criteria, values, strict=True)]
    db.session.add(sheet)
    return sheet
