"""After the meeting: attendance, minutes with their revisions, the experts'
opinions and the secretariat's consolidated opinion.

Workflow: scheduled → held (attendance recorded) → opinions_collected →
issued. Issuing freezes the session: every later change is refused."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from thinktank.audit.services import record
from thinktank.consultations.invitation_mail import stop_opinion_reminders
from thinktank.consultations.models import (
    Attendance,
    ConsolidatedOpinion,
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    InvitationStatus,
    MinutesRevision,
    SessionMinutes,
    SessionStatus,
)
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.timeutil import to_display, utcnow

# Invitations whose expert could have come: an answer of yes, or none at all.
ATTENDABLE = frozenset({InvitationStatus.INVITED, InvitationStatus.ACCEPTED})
# Statuses in which the meeting's record (attendance, minutes) is still open.
RECORDING_STATUSES = frozenset({SessionStatus.HELD, SessionStatus.OPINIONS_COLLECTED})


class StaleMinutesError(DomainError):
    """Someone saved the minutes after the revision the editor started from."""

    def __init__(self, latest: MinutesRevision):
        author = latest.author.name if latest.author is not None else _("unknown")
        super().__init__(_(
            "Not saved: %(name)s saved a newer version (revision %(number)d) at %(time)s "
            "while you were editing. Compare it with your text below, then save again.",
            name=author, number=latest.number, time=_shown(latest.created_at),
        ))
        self.latest = latest


def _shown(value: datetime) -> str:
    return to_display(value).strftime("%Y-%m-%d %H:%M")


def _ensure_not_issued(session: ConsultationSession) -> None:
    if session.status == SessionStatus.ISSUED:
        raise DomainError(_("This session's consolidated opinion has been issued; its minutes, "
                            "attendance and opinions can no longer be changed."))


def attended_invitation(session: ConsultationSession, expert_id: int | None) -> Invitation:
    """The invitation of an expert recorded present at ``session``.

    Raises ``Forbidden`` for anyone else: an expert writes opinions only on
    sessions they attended."""
    invitation = None
    if expert_id is not None:
        invitation = db.session.scalar(select(Invitation).where(
            Invitation.session_id == session.id, Invitation.expert_id == expert_id))
    if invitation is None or invitation.attendance != Attendance.PRESENT:
        raise Forbidden(_("Only experts who attended this session can write an opinion on it."))
    return invitation


# Attendance


def attendable_invitations(session: ConsultationSession) -> list[Invitation]:
    """The panel members whose attendance is recorded, in invitation order."""
    return [i for i in session.invitations if i.status in ATTENDABLE]


def attendance_open(session: ConsultationSession) -> bool:
    """Whether attendance can be recorded now: a scheduled or held session,
    not issued, from its start time."""
    return (session.status in {SessionStatus.SCHEDULED, *RECORDING_STATUSES}
            and utcnow() >= session.starts_at)


def record_attendance(session: ConsultationSession, marks: dict[int, str], user=None
                      ) -> dict[int, list]:
    """Record ``{invitation_id: attendance}`` and mark the session held.

    Only invited or accepted invitations of this session take a mark. A
    present mark cannot be taken back once that expert has submitted an
    opinion. Returns ``{invitation_id: [old, new]}`` of what changed."""
    _ensure_not_issued(session)
    if session.status not in {SessionStatus.SCHEDULED, *RECORDING_STATUSES}:
        raise DomainError(_("Attendance can only be recorded for a scheduled or held session."))
    if utcnow() < session.starts_at:
        raise DomainError(_("Attendance can be recorded once the session has started."))
    invitations = {i.id: i for i in attendable_invitations(session)}
    if not marks:
        raise DomainError(_("Mark the attendance of at least one expert."))
    changes = {}
    for invitation_id, mark in marks.items():
        invitation = invitations.get(invitation_id)
        if invitation is None:
            raise DomainError(_("Attendance can only be recorded for invited experts "
                                "who have not declined."))
        if mark not in {a.value for a in Attendance}:
            raise DomainError(_("Choose present, absent or excused."))
        if invitation.attendance == mark:
            continue
        if invitation.attendance == Attendance.PRESENT and opinion_of(
                session, invitation.expert_id) is not None:
            raise DomainError(_("%(name)s has already submitted an opinion and stays "
                                "recorded as present.", name=invitation.expert.name))
        changes[invitation_id] = [invitation.attendance, mark]
        invitation.attendance = mark
        if mark != Attendance.PRESENT:
            stop_opinion_reminders(invitation)
    held_now = session.status == SessionStatus.SCHEDULED
    if held_now:
        session.status = SessionStatus.HELD.value
    if minutes_of(session) is None:
        db.session.add(SessionMinutes(session=session))
    if changes or held_now:
        record("session.attendance_recorded", session,
               {"changes": {str(k): v for k, v in changes.items()},
                "status": session.status}, user=user)
    return changes


# Minutes


def minutes_of(session: ConsultationSession) -> SessionMinutes | None:
    return db.session.scalar(select(SessionMinutes).where(SessionMinutes.session_id == session.id))


def current_revision(minutes: SessionMinutes | None) -> MinutesRevision | None:
    """The latest revision (the current text), or None before the first save."""
    if minutes is None:
        return None
    return db.session.scalar(select(MinutesRevision).where(
        MinutesRevision.minutes_id == minutes.id).order_by(MinutesRevision.number.desc()).limit(1))


def save_minutes(session: ConsultationSession, text: str, based_on_revision: int, user
                 ) -> MinutesRevision | None:
    """Save ``text`` as the next revision of the minutes.

    ``based_on_revision`` is the revision the editor started from (0 for the
    first). If anyone saved after it, nothing is saved and ``StaleMinutesError``
    names them. Returns the new revision, or None when the text is unchanged."""
    _ensure_not_issued(session)
    minutes = minutes_of(session)
    if minutes is None or session.status not in RECORDING_STATUSES:
        raise DomainError(_("Minutes can be written once the attendance is recorded."))
    text = text.strip()
    if not text:
        raise DomainError(_("The minutes cannot be empty."))
    latest = current_revision(minutes)
    if latest is not None and latest.number == based_on_revision and latest.text == text:
        return None
    # The conditional update is the lock: of two saves based on the same
    # revision, only the first finds it current (SQLite ignores FOR UPDATE).
    claimed = db.session.execute(
        update(SessionMinutes)
        .where(SessionMinutes.id == minutes.id, SessionMinutes.revision == based_on_revision)
        .values(revision=based_on_revision + 1)
    ).rowcount
    if claimed != 1:
        latest = current_revision(minutes)
        if latest is None or latest.number < based_on_revision:  # a number never saved
            raise DomainError(_("The minutes changed meanwhile; reload the page."))
        raise StaleMinutesError(latest)
    revision = MinutesRevision(minutes=minutes, number=based_on_revision + 1, text=text,
                               author_id=getattr(user, "id", None))
    db.session.add(revision)
    record("session.minutes_saved", session,
           {"revision": revision.number, "based_on": based_on_revision, "length": len(text)},
           user=user)
    return revision


# Opinions


def opinion_of(session: ConsultationSession, expert_id: int) -> ExpertOpinion | None:
    """An expert's opinion on ``session``, if they submitted one."""
    return db.session.scalar(select(ExpertOpinion).where(
        ExpertOpinion.session_id == session.id, ExpertOpinion.expert_id == expert_id))


