"""What the benchmark scripts share: the machine's description, sections of
docs/benchmarks.md, a fresh PostgreSQL database and a gunicorn server."""

import contextlib
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
HEADER = ("# Benchmarks\n\nTimings measured on the machine named in each section; "
          "each script says how to run it again.\n")
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1) if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB RAM" if found else ""
    return (f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_section(heading: str, text: str) -> None:
    """Put a section (``text`` starts with ``heading``) in docs/benchmarks.md,
    replacing an earlier one and keeping the other sections."""
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    text = text.rstrip("\n") + "\n\n"
    if pattern.search(current):
        current = pattern.sub(lambda _match: text, current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` with ``env``; its output, or exit with it."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN + "/postgres", autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def fresh_database(name: str, keep: bool = False):
    """A new, empty PostgreSQL database; its URL. Dropped afterwards unless ``keep``."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN}/{name}"
    finally:
        if not keep:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, extra: tuple[str, ...] = (), app_dir: Path = ROOT):
    """gunicorn as README's deployment section runs it, serving the checkout in
    ``app_dir``; its base URL. Its log is kept only when something went wrong."""
    port = free_port()
    log_path = ROOT / "instance" / f"bench-gunicorn-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", *extra, "wsgi:app"],
        cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None:
                    sys.exit(f"gunicorn exited; see {log.name}")
                time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer; see {log.name}")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    log_path.unlink()  # reached only when the run went well
