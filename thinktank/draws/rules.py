"""Random draw with avoidance (docs/design.md, "Random draw"): who may be
drawn, in which order, and who is taken.

Pure functions without Flask, so that anyone holding a draw's stored seed and
pool can check it::

    import random
    random.Random(seed).sample(pool, len(pool))  # pool: eligible ids, ascending

gives the order; walking that order under the per-organisation cap gives the
panel and its backups.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from thinktank.text import fold, organisation_key

SEED_LIMIT = 2**64  # seeds are unsigned 64-bit integers


class ExclusionReason(StrEnum):
    """Why an otherwise eligible expert is kept out of the pool, in the order
    the reasons are checked (only the first that applies is recorded)."""

    APPLICANT_ORGANISATION = "applicant_organisation"  # (1) works for an applicant
    CONFLICT = "conflict"  # (2) declared conflict with an applicant, in force
    KEPT_AWAY = "kept_away"  # (3) an applicant asked to keep them away
    ALREADY_ON = "already_on"  # (4) already on this panel or session
    FLAGGED = "flagged"  # (5) flagged for review by their evaluation, if the draw leaves them out


@dataclass(frozen=True)
class KeepAway:
    """An expert an applicant asked to keep away (申请回避), named by name or by
    expert code (专家编号)."""

    named: str
    requested_by: str = ""

    def matches(self, name: str, code: str | None) -> bool:
        if code and fold(self.named).upper() == code.upper():
            return True
        # Names are compared like organisations: trimmed, width-folded, spaces
        # dropped, so "张　三" names 张三.
        return organisation_key(self.named) == organisation_key(name)


@dataclass(frozen=True)
class DrawRequest:
    """What to draw for a session or panel.

    Filters are any-of within each list and all-of across lists; an empty list
    does not filter. ``seed`` is normally left ``None`` (a fresh random seed);
    give one only to repeat a draw.
    """

    event_date: date
    panel_size: int
    backups: int = 0
    org_cap: int = 1
    field_ids: Sequence[int] = ()
    field_names: Sequence[str] = ()
    cities: Sequence[str] = ()
    categories: Sequence[str] = ()
    applicant_organisations: Sequence[str] = ()
    keep_away: Sequence[KeepAway] = ()
    already_on: Iterable[int] = ()
    leave_out_flagged: bool = False
    seed: int | None = None

    def parameters(self) -> dict:
        """The request as JSON-ready data, stored with the draw; the seed is
        stored apart and the fields once resolved (``EligiblePool.fields``)."""
        return {
            "event_date": self.event_date.isoformat(),
            "panel_size": self.panel_size,
            "backups": self.backups,
            "org_cap": self.org_cap,
            "cities": list(self.cities),
            "categories": list(self.categories),
            "applicant_organisations": list(self.applicant_organisations),
            "keep_away": [
                {"named": item.named, "requested_by": item.requested_by}
                for item in self.keep_away
            ],
            "already_on": sorted(self.already_on),
            "leave_out_flagged": self.leave_out_flagged,
        }


@dataclass(frozen=True)
class Candidate:
    """An active expert whose term covers the date and who matches the filters."""

    id: int
    code: str | None
    name: str
    organisation: str


@dataclass(frozen=True)
class CandidateConflict:
    organisation: str
    reason: str
    ends_on: date | None

    def in_force_on(self, day: date) -> bool:
        return self.ends_on is None or self.ends_on >= day


class Screening(NamedTuple):
    pool: list[int]  # eligible ids, ascending
    exclusions: list[dict]  # one entry per excluded candidate, by id


class _Avoidance:
    """The avoidance reasons of one request, prepared once for the whole pool."""

    def __init__(self, request: DrawRequest, flagged: Mapping[int, Decimal]):
        self.flagged = flagged if request.leave_out_flagged else {}
        self.event_date = request.event_date
        self.applicants = {
            organisation_key(name): fold(name) for name in request.applicant_organisations
        }
        self.applicants.pop("", None)
        self.keep_away = list(request.keep_away)
        self.already_on = set(request.already_on)

    def first_reason(
        self, candidate: Candidate, conflicts: Sequence[CandidateConflict]
    ) -> tuple[ExclusionReason, dict] | None:
        """The first reason (1)-(5) that keeps ``candidate`` out, with its detail."""
        applicant = self.applicants.get(organisation_key(candidate.organisation))
        if applicant is not None:
            return ExclusionReason.APPLICANT_ORGANISATION, {"applicant": applicant}
        for conflict in conflicts:
            if organisation_key(conflict.organisation) in self.applicants and (
                conflict.in_force_on(self.event_date)
            ):
                return ExclusionReason.CONFLICT, {
                    "organisation": conflict.organisation,
                    "reason": conflict.reason,
                    "ends_on": conflict.ends_on.isoformat() if conflict.ends_on else None,
                }
        for item in self.keep_away:
            if item.matches(candidate.name, candidate.code):
                return ExclusionReason.KEPT_AWAY, {
                    "named": item.named, "requested_by": item.requested_by,
                }
        if candidate.id in self.already_on:
            return ExclusionReason.ALREADY_ON, {}
        if candidate.id in self.flagged:
            return ExclusionReason.FLAGGED, {"running_score": str(self.flagged[candidate.id])}
        return None


def screen(
    candidates: Iterable[Candidate],
    conflicts: Mapping[int, Sequence[CandidateConflict]],
    request: DrawRequest,
    flagged: Mapping[int, Decimal] | None = None,
) -> Screening:
    """Split the candidates into the pool and the exclusions.

    ``conflicts`` maps an expert id to their declared conflicts; a conflict
    counts when its organisation equals an applicant organisation and it has not
    ended before the event date (an ``ends_on`` on the event date still counts).
    ``flagged`` maps the experts flagged for review to their running scores;
    they are left out only if the request says so.
    """
    avoidance = _Avoidance(request, flagged or {})
    pool, exclusions = [], []
    for candidate in sorted(candidates, key=lambda c: c.id):
        found = avoidance.first_reason(candidate, conflicts.get(candidate.id, ()))
        if found is None:
            pool.append(candidate.id)
            continue
        reason, detail = found
        exclusions.append({
            "expert_id": candidate.id,
            "code": candidate.code,
            "name": candidate.name,
            "organisation": candidate.organisation,
            "reason": reason.value,
            "detail": detail,
        })
    return Screening(pool, exclusions)


def draw_order(pool: Iterable[int], seed: int) -> list[int]:
    """The order of the draw: ``random.Random(seed).sample(pool, len(pool))``
    over the pool sorted ascending."""
    pool = sorted(pool)
    return random.Random(seed).sample(pool, len(pool))


class Skip(NamedTuple):
    """An expert passed over because their organisation was already full."""

    expert_id: int
    organisation: str
    taken: tuple[int, ...]  # the experts of that organisation taken before


class Walk(NamedTuple):
    drawn: list[int]
    backups: list[int]
    skips: list[Skip]


class TooFewExperts(Exception):
    """Fewer than ``needed`` experts can be taken: ``found`` are eligible, and
    ``takeable`` of them fit under the per-organisation cap."""

    def __init__(self, found: int, takeable: int, needed: int, org_cap: int):
        super().__init__(f"{found} eligible, {takeable} takeable, {needed} needed")
        self.found = found
        self.takeable = takeable
        self.needed = needed
        self.org_cap = org_cap

    @property
    def limited_by_cap(self) -> bool:
        return self.found >= self.needed


def walk_order(
    order: Sequence[int],
    organisation_of: Mapping[int, str],
    panel_size: int,
    backups: int,
    org_cap: int = 1,
) -> Walk:
    """Take experts in ``order`` unless their organisation (compared by
    ``organisation_key``) already has ``org_cap`` taken; the first
    ``panel_size`` taken are drawn, the next ``backups`` are backups.

    The walk stops once ``panel_size + backups`` are taken, so skips are only
    recorded up to that point. Panel members are required: fewer than
    ``panel_size`` takeable raises ``TooFewExperts``. Backups are filled as far
    as the pool allows; a shortfall is not an error (the draw shows it).
    """
    wanted = panel_size + backups
    taken: list[int] = []
    by_organisation: dict[str, list[int]] = {}
    skips: list[Skip] = []
    for expert_id in order:
        if len(taken) == wanted:
            break
        organisation = organisation_of[expert_id]
        same = by_organisation.setdefault(organisation_key(organisation), [])
        if len(same) >= org_cap:
            skips.append(Skip(expert_id, organisation, tuple(same)))
            continue
        same.append(expert_id)
        taken.append(expert_id)
    if len(taken) < panel_size:
        raise TooFewExperts(len(order), len(taken), panel_size, org_cap)
    return Walk(taken[:panel_size], taken[panel_size:], skips)
