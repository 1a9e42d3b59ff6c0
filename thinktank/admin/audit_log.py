"""The audit log as an auditor reads it: each act by its label, the object by
its name with a link to its page, the details as labelled fields, times in
the display zone; filtered, and exported to Excel.

The log itself (``thinktank.audit``) sits below every area and stores a kind
of object and an id. This module sits in the admin area, above the areas, so
it may name their objects: one query per kind of object on a page, and one
for the people it names, however many entries the page shows."""

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from thinktank.audit.labels import ACTION_LABELS, PAYLOAD_LABELS
from thinktank.audit.models import AuditEntry
from thinktank.audit.services import record
from thinktank.auth.models import User
from thinktank.consultations.models import (
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    SessionSeries,
)
from thinktank.draws.models import Draw
from thinktank.experts.models import Expert, ExpertiseField
from thinktank.extensions import db
from thinktank.notices.models import Notice
from thinktank.notifications.models import OutboxMessage
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import (
    Application,
    GroupOpinion,
    ReviewGroup,
    ReviewPanel,
    ReviewRound,
    ScoreSheet,
)
from thinktank.spreadsheets import workbook_bytes
from thinktank.timeutil import from_display, to_display, zone_label

PER_PAGE = 50
# An export holds the whole filtered list; beyond this the filters should narrow it.
MAX_EXPORT_ROWS = 10_000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


# --- the objects entries are about ------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """An object as the log shows it: its name, and its page if it has one."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Kind:
    """A kind of object the log records acts on: its label, and how to name
    (and link) many objects of the kind in one query."""

    label: Any
    resolve: Callable[[Collection[int]], dict[int, Shown]]


def _users(ids):
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {i: Shown(name, url_for("admin.user_edit", user_id=i)) for i, name in rows}


def _expert_name(name: str, code: str | None) -> str:
    return f"{name}（{code}）" if code else name


def _experts(ids):
    rows = db.session.execute(
        select(Expert.id, Expert.name, Expert.code).where(Expert.id.in_(ids)))
    return {i: Shown(_expert_name(name, code), url_for("experts.detail", expert_id=i))
            for i, name, code in rows}


def _fields(ids):
    rows = db.session.execute(
        select(ExpertiseField.id, ExpertiseField.name).where(ExpertiseField.id.in_(ids)))
    return {i: Shown(name, url_for("experts.fields")) for i, name in rows}


def _sessions(ids):
    rows = db.session.execute(select(ConsultationSession.id, ConsultationSession.title)
                              .where(ConsultationSession.id.in_(ids)))
    return {i: Shown(title, url_for("consultations.detail", session_id=i)) for i, title in rows}


def _series(ids):
    rows = db.session.execute(
        select(SessionSeries.id, SessionSeries.title).where(SessionSeries.id.in_(ids)))
    return {i: Shown(title) for i, title in rows}


def _invitations(ids):
    rows = db.session.execute(
        select(Invitation.id, Invitation.session_id, ConsultationSession.title, Expert.name,
               Expert.code)
        .join(Invitation.session).join(Expert, Expert.id == Invitation.expert_id)
        .where(Invitation.id.in_(ids)))
    return {i: Shown(_("%(expert)s, invited to %(session)s",
                       expert=_expert_name(name, code), session=title),
                     url_for("consultations.detail", session_id=session_id))
            for i, session_id, title, name, code in rows}


def _opinions(ids):
    rows = db.session.execute(
        select(ExpertOpinion.id, ExpertOpinion.session_id, ConsultationSession.title,
               Expert.name, Expert.code)
        .join(ExpertOpinion.session).join(Expert, Expert.id == ExpertOpinion.expert_id)
        .where(ExpertOpinion.id.in_(ids)))
    return {i: Shown(_("Opinion of %(expert)s on %(session)s",
                       expert=_expert_name(name, code), session=title),
                     url_for("consultations.consolidated", session_id=session_id))
            for i, session_id, title, name, code in rows}


def _draws(ids):
    found = db.session.scalars(select(Draw.id).where(Draw.id.in_(ids)))
    return {i: Shown(_("Random draw No. %(id)s", id=i), url_for("draws.detail", draw_id=i))
            for i in found}


