"""Review rounds: creating and editing them with their criteria, moving them
through their statuses, and listing them. Their applications and groups are
``applications``; who may see a round is ``access``."""

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import Select, select

from thinktank.audit.services import record
from thinktank.errors import DomainError, Problems
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reviews import group_opinion, progress
from thinktank.reviews.applications import application_count
from thinktank.reviews.labels import STATUS_LABELS
from thinktank.reviews.models import AggregationRule, Criterion, ReviewRound, RoundStatus
from thinktank.timeutil import shown, utcnow

MIN_PANEL_SIZE = 5
CRITERION_NAME_LIMIT = 50

# The status a round may move to from each status.
TRANSITIONS: dict[RoundStatus, tuple[RoundStatus, ...]] = {
    RoundStatus.DRAFT: (RoundStatus.SCORING,),
    RoundStatus.SCORING: (RoundStatus.CLOSED,),
    RoundStatus.CLOSED: (RoundStatus.SCORING, RoundStatus.FINALIZED),  # reopen or lock
    RoundStatus.FINALIZED: (RoundStatus.PUBLISHED,),
    RoundStatus.PUBLISHED: (),
}
LOCKED_STATUSES = frozenset({RoundStatus.FINALIZED, RoundStatus.PUBLISHED})


@dataclass
class RoundData:
    """The editable facts of a round, apart from its criteria."""

    name: str
    category: str
    description: str | None = None
    full_mark: Decimal = Decimal("100")
    aggregation: str = AggregationRule.TRIMMED_MEAN.value
    panel_size: int = MIN_PANEL_SIZE
    outlier_threshold: Decimal = Decimal("20")
    scoring_deadline: datetime | None = None


@dataclass(frozen=True)
class CriterionData:
    name: str
    max_points: Decimal


# --- rules ----------------------------------------------------------------------------


def check_round(data: RoundData, criteria: list[CriterionData] | None) -> None:
    """Raise ``FieldErrors`` with everything wrong in a round's values and its
    criteria (``check_round_data``, ``check_criteria``; ``None``: the criteria
    are not checked), all at once."""
    problems = Problems()
    check_round_data(data, problems)
    if criteria is not None:
        check_criteria(criteria, data.full_mark, problems)
    problems.check()


def check_criteria(criteria: list[CriterionData], full_mark: Decimal, problems: Problems
                   ) -> None:
    """Names given and distinct, maxima positive with at most one decimal, and
    the maxima adding up exactly to the full mark (exact decimal arithmetic)."""
    if not criteria:
        problems.add("criteria", _("Enter at least one criterion."))
        return
    names = set()
    for criterion in criteria:
        if not criterion.name or len(criterion.name) > CRITERION_NAME_LIMIT:
            problems.add("criteria", _("A criterion needs a name of at most %(limit)d "
                                       "characters.", limit=CRITERION_NAME_LIMIT))
        elif criterion.name in names:
            problems.add("criteria", _("The criterion %(name)s is listed twice.",
                                       name=criterion.name))
        names.add(criterion.name)
        if not _one_decimal(criterion.max_points) or criterion.max_points <= 0:
            problems.add("criteria", _("The maximum points of %(name)s must be more than 0, "
                                       "with at most one decimal.", name=criterion.name))
    total = sum((criterion.max_points for criterion in criteria), Decimal(0))
    if _valid_full_mark(full_mark) and total != full_mark:
        problems.add("criteria", _(
            "The maximum points add up to %(total)s, but the full mark is %(full)s. Adjust "
            "the criteria so that they add up to the full mark.",
            total=_plain(total), full=_plain(full_mark)))


def _valid_full_mark(full_mark: Decimal) -> bool:
    return _one_decimal(full_mark) and Decimal(0) < full_mark <= Decimal(1000)


def check_round_data(data: RoundData, problems: Problems) -> None:
    if not _valid_full_mark(data.full_mark):
        problems.add("full_mark", _("The full mark must be more than 0 and at most 1000, "
                                    "with at most one decimal."))
    if data.panel_size < MIN_PANEL_SIZE or data.panel_size % 2 == 0:
        problems.add("panel_size", _("The panel size must be an odd number of at least "
                                     "%(min)d.", min=MIN_PANEL_SIZE))
    if not _one_decimal(data.outlier_threshold) or data.outlier_threshold <= 0:
        problems.add("outlier_threshold", _("The outlier threshold must be more than 0, "
                                            "with at most one decimal."))
    if data.aggregation not in {rule.value for rule in AggregationRule}:
        problems.add("aggregation", _("Unknown aggregation rule."))


def check_scoring_deadline(deadline: datetime | None) -> None:
    """A scoring deadline already passed would leave nobody time to score."""
    if deadline is not None and deadline <= utcnow():
        raise DomainError(_("The scoring deadline is earlier than now (%(time)s): "
                            "set a later one.", time=shown(deadline)))


def _one_decimal(value: Decimal) -> bool:
    try:
        return value.is_finite() and value == value.quantize(Decimal("0.1"))
    except InvalidOperation:  # more digits than a Decimal keeps: far from one decimal
        return False


def _plain(value: Decimal) -> str:
    """``100.0`` → ``"100"``, ``9.9`` → ``"9.9"``, for messages."""
    return f"{value.normalize():f}"


# --- rounds ---------------------------------------------------------------------------


