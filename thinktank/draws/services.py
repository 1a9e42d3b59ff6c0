"""Random draws with avoidance for sessions and panels: the eligible pool from
the expert pool, the stored draw, and promoting backups after a decline."""

import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, or_, select

from thinktank.audit.services import record
from thinktank.draws.models import Draw
from thinktank.draws.rules import (
    SEED_LIMIT,
    Candidate,
    CandidateConflict,
    DrawRequest,
    KeepAway,
    TooFewExperts,
    draw_order,
    screen,
    walk_order,
)
from thinktank.errors import DomainError
from thinktank.experts.models import (
    Conflict,
    Expert,
    ExpertiseField,
    ExpertStatus,
    expert_fields,
)
from thinktank.extensions import db
from thinktank.text import fold, organisation_key
from thinktank.timeutil import today_in_display_zone, utcnow


@dataclass
class EligiblePool:
    pool: list[int]  # eligible ids, ascending
    candidates: dict[int, Candidate]  # every expert that passed the filters, by id
    exclusions: list[dict]
    fields: dict[int, str]  # the requested expertise fields, resolved


def _requested_fields(request: DrawRequest) -> dict[int, str]:
    """The requested expertise fields (by id or by name) as ``{id: name}``."""
    ids = set(request.field_ids)
    names = {fold(name) for name in request.field_names} - {""}
    if not ids and not names:
        return {}
    found = dict(
        db.session.execute(
            select(ExpertiseField.id, ExpertiseField.name).where(
                or_(ExpertiseField.id.in_(ids), ExpertiseField.name.in_(names))
            )
        ).all()
    )
    unknown = sorted(names - set(found.values())) + [str(i) for i in sorted(ids - set(found))]
    if unknown:
        raise DomainError(_("Unknown expertise field: %(names)s", names="、".join(unknown)))
    return found


def _candidate_conditions(request: DrawRequest, field_ids: Iterable[int]) -> list:
    """Active experts whose term covers the date and who match the filters."""
    day = request.event_date
    conditions = [
        Expert.status == ExpertStatus.ACTIVE.value,
        or_(Expert.term_start.is_(None), Expert.term_start <= day),
        or_(Expert.term_end.is_(None), Expert.term_end >= day),
    ]
    if request.cities:
        conditions.append(Expert.city.in_(request.cities))
    if request.categories:
        conditions.append(Expert.category.in_(request.categories))
    if field_ids:
        conditions.append(
            exists().where(
                expert_fields.c.expert_id == Expert.id,
                expert_fields.c.field_id.in_(field_ids),
            )
        )
    return conditions


# Ratings are kept by the records area, a layer above the draws: it lends the
# draw its "flagged for review" rule through the app (``create_app`` sets it),
# so the draw can leave those experts out without importing records.
FLAGGED_SCORES = "thinktank.flagged_scores"


def flagged_scores(expert_ids: Collection[int], day: date) -> dict[int, Decimal]:
    """Those of ``expert_ids`` whose rating flags them for review, with their scores."""
    return current_app.extensions[FLAGGED_SCORES](expert_ids, day)


def eligible_pool(request: DrawRequest, among: Collection[int] | None = None) -> EligiblePool:
    """The experts who may be drawn for ``request`` and those excluded, with why;
    with ``among``, only those experts are considered (re-checking backups).

    A fixed number of queries whatever the pool's size: the requested fields,
    the candidates (only the columns the rules need) and their declared
    conflicts with an applicant organisation (and, when flagged experts are
    left out, their running scores). Experts not active or whose term
    does not cover the date are not candidates.
    """
    fields = _requested_fields(request)
    conditions = _candidate_conditions(request, fields)
    if among is not None:
        conditions.append(Expert.id.in_(among))
    rows = db.session.execute(
        select(Expert.id, Expert.code, Expert.name, Expert.organisation).where(*conditions)
    ).all()
    candidates = {row.id: Candidate(*row) for row in rows}
    conflicts: dict[int, list[CandidateConflict]] = defaultdict(list)
    applicant_keys = {organisation_key(name) for name in request.applicant_organisations} - {""}
    if applicant_keys and candidates:
        # Only conflicts with an applicant can exclude; the rules check the end date.
        for row in db.session.execute(
            select(Conflict.expert_id, Conflict.organisation, Conflict.reason, Conflict.ends_on)
            .join(Conflict.expert)
            .where(Conflict.organisation_key.in_(applicant_keys), *conditions)
            .order_by(Conflict.id)
        ):
            conflicts[row.expert_id].append(
                CandidateConflict(row.organisation, row.reason, row.ends_on)
            )
    flagged = (flagged_scores(candidates, today_in_display_zone())
               if request.leave_out_flagged else {})
    screening = screen(candidates.values(), conflicts, request, flagged)
    return EligiblePool(screening.pool, candidates, screening.exclusions, fields)


