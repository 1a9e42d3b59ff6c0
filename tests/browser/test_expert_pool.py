"""The secretariat imports a file, filters the list and opens an expert, in
headless Chromium against the live app; an expert reads their own record on a
390-px phone screen."""

import pytest
from sqlalchemy import select

from tests.browser.helpers import sign_in
from tests.experts.workbooks import row, workbook
from tests.helpers import PASSWORD, expert_data
from thinktank.experts.models import Expert
from thinktank.experts.services import create_expert
from thinktank.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_secretariat_imports_filters_and_opens_an_expert(live_server, page, make_user, tmp_path,
                                                         screenshots):
    user = make_user("secretariat")
    for number in range(12):
        create_expert(expert_data(name=f"库内专家{number:02d}", city="九江"), actor="test")
    db.session.commit()
    upload = tmp_path / "专家名单.xlsx"
    upload.write_bytes(workbook([
        row(**{"姓名": "欧阳喆", "所在地区": "赣州市", "工作单位": "赣南医科大学"}),
        row(**{"姓名": "林堃", "所在地区": "南昌", "单位类别": "链主企业",
               "工作单位": "江西某生物制药股份有限公司"}),
        row(**{"姓名": "陈燊", "所在地区": "赣州", "专业领域": "新食品／投融资"}),
    ]))

    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server}/experts/")
    page.get_by_role("link", name="从 Excel 导入").click()
    page.get_by_label("Excel").set_input_files(str(upload))
    page.get_by_role("button", name="检查文件").click()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server}/experts/**")
    db.session.expire_all()
    assert db.session.scalar(select(Expert).where(Expert.name == "林堃")) is not None

    page.goto(f"{live_server}/experts/")
    page.locator("#city").select_option("赣州")
    page.get_by_role("button", name="查询").click()
    table = page.locator("table.table-experts tbody")
    assert table.get_by_role("link").count() == 2
    assert table.get_by_role("link", name="欧阳喆").is_visible()
    assert table.get_by_role("link", name="陈燊").is_visible()
    page.goto(f"{live_server}/experts/")
    page.screenshot(path=str(screenshots / "experts.png"), full_page=False)

    page.goto(f"{live_server}/experts/?city=赣州")
    page.get_by_role("link", name="欧阳喆").click()
    assert page.get_by_role("heading", name="欧阳喆").is_visible()
    assert page.get_by_text("赣南医科大学").is_visible()


def test_expert_reads_their_record_on_a_phone(live_server, phone, make_user, make_expert):
    expert = make_expert(name="司马燊", organisation="江西省科学院微生物研究所",
                         field_names=["生物医药", "酶制剂", "中试与工程化", "知识产权"])
    user = make_user("expert", expert=expert)
    sign_in(phone, live_server, user.email, PASSWORD)
    phone.wait_for_url(f"{live_server}/experts/{expert.id}")
    assert phone.get_by_role("heading", name="司马燊").is_visible()
    assert phone.get_by_text(expert.mobile).is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
