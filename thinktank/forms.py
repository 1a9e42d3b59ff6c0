"""Form helpers shared by the domain forms."""

import wtforms
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

# The largest value of a database INTEGER column (PostgreSQL's is 4 bytes).
MAX_INTEGER = 2**31 - 1


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """A form with no fields, for POST buttons: only its CSRF token matters."""


class IntegerField(wtforms.IntegerField):
    """An integer that fits an INTEGER column; a longer number is "not a valid
    integer": PostgreSQL would refuse it, and WTForms' ``NumberRange`` fails on
    numbers too large for a float."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > MAX_INTEGER:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
