"""The secretariat's honoraria pages: a preview of a session's or a round's
payment sheet and its .xlsx download."""

import io

from flask import redirect, render_template, send_file, url_for

from thinktank.consultations.models import ConsultationSession
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.honoraria import services
from thinktank.permissions import Role, roles
from thinktank.reviews.models import ReviewRound
from thinktank.views import committed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _preview(target, honoraria_of, back_url: str, download_url: str):
    try:
        honoraria = honoraria_of(target)
    except DomainError as error:
        return render_template("honoraria/preview.html", honoraria=None, error=error.message,
                               back_url=back_url, download_url=None)
    return render_template("honoraria/preview.html", honoraria=honoraria, error=None,
                           back_url=back_url, download_url=download_url)


def _download(target, preview_url: str, name: str):
    with committed() as done:
        data = services.export(target)
    if not done:
        return redirect(preview_url)
    response = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                         download_name=f"劳务费发放表-{name}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"  # names and amounts paid
    return response


@roles(Role.SECRETARIAT)
def session_preview(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    return _preview(session, services.session_honoraria,
                    url_for("consultations.detail", session_id=session_id),
                    url_for("honoraria.session_export", session_id=session_id))


@roles(Role.SECRETARIAT)
def session_export(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    return _download(session, url_for("honoraria.session_preview", session_id=session_id),
                     f"会商{session_id}")


@roles(Role.SECRETARIAT)
def round_preview(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    return _preview(review_round, services.round_honoraria,
                    url_for("reviews.round_detail", round_id=round_id),
                    url_for("honoraria.round_export", round_id=round_id))


@roles(Role.SECRETARIAT)
def round_export(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    return _download(review_round, url_for("honoraria.round_preview", round_id=round_id),
                     f"评审{round_id}")
