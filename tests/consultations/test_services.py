"""Sessions and series through the services: validation, edits, cancellation."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.consultations.factories import START, make_session, session_data
from thinktank.audit.models import AuditEntry
from thinktank.consultations import services
from thinktank.consultations.models import ConsultationSession, SeriesFrequency
from thinktank.errors import DomainError
from thinktank.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI).replace(tzinfo=None)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def test_create_session_makes_a_draft_with_a_stable_uid(make_user):
    user = make_user("secretariat")
    session = services.create_session(session_data(), user=user)
    other = services.create_session(session_data())
    db.session.commit()
    assert session.status == "draft"
    assert session.sequence == 0
    assert session.auto_promote_backups is True
    assert session.uid.endswith("@thinktank") and session.uid != other.uid
    assert session.created_by_id == user.id
    stored = db.session.get(ConsultationSession, session.id)
    assert stored.starts_at == START and stored.starts_at.tzinfo is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.created",
                                                       AuditEntry.target_id == session.id))
    assert entry.user_id == user.id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写标题"),
        ({"ends_at": START}, "ends_at", "结束时间必须晚于开始时间"),
        ({"ends_at": START - timedelta(minutes=1)}, "ends_at", "结束时间必须晚于开始时间"),
        ({"place": None, "online_link": None}, "place", "地点或线上会议链接"),
        ({"online_link": "ftp://meeting.example.cn/1"}, "online_link", "http://"),
        ({"online_link": "javascript:alert(1)"}, "online_link", "http://"),
        ({"online_link": "https://"}, "online_link", "http://"),
        ({"rsvp_deadline": START}, "rsvp_deadline", "回复截止时间"),
        ({"rsvp_deadline": START + timedelta(hours=1)}, "rsvp_deadline", "回复截止时间"),
        ({"opinion_deadline": START + timedelta(hours=2)}, "opinion_deadline", "意见提交截止时间"),
        ({"opinion_deadline": START - timedelta(days=1)}, "opinion_deadline", "意见提交截止时间"),
    ],
)
def test_invalid_sessions_are_refused_with_a_chinese_message(overrides, field, message):
    with pytest.raises(services.SessionDataError) as caught:
        services.create_session(session_data(**overrides))
    assert caught.value.field == field
    assert message in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(ConsultationSession)) is None


def test_an_online_only_session_needs_no_place():
    session = services.create_session(
        session_data(place=None, online_link="https://meeting.example.cn/8812")
    )
    assert session.place is None


def test_moving_a_session_raises_its_sequence_but_the_agenda_does_not():
    session = make_session()
    uid = session.uid
    changes = services.update_session(session, session_data(agenda="新议程"))
    assert set(changes) == {"agenda"}
    assert session.sequence == 0
    later = START + timedelta(days=1)
    services.update_session(session, session_data(starts_at=later, agenda="新议程"))
    assert session.sequence == 1
    services.update_session(session, session_data(starts_at=later, agenda="新议程",
                                                  place="南昌市会展中心"))
    assert session.sequence == 2
    assert services.update_session(session, session_data(starts_at=later, agenda="新议程",
                                                          place="南昌市会展中心")) == {}
    assert session.sequence == 2 and session.uid == uid
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "session.updated").order_by(AuditEntry.id)).all()
    assert len(entries) == 3
    assert entries[1].payload["changes"]["starts_at"] == [START.isoformat(), later.isoformat()]


def test_an_invalid_edit_changes_nothing():
    session = make_session()
    with pytest.raises(services.SessionDataError):
        services.update_session(session, session_data(ends_at=START - timedelta(hours=1)))
    db.session.rollback()
    assert db.session.get(ConsultationSession, session.id).ends_at == START + timedelta(hours=2)


def test_cancel_needs_a_reason_and_is_audited(make_user):
    user = make_user("secretariat")
    session = make_session()
    with pytest.raises(DomainError, match="请说明取消原因"):
        services.cancel_session(session, "  ", user=user)
    assert session.status == "draft"
    services.cancel_session(session, "主要专家无法到会", user=user)
    db.session.commit()
    assert session.status == "cancelled"
    assert session.cancel_reason == "主要专家无法到会"
    assert session.cancelled_at is not None
    assert session.sequence == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.cancelled"))
    assert entry.target_id == session.id and entry.payload == {"reason": "主要专家无法到会"}
    assert entry.user_id == user.id


@pytest.mark.parametrize("status", ["cancelled", "held", "opinions_collected", "issued"])
def test_only_open_sessions_can_be_changed_or_cancelled(status):
    session = make_session(status=status)
    with pytest.raises(DomainError):
        services.cancel_session(session, "原因")
    with pytest.raises(DomainError):
        services.update_session(session, session_data(agenda="改"))
    assert session.status == status


def test_a_scheduled_session_can_be_cancelled():
    session = make_session(status="scheduled")
    services.cancel_session(session, "改期")
    assert session.status == "cancelled"


# Series


def series(first: datetime, frequency: str, **recurrence):
    """A series from ``first`` without deadlines (some of these start today
    or earlier, whose deadlines would have passed)."""
    data = session_data(starts_at=first, rsvp_deadline=None, opinion_deadline=None)
    return services.create_series(
        data, services.Recurrence(frequency=SeriesFrequency(frequency), **recurrence)
    )


def test_a_monthly_series_from_the_31st_falls_on_each_months_last_day():
    made, sessions = series(shanghai(2026, 1, 31, 9, 0), "monthly", count=5)
    db.session.commit()
    assert [local(s.starts_at) for s in sessions] == [
        datetime(2026, 1, 31, 9, 0), datetime(2026, 2, 28, 9, 0), datetime(2026, 3, 31, 9, 0),
        datetime(2026, 4, 30, 9, 0), datetime(2026, 5, 31, 9, 0),
    ]
    assert all(s.series_id == made.id for s in sessions)
    assert len({s.uid for s in sessions}) == 5
    assert made.count == 5 and made.until is None and made.duration_minutes == 120


def test_a_series_after_midnight_in_shanghai_stays_on_the_local_day():
    # 00:30 in Shanghai on the 1st is 16:30 UTC on the last day of the month before.
    _series, sessions = series(shanghai(2026, 12, 1, 0, 30), "monthly", count=3)
    assert [local(s.starts_at) for s in sessions] == [
        datetime(2026, 12, 1, 0, 30), datetime(2027, 1, 1, 0, 30), datetime(2027, 2, 1, 0, 30),
    ]
    assert sessions[1].starts_at == datetime(2026, 12, 31, 16, 30, tzinfo=UTC)


def test_a_quarterly_series_until_a_date():
    _series, sessions = series(shanghai(2026, 11, 30, 14, 0), "quarterly",
                               until=date(2027, 11, 30))
    assert [local(s.starts_at).date() for s in sessions] == [
        date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30), date(2027, 8, 30),
        date(2027, 11, 30),
    ]


def test_until_is_a_local_date_and_includes_that_day():
    _series, sessions = series(shanghai(2026, 12, 1, 23, 30), "weekly", until=date(2026, 12, 15))
    assert [local(s.starts_at) for s in sessions] == [
        datetime(2026, 12, 1, 23, 30), datetime(2026, 12, 8, 23, 30),
        datetime(2026, 12, 15, 23, 30),
    ]


def test_a_fortnightly_series_by_count():
    _series, sessions = series(shanghai(2026, 12, 28, 9, 0), "weekly", count=3, interval=2)
    assert [local(s.starts_at).date() for s in sessions] == [
        date(2026, 12, 28), date(2027, 1, 11), date(2027, 1, 25),
    ]


def test_occurrences_keep_length_and_deadline_distances():
    first = shanghai(2026, 12, 7, 9, 0)
    data = session_data(starts_at=first, ends_at=first + timedelta(hours=3),
                        rsvp_deadline=first - timedelta(days=2, hours=1),
                        opinion_deadline=first + timedelta(days=10))
    _series, sessions = services.create_series(
        data, services.Recurrence(frequency=SeriesFrequency.WEEKLY, count=2))
    second = sessions[1]
    assert second.starts_at == first + timedelta(days=7)
    assert second.ends_at == second.starts_at + timedelta(hours=3)
    assert second.rsvp_deadline == second.starts_at - timedelta(days=2, hours=1)
    assert second.opinion_deadline == second.starts_at + timedelta(days=10)


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        ({}, "count"),  # neither a count nor an end date
        ({"count": 3, "until": date(2027, 6, 1)}, "count"),  # both
        ({"count": 1}, "count"),
        ({"count": 25}, "count"),
        ({"until": date(2026, 12, 10)}, "until"),  # not after the first session
        ({"until": date(2027, 12, 31)}, "until"),  # weekly for a year: too many
        ({"count": 3, "interval": 0}, "interval"),
    ],
)
def test_bad_recurrences_are_refused(recurrence, field):
    with pytest.raises(services.SessionDataError) as caught:
        series(START, "weekly", **recurrence)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(ConsultationSession)) is None


def test_a_series_of_24_is_allowed():
    _series, sessions = series(START, "weekly", count=24)
    assert len(sessions) == 24


def test_each_occurrence_is_edited_or_cancelled_on_its_own():
    _series, sessions = series(START, "monthly", count=3)
    db.session.commit()
    first, second, third = sessions
    moved = second.starts_at + timedelta(days=1)
    services.update_session(second, session_data(starts_at=moved, place="九江市会议中心"))
    services.cancel_session(third, "与省政府会议冲突")
    db.session.commit()
    assert (second.starts_at, second.place, second.sequence) == (moved, "九江市会议中心", 1)
    assert third.status == "cancelled"
    assert first.status == "draft" and first.sequence == 0
    assert first.place == "省科技厅 301 会议室"
    assert local(first.starts_at) == datetime(2026, 12, 10, 9, 0)
