"""The administrator reads the audit log at 1280 px in headless Chromium
against the live app: filters by action, person and days, then exports the
filtered list. The filtered page is kept as docs/screenshots/audit-log.png."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import sign_in
from tests.conftest import PASSWORD
from tests.consultations.factories import make_session, session_data
from thinktank.consultations.services import cancel_session, update_session
from thinktank.experts.models import ExpertStatus
from thinktank.experts.services import set_status
from thinktank.extensions import db

pytestmark = pytest.mark.browser


def test_the_admin_filters_and_exports_the_audit_log(live_server, page, make_user, make_expert,
                                                     screenshots):
    admin = make_user("admin", name="郑审计")
    clerk = make_user("secretariat", name="李秘书")
    other = make_user("secretariat", name="王秘书")
    experts = [make_expert(name=name, organisation="江西省科学院微生物研究所")
               for name in ("欧阳子喆", "上官婉清")]
    session = make_session(title="生物医药产业规划会商")
    later = session.starts_at + timedelta(days=1, hours=5)
    update_session(session, session_data(title="生物医药产业规划专题会商", starts_at=later,
                                          place="省发展改革委 5 楼会议室"), user=clerk)
    other_session = make_session(title="合成生物学专题会商")
    cancel_session(other_session, "与全省大会冲突，另行安排", user=other)
    set_status(experts[1], ExpertStatus.SUSPENDED, "本人申请暂停", actor=clerk.email)
    db.session.commit()

    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("操作", exact=True).select_option(label="修改会商")
    page.get_by_label("操作人").select_option(label=f"李秘书（{clerk.email}）")
    page.get_by_label("起始日期").fill("2026-11-29")
    page.get_by_label("截止日期").fill("2026-11-29")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()

    rows = page.locator("#audit-entries tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert row.get_by_role("cell", name="修改会商", exact=True).is_visible()
    assert row.get_by_role("link", name="生物医药产业规划专题会商").is_visible()
    assert row.get_by_text("开始时间：2026-12-10 09:00 → 2026-12-11 14:00").is_visible()
    assert row.get_by_text("李秘书").is_visible()
    assert page.get_by_text("时间（北京时间）").is_visible()
    page.screenshot(path=str(screenshots / "audit-log.png"), full_page=False)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出到 Excel").click()
    assert download.value.suggested_filename == "审计日志-20261129.xlsx"
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    exported = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(who, action, name) for _at, who, action, _kind, name, _details, _ip in exported] == [
        ("李秘书", "修改会商", "生物医药产业规划专题会商")]
