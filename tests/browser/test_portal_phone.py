"""The overview page on a 390-px phone screen, in headless Chromium against the live app."""

import pytest

from tests.browser.helpers import sign_in
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_overview_fits_a_phone(live_server, phone, make_user, make_expert):
    for city, field in (("南昌", "生物医药"), ("景德镇", "数字化与智能制造"), ("省外", "酶制剂")):
        make_expert(category="研发服务机构", city=city, field_names=[field])
    user = make_user("official")
    sign_in(phone, live_server, user.email, PASSWORD)
    phone.goto(f"{live_server}/portal/")
    assert phone.get_by_role("heading", name="总览").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    charts = phone.locator("svg.portal-chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        # the chart scales down to its card, keeping its proportions
        assert 250 <= box["width"] <= 370 and box["height"] > 0, box
    field_chart = phone.get_by_role("img", name="在库专家专业领域分布")
    assert field_chart.is_visible()
    assert "数字化与智能制造" in field_chart.inner_html()
