"""APScheduler running the jobs of ``thinktank/jobs.py``, each in a context of
its own.

APScheduler 3 runs its jobs once per process that starts it, so web workers
never start one: production runs ``flask scheduler run`` as a process of its
own (``run_blocking``), and only the single-process ``flask run`` starts one
inside itself when ``SCHEDULER_IN_PROCESS`` is set (``start_in_process``).
Running both, or two scheduler processes, is safe (every job claims what it
works on or is keyed in the outbox) but wasteful.
"""

import atexit
import os
import threading
from datetime import UTC, datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from thinktank.jobs import JOBS, Job
from thinktank.notifications.services import site_context

scheduler_cli = AppGroup("scheduler", help="The scheduler that runs the periodic jobs.")

_lock = threading.Lock()
_in_process: BackgroundScheduler | None = None


def run_job(app: Flask, job: Job) -> None:
    """One run of ``job``: in an app context of its own (its own database
    session), in a request to ``SITE_URL`` if it builds links."""
    with site_context(app) if job.builds_links else app.app_context():
        job.function()


def add_jobs(scheduler: BaseScheduler, app: Flask) -> None:
    """Register every job of ``JOBS``: a first run at once, then one per interval."""
    start = datetime.now(UTC)
    for job_id, job in JOBS.items():
        scheduler.add_job(
            run_job, "interval", seconds=job.every.total_seconds(), args=[app, job],
            id=job_id, name=job_id, next_run_time=start, **job.options,
        )


def run_blocking(app: Flask) -> None:
    """Run the scheduler in the foreground until interrupted (``flask scheduler run``),
    after printing the jobs it runs."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_jobs(scheduler, app)
    click.echo("scheduler running (Ctrl+C stops):")
    for job in scheduler.get_jobs():
        click.echo(f"  {job.id} every {job.trigger.interval}")
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
        add_jobs(_in_process, app)
        _in_process.start()
        atexit.register(_in_process.shutdown, wait=False)
    app.logger.info("in-process scheduler started (pid %d)", os.getpid())
    return _in_process


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in the foreground (one such process per installation)."""
    run_blocking(current_app._get_current_object())
