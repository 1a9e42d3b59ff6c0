"""The mails to a session's invitees and their signed RSVP link: the
invitation with its calendar invite (.ics), its update and cancellation, the
reminders (meeting, reply, opinion), and the link's token.

Every mail to an invitee is an outbox row about their invitation
(``subject_type="invitation"``), so one invitee's pending mails can be
cancelled alone and the session page can show each invitee's mail states.
Reminders state the session's time, so a change cancels them and queues new
ones rather than moving the old rows. Who gets invited, and when, is
``participants``; their answer is ``rsvp``.
"""

import re
from collections import defaultdict
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from thinktank.consultations.calendar_invite import InviteDetails, build_invite
from thinktank.consultations.models import (
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.errors import DomainError
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
# A hard ceiling on any RSVP link's age; links also end when the session starts.
RSVP_LINK_MAX_AGE = timedelta(days=400)

S = InvitationStatus
# Invited and not declined: they get reminders and, on cancellation, a notice.
EXPECTED_STATUSES = frozenset({S.INVITED, S.ACCEPTED})


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


# Sending


def invite(invitation: Invitation, now: datetime) -> None:
    """Mark ``invitation`` invited and queue its invitation and reminders."""
    invitation.status = S.INVITED.value
    invitation.invited_at = now
    enqueue_invite(invitation, CalendarMethod.REQUEST, now)
    plan_reminders(invitation, now)


def replan(session: ConsultationSession, now: datetime, updated_invite: bool) -> None:
    """Plan the invitees' reminders anew after a change of ``session`` and,
    with ``updated_invite``, send them the updated invitation."""
    session.mail_revision += 1
    for invitation in session.invitations:
        if invitation.status not in EXPECTED_STATUSES:
            continue
        cancel_pending(SUBJECT_TYPE, invitation.id, REMINDER_KINDS)
        if updated_invite:
            cancel_pending(SUBJECT_TYPE, invitation.id, [MailKind.INVITATION])
            enqueue_invite(invitation, CalendarMethod.REQUEST, now, updated=True)
        plan_reminders(invitation, now)


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


def enqueue_invite(invitation: Invitation, method: CalendarMethod, now: datetime,
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


def plan_reminders(invitation: Invitation, now: datetime) -> None:
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


def stop_opinion_reminders(invitation: Invitation) -> None:
    """No more opinion reminders for this invitation: the opinion is in, or
    the expert did not attend."""
    cancel_pending("invitation", invitation.id, [MailKind.OPINION_REMINDER])


# Reading


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


# The RSVP link


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
