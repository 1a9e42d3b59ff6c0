"""The job list (``thinktank/jobs.py``) and how the scheduler registers it."""

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from thinktank.experts.terms import term_reminders_job
from thinktank.jobs import JOBS
from thinktank.notifications.services import dispatch_job
from thinktank.records.reminders import rating_reminders_job
from thinktank.reports.background import render_pending_job
from thinktank.scheduler import add_jobs


def test_the_list_holds_every_periodic_job():
    assert {job_id: job.function for job_id, job in JOBS.items()} == {
        "outbox-dispatch": dispatch_job,
        "term-reminders": term_reminders_job,
        "rating-reminders": rating_reminders_job,
        "render-pending": render_pending_job,
    }
    # The reminders' mails link to the site: they run in a request to SITE_URL.
    assert {job_id for job_id, job in JOBS.items() if job.builds_links} == {
        "term-reminders", "rating-reminders",
    }


def test_the_scheduler_registers_each_job_to_run_at_start_then_one_run_at_a_time(app):
    scheduler = BackgroundScheduler(timezone=UTC)  # the one `flask run` starts; never started here
    add_jobs(scheduler, app)
    registered = {job.id: job for job in scheduler.get_jobs()}
    assert registered.keys() == JOBS.keys()
    for job_id, job in registered.items():
        assert job.trigger.interval == JOBS[job_id].every
        assert job.args == (app, JOBS[job_id])
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
        assert job.next_run_time <= datetime.now(UTC)
