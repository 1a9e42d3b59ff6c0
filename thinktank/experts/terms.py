"""Terms of appointment (聘期): experts whose term ends soon are listed and
reminded; a renewal extends the term and is recorded. Experts whose term has
ended are not drawn (the draw rules check ``Expert.term_covers``)."""

from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.experts.models import Expert, ExpertStatus, TermRenewal
from thinktank.extensions import db
from thinktank.notifications.services import enqueue
from thinktank.timeutil import to_display, utcnow

REMINDER_WINDOW = timedelta(days=30)
REMINDER_KIND = "term_reminder"


def today() -> date:
    """Today's date where the think tank works (the display time zone)."""
    return to_display(utcnow()).date()


def _active():
    return select(Expert).where(Expert.status == ExpertStatus.ACTIVE.value)


def ending_soon(day: date) -> list[Expert]:
    """Active experts whose term ends within 30 days from ``day`` (inclusive)."""
    return list(db.session.scalars(
        _active().where(Expert.term_end >= day, Expert.term_end <= day + REMINDER_WINDOW)
        .order_by(Expert.term_end, Expert.name_pinyin)
    ))


def expired(day: date) -> list[Expert]:
    """Active experts whose term ended before ``day``: they are not drawn."""
    return list(db.session.scalars(
        _active().where(Expert.term_end < day).order_by(Expert.term_end, Expert.name_pinyin)
    ))


def reminder_key(expert: Expert) -> str:
    return f"term:{expert.id}:{expert.term_end.isoformat()}"


def queue_term_reminders(day: date) -> int:
    """Queue one reminder mail per expert whose term ends within 30 days, in
    the current transaction; returns how many experts that concerns.

    Safe to run daily: the key names the term end, so an expert is reminded
    once per term end, and again after a renewal moves the end."""
    config = current_app.config
    experts = ending_soon(day)
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        for expert in experts:
            end = expert.term_end.isoformat()
            enqueue(
                kind=REMINDER_KIND,
                dedupe_key=reminder_key(expert),
                recipient_email=expert.email,
                recipient_name=expert.name,
                subject=_("Your term in the expert pool ends on %(date)s", date=end),
                text_body=_(
                    "Dear %(expert)s,\n\nYour term in the biomanufacturing expert think tank "
                    "ends on %(date)s. If you wish to continue, please contact the secretariat "
                    "by replying to this mail.\n%(url)s\n\nThe secretariat\n",
                    expert=expert.name, date=end, url=url_for("main.index", _external=True)),
                due_at=utcnow(),
                reply_to=config["SECRETARIAT_EMAIL"],
                subject_type="expert",
                subject_id=expert.id,
                expert_id=expert.id,
            )
    return len(experts)


def term_reminders_job() -> int:
    """Queue today's term reminders and commit; returns how many experts that
    concerns. The scheduler's job (``thinktank/jobs.py``) and ``flask experts
    term-reminders``; the links need a request to ``SITE_URL`` (``site_context``)."""
    count = queue_term_reminders(today())
    db.session.commit()
    if count:
        current_app.logger.info("term reminders: %d experts", count)
    return count


def renew_term(expert: Expert, new_end: date, reason: str, user) -> TermRenewal:
    """Extend the expert's term to ``new_end`` and record who did it and why.

    Raises ``DomainError`` without a reason or for an end not after the
    current one (a shortening is an edit of the record, not a renewal)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Please give a reason for the renewal."))
    if expert.term_end is not None and new_end <= expert.term_end:
        raise DomainError(_("The new term end must be after the current one (%(date)s).",
                            date=expert.term_end.isoformat()))
    renewal = TermRenewal(expert=expert, old_end=expert.term_end, new_end=new_end,
                          reason=reason, renewed_by_id=user.id, renewed_at=utcnow())
    expert.term_end = new_end
    db.session.add(renewal)
    record("expert.renew_term", expert,
           {"old_end": renewal.old_end.isoformat() if renewal.old_end else None,
            "new_end": new_end.isoformat(), "reason": reason}, user=user)
    return renewal
