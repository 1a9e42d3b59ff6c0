"""Benchmark: render the 评审结果汇总表 of a 30-application round.

Builds the round (one panel of five experts, every sheet submitted) in a
temporary SQLite database, renders the document once to warm the process
(templates compiled, fonts loaded), then times five renders and writes the
medians, with the machine and the date, as a section of docs/benchmarks.md.

    /work/venv/bin/python bench/render_results.py
"""

import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import expert_data  # noqa: E402  (the test data builders)
from tests.reports.documents import reviewed_round  # noqa: E402
from thinktank import create_app  # noqa: E402
from thinktank.experts.services import create_expert, seed_fields  # noqa: E402
from thinktank.extensions import db  # noqa: E402
from thinktank.reports import services  # noqa: E402

APPLICATIONS = 30
RUNS = 5
REPORT = ROOT / "docs" / "benchmarks.md"
HEADER = ("# Benchmarks\n\nTimings measured on the machine named in each section; "
          "each script says how to run it again.\n")
HEADING = "## Rendering the results summary (评审结果汇总表)"


def make_expert(**overrides):
    expert = create_expert(expert_data(**overrides), actor="bench")
    db.session.commit()
    return expert


def render_once(round_id: int) -> tuple[float, float, int]:
    """Seconds to build the HTML (context, template, glyph check) and to write
    the PDF, and its page count; the issue is rolled back."""
    started = time.perf_counter()
    document = services.request_issue("round_results", round_id, "评审结果汇总表")
    built = time.perf_counter()
    _pdf, pages = services.write_pdf(document.html)
    done = time.perf_counter()
    db.session.rollback()
    return built - started, done - built, pages


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1) if found else cpu
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, WeasyPrint {version('weasyprint')}")


def write_section(text: str) -> None:
    """Put this benchmark's section in docs/benchmarks.md, replacing an earlier
    one and keeping the other sections."""
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(current):
        current = pattern.sub(lambda _match: text, current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(current, encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "SECRET_KEY": "bench", "UPLOAD_DIR": folder, "SERVER_NAME": "localhost",
        })
        with app.app_context():
            db.create_all()
            seed_fields()
            db.session.commit()
            review_round, _applications, _experts = reviewed_round(
                make_expert, applications=APPLICATIONS)
            round_id = review_round.id
            render_once(round_id)  # warm-up: templates, fonts, glyph maps
            runs = [render_once(round_id) for _ in range(RUNS)]
            db.engine.dispose()
    html = statistics.median(run[0] for run in runs)
    pdf = statistics.median(run[1] for run in runs)
    total = statistics.median(run[0] + run[1] for run in runs)
    pages = runs[0][2]
    section = (
        f"{HEADING}\n\n"
        f"`bench/render_results.py`: the summary of a round of {APPLICATIONS} applications "
        f"(5 experts, every sheet submitted; {pages} landscape A4 pages), rendered in a warm "
        f"process, median of {RUNS} runs.\n\n"
        f"| Step | Median |\n|---|---|\n"
        f"| Context and HTML (queries, template, glyph check) | {html * 1000:.0f} ms |\n"
        f"| PDF (WeasyPrint) | {pdf * 1000:.0f} ms |\n"
        f"| Total | {total * 1000:.0f} ms |\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.\n"
    )
    write_section(section)
    print(section)


if __name__ == "__main__":
    main()
