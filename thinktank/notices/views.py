"""Notice pages: the secretariat posts and follows read receipts; experts
read the notices addressed to them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.errors import DomainError
from thinktank.notices import services
from thinktank.notices.forms import NoticeForm
from thinktank.notices.labels import KIND_LABELS
from thinktank.permissions import Role, roles
from thinktank.views import committed


def _notice(notice_id: int):
    try:
        return services.get_notice(notice_id)
    except DomainError as error:
        abort(error.status_code)


@roles(Role.SECRETARIAT, Role.ADMIN)
def index():
    return render_template("notices/index.html", notices=services.notices(),
                           kind_labels=KIND_LABELS)


@roles(Role.SECRETARIAT)
def create():
    form = NoticeForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            with committed() as done:
                notice = services.post_notice(form.title.data, form.body.data, form.kind.data,
                                              form.audience(), current_user)
            if done:
                flash(_("The notice was posted to %(count)d experts.",
                        count=len(notice.recipients)), "success")
                return redirect(url_for("notices.detail", notice_id=notice.id))
    return render_template("notices/form.html", form=form), status


@roles(Role.SECRETARIAT, Role.ADMIN)
def detail(notice_id: int):
    notice = _notice(notice_id)
    return render_template("notices/detail.html", notice=notice, kind_labels=KIND_LABELS,
                           receipts=services.receipts(notice),
                           field_names=services.field_names(notice))


@roles(Role.EXPERT)
def my_notices():
    items = services.notices_of(current_user.expert_id) if current_user.expert_id else []
    return render_template("notices/mine.html", items=items, kind_labels=KIND_LABELS,
                           unread=sum(1 for item in items if item.read_at is None))


@roles(Role.EXPERT)
def my_notice(notice_id: int):
    notice = _notice(notice_id)
    with committed():  # Forbidden: a notice not addressed to the expert
        recipient = services.mark_read(notice, current_user.expert_id)
    return render_template("notices/notice.html", notice=notice, recipient=recipient,
                           kind_labels=KIND_LABELS)
