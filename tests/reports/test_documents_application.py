"""专家评审意见表: one application of a finalized round as a real PDF."""

import pytest
from sqlalchemy import func, select

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.application_opinion import build_context
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import ScoreSheet, SheetScore
from thinktank.reviews.results import round_results

from .documents import checked_text, issued, queries_of, reviewed_round, save_first_page, squeezed


def test_review_form_pdf_has_every_score_the_result_and_the_opinion(make_expert, tmp_path,
                                                                   screenshots):
    review_round, applications, experts = reviewed_round(make_expert, conflict=True)
    application = applications[0]
    document = issued("application_opinion", application.id, "专家评审意见表")
    text = checked_text(document, tmp_path)
    flat = squeezed(text)
    for expected in (review_round.name, application.number, application.title,
                     application.organisation, application.direction, "技术先进性",
                     "该项目技术路线清晰", "建议予以支持", "投资估算依据不足", "保留意见",
                     "曾在申报单位任职", "专家组组长", "签字"):
        assert expected in flat, expected
    for expert in experts:
        assert expert.name in flat
    # Every submitted sheet's points and the total the results count.
    row = next(r for r in round_results(review_round).rows if r.application.id == application.id)
    for value in db.session.scalars(select(SheetScore.points).join(ScoreSheet).where(
            ScoreSheet.application_id == application.id)):
        assert str(value) in flat
    for total in row.result.totals.values():
        assert str(total) in flat
    assert len(row.result.totals) == len(experts) - 1  # the conflict is not scored
    assert f"{row.result.final_score}" in flat
    assert f"第{row.rank}名" in flat and f"共{len(applications)}项" in flat
    assert f"推荐{row.recommendations('推荐')}" in flat
    save_first_page(document, "application_opinion", tmp_path, screenshots)


@pytest.mark.parametrize("status", ["scoring", "closed"])
def test_a_round_not_finalized_is_refused(make_expert, status):
    _round, applications, _experts = reviewed_round(make_expert, applications=1,
                                                    status=status)
    with pytest.raises(DomainError, match="定稿"):
        services.request_issue("application_opinion", applications[0].id, "专家评审意见表")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_published_rounds_are_accepted(make_expert):
    _round, applications, _experts = reviewed_round(make_expert, applications=1,
                                                    status="published")
    assert build_context(applications[0].id)["rank"] == 1


def test_the_context_is_loaded_in_constant_queries(make_expert, count_queries):
    _small, few_apps, _e = reviewed_round(make_expert, applications=2, experts=3)
    _large, many_apps, _e = reviewed_round(make_expert, applications=6, experts=7)
    few = queries_of(count_queries, build_context, few_apps[0].id)
    many = queries_of(count_queries, build_context, many_apps[0].id)
    context = build_context(many_apps[0].id)
    assert len(context["rows"]) == len(context["answers"]) == 7
    assert many == few <= 12


def test_the_application_page_offers_the_form_once_finalized(client, make_user, auth,
                                                             make_expert):
    review_round, applications, _experts = reviewed_round(make_expert, applications=1,
                                                          status="closed")
    auth.login(make_user("secretariat"))
    url = f"/reviews/applications/{applications[0].id}"
    assert 'data-kind="application_opinion"' not in client.get(url).get_data(as_text=True)
    refused = client.post("/reports/issue", data={
        "kind": "application_opinion", "subject_id": applications[0].id, "title": "意见表"})
    assert refused.status_code == 400 and "定稿" in refused.get_data(as_text=True)
    review_round.status = "finalized"
    db.session.commit()
    assert 'data-kind="application_opinion"' in client.get(url).get_data(as_text=True)
    response = client.post("/reports/issue", data={
        "kind": "application_opinion", "subject_id": applications[0].id, "title": "意见表"})
    assert response.status_code == 302
    document = db.session.scalar(select(IssuedDocument))
    assert (document.subject_type, document.subject_id) == ("review_application",
                                                            applications[0].id)


def test_a_paper_answer_entered_by_the_secretariat_is_marked_as_such(make_expert, make_user,
                                                                      tmp_path):
    from thinktank.reviews.models import OpinionConfirmation
    _round, applications, experts = reviewed_round(make_expert)
    answer = db.session.scalar(select(OpinionConfirmation).where(
        OpinionConfirmation.expert_id == experts[1].id))
    answer.entered_by_proxy_user_id = make_user("secretariat").id
    db.session.commit()
    document = issued("application_opinion", applications[0].id)
    flat = squeezed(checked_text(document, tmp_path))
    assert flat.count("由秘书处代录") == 1
    assert flat.index(experts[1].name) < flat.index("由秘书处代录")
