from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from thinktank.experts.labels import STATUS_LABELS
from thinktank.experts.models import ExpertStatus
from thinktank.experts.rules import ExpertData
from thinktank.forms import IntegerField, MultiCheckboxField
from thinktank.text import tidy
from thinktank.timeutil import today_in_display_zone
from thinktank.values import RuleError, normalise_email, normalise_mobile
from thinktank.vocabulary import CATEGORIES, CITIES, GENDERS

SORT_CHOICES = [
    ("name", _l("Name")),
    ("code", _l("Code")),
    ("organisation", _l("Organisation")),
    ("city", _l("City")),
    ("term_end", _l("Term end")),
    ("updated", _l("Last change")),
]


class ExpertFilterForm(FlaskForm):
    """The list's query string; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, organisation or pinyin"), validators=[Optional(), Length(max=50)])
    category = SelectField(_l("Category"), choices=[("", _l("All categories"))]
                           + [(c, c) for c in CATEGORIES], validators=[Optional()])
    field_id = SelectField(_l("Field"), coerce=lambda v: int(v) if v else None,
                           validators=[Optional()])
    city = SelectField(_l("City"), choices=[("", _l("All cities"))] + [(c, c) for c in CITIES],
                       validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses"))]
        + [(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[Optional()],
    )
    valid_on = DateField(_l("Term valid on"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, default="name", validators=[Optional()])
    order = SelectField(_l("Order"), choices=[("asc", _l("Ascending")), ("desc", _l("Descending"))],
                        default="asc", validators=[Optional()])


# Text fields are stored as typed, tidied (``thinktank.text.tidy``); they are
# tidied before validation, so that the length checked is the length stored.
TIDIED = [tidy]


class ExpertForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)], filters=TIDIED)
    gender = SelectField(_l("Gender"), choices=[("", "—")] + [(g, g) for g in GENDERS],
                         validators=[Optional()])
    birth_year = IntegerField(_l("Birth year"), validators=[Optional()])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=100)],
                               filters=TIDIED)
    category = SelectField(_l("Organisation category"), choices=[(c, c) for c in CATEGORIES])
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=50)],
                        filters=TIDIED)
    position = StringField(_l("Position"), validators=[Optional(), Length(max=50)],
                           filters=TIDIED)
    field_names = MultiCheckboxField(_l("Expertise fields"))
    city = SelectField(_l("City"), choices=[(c, c) for c in CITIES])
    mobile = StringField(_l("Mobile"), validators=[DataRequired(), Length(max=30)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    term_start = DateField(_l("Term start"), validators=[Optional()])
    term_end = DateField(_l("Term end"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def validate_birth_year(self, field):
        if field.data is not None and not 1930 <= field.data <= today_in_display_zone().year:
            raise ValidationError(_l("Enter a four-digit year between 1930 and this year."))

    def validate_mobile(self, field):
        try:
            field.data = normalise_mobile(field.data)
        except RuleError as error:
            raise ValidationError(
                _l("A mainland mobile number has 11 digits and starts with 1.")
            ) from error

    def validate_email(self, field):
        try:
            field.data = normalise_email(field.data)
        except RuleError as error:
            raise ValidationError(_l("This is not a valid email address.")) from error

    def validate_term_end(self, field):
        if field.data and self.term_start.data and field.data < self.term_start.data:
            raise ValidationError(_l("The term cannot end before it starts."))

    def validate_field_names(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one expertise field."))

    def to_data(self) -> ExpertData:
        def text(value):
            return tidy(value) or None

        return ExpertData(
            name=tidy(self.name.data),
            gender=self.gender.data or None,
            birth_year=self.birth_year.data,
            organisation=tidy(self.organisation.data),
            category=self.category.data,
            title=text(self.title.data),
            position=text(self.position.data),
            field_names=list(self.field_names.data),
            city=self.city.data,
            mobile=self.mobile.data,
            email=self.email.data,
            term_start=self.term_start.data,
            term_end=self.term_end.data,
            notes=(self.notes.data or "").strip() or None,
        )


class StatusForm(FlaskForm):
    status = HiddenField(validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

    def validate_status(self, field):
        if field.data not in {s.value for s in ExpertStatus}:
            raise ValidationError(_l("Unknown status."))


class ConflictForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=100)],
                               filters=TIDIED)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)],
                         filters=TIDIED)
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])


class FieldForm(FlaskForm):
    name = StringField(_l("Field name"), validators=[DataRequired(), Length(max=50)],
                       filters=TIDIED)


class FieldEditForm(FieldForm):
    active = SelectField(_l("In use"), choices=[("1", _l("Yes")), ("0", _l("No"))])

