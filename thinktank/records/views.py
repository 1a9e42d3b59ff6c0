from flask import abort, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.consultations.models import ConsultationSession
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.permissions import Role, roles
from thinktank.records import evaluation, ratings
from thinktank.records.forms import RatingForm
from thinktank.records.services import expert_history
from thinktank.reviews.models import ReviewRound
from thinktank.timeutil import today_in_display_zone
from thinktank.views import committed


@roles(Role.SECRETARIAT, Role.ADMIN, Role.EXPERT)
def expert_history_page(expert_id: int):
    # An expert sees only their own history; refused before the lookup so that
    # it does not tell which records exist.
    if not current_user.has_role(Role.SECRETARIAT, Role.ADMIN) and (
        current_user.expert_id != expert_id
    ):
        abort(403)
    expert = db.get_or_404(Expert, expert_id)
    today = today_in_display_zone()
    return render_template("records/expert_history.html", expert=expert,
                           history=expert_history(expert),
                           running_score=evaluation.running_score(expert, today),
                           # The flag is for the secretariat's review, not shown to the expert.
                           flagged=current_user.has_role(Role.SECRETARIAT, Role.ADMIN)
                           and evaluation.is_flagged(expert, today))


def _ratings_page(subject: ratings.Subject):
    """List the subject's participants with their ratings; a POST rates one of them."""
    form = RatingForm()
    form.level.choices = [("", "—")] + [(name, f"{name}（{points}）")
                                        for name, points in ratings.levels().items()]
    if request.method == "POST":
        if form.validate():
            with committed() as done:
                ratings.rate(subject, db.get_or_404(Expert, form.expert_id.data),
                             score=form.score.data, level=form.level.data or None,
                             comment=form.comment.data or "", user=current_user)
            if done:
                flash(_("Rating saved."), "success")
                return redirect(request.path)
        else:
            flash(_("Enter a score from 0 to 100 and a comment of at most 200 characters."),
                  "danger")
    return render_template("records/ratings.html", subject=subject,
                           experts=ratings.participants(subject),
                           existing=ratings.ratings_of(subject),
                           use_levels=ratings.uses_levels(), form=form)


def _ratable(make_subject, subject) -> ratings.Subject:
    """The subject to rate; a session not yet held or a round not finalized answers 409."""
    try:
        return make_subject(subject)
    except DomainError as error:
        abort(make_response(
            render_template("errors/error.html", code=409, message=error.message), 409))


@roles(Role.SECRETARIAT)
def session_ratings(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    return _ratings_page(_ratable(ratings.session_subject, session))


@roles(Role.SECRETARIAT)
def round_ratings(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    return _ratings_page(_ratable(ratings.round_subject, review_round))