def _rounds(ids):
    rows = db.session.execute(
        select(ReviewRound.id, ReviewRound.name).where(ReviewRound.id.in_(ids)))
    return {i: Shown(name, url_for("reviews.round_detail", round_id=i)) for i, name in rows}


def _groups(ids):
    rows = db.session.execute(
        select(ReviewGroup.id, ReviewGroup.round_id, ReviewGroup.name, ReviewRound.name)
        .join(ReviewGroup.round).where(ReviewGroup.id.in_(ids)))
    return {i: Shown(f"{round_name} · {name}", url_for("reviews.round_detail", round_id=round_id))
            for i, round_id, name, round_name in rows}


def _application_name(number: str, title: str) -> str:
    return f"{number} {title}"


def _applications(ids):
    rows = db.session.execute(select(Application.id, Application.number, Application.title)
                              .where(Application.id.in_(ids)))
    return {i: Shown(_application_name(number, title),
                     url_for("reviews.application_detail", application_id=i))
            for i, number, title in rows}


def _sheets(ids):
    rows = db.session.execute(
        select(ScoreSheet.id, ScoreSheet.application_id, Application.number, Application.title,
               Expert.name, Expert.code)
        .join(ScoreSheet.application).join(Expert, Expert.id == ScoreSheet.expert_id)
        .where(ScoreSheet.id.in_(ids)))
    return {i: Shown(_("Score sheet of %(expert)s for %(application)s",
                       expert=_expert_name(name, code),
                       application=_application_name(number, title)),
                     url_for("reviews.application_detail", application_id=application_id))
            for i, application_id, number, title, name, code in rows}


def _group_opinions(ids):
    rows = db.session.execute(
        select(GroupOpinion.id, GroupOpinion.application_id, Application.number,
               Application.title)
        .join(GroupOpinion.application).where(GroupOpinion.id.in_(ids)))
    return {i: Shown(_("Group opinion on %(application)s",
                       application=_application_name(number, title)),
                     url_for("reviews.application_detail", application_id=application_id))
            for i, application_id, number, title in rows}


def _panels(ids):
    rows = db.session.execute(
        select(ReviewPanel.id, ReviewRound.name, ReviewGroup.name)
        .join(ReviewPanel.round).outerjoin(ReviewPanel.group).where(ReviewPanel.id.in_(ids)))
    return {i: Shown(_("Panel of %(round)s", round=" · ".join(filter(None, names))),
                     url_for("reviews.panel_detail", panel_id=i))
            for i, *names in rows}


def _mails(ids):
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.subject, OutboxMessage.recipient_name)
        .where(OutboxMessage.id.in_(ids)))
    return {i: Shown(_("Mail “%(subject)s” to %(recipient)s", subject=subject,
                       recipient=recipient), url_for("notifications.outbox"))
            for i, subject, recipient in rows}


def _documents(ids):
    rows = db.session.execute(
        select(IssuedDocument.id, IssuedDocument.number, IssuedDocument.version,
               IssuedDocument.title)
        .where(IssuedDocument.id.in_(ids)))
    return {i: Shown(f"{number} {title}" if version == 1 else
                     _("%(number)s %(title)s (version %(version)d)", number=number,
                       title=title, version=version),
                     url_for("reports.detail", document_id=i))
            for i, number, version, title in rows}


def _notices(ids):
    rows = db.session.execute(select(Notice.id, Notice.title).where(Notice.id.in_(ids)))
    return {i: Shown(title, url_for("notices.detail", notice_id=i)) for i, title in rows}


