"""评审结果汇总表: a round's or a group's ranked results as a real PDF."""

import re

import pytest
from sqlalchemy import func, select

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import IssuedDocument
from thinktank.reports.results_summary import build_group_context, build_round_context
from thinktank.reviews.models import ReviewGroup
from thinktank.reviews.results import round_results

from .documents import checked_text, issued, queries_of, reviewed_round, save_first_page, squeezed
from .helpers import RARE_NAMES, poppler


def test_thirty_applications_span_pages_in_rank_order_with_the_header_repeated(
        make_expert, tmp_path, screenshots):
    review_round, applications, _experts = reviewed_round(make_expert, applications=30)
    document = issued("round_results", review_round.id, "评审结果汇总表")
    text = checked_text(document, tmp_path)
    flat = squeezed(text)
    results = round_results(review_round)
    assert len(results.rows) == 30 and document.page_count >= 2
    # The rows in rank order, each with the rank, criterion means, final score and
    # recommendation counts of round_results, on one line of the laid-out text.
    lines = poppler("pdftotext", document.pdf, tmp_path, "-layout").splitlines()
    numbers = [row.application.number for row in results.rows]
    found = [line for line in lines if re.search(r"\bSB-\d{4}\b", line)]
    assert [re.search(r"SB-\d{4}", line).group() for line in found] == numbers
    for row, line in zip(results.rows, found, strict=True):
        means = r"\s+".join(str(row.result.criterion_means[name]) for name in results.criteria)
        expected = (rf"^\s*{row.rank}\s+{row.application.number}\s.*\s{means}\s+"
                    rf"{row.result.final_score}\s+{row.recommendations('推荐')}\s+"
                    rf"{row.recommendations('不推荐')}\s*$")
        assert re.search(expected, line), (expected, line)
    pages = [squeezed(page) for page in text.split("\f") if "SB-" in page]
    assert len(pages) >= 2
    for page in pages:  # the head of the table on each of them
        for heading in ("排名", "申报编号", "项目名称", "申报单位", "技术先进性", "最终得分"):
            assert heading in page, heading
    assert "评审专家组" not in flat  # the panel is listed only once published
    for expected in (review_round.name, "申报项目数", "去掉一个最高分", "制表人"):
        assert expected in flat, expected
    save_first_page(document, "round_results", tmp_path, screenshots)


def test_a_published_round_lists_its_panel(make_expert, tmp_path):
    review_round, _applications, experts = reviewed_round(make_expert, status="published")
    document = issued("round_results", review_round.id)
    flat = squeezed(checked_text(document, tmp_path))
    assert "评审专家组" in flat and "组长" in flat
    for name in RARE_NAMES:
        assert name in flat
    assert flat.index(experts[0].name) < flat.index(experts[1].name)  # the leader first


def test_a_group_is_ranked_within_the_group(make_expert, tmp_path):
    review_round, _applications, _experts = reviewed_round(
        make_expert, applications=6, groups=("生物医药组", "生物化工组"))
    group = db.session.scalar(select(ReviewGroup).where(ReviewGroup.name == "生物化工组"))
    document = issued("group_results", group.id)
    flat = squeezed(checked_text(document, tmp_path))
    results = round_results(review_round, group)
    assert [row.rank for row in results.rows] == [1, 2, 3]
    assert "生物化工组" in flat
    for row in results.rows:
        assert row.application.number in flat and str(row.result.final_score) in flat
    others = [row for row in round_results(review_round).rows if row.application.group != group]
    assert all(row.application.number not in flat for row in others)


@pytest.mark.parametrize("kind", ["round_results", "group_results"])
def test_a_round_not_finalized_is_refused(make_expert, kind):
    review_round, _applications, _experts = reviewed_round(
        make_expert, applications=2, status="closed", groups=("生物医药组",))
    subject = review_round.id if kind == "round_results" else review_round.groups[0].id
    with pytest.raises(DomainError, match="定稿"):
        services.request_issue(kind, subject, "评审结果汇总表")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_the_contexts_are_loaded_in_constant_queries(make_expert, count_queries):
    small, _a, _e = reviewed_round(make_expert, applications=2, experts=3, status="published",
                                   groups=("甲组",))
    large, _a, _e = reviewed_round(make_expert, applications=12, experts=6,
                                   status="published", groups=("乙组",))
    counts = [(queries_of(count_queries, build_round_context, review_round.id),
               queries_of(count_queries, build_group_context, review_round.groups[0].id))
              for review_round in (small, large)]
    assert counts[0] == counts[1]
    assert max(counts[0]) <= 10


def test_the_results_page_offers_the_summary_once_finalized(client, make_user, auth,
                                                            make_expert):
    review_round, _applications, _experts = reviewed_round(
        make_expert, applications=2, status="closed", groups=("生物医药组",))
    auth.login(make_user("secretariat"))
    url = f"/reviews/{review_round.id}/results"
    assert 'data-kind="round_results"' not in client.get(url).get_data(as_text=True)
    review_round.status = "finalized"
    db.session.commit()
    assert 'data-kind="round_results"' in client.get(url).get_data(as_text=True)
    group = review_round.groups[0]
    page = client.get(f"{url}?group={group.id}").get_data(as_text=True)
    assert 'data-kind="group_results"' in page and f'value="{group.id}"' in page
    response = client.post("/reports/issue", data={
        "kind": "round_results", "subject_id": review_round.id, "title": "评审结果汇总表"})
    assert response.status_code == 302
    document = db.session.scalar(select(IssuedDocument))
    assert (document.subject_type, document.subject_id) == ("review_round", review_round.id)


def test_the_reason_for_locking_with_opinions_missing_is_in_the_document(make_expert,
                                                                           tmp_path):
    review_round, _applications, _experts = reviewed_round(make_expert)
    review_round.lock_reason = "专家组意见已在评审会现场纸质签署"
    db.session.commit()
    document = issued("round_results", review_round.id)
    flat = squeezed(checked_text(document, tmp_path))
    assert "专家组意见缺失或未经全体专家答复的情况下锁定" in flat
    assert "专家组意见已在评审会现场纸质签署" in flat


def test_no_reason_no_note(make_expert, tmp_path):
    review_round, _applications, _experts = reviewed_round(make_expert)
    document = issued("round_results", review_round.id)
    assert "情况下锁定" not in squeezed(checked_text(document, tmp_path))
