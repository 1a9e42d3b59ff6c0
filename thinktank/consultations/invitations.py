"""Participants of a session and their invitations: picking them (by hand, by
filter, by random draw), sending the invitations and reminders through the
outbox, the signed RSVP link, answers, and promoting backups.

Every mail to an invitee is an outbox row about their invitation
(``subject_type="invitation"``), so one invitee's pending mails can be
cancelled alone and the session page can show each invitee's mail states.
Reminders state the session's time, so a change cancels them and queues new
ones rather than moving the old rows.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from thinktank.audit.services import record
from thinktank.auth.models import User
from thinktank.consultations.calendar_invite import InviteDetails, build_invite
from thinktank.consultations.models import (
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.draws.models import Draw
from thinktank.draws.rules import DrawRequest
from thinktank.draws.services import eligible_pool, perform_draw, promote_next_backup
from thinktank.errors import DomainError, Forbidden, NotFound
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.extensions import db
from thinktank.notifications.models import CalendarMethod, OutboxMessage
from thinktank.notifications.services import cancel_pending, enqueue
from thinktank.timeutil import display_zone, to_display, utcnow, zone_label

SUBJECT_TYPE = "invitation"


class MailKind(StrEnum):
    INVITATION = "session_invitation"
    CANCELLATION = "session_cancellation"
    MEETING_REMINDER = "meeting_reminder"
    RSVP_NUDGE = "rsvp_nudge"
    OPINION_REMINDER = "opinion_reminder"


REMINDER_KINDS = (MailKind.MEETING_REMINDER, MailKind.RSVP_NUDGE, MailKind.OPINION_REMINDER)
RSVP_NUDGE_BEFORE = timedelta(hours=24)
OPINION_REMINDERS_BEFORE = (timedelta(hours=48), timedelta(hours=24))
MAX_REMINDERS = 5
MAX_REMINDER_OFFSET = timedelta(days=30)
# Adding by filter takes everyone who matches; more than this is a draw's job.
MAX_FILTER_ADD = 30
# A hard ceiling on any RSVP link's age; links also end when the session starts.
RSVP_LINK_MAX_AGE = timedelta(days=400)

S = InvitationStatus
# Invited and not declined: they get reminders and, on cancellation, a notice.
EXPECTED_STATUSES = frozenset({S.INVITED, S.ACCEPTED})
ANSWERABLE_STATUSES = frozenset({S.INVITED, S.ACCEPTED, S.DECLINED})


# Reminder offsets


def parse_reminder_hours(text: str) -> list[int]:
    """Hours before the start, as entered ("72, 2"), as minutes, largest first.

    Raises ``DomainError`` on anything but up to five whole numbers of hours
    within 30 days; an empty text means no meeting reminders."""
    parts = [part for part in re.split(r"[,，、\s]+", text.strip()) if part]
    if len(parts) > MAX_REMINDERS or not all(part.isdecimal() for part in parts):
        raise DomainError(_("Give up to %(n)d whole numbers of hours, separated by commas.",
                            n=MAX_REMINDERS))
    minutes = sorted({int(part) * 60 for part in parts}, reverse=True)
    if any(m <= 0 or m > MAX_REMINDER_OFFSET.total_seconds() // 60 for m in minutes):
        raise DomainError(_("Each reminder must be 1 to %(h)d hours before the start.",
                            h=int(MAX_REMINDER_OFFSET.total_seconds() // 3600)))
    return minutes


def reminder_offsets(session: ConsultationSession) -> list[int]:
    """The session's meeting-reminder offsets in minutes, largest first."""
    return [int(m) for m in session.reminder_offsets_minutes.split(",") if m]


