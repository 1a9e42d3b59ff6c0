"""Demo consultation sessions, built through the ordinary services: a quarterly
series with drawn panels and sessions in every state of the workflow.

The services refuse to draw, invite or take answers for a session that has
started, so a session that is already held is created, staffed and answered
in the future like any other and then moved to its past time on the model
(``_move_to_past``); after that the services record the meeting as usual.
"""

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from thinktank.auth.models import User
from thinktank.consultations import invitation_mail, participants, proceedings, rsvp
from thinktank.consultations.models import ConsultationSession, Invitation, SeriesFrequency
from thinktank.consultations.services import (
    Recurrence,
    SessionData,
    cancel_session,
    create_series,
    create_session,
)
from thinktank.demo import data
from thinktank.experts.models import Expert
from thinktank.notifications.services import cancel_pending
from thinktank.timeutil import from_display, today_in_display_zone


def add_sessions(secretariat: User, pool: dict[str, Expert]) -> list[ConsultationSession]:
    """Create the demo sessions as the secretariat; returns them all.

    The invitations of the sessions ahead are queued in the outbox (nothing
    is sent here); ``url_for`` must be able to build external links."""
    today = today_in_display_zone()
    user = secretariat
    sessions = _series(today, user)

    sessions.append(create_session(_data(data.DRAFT, today), user=user))

    scheduled = create_session(_data(data.SCHEDULED, today), user=user)
    participants.add_participants(scheduled, [pool[data.DEMO_EXPERT]], "manual", user=user)
    draw = _draw(scheduled, data.SCHEDULED_PANEL, user)
    participants.schedule_session(scheduled, user=user)
    drawn = _invitations_of(scheduled, draw.drawn)
    for invitation in drawn[:data.SCHEDULED_ACCEPTING]:
        rsvp.respond(invitation, accept=True, via="link")
    # Declining invites the first backup in their place (auto promotion).
    rsvp.respond(drawn[data.SCHEDULED_ACCEPTING], accept=False,
                 reason=data.SCHEDULED_DECLINE_REASON, via="link")
    sessions.append(scheduled)

    for spec in (data.HELD, data.COLLECTED, data.ISSUED):
        sessions.append(_held(spec, today, pool, user))

    cancelled = create_session(_data(data.CANCELLED, today), user=user)
    _draw(cancelled, data.CANCELLED_PANEL, user)
    participants.schedule_session(cancelled, user=user)
    cancel_session(cancelled, data.CANCEL_REASON, user=user)
    sessions.append(cancelled)
    return sessions


def _at(day: date, clock: str) -> datetime:
    return from_display(datetime.combine(day, time.fromisoformat(clock)))


def _data(spec: data.SessionSpec, today: date, day: date | None = None) -> SessionData:
    starts_at = _at(day or today + timedelta(days=spec.days), spec.start)
    ends_at = starts_at + timedelta(hours=spec.hours)
    return SessionData(
        title=spec.title, kind=spec.kind, topic=spec.topic,
        starts_at=starts_at, ends_at=ends_at,
        place=spec.place, online_link=spec.online_link, agenda=spec.agenda,
        rsvp_deadline=(starts_at - timedelta(days=spec.rsvp_days_before)
                       if spec.rsvp_days_before is not None else None),
        opinion_deadline=(ends_at + timedelta(days=spec.opinion_days_after)
                          if spec.opinion_days_after is not None else None),
    )


def _series(today: date, user: User) -> list[ConsultationSession]:
    """The quarterly series, every occurrence with a drawn panel; the next one is scheduled."""
    first = (today + relativedelta(months=1)).replace(day=15)
    _, occurrences = create_series(
        _data(data.SERIES, today, day=first),
        Recurrence(SeriesFrequency.QUARTERLY, count=data.SERIES_OCCURRENCES), user=user,
    )
    for occurrence in occurrences:
        _draw(occurrence, data.SERIES_PANEL, user)
    participants.schedule_session(occurrences[0], user=user)
    return list(occurrences)


def _draw(session: ConsultationSession, panel: tuple[int, int], user: User):
    members, backups = panel
    return participants.draw_participants(session, members, backups, user=user)


def _invitations_of(session: ConsultationSession, expert_ids: list[int]) -> list[Invitation]:
    by_expert = {invitation.expert_id: invitation for invitation in session.invitations}
    return [by_expert[expert_id] for expert_id in expert_ids]


def _held(spec: data.HeldSpec, today: date, pool: dict[str, Expert], user: User
          ) -> ConsultationSession:
    """A session held ``-spec.session.days`` days ago, with its participants
    (picked by hand), their attendance, the minutes and the opinions; then,
    as the spec says, the opinions collected and the consolidated opinion issued."""
    # Staffed and answered a week from now, when the services allow it.
    session = create_session(_data(spec.session, today, day=today + timedelta(days=7)), user=user)
    invited = participants.add_participants(
        session, [pool[name] for name in spec.attendance], "manual", user=user)
    participants.schedule_session(session, user=user)
    for invitation in invited:
        rsvp.respond(invitation, accept=True, via="link")
    _move_to_past(session, _data(spec.session, today).starts_at)

    by_name = {invitation.expert.name: invitation for invitation in invited}
    proceedings.record_attendance(
        session, {by_name[name].id: mark for name, mark in spec.attendance.items()}, user=user)
    proceedings.save_minutes(session, spec.minutes, 0, user)
    for name, text in spec.opinions.items():
        proceedings.submit_opinion(session, pool[name].id, text)
    if spec.collected:
        proceedings.collect_opinions(session, user=user)
    if spec.consolidated:
        proceedings.issue_consolidated_opinion(session, spec.consolidated, user)
    return session


def _move_to_past(session: ConsultationSession, starts_at: datetime) -> None:
    """Set a session staffed ahead of time to its (past) time, the only change
    made outside the services: every time of the session and of its
    invitations moves by the same amount, so the record stays consistent.

    Its invitations and reminders were queued for a meeting ahead; that
    meeting is over, so they are cancelled rather than sent now."""
    shift = starts_at - session.starts_at
    session.starts_at += shift
    session.ends_at += shift
    if session.rsvp_deadline is not None:
        session.rsvp_deadline += shift
    if session.opinion_deadline is not None:
        session.opinion_deadline += shift
    for invitation in session.invitations:
        invitation.invited_at = invitation.invited_at and invitation.invited_at + shift
        invitation.responded_at = invitation.responded_at and invitation.responded_at + shift
        cancel_pending(invitation_mail.SUBJECT_TYPE, invitation.id)