def _check_request(request: DrawRequest) -> None:
    if request.panel_size < 1:
        raise DomainError(_("A draw needs at least one expert."))
    if request.backups < 0:
        raise DomainError(_("The number of backups cannot be negative."))
    if request.org_cap < 1:
        raise DomainError(_("At least one expert per organisation must be allowed."))
    if request.seed is not None and not 0 <= request.seed < SEED_LIMIT:
        raise DomainError(_("A seed is a whole number from 0 to 2^64 − 1."))


def _shortage_message(shortage: TooFewExperts) -> str:
    if shortage.limited_by_cap:
        return _(
            "%(found)d experts are eligible, but with at most %(cap)d per organisation "
            "only %(takeable)d can be drawn; the panel needs %(needed)d. "
            "Widen the filters or allow more experts per organisation.",
            found=shortage.found, cap=shortage.org_cap, takeable=shortage.takeable,
            needed=shortage.needed,
        )
    return _(
        "Only %(found)d experts are eligible; the panel needs %(needed)d. "
        "Widen the filters or check the exclusions.",
        found=shortage.found, needed=shortage.needed,
    )


def _acting_user(actor):
    if actor is None and has_request_context() and current_user.is_authenticated:
        return current_user
    return actor


def perform_draw(request: DrawRequest, context_type: str, context_id: int, actor=None) -> Draw:
    """Draw ``request.panel_size`` experts and up to ``request.backups`` backups
    for the session or panel ``context_type``/``context_id``, store and audit it.

    Raises ``DomainError`` naming the counts when fewer than the panel size can
    be drawn (the ``TooFewExperts`` is its ``__cause__``); a shortage of backups
    is not an error and shows as ``Draw.backups_missing``. ``actor`` is the
    acting user (default: the signed-in user).
    """
    _check_request(request)
    eligible = eligible_pool(request)
    seed = secrets.randbits(64) if request.seed is None else request.seed
    order = draw_order(eligible.pool, seed)
    organisation_of = {i: eligible.candidates[i].organisation for i in eligible.pool}
    try:
        walk = walk_order(
            order, organisation_of, request.panel_size, request.backups, request.org_cap
        )
    except TooFewExperts as shortage:
        raise DomainError(_shortage_message(shortage)) from shortage
    walked = [*walk.drawn, *walk.backups, *(skip.expert_id for skip in walk.skips)]
    user = _acting_user(actor)
    draw = Draw(
        context_type=context_type,
        context_id=context_id,
        seed_text=str(seed),
        event_date=request.event_date,
        parameters=request.parameters() | {
            "field_ids": sorted(eligible.fields), "fields": sorted(eligible.fields.values()),
        },
        pool=eligible.pool,
        exclusions=eligible.exclusions,
        order=order,
        skips=[skip._asdict() | {"taken": list(skip.taken)} for skip in walk.skips],
        drawn=walk.drawn,
        backups=walk.backups,
        snapshot={
            str(i): {
                "code": eligible.candidates[i].code,
                "name": eligible.candidates[i].name,
                "organisation": eligible.candidates[i].organisation,
            }
            for i in walked
        },
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(draw)
    db.session.flush()
    _audit(
        "draw.performed",
        draw,
        {
            "context": [context_type, context_id],
            "seed": draw.seed_text,
            "pool_size": len(eligible.pool),
            "excluded": len(eligible.exclusions),
            "drawn": walk.drawn,
            "backups": walk.backups,
            "backups_missing": draw.backups_missing,
        },
        actor,
    )
    return draw


def draws_for(context_type: str, context_id: int) -> list[Draw]:
    """The draws of one session or panel, oldest first."""
    return list(
        db.session.scalars(
            select(Draw)
            .where(Draw.context_type == context_type, Draw.context_id == context_id)
            .order_by(Draw.id)
        )
    )


def promote_next_backup(draw: Draw, replaces: int, actor=None,
                        out_of_reserve: Collection[int] = ()) -> int | None:
    """Put the next unused backup on the panel in place of ``replaces`` (e.g.
    after a decline) and return their id; ``None`` when no backup is left, in
    which case ``replaces`` leaves the panel without a successor.

    A backup is promoted only if still eligible as things stand now (see
    ``_no_longer_eligible``): avoidance was settled at draw time, but a backup
    may since have been suspended, withdrawn, declared a conflict or reached
    the end of their term. ``out_of_reserve`` are backups the caller no longer
    holds in reserve (taken off, or put on the panel by hand). Backups passed
    over are recorded, each with the reason. The draw row is locked so two
    declines never promote the same backup (PostgreSQL; SQLite serialises
    writers).
    """
    db.session.flush()  # a refresh drops changes not yet flushed
    db.session.refresh(draw, with_for_update=True)
    if replaces not in draw.panel:
        raise DomainError(_("This expert is not on the drawn panel."))
    used = {promotion["backup"] for promotion in draw.promotions}
    remaining = [i for i in draw.backups if i not in used]
    reasons = _no_longer_eligible(draw, remaining, out_of_reserve)
    promoted = next((i for i in remaining if i not in reasons), None)
    passed_over = remaining if promoted is None else remaining[: remaining.index(promoted)]
    at = utcnow().isoformat()
    draw.promotions = [
        *draw.promotions,
        *({"backup": i, "replaces": replaces, "outcome": "no_longer_eligible",
           "reason": reasons[i], "at": at} for i in passed_over),
        {"backup": promoted, "replaces": replaces,
         "outcome": "exhausted" if promoted is None else "promoted", "at": at},
    ]
    _audit("draw.backup_promoted", draw,
           {"replaces": replaces, "backup": promoted,
            "passed_over": [{"expert": i, "reason": reasons[i]} for i in passed_over]}, actor)
    return promoted


def _no_longer_eligible(draw: Draw, backups: list[int], out_of_reserve: Collection[int]
                        ) -> dict[int, str]:
    """The reason each of ``backups`` who may no longer be promoted may not:
    no longer in reserve (``out_of_reserve``), no longer active (their
    status), a term that no longer covers the draw's date (``term_ended``),
    or the draw's own avoidance applied to their current data, e.g. a
    conflict declared since the draw (the ``ExclusionReason``)."""
    parameters = draw.parameters
    request = DrawRequest(
        event_date=draw.event_date, panel_size=1,
        applicant_organisations=parameters["applicant_organisations"],
        keep_away=[KeepAway(**item) for item in parameters["keep_away"]],
        leave_out_flagged=parameters.get("leave_out_flagged", False),
    )
    eligible = eligible_pool(request, among=backups)
    reasons = {item["expert_id"]: item["reason"] for item in eligible.exclusions}
    statuses = dict(db.session.execute(
        select(Expert.id, Expert.status).where(Expert.id.in_(backups))).all())
    for backup in backups:
        status = statuses.get(backup, ExpertStatus.WITHDRAWN.value)
        if backup in out_of_reserve:
            reasons[backup] = "out_of_reserve"
        elif status != ExpertStatus.ACTIVE:
            reasons[backup] = status
        elif backup not in eligible.candidates:
            reasons[backup] = "term_ended"
    return reasons


def _audit(action: str, draw: Draw, payload: dict, actor) -> None:
    user = _acting_user(actor)
    record(action, draw, payload, user=user, actor=None if user is not None else "system")
