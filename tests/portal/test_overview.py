"""The overview page: counts by state, documents of the year, the pool's charts."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.consultations.factories import make_session
from tests.portal.helpers import about_round
from tests.reviews.round_factories import make_round
from thinktank.experts.models import ExpertStatus
from thinktank.extensions import db
from thinktank.reports.models import DocumentStatus
from thinktank.reviews.models import RoundStatus
from thinktank.timeutil import utcnow

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def official(make_user, auth):
    user = make_user("official")
    auth.login(user)
    return user


def _page(client) -> str:
    response = client.get("/portal/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _charts(page: str) -> dict[str, dict[str, int]]:
    """Each chart of the page (by its id) as {label: count}, read from the bars' titles."""
    charts = {}
    for markup in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        svg = ET.fromstring(markup)
        chart_id = svg.find(f"{SVG}title").get("id").removesuffix("-title")
        bars = {}
        for bar in svg.findall(f"{SVG}g"):
            label, count = bar.find(f"{SVG}title").text.rsplit(": ", 1)
            assert bar.findall(f"{SVG}text")[1].text == count
            bars[label] = int(count)
        charts[chart_id] = bars
    return charts


def _cell(page: str, attribute: str, value: str, section: str) -> str:
    part = page[page.index(f'id="{section}"'):]
    return re.search(rf'{attribute}="{value}">(\d+)<', part).group(1)


def test_counts_by_state_and_documents_of_the_year(client, official, make_document):
    for status in ("draft", "draft", "scheduled", "issued", "cancelled"):
        make_session(status=status, title="保密的草稿会议标题")
    for status in (RoundStatus.DRAFT, RoundStatus.PUBLISHED, RoundStatus.PUBLISHED):
        make_round(status=status, name="保密的草稿批次名称")
    now = utcnow()
    first = make_document("统计表", kind="pool_statistics", issued_at=now)
    make_document("统计表", kind="pool_statistics", issued_at=now, supersedes=first)
    make_document("统计表二", kind="pool_statistics", issued_at=now)
    make_document("待生成", kind="pool_statistics", issued_at=now, status=DocumentStatus.PENDING)
    make_document("去年的", kind="pool_statistics", issued_at=now - timedelta(days=400))

    page = _page(client)
    sessions = {s: _cell(page, "data-status", s, "sessions-by-status")
                for s in ("draft", "scheduled", "held", "issued", "cancelled")}
    assert sessions == {"draft": "2", "scheduled": "1", "held": "0", "issued": "1",
                        "cancelled": "1"}
    rounds = {s: _cell(page, "data-status", s, "rounds-by-status")
              for s in ("draft", "scoring", "published")}
    assert rounds == {"draft": "1", "scoring": "0", "published": "2"}
    # a reissued document counts once; pending and last year's do not count
    assert re.search(r'id="documents-total">2<', page)
    assert _cell(page, "data-kind", "pool_statistics", "documents-this-year") == "2"
    # counts only: the titles of sessions and rounds are not shown
    assert "保密的草稿会议标题" not in page and "保密的草稿批次名称" not in page


def test_documents_counted_are_those_the_list_shows(client, official, make_document):
    """A document of a round not yet published is in neither the list nor the counts."""
    unpublished = make_round(status=RoundStatus.FINALIZED)
    published = make_round(status=RoundStatus.PUBLISHED)
    now = utcnow()
    make_document("未发布的汇总", kind="results_summary", subject=about_round(unpublished),
                  issued_at=now)
    make_document("已发布的汇总", kind="results_summary", subject=about_round(published),
                  issued_at=now)

    listed = client.get("/portal/documents").get_data(as_text=True)
    page = _page(client)

    assert "已发布的汇总" in listed and "未发布的汇总" not in listed
    assert re.search(r'id="documents-total">1<', page)
    assert _cell(page, "data-kind", "results_summary", "documents-this-year") == "1"


