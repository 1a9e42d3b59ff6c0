"""A scoring deadline already passed is refused when a round is created or
its deadline changed while it is a draft or in scoring, and scoring does not
open (nor reopen) on a passed deadline; through the services and the pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import Auth
from tests.reviews.round_factories import criteria, make_round, round_data
from tests.reviews.test_rounds_pages import form
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.reviews.models import ReviewRound, RoundStatus
from thinktank.reviews.rounds import change_status, create_round, update_round

NINE_TODAY = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, an hour ago
TOMORROW = NINE_TODAY + timedelta(days=1)
MESSAGE = "评分截止时间早于当前时间（2026-11-29 09:00）"


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def rounds() -> int:
    return db.session.scalar(select(func.count(ReviewRound.id)))


def test_a_new_round_with_a_passed_scoring_deadline_is_refused():
    with pytest.raises(DomainError, match=MESSAGE):
        create_round(round_data(scoring_deadline=NINE_TODAY), criteria())
    assert rounds() == 0


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.SCORING])
def test_the_deadline_cannot_be_moved_into_the_past_while_it_matters(status):
    review_round = make_round(status, scoring_deadline=TOMORROW)
    with pytest.raises(DomainError, match=MESSAGE):
        update_round(review_round, round_data(scoring_deadline=NINE_TODAY), criteria())


def test_a_deadline_that_passed_on_its_own_does_not_block_other_changes(clock):
    review_round = make_round(RoundStatus.SCORING, scoring_deadline=TOMORROW)
    clock.shift(timedelta(days=2))
    changes = update_round(review_round, round_data(name="改名", scoring_deadline=TOMORROW),
                           criteria())
    assert changes == {"name": "改名"}


def test_a_closed_round_may_record_the_past_day_scoring_ended():
    review_round = make_round(RoundStatus.CLOSED, scoring_deadline=TOMORROW)
    update_round(review_round, round_data(scoring_deadline=NINE_TODAY), criteria())
    assert review_round.scoring_deadline == NINE_TODAY


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.CLOSED])
def test_scoring_does_not_open_on_a_passed_deadline(clock, status):
    review_round = make_round(status, applications=1, scoring_deadline=TOMORROW)
    clock.shift(timedelta(days=2))
    with pytest.raises(DomainError, match="评分截止时间早于当前时间（2026-11-30 09:00）"):
        change_status(review_round, RoundStatus.SCORING)
    db.session.rollback()
    assert review_round.status == status
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_pages_refuse_a_passed_deadline(secretariat):
    response = secretariat.post("/reviews/new", data=form(scoring_deadline="2026-11-29T09:00"))
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert rounds() == 0
    review_round = make_round(applications=1, scoring_deadline=TOMORROW)
    response = secretariat.post(f"/reviews/{review_round.id}/edit",
                                data=form(scoring_deadline="2026-11-29T09:00"))
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    db.session.refresh(review_round)
    assert review_round.scoring_deadline == TOMORROW


def test_the_status_button_refuses_to_open_scoring_after_the_deadline(client, make_user, clock):
    review_round = make_round(applications=1, scoring_deadline=TOMORROW)
    clock.shift(timedelta(days=2))
    Auth(client).login(make_user("secretariat"))  # after the jump, which outlasts a sign-in
    response = client.post(f"/reviews/{review_round.id}/status/scoring",
                           data={"confirmed": "yes"}, follow_redirects=True)
    assert "评分截止时间早于当前时间（2026-11-30 09:00）" in response.get_data(as_text=True)
    db.session.refresh(review_round)
    assert review_round.status == RoundStatus.DRAFT
