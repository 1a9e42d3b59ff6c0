"""The views' one transaction pattern: ``thinktank.views.committed``."""

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import Forbidden as Refused403

from thinktank.auth.models import User
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.views import committed


def _names() -> set[str]:
    return set(db.session.scalars(db.select(User.name)))


def test_a_refusal_is_rolled_back_kept_and_flashed(app, make_user):
    user = make_user(name="原名")
    with app.test_request_context("/"):
        with committed() as done:
            db.session.get(User, user.id).name = "改名"
            raise DomainError("不能改名。")
        assert not done
        assert done.error.message == "不能改名。"
        assert get_flashed_messages(with_categories=True) == [("danger", "不能改名。")]
        assert _names() == {"原名"}


def test_without_on_error_the_view_shows_the_refusal(app, make_user):
    make_user()
    with app.test_request_context("/"):
        with committed(on_error=None) as done:
            raise DomainError("由页面显示。")
        assert done.error.message == "由页面显示。"
        assert get_flashed_messages() == []


def test_forbidden_answers_403_after_the_rollback(app, make_user):
    user = make_user(name="原名")
    with app.test_request_context("/"), pytest.raises(Refused403):
        with committed():
            db.session.get(User, user.id).name = "改名"
            raise Forbidden("无权。")
    assert _names() == {"原名"}
