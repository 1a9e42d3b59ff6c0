from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from thinktank.consultations.labels import TOPIC_LABELS


class DocumentFilterForm(FlaskForm):
    """The document list's query string; a GET form, so no CSRF token. The
    kind and round choices are set by the view (registered kinds, readable rounds)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    topic = SelectField(
        _l("Topic"),
        choices=[("", _l("All topics"))]
        + [(key.value, label) for key, label in TOPIC_LABELS.items()],
        validators=[Optional()],
    )
    round = SelectField(_l("Selection round"), coerce=str, validators=[Optional()])
    issued_from = DateField(_l("Issued from"), validators=[Optional()])
    issued_to = DateField(_l("Issued until"), validators=[Optional()])
