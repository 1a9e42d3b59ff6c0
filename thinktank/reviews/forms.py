"""Forms of review rounds and applications. Values are normalised by the same
rules as the Excel import (``thinktank.reviews.importer``)."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from thinktank.forms import ConfirmStepForm, IntegerField
from thinktank.imports import REASON_TEXTS
from thinktank.reviews.group_opinion import REASON_LIMIT
from thinktank.reviews.importer import (
    SUMMARY_LIMIT,
    TEXT_LIMITS,
    ApplicationData,
    normalise_phone,
    parse_investment,
)
from thinktank.reviews.labels import AGGREGATION_LABELS
from thinktank.reviews.models import ReviewRound
from thinktank.reviews.rounds import CRITERION_NAME_LIMIT, CriterionData, RoundData
from thinktank.spreadsheets import Reason
from thinktank.text import fold, tidy
from thinktank.timeutil import from_display, to_display
from thinktank.values import RuleError
from thinktank.vocabulary import CITIES, INDUSTRY_DIRECTIONS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
# Points from the panel median; the column keeps 4 digits before the decimal point.
OUTLIER_LIMIT = Decimal("1000")
CATEGORY_SUGGESTIONS = ("标志性产业化项目遴选", "中试项目遴选")
# Text fields are stored as typed, tidied (``thinktank.text.tidy``); codes and
# numbers, compared as keys, folded to half-width (``fold``). Either is done
# before validation: the length checked is the length stored (NFKC can make a
# text longer: "㍿" is four characters).
TIDIED = [tidy]
FOLDED = [fold]


CRITERION_ROWS = 8  # rows offered; blank ones are ignored
SPARE_ROWS = 2  # blank rows offered below a round's criteria when it has more


class CriterionRow(Form):
    """One row of a round's criteria: a name and its maximum points; a row
    left blank is ignored."""

    name = StringField(_l("Criterion"), validators=[Length(max=CRITERION_NAME_LIMIT)],
                       filters=TIDIED)
    max_points = DecimalField(_l("Maximum points"), places=None, validators=[Optional()])

    def _points_given(self) -> bool:
        typed = (self.max_points.raw_data or [""])[0]
        return self.max_points.data is not None or bool(str(typed).strip())

    @property
    def blank(self) -> bool:
        return not self.name.data and not self._points_given()

    def validate_name(self, field):
        if self.blank:
            return
        if not field.data:
            raise ValidationError(_l("Name the criterion."))
        if not self._points_given():
            raise ValidationError(_l("Give the maximum points of this criterion."))


class RoundForm(FlaskForm):
    """A round's facts and criteria. Once scoring has started the criteria and
    the full mark are shown but not sent (``locked``)."""

    name = StringField(_l("Round name"), validators=[DataRequired(), Length(max=200)],
                       filters=TIDIED)
    category = StringField(_l("Selection category"), validators=[DataRequired(), Length(max=100)],
                           filters=TIDIED)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # No InputRequired: a locked full mark is shown disabled and not sent.
    full_mark = DecimalField(_l("Full mark"), places=1, default=Decimal("100"))
    criteria = FieldList(
        FormField(CriterionRow), label=_l("Criteria and maximum points"),
        min_entries=CRITERION_ROWS,
        description=_l("One criterion per row; blank rows are ignored. The maximum points "
                       "must add up to the full mark."))
    aggregation = SelectField(_l("Aggregation rule"),
                              choices=[(rule.value, label)
                                       for rule, label in AGGREGATION_LABELS.items()])
    panel_size = IntegerField(_l("Panel size (experts)"), default=5, validators=[InputRequired()],
                              description=_l("An odd number, at least 5."))
    outlier_threshold = DecimalField(
        _l("Outlier threshold (points from the panel median)"), places=1,
        default=Decimal("20"), validators=[InputRequired(), NumberRange(max=OUTLIER_LIMIT)])
    scoring_deadline = DateTimeLocalField(_l("Scoring deadline"), format=LOCAL_FORMAT,
                                          validators=[Optional()])

    locked = False

    def fill_from(self, review_round: ReviewRound, criteria: list[CriterionData]) -> None:
        """Show a stored round, its deadline in the display zone."""
        self.process(obj=review_round, criteria=[])
        self.show_criteria(criteria)
        if review_round.scoring_deadline:
            self.scoring_deadline.data = to_display(
                review_round.scoring_deadline).replace(tzinfo=None)

    def show_criteria(self, criteria: list[CriterionData]) -> None:
        """Rows of ``criteria``, then blank rows: at least ``SPARE_ROWS``, and
        ``CRITERION_ROWS`` rows in all at least."""
        while self.criteria.entries:
            self.criteria.pop_entry()
        for criterion in criteria:
            # Shown as typed: 30, not 30.0.
            shown = Decimal(f"{criterion.max_points.normalize():f}")
            self.criteria.append_entry({"name": criterion.name, "max_points": shown})
        while len(self.criteria.entries) < max(CRITERION_ROWS, len(criteria) + SPARE_ROWS):
            self.criteria.append_entry()

    @property
    def criteria_data(self) -> list[CriterionData]:
        """The criteria of the rows that are not blank, in order."""
        return [CriterionData(row.form.name.data, row.form.max_points.data)
                for row in self.criteria if not row.form.blank]

    def to_data(self) -> RoundData:
        return RoundData(
            name=tidy(self.name.data),
            category=tidy(self.category.data),
            description=(self.description.data or "").strip() or None,
            full_mark=self.full_mark.data,
            aggregation=self.aggregation.data,
            panel_size=self.panel_size.data,
            outlier_threshold=self.outlier_threshold.data,
            scoring_deadline=(from_display(self.scoring_deadline.data)
                              if self.scoring_deadline.data else None),
        )


class StatusConfirmForm(ConfirmStepForm):
    """The confirmation of a round's status change; locking the results with
    group opinions missing needs a reason (``rounds.change_status``)."""

    reason = TextAreaField(_l("Reason for locking the results anyway"),
                           validators=[Optional(), Length(max=REASON_LIMIT)])


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"),
                       validators=[DataRequired(), Length(max=TEXT_LIMITS["group_name"])])


class ApplicationForm(FlaskForm):
    number = StringField(_l("Application number"),
                         validators=[DataRequired(), Length(max=TEXT_LIMITS["number"])],
                         filters=FOLDED)
    title = StringField(_l("Project title"),
                        validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])],
                        filters=TIDIED)
    organisation = StringField(_l("Applicant organisation"),
                               validators=[DataRequired(),
                                           Length(max=TEXT_LIMITS["organisation"])],
                               filters=TIDIED)
    direction = SelectField(_l("Direction"), choices=[(d, d) for d in INDUSTRY_DIRECTIONS])
    city = SelectField(_l("City"), choices=[(c, c) for c in CITIES])
    investment = StringField(_l("Total investment (10,000 yuan)"),
                             validators=[Optional(), Length(max=30)])
    group_name = SelectField(_l("Group"))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_LIMIT)])
    contact = StringField(_l("Contact person"),
                          validators=[Optional(), Length(max=TEXT_LIMITS["contact"])],
                          filters=TIDIED)
    phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=30)])

    def set_groups(self, names: list[str]) -> None:
        self.group_name.choices = [("", _l("No group"))] + [(n, n) for n in names]

    def validate_investment(self, field):
        if field.data and field.data.strip():
            try:
                field.data = parse_investment(field.data)
            except RuleError as error:
                raise ValidationError(REASON_TEXTS[Reason.INVESTMENT]) from error

    def validate_phone(self, field):
        if field.data and field.data.strip():
            try:
                field.data = normalise_phone(field.data)
            except RuleError as error:
                raise ValidationError(REASON_TEXTS[Reason.PHONE]) from error

    def to_data(self) -> ApplicationData:
        return ApplicationData(
            number=fold(self.number.data),
            title=tidy(self.title.data),
            organisation=tidy(self.organisation.data),
            direction=self.direction.data,
            city=self.city.data,
            investment=self.investment.data or None,
            group_name=self.group_name.data or None,
            summary=(self.summary.data or "").strip() or None,
            contact=tidy(self.contact.data) or None,
            phone=self.phone.data or None,
        )


class AttachmentForm(FlaskForm):
    file = FileField(_l("PDF file"), validators=[FileRequired(_l("Choose a PDF file."))])


class AvoidanceForm(FlaskForm):
    expert_name = StringField(_l("Expert name"), validators=[Optional(), Length(max=50)],
                              filters=TIDIED)
    # Stored in capitals: "ß" becomes "SS", so the length is checked on that.
    expert_code = StringField(_l("Expert code"), validators=[Optional(), Length(max=20)],
                              filters=[*FOLDED, str.upper])
    reason = StringField(_l("Reason given by the applicant"),
                         validators=[DataRequired(), Length(max=200)], filters=TIDIED)
