"""Results of a round (评审结果): each application's final score under the
round's rule, its rank, per-criterion means, standard deviation, outlier
flags and recommendation counts, for the whole round or one group. The rules
are those of ``thinktank.reviews.aggregation``; this module only loads the
submitted sheets and lays the results out as a page, a workbook or CSV.

Only submitted sheets count. Until the round is finalized the results are a
draft (未定稿) that only the secretariat and admins see; officials see them
once the round is published, experts never here.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.reviews import aggregation
from thinktank.reviews.labels import RULE_COLUMN_LABELS, RULE_MARK
from thinktank.reviews.models import (
    Application,
    ReviewGroup,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
    SheetScore,
    SheetStatus,
)
from thinktank.spreadsheets import csv_text, workbook_bytes

FINAL_STATUSES = frozenset({RoundStatus.FINALIZED, RoundStatus.PUBLISHED})
RECOMMEND, NOT_RECOMMEND = "推荐", "不推荐"


@dataclass
class ResultRow:
    application: Application
    rank: int | None
    result: aggregation.ApplicationResult[int]  # experts by id
    expert_names: dict[int, str]

    @property
    def outliers(self) -> list[tuple[str, Decimal]]:
        """The flagged experts' names and totals, by name."""
        return sorted((self.expert_names[expert], self.result.totals[expert])
                      for expert in self.result.outliers)

    def recommendations(self, value: str) -> int:
        return self.result.recommendations.get(value, 0)


@dataclass
class RoundResults:
    review_round: ReviewRound
    group: ReviewGroup | None
    criteria: list[str]
    rows: list[ResultRow]  # in rank order; applications without a submitted sheet last

    @property
    def final(self) -> bool:
        return self.review_round.status in FINAL_STATUSES


def round_results(review_round: ReviewRound, group: ReviewGroup | None = None) -> RoundResults:
    """The ranked results of the round, or of one of its groups (ranked within
    the group), in a constant number of queries whatever the number of
    applications: the applications, the submitted sheets and their points."""
    criteria = {c.id: c.name for c in review_round.criteria}
    applications_query = (select(Application).options(joinedload(Application.group))
                          .where(Application.round_id == review_round.id))
    if group is not None:
        applications_query = applications_query.where(Application.group_id == group.id)
    applications = db.session.scalars(applications_query).all()
    submitted = (ScoreSheet.status == SheetStatus.SUBMITTED.value) & ScoreSheet.application_id.in_(
        applications_query.with_only_columns(Application.id))
    # Columns, not objects: a round of 200 applications has 1,400 sheets, and
    # loading each as an ORM object with its expert took half the page's time.
    sheets = db.session.execute(
        select(ScoreSheet.id, ScoreSheet.application_id, ScoreSheet.expert_id,
               ScoreSheet.recommendation, Expert.name.label("expert_name"))
        .join(Expert, Expert.id == ScoreSheet.expert_id).where(submitted)).all()
    # One query for all points: a selectin load would split into batches of 500 sheets.
    points: dict[int, dict[str, Decimal]] = {}
    for sheet_id, criterion_id, value in db.session.execute(
        select(SheetScore.sheet_id, SheetScore.criterion_id, SheetScore.points)
        .where(SheetScore.sheet_id.in_(select(ScoreSheet.id).where(submitted)))
    ):
        points.setdefault(sheet_id, {})[criteria[criterion_id]] = value
    by_application: dict[int, list] = {}
    for sheet in sheets:
        by_application.setdefault(sheet.application_id, []).append(sheet)
    results, names = {}, {}
    for application in applications:
        own = by_application.get(application.id, [])
        names[application.id] = {sheet.expert_id: sheet.expert_name for sheet in own}
        results[application.number] = (application, aggregation.aggregate_application(
            [aggregation.ScoreSheet(
                expert=sheet.expert_id,
                points=points.get(sheet.id, {}),
                recommendation=sheet.recommendation) for sheet in own],
            review_round.aggregation, review_round.outlier_threshold))
    ranks = aggregation.rank({number: result.final_score
                              for number, (_application, result) in results.items()})
    rows = [ResultRow(results[number][0], position, results[number][1],
                      names[results[number][0].id])
            for number, position in ranks.items()]
    return RoundResults(review_round, group, list(criteria.values()), rows)


# --- the table of the workbook and the CSV ------------------------------------------------


def rule_headers(results: RoundResults) -> list[str]:
    """The headers of the columns of each rule's score, the round's rule marked."""
    return [f"{RULE_COLUMN_LABELS[rule]}（{RULE_MARK}）"
            if rule == results.review_round.aggregation else str(RULE_COLUMN_LABELS[rule])
            for rule in aggregation.RULES]


def headers(results: RoundResults) -> list[str]:
    return [
        _("Rank"), _("Application number"), _("Project title"), _("Applicant organisation"),
        _("Group"),
        *[_("%(criterion)s (mean)", criterion=name) for name in results.criteria],
        _("Final score"), *rule_headers(results), _("Standard deviation"),
        _("Submitted sheets"), RECOMMEND, NOT_RECOMMEND, _("Outliers"),
    ]


def table_rows(results: RoundResults) -> Iterator[list]:
    """One row per application, numbers as ``Decimal`` (empty when not scored)."""
    for row in results.rows:
        result, application = row.result, row.application
        yield [
            row.rank, application.number, application.title, application.organisation,
            application.group.name if application.group else "",
            *[result.criterion_means.get(name) for name in results.criteria],
            result.final_score, *result.scores.values(), result.standard_deviation,
            result.submitted,
            row.recommendations(RECOMMEND), row.recommendations(NOT_RECOMMEND),
            "；".join(f"{name} {total}" for name, total in row.outliers),
        ]


def results_csv(results: RoundResults) -> str:
    """The ranked table as CSV with a header row (UTF-8 text, no BOM)."""
    return csv_text([headers(results), *table_rows(results)])


def results_workbook(results: RoundResults) -> bytes:
    """The ranked table as an .xlsx workbook, numbers as numbers; a round not
    yet finalized says so in its title row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results")
    title = results.review_round.name
    if results.group is not None:
        title += f" — {results.group.name}"
    if not results.final:
        title += f" （{_('Not final')}）"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(headers(results))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for values in table_rows(results):
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    return workbook_bytes(workbook)