def test_pool_composition_charts(client, official, make_expert):
    make_expert(category="高校院所", city="南昌", field_names=["生物医药", "酶制剂"])
    make_expert(category="高校院所", city="赣州", field_names=["生物医药"])
    make_expert(category="链主企业", city="南昌", field_names=["新食品"])
    suspended = make_expert(category="链主企业", city="南昌", field_names=["新食品"])
    suspended.status = ExpertStatus.SUSPENDED.value  # not in the active pool
    db.session.commit()

    page = _page(client)
    assert "专家库构成" in page and "在库专家 3 位" in page
    assert '<title id="chart-category-title">在库专家单位类别分布</title>' in page
    charts = _charts(page)
    assert set(charts) == {"chart-category", "chart-field", "chart-city"}
    category = charts["chart-category"]
    assert category["高校院所"] == 2 and category["链主企业"] == 1 and category["其他"] == 0
    assert list(category)[:2] == ["高校院所", "链主企业"]  # the fixed order of the vocabulary
    assert charts["chart-field"] == {"生物医药": 2, "新食品": 1, "酶制剂": 1}
    city = charts["chart-city"]
    assert city["南昌"] == 2 and city["赣州"] == 1 and city["省外"] == 0
    assert sum(city.values()) == 3


def test_labels_with_markup_are_escaped(client, official, make_expert):
    from thinktank.experts.models import ExpertiseField

    db.session.add(ExpertiseField(name="<script>alert(1)</script>", position=99))
    db.session.commit()
    make_expert(field_names=["<script>alert(1)</script>"])
    page = _page(client)
    assert "<script>alert(1)</script>" not in page
    assert _charts(page)["chart-field"]["<script>alert(1)</script>"] == 1


def test_query_count_does_not_grow_with_the_pool(client, official, make_expert, count_queries):
    categories = ["高校院所", "链主企业", "高成长企业", "其他"]
    cities = ["南昌", "赣州", "九江", "省外"]
    fields = [["生物医药"], ["新食品", "酶制剂"], ["生物化工"]]

    def add(start: int, stop: int):
        for n in range(start, stop):
            make_expert(category=categories[n % 4], city=cities[n % 4], field_names=fields[n % 3])

    add(0, 10)
    with count_queries() as small:
        _page(client)
    add(10, 200)
    with count_queries() as large:
        page = _page(client)
    assert small.count == large.count <= 12
    assert sum(_charts(page)["chart-category"].values()) == 200


def test_the_page_fits_a_phone_screen(client, official, make_expert):
    make_expert()
    page = _page(client)
    assert 'name="viewport" content="width=device-width' in page
    # every card takes the full width below the md breakpoint
    assert page.count('class="col-12 col-md-6 col-xl-4"') == 6
    for markup in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        svg = ET.fromstring(markup)
        # no fixed size: the chart scales with its card
        assert svg.get("width") == "100%" and svg.get("height") is None
        assert int(svg.get("viewBox").split()[2]) <= 390


def test_an_official_starts_on_the_portal(client, make_user, auth):
    auth.login(make_user("official"))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    nav = client.get("/portal/").get_data(as_text=True)
    assert 'href="/portal/"' in nav
    assert 'href="/verify"' in nav  # the verification of documents, in the menu


def test_secretariat_keeps_its_start_page_and_sees_the_portal_link(client, make_user, auth):
    auth.login(make_user("secretariat", "official"))
    response = client.get("/")
    assert response.status_code == 200 and 'href="/portal/"' in response.get_data(as_text=True)
    assert client.get("/portal/").status_code == 200


def test_an_expert_is_linked_to_the_document_list(client, make_user, make_expert, auth):
    auth.login(make_user("expert", expert=make_expert()))
    page = client.get("/portal/documents").get_data(as_text=True)
    assert 'href="/portal/documents"' in page and 'href="/portal/"' not in page
