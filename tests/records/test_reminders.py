from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.consultations.proceedings_factories import held_session
from tests.records.test_ratings import finalized_round
from thinktank.audit.services import record
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.records import ratings
from thinktank.records.reminders import REMINDER_KIND, overdue, queue_rating_reminders
from thinktank.timeutil import utcnow

SECRETARIAT = "mishuchu@kjt.jiangxi.gov.cn"
# A session that ended on Friday 27 Nov 2026, 12:00 in Shanghai.
FRIDAY_NOON = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def secretariat_email(app, monkeypatch):
    monkeypatch.setitem(app.config, "SECRETARIAT_EMAIL", SECRETARIAT)


def session_ended(ends_at, present):
    session = held_session(present=present)
    session.starts_at, session.ends_at = ends_at - timedelta(hours=2), ends_at
    db.session.commit()
    return session


def test_ratings_are_overdue_after_five_working_days(make_expert):
    first, second = make_expert(), make_expert()
    session = session_ended(FRIDAY_NOON, [first, second])

    assert overdue(date(2026, 12, 3)) == []  # Thursday: four working days
    [item] = overdue(date(2026, 12, 4))
    assert (item.id, item.since, item.missing) == (session.id, date(2026, 11, 27), 2)

    ratings.rate(ratings.session_subject(session), first, score=80)
    assert overdue(date(2026, 12, 4))[0].missing == 1
    ratings.rate(ratings.session_subject(session), second, score=80)
    assert overdue(date(2026, 12, 4)) == []


def test_holidays_put_the_reminder_off(make_expert, app, monkeypatch):
    session_ended(FRIDAY_NOON, [make_expert()])
    monkeypatch.setitem(app.config, "HOLIDAYS", ["2026-12-01"])

    assert overdue(date(2026, 12, 4)) == []
    assert len(overdue(date(2026, 12, 7))) == 1


def test_a_round_counts_from_its_finalization(make_expert):
    review_round = finalized_round([make_expert()])
    entry = record("review_round.status_changed", review_round,
                   {"from": "closed", "to": "finalized"}, actor="test")
    entry.at = FRIDAY_NOON
    db.session.commit()

    assert overdue(date(2026, 12, 3)) == []
    [item] = overdue(date(2026, 12, 4))
    assert (item.type, item.id, item.missing) == ("round", review_round.id, 1)


def test_a_round_finalized_by_hand_counts_from_its_last_change(make_expert):
    review_round = finalized_round([make_expert()])
    review_round.updated_at = FRIDAY_NOON
    db.session.commit()

    assert overdue(date(2026, 12, 3)) == []
    assert [item.id for item in overdue(date(2026, 12, 4))] == [review_round.id]


def test_one_mail_per_subject_to_the_secretariat(make_expert):
    session = session_ended(FRIDAY_NOON, [make_expert(), make_expert()])

    assert queue_rating_reminders(date(2026, 12, 4)) == 1
    assert queue_rating_reminders(date(2026, 12, 5)) == 1  # run again the next day
    db.session.commit()

    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert (mail.kind, mail.recipient_email) == (REMINDER_KIND, SECRETARIAT)
    assert session.title in mail.subject
    assert f"/records/sessions/{session.id}/ratings" in mail.text_body


def test_the_cli_queues_the_reminders(runner, make_expert):
    session_ended(utcnow() - timedelta(days=15), [make_expert()])
    session_ended(utcnow() - timedelta(hours=1), [make_expert()])  # not yet due

    result = runner.invoke(args=["records", "rating-reminders"])

    assert result.exit_code == 0, result.output
    assert "1 sessions or rounds" in result.output
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
