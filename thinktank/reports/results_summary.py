"""评审结果汇总表: the ranked results of a finalized round, or of one of its
groups, as ``results.round_results`` computes them (never recomputed here):
per-criterion means, final score, rank and recommendation counts; and, once
the round is published, the panel that scored them."""

from thinktank.experts.models import Expert
from thinktank.reports.application_opinion import require_final
from thinktank.reports.subjects import load_subject
from thinktank.reviews.labels import AGGREGATION_LABELS
from thinktank.reviews.models import ReviewGroup, ReviewRound, RoundStatus
from thinktank.reviews.panels import panels_of
from thinktank.reviews.results import NOT_RECOMMEND, RECOMMEND, round_results


def _panel_members(review_round: ReviewRound, group: ReviewGroup | None
                   ) -> list[tuple[str | None, list[tuple[Expert, bool]]]]:
    """Each panel that scored the results (of ``group`` only, when given) with its
    members as (expert, is leader), leader first."""
    listed = []
    for panel in panels_of(review_round):
        if group is not None and panel.group_id not in (None, group.id):
            continue
        members = sorted((m for m in panel.members if m.active),
                         key=lambda m: (not m.is_leader, m.id))
        listed.append((panel.group.name if panel.group else None,
                       [(m.expert, m.is_leader) for m in members]))
    return listed


def _context(review_round: ReviewRound, group: ReviewGroup | None) -> dict:
    require_final(review_round)
    results = round_results(review_round, group)
    published = review_round.status == RoundStatus.PUBLISHED
    return {
        "review_round": review_round,
        "group": group,
        "results": results,
        "criteria": review_round.criteria,
        "recommend": RECOMMEND,
        "not_recommend": NOT_RECOMMEND,
        "rule_label": AGGREGATION_LABELS.get(review_round.aggregation, review_round.aggregation),
        "show_groups": group is None and bool(review_round.groups),
        "panels": _panel_members(review_round, group) if published else [],
    }


def build_round_context(subject_id: int | None) -> dict:
    """The whole round's results, in a constant number of queries."""
    return _context(load_subject(ReviewRound, subject_id), None)


def build_group_context(subject_id: int | None) -> dict:
    """One group's results, ranked within the group, in a constant number of queries."""
    group = load_subject(ReviewGroup, subject_id)
    return _context(group.round, group)
