"""Document numbers (赣生智咨〔2026〕N号) across a year boundary and after
failures, with the clock set: numbers start again at 1 each year, the year
being the issue day's in the display zone (Asia/Shanghai), and a failure
leaves no gap. An issue that fails gives its number back; a document whose
PDF render fails keeps its number, and the new version issued once the cause
is fixed carries it, even in the following year."""

import errno
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from weasyprint.document import Document

from thinktank import timeutil
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import DocumentCounter, DocumentStatus, IssuedDocument

from .documents import confirmed

TITLE = "专家库构成统计表"
# 23:59 and 00:01 in Shanghai (UTC+8) on either side of New Year 2032; in UTC
# both are still 31 December 2031.
LAST_MINUTE_OF_2031 = datetime(2031, 12, 31, 15, 59, tzinfo=UTC)
FIRST_MINUTE_OF_2032 = datetime(2031, 12, 31, 16, 1, tzinfo=UTC)
SECOND_DAY_OF_2032 = datetime(2032, 1, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)`` sets the time the issuing code sees."""

    def set_to(moment: datetime) -> None:
        for module in (timeutil, services):
            monkeypatch.setattr(module, "utcnow", lambda: moment)

    return set_to


def issue(**kwargs) -> IssuedDocument:
    document = services.request_issue("pool_statistics", None, TITLE, **kwargs)
    db.session.commit()
    return document


def counters() -> dict[int, int]:
    return dict(db.session.execute(
        select(DocumentCounter.year, DocumentCounter.last_sequence)).all())


def test_numbers_start_again_at_one_on_new_year_in_the_display_zone(clock, pool):
    clock(LAST_MINUTE_OF_2031)
    assert [issue().number for _ in range(2)] == ["赣生智咨〔2031〕1号", "赣生智咨〔2031〕2号"]

    clock(FIRST_MINUTE_OF_2032)
    first = issue()
    assert (first.number, first.year, first.sequence) == ("赣生智咨〔2032〕1号", 2032, 1)
    assert services.issued_on(first) == "2032年1月1日"
    assert "赣生智咨〔2032〕1号" in first.html and "2032年1月1日" in first.html
    assert issue().number == "赣生智咨〔2032〕2号"
    assert counters() == {2031: 2, 2032: 2}


def broken_render(self, *args, **kwargs):
    # WeasyPrint fails after the real layout, as on a full disk.
    raise OSError(errno.ENOSPC, "No space left on device")


def test_failures_leave_no_gap_across_the_year_boundary(clock, pool, make_expert, monkeypatch):
    clock(LAST_MINUTE_OF_2031)
    assert issue().number == "赣生智咨〔2031〕1号"
    # An issue refused (a character the fonts lack) gives its number back...
    unprintable = make_expert(name="张\ue000")
    with pytest.raises(services.MissingGlyphs):
        services.request_issue("pool_statistics", None, TITLE)
    db.session.rollback()
    unprintable.name = "张三"  # the data corrected
    db.session.commit()
    # ...so the next issue takes it; this one's PDF render then fails.
    failed = issue()
    assert failed.number == "赣生智咨〔2031〕2号"
    with monkeypatch.context() as broken:
        broken.setattr(Document, "write_pdf", broken_render)
        assert services.render_document(failed.id).status == DocumentStatus.FAILED

    clock(FIRST_MINUTE_OF_2032)
    # The first issue of the new year fails too and gives 2032's first number back.
    unprintable.name = "李\ue000"
    db.session.commit()
    with pytest.raises(services.MissingGlyphs):
        services.request_issue("pool_statistics", None, TITLE)
    db.session.rollback()
    unprintable.name = "李四"
    db.session.commit()
    assert issue().number == "赣生智咨〔2032〕1号"

    clock(SECOND_DAY_OF_2032)
    # The failed 2031 document, issued again once the cause is fixed, keeps
    # its 2031 number: it takes no 2032 number and leaves none of 2031 unused.
    retried = services.reissue(failed, "PDF 生成失败，排除故障后重新出具")
    db.session.commit()
    assert services.render_document(retried.id).is_done
    assert (retried.number, retried.year, retried.version) == ("赣生智咨〔2031〕2号", 2031, 2)
    assert issue().number == "赣生智咨〔2032〕2号"
    assert counters() == {2031: 2, 2032: 2}
    numbers = db.session.scalars(
        select(IssuedDocument.number).order_by(IssuedDocument.id)).all()
    assert numbers == ["赣生智咨〔2031〕1号", "赣生智咨〔2031〕2号", "赣生智咨〔2032〕1号",
                       "赣生智咨〔2031〕2号", "赣生智咨〔2032〕2号"]


def test_an_issue_refused_on_the_page_gives_its_number_back(clock, client, auth, make_user,
                                                           make_expert, pool):
    clock(FIRST_MINUTE_OF_2032)
    auth.login(make_user("secretariat"))
    form = {"kind": "pool_statistics", "title": TITLE}
    assert client.post("/reports/issue", data=confirmed(form)).status_code == 302
    unprintable = make_expert(name="王\ue000")

    refused = client.post("/reports/issue", data=confirmed(form))
    assert refused.status_code == 409 and "将占用文号 赣生智咨〔2032〕2号" in refused.get_data(
        as_text=True)

    unprintable.name = "王五"
    db.session.commit()
    assert client.post("/reports/issue", data=confirmed(form)).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(IssuedDocument.number).order_by(IssuedDocument.id)).all() == [
        "赣生智咨〔2032〕1号", "赣生智咨〔2032〕2号"]
    assert counters() == {2032: 2}
