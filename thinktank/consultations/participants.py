"""Who is on a session's panel: picking participants (by hand, by filter, by
random draw), taking them off, promoting backups, and inviting them when the
session is scheduled, changed or cancelled (the mails themselves are
``invitation_mail``; the experts' answers ``rsvp``)."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.audit.services import record
from thinktank.consultations.invitation_mail import (
    EXPECTED_STATUSES,
    SUBJECT_TYPE,
    enqueue_invite,
    invite,
    parse_reminder_hours,
    replan,
)
from thinktank.consultations.models import (
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.draws.models import Draw
from thinktank.draws.rules import DrawRequest
from thinktank.draws.services import eligible_pool, perform_draw, promote_next_backup
from thinktank.errors import DomainError
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.extensions import db
from thinktank.notifications.models import CalendarMethod
from thinktank.notifications.services import cancel_pending
from thinktank.timeutil import shown, to_display, utcnow

# Adding by filter takes everyone who matches; more than this is a draw's job.
MAX_FILTER_ADD = 30

S = InvitationStatus


# Picking participants


def event_date(session: ConsultationSession):
    """The session's day in the display zone: the day terms must cover."""
    return to_display(session.starts_at).date()


def _ensure_open(session: ConsultationSession) -> None:
    if session.status not in (SessionStatus.DRAFT, SessionStatus.SCHEDULED):
        raise DomainError(_("Participants can only be changed before the session is held."))
    if session.starts_at <= utcnow():
        raise DomainError(_("This session has already started."))


def add_participants(session: ConsultationSession, experts: Iterable[Expert], source: str,
                     user=None) -> list[Invitation]:
    """Put ``experts`` on the session's panel; those already on it are left
    as they are. On a scheduled session they are invited at once."""
    _ensure_open(session)
    experts = list(experts)
    inactive = [e.name for e in experts if e.status != ExpertStatus.ACTIVE.value]
    if inactive:
        raise DomainError(_("Only experts in the pool (active) can be invited: %(names)s",
                            names="、".join(inactive)))
    existing = {invitation.expert_id: invitation for invitation in session.invitations}
    added = []
    for expert in experts:
        invitation = existing.get(expert.id)
        if invitation is None:
            invitation = Invitation(session=session, expert=expert, source=source)
            db.session.add(invitation)
        elif invitation.status == S.WITHDRAWN:
            # Taken off earlier and put back: a fresh place on the panel.
            invitation.source, invitation.draw_id = source, None
            invitation.is_backup, invitation.backup_rank = False, None
            invitation.responded_at = invitation.decline_reason = None
        else:
            continue
        invitation.status = S.PENDING.value
        added.append(invitation)
    db.session.flush()
    record("session.participants_added", session,
           {"source": source, "experts": [i.expert_id for i in added]}, user=user)
    _invite_now_if_scheduled(session, added)
    return added


def filter_candidates(session: ConsultationSession, field_ids: Sequence[int] = (),
                      cities: Sequence[str] = (), categories: Sequence[str] = ()
                      ) -> list[Expert]:
    """Active experts whose term covers the session's day, matching the
    filters and not yet on the session (the draw's eligible pool)."""
    request = DrawRequest(
        event_date=event_date(session), panel_size=1, field_ids=field_ids, cities=cities,
        categories=categories, already_on=[i.expert_id for i in session.invitations],
    )
    pool = eligible_pool(request).pool
    if len(pool) > MAX_FILTER_ADD:
        raise DomainError(_("%(n)d experts match; narrow the filters (at most %(max)d) "
                            "or draw the participants.", n=len(pool), max=MAX_FILTER_ADD))
    return list(db.session.scalars(select(Expert).where(Expert.id.in_(pool)).order_by(Expert.id)))


