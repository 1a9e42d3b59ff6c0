"""专家个人评分表: one expert's score sheets of a finalized round, for their
signature: their points per criterion, the totals the results count (from
``results.round_results``), their recommendations and comments. The subject
is the expert's panel membership, which names both the round and the expert."""

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from thinktank.extensions import db
from thinktank.reports.application_opinion import SHOWN_SHEETS, require_final, sheet_row
from thinktank.reports.subjects import load_subject, paragraphs
from thinktank.reviews.models import (
    Application,
    PanelMember,
    ReviewPanel,
    ScoreSheet,
)
from thinktank.reviews.results import round_results


def build_context(subject_id: int | None) -> dict:
    """The expert's sheets in the round, in a constant number of queries."""
    member = load_subject(
        PanelMember, subject_id, joinedload(PanelMember.expert),
        joinedload(PanelMember.panel).joinedload(ReviewPanel.round),
        joinedload(PanelMember.panel).joinedload(ReviewPanel.group),
    )
    review_round = member.panel.round
    require_final(review_round)
    totals = {row.application.id: row.result.totals for row in round_results(review_round).rows}
    sheets = db.session.scalars(
        select(ScoreSheet).join(ScoreSheet.application)
        .options(contains_eager(ScoreSheet.application), selectinload(ScoreSheet.scores))
        .where(Application.round_id == review_round.id,
               ScoreSheet.expert_id == member.expert_id,
               ScoreSheet.status.in_(SHOWN_SHEETS))
        .order_by(Application.number, Application.id)
    ).all()
    criteria = review_round.criteria
    rows = [sheet_row(sheet, criteria, totals.get(sheet.application_id, {}).get(member.expert_id))
            for sheet in sheets]
    return {
        "review_round": review_round,
        "expert": member.expert,
        "group": member.panel.group,
        "criteria": criteria,
        "rows": rows,
        "comments": [(row.sheet.application, paragraphs(row.sheet.comment))
                     for row in rows if not row.conflict and paragraphs(row.sheet.comment)],
    }
