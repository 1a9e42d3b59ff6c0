from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from thinktank.experts.services import active_fields
from thinktank.notices.labels import KIND_LABELS
from thinktank.notices.services import Audience
from thinktank.vocabulary import CATEGORIES, CITIES


class NoticeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)],
                         render_kw={"rows": 10})
    field_ids = SelectMultipleField(_l("Expertise fields (any of; none selected: all)"), coerce=int,
                                 render_kw={"size": 8})
    cities = SelectMultipleField(_l("Cities (any of; none selected: all)"),
                                 choices=[(c, c) for c in CITIES], render_kw={"size": 8})
    categories = SelectMultipleField(_l("Categories (any of; none selected: all)"),
                                     choices=[(c, c) for c in CATEGORIES], render_kw={"size": 7})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_ids.choices = [(f.id, f.name) for f in active_fields()]

    def audience(self) -> Audience:
        return Audience(field_ids=tuple(self.field_ids.data or ()),
                        cities=tuple(self.cities.data or ()),
                        categories=tuple(self.categories.data or ()))