def opinions(session: ConsultationSession) -> list[ExpertOpinion]:
    """All experts' opinions on ``session``, in the order they came in."""
    return list(db.session.scalars(
        select(ExpertOpinion).where(ExpertOpinion.session_id == session.id)
        .order_by(ExpertOpinion.submitted_at, ExpertOpinion.id)))


def opinion_open(session: ConsultationSession) -> bool:
    """Whether experts can still submit or change opinions on ``session``."""
    deadline = session.opinion_deadline
    return session.status == SessionStatus.HELD and (deadline is None or utcnow() < deadline)


def submit_opinion(session: ConsultationSession, expert_id: int, text: str, user=None
                   ) -> ExpertOpinion:
    """Submit or change the opinion of an expert who attended ``session``.

    Accepted until the opinion deadline and while the secretariat has not
    collected the opinions; refused afterwards, with nothing changed."""
    invitation = attended_invitation(session, expert_id)
    _ensure_not_issued(session)
    if session.status != SessionStatus.HELD:
        raise DomainError(_("The opinions of this session have been collected; "
                            "yours can no longer be submitted or changed."))
    if not opinion_open(session):
        raise DomainError(_("The opinion deadline (%(time)s) has passed; opinions can no "
                            "longer be submitted or changed.",
                            time=_shown(session.opinion_deadline)))
    text = text.strip()
    if not text:
        raise DomainError(_("Write your opinion before submitting it."))
    opinion = opinion_of(session, expert_id)
    now = utcnow()
    if opinion is None:
        opinion = ExpertOpinion(session=session, expert_id=expert_id, text=text,
                                submitted_at=now, updated_at=now)
        db.session.add(opinion)
        stop_opinion_reminders(invitation)
        action = "opinion.submitted"
    else:
        if opinion.text == text:
            return opinion
        opinion.text = text
        opinion.updated_at = now
        action = "opinion.updated"
    record(action, opinion, {"session_id": session.id, "expert_id": expert_id,
                             "length": len(text)}, user=user)
    return opinion


def missing_opinions(session: ConsultationSession) -> list[Invitation]:
    """Present experts who have not submitted an opinion."""
    submitted = {o.expert_id for o in opinions(session)}
    return [i for i in session.invitations
            if i.attendance == Attendance.PRESENT and i.expert_id not in submitted]


def collect_opinions(session: ConsultationSession, user=None) -> None:
    """Close the opinions of a held session (status opinions_collected).

    Before the deadline this is only possible once every present expert has
    submitted, so that no expert loses the time they were promised."""
    _ensure_not_issued(session)
    if session.status != SessionStatus.HELD:
        raise DomainError(_("Only a held session's opinions can be collected."))
    missing = missing_opinions(session)
    if missing and opinion_open(session):
        raise DomainError(_("%(n)d attending experts have not submitted an opinion and the "
                            "deadline has not passed yet.", n=len(missing)))
    session.status = SessionStatus.OPINIONS_COLLECTED.value
    record("session.opinions_collected", session,
           {"opinions": len(opinions(session)), "missing": [i.expert_id for i in missing]},
           user=user)


def consolidated_of(session: ConsultationSession) -> ConsolidatedOpinion | None:
    return db.session.scalar(
        select(ConsolidatedOpinion).where(ConsolidatedOpinion.session_id == session.id))


def issue_consolidated_opinion(session: ConsultationSession, text: str, user
                               ) -> ConsolidatedOpinion:
    """Issue the secretariat's consolidated opinion; the session is then frozen."""
    _ensure_not_issued(session)
    if session.status != SessionStatus.OPINIONS_COLLECTED:
        raise DomainError(_("Collect the experts' opinions before issuing the "
                            "consolidated opinion."))
    text = text.strip()
    if not text:
        raise DomainError(_("The consolidated opinion cannot be empty."))
    consolidated = ConsolidatedOpinion(session=session, text=text,
                                       issued_by_id=getattr(user, "id", None))
    db.session.add(consolidated)
    session.status = SessionStatus.ISSUED.value
    record("session.issued", session, {"length": len(text)}, user=user)
    return consolidated
