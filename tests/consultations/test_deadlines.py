"""Deadlines already passed are refused when a session is created, edited or
scheduled, through the services and through the pages (docs/design.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.consultations.factories import START, make_session, session_data
from tests.consultations.test_pages import FORM
from thinktank.consultations import participants, services
from thinktank.consultations.models import ConsultationSession
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")

# From 29 Nov to 8 Dec: the default session's reply deadline (7 Dec 01:00 UTC)
# has passed, its start (10 Dec 01:00 UTC) not yet.
AFTER_THE_REPLY_DEADLINE = timedelta(days=9)


@pytest.fixture
def secretariat(client, auth, make_user):
    auth.login(make_user("secretariat"))
    return client


def sessions() -> int:
    return db.session.scalar(select(func.count(ConsultationSession.id)))


def outbox() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


NINE_TODAY = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, an hour ago


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"rsvp_deadline": NINE_TODAY}, "rsvp_deadline", "回复截止时间已过：2026-11-29 09:00"),
    ({"starts_at": NINE_TODAY - timedelta(days=1), "rsvp_deadline": None,
      "opinion_deadline": NINE_TODAY},
     "opinion_deadline", "意见提交截止时间已过：2026-11-29 09:00"),
])
def test_a_new_session_with_a_deadline_passed_is_refused(values, field, message):
    with pytest.raises(services.SessionDataError) as raised:
        services.create_session(session_data(**values))
    assert raised.value.field == field and raised.value.message == message
    assert sessions() == 0


def test_an_edit_refuses_a_deadline_moved_into_the_past_but_keeps_one_that_passed(clock):
    session = make_session()
    with pytest.raises(services.SessionDataError) as raised:
        services.update_session(
            session, session_data(rsvp_deadline=utcnow() - timedelta(minutes=1)))
    assert raised.value.field == "rsvp_deadline"
    assert "回复截止时间已过" in raised.value.message
    db.session.rollback()
    clock.shift(AFTER_THE_REPLY_DEADLINE)
    # The reply deadline passed on its own: other changes are still saved.
    changes = services.update_session(session, session_data(place="省科技厅 302 会议室"))
    assert changes == {"place": ["省科技厅 301 会议室", "省科技厅 302 会议室"]}
    with pytest.raises(services.SessionDataError) as raised:
        services.update_session(session, session_data(opinion_deadline=utcnow()))
    assert raised.value.field == "opinion_deadline"


def test_scheduling_after_the_reply_deadline_is_refused_and_sends_nothing(clock, make_expert):
    session = make_session()
    participants.add_participants(session, [make_expert()], "manual")
    db.session.commit()
    clock.shift(AFTER_THE_REPLY_DEADLINE)
    with pytest.raises(DomainError, match="回复截止时间已过：2026-12-07 09:00"):
        participants.schedule_session(session)
    db.session.rollback()
    assert session.status == "draft" and outbox() == 0


def test_the_session_form_refuses_a_passed_deadline_naming_the_field(secretariat):
    response = secretariat.post("/consultations/new",
                                data={**FORM, "rsvp_deadline": "2026-11-29T09:00"})
    assert response.status_code == 400
    assert "回复截止时间已过：2026-11-29 09:00" in response.get_data(as_text=True)
    assert sessions() == 0
    session = make_session()
    response = secretariat.post(f"/consultations/{session.id}/edit",
                                data={**FORM, "rsvp_deadline": "2026-11-29T09:00"})
    assert response.status_code == 400
    assert "回复截止时间已过：2026-11-29 09:00" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.rsvp_deadline == START - timedelta(days=3) and session.sequence == 0


def test_the_schedule_button_refuses_after_the_reply_deadline(client, auth, make_user, clock,
                                                              make_expert):
    session = make_session()
    participants.add_participants(session, [make_expert()], "manual")
    db.session.commit()
    clock.shift(AFTER_THE_REPLY_DEADLINE)
    auth.login(make_user("secretariat"))  # after the jump, which outlasts a sign-in
    response = client.post(f"/consultations/{session.id}/schedule")
    assert response.status_code == 400
    assert "回复截止时间已过" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.status == "draft" and outbox() == 0
