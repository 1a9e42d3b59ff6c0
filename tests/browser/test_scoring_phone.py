"""An expert fills in and submits a score sheet on a 390-px phone screen, in
headless Chromium against the live app (CSRF on, the CSP in force): the
running total follows the typing, and nothing scrolls sideways."""

import pytest
from sqlalchemy import select

from tests.browser.helpers import sign_in
from tests.helpers import PASSWORD
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.extensions import db
from thinktank.reviews.models import ScoreSheet, SheetStatus

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_expert_scores_on_a_phone(live_server, phone, make_user, make_expert):
    review_round = scoring_round(applications=1)
    expert = make_expert(name="上官评审")
    panel_with(review_round, [expert])
    application = applications_of(review_round)[0]
    user = make_user("expert", expert=expert)
    errors: list[str] = []  # script errors and CSP refusals (a missing favicon is no error)
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("console", lambda message: errors.append(message.text)
             if "Content Security Policy" in message.text else None)
    sign_in(phone, live_server, user.email, PASSWORD)
    phone.goto(f"{live_server}/reviews/applications/{application.id}/sheet")
    total = phone.locator("#sheet-total")
    assert total.inner_text() == "0.0"
    for name, points in zip(["技术先进性", "产业化前景", "团队与基础", "经济社会效益",
                             "实施方案可行性"], ["26.5", "２０", "15", "12", "8"], strict=True):
        phone.get_by_label(name).fill(points)
    assert total.inner_text() == "81.5"  # full-width digits count as the server reads them
    phone.get_by_label("技术先进性").fill("26.55")
    assert total.inner_text() == "55.0"  # a value the server refuses is not counted
    phone.get_by_label("技术先进性").fill("26.5")
    phone.get_by_label("评审意见").fill("技术路线清晰，中试条件具备，建议支持。" * 5)
    phone.get_by_label("推荐", exact=True).check()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    field_width = phone.get_by_label("评审意见").bounding_box()["width"]
    assert 300 <= field_width <= 390, field_width
    phone.get_by_role("button", name="提交（提交后锁定）").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("已提交，评分表已锁定。").is_visible()
    assert phone.locator("#sheet-total").inner_text() == "81.5"
    assert errors == []
    db.session.expire_all()
    sheet = db.session.scalars(select(ScoreSheet)).one()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.recommendation == "推荐"
