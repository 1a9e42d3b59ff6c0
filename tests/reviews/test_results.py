"""Results of a round: the aggregation rules applied to submitted sheets,
ranking per round and per group, the page, the .xlsx export and the CLI CSV,
who may see them, and a constant number of queries."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from tests.reviews.outcome_factories import add_sheet, scored_round
from tests.reviews.panel_factories import applications_of, panel_with
from tests.reviews.round_factories import application_data, make_round
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import ReviewGroup, RoundStatus, SheetStatus
from thinktank.reviews.results import round_results
from thinktank.text import file_name
from thinktank.timeutil import utcnow


@pytest.fixture
def five(make_expert):
    """A trimmed-mean round with five applications scored by a 5-member panel:
    B 85 (rank 1), A and C 80 (rank 2), D 70 (rank 4, one sheet still a draft),
    E nothing submitted; on A the total 40 is an outlier (median 80)."""
    review_round, _panel, apps, experts = scored_round(make_expert, applications=5)
    a, b, c, d, _e = apps
    for expert, total in zip(experts, ["90", "85", "80", "75", "40"], strict=True):
        add_sheet(review_round, a, expert, total,
                  recommendation="不推荐" if total == "40" else "推荐")
    for expert in experts:
        add_sheet(review_round, b, expert, "85")
        add_sheet(review_round, c, expert, "80")
    for expert in experts[:4]:
        add_sheet(review_round, d, expert, "70")
    add_sheet(review_round, d, experts[4], "10", status=SheetStatus.DRAFT)
    db.session.commit()
    return review_round, apps, experts


def test_trimmed_mean_competition_ranking_and_outliers(five):
    review_round, apps, experts = five
    a, b, c, d, e = apps

    results = round_results(review_round)

    assert [(row.application.number, row.rank) for row in results.rows] == [
        (b.number, 1), (a.number, 2), (c.number, 2), (d.number, 4), (e.number, None)]
    by_number = {row.application.number: row for row in results.rows}
    first = by_number[a.number]
    assert first.result.final_score == Decimal("80.00")  # 90 and 40 dropped
    assert first.result.standard_deviation == Decimal("19.81")
    assert first.outliers == [(experts[4].name, Decimal("40.0"))]
    assert first.result.criterion_means == {
        "技术先进性": Decimal("30.00"), "产业化前景": Decimal("22.00"),
        "团队与基础": Decimal("16.00"), "经济社会效益": Decimal("6.00"),
        "实施方案可行性": Decimal("0.00")}
    assert (first.recommendations("推荐"), first.recommendations("不推荐")) == (4, 1)
    # The draft sheet does not count: four submitted, fewer than five, plain mean.
    assert by_number[d.number].result.submitted == 4
    assert by_number[d.number].result.final_score == Decimal("70.00")
    assert by_number[e.number].result.final_score is None
    assert by_number[b.number].outliers == []
    assert results.criteria == ["技术先进性", "产业化前景", "团队与基础", "经济社会效益",
                                "实施方案可行性"]


def test_ranking_within_a_group(make_expert):
    review_round = make_round(RoundStatus.DRAFT, applications=2, group="甲组",
                              scoring_deadline=utcnow() + timedelta(days=7))
    for _ in range(2):
        create_application(review_round, application_data(group_name="乙组"),
                           actor="test")
    review_round.status = RoundStatus.SCORING.value
    db.session.commit()
    experts = [make_expert() for _ in range(5)]
    panel_with(review_round, experts)
    apps = applications_of(review_round)
    for application, total in zip(apps, ["60", "70", "80", "90"], strict=True):
        for expert in experts:
            add_sheet(review_round, application, expert, total)
    db.session.commit()
    groups = {group.name: group for group in review_round.groups}
    first, second = groups["甲组"], groups["乙组"]

    whole = round_results(review_round)
    in_first = round_results(review_round, first)
    in_second = round_results(review_round, second)

    assert [(r.application.id, r.rank) for r in whole.rows] == [
        (apps[3].id, 1), (apps[2].id, 2), (apps[1].id, 3), (apps[0].id, 4)]
    assert [(r.application.id, r.rank) for r in in_first.rows] == [
        (apps[1].id, 1), (apps[0].id, 2)]
    assert [(r.application.id, r.rank) for r in in_second.rows] == [
        (apps[3].id, 1), (apps[2].id, 2)]
    assert {r.application.group_id for r in in_second.rows} == {second.id}


def _page_finals(html: str) -> dict[str, str]:
    return dict(re.findall(
        r'data-number="([^"]+)".*?<td class="text-end final"><strong>([^<]+)</strong>',
        html, re.S))


def test_page_and_workbook_show_the_same_numbers(five, make_user, auth, client):
    review_round, apps, _experts = five
    auth.login(make_user(Role.SECRETARIAT))

    page = client.get(f"/reviews/{review_round.id}/results")
    export = client.get(f"/reviews/{review_round.id}/results.xlsx")

    assert page.status_code == 200 and export.status_code == 200
    html = page.get_data(as_text=True)
    assert "未定稿" in html  # not finalized yet
    finals = _page_finals(html)
    assert finals[apps[0].number] == "80.00" and finals[apps[4].number] == "—"
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert "未定稿" in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    assert header[:2] == ["排名", "申报编号"] and "最终得分" in header
    final_column, sd_column = header.index("最终得分"), header.index("标准差")
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[0] for row in rows] == [1, 2, 2, 4, None]
    for row in rows:
        shown = "—" if row[final_column] is None else f"{Decimal(str(row[final_column])):.2f}"
        assert finals[row[1]] == shown
    outlier_row = next(row for row in rows if row[1] == apps[0].number)
    assert f"{Decimal(str(outlier_row[sd_column])):.2f}" == "19.81"
    assert outlier_row[-1] == f"{_experts[4].name} 40.0"


def test_cli_prints_the_ranked_table_as_csv(five, runner):
    review_round, apps, _experts = five

    result = runner.invoke(args=["reviews", "results", str(review_round.id)])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][:5] == ["排名", "申报编号", "项目名称", "申报单位", "分组"]
    assert "技术先进性（均分）" in rows[0] and rows[0][-1] == "异常评分"
    final = rows[0].index("最终得分")
    assert [(row[0], row[1], row[final]) for row in rows[1:]] == [
        ("1", apps[1].number, "85.00"), ("2", apps[0].number, "80.00"),
        ("2", apps[2].number, "80.00"), ("4", apps[3].number, "70.00"),
        ("", apps[4].number, "")]


def test_cli_headers_follow_the_default_locale(five, runner, app, monkeypatch):
    """DEFAULT_LOCALE (BABEL_DEFAULT_LOCALE) chooses the header row's language:
    Chinese by default (above), English under ``en``."""
    review_round, _apps, _experts = five
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")

    result = runner.invoke(args=["reviews", "results", str(review_round.id)])

    assert result.exit_code == 0, result.output
    header = next(csv.reader(io.StringIO(result.output)))
    assert header[:5] == ["Rank", "Application number", "Project title",
                          "Applicant organisation", "Group"]
    assert "Final score" in header and header[-1] == "Outliers"


def test_cli_refuses_an_unknown_round_or_group(five, runner):
    review_round, _apps, _experts = five

    unknown = runner.invoke(args=["reviews", "results", "999999"])
    no_group = runner.invoke(args=["reviews", "results", str(review_round.id),
                                   "--group", "没有的组"])

    assert unknown.exit_code != 0 and "no review round" in unknown.output
    assert no_group.exit_code != 0 and "no group" in no_group.output


@pytest.mark.parametrize("path", ["results", "results.xlsx"])
def test_officials_see_results_only_once_published(five, make_user, auth, client, path):
    review_round, _apps, _experts = five
    auth.login(make_user(Role.OFFICIAL))
    url = f"/reviews/{review_round.id}/{path}"

    for status in (RoundStatus.SCORING, RoundStatus.CLOSED, RoundStatus.FINALIZED):
        review_round.status = status.value
        db.session.commit()
        assert client.get(url).status_code == 403, status
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    response = client.get(url)

    assert response.status_code == 200
    if path == "results":
        assert "未定稿" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["results", "results.xlsx"])
def test_experts_never_see_results(five, make_user, auth, client, path):
    review_round, _apps, experts = five
    review_round.status = RoundStatus.PUBLISHED.value
    db.session.commit()
    auth.login(make_user(Role.EXPERT, expert=experts[0]))

    assert client.get(f"/reviews/{review_round.id}/{path}").status_code == 403


def test_a_group_of_another_round_is_not_found(five, make_user, auth, client):
    review_round, _apps, _experts = five
    other = make_round(group="别的组", applications=1)
    group = db.session.scalar(db.select(ReviewGroup).where(ReviewGroup.round_id == other.id))
    auth.login(make_user(Role.SECRETARIAT))

    response = client.get(f"/reviews/{review_round.id}/results?group={group.id}")

    assert response.status_code == 404


def _round_with_sheets(make_expert, applications: int):
    review_round, _panel, apps, experts = scored_round(make_expert, applications=applications)
    for index, application in enumerate(apps):
        for expert in experts:
            add_sheet(review_round, application, expert, str(50 + index % 40))
    db.session.commit()
    return review_round


@pytest.mark.parametrize("page", ["results", "progress"])
def test_pages_run_a_constant_number_of_queries(make_expert, make_user, auth, client,
                                                count_queries, page):
    auth.login(make_user(Role.SECRETARIAT))
    counts = []
    for size in (10, 200):
        review_round = _round_with_sheets(make_expert, size)
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/reviews/{review_round.id}/{page}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_results_page_of_one_group(make_expert, make_user, auth, client):
    review_round = make_round(RoundStatus.DRAFT, applications=1, group="甲组",
                              scoring_deadline=utcnow() + timedelta(days=7))
    other = create_application(review_round, application_data(group_name="乙组"),
                               actor="test")
    review_round.status = RoundStatus.SCORING.value
    db.session.commit()
    panel_with(review_round, [make_expert() for _ in range(5)])
    group = next(g for g in review_round.groups if g.name == "甲组")
    auth.login(make_user(Role.SECRETARIAT))

    html = client.get(f"/reviews/{review_round.id}/results?group={group.id}").get_data(
        as_text=True)

    (mine,) = [a for a in applications_of(review_round) if a.group_id == group.id]
    assert mine.number in html and other.number not in html
    assert f"results.xlsx?group={group.id}" in html


def test_page_and_workbook_show_every_rule_beside_the_final_score(five, make_user, auth,
                                                                  client):
    """A (90, 85, 80, 75, 40): mean 74.00, trimmed mean 80.00 (the rule), median 80.00;
    D (four totals of 70): every rule gives 70.00, E (nothing) gives none."""
    review_round, apps, _experts = five
    auth.login(make_user(Role.SECRETARIAT))

    html = client.get(f"/reviews/{review_round.id}/results").get_data(as_text=True)
    export = client.get(f"/reviews/{review_round.id}/results.xlsx")

    row_a = html.split(f'data-number="{apps[0].number}"')[1].split("</tr>")[0]
    assert re.findall(r'data-rule="(\w+)">(?:<strong>)?([^<]+)<', row_a) == [
        ("mean", "74.00"), ("trimmed_mean", "80.00"), ("median", "80.00")]
    assert 'data-rule="trimmed_mean"><strong>80.00</strong>' in row_a
    marked = re.findall(r'<th class="text-end rule-score the-rule"[^>]*>(.*?)</th>', html)
    assert len(marked) == 1 and "去掉最高最低分平均" in marked[0] and "按此规则" in marked[0]
    row_e = html.split(f'data-number="{apps[4].number}"')[1].split("</tr>")[0]
    assert re.findall(r'data-rule="\w+">(?:<strong>)?([^<]+)<', row_e) == ["—", "—", "—"]

    sheet = load_workbook(io.BytesIO(export.data)).active
    header = [cell.value for cell in sheet[2]]
    final = header.index("最终得分")
    assert header[final + 1:final + 4] == ["算术平均", "去掉最高最低分平均（按此规则）", "中位数"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert [f"{Decimal(str(v)):.2f}" for v in rows[apps[0].number][final + 1:final + 4]] == [
        "74.00", "80.00", "80.00"]
    assert rows[apps[4].number][final + 1:final + 4] == (None, None, None)


def test_the_mark_follows_the_round_s_rule(five, make_user, auth, client):
    review_round, apps, _experts = five
    review_round.aggregation = "mean"
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))

    html = client.get(f"/reviews/{review_round.id}/results").get_data(as_text=True)

    marked = re.findall(r'<th class="text-end rule-score the-rule"[^>]*>(.*?)</th>', html)
    assert len(marked) == 1 and "算术平均" in marked[0]
    assert _page_finals(html)[apps[0].number] == "74.00"


def test_the_workbook_is_named_after_the_round(five, make_user, auth, client):
    review_round, _apps, _experts = five
    review_round.name = "2026年度（第一批）项目遴选: A/B 组"
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))

    export = client.get(f"/reviews/{review_round.id}/results.xlsx")

    disposition = export.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")  # an ASCII fallback first
    # RFC 5987: the name as typed, in UTF-8, with the characters file systems refuse replaced.
    expected = "评审结果-2026年度（第一批）项目遴选_ A_B 组.xlsx"
    assert f"filename*=UTF-8''{quote(expected)}" in disposition
    assert parse_options_header(disposition)[1]["filename"] == expected


def test_file_names_keep_the_text_and_drop_what_file_systems_refuse():
    assert file_name("评审结果-（测试）：第一轮") == "评审结果-（测试）：第一轮"
    assert file_name(' a\\b/c:d*e?f"g<h>i|j\x01k\tl ') == "a_b_c_d_e_f_g_h_i_j_k l"
    assert file_name("...") == "_" and len(file_name("长" * 300)) == 100
