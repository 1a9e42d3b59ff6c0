"""The scheduler's hourly jobs queue the date-driven reminders, once."""

from datetime import timedelta

from sqlalchemy import func, select

from thinktank.experts import terms
from thinktank.extensions import db
from thinktank.jobs import JOBS
from thinktank.notifications.models import OutboxMessage
from thinktank.scheduler import run_job
from thinktank.timeutil import today_in_display_zone

TERM_REMINDERS = JOBS["term-reminders"]


def test_the_hourly_job_reminds_of_ending_terms_once(app, make_expert):
    today = today_in_display_zone()
    ending = make_expert(term_start=today - timedelta(days=700),
                         term_end=today + timedelta(days=10))
    make_expert(term_start=today - timedelta(days=10), term_end=today + timedelta(days=400))

    def term_mails():
        db.session.expire_all()
        return db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == terms.REMINDER_KIND)).all()

    run_job(app, TERM_REMINDERS)
    run_job(app, TERM_REMINDERS)  # the next hour: nothing new
    mails = term_mails()
    assert [m.recipient_email for m in mails] == [ending.email]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_job_builds_its_links_with_the_site_address(app_config, make_expert):
    """The scheduler runs outside any request, and production sets no
    SERVER_NAME: the links in its mails start with SITE_URL."""
    from thinktank import create_app

    today = today_in_display_zone()
    make_expert(term_start=today - timedelta(days=700), term_end=today + timedelta(days=10))
    production = create_app(app_config | {"SERVER_NAME": None,
                                          "SITE_URL": "https://zhiku.example.cn"})
    run_job(production, TERM_REMINDERS)
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert "https://zhiku.example.cn/" in mail.text_body
