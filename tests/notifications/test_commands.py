"""``flask reminders dispatch``, ``flask scheduler run`` and the scheduler
started inside ``flask run``, the last two as real processes."""

import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_until
from thinktank.extensions import db
from thinktank.jobs import JOBS
from thinktank.notifications import services
from thinktank.reports.services import request_issue
from thinktank.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]


def test_dispatch_command_prints_what_it_did(app, runner, smtp, queue):
    queue(2)
    queue(1, due_at=utcnow() + timedelta(days=1))
    result = runner.invoke(args=["reminders", "dispatch"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, failed 0, retried 0"
    assert len(smtp.inbox.messages) == 2

    queue(1)
    smtp.stop()
    result = runner.invoke(args=["reminders", "dispatch"])
    assert result.output.strip() == "sent 0, failed 0, retried 1"


def test_dispatch_command_honours_the_limit(app, runner, smtp, queue):
    queue(3)
    result = runner.invoke(args=["reminders", "dispatch", "--limit", "2"])
    assert result.output.strip() == "sent 2, failed 0, retried 0"


@pytest.fixture
def start_process(app, smtp, tmp_path):
    """Starts ``flask --app wsgi ARGS`` on the test database and SMTP server;
    stops it (and any reloader child) at the end. Returns the process and a
    function reading its output so far."""
    started = []

    def start(*args: str, **extra_env: str):
        env = os.environ | {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp.port),
            "SECRET_KEY": "test",
        } | extra_env
        log = tmp_path / f"process{len(started)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the reloader's child
        )
        started.append(process)
        return process, log.read_text

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    db.session.remove()


def wait_for_heartbeat(timeout: float = 30):
    def heartbeat():
        db.session.expire_all()
        beat = services.last_heartbeat()
        db.session.rollback()
        return beat

    return wait_until(heartbeat, timeout, interval=0.2)


@pytest.mark.slow
def test_scheduler_process_dispatches_at_start(smtp, queue, start_process):
    queue(2)
    process, output = start_process("scheduler", "run")
    smtp.inbox.wait_for(2)
    heartbeat = wait_for_heartbeat()
    assert len(smtp.inbox.messages) == 2, output()
    assert heartbeat is not None and heartbeat.runner.endswith(f":{process.pid}")
    assert "scheduler running" in output()


@pytest.mark.slow
def test_scheduler_process_runs_the_jobs_of_the_list(start_process):
    """``flask scheduler run`` lists the jobs it registered: those of
    ``thinktank/jobs.py``, among them the render of a document left pending
    by a process that died, which it renders at start."""
    document = request_issue("pool_statistics", None, "专家库构成统计表")
    db.session.commit()  # and never rendered: its process is gone
    process, output = start_process("scheduler", "run")
    expected = {f"{job_id} every {job.every}" for job_id, job in JOBS.items()}

    def listed():
        assert process.poll() is None, output()
        jobs = re.findall(r"^  (.+)$", output(), re.MULTILINE)
        return jobs if len(jobs) >= len(expected) else None

    jobs = wait_until(listed)
    assert jobs and set(jobs) == expected, output()

    def rendered():
        db.session.rollback()  # expires the row: the next read sees the scheduler's commits
        return document.is_done

    assert wait_until(rendered, timeout=60, interval=0.2), (document.status, output())


@pytest.mark.slow
def test_flask_run_starts_one_scheduler_and_not_in_the_reloader_parent(
    smtp, queue, start_process
):
    queue(1)
    process, output = start_process(
        "run", "--debug", "--port", str(free_port()), SCHEDULER_IN_PROCESS="1"
    )
    smtp.inbox.wait_for(1)
    heartbeat = wait_for_heartbeat()
    assert len(smtp.inbox.messages) == 1, output()
    started = re.findall(r"in-process scheduler started \(pid (\d+)\)", output())
    assert len(started) == 1, output()
    # It runs in the reloader's child, which serves requests, not in the parent.
    assert int(started[0]) != process.pid
    assert heartbeat.runner.endswith(f":{started[0]}")
