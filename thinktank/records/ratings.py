"""Rating experts after a held session or a finalized round (专家考核).

Settings (app config, with the defaults below): ``RATING_MODE`` ("score": a
0..100 score; "levels": one of ``RATING_LEVELS``, stored with its points),
``RATING_LEVELS`` (pairs of name and points). The running evaluation is in
``evaluation.py``."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.audit.services import record
from thinktank.consultations.access import OFFICIAL_STATUSES
from thinktank.consultations.models import Attendance, ConsultationSession, Invitation
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.records.models import ExpertRating, RatingSubject
from thinktank.reviews.models import PanelMember, ReviewPanel, ReviewRound
from thinktank.reviews.results import FINAL_STATUSES
from thinktank.timeutil import utcnow

DEFAULT_LEVELS = (("优秀", 95), ("良好", 85), ("合格", 70), ("不合格", 50))

# A session is rated once it took place, a round once its results are locked.
RATABLE_SESSION_STATUSES = OFFICIAL_STATUSES
RATABLE_ROUND_STATUSES = FINAL_STATUSES


def uses_levels() -> bool:
    return current_app.config.get("RATING_MODE", "score") == "levels"


def levels() -> dict[str, int]:
    """The configured levels and the points each stands for."""
    return dict(current_app.config.get("RATING_LEVELS", DEFAULT_LEVELS))


@dataclass(frozen=True)
class Subject:
    """What the ratings are about: a session or a round, with its title."""

    type: RatingSubject
    id: int
    title: str


def session_subject(session: ConsultationSession) -> Subject:
    if session.status not in RATABLE_SESSION_STATUSES:
        raise DomainError(_("Experts are rated once the session has been held."))
    return Subject(RatingSubject.SESSION, session.id, session.title)


def round_subject(review_round: ReviewRound) -> Subject:
    if review_round.status not in RATABLE_ROUND_STATUSES:
        raise DomainError(_("Experts are rated once the round's results are finalized."))
    return Subject(RatingSubject.ROUND, review_round.id, review_round.name)


def participants(subject: Subject) -> list[Expert]:
    """Who is rated: the experts present at the session, or the round's active
    panel members (on any of its panels), by name."""
    if subject.type == RatingSubject.SESSION:
        query = (select(Expert).join(Invitation, Invitation.expert_id == Expert.id)
                 .where(Invitation.session_id == subject.id,
                        Invitation.attendance == Attendance.PRESENT.value))
    else:
        query = (select(Expert).join(PanelMember, PanelMember.expert_id == Expert.id)
                 .join(ReviewPanel, PanelMember.panel_id == ReviewPanel.id)
                 .where(ReviewPanel.round_id == subject.id, PanelMember.is_backup.is_(False),
                        PanelMember.removed_at.is_(None)))
    return list(db.session.scalars(query.distinct().order_by(Expert.name, Expert.id)))


def ratings_of(subject: Subject) -> dict[int, ExpertRating]:
    """The subject's ratings by expert id."""
    return {r.expert_id: r for r in db.session.scalars(
        select(ExpertRating).where(ExpertRating.subject_type == subject.type.value,
                                   ExpertRating.subject_id == subject.id))}


def rate(subject: Subject, expert: Expert, *, score: int | None = None,
         level: str | None = None, comment: str = "", user=None) -> ExpertRating:
    """Rate (or rate again) ``expert`` for ``subject``: a score in "score" mode,
    a level (stored with its points) in "levels" mode. The caller commits."""
    if expert.id not in {e.id for e in participants(subject)}:
        raise DomainError(_("%(name)s did not take part and cannot be rated here.",
                            name=expert.name))
    if uses_levels():
        if level not in levels():
            raise DomainError(_("Choose one of the levels."))
        score = levels()[level]
    else:
        level = None
        if score is None or not 0 <= score <= 100:
            raise DomainError(_("Enter a score from 0 to 100."))
    rating = ratings_of(subject).get(expert.id)
    if rating is None:
        rating = ExpertRating(expert_id=expert.id, subject_type=subject.type.value,
                              subject_id=subject.id)
        db.session.add(rating)
    previous = rating.score
    rating.score, rating.level = score, level
    rating.comment = (comment or "").strip()[:200] or None
    rating.rated_by_id = getattr(user, "id", None)
    rating.rated_at = utcnow()
    db.session.flush()
    record("expert.rated", expert,
           {"subject": subject.type.value, "subject_id": subject.id, "score": score,
            "level": level, "previous": previous}, user=user)
    return rating
