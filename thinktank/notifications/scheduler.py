"""APScheduler running the outbox dispatcher every minute, and hourly the
jobs that queue date-driven reminders (terms ending, ratings overdue).

APScheduler 3 runs its jobs once per process that starts it, so web workers
never start one: production runs ``flask scheduler run`` as a process of its
own (``run_blocking``), and only the single-process ``flask run`` starts one
inside itself when ``SCHEDULER_IN_PROCESS`` is set (``start_in_process``).
Running both, or two scheduler processes, is safe (each row is claimed) but
wasteful.
"""

import atexit
import os
import threading
from datetime import UTC, datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from thinktank.notifications import services

JOB_ID = "outbox-dispatch"

_lock = threading.Lock()
_in_process: BackgroundScheduler | None = None


def dispatch_job(app: Flask) -> None:
    """One dispatcher pass in an app context of its own."""
    with app.app_context():
        result = services.dispatch_due()
        if result.total:
            app.logger.info(
                "outbox: sent %d, failed %d, retried %d", result.sent, result.failed, result.retried
            )


def _add_dispatch_job(scheduler: BaseScheduler, app: Flask) -> None:
    scheduler.add_job(
        dispatch_job,
        "interval",
        minutes=1,
        args=[app],
        id=JOB_ID,
        next_run_time=datetime.now(UTC),  # a first pass at start, then every minute
        max_instances=1,  # a slow pass (SMTP timeouts) is never overlapped by the next
        coalesce=True,  # after a pause, one catch-up pass rather than one per missed minute
        misfire_grace_time=None,
    )


CALENDAR_JOB_ID = "calendar-reminders"


def calendar_reminders_job(app: Flask) -> None:
    """Queue the reminders that follow from the date: experts whose term ends
    within 30 days, ratings still missing after five working days. Both are
    keyed per subject in the outbox, so running hourly queues each once."""
    from thinktank.experts.terms import queue_term_reminders
    from thinktank.extensions import db
    from thinktank.notifications.services import site_context
    from thinktank.records.reminders import queue_rating_reminders
    from thinktank.timeutil import today_in_display_zone

    with site_context(app):
        today = today_in_display_zone()
        terms = queue_term_reminders(today)
        ratings = queue_rating_reminders(today)
        db.session.commit()
        if terms or ratings:
            app.logger.info("calendar reminders: %d terms, %d ratings", terms, ratings)


def _add_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    _add_dispatch_job(scheduler, app)
    scheduler.add_job(
        calendar_reminders_job,
        "interval",
        hours=1,
        args=[app],
        id=CALENDAR_JOB_ID,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


def run_blocking(app: Flask) -> None:
    """Run the scheduler in the foreground until interrupted (``flask scheduler run``)."""
    scheduler = BlockingScheduler(timezone=UTC)
    _add_jobs(scheduler, app)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def _serving_from_flask_run() -> bool:
    """True in the process of ``flask run`` that serves requests: not in other
    CLI commands, not under a WSGI server (one scheduler per worker), and not
    in the reloader's watching parent (a second scheduler beside its child)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.command.name != "run":
        return False
    reload = ctx.params.get("reload")
    if reload is None:  # as ``flask run`` decides it
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


def start_in_process(app: Flask) -> BackgroundScheduler | None:
    """Start a background scheduler for ``app`` when it is served by
    ``flask run`` with ``SCHEDULER_IN_PROCESS`` set; at most one per process,
    never under TESTING. Returns the scheduler it started, else None."""
    global _in_process
    if not app.config["SCHEDULER_IN_PROCESS"] or app.testing or not _serving_from_flask_run():
        return None
    with _lock:
        if _in_process is not None:
            return None
        _in_process = BackgroundScheduler(timezone=UTC)
        _add_jobs(_in_process, app)
        _in_process.start()
        atexit.register(_in_process.shutdown, wait=False)
    app.logger.info("in-process scheduler started (pid %d)", os.getpid())
    return _in_process