def create_round(data: RoundData, criteria: list[CriterionData], *, actor: str | None = None
                 ) -> ReviewRound:
    """A new round in draft, with its criteria. The caller commits."""
    check_round(data, criteria)
    check_scoring_deadline(data.scoring_deadline)
    review_round = ReviewRound(status=RoundStatus.DRAFT.value)
    _apply_round_data(review_round, data)
    review_round.criteria = _criteria_rows(criteria)
    db.session.add(review_round)
    record("review_round.created", review_round,
           {"name": review_round.name, "criteria": _criteria_payload(criteria)}, actor=actor)
    return review_round


def update_round(review_round: ReviewRound, data: RoundData, criteria: list[CriterionData],
                 *, actor: str | None = None) -> dict:
    """Change a round's facts and criteria; returns what changed.

    Criteria and the full mark are fixed once scoring has started, and
    nothing changes once the results are locked. A new scoring deadline must
    be ahead while the round is in draft or scoring; a closed round may record
    the past day scoring actually ended (reopening checks it again)."""
    if review_round.status in LOCKED_STATUSES:
        raise DomainError(_("The results of this round are locked: it cannot be edited."))
    check_round(data, criteria)
    if (data.scoring_deadline != review_round.scoring_deadline
            and review_round.status in (RoundStatus.DRAFT, RoundStatus.SCORING)):
        check_scoring_deadline(data.scoring_deadline)
    criteria_change = criteria != current_criteria(review_round)
    full_mark_change = data.full_mark != review_round.full_mark
    if (criteria_change or full_mark_change) and review_round.status != RoundStatus.DRAFT:
        raise DomainError(_("The criteria and the full mark cannot change once scoring has "
                            "started."))
    changes = {
        name: str(value) for name, value in _round_values(data).items()
        if getattr(review_round, name) != value
    }
    _apply_round_data(review_round, data)
    if criteria_change:
        # Delete the old rows first: a kept name would clash with its new row.
        review_round.criteria.clear()
        db.session.flush()
        review_round.criteria = _criteria_rows(criteria)
        changes["criteria"] = _criteria_payload(criteria)
    if changes:
        record("review_round.updated", review_round, changes, actor=actor)
    return changes


def current_criteria(review_round: ReviewRound) -> list[CriterionData]:
    return [CriterionData(c.name, c.max_points) for c in review_round.criteria]


def change_status(review_round: ReviewRound, target: RoundStatus, *, reason: str | None = None,
                  actor: str | None = None) -> None:
    """Move the round along draft → scoring → closed → finalized → published
    (closed may go back to scoring). Entering scoring queues the scoring
    reminders, leaving it cancels those pending; finalizing is refused while
    sheets are missing (``progress``), and while group opinions are missing or
    not answered by every member unless ``reason`` says why the results are
    locked anyway (kept as ``lock_reason`` and audited). The caller commits."""
    current = RoundStatus(review_round.status)
    if target not in TRANSITIONS[current]:
        raise DomainError(_("A round in status %(current)s cannot move to %(target)s.",
                            current=STATUS_LABELS[current], target=STATUS_LABELS[target]))
    if target == RoundStatus.SCORING and current == RoundStatus.DRAFT:
        if application_count(review_round) == 0:
            raise DomainError(_("Scoring cannot start before the round has applications."))
    if target == RoundStatus.SCORING:
        check_scoring_deadline(review_round.scoring_deadline)
    payload = {"from": current.value, "to": target.value}
    if target == RoundStatus.FINALIZED:
        progress.check_complete(review_round)
        payload.update(_lock_reason(review_round, reason))
    review_round.status = target.value
    record("review_round.status_changed", review_round, payload, actor=actor)
    if target == RoundStatus.SCORING:
        progress.schedule_reminders(review_round)
    elif current == RoundStatus.SCORING:
        progress.cancel_reminders(review_round)


def _lock_reason(review_round: ReviewRound, reason: str | None) -> dict:
    """Keep the reason for locking with incomplete group opinions (refused
    without one); returns what the audit entry adds."""
    incomplete = [status.application.number
                  for status in group_opinion.incomplete_opinions(review_round)]
    reason = (reason or "").strip() or None
    if not incomplete:
        review_round.lock_reason = None
        return {}
    if reason is None:
        raise DomainError(_("%(n)d applications have no group opinion or not every member's "
                            "answer to it: give the reason for locking the results anyway.",
                            n=len(incomplete)))
    if len(reason) > group_opinion.REASON_LIMIT:
        raise DomainError(_("The reasons may have at most %(n)d characters.",
                            n=group_opinion.REASON_LIMIT))
    review_round.lock_reason = reason
    return {"incomplete_opinions": incomplete, "reason": reason}


def _round_values(data: RoundData) -> dict:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def _apply_round_data(review_round: ReviewRound, data: RoundData) -> None:
    for name, value in _round_values(data).items():
        setattr(review_round, name, value)


def _criteria_rows(criteria: list[CriterionData]) -> list[Criterion]:
    return [Criterion(name=c.name, max_points=c.max_points, position=index)
            for index, c in enumerate(criteria)]


def _criteria_payload(criteria: list[CriterionData]) -> list[list[str]]:
    return [[c.name, _plain(c.max_points)] for c in criteria]


# --- listing --------------------------------------------------------------------------


def round_query_for(user) -> Select:
    """The rounds ``user`` may see, newest first: officials only published ones."""
    query = select(ReviewRound).order_by(ReviewRound.created_at.desc(), ReviewRound.id.desc())
    if not user.has_role(Role.SECRETARIAT, Role.ADMIN):
        query = query.where(ReviewRound.status == RoundStatus.PUBLISHED.value)
    return query
