"""A review from score sheet to results, in headless Chromium against the live
app (CSRF on): an expert on a 390-px phone scores the two applications of a
round (an out-of-range value refused first, nothing saved) and submits; the
secretariat closes scoring and finalizes the round with the round page's
buttons; the results page shows what ``round_results`` computes. The sheet and
the results are kept as screenshots in docs/screenshots/."""

import pytest

from tests.browser.helpers import sign_in
from tests.helpers import PASSWORD
from tests.reviews.outcome_factories import scored_round
from thinktank.extensions import db
from thinktank.reviews import scoring
from thinktank.reviews.models import RoundStatus, SheetStatus
from thinktank.reviews.results import round_results
from thinktank.text import organisation_key

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = ("欧阳子喆", "上官婉清", "黄燊", "邹明辉", "余淼")
PROJECTS = (("重组胶原蛋白医用敷料产业化项目", "江西赣康生物医药有限公司"),
            ("年产 5 万吨聚乳酸全产业链项目", "九江浔阳生物化工股份有限公司"))
# The other four members' points for the two applications (totals 82, 78.5, 90, 85
# and 70, 65, 72.5, 60), submitted through the service.
OTHER_POINTS = (
    (("25", "21", "16", "12", "8"), ("24", "20", "15", "11.5", "8"),
     ("28", "23", "18", "13", "8"), ("26", "21", "17", "13", "8")),
    (("21", "17", "14", "11", "7"), ("19", "16", "13", "10", "7"),
     ("22", "18", "14.5", "11", "7"), ("18", "15", "12", "9", "6")),
)
# The signed-in expert's points for the two applications, criterion by criterion.
OWN_POINTS = (("26.5", "22", "17", "13", "8.5"), ("20", "18", "15", "10", "7"))
CRITERIA = ("技术先进性", "产业化前景", "团队与基础", "经济社会效益", "实施方案可行性")


def submit_through_service(review_round, application, expert, values) -> None:
    points = {criterion.id: value
              for criterion, value in zip(review_round.criteria, values, strict=True)}
    data = scoring.SheetInput(points, "技术路线可行，建议支持。", "推荐")
    scoring.save_sheet(application, expert.id, data, 0, submit=True)


def fill_sheet(phone, points, comment: str) -> None:
    for name, value in zip(CRITERIA, points, strict=True):
        phone.get_by_label(name).fill(value)
    phone.get_by_label("评审意见").fill(comment)
    phone.get_by_label("推荐", exact=True).check()


def submit(phone) -> None:
    phone.get_by_role("button", name="提交（提交后锁定）").click()
    phone.wait_for_load_state()


def test_an_expert_scores_and_the_secretariat_finalizes(live_server, page, phone, make_user,
                                                        make_expert, screenshots):
    names = iter(NAMES)
    review_round, panel, applications, members = scored_round(
        lambda: make_expert(name=next(names)), applications=2,
        name="2026年度江西省生物制造标志性产业化项目遴选")
    expert, *others = members
    for application, (title, organisation) in zip(applications, PROJECTS, strict=True):
        # Realistic names for the screenshots; the factory numbers its own.
        application.title, application.organisation = title, organisation
        application.organisation_key = organisation_key(organisation)
    for application, sheets in zip(applications, OTHER_POINTS, strict=True):
        for other, values in zip(others, sheets, strict=True):
            submit_through_service(review_round, application, other, values)
    db.session.commit()
    user = make_user("expert", expert=expert)
    secretariat = make_user("secretariat", name="周敏")
    first, second = applications

    # The expert opens their assignments and the first sheet.
    sign_in(phone, live_server, user.email, PASSWORD)
    phone.goto(f"{live_server}/reviews/my-assignments")
    assignments = phone.locator("#assignments a")
    assert assignments.count() == 2
    assignments.filter(has_text=first.number).click()
    phone.wait_for_load_state()

    # 35 for a criterion of at most 30: refused, the criterion named, nothing saved.
    fill_sheet(phone, ("35", *OWN_POINTS[0][1:]), "技术路线清晰，中试条件具备，建议支持。")
    submit(phone)
    assert phone.get_by_text("未保存：请更正标出的内容。").is_visible()
    assert phone.get_by_text("“技术先进性”的得分不能超过 30 分。").is_visible()
    assert phone.get_by_label("技术先进性").input_value() == "35"
    db.session.expire_all()
    assert scoring.sheet_of(first, expert.id) is None

    # Corrected and submitted: the sheet is locked.
    phone.get_by_label("技术先进性").fill(OWN_POINTS[0][0])
    submit(phone)
    assert phone.get_by_text("已提交，评分表已锁定。").is_visible()
    assert phone.locator("#sheet-form").count() == 0
    assert phone.locator("#sheet-total").inner_text() == "87.0"

    # The second application, back through the assignments.
    phone.get_by_role("link", name="← 我的评审任务").click()
    phone.wait_for_load_state()
    phone.locator("#assignments a").filter(has_text=second.number).click()
    phone.wait_for_load_state()
    fill_sheet(phone, OWN_POINTS[1], "市场前景较好，建议补充产能消纳分析后予以支持。")
    assert phone.locator("#sheet-total").inner_text() == "70.0"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the sheet scrolls sideways on a phone: {width}px"
    phone.screenshot(path=screenshots / "scoring-sheet.png", full_page=True)
    submit(phone)
    assert phone.get_by_text("已提交，评分表已锁定。").is_visible()
    db.session.expire_all()
    own = [scoring.sheet_of(application, expert.id) for application in applications]
    assert [sheet.status for sheet in own] == [SheetStatus.SUBMITTED] * 2
    assert [sheet.recommendation for sheet in own] == ["推荐"] * 2

    # The secretariat closes scoring and finalizes with the round page's buttons,
    # each confirmed on its page; no group opinion was drafted: a reason is given.
    sign_in(page, live_server, secretariat.email, PASSWORD)
    page.goto(f"{live_server}/reviews/{review_round.id}")
    for button in ("截止评分", "锁定评审结果"):
        page.get_by_role("link", name=button).click()
        page.wait_for_load_state()
        if button == "锁定评审结果":
            page.get_by_label("仍然锁定评审结果的理由").fill("专家组意见已在评审会现场纸质签署")
        page.locator("#confirm").click()
        page.wait_for_load_state()
        assert page.get_by_text("批次当前状态：").is_visible(), button
    db.session.expire_all()
    assert db.session.get(type(review_round), review_round.id).status == RoundStatus.FINALIZED

    page.locator(f'a[href$="/reviews/{review_round.id}/results"]').first.click()
    page.wait_for_load_state()
    assert page.locator("#not-final").count() == 0
    page.screenshot(path=screenshots / "results.png", full_page=True)
    expected = round_results(db.session.get(type(review_round), review_round.id))
    shown = [(row.get_attribute("data-number"), row.locator(".rank").inner_text(),
              row.locator(".final").inner_text())
             for row in page.locator("#results tbody tr").all()]
    assert shown == [(row.application.number, str(row.rank), str(row.result.final_score))
                     for row in expected.rows]
    # Trimmed means of five sheets: the highest and lowest totals are dropped.
    assert [final for _number, _rank, final in shown] == ["84.67", "68.33"]
    assert [row.result.submitted for row in expected.rows] == [5, 5]
