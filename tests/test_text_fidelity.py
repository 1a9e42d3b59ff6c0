"""What users type is what the app shows and prints: full-width punctuation
（）、：“” stays as typed through the forms, the Excel imports, the pages and
the PDF titles. Only the keys that compare texts are folded to half-width."""

import html
import re

import pytest
from sqlalchemy import select

from tests.experts.workbooks import row as expert_row
from tests.experts.workbooks import workbook
from tests.reports.documents import reviewed_round
from tests.reports.helpers import pdf_text
from tests.reports.test_documents_session import issued_session
from tests.reviews.round_factories import HEADERS as APPLICATION_HEADERS
from tests.reviews.round_factories import make_round
from tests.reviews.round_factories import row as application_row
from thinktank.consultations.models import ConsultationSession
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.experts.services import ExpertFilters, expert_query
from thinktank.experts.transfer import import_experts
from thinktank.extensions import db
from thinktank.reports.models import IssuedDocument
from thinktank.reviews import applications as review_services
from thinktank.reviews.models import Application, ReviewRound

TYPED = "（测试）第一批、重点：“生物制造”"
ORGANISATION = "江西（南昌）生物制造研究院：“中试”基地"

CRITERIA = {
    f"criteria-{index}-{field}": value
    for index, row in enumerate([("技术先进性（含知识产权）", "30"), ("产业化前景", "25"),
                                 ("团队与基础", "20"), ("经济社会效益", "15"),
                                 ("实施方案可行性", "10")])
    for field, value in zip(("name", "max_points"), row, strict=True)
}


@pytest.fixture(autouse=True)
def render_at_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)


@pytest.fixture
def secretariat(client, make_user, auth):
    auth.login(make_user("secretariat"))
    return client


