from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from thinktank.forms import IntegerField


class RatingForm(FlaskForm):
    """One expert's rating; the page shows one such form per participant."""

    expert_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    score = IntegerField(_l("Score"), validators=[Optional(), NumberRange(0, 100)])
    level = SelectField(_l("Level"), choices=[], validate_choice=False)
    comment = StringField(_l("Comment"), validators=[Length(max=200)])
