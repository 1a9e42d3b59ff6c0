"""Scoring progress of a round for the secretariat: per application and per
expert, which score sheets are still missing; and the scoring reminders 48 and
24 hours before the deadline to experts with unsubmitted sheets (outbox rows).

A sheet is done when it is submitted or declares a conflict (the expert is
excused). Who scores what follows ``panels.assigned_members``: the active
members of the application's panel (its group's, else the round's), and
replacements named for that application only.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.notifications.services import cancel_pending, enqueue
from thinktank.reviews.models import (
    Application,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from thinktank.reviews.panels import panels_of
from thinktank.timeutil import to_display, utcnow, zone_label

DONE = frozenset({SheetStatus.SUBMITTED, SheetStatus.CONFLICT})
REMINDER_KIND = "review_scoring_reminder"
REMINDER_HOURS = (48, 24)  # before the scoring deadline
MEMBER_SUBJECT = "review_panel_member"


@dataclass
class Cell:
    """One expert's sheet (or none yet) for one application."""

    member: PanelMember
    sheet: ScoreSheet | None

    @property
    def status(self) -> str | None:
        return self.sheet.status if self.sheet else None

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass
class ApplicationProgress:
    application: Application
    cells: list[Cell]

    @property
    def missing(self) -> list[Cell]:
        return [cell for cell in self.cells if not cell.done]


@dataclass
class ExpertProgress:
    member: PanelMember  # the expert's first membership in the round
    submitted: int = 0
    conflicts: int = 0
    missing: list[Application] = field(default_factory=list)

    @property
    def expert(self):
        return self.member.expert

    @property
    def assigned(self) -> int:
        return self.submitted + self.conflicts + len(self.missing)


@dataclass
class RoundProgress:
    applications: list[ApplicationProgress]
    experts: list[ExpertProgress]

    @property
    def missing(self) -> list[tuple[Application, PanelMember]]:
        """Every (application, member) whose sheet is neither submitted nor a conflict."""
        return [(row.application, cell.member)
                for row in self.applications for cell in row.missing]


def _panel_of(application: Application, by_group: dict[int | None, ReviewPanel]
              ) -> ReviewPanel | None:
    # As panels.panel_for: the group's own panel first, else the round's.
    return by_group.get(application.group_id) or by_group.get(None)


def round_progress(review_round: ReviewRound) -> RoundProgress:
    """Every application's sheets and every expert's missing sheets, in a
    constant number of queries (panels with members and experts, the
    applications, the sheets)."""
    by_group = {panel.group_id: panel for panel in panels_of(review_round)}
    applications = db.session.scalars(
        select(Application).where(Application.round_id == review_round.id)
        .order_by(Application.number, Application.id)
    ).all()
    sheets = {
        (sheet.application_id, sheet.expert_id): sheet
        for sheet in db.session.scalars(select(ScoreSheet).where(
            ScoreSheet.application_id.in_(
                select(Application.id).where(Application.round_id == review_round.id))))
    }
    rows, experts = [], {}
    for application in applications:
        panel = _panel_of(application, by_group)
        members = [m for m in panel.members
                   if m.active and m.application_id in (None, application.id)] if panel else []
        cells = [Cell(m, sheets.get((application.id, m.expert_id))) for m in members]
        rows.append(ApplicationProgress(application, cells))
        for cell in cells:
            expert = experts.setdefault(cell.member.expert_id, ExpertProgress(cell.member))
            if cell.status == SheetStatus.SUBMITTED:
                expert.submitted += 1
            elif cell.status == SheetStatus.CONFLICT:
                expert.conflicts += 1
            else:
                expert.missing.append(application)
    ordered = sorted(experts.values(), key=lambda e: (-len(e.missing), e.expert.name))
    return RoundProgress(rows, ordered)


# --- reminders ----------------------------------------------------------------------------


def _reminder_prefix(review_round: ReviewRound, expert_id: int, hours: int) -> str:
    return f"{REMINDER_KIND}:round:{review_round.id}:expert:{expert_id}:{hours}h"


def schedule_reminders(review_round: ReviewRound, now: datetime | None = None) -> int:
    """Queue the scoring reminders of a round entering scoring: to every panel
    member with a sheet still to do, one mail 48 and one 24 hours before the
    deadline; those already past are not queued. Returns how many were queued.

    The dedupe key is per round, expert and offset, with a count of earlier
    ones: a reminder already pending is not queued twice, while a round that
    re-enters scoring after its reminders were cancelled gets new ones."""
    deadline = review_round.scoring_deadline
    if deadline is None:
        return 0
    now = now or utcnow()
    earlier: dict[str, list[str]] = {}
    for key, status in db.session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.dedupe_key.startswith(f"{REMINDER_KIND}:round:{review_round.id}:"))
    ):
        earlier.setdefault(key.rsplit(":", 1)[0], []).append(status)
    queued = 0
    for expert in round_progress(review_round).experts:
        if not expert.missing:
            continue
        for hours in REMINDER_HOURS:
            due_at = deadline - timedelta(hours=hours)
            prefix = _reminder_prefix(review_round, expert.member.expert_id, hours)
            statuses = earlier.get(prefix, [])
            if due_at <= now or OutboxStatus.PENDING.value in statuses:
                continue
            _enqueue_reminder(review_round, expert.member, f"{prefix}:{len(statuses)}", due_at)
            queued += 1
    return queued