def draw_participants(session: ConsultationSession, panel_size: int, backups: int = 0,
                      org_cap: int = 1, field_ids: Sequence[int] = (),
                      cities: Sequence[str] = (), categories: Sequence[str] = (),
                      leave_out_flagged: bool = False, user=None) -> Draw:
    """Draw the panel and backups with avoidance (the draw service) and put
    them on the session: the drawn as members, the backups in reserve by rank.

    Everyone already on the session, in any status, is excluded (reason 4);
    with ``leave_out_flagged``, so are experts flagged by their evaluation."""
    _ensure_open(session)
    request = DrawRequest(
        event_date=event_date(session), panel_size=panel_size, backups=backups,
        org_cap=org_cap, field_ids=field_ids, cities=cities, categories=categories,
        already_on=[i.expert_id for i in session.invitations],
        leave_out_flagged=leave_out_flagged,
    )
    draw = perform_draw(request, "session", session.id, actor=user)
    members = [
        Invitation(session=session, expert_id=expert_id, source="draw", draw_id=draw.id,
                   status=S.PENDING.value)
        for expert_id in draw.drawn
    ]
    reserves = [
        Invitation(session=session, expert_id=expert_id, source="draw", draw_id=draw.id,
                   status=S.RESERVE.value, is_backup=True, backup_rank=rank)
        for rank, expert_id in enumerate(draw.backups, start=1)
    ]
    db.session.add_all(members + reserves)
    db.session.flush()
    record("session.participants_drawn", session,
           {"draw": draw.id, "drawn": draw.drawn, "backups": draw.backups}, user=user)
    _invite_now_if_scheduled(session, members)
    return draw


def remove_participant(invitation: Invitation, user=None) -> None:
    """Take an expert off the session (or out of reserve). If they were
    invited, their pending mails are dropped and a cancellation goes out."""
    session = invitation.session
    _ensure_open(session)
    if invitation.status == S.WITHDRAWN:
        raise DomainError(_("This expert has already been removed."))
    was_invited = invitation.status in EXPECTED_STATUSES
    record("invitation.withdrawn", invitation,
           {"session": session.id, "expert": invitation.expert_id, "was": invitation.status},
           user=user)
    invitation.status = S.WITHDRAWN.value
    cancel_pending(SUBJECT_TYPE, invitation.id)
    if was_invited:
        session.mail_revision += 1
        enqueue_invite(invitation, CalendarMethod.CANCEL, utcnow())


def promote_backup(invitation: Invitation, user=None) -> Invitation | None:
    """Put the next backup of the draw still eligible and in reserve in place
    of ``invitation`` (declined or removed) and invite them at once if the
    session is scheduled; returns the backup's invitation, or None when no
    backup is left."""
    session = invitation.session
    _ensure_open(session)
    draw = db.session.get(Draw, invitation.draw_id) if invitation.draw_id else None
    if draw is None:
        raise DomainError(_("Only a drawn expert can be replaced by a backup."))
    if invitation.status not in (S.DECLINED, S.WITHDRAWN):
        raise DomainError(_("Only an expert who declined or was removed can be replaced."))
    out_of_reserve = [i.expert_id for i in session.invitations if i.status != S.RESERVE]
    promoted = promote_next_backup(draw, invitation.expert_id, actor=user,
                                   out_of_reserve=out_of_reserve)
    if promoted is None:
        return None
    backup = db.session.scalars(
        select(Invitation).where(Invitation.session_id == session.id,
                                 Invitation.expert_id == promoted)
    ).one()
    backup.status, backup.source = S.PENDING.value, "promoted"
    record("invitation.promoted", backup,
           {"session": session.id, "expert": promoted, "replaces": invitation.expert_id},
           user=user, actor=None if user is not None else "system")
    _invite_now_if_scheduled(session, [backup])
    return backup


def on_drawn_panel(invitation: Invitation) -> bool:
    """Whether the expert holds a place of their draw's panel (not yet replaced)."""
    draw = db.session.get(Draw, invitation.draw_id) if invitation.draw_id else None
    return draw is not None and invitation.expert_id in draw.panel


