"""The secretariat's page of terms ending soon or ended, and renewals
(routes on the experts blueprint)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from thinktank.experts import terms
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.permissions import Role, roles
from thinktank.views import committed


class RenewForm(FlaskForm):
    new_end = DateField(_l("New term end"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


@roles(Role.SECRETARIAT, Role.ADMIN)
def terms_page():
    day = terms.today()
    return render_template("experts/terms.html", today=day, ending=terms.ending_soon(day),
                           expired=terms.expired(day), form=RenewForm())


@roles(Role.SECRETARIAT)
def renew_term(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = RenewForm()
    if not form.validate_on_submit():
        flash(_("Please give the new term end and a reason."), "danger")
        return redirect(url_for("experts.terms_page"))
    with committed() as done:
        terms.renew_term(expert, form.new_end.data, form.reason.data, current_user)
    if done:
        flash(_("The term of %(name)s now ends on %(date)s.", name=expert.name,
                date=expert.term_end.isoformat()), "success")
    return redirect(url_for("experts.terms_page"))
