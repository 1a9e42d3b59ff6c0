"""Confirmation pages of irreversible steps at 1280 px, in headless Chromium
against the live app (CSRF on): the secretariat starts scoring and cancels a
session through their confirmation pages (a cancel link first, which changes
nothing). Kept as screenshots in docs/screenshots/."""

from datetime import timedelta

import pytest

from tests.browser.helpers import sign_in
from tests.consultations.factories import make_session
from tests.helpers import PASSWORD
from tests.reviews.round_factories import make_round
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.extensions import db
from thinktank.reviews.models import ReviewRound, RoundStatus
from thinktank.timeutil import utcnow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_starting_scoring_is_confirmed(page, live_server, make_user, screenshots):
    review_round = make_round(applications=2, name="2026年度江西省生物制造标志性产业化项目遴选",
                              scoring_deadline=utcnow() + timedelta(days=7))
    db.session.commit()
    secretariat = make_user("secretariat", name="周敏")
    sign_in(page, live_server, secretariat.email, PASSWORD)
    page.goto(f"{live_server}/reviews/{review_round.id}")

    page.get_by_role("link", name="开始评分").click()
    page.wait_for_load_state()
    assert page.locator("#locked").inner_text().startswith("评分指标")
    assert "评分提醒" in page.locator("#notified").inner_text()
    assert "不能退回草稿" in page.locator("#irreversible").inner_text()
    page.screenshot(path=screenshots / "confirm-start-scoring.png", full_page=True)
    page.locator("#cancel").click()  # back, nothing changed
    page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(ReviewRound, review_round.id).status == RoundStatus.DRAFT

    page.get_by_role("link", name="开始评分").click()
    page.locator("#confirm").click()
    page.wait_for_load_state()
    assert page.get_by_text("批次当前状态：评分中").is_visible()
    db.session.expire_all()
    assert db.session.get(ReviewRound, review_round.id).status == RoundStatus.SCORING


def test_cancelling_a_session_is_confirmed(page, live_server, make_user, make_expert,
                                           screenshots):
    session = make_session(status="scheduled", title="赣江新区生物医药产业政策会商")
    for name, status in (("欧阳子喆", "accepted"), ("上官婉清", "invited")):
        db.session.add(Invitation(session=session, expert_id=make_expert(name=name).id,
                                  status=status, source="manual"))
    db.session.commit()
    secretariat = make_user("secretariat", name="周敏")
    sign_in(page, live_server, secretariat.email, PASSWORD)
    page.goto(f"{live_server}/consultations/{session.id}")

    page.locator("#cancel-session").click()
    page.wait_for_load_state()
    assert "2 位" in page.locator("#notified").inner_text()
    assert "不能恢复" in page.locator("#irreversible").inner_text()
    page.get_by_label("取消原因").fill("议题已并入下月会商")
    page.screenshot(path=screenshots / "confirm-cancel-session.png", full_page=True)
    page.locator("#confirm").click()
    page.wait_for_load_state()
    assert page.get_by_text("议题已并入下月会商").is_visible()
    db.session.expire_all()
    cancelled = db.session.get(ConsultationSession, session.id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "议题已并入下月会商")
