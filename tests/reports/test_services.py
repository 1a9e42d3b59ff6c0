"""Issuing, numbering, versions and rendering, without HTTP."""

import threading
from datetime import timedelta

import pytest
import weasyprint
from sqlalchemy import func, select

from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.jobs import JOBS
from thinktank.reports import services
from thinktank.reports.background import submit_render
from thinktank.reports.models import DocumentCounter, DocumentStatus, IssuedDocument
from thinktank.scheduler import run_job
from thinktank.timeutil import today_in_display_zone, utcnow

TITLE = "专家库构成统计表"


def issue(**kwargs) -> IssuedDocument:
    document = services.request_issue("pool_statistics", None, TITLE, **kwargs)
    db.session.commit()
    return document


def test_chinese_date_and_number_formats():
    from datetime import date

    assert services.chinese_date(date(2026, 11, 28)) == "2026年11月28日"
    assert services.chinese_date(date(2026, 3, 5)) == "2026年3月5日"
    assert services.document_number("赣生智咨", 2026, 3) == "赣生智咨〔2026〕3号"


def test_documents_are_numbered_in_sequence_per_year_and_prefix(app, pool, monkeypatch):
    year = today_in_display_zone().year
    first, second = issue(), issue()
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.number == f"赣生智咨〔{year}〕2号"
    monkeypatch.setitem(app.config, "REPORT_NUMBER_PREFIX", "赣生智评")
    assert issue().number == f"赣生智评〔{year}〕1号"
    assert db.session.scalar(
        select(DocumentCounter.last_sequence).where(DocumentCounter.prefix == "赣生智咨")
    ) == 2


def test_issue_stores_html_and_audit_but_no_pdf_yet(make_user, pool):
    user = make_user("secretariat")
    document = issue(user=user)
    assert document.status == DocumentStatus.PENDING
    assert document.pdf is None and document.sha256 is None
    assert document.number in document.html and document.display_code in document.html
    assert "内部资料 注意保密" in document.html
    assert len(document.verification_code) == 10
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.issued"))
    assert entry.user_id == user.id and entry.payload["number"] == document.number


@pytest.mark.parametrize("bad", ["", "   ", "长" * 201])
def test_a_title_is_required_and_bounded(pool, bad):
    with pytest.raises(DomainError):
        services.request_issue("pool_statistics", None, bad)


def test_unknown_kind_is_refused():
    with pytest.raises(DomainError, match="Unknown|未知"):
        services.request_issue("no_such_kind", None, TITLE)


def test_missing_glyphs_stop_the_issue_and_give_the_number_back(make_expert, pool):
    make_expert(name="张\ue000")
    with pytest.raises(services.MissingGlyphs) as raised:
        services.request_issue("pool_statistics", None, TITLE)
    db.session.rollback()
    assert raised.value.characters == ["\ue000"]
    assert "U+E000" in raised.value.message
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
    # Told to go ahead, it is issued with the number the failed attempt gave back.
    document = issue(allow_missing_glyphs=True)
    assert document.sequence == 1
    assert document.missing_characters == "\ue000"


def test_a_latin_only_font_reports_the_chinese_characters(app, pool, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_FONT_SERIF", "DejaVu Sans")
    monkeypatch.setitem(app.config, "REPORT_FONT_SANS", "DejaVu Serif")
    with pytest.raises(services.MissingGlyphs) as raised:
        services.request_issue("pool_statistics", None, TITLE)
    db.session.rollback()
    assert {"堃", "喆", "燊", "专"} <= set(raised.value.characters)


def test_render_freezes_the_pdf_once(pool):
    document = issue()
    rendered = services.render_document(document.id)
    assert rendered.status == DocumentStatus.DONE
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.size == len(rendered.pdf) and rendered.page_count >= 2
    import hashlib

    assert rendered.sha256 == hashlib.sha256(rendered.pdf).hexdigest()
    assert services.render_document(document.id) is None  # not rendered again
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.rendered")
    ) == 1


def test_a_render_that_fails_is_kept_with_its_error(pool, monkeypatch):
    document = issue()

    class BrokenHTML:
        def __init__(self, *args, **kwargs):
            raise OSError("disk full")

    # WeasyPrint failing, not our code (write_pdf imports it when it renders).
    monkeypatch.setattr(weasyprint, "HTML", BrokenHTML)
    rendered = services.render_document(document.id)
    assert rendered.status == DocumentStatus.FAILED
    assert "disk full" in rendered.error and rendered.pdf is None
    with pytest.raises(DomainError):
        services.download(rendered)


