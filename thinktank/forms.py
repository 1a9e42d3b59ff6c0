"""Form helpers shared by the domain forms, and the bound on every whole
number the app reads from a request: form fields, the query string and the
``<int:…>`` parts of addresses."""

import wtforms
from flask import abort, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import HiddenField, SelectMultipleField, widgets
from wtforms.validators import AnyOf, InputRequired

# The largest value of a database INTEGER column (PostgreSQL's is 4 bytes).
MAX_INTEGER = 2**31 - 1


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """A form with no fields, for POST buttons: only its CSRF token matters."""


class ConfirmStepForm(FlaskForm):
    """The confirm button of the confirmation page of an irreversible step
    (``templates/confirm_step.html``): a POST without its ``confirmed`` field
    did not come from that page and is refused."""

    confirmed = HiddenField(default="yes", validators=[InputRequired(), AnyOf(["yes"])])


class IntegerField(wtforms.IntegerField):
    """An integer that fits an INTEGER column; a longer number is "not a valid
    integer": PostgreSQL would refuse it, and WTForms' ``NumberRange`` fails on
    numbers too large for a float."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > MAX_INTEGER:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))


def _digits_at_most(limit: int) -> str:
    """A regular expression matching the numbers from 0 to ``limit``."""
    text = str(limit)
    options = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - position - 1
            options.append(rf"{text[:position]}[0-{int(digit) - 1}]\d{{{rest}}}")
    return "(?:" + "|".join([*options, text]) + ")"


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route (registered app-wide as ``int``): a number
    that no INTEGER column holds matches no route, a 404, instead of reaching
    the database driver, which fails on it (SQLite past 2**63, PostgreSQL
    past 2**31): a 500. The bound is in the pattern, not in ``max``: Werkzeug
    checks the method before the converter, so with ``max`` a POST to an
    address whose GET is another route would answer 405."""

    regex = _digits_at_most(MAX_INTEGER)


def query_integer(name: str, default: int | None = None) -> int | None:
    """The whole number ``name`` of the query string, ``default`` when it is
    absent or not a number. One that no INTEGER column holds (no row, no page
    can have it) answers 400."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    if abs(value) > MAX_INTEGER:
        abort(400, description=_("A number in the address is too large. Please check the link."))
    return value
