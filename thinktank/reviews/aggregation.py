"""Pure aggregation rules of project-selection reviews (项目组织遴选).

An expert's total is the sum of their criterion points. A round aggregates the
submitted totals of one application by its rule (``mean``, ``trimmed_mean`` or
``median``) into a final score rounded half-up to cents (四舍五入, never banker's
rounding); applications are ranked by competition ranking (1, 2, 2, 4); a total
further from the panel median than the round's threshold is flagged.

Arithmetic is exact: sums run in a private decimal context that has far more
digits than any total, so the caller's context (its precision or rounding) never
matters, and only final values are rounded. No Flask imports.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum
from fractions import Fraction
from functools import reduce
from typing import Generic, TypeVar

from thinktank.text import fold

DEFAULT_OUTLIER_THRESHOLD = Decimal("20")
TRIM_MINIMUM = 5  # 去掉一个最高分和一个最低分 only with at least this many totals

Expert = TypeVar("Expert", bound=Hashable)
Key = TypeVar("Key")

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_ZERO = Decimal(0)
_POINTS_TEXT = re.compile(r"(-?)(\d+(?:\.\d+)?)")

# Quotients are truncated (ROUND_DOWN), never rounded to nearest: a truncated
# quotient stays on the same side of every x.xx5 boundary as the exact one, so
# rounding it half-up to cents gives the cents of the exact quotient. Rounding to
# nearest could turn 80.00499…9 into 80.005 and then wrongly into 80.01.
# Fifty digits keep sums of points exact and leave dozens of digits after the
# decimal point for any quotient of realistic totals.
_ARITHMETIC = Context(
    prec=50, rounding=ROUND_DOWN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


class PointsProblem(StrEnum):
    """Why a criterion's points were refused; the UI turns it into a message."""

    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"  # includes NaN, infinity, exponents and "12,5"
    NEGATIVE = "negative"
    ABOVE_MAXIMUM = "above_maximum"
    TOO_PRECISE = "too_precise"  # more than one decimal place, e.g. 12.55


class PointsError(ValueError):
    """Points typed for a criterion break the scoring rules."""

    def __init__(self, problem: PointsProblem, criterion: str, maximum: Decimal) -> None:
        super().__init__(problem, criterion, maximum)
        self.problem = problem
        self.criterion = criterion
        self.maximum = maximum


def parse_points(text: str, maximum: Decimal, criterion: str) -> Decimal:
    """The points typed for ``criterion``: 0..``maximum`` with at most one decimal.

    Full-width digits are accepted (``"１２．５"``), and so are trailing zeros
    (``"12.50"`` is 12.5, as spreadsheets print it). The result always carries
    one decimal place: ``"12"`` → ``Decimal("12.0")``. Raises ``PointsError``.
    """
    cleaned = fold(text)
    if not cleaned:
        raise PointsError(PointsProblem.MISSING, criterion, maximum)
    match = _POINTS_TEXT.fullmatch(cleaned)
    if not match:
        raise PointsError(PointsProblem.NOT_A_NUMBER, criterion, maximum)
    value = Decimal(match[2])
    if match[1] and value:
        raise PointsError(PointsProblem.NEGATIVE, criterion, maximum)
    if value > maximum:
        raise PointsError(PointsProblem.ABOVE_MAXIMUM, criterion, maximum)
    tenths = value.quantize(_TENTH, context=_ARITHMETIC)
    if tenths != value:
        raise PointsError(PointsProblem.TOO_PRECISE, criterion, maximum)
    return tenths


def _sum(values: Iterable[Decimal]) -> Decimal:
    return reduce(_ARITHMETIC.add, values, _ZERO)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_ARITHMETIC)


def _average(values: Sequence[Decimal]) -> Decimal:
    """Unrounded mean (see ``_ARITHMETIC`` for why it is truncated, not rounded)."""
    if not values:
        raise ValueError("no totals to aggregate")
    return _ARITHMETIC.divide(_sum(values), len(values))


def _middle(totals: Sequence[Decimal]) -> Decimal:
    """Exact median: the middle total, or the mean of the two middle ones."""
    ordered = sorted(totals)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return _average(ordered[half - 1:half + 1])


def expert_total(points: Mapping[str, Decimal]) -> Decimal:
    """An expert's total: the sum of their points over all criteria."""
    return _sum(points.values())


def mean(totals: Sequence[Decimal]) -> Decimal:
    """Plain mean, rounded half-up to cents."""
    return _cents(_average(totals))


def trimmed_mean(totals: Sequence[Decimal]) -> Decimal:
    """去掉一个最高分和一个最低分: with at least five totals exactly one highest and
    one lowest are dropped (one only, even when others tie with them) before
    averaging; with fewer totals this is the plain mean."""
    if len(totals) < TRIM_MINIMUM:
        return mean(totals)
    return mean(sorted(totals)[1:-1])


def median(totals: Sequence[Decimal]) -> Decimal:
    """Median, rounded half-up to cents; of an even count, the mean of the two
    middle totals."""
    return _cents(_middle(totals))


RULES: dict[str, Callable[[Sequence[Decimal]], Decimal]] = {
    "mean": mean,
    "trimmed_mean": trimmed_mean,
    "median": median,
}