def replaceable(session: ConsultationSession) -> set[int]:
    """The invitations (declined or removed) whose place a backup can take."""
    return {
        invitation.id for invitation in session.invitations
        if invitation.status in (S.DECLINED, S.WITHDRAWN) and on_drawn_panel(invitation)
    }


# Inviting them


def schedule_session(session: ConsultationSession, user=None) -> list[Invitation]:
    """Move a draft session to scheduled and invite every panel member: one
    mail each with the calendar invite and their RSVP link, and their reminders."""
    if session.status != SessionStatus.DRAFT:
        raise DomainError(_("Only a draft session can be scheduled."))
    now = utcnow()
    if session.starts_at <= now:
        raise DomainError(_("This session has already started."))
    if session.rsvp_deadline is not None and session.rsvp_deadline <= now:
        raise DomainError(_("The reply deadline has already passed: %(time)s. Change it "
                            "before sending the invitations.", time=shown(session.rsvp_deadline)))
    members = [i for i in session.invitations if i.status == S.PENDING]
    if not members:
        raise DomainError(_("Add participants before sending the invitations."))
    session.status = SessionStatus.SCHEDULED.value
    record("session.scheduled", session,
           {"invited": [i.expert_id for i in members], "sequence": session.sequence}, user=user)
    for invitation in members:
        invite(invitation, now)
    return members


def session_changed(session: ConsultationSession, changes: dict, updated_invite: bool,
                    user=None) -> None:
    """Called by ``update_session`` after a change: for a scheduled session
    the invitees' reminders are planned anew and, when the time, place or
    title changed (``updated_invite``), they get the updated invite (same UID,
    the raised SEQUENCE). Nothing is sent once the session has started."""
    if session.status != SessionStatus.SCHEDULED or not changes:
        return
    now = utcnow()
    old_start = changes.get("starts_at", [session.starts_at.isoformat()])[0]
    started = min(datetime.fromisoformat(old_start), session.starts_at) <= now
    replan(session, now, updated_invite=updated_invite and not started)


def session_cancelled(session: ConsultationSession, user=None) -> None:
    """Called by ``cancel_session``: drop every pending mail of the session,
    take everyone off it and, unless it has started, send the invited a
    cancellation (METHOD:CANCEL, same UID)."""
    now = utcnow()
    started = session.starts_at <= now
    session.mail_revision += 1
    for invitation in session.invitations:
        cancel_pending(SUBJECT_TYPE, invitation.id)
        was_invited = invitation.status in EXPECTED_STATUSES
        if invitation.status != S.DECLINED:
            invitation.status = S.WITHDRAWN.value
        if was_invited and not started:
            enqueue_invite(invitation, CalendarMethod.CANCEL, now)


def set_reminder_hours(session: ConsultationSession, text: str, user=None) -> None:
    """Change the meeting reminders of ``session``; for a scheduled session the
    invitees' pending reminders are planned anew."""
    _ensure_open(session)
    minutes = parse_reminder_hours(text)
    value = ",".join(str(m) for m in minutes)
    if value == session.reminder_offsets_minutes:
        return
    record("session.reminders_changed", session,
           {"from": session.reminder_offsets_minutes, "to": value}, user=user)
    session.reminder_offsets_minutes = value
    if session.status == SessionStatus.SCHEDULED:
        replan(session, utcnow(), updated_invite=False)


def _invite_now_if_scheduled(session: ConsultationSession, invitations: list[Invitation]) -> None:
    if session.status == SessionStatus.SCHEDULED and invitations:
        session.mail_revision += 1
        now = utcnow()
        for invitation in invitations:
            invite(invitation, now)


# Reading


def participants(session: ConsultationSession) -> list[Invitation]:
    """The session's invitations: members, then backups by rank, then the rest."""
    order = {S.ACCEPTED: 0, S.INVITED: 0, S.PENDING: 0, S.RESERVE: 1, S.DECLINED: 2,
             S.WITHDRAWN: 3}
    return sorted(session.invitations,
                  key=lambda i: (order[S(i.status)], i.backup_rank or 0, i.id))