# By the name the log stores (the model's class name), in the order of the filter's list.
KINDS = {
    Expert.__name__: Kind(_l("Expert"), _experts),
    ExpertiseField.__name__: Kind(_l("Expertise field"), _fields),
    ConsultationSession.__name__: Kind(_l("Consultation session"), _sessions),
    SessionSeries.__name__: Kind(_l("Recurring sessions"), _series),
    Invitation.__name__: Kind(_l("Session participant"), _invitations),
    ExpertOpinion.__name__: Kind(_l("Expert opinion"), _opinions),
    Draw.__name__: Kind(_l("Random draw"), _draws),
    ReviewRound.__name__: Kind(_l("Review round"), _rounds),
    ReviewGroup.__name__: Kind(_l("Review group"), _groups),
    Application.__name__: Kind(_l("Project application"), _applications),
    ReviewPanel.__name__: Kind(_l("Review panel"), _panels),
    ScoreSheet.__name__: Kind(_l("Score sheet"), _sheets),
    GroupOpinion.__name__: Kind(_l("Group opinion"), _group_opinions),
    IssuedDocument.__name__: Kind(_l("Issued document"), _documents),
    Notice.__name__: Kind(_l("Notice"), _notices),
    OutboxMessage.__name__: Kind(_l("Mail"), _mails),
    User.__name__: Kind(_l("User account"), _users),
}

# Details whose values are experts' ids: shown by the experts' names.
EXPERT_KEYS = frozenset({"expert", "expert_id", "experts", "replaces", "backup", "drawn",
                         "backups", "invited", "missing"})


# --- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    user_id: int | None = None
    kind: str = ""
    date_from: date | None = None  # days in the display zone, both included
    date_to: date | None = None


class AuditFilterForm(FlaskForm):
    """The log's query string; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    user = SelectField(_l("Who"), validators=[Optional()])
    kind = SelectField(_l("Kind of object"), validators=[Optional()])
    date_from = DateField(_l("From date"), validators=[Optional()])
    date_to = DateField(_l("To date"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _("All actions")), *ACTION_LABELS.items()]
        users = db.session.execute(select(User.id, User.name, User.email).order_by(User.name))
        self.user.choices = [("", _("Everyone"))] + [
            (str(i), f"{name}（{email}）") for i, name, email in users]
        self.kind.choices = [("", _("All kinds"))] + [
            (name, kind.label) for name, kind in KINDS.items()]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date is before the start date."))

    def filters(self) -> AuditFilters:
        """The filters of a validated form."""
        return AuditFilters(
            action=self.action.data or "",
            user_id=int(self.user.data) if self.user.data else None,
            kind=self.kind.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def messages(self) -> list[str]:
        """Each error, preceded by its field's label."""
        return [f"{self[name].label.text}：{error}"
                for name, errors in self.errors.items() for error in errors]


def _day_start(day: date) -> datetime:
    return from_display(datetime.combine(day, time.min))


