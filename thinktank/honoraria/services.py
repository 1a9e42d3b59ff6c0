"""Honoraria of a consultation session (experts recorded present) and of a
review round (submitted score sheets), each loaded in a constant number of
queries, and the audited payment-sheet exports."""

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from thinktank.audit.services import record
from thinktank.consultations.models import Attendance, ConsultationSession, Invitation
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.honoraria import rules
from thinktank.honoraria.exporter import payment_workbook
from thinktank.reviews.models import Application, ReviewRound, ScoreSheet, SheetStatus


@dataclass(frozen=True)
class Line:
    """One payee: ``quantity`` is days (session) or submitted sheets (round)."""

    name: str
    organisation: str
    title: str
    band: rules.Band
    quantity: Decimal
    rate: Decimal
    amount: Decimal

    def computation(self, per_item: bool) -> str:
        """How the amount follows from the rate, for a reader to check: a half
        day is not half the day rate (``rules.session_amount``)."""
        if not per_item and self.quantity == rules.HALF_DAY:
            return _("half day: %(rate)s × %(share)s%% = %(amount)s",
                     rate=self.rate, share=f"{(rules.HALF_DAY_SHARE * 100).normalize():f}",
                     amount=self.amount)
        return f"{self.quantity} × {self.rate} = {self.amount}"


@dataclass(frozen=True)
class Honoraria:
    """A payment sheet: its title, whether quantities are days or items, the lines and total."""

    title: str
    per_item: bool
    lines: list[Line]
    total: Decimal


def current_rates() -> rules.Rates:
    """The configured rates; a rate outside the guidance is refused."""
    try:
        return rules.rates_from_config(current_app.config)
    except rules.RateError as error:
        if error.low is None:
            raise DomainError(_("The honoraria setting %(key)s (%(value)s) must be a positive "
                                "amount in yuan.", key=error.key, value=error.value)) from error
        raise DomainError(_("The honoraria setting %(key)s (%(value)s) must lie between "
                            "%(low)s and %(high)s yuan.", key=error.key, value=error.value,
                            low=error.low, high=error.high)) from error


def _honoraria(title: str, per_item: bool, lines: list[Line]) -> Honoraria:
    return Honoraria(title=title, per_item=per_item, lines=lines,
                     total=rules.checked_total(line.amount for line in lines))


def session_honoraria(session: ConsultationSession) -> Honoraria:
    """The fees of the experts recorded present at ``session`` (one query):
    a session of at most four hours is a half day at 60 % of the day rate."""
    rates = current_rates()
    days = rules.session_days(session.ends_at - session.starts_at)
    experts = db.session.scalars(
        select(Expert).join(Invitation, Invitation.expert_id == Expert.id)
        .where(Invitation.session_id == session.id,
               Invitation.attendance == Attendance.PRESENT.value)
        .order_by(Expert.name_pinyin, Expert.id)
    ).all()
    lines = []
    for expert in experts:
        band = rules.title_band(expert.title)
        lines.append(Line(expert.name, expert.organisation, expert.title or "", band, days,
                          rates.day[band], rules.session_amount(rates, band, days)))
    return _honoraria(session.title, False, lines)


def round_honoraria(review_round: ReviewRound) -> Honoraria:
    """The correspondence-review fees of ``review_round`` (one query): each
    expert is paid per submitted sheet, at the per-item rate capped at half
    their band's day rate. Drafts, reopened sheets and conflicts are not paid."""
    rates = current_rates()
    rows = db.session.execute(
        select(Expert, func.count(ScoreSheet.id))
        .join(ScoreSheet, ScoreSheet.expert_id == Expert.id)
        .join(Application, Application.id == ScoreSheet.application_id)
        .where(Application.round_id == review_round.id,
               ScoreSheet.status == SheetStatus.SUBMITTED.value)
        .group_by(Expert.id)
        .order_by(Expert.name_pinyin, Expert.id)
    ).all()
    lines = []
    for expert, items in rows:
        band = rules.title_band(expert.title)
        lines.append(Line(expert.name, expert.organisation, expert.title or "", band,
                          Decimal(items), rates.review_item(band),
                          rules.review_amount(rates, band, items)))
    return _honoraria(review_round.name, True, lines)


def export(target: ConsultationSession | ReviewRound, *, actor: str | None = None) -> bytes:
    """The 劳务费发放表 of a session or a round as .xlsx. It lists payments to
    named people, so the export is audited; the caller commits."""
    if isinstance(target, ConsultationSession):
        honoraria, action = session_honoraria(target), "honoraria.session_exported"
    else:
        honoraria, action = round_honoraria(target), "honoraria.round_exported"
    record(action, target, {"payees": len(honoraria.lines), "total": str(honoraria.total)},
           actor=actor)
    return payment_workbook(honoraria)
