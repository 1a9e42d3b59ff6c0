"""The secretariat creates a session, draws its panel and sends the
invitations; an expert opens the RSVP link from the mail they received on a
390-px phone, without signing in, and accepts. Headless Chromium against the
live app (CSRF on), the mails through a real SMTP server.

The live server only queues mails in the outbox (the shared database); the
dispatcher pass runs here, in the test app, whose mail settings the ``smtp``
fixture points at its server. The links in the mails were built by the live
server, so they lead to it.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.browser.helpers import sign_in
from tests.helpers import PASSWORD
from thinktank.consultations.models import ConsultationSession, Invitation, InvitationStatus
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.notifications.services import dispatch_due
from thinktank.timeutil import today_in_display_zone

pytestmark = [pytest.mark.browser, pytest.mark.slow]


TITLE = "合成生物学中试平台建设专题咨询"
ORGANISATIONS = ("南昌大学", "江西省科学院", "赣鄱生物制造集团股份有限公司",
                 "江西省生物制造中试服务中心", "江西省生物产业投资基金管理有限公司")
RSVP_LINK = re.compile(r"http://127\.0\.0\.1:\d+/consultations/rsvp/\S+")


def local(day, hour: int, minute: int = 0) -> str:
    """A wall-clock time as <input type="datetime-local"> takes it."""
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


def text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_secretariat_draws_a_panel_and_an_expert_accepts_by_mail(
        live_server, page, phone, make_user, make_expert, smtp, screenshots):
    today = today_in_display_zone()
    term = {"term_start": today - timedelta(days=365), "term_end": today + timedelta(days=730)}
    names = ("欧阳子喆", "上官婉清", "黄燊", "刘堃", "邹明辉", "胡建军")
    for name, organisation in zip(names, (*ORGANISATIONS, ORGANISATIONS[0]), strict=True):
        make_expert(name=name, organisation=organisation, **term)
    user = make_user("secretariat", name="周敏")
    day = today + timedelta(days=14)

    # The secretariat creates the session through the form.
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server}/consultations/")
    page.get_by_role("link", name="新建会商").click()
    page.locator("#title").fill(TITLE)
    page.get_by_label("类型").select_option(label="专题咨询")
    page.get_by_label("咨询领域").select_option(label="产业规划编制")
    page.get_by_label("开始时间").fill(local(day, 9, 30))
    page.get_by_label("结束时间").fill(local(day, 12))
    page.get_by_label("地点").fill("江西省生物制造中试服务中心 二楼报告厅")
    page.get_by_label("议程").fill("一、汇报合成生物学中试平台建设方案\n二、专家咨询平台功能定位与运营机制")
    page.get_by_label("回复截止时间").fill(local(day - timedelta(days=3), 18))
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=TITLE).is_visible()
    session_url = page.url
    db.session.expire_all()
    session = db.session.scalars(select(ConsultationSession)).one()
    assert (session.title, session.kind, session.status) == (TITLE, "topical", "draft")

    # Draws 3 members and 1 backup, at most one per organisation.
    page.get_by_role("link", name="管理参会专家").click()
    page.locator("#draw-panel_size").fill("3")
    page.locator("#draw-backups").fill("1")
    page.get_by_role("button", name="抽取", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("已抽取 3 位专家及 1 位候补专家。").is_visible()
    db.session.expire_all()
    drawn = db.session.scalars(select(Invitation).where(Invitation.is_backup.is_(False))).all()
    assert len(drawn) == 3
    assert len({invitation.expert.organisation for invitation in drawn}) == 3

    page.get_by_role("link", name="随机种子、候选池与抽取顺序").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name=re.compile("随机抽取记录")).is_visible()
    for invitation in drawn:
        cell = page.locator("#draw-walk").get_by_role(
            "cell", name=re.compile(rf"^{invitation.expert.name} {invitation.expert.code}"))
        assert cell.is_visible()
    page.screenshot(path=str(screenshots / "draw.png"), full_page=True)

    # Schedules the session: the invitations are queued, then one dispatcher pass sends them.
    page.goto(f"{session_url}/participants")
    page.get_by_role("button", name="确定会商并发送邀请").click()
    page.wait_for_load_state()
    assert page.get_by_text("正在向 3 位专家发送邀请。").is_visible()
    result = dispatch_due()
    assert result.sent == 3 and result.failed == 0
    smtp.inbox.wait_for(3)
    received = {message["To"].addresses[0].addr_spec: message for message in smtp.inbox.messages}
    assert set(received) == {invitation.expert.email for invitation in drawn}

    invited = drawn[0]
    expert = db.session.get(Expert, invited.expert_id)
    mail = received[expert.email]
    assert mail["Subject"] == f"会商邀请：{TITLE}"
    link = RSVP_LINK.search(text_body(mail)).group()

    # A link altered on the way is refused.
    phone.goto(link[:-2] + "xx")
    assert phone.get_by_text("该链接无效，请使用最新一封邀请邮件中的链接。").is_visible()

    # The expert opens the link on a phone, without signing in, and accepts.
    phone.goto(link)
    assert phone.get_by_role("heading", name=TITLE).is_visible()
    phone.get_by_role("button", name="接受邀请").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("感谢您的回复，已记录。").is_visible()
    assert phone.locator("dd strong").inner_text() == "已接受"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    db.session.expire_all()
    assert db.session.get(Invitation, invited.id).status == InvitationStatus.ACCEPTED

    # The secretariat's session page shows the answer.
    page.goto(session_url)
    row = page.locator("tr", has_text=expert.name)
    assert "已接受" in row.inner_text()
    others = page.locator("tr", has_text="已邀请，未回复")
    assert others.count() == 2
    page.screenshot(path=str(screenshots / "session.png"), full_page=True)
