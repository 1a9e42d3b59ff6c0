"""A panel member records a dissent with reasons on a 390-px phone screen, in
headless Chromium against the live app (CSRF on)."""

import pytest

from tests.browser.helpers import sign_in
from tests.helpers import PASSWORD
from tests.reviews.outcome_factories import scored_round
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reviews import group_opinion
from thinktank.reviews.models import OpinionVerdict

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_member_dissents_on_a_phone(live_server, phone, make_user, make_expert):
    _round, _panel, apps, experts = scored_round(make_expert)
    application, leader, member = apps[0], experts[0], experts[1]
    group_opinion.save_opinion(application, leader.id, "建议立项支持。" * 30, 0)
    db.session.commit()
    user = make_user(Role.EXPERT, expert=member)
    sign_in(phone, live_server, user.email, PASSWORD)

    phone.goto(f"{live_server}/reviews/applications/{application.id}/opinion")
    phone.get_by_label("持保留意见").check()
    phone.get_by_label("保留意见理由").fill("投资估算偏乐观，建议补充论证。")
    phone.get_by_role("button", name="提交我的意见").click()
    phone.wait_for_load_state()

    assert phone.get_by_text("您的意见已记录").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    assert phone.get_by_role("button", name="提交我的意见").bounding_box()["width"] >= 300
    db.session.expire_all()
    answer = group_opinion.opinion_of(application).confirmations[0]
    assert (answer.expert_id, answer.verdict, answer.reason) == (
        member.id, OpinionVerdict.DISSENT, "投资估算偏乐观，建议补充论证。")
