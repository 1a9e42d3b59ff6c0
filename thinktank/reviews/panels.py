"""Review panels: one per round or one per group, filled by the draw service
(random draw with avoidance) or by hand, with a leader (组长), backups, and
replacements for an expert who steps back from an application.

Avoidance is the draw service's: the applicant organisations of the panel's
applications, the experts' declared conflicts with them, the experts the
applicants asked to keep away (申请回避), and those already on the panel.
"""

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from thinktank.audit.services import record
from thinktank.draws.models import Draw
from thinktank.draws.rules import DrawRequest, ExclusionReason, KeepAway
from thinktank.draws.services import eligible_pool, perform_draw, promote_next_backup
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.reviews.models import (
    Application,
    PanelMember,
    PanelMemberSource,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from thinktank.timeutil import to_display, utcnow

OPEN_STATUSES = frozenset({RoundStatus.DRAFT, RoundStatus.SCORING})
# Experts learn of a round when scoring starts: while it is a draft its panel
# is still being formed, and nothing of it reaches them (not its applications
# or their attachments, their sheets, its group opinions, nor, on their own
# pages, that they are on the panel).
SHOWN_TO_EXPERTS = frozenset(RoundStatus) - {RoundStatus.DRAFT}
REASON_LIMIT = 200


# --- panels -----------------------------------------------------------------------------


def panels_of(review_round: ReviewRound) -> list[ReviewPanel]:
    """The round's panels (the round's own first, then by group name), with members."""
    panels = db.session.scalars(
        select(ReviewPanel)
        .options(selectinload(ReviewPanel.members).joinedload(PanelMember.expert),
                 selectinload(ReviewPanel.group))
        .where(ReviewPanel.round_id == review_round.id)
    ).all()
    return sorted(panels, key=lambda p: (p.group is not None, p.group.name if p.group else ""))


def create_panels(review_round: ReviewRound, per_group: bool, *, user=None
                  ) -> list[ReviewPanel]:
    """One panel for the whole round, or one per group of the round. A round
    has one or the other, once."""
    _require_open(review_round)
    if panels_of(review_round):
        raise DomainError(_("This round already has its panels."))
    if per_group and not review_round.groups:
        raise DomainError(_("The round has no groups: create one panel for the whole round."))
    groups = review_round.groups if per_group else [None]
    panels = [ReviewPanel(round=review_round, group=group) for group in groups]
    db.session.add_all(panels)
    db.session.flush()
    record("review_panels.created", review_round,
           {"panels": [p.id for p in panels], "per_group": per_group}, user=user)
    return panels


def panel_applications(panel: ReviewPanel) -> list[Application]:
    """The applications the panel scores, in number order."""
    query = select(Application).where(Application.round_id == panel.round_id)
    if panel.group_id is not None:
        query = query.where(Application.group_id == panel.group_id)
    return list(db.session.scalars(query.order_by(Application.number, Application.id)))


def panel_for(application: Application) -> ReviewPanel | None:
    """The panel of the application's group, else the round's own panel."""
    return db.session.scalars(
        select(ReviewPanel).where(
            ReviewPanel.round_id == application.round_id,
            or_(ReviewPanel.group_id.is_(None), ReviewPanel.group_id == application.group_id),
        ).order_by(ReviewPanel.group_id.is_(None))
    ).first()


def assigned_members(application: Application) -> list[PanelMember]:
    """The panel members who score ``application``: active members of its panel,
    and replacements named for it."""
    panel = panel_for(application)
    if panel is None:
        return []
    return [m for m in panel.members
            if m.active and m.application_id in (None, application.id)]


def is_assigned(expert_id: int | None, application: Application) -> bool:
    return expert_id is not None and any(
        m.expert_id == expert_id for m in assigned_members(application))


@dataclass
class Assignment:
    application: Application
    sheet: ScoreSheet | None


def assignments_of(expert_id: int) -> list[Assignment]:
    """Every application the expert scores, newest round first, with their own
    sheet (if started). Only rounds shown to experts are listed."""
    members = db.session.scalars(
        select(PanelMember)
        .join(PanelMember.panel).join(ReviewPanel.round)
        .options(selectinload(PanelMember.panel))
        .where(PanelMember.expert_id == expert_id, PanelMember.removed_at.is_(None),
               PanelMember.is_backup.is_(False),
               ReviewRound.status.in_([status.value for status in SHOWN_TO_EXPERTS]))
        .order_by(ReviewRound.created_at.desc(), ReviewPanel.id)
    ).all()
    applications: list[Application] = []
    for member in members:
        applications += [a for a in panel_applications(member.panel)
                         if member.application_id in (None, a.id)]
    sheets = {
        sheet.application_id: sheet
        for sheet in db.session.scalars(select(ScoreSheet).where(
            ScoreSheet.expert_id == expert_id,
            ScoreSheet.application_id.in_([a.id for a in applications])))
    }
    return [Assignment(a, sheets.get(a.id)) for a in applications]


# --- avoidance --------------------------------------------------------------------------


def event_date(review_round: ReviewRound) -> date:
    """The day experts' terms must cover: the scoring deadline's, in the display zone."""
    if review_round.scoring_deadline is None:
        raise DomainError(_("Set the round's scoring deadline first: experts' terms must "
                            "cover it."))
    return to_display(review_round.scoring_deadline).date()


def _draw_request(panel: ReviewPanel, applications: list[Application], size: int,
                  backups: int, org_cap: int) -> DrawRequest:
    keep_away = []
    for application in applications:
        requested_by = f"{application.number} {application.organisation}"
        for avoidance in application.avoidance_requests:
            keep_away += [KeepAway(named, requested_by)
                          for named in (avoidance.expert_code, avoidance.expert_name) if named]
    return DrawRequest(
        event_date=event_date(panel.round),
        panel_size=size,
        backups=backups,
        org_cap=org_cap,
        applicant_organisations=sorted({a.organisation for a in applications}),
        keep_away=keep_away,
        # Everyone ever on the panel, removed or backup, is not drawn again.
        already_on=[m.expert_id for m in panel.members],
    )


def _refusal(expert: Expert, exclusion: dict | None) -> str:
    if exclusion is None:
        return _("%(name)s is not active in the pool, or their term does not cover the "
                 "scoring deadline.", name=expert.name)
    detail = exclusion["detail"]
    reason = ExclusionReason(exclusion["reason"])
    if reason is ExclusionReason.APPLICANT_ORGANISATION:
        return _("%(name)s works for %(applicant)s, an applicant organisation of this panel.",
                 name=expert.name, applicant=detail["applicant"])
    if reason is ExclusionReason.CONFLICT:
        return _("%(name)s has declared a conflict with %(organisation)s (%(reason)s).",
                 name=expert.name, organisation=detail["organisation"],
                 reason=detail["reason"])
    if reason is ExclusionReason.KEPT_AWAY:
        return _("An applicant asked to keep %(name)s away (%(requested_by)s).",
                 name=expert.name, requested_by=detail["requested_by"])
    return _("%(name)s is already on this panel.", name=expert.name)


# --- members ----------------------------------------------------------------------------


def draw_members(panel: ReviewPanel, backups: int = 2, org_cap: int = 1, *, user=None
                 ) -> Draw:
    """Draw the experts the panel still needs to reach the round's panel size,
    and ``backups`` backups, by the draw service (avoidance as above)."""
    _require_open(panel.round)
    needed = panel.round.panel_size - sum(
        1 for m in panel.members if m.active and m.application_id is None)
    if needed <= 0:
        raise DomainError(_("The panel already has its %(n)d members.", n=panel.round.panel_size))
    request = _draw_request(panel, panel_applications(panel), needed, backups, org_cap)
    draw = perform_draw(request, "panel", panel.id, actor=user)
    rank = max((m.backup_rank or 0 for m in panel.members), default=0)
    for expert_id in draw.drawn:
        panel.members.append(PanelMember(expert_id=expert_id, source=PanelMemberSource.DRAW,
                                         draw_id=draw.id))
    for offset, expert_id in enumerate(draw.backups, start=1):
        panel.members.append(PanelMember(expert_id=expert_id, source=PanelMemberSource.DRAW,
                                         draw_id=draw.id, is_backup=True,
                                         backup_rank=rank + offset))
    db.session.flush()
    record("review_panel.drawn", panel,
           {"draw": draw.id, "drawn": draw.drawn, "backups": draw.backups}, user=user)
    return draw


def add_member(panel: ReviewPanel, expert: Expert, *, user=None) -> PanelMember:
    """Put ``expert`` on the panel by hand, after the draw's avoidance checks;
    a refusal names the reason."""
    _require_open(panel.round)
    request = _draw_request(panel, panel_applications(panel), 1, 0, 1)
    current = next((m for m in panel.members if m.expert_id == expert.id), None)
    if current is not None and current.removed_at is None:
        raise DomainError(_("%(name)s is already on this panel.", name=expert.name))
    # One removed earlier may be put back: only those on the panel now are "already on".
    eligible = eligible_pool(replace(
        request, already_on=[m.expert_id for m in panel.members if m.removed_at is None]))
    if expert.id not in eligible.pool:
        raise DomainError(_refusal(expert, next(
            (e for e in eligible.exclusions if e["expert_id"] == expert.id), None)))
    if current is None:
        current = PanelMember(expert_id=expert.id, source=PanelMemberSource.MANUAL)
        panel.members.append(current)
    else:  # removed earlier and put back
        current.removed_at = current.removed_reason = None
        current.source, current.draw_id = PanelMemberSource.MANUAL.value, None
    current.is_backup, current.backup_rank, current.application_id = False, None, None
    db.session.flush()
    record("review_panel.member_added", panel, {"expert": expert.id}, user=user)
    return current


def remove_member(member: PanelMember, reason: str, *, user=None) -> None:
    """Take an expert (member or backup) off the panel, with the reason."""
    _require_open(member.panel.round)
    reason = required_reason(reason)
    if member.removed_at is not None:
        raise DomainError(_("This expert has already been removed."))
    member.removed_at, member.removed_reason = utcnow(), reason
    member.is_leader = False
    record("review_panel.member_removed", member.panel,
           {"expert": member.expert_id, "reason": reason}, user=user)


def set_leader(member: PanelMember, *, user=None) -> None:
    """Make ``member`` the panel's leader (组长), in place of any other."""
    _require_open(member.panel.round)
    if not member.active or member.application_id is not None:
        raise DomainError(_("Only a member of the whole panel can lead it."))
    for other in member.panel.members:
        other.is_leader = other is member
    record("review_panel.leader_set", member.panel, {"expert": member.expert_id}, user=user)


def replace_member(member: PanelMember, application: Application | None = None,
                   org_cap: int = 1, *, user=None) -> PanelMember:
    """A replacement for ``member``: for ``application`` only, when the member
    declared a conflict on it, or for the whole panel when the member was
    removed. The next backup of the member's draw is promoted (the draw
    service); with none left, one more expert is drawn."""
    panel = member.panel
    _require_open(panel.round)
    if application is None and member.removed_at is None:
        raise DomainError(_("Remove the expert from the panel before replacing them."))
    application_id = application.id if application is not None else None
    if application is not None and (
            _sheet_status(application, member.expert_id) != SheetStatus.CONFLICT):
        raise DomainError(_("Only an expert who declared a conflict on this application "
                            "can be replaced for it."))
    if any(m.replaces_id == member.id and m.application_id == application_id
           and m.removed_at is None for m in panel.members):
        raise DomainError(_("A replacement has already been named."))
    replacement = _promote_backup(member, user)
    if replacement is None:
        applications = [application] if application else panel_applications(panel)
        draw = perform_draw(_draw_request(panel, applications, 1, 0, org_cap),
                            "panel", panel.id, actor=user)
        replacement = PanelMember(expert_id=draw.drawn[0], draw_id=draw.id)
        panel.members.append(replacement)
    replacement.source = PanelMemberSource.REPLACEMENT.value
    replacement.is_backup, replacement.backup_rank = False, None
    replacement.application_id = application_id
    replacement.replaces_id = member.id
    db.session.flush()
    record("review_panel.member_replaced", panel,
           {"replaces": member.expert_id, "expert": replacement.expert_id,
            "application": replacement.application_id}, user=user)
    return replacement


def _promote_backup(member: PanelMember, user) -> PanelMember | None:
    draw = db.session.get(Draw, member.draw_id) if member.draw_id else None
    if draw is None or member.expert_id not in draw.panel:
        return None
    out_of_reserve = [m.expert_id for m in member.panel.members
                      if not m.is_backup or m.removed_at is not None]
    promoted = promote_next_backup(draw, member.expert_id, actor=user,
                                   out_of_reserve=out_of_reserve)
    return next((m for m in member.panel.members if m.expert_id == promoted), None)


def _sheet_status(application: Application, expert_id: int) -> str | None:
    return db.session.scalar(select(ScoreSheet.status).where(
        ScoreSheet.application_id == application.id, ScoreSheet.expert_id == expert_id))


def _require_open(review_round: ReviewRound) -> None:
    if review_round.status not in OPEN_STATUSES:
        raise DomainError(_("Panels can change only while the round is a draft or in "
                            "scoring."))


def required_reason(text: str | None) -> str:
    """A recorded reason (removal, conflict, reopening): required, at most 200 characters."""
    reason = (text or "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        raise DomainError(_("Give a reason of at most %(n)d characters.", n=REASON_LIMIT))
    return reason
