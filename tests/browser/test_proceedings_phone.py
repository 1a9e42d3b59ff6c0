"""An expert writes and then changes their opinion on a 390-px phone screen,
in headless Chromium against the live app (CSRF on)."""

import pytest

from tests.browser.helpers import sign_in
from tests.consultations.proceedings_factories import held_session
from tests.helpers import PASSWORD
from thinktank.consultations import proceedings
from thinktank.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_expert_writes_an_opinion_on_a_phone(live_server, phone, make_user, make_expert):
    expert = make_expert(name="司马燊")
    title = "生物医药产业发展规划（2026—2030年）专题咨询会商"
    session = held_session(present=[expert], title=title)
    user = make_user("expert", expert=expert)
    sign_in(phone, live_server, user.email, PASSWORD)
    phone.goto(f"{live_server}/consultations/{session.id}/my-opinion")
    assert phone.get_by_role("heading", name=title).is_visible()
    box = phone.get_by_label("您的意见")
    box.fill("建议加快建设生物制造中试验证平台，" * 20)
    phone.get_by_role("button", name="提交意见").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("您的意见已保存").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    field_width = phone.get_by_label("您的意见").bounding_box()["width"]
    assert 300 <= field_width <= 390, field_width  # the text box uses the screen's width

    changed = "修改后的意见：建议加快建设中试验证平台。"
    phone.get_by_label("您的意见").fill(changed)
    phone.get_by_role("button", name="保存修改").click()
    phone.wait_for_load_state()
    db.session.expire_all()
    assert proceedings.opinion_of(session, expert.id).text == changed
