"""Signed-in sessions: the cookie changes at sign-in, a copy of it is worth
nothing after sign-out, a password reset or the account's deactivation,
and it ends on the server after the session lifetime whatever the browser
keeps.

Sessions are signed cookies (Flask), so "the session id" is the cookie's
content: the user id with the user's session token (``User.get_id``) and
the CSRF secret. Covered elsewhere: dropping what the session held before
sign-in (tests/auth/test_login.py::test_login_gives_a_new_session) and a
password change signing out the other sessions
(tests/auth/test_login.py::test_password_change_signs_out_other_sessions)."""

import re

import pytest
from itsdangerous import TimestampSigner

from tests.helpers import PASSWORD, Auth
from thinktank import create_app
from thinktank.extensions import db

COOKIE = "session"


@pytest.fixture
def csrf_app(app_config):
    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def _cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _replay(app, cookie: str):
    """A fresh browser that only has ``cookie``, as an attacker with a copy would."""
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def _signed_in(client) -> bool:
    return client.get("/auth/password").status_code == 200


def test_sign_in_replaces_the_cookie_and_its_csrf_secret(csrf_app, make_user):
    user = make_user("secretariat")
    client = csrf_app.test_client()
    before_token = _token(client.get("/auth/login").get_data(as_text=True))
    before = _cookie(client)
    assert before  # the login form's CSRF secret lives in the session
    response = client.post("/auth/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": before_token})
    assert response.status_code == 302
    after = _cookie(client)
    assert after and after != before
    # A token issued to the session before sign-in is refused after it.
    response = client.post("/auth/locale", data={"locale": "en", "csrf_token": before_token})
    assert response.status_code == 400
    fresh = _token(client.get("/auth/password").get_data(as_text=True))
    assert fresh != before_token
    assert client.post("/auth/locale", data={"locale": "en", "csrf_token": fresh}
                       ).status_code == 302
    # The cookie from before sign-in is still anonymous.
    assert not _signed_in(_replay(csrf_app, before))


def test_a_cookie_copied_before_sign_out_is_worthless_after_it(app, make_user):
    user = make_user("secretariat")
    client = app.test_client()
    Auth(client).login(user)
    stolen = _cookie(client)
    assert _signed_in(_replay(app, stolen))  # the copy works while the session lasts
    assert client.post("/auth/logout").status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, stolen))
    # Signing in again gives a new session; the copy stays worthless.
    Auth(client).login(user)
    assert _signed_in(client)
    assert not _signed_in(_replay(app, stolen))


def test_a_password_reset_by_an_admin_signs_the_user_out(app, make_user):
    user, admin = make_user("expert"), make_user("admin")
    expert_client, admin_client = app.test_client(), app.test_client()
    Auth(expert_client).login(user)
    Auth(admin_client).login(admin)
    assert _signed_in(expert_client)
    assert admin_client.post(f"/admin/users/{user.id}/reset-password").status_code == 200
    assert not _signed_in(expert_client)
    assert _signed_in(admin_client)


def test_deactivating_an_account_ends_its_sessions(app, make_user):
    user = make_user("secretariat")
    client = app.test_client()
    Auth(client).login(user)
    assert _signed_in(client)
    user.active = False
    db.session.commit()
    assert not _signed_in(client)
    assert client.get("/experts/").status_code == 302


def test_the_cookie_ends_on_the_server_after_the_session_lifetime(app, make_user, monkeypatch):
    """The signature's timestamp is checked on every request: a copy kept
    past the lifetime is refused even by a browser that never drops it."""
    user = make_user("secretariat")
    client = app.test_client()
    Auth(client).login(user)
    cookie = _cookie(client)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) + lifetime - 60)
    assert _signed_in(_replay(app, cookie))
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) + lifetime + 60)
    assert not _signed_in(_replay(app, cookie))


def test_a_cookie_signed_with_another_key_is_refused(app, app_config, make_user):
    """What a machine without the shared SECRET_KEY would issue: refused here."""
    user = make_user("secretariat")
    other = create_app({**app_config, "SECRET_KEY": "another-machine"})
    client = other.test_client()
    Auth(client).login(user)
    assert _signed_in(client)
    assert not _signed_in(_replay(app, _cookie(client)))
