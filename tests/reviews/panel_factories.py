"""Rounds in scoring with a panel, for the panel and scoring tests, made
through the services."""

from datetime import timedelta

from tests.reviews.round_factories import make_round
from thinktank.extensions import db
from thinktank.reviews import panels
from thinktank.reviews.models import Application, ReviewPanel, ReviewRound, RoundStatus
from thinktank.timeutil import utcnow


def scoring_round(applications: int = 2, deadline=timedelta(days=7), **overrides
                  ) -> ReviewRound:
    """A committed round in scoring whose deadline is ``deadline`` from now."""
    return make_round(RoundStatus.SCORING, applications=applications,
                      scoring_deadline=utcnow() + deadline, **overrides)


def panel_with(review_round: ReviewRound, experts, user=None) -> ReviewPanel:
    """The round's one panel, with ``experts`` added by hand (committed)."""
    panel = panels.create_panels(review_round, per_group=False, user=user)[0]
    for expert in experts:
        panels.add_member(panel, expert, user=user)
    db.session.commit()
    return panel


def applications_of(review_round: ReviewRound) -> list[Application]:
    return list(db.session.scalars(
        db.select(Application).where(Application.round_id == review_round.id)
        .order_by(Application.number)))
