"""专家个人评分表: one expert's sheets of a finalized round as a real PDF."""

import pytest
from sqlalchemy import func, select

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.expert_sheet import build_context
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import PanelMember, ScoreSheet, SheetScore
from thinktank.reviews.results import round_results

from .documents import checked_text, issued, queries_of, reviewed_round, save_first_page, squeezed
from .helpers import RARE_NAMES


def member_of(expert) -> PanelMember:
    return db.session.scalar(select(PanelMember).where(PanelMember.expert_id == expert.id))


def test_expert_sheet_pdf_has_only_that_experts_scores(make_expert, tmp_path, screenshots):
    review_round, applications, experts = reviewed_round(make_expert, experts=3, conflict=True)
    expert = experts[-1]  # 陈燊, who declared a conflict on the first application
    assert expert.name == RARE_NAMES[2]
    document = issued("expert_sheet", member_of(expert).id, "专家个人评分表")
    text = checked_text(document, tmp_path)
    flat = squeezed(text)
    for expected in (review_round.name, expert.name, expert.organisation, "研究员",
                     "曾在申报单位任职", "专家签字", "独立、客观、公正"):
        assert expected in flat, expected
    for application in applications:
        assert application.number in flat
    rows = {row.application.id: row for row in round_results(review_round).rows}
    for application in applications[1:]:
        total = rows[application.id].result.totals[expert.id]
        assert str(total) in flat
        points = db.session.scalars(select(SheetScore.points).join(ScoreSheet).where(
            ScoreSheet.application_id == application.id, ScoreSheet.expert_id == expert.id))
        for value in points:
            assert str(value) in flat
    for other in experts[:-1]:
        assert other.name not in flat
    assert "最终得分" not in flat
    for row in rows.values():  # no final score of the panel
        assert str(row.result.final_score) not in flat
    save_first_page(document, "expert_sheet", tmp_path, screenshots)


def test_a_round_not_finalized_is_refused(make_expert):
    _round, _applications, experts = reviewed_round(make_expert, applications=1,
                                                    status="scoring")
    with pytest.raises(DomainError, match="定稿"):
        services.request_issue("expert_sheet", member_of(experts[0]).id, "专家个人评分表")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_the_context_is_loaded_in_constant_queries(make_expert, count_queries):
    _small, _a, few_experts = reviewed_round(make_expert, applications=2, experts=3)
    _large, _a, many_experts = reviewed_round(make_expert, applications=10, experts=3)
    few = queries_of(count_queries, build_context, member_of(few_experts[0]).id)
    many = queries_of(count_queries, build_context, member_of(many_experts[0]).id)
    context = build_context(member_of(many_experts[0]).id)
    assert len(context["rows"]) == 10 and len(context["comments"]) == 10
    assert many == few <= 10


def test_the_progress_page_offers_a_sheet_per_expert_once_finalized(client, make_user, auth,
                                                                    make_expert):
    review_round, _applications, experts = reviewed_round(make_expert, applications=1,
                                                          status="closed")
    auth.login(make_user("secretariat"))
    url = f"/reviews/{review_round.id}/progress"
    assert 'data-kind="expert_sheet"' not in client.get(url).get_data(as_text=True)
    review_round.status = "finalized"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert page.count('data-kind="expert_sheet"') == len(experts)
    member = member_of(experts[1])
    assert f'name="subject_id" value="{member.id}"' in page
    response = client.post("/reports/issue", data={
        "kind": "expert_sheet", "subject_id": member.id, "title": "专家个人评分表"})
    assert response.status_code == 302
    document = db.session.scalar(select(IssuedDocument))
    assert (document.subject_type, document.subject_id) == ("review_panel_member", member.id)
    assert experts[1].name in document.html and experts[0].name not in document.html