def test_render_pending_picks_up_waiting_and_abandoned_documents(runner, pool):
    waiting, abandoned, busy = issue(), issue(), issue()
    abandoned.status = busy.status = DocumentStatus.RENDERING.value
    abandoned.render_started_at = utcnow() - timedelta(minutes=30)
    busy.render_started_at = utcnow()  # another process is on it
    db.session.commit()
    result = runner.invoke(args=["reports", "render-pending"])
    assert result.exit_code == 0, result.output
    assert "rendered 2, failed 0" in result.output
    db.session.expire_all()
    assert waiting.status == abandoned.status == DocumentStatus.DONE
    assert busy.status == DocumentStatus.RENDERING



RENDER_JOB = JOBS["render-pending"]


def rendered_entries() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.rendered")
    )


def test_the_scheduler_renders_abandoned_documents_not_those_in_progress(app, pool):
    waiting, abandoned, busy = issue(), issue(), issue()
    abandoned.status = busy.status = DocumentStatus.RENDERING.value
    abandoned.render_started_at = utcnow() - services.STALE_RENDER - timedelta(minutes=1)
    busy.render_started_at = utcnow() - timedelta(minutes=1)  # another process is on it
    db.session.commit()
    run_job(app, RENDER_JOB)
    db.session.expire_all()
    assert waiting.status == abandoned.status == DocumentStatus.DONE
    assert abandoned.pdf.startswith(b"%PDF")
    assert busy.status == DocumentStatus.RENDERING and busy.pdf is None
    assert rendered_entries() == 2


def test_the_scheduler_and_a_background_render_render_each_document_once(app, pool):
    """The web process's renderer and the scheduler's job at the same time:
    whichever claims a document renders it, the other leaves it."""
    documents = [issue() for _ in range(3)]
    futures = [submit_render(app, document.id) for document in documents]
    run_job(app, RENDER_JOB)
    for future in futures:
        future.result(timeout=120)
    db.session.expire_all()
    assert {document.status for document in documents} == {DocumentStatus.DONE}
    assert rendered_entries() == 3

def test_reissue_makes_version_two_and_supersedes_version_one(make_user, pool, make_expert):
    user = make_user("secretariat")
    first = issue(user=user)
    services.render_document(first.id)
    make_expert(name="赵燊")
    second = services.reissue(first, "  更正专家名单  ", user=user)
    db.session.commit()
    assert (second.number, second.version, second.supersedes_id) == (first.number, 2, first.id)
    assert second.reason == "更正专家名单"
    assert second.verification_code != first.verification_code
    assert "赵燊" in second.html and "赵燊" not in first.html
    assert first.is_current  # until the new version exists as a PDF
    services.render_document(second.id)
    db.session.expire_all()
    assert not first.is_current and second.is_current
    assert first.pdf is not None  # the old version stays
    assert [v.version for v in services.versions(first)] == [1, 2]
    with pytest.raises(DomainError):
        services.reissue(first, "again")  # only the latest version


def test_reissue_needs_a_reason_and_a_finished_version(pool):
    document = issue()
    with pytest.raises(DomainError):
        services.reissue(document, "更正")  # still pending
    services.render_document(document.id)
    with pytest.raises(DomainError):
        services.reissue(document, "  ")


def test_verification_finds_rendered_documents_only(pool):
    document = issue()
    assert services.find_by_code(document.verification_code) is None  # not rendered yet
    services.render_document(document.id)
    code = document.verification_code
    assert services.find_by_code(code.lower()) == document
    assert services.find_by_code(f" {code[:5]}-{code[5:]} ") == document
    assert services.find_by_code("AAAAAAAAAA") is None
    assert services.find_by_code("short") is None
    assert services.find_by_pdf(document.pdf) == document
    tampered = bytearray(document.pdf)
    tampered[len(tampered) // 2] ^= 0x01
    assert services.find_by_pdf(bytes(tampered)) is None


def test_normalise_code_reads_digits_that_look_like_letters():
    assert services.normalise_code("ab0-1cd") == "ABOICD"


@pytest.mark.slow
def test_concurrent_issues_get_distinct_consecutive_numbers(app, pool):
    """Several issues at the same moment, each in its own transaction and connection."""
    workers = 6
    start = threading.Barrier(workers)
    numbers, errors = [], []

    def issuer():
        try:
            with app.app_context():
                start.wait()
                document = services.request_issue("pool_statistics", None, TITLE)
                db.session.commit()
                numbers.append(document.sequence)
        except Exception as error:  # reported below; a thread cannot fail the test
            errors.append(error)

    threads = [threading.Thread(target=issuer) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, workers + 1))


@pytest.mark.slow
def test_the_app_starts_without_importing_weasyprint(app_config):
    """WeasyPrint costs half a second to import: processes that never render
    (commands, the scheduler, a test run) do not pay it."""
    import json
    import subprocess
    import sys

    script = """
import json, sys
from thinktank import create_app
create_app(json.loads(sys.argv[1])).test_cli_runner().invoke(args=["--help"])
print(sorted(name for name in sys.modules if name.split(".")[0] == "weasyprint"))
"""
    result = subprocess.run([sys.executable, "-c", script, json.dumps(app_config)],
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
