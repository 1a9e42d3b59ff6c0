from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from thinktank.forms import IntegerField
from thinktank.reports.registry import KINDS


class IssueForm(FlaskForm):
    kind = SelectField(_l("Document"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    # What the document is about (a session, an application...), for kinds that have one;
    # set by the issue buttons on the subjects' pages.
    subject_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    # Set by the second submission, after the secretariat saw the missing characters.
    allow_missing_glyphs = BooleanField(_l("Issue even though characters are missing"))
    # The sequence of the number the form named (``services.upcoming_sequence``):
    # a document without a subject is issued only under the number shown.
    sequence = IntegerField(widget=HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.name, str(kind.label)) for kind in KINDS.values()]

    def validate_sequence(self, field):
        kind = KINDS.get(self.kind.data)
        if kind is not None and kind.subject_type is None and field.data is None:
            raise ValidationError(_l("Confirm the number the document will take."))


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the new version"), validators=[DataRequired(), Length(max=2000)]
    )
    allow_missing_glyphs = BooleanField(_l("Issue even though characters are missing"))


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), validators=[Optional(), Length(max=40)])
    pdf = FileField(_l("Or upload the PDF file"))