def remind_now(review_round: ReviewRound, now: datetime | None = None) -> int:
    """催办: queue a reminder, due at once, to every panel member with a sheet
    still to do in a round being scored. The dedupe key is per round, expert
    and day (display zone): a second click the same day queues nothing more.
    Returns how many reminders were queued. The caller commits."""
    if review_round.status != RoundStatus.SCORING:
        raise DomainError(_("Reminders can be sent only while the round is being scored."))
    now = now or utcnow()
    day = to_display(now).date().isoformat()
    members = {f"{REMINDER_KIND}:round:{review_round.id}:expert:{expert.member.expert_id}"
               f":now:{day}": expert.member
               for expert in round_progress(review_round).experts if expert.missing}
    queued_before = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_(list(members)))))
    for key, member in members.items():
        if key not in queued_before:
            _enqueue_reminder(review_round, member, key, now)
    return len(members) - len(queued_before)


def _enqueue_reminder(review_round: ReviewRound, member: PanelMember, key: str,
                      due_at: datetime) -> None:
    config = current_app.config
    expert = member.expert
    url = url_for("main.index", _external=True)
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        if review_round.scoring_deadline is None:
            subject = _("Reminder: score sheets of %(round)s are waiting for you",
                        round=review_round.name)
            body = _(
                "Dear %(expert)s,\n\nYou still have score sheets of %(round)s that are not "
                "submitted. Please score and submit them, or declare a conflict, here:\n"
                "%(url)s\n\nThe secretariat\n",
                expert=expert.name, round=review_round.name, url=url)
        else:
            deadline = to_display(review_round.scoring_deadline).strftime("%Y-%m-%d %H:%M")
            subject = _("Reminder: scoring for %(round)s closes at %(deadline)s",
                        round=review_round.name, deadline=deadline)
            body = _(
                "Dear %(expert)s,\n\nYou still have score sheets of %(round)s that are not "
                "submitted. Scoring closes at %(deadline)s (%(zone)s). Please score and submit "
                "them, or declare a conflict, here:\n%(url)s\n\nThe secretariat\n",
                expert=expert.name, round=review_round.name, deadline=deadline,
                zone=zone_label(), url=url)
    enqueue(
        kind=REMINDER_KIND,
        dedupe_key=key,
        recipient_email=expert.email,
        recipient_name=expert.name,
        subject=subject,
        text_body=body,
        due_at=due_at,
        reply_to=config["SECRETARIAT_EMAIL"],
        subject_type=MEMBER_SUBJECT,
        subject_id=member.id,
        expert_id=expert.id,
    )


def _members_of(review_round: ReviewRound, expert_id: int | None = None) -> list[int]:
    query = (select(PanelMember.id).join(PanelMember.panel)
             .where(ReviewPanel.round_id == review_round.id))
    if expert_id is not None:
        query = query.where(PanelMember.expert_id == expert_id)
    return list(db.session.scalars(query))


def cancel_reminders(review_round: ReviewRound, expert_id: int | None = None) -> int:
    """Cancel the pending scoring reminders of the round (a round leaving
    scoring), or only those of one expert. Returns how many were cancelled."""
    return sum(cancel_pending(MEMBER_SUBJECT, member_id, [REMINDER_KIND])
               for member_id in _members_of(review_round, expert_id))


def cancel_reminders_if_done(review_round: ReviewRound, expert_id: int) -> int:
    """Cancel the expert's pending reminders once none of their sheets in the
    round is left to do (an outbox row cannot check this when it is sent).
    Call it after a sheet is submitted or a conflict declared."""
    expert = next((e for e in round_progress(review_round).experts
                   if e.member.expert_id == expert_id), None)
    if expert is not None and expert.missing:
        return 0
    return cancel_reminders(review_round, expert_id)


# --- finalization -------------------------------------------------------------------------

MISSING_LISTED = 20  # a longer list is cut, with the count of the rest


def check_complete(review_round: ReviewRound) -> None:
    """Refuse (``DomainError``) to finalize a round while any assigned sheet is
    neither submitted nor a declared conflict; the message lists what is missing."""
    missing = [f"{application.number} {member.expert.name}"
               for application, member in round_progress(review_round).missing]
    if not missing:
        return
    listed = "；".join(missing[:MISSING_LISTED])
    if len(missing) > MISSING_LISTED:
        listed += _(" and %(n)d more", n=len(missing) - MISSING_LISTED)
    raise DomainError(_(
        "The round cannot be finalized yet: %(n)d score sheets are neither submitted nor "
        "excused by a declared conflict (%(missing)s).", n=len(missing), missing=listed))
