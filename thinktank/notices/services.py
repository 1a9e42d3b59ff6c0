"""Posting notices to a filtered group of experts, and their read receipts."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import contains_eager

from thinktank.audit.services import record
from thinktank.errors import DomainError, Forbidden, NotFound
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus, expert_fields
from thinktank.extensions import db
from thinktank.notices.models import Notice, NoticeKind, NoticeRecipient
from thinktank.notifications.services import enqueue
from thinktank.timeutil import utcnow

MAIL_KIND = "notice"
SUBJECT_TYPE = "notice"


@dataclass(frozen=True)
class Audience:
    """Who a notice goes to: active experts matching any of the listed values
    of each non-empty list (an empty list does not restrict)."""

    field_ids: tuple[int, ...] = ()
    cities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"fields": sorted(self.field_ids), "cities": sorted(self.cities),
                "categories": sorted(self.categories)}


@dataclass
class Receipts:
    read: list[NoticeRecipient] = field(default_factory=list)
    unread: list[NoticeRecipient] = field(default_factory=list)


def audience_query(audience: Audience):
    """The SELECT of the active experts an audience names (one query)."""
    query = select(Expert).where(Expert.status == ExpertStatus.ACTIVE.value)
    if audience.field_ids:
        query = query.where(Expert.id.in_(
            select(expert_fields.c.expert_id)
            .where(expert_fields.c.field_id.in_(audience.field_ids))
        ))
    if audience.cities:
        query = query.where(Expert.city.in_(audience.cities))
    if audience.categories:
        query = query.where(Expert.category.in_(audience.categories))
    return query.order_by(Expert.name_pinyin, Expert.id)


def dedupe_key(notice: Notice, expert: Expert) -> str:
    return f"notice:{notice.id}:expert:{expert.id}"


def post_notice(title: str, body: str, kind: NoticeKind | str, audience: Audience,
                user) -> Notice:
    """Post a notice: resolve its recipients now (later changes to the pool do
    not change who it was sent to), record them and queue one mail each.

    Raises ``DomainError`` for an empty title or body, an unknown kind, or an
    audience that matches no active expert."""
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        raise DomainError(_("A notice needs a title and a text."))
    try:
        kind = NoticeKind(kind)
    except ValueError as error:
        raise DomainError(_("Unknown kind of notice.")) from error
    experts = list(db.session.scalars(audience_query(audience)))
    if not experts:
        raise DomainError(_("No active expert matches the chosen filters."))
    notice = Notice(title=title, body=body, kind=kind.value, audience=audience.as_json(),
                    posted_by_id=user.id, posted_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    # One executemany for all recipients, so posting to the whole pool costs
    # the same number of statements as posting to a few.
    db.session.execute(insert(NoticeRecipient), [
        {"notice_id": notice.id, "expert_id": expert.id,
         "emailed_key": dedupe_key(notice, expert)}
        for expert in experts
    ])
    _enqueue_mails(notice, experts)
    record("notice.post", notice, {"title": title, "kind": kind.value,
                                   "audience": notice.audience, "recipients": len(experts)},
           user=user)
    return notice


def _enqueue_mails(notice: Notice, experts: Iterable[Expert]) -> None:
    config = current_app.config
    # Mails go to experts in the default language, whoever posted the notice.
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Notice from the secretariat: %(title)s", title=notice.title)
        for expert in experts:
            text = _(
                "Dear %(expert)s,\n\nThe secretariat has posted a notice:\n\n%(title)s\n\n"
                "%(body)s\n\nRead it in the think tank system:\n%(url)s\n\nThe secretariat\n",
                expert=expert.name, title=notice.title, body=notice.body,
                url=url_for("notices.my_notice", notice_id=notice.id, _external=True))
            enqueue(kind=MAIL_KIND, dedupe_key=dedupe_key(notice, expert),
                    recipient_email=expert.email, recipient_name=expert.name,
                    subject=subject, text_body=text, due_at=notice.posted_at,
                    reply_to=config["SECRETARIAT_EMAIL"], subject_type=SUBJECT_TYPE,
                    subject_id=notice.id, expert_id=expert.id)


def notices() -> list[Notice]:
    return list(db.session.scalars(select(Notice).order_by(Notice.posted_at.desc())))


def get_notice(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(_("The page or record does not exist."))
    return notice


def receipts(notice: Notice) -> Receipts:
    """Who read the notice (earliest first) and who did not yet."""
    rows = db.session.scalars(
        select(NoticeRecipient).join(NoticeRecipient.expert)
        .where(NoticeRecipient.notice_id == notice.id)
        .options(contains_eager(NoticeRecipient.expert))
        .order_by(NoticeRecipient.read_at, Expert.name_pinyin)
    ).all()
    result = Receipts()
    for row in rows:
        (result.read if row.read_at else result.unread).append(row)
    return result


def field_names(notice: Notice) -> list[str]:
    ids = notice.audience.get("fields") or []
    if not ids:
        return []
    return list(db.session.scalars(
        select(ExpertiseField.name).where(ExpertiseField.id.in_(ids))
        .order_by(ExpertiseField.position)
    ))


def notices_of(expert_id: int) -> list[NoticeRecipient]:
    """An expert's notices, newest first, with their read receipts."""
    return list(db.session.scalars(
        select(NoticeRecipient).join(NoticeRecipient.notice)
        .where(NoticeRecipient.expert_id == expert_id)
        .options(contains_eager(NoticeRecipient.notice))
        .order_by(Notice.posted_at.desc())
    ))


def mark_read(notice: Notice, expert_id: int | None) -> NoticeRecipient:
    """Record the expert's first opening of a notice addressed to them.

    Raises ``Forbidden`` for a notice not addressed to the expert. A later
    opening keeps the first time: the update only touches an unread row."""
    recipient = db.session.scalar(select(NoticeRecipient).where(
        NoticeRecipient.notice_id == notice.id, NoticeRecipient.expert_id == expert_id))
    if recipient is None:
        raise Forbidden(_("You do not have permission to open this page."))
    db.session.execute(
        update(NoticeRecipient)
        .where(NoticeRecipient.id == recipient.id, NoticeRecipient.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(recipient)
    return recipient
