"""Pages of a round's outcome (routes on the ``reviews`` blueprint): the
secretariat's scoring progress, the results (page and .xlsx), and the group
opinions: the leader's editor, each scoring expert's confirmation or dissent,
and the secretariat's view of the answers.

Results: the secretariat and admins at any time (marked 未定稿 until the round
is finalized), officials once it is published, experts never."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from thinktank.extensions import db
from thinktank.forms import ConfirmForm, IntegerField, query_integer
from thinktank.pagecache import cached_page
from thinktank.permissions import Role, roles
from thinktank.reviews import access, group_opinion, progress, results
from thinktank.reviews.labels import (
    RULE_COLUMN_LABELS,
    RULE_MARK,
    SHEET_STATUS_LABELS,
    STATUS_LABELS,
    VERDICT_LABELS,
)
from thinktank.reviews.models import (
    Application,
    OpinionVerdict,
    ReviewGroup,
    ReviewRound,
)
from thinktank.reviews.scoring_views import expert_on_application
from thinktank.text import file_name
from thinktank.views import committed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OpinionForm(FlaskForm):
    text = TextAreaField(_l("Group opinion"), validators=[
        InputRequired(), Length(max=group_opinion.OPINION_LIMIT)])
    version = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])


class AnswerForm(FlaskForm):
    verdict = RadioField(_l("Your answer"), choices=[
        (OpinionVerdict.CONFIRMED.value, _l("I confirm the group opinion")),
        (OpinionVerdict.DISSENT.value, _l("I dissent (保留意见)")),
    ], validators=[InputRequired()])
    reason = TextAreaField(_l("Reasons for the dissent"), validators=[
        Optional(), Length(max=group_opinion.REASON_LIMIT)])
    version = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])


# --- progress and results -------------------------------------------------------------------


@roles(Role.SECRETARIAT, Role.ADMIN)
def progress_page(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    return render_template(
        "reviews/progress.html", review_round=review_round,
        progress=progress.round_progress(review_round), sheet_labels=SHEET_STATUS_LABELS,
        status_labels=STATUS_LABELS, remind_form=ConfirmForm(formdata=None))


@roles(Role.SECRETARIAT)
def remind_now(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committed() as done:
        queued = progress.remind_now(review_round)
    if done:
        if queued:
            flash(_("A reminder was queued for %(n)d experts with score sheets still to do.",
                    n=queued), "success")
        else:
            flash(_("No reminder was queued: every expert with sheets still to do has already "
                    "been reminded today."), "info")
    return redirect(url_for("reviews.progress_page", round_id=review_round.id))


def _results_for_reader(round_id: int) -> results.RoundResults:
    review_round = db.get_or_404(ReviewRound, round_id)
    if not access.can_view_results(current_user, review_round):
        abort(403)
    group = None
    group_id = query_integer("group")
    if group_id is not None:
        group = db.get_or_404(ReviewGroup, group_id)
        if group.round_id != review_round.id:
            abort(404)
    return results.round_results(review_round, group)


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)  # object rule: access.can_view_results
@cached_page
def results_page(round_id: int):
    round_results = _results_for_reader(round_id)
    return render_template(
        "reviews/results.html", results=round_results,
        review_round=round_results.review_round, groups=round_results.review_round.groups,
        status_labels=STATUS_LABELS, recommend=results.RECOMMEND,
        not_recommend=results.NOT_RECOMMEND, rule_labels=RULE_COLUMN_LABELS, rule_mark=RULE_MARK)


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)  # object rule: access.can_view_results
def results_export(round_id: int):
    round_results = _results_for_reader(round_id)
    name = _("results") + f"-{round_results.review_round.name}"
    if round_results.group is not None:
        name += f"-{round_results.group.name}"
    # send_file writes the name as RFC 5987 filename* (UTF-8) with an ASCII fallback.
    response = send_file(io.BytesIO(results.results_workbook(round_results)), mimetype=XLSX,
                         as_attachment=True, download_name=f"{file_name(name)}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"  # results outside the app's checks
    return response


# --- group opinions -------------------------------------------------------------------------


@roles(Role.SECRETARIAT, Role.ADMIN)
def round_opinions(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    return render_template(
        "reviews/group_opinions.html", review_round=review_round,
        statuses=group_opinion.round_opinions(review_round), verdict_labels=VERDICT_LABELS,
        status_labels=STATUS_LABELS)


@roles(Role.EXPERT)
def my_opinions():
    items = (group_opinion.opinions_for_expert(current_user.expert_id)
             if current_user.expert_id else [])
    return render_template("reviews/group_opinion_list.html", items=items,
                           verdict_labels=VERDICT_LABELS)


@roles(Role.EXPERT)  # object rule: only the leader of the application's panel
def opinion_edit(application_id: int):
    application = db.get_or_404(Application, application_id)
    if not (access.can_review_application(current_user.expert_id, application)
            and group_opinion.is_leader(current_user.expert_id, application)):
        abort(403)
    status = group_opinion.answers_for(application)
    opinion = status.opinion
    form = OpinionForm(data={"text": opinion.text if opinion else "",
                             "version": opinion.version if opinion else 0}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        with committed() as done:
            group_opinion.save_opinion(application, current_user.expert_id, form.text.data,
                                       form.version.data or 0)
        if done:
            flash(_("Group opinion saved."), "success")
            return redirect(url_for("reviews.opinion_edit", application_id=application_id))
        status = group_opinion.answers_for(application)
    return render_template(
        "reviews/group_opinion_edit.html", application=application, status=status,
        form=form, verdict_labels=VERDICT_LABELS,
        answered=len(status.answers) - status.unanswered,
    ), 400 if request.method == "POST" else 200


def _answer_form(opinion, answer) -> AnswerForm:
    """The answer form, filled from the stored answer when the page is opened."""
    if request.method != "GET":
        return AnswerForm()
    return AnswerForm(data={"verdict": answer.verdict if answer else None,
                            "reason": answer.reason if answer else "",
                            "version": opinion.version if opinion else 0})


@roles(Role.EXPERT)  # object rule: only an expert who scores the application
def opinion_answer(application_id: int):
    application = db.get_or_404(Application, application_id)
    if not access.can_review_application(current_user.expert_id, application):
        abort(403)
    opinion = group_opinion.opinion_of(application)
    answer = group_opinion.answer_of(opinion, current_user.expert_id)
    form = _answer_form(opinion, answer)
    if opinion is not None and form.validate_on_submit():
        confirm = form.verdict.data == OpinionVerdict.CONFIRMED
        with committed() as done:
            group_opinion.answer_opinion(opinion, current_user.expert_id, confirm,
                                         form.reason.data, form.version.data or 0)
        if done:
            flash(_("Your answer was recorded."), "success")
            return redirect(url_for("reviews.opinion_answer", application_id=application_id))
    return render_template(
        "reviews/group_opinion_answer.html", application=application, opinion=opinion,
        answer=answer, form=form, verdict_labels=VERDICT_LABELS,
    ), 400 if request.method == "POST" else 200


@roles(Role.SECRETARIAT)  # object rule: only an expert who scores the application
def proxy_answer(application_id: int, expert_id: int):
    """The secretariat enters an expert's paper confirmation or dissent (代录)."""
    application, expert = expert_on_application(application_id, expert_id)
    opinion = group_opinion.opinion_of(application)
    answer = group_opinion.answer_of(opinion, expert.id)
    form = _answer_form(opinion, answer)
    if opinion is not None and form.validate_on_submit():
        confirm = form.verdict.data == OpinionVerdict.CONFIRMED
        with committed() as done:
            group_opinion.answer_opinion(opinion, expert.id, confirm, form.reason.data,
                                         form.version.data or 0, user=current_user, proxy=True)
        if done:
            flash(_("The paper answer of %(name)s was entered.", name=expert.name), "success")
            return redirect(url_for("reviews.round_opinions", round_id=application.round_id)
                            + f"#opinion-{application.id}")
    return render_template(
        "reviews/group_opinion_proxy.html", application=application, expert=expert,
        opinion=opinion, answer=answer, form=form, verdict_labels=VERDICT_LABELS,
    ), 400 if request.method == "POST" else 200
