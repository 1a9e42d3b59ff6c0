"""An expert's running evaluation: the mean of their ratings of the last two
years, and the flag for review when it falls below the threshold
(``RATING_FLAG_THRESHOLD`` in the app config). Kept apart from the rating pages
so that the draw can use it without importing sessions and rounds."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import func, select

from thinktank.extensions import db
from thinktank.records.models import ExpertRating

DEFAULT_FLAG_THRESHOLD = 60
RUNNING_YEARS = 2


def flag_threshold() -> Decimal:
    return Decimal(str(current_app.config.get("RATING_FLAG_THRESHOLD",
                                              DEFAULT_FLAG_THRESHOLD)))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def running_scores(expert_ids: Iterable[int], today: date) -> dict[int, Decimal]:
    """The running score (to one decimal) of each of ``expert_ids`` rated in
    the last two years, in one query; experts without ratings are left out."""
    ids = list(expert_ids)
    if not ids:
        return {}
    since = datetime.combine(years_before(today, RUNNING_YEARS), time(), UTC)
    rows = db.session.execute(
        select(ExpertRating.expert_id, func.avg(ExpertRating.score))
        .where(ExpertRating.expert_id.in_(ids), ExpertRating.rated_at >= since)
        .group_by(ExpertRating.expert_id))
    return {expert_id: Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for expert_id, mean in rows}


def running_score(expert, today: date) -> Decimal | None:
    """The expert's running score, or None without any rating in the last two years."""
    return running_scores([expert.id], today).get(expert.id)


def flagged_scores(expert_ids: Iterable[int], today: date) -> dict[int, Decimal]:
    """Those of ``expert_ids`` flagged for review, with their running scores."""
    threshold = flag_threshold()
    return {i: s for i, s in running_scores(expert_ids, today).items() if s < threshold}


def is_flagged(expert, today: date) -> bool:
    """Whether the expert's running score is below the threshold (to be reviewed)."""
    return expert.id in flagged_scores([expert.id], today)
