"""The round pages: list, detail, create and edit, status buttons, who sees what."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.helpers import Auth
from tests.reviews.round_factories import make_round
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.reviews.models import Criterion, ReviewGroup, ReviewRound, RoundStatus

CRITERIA = [("技术先进性", "30"), ("产业化前景", "25"), ("", ""), ("团队与基础", "20"),
            ("经济社会效益", "１５"), ("实施方案可行性", "10")]


def rows(pairs) -> dict[str, str]:
    """The criteria rows of the form, as a browser posts them."""
    posted = {}
    for index, (name, points) in enumerate(pairs):
        posted[f"criteria-{index}-name"] = name
        posted[f"criteria-{index}-max_points"] = points
    return posted


def form(criteria=None, **overrides):
    values = {
        "name": "2026年中试项目遴选",
        "category": "中试项目遴选",
        "description": "第一批",
        "full_mark": "100",
        **rows(CRITERIA),
        "aggregation": "median",
        "panel_size": "7",
        "outlier_threshold": "15.5",
        "scoring_deadline": "2026-12-01T17:00",
    }
    values.update(overrides)
    if criteria is not None:
        values = {k: v for k, v in values.items() if not k.startswith("criteria-")}
        values.update(rows(criteria))
    return values


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def test_the_secretariat_creates_a_round_with_criteria_from_the_text(secretariat):
    response = secretariat.post("/reviews/new", data=form())
    assert response.status_code == 302
    review_round = db.session.scalar(select(ReviewRound))
    assert response.headers["Location"].endswith(f"/reviews/{review_round.id}")
    assert (review_round.aggregation, review_round.panel_size) == ("median", 7)
    assert review_round.outlier_threshold == Decimal("15.5")
    # 17:00 in Shanghai is 09:00 UTC.
    assert review_round.scoring_deadline.hour == 9
    assert [(c.name, c.max_points) for c in review_round.criteria] == [
        ("技术先进性", 30), ("产业化前景", 25), ("团队与基础", 20), ("经济社会效益", 15),
        ("实施方案可行性", 10)]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "review_round.created")) == 1
    page = secretariat.get(f"/reviews/{review_round.id}").get_data(as_text=True)
    assert "实施方案可行性" in page and "2026年中试项目遴选" in page


@pytest.mark.parametrize(("overrides", "shown"), [
    ({"criteria": [*CRITERIA[:-1], ("实施方案可行性", "9.9")]}, "99.9"),
    ({"criteria": [("技术先进性", "很高")]}, "Not a valid decimal value"),
    ({"panel_size": "6"}, "5"),
    ({"panel_size": "3"}, "5"),
    ({"full_mark": ""}, ""),
])
def test_a_bad_round_is_refused_and_nothing_is_saved(secretariat, overrides, shown):
    response = secretariat.post("/reviews/new", data=form(**overrides))
    assert response.status_code == 400
    assert shown in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReviewRound.id))) == 0


def test_in_scoring_the_criteria_are_shown_disabled_and_kept(secretariat):
    review_round = make_round(status=RoundStatus.SCORING)
    page = secretariat.get(f"/reviews/{review_round.id}/edit").get_data(as_text=True)
    assert "disabled" in page and 'value="技术先进性"' in page and 'value="30"' in page
    # Even if a browser sends them, criteria and full mark stay as they are.
    response = secretariat.post(f"/reviews/{review_round.id}/edit", data=form(
        name="改名", criteria=[("技术先进性", "100")], full_mark="50"))
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(ReviewRound, review_round.id)
    assert stored.name == "改名" and stored.full_mark == 100
    assert db.session.scalar(select(func.count(Criterion.id))) == 5


def test_in_draft_the_criteria_can_be_edited(secretariat):
    review_round = make_round()
    response = secretariat.post(f"/reviews/{review_round.id}/edit",
                                data=form(criteria=[("技术先进性", "60"), ("产业化前景", "40")]))
    assert response.status_code == 302
    assert db.session.scalars(select(Criterion.name).order_by(Criterion.position)).all() == [
        "技术先进性", "产业化前景"]


def test_a_locked_round_is_not_edited(secretariat):
    review_round = make_round(status=RoundStatus.FINALIZED)
    response = secretariat.post(f"/reviews/{review_round.id}/edit", data=form(name="改名"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewRound, review_round.id).name != "改名"


def test_status_buttons_move_the_round_and_refuse_wrong_moves(secretariat):
    review_round = make_round(applications=1)
    url = f"/reviews/{review_round.id}/status"
    secretariat.post(f"{url}/published", data={"confirmed": "yes"})
    db.session.expire_all()
    assert db.session.get(ReviewRound, review_round.id).status == RoundStatus.DRAFT
    for status in ("scoring", "closed", "finalized", "published"):
        response = secretariat.post(f"{url}/{status}",
                                    data={"confirmed": "yes", "reason": "会上纸质确认"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(ReviewRound, review_round.id).status == status
    assert secretariat.post(f"{url}/nonsense", data={"confirmed": "yes"}).status_code == 404


STEPS = [  # (status before, target, the button, a word of what it locks)
    (RoundStatus.DRAFT, "scoring", "开始评分", "评分指标"),
    (RoundStatus.SCORING, "closed", "截止评分", "评分表"),
    (RoundStatus.CLOSED, "scoring", "重新开放评分", "再次保存"),
    (RoundStatus.CLOSED, "finalized", "锁定评审结果", "全部评分表"),
    (RoundStatus.FINALIZED, "published", "发布", "正式结果"),
]


@pytest.mark.parametrize(("current", "target", "button", "locked"), STEPS)
def test_each_status_change_is_confirmed_on_its_own_page(secretariat, current, target, button,
                                                         locked):
    review_round = make_round(status=current, applications=1)
    url = f"/reviews/{review_round.id}/status/{target}"

    detail = secretariat.get(f"/reviews/{review_round.id}").get_data(as_text=True)
    page = secretariat.get(url)
    unconfirmed = secretariat.post(url, data={"reason": "会上纸质确认"})

    assert f'href="{url}"' in detail  # the button is a link to the confirmation page
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and button in html and locked in html
    for heading in ("将锁定的内容", "将通知的人员", "不可撤销的事项"):
        assert heading in html
    assert f'action="{url}"' in html and 'name="csrf_token"' in html
    assert 'name="confirmed"' in html
    assert f'id="cancel" href="/reviews/{review_round.id}"' in html
    assert unconfirmed.status_code == 400
    db.session.expire_all()
    assert db.session.get(ReviewRound, review_round.id).status == current
    assert not db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review_round.status_changed"))


def test_groups_are_added_by_hand_once_per_name(secretariat):
    review_round = make_round()
    url = f"/reviews/{review_round.id}/groups"
    secretariat.post(url, data={"name": "生物医药组"})
    secretariat.post(url, data={"name": " 生物医药组 "})
    assert db.session.scalars(select(ReviewGroup.name)).all() == ["生物医药组"]
    assert "生物医药组" in secretariat.get(f"/reviews/{review_round.id}").get_data(as_text=True)


def test_an_official_sees_published_rounds_only(client, make_user):
    draft = make_round(name="草稿批次")
    published = make_round(status=RoundStatus.PUBLISHED, name="已发布批次", applications=2)
    Auth(client).login(make_user("official"))
    listing = client.get("/reviews/").get_data(as_text=True)
    assert "已发布批次" in listing and "草稿批次" not in listing
    assert client.get(f"/reviews/{draft.id}").status_code == 403
    page = client.get(f"/reviews/{published.id}")
    assert page.status_code == 200
    # Officials read the table but do not open applications or change anything.
    assert "/reviews/applications/" not in page.get_data(as_text=True)
    assert client.post(f"/reviews/{published.id}/edit", data=form()).status_code == 403


@pytest.mark.parametrize("status", [s for s in RoundStatus if s != RoundStatus.PUBLISHED])
def test_an_official_cannot_open_an_unpublished_round(client, make_user, status):
    review_round = make_round(status=status)
    Auth(client).login(make_user("official"))
    assert client.get(f"/reviews/{review_round.id}").status_code == 403


def test_an_expert_gets_403_everywhere(client, make_user, make_expert):
    review_round = make_round(status=RoundStatus.PUBLISHED)
    Auth(client).login(make_user("expert", expert=make_expert()))
    for url in ("/reviews/", f"/reviews/{review_round.id}", "/reviews/new"):
        assert client.get(url).status_code == 403


def test_an_admin_reads_without_buttons(client, make_user):
    review_round = make_round(applications=1)
    Auth(client).login(make_user("admin"))
    page = client.get(f"/reviews/{review_round.id}").get_data(as_text=True)
    assert "/status" not in page and "/edit" not in page
    assert client.post("/reviews/new", data=form()).status_code == 403


def _detail_queries(client, count_queries, applications):
    review_round = make_round(applications=applications, group="生物材料组")
    with count_queries() as counter:
        response = client.get(f"/reviews/{review_round.id}")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("生物材料组") > min(applications, 50)
    return counter.count


def test_the_detail_page_runs_the_same_number_of_queries_for_10_and_200(secretariat,
                                                                       count_queries):
    few = _detail_queries(secretariat, count_queries, 10)
    many = _detail_queries(secretariat, count_queries, 200)
    assert few == many
    assert few <= 12


def test_every_error_of_the_round_form_is_shown_at_once_on_its_field(secretariat):
    response = secretariat.post("/reviews/new", data=form(
        panel_size="6", criteria=[("技术先进性", "30"), ("产业化前景", "")]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # the row without points, and the panel size, together
    assert "请填写该指标的最高分" in page and "奇数" in page

    response = secretariat.post("/reviews/new", data=form(
        panel_size="6", criteria=[("技术先进性", "30"), ("产业化前景", "25")]))
    page = response.get_data(as_text=True)
    # the panel size and the criteria total, together, each on its field
    assert "奇数" in page and "合计为 55" in page
    assert page.index("合计为 55") < page.index('id="panel_size"')
    assert db.session.scalar(select(func.count(ReviewRound.id))) == 0


def test_blank_rows_are_ignored_and_a_round_with_many_criteria_gets_spare_rows(secretariat):
    pairs = [(f"指标{n}", "10") for n in range(10)]
    response = secretariat.post("/reviews/new", data=form(criteria=pairs))
    assert response.status_code == 302
    review_round = db.session.scalar(select(ReviewRound))
    page = secretariat.get(f"/reviews/{review_round.id}/edit").get_data(as_text=True)
    assert 'value="指标9"' in page and 'name="criteria-11-name"' in page
    assert 'name="criteria-12-name"' not in page
    fresh = secretariat.get("/reviews/new").get_data(as_text=True)
    assert 'name="criteria-7-name"' in fresh and 'name="criteria-8-name"' not in fresh