def aggregate(totals: Sequence[Decimal], rule: str) -> Decimal | None:
    """An application's final score under a round's rule, or ``None`` when no
    sheet has been submitted. An unknown rule is a bug and raises ``KeyError``."""
    aggregate_rule = RULES[rule]
    return aggregate_rule(totals) if totals else None


def standard_deviation(totals: Sequence[Decimal]) -> Decimal | None:
    """Sample standard deviation (divisor n − 1, as the panel is a sample of the
    expert pool) rounded half-up to cents; ``None`` for fewer than two totals.

    Computed exactly: the variance is a fraction, and its square root is rounded
    with integer square roots, so no digit is lost to a decimal square root.
    """
    if len(totals) < 2:
        return None
    values = [Fraction(total) for total in totals]
    centre = sum(values) / len(values)
    variance = sum((value - centre) ** 2 for value in values) / (len(values) - 1)
    # twice_cents = ⌊200·√variance⌋ = ⌊√⌊40000·variance⌋⌋ (exact), so
    # ⌊100·√variance + ½⌋ = ⌊(twice_cents + 1) / 2⌋ is the half-up rounding in cents.
    twice_cents = math.isqrt(math.floor(variance * 40000))
    return Decimal((twice_cents + 1) // 2).scaleb(-2, context=_ARITHMETIC)


def outliers(
    totals_by_expert: Mapping[Expert, Decimal], threshold: Decimal = DEFAULT_OUTLIER_THRESHOLD
) -> set[Expert]:
    """Experts whose total differs from the panel median (exact, unrounded) by
    strictly more than ``threshold``; exactly ``threshold`` away is not flagged."""
    if not totals_by_expert:
        return set()
    centre = _middle(list(totals_by_expert.values()))
    return {
        expert
        for expert, total in totals_by_expert.items()
        if _ARITHMETIC.subtract(total, centre).copy_abs() > threshold
    }


def criterion_means(sheets: Sequence[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Plain mean of each criterion's points over the submitted sheets, rounded
    half-up to cents, in the order the criteria first appear.

    Always the plain mean, whatever the round's rule: the rule applies to totals,
    and trimming per criterion would drop different experts for each criterion.
    A criterion missing from a sheet is averaged over the sheets that carry it.
    """
    points: dict[str, list[Decimal]] = {}
    for sheet in sheets:
        for criterion, value in sheet.items():
            points.setdefault(criterion, []).append(value)
    return {criterion: mean(values) for criterion, values in points.items()}


def rank(final_scores: Mapping[Key, Decimal | None]) -> dict[Key, int | None]:
    """Competition ranking (1, 2, 2, 4): one plus the number of higher scores.

    The result is in display order: by score descending, equal scores by key;
    keys without a score (nothing submitted) come last with rank ``None``.
    """
    scored = sorted(
        (key for key, score in final_scores.items() if score is not None),
        key=lambda key: (final_scores[key].copy_negate(), key),
    )
    ranks: dict[Key, int | None] = {}
    first_position: dict[Decimal, int] = {}  # equal scores share the first one's rank
    for position, key in enumerate(scored, start=1):
        ranks[key] = first_position.setdefault(final_scores[key], position)
    for key in sorted(key for key, score in final_scores.items() if score is None):
        ranks[key] = None
    return ranks


@dataclass(frozen=True)
class ScoreSheet(Generic[Expert]):
    """One expert's submitted sheet for one application."""

    expert: Expert
    points: Mapping[str, Decimal]
    recommendation: str | None = None  # e.g. 推荐 / 不推荐, counted as given


@dataclass(frozen=True)
class ApplicationResult(Generic[Expert]):
    """Everything the results table and the review form show for one application."""

    submitted: int
    totals: dict[Expert, Decimal]
    final_score: Decimal | None
    scores: dict[str, Decimal | None]  # every rule's score, by rule, in ``RULES`` order
    criterion_means: dict[str, Decimal]
    standard_deviation: Decimal | None
    outliers: set[Expert]
    recommendations: dict[str, int]


def aggregate_application(
    sheets: Sequence[ScoreSheet[Expert]],
    rule: str,
    threshold: Decimal = DEFAULT_OUTLIER_THRESHOLD,
) -> ApplicationResult[Expert]:
    """Aggregate the submitted sheets of one application under a round's rule and
    outlier threshold. Pass only submitted sheets (drafts and conflict
    declarations do not count); with none, the final score is ``None``."""
    totals = {sheet.expert: expert_total(sheet.points) for sheet in sheets}
    if len(totals) != len(sheets):
        raise ValueError("an expert has more than one sheet for the application")
    values = list(totals.values())
    scores = {name: aggregate(values, name) for name in RULES}
    return ApplicationResult(
        submitted=len(sheets),
        totals=totals,
        final_score=scores[rule],
        scores=scores,
        criterion_means=criterion_means([sheet.points for sheet in sheets]),
        standard_deviation=standard_deviation(values),
        outliers=outliers(totals, threshold),
        recommendations=dict(
            Counter(sheet.recommendation for sheet in sheets if sheet.recommendation)
        ),
    )
