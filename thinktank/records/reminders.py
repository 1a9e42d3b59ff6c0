"""The reminder to the secretariat when ratings are still missing five working
days after a session was held or a round finalized (working days skip weekends
and the ``HOLIDAYS`` of the app config, ISO dates)."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.audit.models import AuditEntry
from thinktank.consultations.models import Attendance, ConsultationSession, Invitation
from thinktank.extensions import db
from thinktank.notifications.services import enqueue
from thinktank.records.models import ExpertRating, RatingSubject
from thinktank.records.ratings import RATABLE_ROUND_STATUSES, RATABLE_SESSION_STATUSES
from thinktank.records.working_days import add_working_days, parse_holidays
from thinktank.reviews.models import PanelMember, ReviewPanel, ReviewRound, RoundStatus
from thinktank.timeutil import to_display, today_in_display_zone, utcnow

REMINDER_KIND = "rating_reminder"
REMINDER_WORKING_DAYS = 5


@dataclass(frozen=True)
class Overdue:
    """A session or round with ``missing`` experts still unrated, ``since`` the day it ended."""

    type: RatingSubject
    id: int
    title: str
    since: date
    missing: int


def _rated(subject_type: RatingSubject) -> set[tuple[int, int]]:
    return {tuple(row) for row in db.session.execute(
        select(ExpertRating.subject_id, ExpertRating.expert_id)
        .where(ExpertRating.subject_type == subject_type.value))}


def _unrated(participations, rated: set[tuple[int, int]]) -> dict[int, int]:
    """How many participants of each subject are not rated, by subject id."""
    missing: dict[int, int] = {}
    for subject_id, expert_id in participations:
        if (subject_id, expert_id) not in rated:
            missing[subject_id] = missing.get(subject_id, 0) + 1
    return missing


def _overdue_sessions() -> list[Overdue]:
    present = db.session.execute(
        select(Invitation.session_id, Invitation.expert_id)
        .join(ConsultationSession, Invitation.session_id == ConsultationSession.id)
        .where(ConsultationSession.status.in_([s.value for s in RATABLE_SESSION_STATUSES]),
               Invitation.attendance == Attendance.PRESENT.value))
    missing = _unrated(present, _rated(RatingSubject.SESSION))
    sessions = db.session.scalars(
        select(ConsultationSession).where(ConsultationSession.id.in_(missing)))
    return [Overdue(RatingSubject.SESSION, s.id, s.title, to_display(s.ends_at).date(),
                    missing[s.id]) for s in sessions]


def _finalized_on(round_ids) -> dict[int, date]:
    """The day each round was finalized, from the audit of its status changes."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "review_round.status_changed",
                                 AuditEntry.target_type == ReviewRound.__name__,
                                 AuditEntry.target_id.in_(round_ids))
        .order_by(AuditEntry.at))
    return {e.target_id: to_display(e.at).date() for e in entries
            if e.payload.get("to") == RoundStatus.FINALIZED.value}


def _overdue_rounds() -> list[Overdue]:
    members = db.session.execute(
        select(ReviewPanel.round_id, PanelMember.expert_id)
        .join(PanelMember, PanelMember.panel_id == ReviewPanel.id)
        .join(ReviewRound, ReviewPanel.round_id == ReviewRound.id)
        .where(ReviewRound.status.in_([s.value for s in RATABLE_ROUND_STATUSES]),
               PanelMember.is_backup.is_(False), PanelMember.removed_at.is_(None))
        .distinct())
    missing = _unrated(members, _rated(RatingSubject.ROUND))
    finalized = _finalized_on(list(missing))
    rounds = db.session.scalars(select(ReviewRound).where(ReviewRound.id.in_(missing)))
    # A round finalized without the workflow (imported, or set by hand) counts
    # from its last change.
    return [Overdue(RatingSubject.ROUND, r.id, r.name,
                    finalized.get(r.id) or to_display(r.updated_at).date(), missing[r.id])
            for r in rounds]


def overdue(today: date) -> list[Overdue]:
    """Sessions and rounds whose ratings are still missing five working days after they ended."""
    holidays = parse_holidays(current_app.config.get("HOLIDAYS", ()))
    return [item for item in _overdue_sessions() + _overdue_rounds()
            if add_working_days(item.since, REMINDER_WORKING_DAYS, holidays) <= today]


def _ratings_url(item: Overdue) -> str:
    if item.type == RatingSubject.SESSION:
        return url_for("records.session_ratings", session_id=item.id, _external=True)
    return url_for("records.round_ratings", round_id=item.id, _external=True)


def queue_rating_reminders(today: date) -> int:
    """Queue one mail to the secretariat per overdue session or round, in the
    current transaction; returns how many are overdue. Safe to run daily: each
    subject is reminded once."""
    config = current_app.config
    items = overdue(today)
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        for item in items:
            enqueue(
                kind=REMINDER_KIND,
                dedupe_key=f"{REMINDER_KIND}:{item.type.value}:{item.id}",
                recipient_email=config["SECRETARIAT_EMAIL"],
                recipient_name=_("Secretariat"),
                subject=_("Expert ratings missing: %(title)s", title=item.title),
                text_body=_(
                    "%(count)s experts of %(title)s (%(day)s) are not rated yet.\n"
                    "Please rate them here:\n%(url)s\n",
                    count=item.missing, title=item.title, day=item.since.isoformat(),
                    url=_ratings_url(item)),
                due_at=utcnow(),
                subject_type=f"{item.type.value}_ratings",
                subject_id=item.id,
            )
    return len(items)


def rating_reminders_job() -> int:
    """Queue today's rating reminders and commit; returns how many sessions or
    rounds are overdue. The scheduler's job (``thinktank/jobs.py``) and ``flask
    records rating-reminders``; the links need a request to ``SITE_URL``
    (``site_context``)."""
    count = queue_rating_reminders(today_in_display_zone())
    db.session.commit()
    if count:
        current_app.logger.info("rating reminders: %d sessions or rounds", count)
    return count