def created(response, model):
    """The row a create form redirected to (its page's address ends in the id)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    return db.session.get(model, int(re.search(r"/(\d+)$", response.headers["Location"])[1]))


def issued_from(client, page_url: str, kind: str, tmp_path) -> str:
    """Issue the document the page's button offers, as it offers it; the PDF's text."""
    page = client.get(page_url).get_data(as_text=True)
    form = re.search(rf'data-kind="{kind}">(.*?)</form>', page, re.S)[1]
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'name="(\w+)" value="([^"]*)"', form)}
    response = client.post("/reports/issue", data=fields)
    document = created(response, IssuedDocument)
    assert document.is_done, document.error
    return re.sub(r"\s+", "", pdf_text(document.pdf, tmp_path))


def test_a_round_name_and_an_application_title_keep_what_was_typed(secretariat, tmp_path,
                                                                   make_expert):
    round_form = {"name": TYPED, "category": "中试项目遴选（第二批）", "full_mark": "100",
                  **CRITERIA, "aggregation": "mean", "panel_size": "5",
                  "outlier_threshold": "20"}
    review_round = created(secretariat.post("/reviews/new", data=round_form), ReviewRound)
    assert (review_round.name, review_round.category) == (TYPED, "中试项目遴选（第二批）")
    first = review_round.criteria[0]
    assert (first.name, first.max_points) == ("技术先进性（含知识产权）", 30)
    secretariat.post(f"/reviews/{review_round.id}/edit", data=dict(round_form, name=f"{TYPED}二"))
    db.session.expire_all()
    assert review_round.name == f"{TYPED}二"
    assert f"{TYPED}二" in secretariat.get(f"/reviews/{review_round.id}").get_data(as_text=True)

    application_form = {"number": "ＳＷ－００１", "title": TYPED, "organisation": ORGANISATION,
                        "direction": "生物材料", "city": "南昌", "group_name": "",
                        "contact": "张三（项目负责人）"}
    application = created(secretariat.post(
        f"/reviews/{review_round.id}/applications/new", data=application_form), Application)
    # The number is compared as a key: it alone is folded to half-width.
    assert (application.number, application.title) == ("SW-001", TYPED)
    assert (application.organisation, application.contact) == (ORGANISATION, "张三（项目负责人）")
    assert application.organisation_key == "江西(南昌)生物制造研究院:“中试”基地"
    secretariat.post(f"/reviews/applications/{application.id}/edit",
                     data=dict(application_form, title=f"{TYPED}（修改）"))
    db.session.expire_all()
    assert application.title == f"{TYPED}（修改）"
    page = secretariat.get(f"/reviews/applications/{application.id}").get_data(as_text=True)
    assert f"{TYPED}（修改）" in page and ORGANISATION in page

    # Groups are told apart by their folded name: "甲组（一）" is "甲组(一)".
    review_services.add_group(review_round, "甲组（一）")
    with pytest.raises(DomainError, match="甲组"):
        review_services.add_group(review_round, "甲组(一)")
    db.session.rollback()


def test_imported_applications_keep_their_full_width_text():
    review_round = make_round()
    rows = [application_row(申报编号="Ａ－００２", 项目名称=TYPED, 申报单位=ORGANISATION,
                            分组="乙组（生物）", 联系人="李四（联系人）"),
            application_row(分组="乙组(生物)")]
    report = review_services.import_applications(
        review_round, workbook(rows, APPLICATION_HEADERS), "申报.xlsx", dry_run=False,
        actor="test")
    db.session.commit()
    assert report.ok, report.problems
    assert report.new_groups == ["乙组（生物）"]  # one group, as first spelt
    first, second = db.session.scalars(select(Application).order_by(Application.id))
    assert (first.number, first.title, first.organisation) == ("A-002", TYPED, ORGANISATION)
    assert first.contact == "李四（联系人）"
    assert first.group is second.group and first.group.name == "乙组（生物）"


def test_pdf_titles_of_a_round_and_an_application_keep_what_was_typed(secretariat, tmp_path,
                                                                       make_expert):
    review_round, applications, _experts = reviewed_round(make_expert, applications=1,
                                                          experts=3)
    review_round.name = TYPED
    applications[0].title = f"{TYPED}项目"
    db.session.commit()

    results = issued_from(secretariat, f"/reviews/{review_round.id}/results", "round_results",
                          tmp_path)
    assert f"“{TYPED}”" in results
    opinion = issued_from(secretariat, f"/reviews/applications/{applications[0].id}",
                          "application_opinion", tmp_path)
    assert f"“{TYPED}项目”" in opinion


def test_an_expert_organisation_keeps_what_was_typed(secretariat, tmp_path):
    expert_form = {"name": "王五", "organisation": ORGANISATION, "category": "高校院所",
                   "city": "南昌", "mobile": "13600000001", "email": "wangwu@example.cn",
                   "field_names": ["生物医药"], "title": "研究员（二级）", "position": "主任"}
    expert = created(secretariat.post("/experts/new", data=expert_form), Expert)
    assert (expert.organisation, expert.title) == (ORGANISATION, "研究员（二级）")
    assert expert.organisation_key == "江西(南昌)生物制造研究院:“中试”基地"
    secretariat.post(f"/experts/{expert.id}/edit",
                     data=dict(expert_form, organisation=f"{ORGANISATION}（分部）"))
    db.session.expire_all()
    assert expert.organisation == f"{ORGANISATION}（分部）"
    assert f"{ORGANISATION}（分部）" in secretariat.get(f"/experts/{expert.id}").get_data(
        as_text=True)
    # Searched in either width, it is found.
    for typed in ("（南昌）生物", "(南昌)生物"):
        assert db.session.scalars(expert_query(ExpertFilters(q=typed))).all() == [expert]

    report = import_experts(workbook([expert_row(工作单位=ORGANISATION, 职称="教授（二级）")]),
                            "专家.xlsx", dry_run=False, actor="test")
    db.session.commit()
    assert report.ok and report.created == 1, report.problems
    imported = db.session.scalar(select(Expert).where(Expert.id != expert.id))
    assert (imported.organisation, imported.title) == (ORGANISATION, "教授（二级）")

    statistics = issued_from_list(secretariat, tmp_path)
    assert ORGANISATION in statistics and f"{ORGANISATION}（分部）" in statistics


def issued_from_list(client, tmp_path) -> str:
    """The pool statistics issued from the documents page, as its form offers them."""
    page = client.get("/reports/").get_data(as_text=True)
    sequence = re.search(r'name="sequence" value="(\d+)"', page)[1]
    response = client.post("/reports/issue", data={
        "kind": "pool_statistics", "title": "专家库构成统计表", "sequence": sequence})
    document = created(response, IssuedDocument)
    return re.sub(r"\s+", "", pdf_text(document.pdf, tmp_path))


def test_a_session_title_keeps_what_was_typed(secretariat, tmp_path, make_expert):
    session_form = {"title": TYPED, "kind": "regular", "topic": "planning",
                    "starts_at": "2027-03-01T09:00", "ends_at": "2027-03-01T11:00",
                    "place": "省科技厅（北楼）301", "online_link": "", "agenda": "一、通报",
                    "auto_promote_backups": "y"}
    session = created(secretariat.post("/consultations/new", data=session_form),
                      ConsultationSession)
    assert (session.title, session.place) == (TYPED, "省科技厅（北楼）301")
    secretariat.post(f"/consultations/{session.id}/edit",
                     data=dict(session_form, title=f"{TYPED}（改期）"))
    db.session.expire_all()
    assert session.title == f"{TYPED}（改期）"
    assert f"{TYPED}（改期）" in secretariat.get(f"/consultations/{session.id}").get_data(
        as_text=True)

    issued, _experts = issued_session(make_expert)
    issued.title = TYPED
    db.session.commit()
    text = issued_from(secretariat, f"/consultations/{issued.id}/opinions", "session_opinion",
                       tmp_path)
    assert f"“{TYPED}”" in text
