"""Time at the edges: UTC in the database, the configured zone on screen."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

CHINA_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC and returns them aware (UTC).

    SQLite has no time zones and PostgreSQL's ``timestamp`` drops them; doing
    the conversion here means every other layer only ever sees aware UTC values.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def zone_label() -> str:
    """What pages and mails call the display zone: Beijing time (北京时间) for
    China's zone, else the configured zone's name."""
    name = current_app.config["DISPLAY_TIMEZONE"]
    if name == CHINA_ZONE:
        return _("Beijing time")
    return _("%(zone)s time", zone=name)


def to_display(value: datetime | None) -> datetime | None:
    """An aware UTC datetime as wall-clock time in the display zone."""
    if value is None:
        return None
    return value.astimezone(display_zone())


def shown(value: datetime) -> str:
    """An aware UTC datetime as display-zone text for messages (``2026-11-29 10:00``)."""
    return to_display(value).strftime("%Y-%m-%d %H:%M")


def from_display(value: datetime) -> datetime:
    """A naive wall-clock datetime entered in the display zone, as aware UTC."""
    return value.replace(tzinfo=display_zone()).astimezone(UTC)


def today_in_display_zone() -> date:
    return utcnow().astimezone(display_zone()).date()