def reminder_hours_text(session: ConsultationSession) -> str:
    return ", ".join(str(m // 60) for m in reminder_offsets(session))


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
        _replan(session, utcnow(), updated_invite=False)


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
        _enqueue_invite(invitation, CalendarMethod.CANCEL, utcnow())


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


# Sending


def schedule_session(session: ConsultationSession, user=None) -> list[Invitation]:
    """Move a draft session to scheduled and invite every panel member: one
    mail each with the calendar invite and their RSVP link, and their reminders."""
    if session.status != SessionStatus.DRAFT:
        raise DomainError(_("Only a draft session can be scheduled."))
    now = utcnow()
    if session.starts_at <= now:
        raise DomainError(_("This session has already started."))
    members = [i for i in session.invitations if i.status == S.PENDING]
    if not members:
        raise DomainError(_("Add participants before sending the invitations."))
    session.status = SessionStatus.SCHEDULED.value
    record("session.scheduled", session,
           {"invited": [i.expert_id for i in members], "sequence": session.sequence}, user=user)
    for invitation in members:
        _invite(invitation, now)
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
    _replan(session, now, updated_invite=updated_invite and not started)


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
            _enqueue_invite(invitation, CalendarMethod.CANCEL, now)


def _invite_now_if_scheduled(session: ConsultationSession, invitations: list[Invitation]) -> None:
    if session.status == SessionStatus.SCHEDULED and invitations:
        session.mail_revision += 1
        now = utcnow()
        for invitation in invitations:
            _invite(invitation, now)


def _invite(invitation: Invitation, now: datetime) -> None:
    invitation.status = S.INVITED.value
    invitation.invited_at = now
    _enqueue_invite(invitation, CalendarMethod.REQUEST, now)
    _plan_reminders(invitation, now)


def _replan(session: ConsultationSession, now: datetime, updated_invite: bool) -> None:
    session.mail_revision += 1
    for invitation in session.invitations:
        if invitation.status not in EXPECTED_STATUSES:
            continue
        cancel_pending(SUBJECT_TYPE, invitation.id, REMINDER_KINDS)
        if updated_invite:
            cancel_pending(SUBJECT_TYPE, invitation.id, [MailKind.INVITATION])
            _enqueue_invite(invitation, CalendarMethod.REQUEST, now, updated=True)
        _plan_reminders(invitation, now)


def _dedupe_key(invitation: Invitation, kind: str, detail: str = "") -> str:
    session = invitation.session
    detail = f":{detail}" if detail else ""
    return (f"session:{session.id}:{kind}{detail}:inv:{invitation.id}"
            f":seq:{session.sequence}:rev:{session.mail_revision}")


def rsvp_url(invitation: Invitation) -> str:
    return url_for("consultations.rsvp", token=rsvp_token(invitation), _external=True)


def _mail_context(invitation: Invitation, **extra) -> dict:
    session = invitation.session
    return {
        "consultation": session,
        "expert": invitation.expert,
        "rsvp_url": rsvp_url(invitation),
        "app_url": url_for("consultations.invitation", invitation_id=invitation.id,
                           _external=True),
        "starts": to_display(session.starts_at),
        "ends": to_display(session.ends_at),
        "rsvp_deadline": to_display(session.rsvp_deadline),
        "opinion_deadline": to_display(session.opinion_deadline),
        "zone": zone_label(),
        "secretariat_email": current_app.config["SECRETARIAT_EMAIL"],
        **extra,
    }


def _mail_locale():
    # Mails go to experts in the default language, whoever's request queued them.
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _enqueue_mail(invitation: Invitation, kind: MailKind, key: str, subject: str,
                  template: str, context: dict, due_at: datetime, **calendar) -> None:
    expert = invitation.expert
    enqueue(
        kind=kind.value,
        dedupe_key=key,
        recipient_email=expert.email,
        recipient_name=expert.name,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
        due_at=due_at,
        reply_to=current_app.config["SECRETARIAT_EMAIL"],
        subject_type=SUBJECT_TYPE,
        subject_id=invitation.id,
        expert_id=expert.id,
        **calendar,
    )


def _enqueue_invite(invitation: Invitation, method: CalendarMethod, now: datetime,
                    updated: bool = False) -> None:
    """The invitation, updated invitation or cancellation mail with its .ics."""
    session, expert = invitation.session, invitation.expert
    config = current_app.config
    with _mail_locale():
        context = _mail_context(invitation, method=method.value, updated=updated)
        if method is CalendarMethod.CANCEL:
            subject = _("Cancelled: %(title)s", title=session.title)
        elif updated:
            subject = _("Changed: %(title)s", title=session.title)
        else:
            subject = _("Invitation: %(title)s", title=session.title)
        details = InviteDetails(
            uid=session.uid,
            sequence=session.sequence,
            title=session.title,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            description=render_template("mail/invitation.txt", **context),
            location="；".join(filter(None, [session.place, session.online_link])),
            url=session.online_link or context["app_url"],
            organizer_email=config["SECRETARIAT_EMAIL"],
            organizer_name=_("Secretariat"),
            attendee_email=expert.email,
            attendee_name=expert.name,
        )
        kind = MailKind.CANCELLATION if method is CalendarMethod.CANCEL else MailKind.INVITATION
        _enqueue_mail(
            invitation, kind, _dedupe_key(invitation, kind), subject, "invitation", context, now,
            calendar_ics=build_invite(details, method, display_zone(), now),
            calendar_method=method,
        )


def _plan_reminders(invitation: Invitation, now: datetime) -> None:
    """Queue the invitee's reminders whose time is still ahead: meeting
    reminders, the RSVP nudge (only while unanswered) and opinion reminders."""
    session = invitation.session
    planned: list[tuple[MailKind, str, datetime]] = [
        (MailKind.MEETING_REMINDER, str(minutes), session.starts_at - timedelta(minutes=minutes))
        for minutes in reminder_offsets(session)
    ]
    if invitation.status == S.INVITED and session.rsvp_deadline is not None:
        planned.append((MailKind.RSVP_NUDGE, "", session.rsvp_deadline - RSVP_NUDGE_BEFORE))
    if session.opinion_deadline is not None:
        planned += [
            (MailKind.OPINION_REMINDER, str(int(before.total_seconds() // 3600)),
             session.opinion_deadline - before)
            for before in OPINION_REMINDERS_BEFORE
        ]
    with _mail_locale():
        for kind, detail, due_at in planned:
            if due_at <= now:
                continue
            context = _mail_context(invitation, kind=kind.value)
            subject = {
                MailKind.MEETING_REMINDER: _("Reminder: %(title)s", title=session.title),
                MailKind.RSVP_NUDGE: _("Please reply: %(title)s", title=session.title),
                MailKind.OPINION_REMINDER: _("Opinion due: %(title)s", title=session.title),
            }[kind]
            _enqueue_mail(invitation, kind, _dedupe_key(invitation, kind, detail), subject,
                          "reminder", context, due_at)


# The RSVP link and answers


class RsvpLinkError(DomainError):
    """A link that cannot be used; ``reason`` is invalid, expired, withdrawn
    or not-yours (someone else is signed in)."""

    status_code = 410

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason
        if reason == "invalid":
            self.status_code = 400
        elif reason == "not-yours":
            self.status_code = 403


def stop_opinion_reminders(invitation: Invitation) -> None:
    """No more opinion reminders for this invitation: the opinion is in, or
    the expert did not attend."""
    cancel_pending("invitation", invitation.id, [MailKind.OPINION_REMINDER])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="rsvp")


def rsvp_token(invitation: Invitation) -> str:
    """A signed link token naming the invitation and its expert; usable
    without signing in until the session starts."""
    return _serializer().dumps({"i": invitation.id, "e": invitation.expert_id})


def invitation_from_token(token: str, user=None) -> Invitation:
    """The invitation a link names; ``RsvpLinkError`` if the link was
    altered, is too old, the session has started or was cancelled, or the
    expert was taken off it; or if ``user`` (whoever is signed in, if anyone)
    is not that expert: a link belongs to its expert, the secretariat's
    accounts included, and must not answer in anyone else's name."""
    expired = RsvpLinkError(
        _("This link has expired: the session has started or the link is too old."), "expired")
    try:
        data = _serializer().loads(token, max_age=int(RSVP_LINK_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise expired from None
    except BadSignature:
        raise RsvpLinkError(_("This link is not valid. Please use the link in the latest "
                              "invitation e-mail."), "invalid") from None
    invitation = db.session.get(Invitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.expert_id != data.get("e"):
        raise RsvpLinkError(_("This link is not valid. Please use the link in the latest "
                              "invitation e-mail."), "invalid")
    if user is not None and user.expert_id != invitation.expert_id:
        raise RsvpLinkError(_("This link belongs to another expert. You are signed in as "
                              "someone else: please sign out first, then open the link "
                              "again."), "not-yours")
    if (invitation.session.status == SessionStatus.CANCELLED
            or invitation.status in (S.WITHDRAWN, S.RESERVE, S.PENDING)):
        raise RsvpLinkError(_("This invitation is no longer valid: the session was cancelled "
                              "or you are no longer on its panel."), "withdrawn")
    if invitation.session.starts_at <= utcnow():
        raise expired
    return invitation


def answer_deadline(session: ConsultationSession) -> datetime:
    return session.rsvp_deadline or session.starts_at


def can_answer(invitation: Invitation) -> bool:
    """Whether the expert may (still) give or change their answer."""
    session = invitation.session
    return (session.status == SessionStatus.SCHEDULED
            and invitation.status in ANSWERABLE_STATUSES
            and utcnow() < answer_deadline(session))


def respond(invitation: Invitation, accept: bool, reason: str = "", user=None,
            via: str = "app") -> Invitation | None:
    """Record the expert's answer (or its change) and return the backup
    invited in their place, if a decline promoted one.

    An answer through the link (``via="link"``) is the expert's: the audit
    names them by code as having used the link, with their account if they
    have one, whoever else is signed in.

    Answering stops the RSVP nudge; declining drops their reminders and, when
    the session promotes backups automatically, invites the next backup."""
    if not can_answer(invitation):
        raise DomainError(_("Replies to this invitation are closed."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError(_("Please give a reason for declining."))
    new = S.ACCEPTED if accept else S.DECLINED
    previous = invitation.status
    if previous == new and (accept or reason == invitation.decline_reason):
        return None
    invitation.status = new.value
    invitation.responded_at = utcnow()
    invitation.decline_reason = None if accept else reason[:500]
    actor = None
    if via == "link":
        user = db.session.scalar(select(User).where(User.expert_id == invitation.expert_id))
        actor = f"rsvp-link:{invitation.expert.code}"
    record(f"invitation.{new.value}", invitation,
           {"session": invitation.session_id, "expert": invitation.expert_id,
            "previous": previous, "reason": invitation.decline_reason, "via": via},
           user=user, actor=actor)
    cancel_pending(SUBJECT_TYPE, invitation.id, [MailKind.RSVP_NUDGE])
    session = invitation.session
    if accept:
        if previous == S.DECLINED:  # changed their mind: reminders again
            session.mail_revision += 1
            _plan_reminders(invitation, utcnow())
        return None
    cancel_pending(SUBJECT_TYPE, invitation.id)
    if previous != S.DECLINED and session.auto_promote_backups and _on_drawn_panel(invitation):
        return promote_backup(invitation, user=user)
    return None


def _on_drawn_panel(invitation: Invitation) -> bool:
    """Whether the expert holds a place of their draw's panel (not yet replaced)."""
    draw = db.session.get(Draw, invitation.draw_id) if invitation.draw_id else None
    return draw is not None and invitation.expert_id in draw.panel


def replaceable(session: ConsultationSession) -> set[int]:
    """The invitations (declined or removed) whose place a backup can take."""
    return {
        invitation.id for invitation in session.invitations
        if invitation.status in (S.DECLINED, S.WITHDRAWN) and _on_drawn_panel(invitation)
    }


# Reading


def participants(session: ConsultationSession) -> list[Invitation]:
    """The session's invitations: members, then backups by rank, then the rest."""
    order = {S.ACCEPTED: 0, S.INVITED: 0, S.PENDING: 0, S.RESERVE: 1, S.DECLINED: 2,
             S.WITHDRAWN: 3}
    return sorted(session.invitations,
                  key=lambda i: (order[S(i.status)], i.backup_rank or 0, i.id))


def mail_states(session: ConsultationSession) -> dict[int, list[OutboxMessage]]:
    """Each invitation's outbox rows (invitations and reminders), by due time."""
    ids = [invitation.id for invitation in session.invitations]
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject_type == SUBJECT_TYPE, OutboxMessage.subject_id.in_(ids))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    ) if ids else []
    states: dict[int, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        states[row.subject_id].append(row)
    return states


def invitations_of(expert_id: int) -> list[Invitation]:
    """The invitations an expert has received, the latest session first."""
    return list(db.session.scalars(
        select(Invitation).join(Invitation.session)
        .where(Invitation.expert_id == expert_id, Invitation.invited_at.is_not(None))
        .order_by(ConsultationSession.starts_at.desc(), Invitation.id.desc())
    ))


def own_invitation(invitation_id: int, user) -> Invitation:
    """The invitation if it is ``user``'s own and was sent to them; else
    ``NotFound`` or ``Forbidden``."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(_("The page or record does not exist."))
    if user.expert_id is None or invitation.expert_id != user.expert_id:
        raise Forbidden(_("You do not have permission to open this page."))
    if invitation.invited_at is None:
        raise NotFound(_("The page or record does not exist."))
    return invitation
