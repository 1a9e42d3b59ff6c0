"""Benchmark: the figures besides pages, each on a fresh PostgreSQL database.

- PDF render time, in a warm process: the 30-application results summary
  (评审结果汇总表) and a two-page consultation opinion (咨询意见书);
- a draw of 15 experts and 5 backups over a pool of 10,000 (target < 100 ms);
- importing a 5,000-row expert file with ``flask experts import``, timed and
  measured by /usr/bin/time -v (targets < 20 s, < 300 MB);
- dispatching 5,000 due reminders with 4 ``flask reminders dispatch`` processes
  at once to a local aiosmtpd server, counting every Message-ID it receives
  (target: 0 duplicates, 0 lost).

    .venv/bin/python bench/figures.py      # about 2 minutes

Writes its section of docs/benchmarks.md; exits non-zero when a target is missed.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import flask, free_port, fresh_database, machine, stamp, write_section  # noqa: E402

HEADING = "## Documents, draw, import and dispatch"
RUNS = 5
DRAW_TARGET_MS = 100
IMPORT_TARGET_S, IMPORT_TARGET_MB = 20, 300
DISPATCHERS, REMINDERS = 4, 5_000


def app_for(database_url: str, folder: str):
    from thinktank import create_app
    from thinktank.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "UPLOAD_DIR": folder,
        "SERVER_NAME": "localhost",
    })
    with app.app_context():
        db.create_all()
    return app


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- documents ---------------------------------------------------------------------------------


def render_times(kind: str, subject_id: int, title: str) -> tuple[float, float, int]:
    """Medians (ms) of building the HTML and writing the PDF; the page count."""
    from thinktank.extensions import db
    from thinktank.reports import services

    html, pdf, pages = [], [], 0
    for run in range(RUNS + 1):  # the first warms templates, fonts and glyph maps
        started = time.perf_counter()
        document = services.request_issue(kind, subject_id, title)
        built = time.perf_counter()
        _data, pages = services.write_pdf(document.html)
        done = time.perf_counter()
        db.session.rollback()
        if run:
            html.append(built - started)
            pdf.append(done - built)
    return median_ms(html), median_ms(pdf), pages


def documents(database_url: str, folder: str) -> dict:
    from tests.consultations.proceedings_factories import close_opinions, held_session
    from tests.helpers import expert_data
    from tests.reports.documents import reviewed_round
    from thinktank.consultations import proceedings
    from thinktank.experts.services import create_expert, seed_fields
    from thinktank.extensions import db

    def make_expert(**overrides):
        expert = create_expert(expert_data(**overrides), actor="bench")
        db.session.commit()
        return expert

    app = app_for(database_url, folder)
    with app.app_context():
        seed_fields()
        db.session.commit()
        review_round, _applications, _experts = reviewed_round(make_expert, applications=30)
        results = render_times("round_results", review_round.id, "评审结果汇总表")
        experts = [make_expert(name=f"专家{n}", title="研究员") for n in range(2)]
        session = held_session(present=experts, agenda="产业现状通报与规划思路讨论")
        for expert in experts:
            proceedings.submit_opinion(session, expert.id, f"{expert.name}的意见：建议加快"
                                       "生物制造中试平台建设，完善产业链配套政策。")
        db.session.commit()
        close_opinions(session)
        proceedings.collect_opinions(session)
        proceedings.issue_consolidated_opinion(
            session, "综合各位专家意见，建议加快酶制剂中试平台建设。\n同时完善生物安全评估机制。",
            None)
        db.session.commit()
        opinion = render_times("session_opinion", session.id, "关于产业规划会商的咨询意见书")
        db.engine.dispose()
    return {"results": results, "opinion": opinion}


# --- draw ---------------------------------------------------------------------------------------


def draw(database_url: str, folder: str) -> dict:
    from thinktank.demo.scale import ScalePlan, load_scale
    from thinktank.draws.rules import DrawRequest
    from thinktank.draws.services import eligible_pool, perform_draw
    from thinktank.extensions import db
    from thinktank.timeutil import today_in_display_zone

    app = app_for(database_url, folder)
    with app.app_context():
        load_scale(ScalePlan(experts=10_000, sessions=2, applications=220, rounds=2), "x" * 12)
        db.session.commit()
        request = DrawRequest(event_date=today_in_display_zone() + timedelta(days=7),
                              panel_size=15, backups=5, org_cap=1)
        times, pool = [], 0
        for run in range(RUNS + 1):
            started = time.perf_counter()
            result = perform_draw(request, "consultation_session", 1)
            elapsed = time.perf_counter() - started
            pool = len(result.pool)
            db.session.rollback()
            if run:
                times.append(elapsed)
        screening = []
        for _run in range(RUNS):
            started = time.perf_counter()
            eligible_pool(request)
            screening.append(time.perf_counter() - started)
            db.session.rollback()
        db.engine.dispose()
    return {"ms": median_ms(times), "pool": pool, "screening_ms": median_ms(screening)}


# --- import -------------------------------------------------------------------------------------


def import_file(database_url: str, folder: str) -> dict:
    from tests.experts.workbooks import row, workbook

    path = Path(folder) / "experts-5000.xlsx"
    path.write_bytes(workbook([row(**{"手机": f"139{n:08d}", "电子邮箱": f"bulk{n}@example.cn"})
                               for n in range(5_000)]))
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench"}
    flask(env, "db", "upgrade")
    from thinktank.experts.services import seed_fields
    from thinktank.extensions import db

    with app_for(database_url, folder).app_context():
        seed_fields()  # the pool's expertise fields, as `demo load` or an admin sets them
        db.session.commit()
        db.engine.dispose()
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "flask", "--app", "wsgi", "experts",
         "import", str(path)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the import failed:\n{done.stdout}{done.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    hours, minutes, seconds = (float(part or 0) for part in wall.groups())
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return {"seconds": hours * 3600 + minutes * 60 + seconds, "mb": rss_kb / 1024,
            "output": done.stdout.strip().splitlines()[-1], "bytes": path.stat().st_size}


# --- dispatch -----------------------------------------------------------------------------------


class CountingHandler:
    def __init__(self):
        self.message_ids: Counter = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content,
                                                                  headersonly=True)
        with self.lock:
            self.message_ids[message["Message-ID"]] += 1
        return "250 Message accepted"


def dispatch(database_url: str, folder: str) -> dict:
    from aiosmtpd.controller import Controller
    from sqlalchemy import func, insert, select

    from thinktank.extensions import db
    from thinktank.notifications.models import OutboxMessage, OutboxStatus
    from thinktank.timeutil import utcnow

    app = app_for(database_url, folder)
    with app.app_context():
        now = utcnow()
        db.session.execute(insert(OutboxMessage), [{
            "kind": "meeting_reminder", "dedupe_key": f"bench:{n}",
            "recipient_email": f"expert{n}@example.cn", "recipient_name": f"专家{n}",
            "subject": "【会议提醒】生物制造产业形势会商", "text_body": "请准时参加。\n" * 20,
            "due_at": now - timedelta(minutes=1), "created_at": now, "updated_at": now,
        } for n in range(REMINDERS)])
        db.session.commit()
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
    started = time.perf_counter()
    processes = [subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch", "--limit",
         str(REMINDERS)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True) for _ in range(DISPATCHERS)]
    outputs = [process.communicate()[0].strip().splitlines()[-1] for process in processes]
    elapsed = time.perf_counter() - started
    controller.stop()
    with app.app_context():
        sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT.value))
        db.engine.dispose()
    received = sum(handler.message_ids.values())
    return {
        "seconds": elapsed, "rate": received / elapsed, "received": received,
        "unique": len(handler.message_ids),
        "duplicates": received - len(handler.message_ids),
        "lost": REMINDERS - len(handler.message_ids), "sent_rows": sent, "outputs": outputs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="leave docs/ alone")
    parser.add_argument("--only", choices=["documents", "draw", "import", "dispatch"],
                        help="one part, printed only")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, step in (("documents", documents), ("draw", draw), ("import", import_file),
                           ("dispatch", dispatch)):
            if args.only and name != args.only:
                continue
            with fresh_database(f"thinktank_bench_{name}_{os.getpid()}") as database_url:
                figures[name] = step(database_url, folder)
            print(name, figures[name])
    if args.only:
        return 0
    results, opinion = figures["documents"]["results"], figures["documents"]["opinion"]
    drawn, imported, sent = figures["draw"], figures["import"], figures["dispatch"]
    misses = []
    if drawn["ms"] >= DRAW_TARGET_MS:
        misses.append(f"draw {drawn['ms']:.0f} ms")
    if imported["seconds"] >= IMPORT_TARGET_S or imported["mb"] >= IMPORT_TARGET_MB:
        misses.append(f"import {imported['seconds']:.1f} s, {imported['mb']:.0f} MB")
    if sent["duplicates"] or sent["lost"]:
        misses.append(f"dispatch {sent['duplicates']} duplicates, {sent['lost']} lost")
    verdict = "Every target met." if not misses else "Missed: " + "; ".join(misses) + "."
    rows = [
        (f"评审结果汇总表, 30 applications ({results[2]} pages), warm",
         f"{results[0] + results[1]:.0f} ms (HTML {results[0]:.0f} ms, PDF {results[1]:.0f} ms),"
         f" median of {RUNS}", "—"),
        (f"咨询意见书 ({opinion[2]} pages), warm",
         f"{opinion[0] + opinion[1]:.0f} ms (HTML {opinion[0]:.0f} ms, PDF {opinion[1]:.0f} ms),"
         f" median of {RUNS}", "—"),
        (f"draw of 15 + 5 backups over {drawn['pool']:,} eligible experts (screening, order, "
         "walk, store)", f"{drawn['ms']:.0f} ms, median of {RUNS} (screening the pool "
         f"alone {drawn['screening_ms']:.0f} ms)", f"< {DRAW_TARGET_MS} ms"),
        (f"`flask experts import`, 5,000 rows ({imported['bytes'] / 1024:.0f} KB .xlsx)",
         f"{imported['seconds']:.1f} s wall, {imported['mb']:.0f} MB max RSS (/usr/bin/time -v);"
         f" \"{imported['output']}\"", f"< {IMPORT_TARGET_S} s, < {IMPORT_TARGET_MB} MB"),
        (f"{REMINDERS:,} due reminders, {DISPATCHERS} `reminders dispatch` processes at once, "
         "local aiosmtpd",
         f"{sent['seconds']:.1f} s, {sent['rate']:.0f} messages/s; received {sent['received']:,},"
         f" distinct Message-IDs {sent['unique']:,}, duplicates {sent['duplicates']}, lost "
         f"{sent['lost']}; rows marked sent {sent['sent_rows']:,}", "0 duplicates, 0 lost"),
    ]
    table = "\n".join(f"| {figure} | {result} | {target} |" for figure, result, target in rows)
    section = f"""{HEADING}

`bench/figures.py`, each part on a fresh PostgreSQL database, in one run.

| figure | result | target |
|---|---|---|
{table}

{verdict}

Measured {stamp()} on {machine()}. Run again with `.venv/bin/python bench/figures.py`.
"""
    print(section)
    if not args.no_write:
        write_section(HEADING, section)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