def entries_query(filters: AuditFilters) -> Select:
    """The entries matching ``filters``, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.user_id is not None:
        query = query.where(AuditEntry.user_id == filters.user_id)
    if filters.kind:
        query = query.where(AuditEntry.target_type == filters.kind)
    if filters.date_from:
        query = query.where(AuditEntry.at >= _day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _day_start(filters.date_to + timedelta(days=1)))
    return query


# --- rows as read ------------------------------------------------------------------------


@dataclass
class Row:
    entry: AuditEntry
    at: datetime  # in the display zone
    actor: str
    action: str
    kind: str
    target: Shown | None
    details: list[tuple[str, str]] = field(default_factory=list)


def rows(entries: Iterable[AuditEntry]) -> list[Row]:
    """The entries as the page and the export show them."""
    entries = list(entries)
    ids_by_kind: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.target_type in KINDS and entry.target_id is not None:
            ids_by_kind[entry.target_type].add(entry.target_id)
    ids_by_kind[User.__name__] |= {e.user_id for e in entries if e.user_id is not None}
    expert_ids = {i for entry in entries for i in _expert_ids(entry.payload)}
    ids_by_kind[Expert.__name__] |= expert_ids
    shown = {name: KINDS[name].resolve(ids) if ids else {} for name, ids in ids_by_kind.items()}
    experts = {i: item.name for i, item in shown[Expert.__name__].items()}
    users = shown[User.__name__]
    return [
        Row(
            entry=entry,
            at=to_display(entry.at),
            actor=_actor(entry, users),
            action=str(ACTION_LABELS.get(entry.action, entry.action)),
            kind=str(KINDS[entry.target_type].label) if entry.target_type in KINDS
            else entry.target_type or "",
            target=_target(entry, shown),
            details=details(entry.payload, experts),
        )
        for entry in entries
    ]


def _target(entry: AuditEntry, shown: dict[str, dict[int, Shown]]) -> Shown | None:
    if entry.target_type is None:
        return None
    if entry.target_type not in KINDS:  # a kind this page does not know how to name
        return Shown(_("No. %(id)s", id=entry.target_id))
    found = shown[entry.target_type].get(entry.target_id)
    return found or Shown(_("No. %(id)s (since deleted)", id=entry.target_id))


def _actor(entry: AuditEntry, users: dict[int, Shown]) -> str:
    """Who acted: the person's name, the system, or what was typed at a failed
    sign-in."""
    if entry.user_id in users:
        return users[entry.user_id].name
    actor = entry.actor
    if actor in ("system", "renderer"):
        return _("System")
    if actor == "cli":
        return _("System (command line)")
    if actor == "anonymous":  # a visitor, or a background job outside any request
        return _("Not signed in") if entry.ip else _("System")
    if actor.startswith("rsvp-link:"):
        return _("Expert %(code)s, through the reply link", code=actor.partition(":")[2])
    return actor


def _expert_ids(payload: dict) -> Iterable[int]:
    for key, value in payload.items():
        if key in EXPERT_KEYS:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool):
                    yield item
        elif isinstance(value, dict):
            yield from _expert_ids(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from _expert_ids(item)


def details(payload: dict, experts: dict[int, str]) -> list[tuple[str, str]]:
    """The payload as (label, text) pairs: known keys by their label, unknown
    keys as they are; values as text, not JSON. The changes of an edit
    (``{"changes": {field: [before, after]}}``) are one pair per field."""
    shown = []
    for key, value in payload.items():
        if key == "changes" and isinstance(value, dict) and value:
            shown += [(_label(field_name), _text(change, field_name, experts, pair=True))
                      for field_name, change in value.items()]
        else:
            shown.append((_label(key), _text(value, key, experts)))
    return shown


def _label(key: str) -> str:
    return str(PAYLOAD_LABELS.get(key, key))


_AWARE_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)")


def _text(value: Any, key: str, experts: dict[int, str], pair: bool = False) -> str:
    """``value`` as text; ``pair`` when it is a change, ``[before, after]``."""
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int) and key in EXPERT_KEYS:
        return experts.get(value, str(value))
    if isinstance(value, str) and _AWARE_ISO_TIME.fullmatch(value):
        return to_display(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict):
        return "；".join(f"{_label(k)}：{_text(v, k, experts)}" for k, v in value.items())
    if isinstance(value, list):
        separator = " → " if pair and len(value) == 2 else "、"
        return separator.join(_text(item, key, experts) for item in value)
    return str(value)


# --- export ------------------------------------------------------------------------------


def audit_workbook(shown_rows: list[Row]) -> bytes:
    """The rows as an .xlsx: one line per entry, the details one per line in their cell."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Audit log")
    headers = [_("Time (%(zone)s)", zone=zone_label()), _("Who"), _("Action"),
               _("Kind of object"), _("Object"), _("Details"), _("From")]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in shown_rows:
        sheet.append([
            row.at.replace(tzinfo=None), row.actor, row.action, row.kind,
            row.target.name if row.target else "",
            "\n".join(f"{label}：{text}" for label, text in row.details),
            row.entry.ip or "",
        ])
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.cell(row=sheet.max_row, column=6).alignment = Alignment(wrap_text=True,
                                                                      vertical="top")
    for index, width in enumerate((20, 16, 30, 14, 36, 60, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


def export(filters: AuditFilters) -> bytes | None:
    """The filtered log as an .xlsx, or None when it holds more entries than
    one file should. The export is audited (it holds e-mail and IP
    addresses); the caller commits."""
    entries = db.session.scalars(entries_query(filters).limit(MAX_EXPORT_ROWS + 1)).all()
    if len(entries) > MAX_EXPORT_ROWS:
        return None
    data = audit_workbook(rows(entries))
    record("audit.exported", None, {
        "count": len(entries),
        "filters": {key: value.isoformat() if isinstance(value, date) else value
                    for key, value in asdict(filters).items() if value not in ("", None)},
    })
    return data
