"""专家评审意见表: one application of a finalized round: every panel member's
points per criterion with their total and recommendation, the final score and
rank (from ``results.round_results``, never recomputed), the group opinion
with each member's confirmation or dissent, and the panel leader's signature."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports.subjects import load_subject, paragraphs
from thinktank.reviews.labels import AGGREGATION_LABELS
from thinktank.reviews.models import (
    Application,
    Criterion,
    GroupOpinion,
    OpinionConfirmation,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    ScoreSheet,
    SheetStatus,
)
from thinktank.reviews.results import FINAL_STATUSES, NOT_RECOMMEND, RECOMMEND, round_results

# Sheets that belong on the form: scored, or excused by a declared conflict.
SHOWN_SHEETS = (SheetStatus.SUBMITTED.value, SheetStatus.CONFLICT.value)


def require_final(review_round: ReviewRound) -> None:
    """Refuse the documents of a round whose results are not locked yet."""
    if review_round.status not in FINAL_STATUSES:
        raise DomainError(_("Review documents can be issued only once the round's results "
                            "are finalized or published."))


@dataclass
class SheetRow:
    """A score sheet as a row of a form: the expert's points per criterion and
    the total that the results count."""

    sheet: ScoreSheet
    points: list[Decimal | None]  # in the order of the round's criteria
    total: Decimal | None  # None for a declared conflict

    @property
    def conflict(self) -> bool:
        return self.sheet.status == SheetStatus.CONFLICT


def sheet_row(sheet: ScoreSheet, criteria: list[Criterion], total: Decimal | None) -> SheetRow:
    """``sheet`` (its scores loaded) laid out along ``criteria``."""
    points = {score.criterion_id: score.points for score in sheet.scores}
    return SheetRow(sheet, [points.get(criterion.id) for criterion in criteria], total)


def panel_of(application: Application) -> ReviewPanel | None:
    """The application's panel (its group's, else the round's) with members and experts."""
    return db.session.scalars(
        select(ReviewPanel)
        .options(selectinload(ReviewPanel.members).joinedload(PanelMember.expert))
        .where(ReviewPanel.round_id == application.round_id,
               or_(ReviewPanel.group_id.is_(None), ReviewPanel.group_id == application.group_id))
        .order_by(ReviewPanel.group_id.is_(None))
    ).first()


def build_context(subject_id: int | None) -> dict:
    """Everything the form shows, in ten queries whatever the panel's size."""
    application = load_subject(Application, subject_id, joinedload(Application.round),
                               joinedload(Application.group))
    review_round = application.round
    require_final(review_round)
    results = round_results(review_round, application.group)
    result_row = next(row for row in results.rows if row.application.id == application.id)
    sheets = db.session.scalars(
        select(ScoreSheet)
        .options(joinedload(ScoreSheet.expert), selectinload(ScoreSheet.scores))
        .where(ScoreSheet.application_id == application.id,
               ScoreSheet.status.in_(SHOWN_SHEETS))
    ).all()
    panel = panel_of(application)
    members = [m for m in panel.members
               if m.active and m.application_id in (None, application.id)] if panel else []
    order = {member.expert_id: position for position, member in enumerate(members)}
    criteria = review_round.criteria
    rows = [sheet_row(sheet, criteria, result_row.result.totals.get(sheet.expert_id))
            for sheet in sorted(sheets, key=lambda s: (order.get(s.expert_id, len(order)), s.id))]
    opinion = db.session.scalar(
        select(GroupOpinion)
        .options(selectinload(GroupOpinion.confirmations)
                 .joinedload(OpinionConfirmation.expert))
        .where(GroupOpinion.application_id == application.id))
    answers = {c.expert_id: c for c in opinion.confirmations} if opinion else {}
    return {
        "application": application,
        "review_round": review_round,
        "criteria": criteria,
        "rows": rows,
        "result": result_row.result,
        "rule_label": AGGREGATION_LABELS.get(review_round.aggregation, review_round.aggregation),
        "rank": result_row.rank,
        "ranked": sum(1 for row in results.rows if row.rank is not None),
        "recommend": (RECOMMEND, result_row.recommendations(RECOMMEND)),
        "not_recommend": (NOT_RECOMMEND, result_row.recommendations(NOT_RECOMMEND)),
        "opinion": paragraphs(opinion.text) if opinion else [],
        "answers": [(member.expert, answers.get(member.expert_id)) for member in members],
        "leader": next((m.expert for m in members if m.is_leader), None),
    }
