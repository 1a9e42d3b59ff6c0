"""Outliers are flagged by the round's own threshold, not the default 20
points: with the threshold set below and above the default, the totals
just beyond it on both sides of the median are flagged and those exactly at
it are not, in the results service, on the results page, in the .xlsx
export and in the CLI's CSV."""

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.reviews.outcome_factories import add_sheet, scored_round
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reviews.results import round_results

# (threshold, the five totals around a median of 80 or 70, the totals flagged)
CASES = {
    "below-default": ("7.5", ["72.4", "72.5", "80.0", "87.5", "87.6"], {"72.4", "87.6"}),
    "above-default": ("25.0", ["44.9", "45.0", "70.0", "95.0", "95.1"], {"44.9", "95.1"}),
}


@pytest.fixture(params=CASES.values(), ids=CASES.keys())
def scored(request, make_expert):
    """A round with the case's threshold, one application scored with its
    totals; returns the round, the flagged experts' cells ("name total") and
    the threshold."""
    threshold, totals, flagged = request.param
    review_round, _panel, [application], experts = scored_round(
        make_expert, applications=1, outlier_threshold=Decimal(threshold))
    for expert, total in zip(experts, totals, strict=True):
        add_sheet(review_round, application, expert, total)
    db.session.commit()
    assert review_round.outlier_threshold == Decimal(threshold)
    cells = sorted(f"{expert.name} {total}" for expert, total in zip(experts, totals,
                                                                    strict=True)
                   if total in flagged)
    return review_round, cells, threshold


def test_the_service_flags_by_the_rounds_threshold(scored):
    review_round, cells, _threshold = scored
    [row] = round_results(review_round).rows
    assert sorted(f"{name} {total}" for name, total in row.outliers) == cells


def test_the_page_and_the_export_flag_by_the_rounds_threshold(scored, make_user, auth, client):
    review_round, cells, threshold = scored
    auth.login(make_user(Role.SECRETARIAT))

    html = client.get(f"/reviews/{review_round.id}/results").get_data(as_text=True)
    [shown] = re.findall(r'<td class="outliers">(.*?)</td>', html, re.S)
    assert sorted(re.findall(r'<span class="badge[^"]*">([^<]+)</span>', shown)) == cells
    assert f"超过 {threshold} 分" in html

    export = client.get(f"/reviews/{review_round.id}/results.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    header = [cell.value for cell in sheet[2]]
    last = sheet.cell(row=3, column=header.index("异常评分") + 1).value
    assert sorted(last.split("；")) == cells


def test_the_cli_csv_flags_by_the_rounds_threshold(scored, runner):
    review_round, cells, _threshold = scored
    result = runner.invoke(args=["reviews", "results", str(review_round.id)])
    assert result.exit_code == 0, result.output
    [header, row] = list(csv.reader(io.StringIO(result.output)))
    assert sorted(row[header.index("异常评分")].split("；")) == cells
