from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, Auth
from thinktank import create_app
from thinktank.audit.models import AuditEntry
from thinktank.auth.models import LoginAttempt, User
from thinktank.extensions import db
from thinktank.timeutil import utcnow


def _login(client, email, password, ip="10.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_login_and_logout(client, make_user):
    user = make_user("secretariat")
    response = _login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "login.succeeded" in actions and "logout" in actions


def test_wrong_password_is_refused_in_chinese(client, make_user):
    user = make_user("secretariat")
    response = _login(client, user.email, "not-the-password")
    assert response.status_code == 401
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user("secretariat")
    user.active = False
    db.session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 401


def test_next_parameter_only_allows_local_paths(client, make_user):
    user = make_user("secretariat")
    for target, expected in (("/experts/", "/experts/"), ("https://evil.example/", "/"),
                             ("//evil.example/x", "/")):
        client.post("/auth/logout")
        response = client.post(f"/auth/login?next={target}",
                               data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == expected


def test_five_failures_for_one_account_lock_it_even_with_the_right_password(client, make_user):
    user = make_user("secretariat")
    for attempt in range(5):
        # different addresses: the account count alone must trigger
        assert _login(client, user.email, "wrong", ip=f"10.0.1.{attempt}").status_code == 401
    response = _login(client, user.email, PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_five_failures_from_one_address_block_it_for_every_account(client, make_user):
    victim = make_user("secretariat")
    for attempt in range(5):
        _login(client, f"nobody{attempt}@example.cn", "guess", ip="10.9.9.9")
    assert _login(client, victim.email, PASSWORD, ip="10.9.9.9").status_code == 429
    assert _login(client, victim.email, PASSWORD, ip="10.9.9.10").status_code == 302


def test_four_failures_do_not_lock(client, make_user):
    user = make_user("secretariat")
    for _ in range(4):
        _login(client, user.email, "wrong")
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count(client, make_user):
    user = make_user("secretariat")
    for _ in range(5):
        _login(client, user.email, "wrong")
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.attempted_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_throttling_is_shared_between_app_instances(app_config, client, make_user):
    """A second app object (as a second worker process would build) sees the
    failures the first one recorded: the state is in the database."""
    user = make_user("secretariat")
    for _ in range(5):
        _login(client, user.email, "wrong")
    other_worker = create_app(app_config)
    other_client = other_worker.test_client()
    response = other_client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                                 environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert response.status_code == 429


def test_session_cookie_flags_and_security_headers(client, make_user):
    user = make_user("secretariat")
    response = _login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # not configured for production in tests
    page = client.get("/")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_production_cookies_are_secure(app_config, monkeypatch):
    monkeypatch.setenv("THINKTANK_PRODUCTION", "1")
    production = create_app(app_config)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_login_gives_a_new_session(client, make_user):
    """No session fixation: whatever the session held before sign-in is dropped."""
    user = make_user("secretariat")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, user.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_passwords_are_hashed_with_scrypt(make_user):
    user = make_user("secretariat")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_password_change_signs_out_other_sessions(app, make_user):
    user = make_user("expert")
    first, second = app.test_client(), app.test_client()
    Auth(first).login(user)
    Auth(second).login(user)
    response = first.post("/auth/password", data={
        "current": PASSWORD, "new": "a-new-long-password", "confirm": "a-new-long-password"})
    assert response.status_code == 302
    assert first.get("/auth/password").status_code == 200  # this session stays signed in
    assert second.get("/auth/password").status_code == 302  # the other one is signed out
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a-new-long-password")


@pytest.mark.parametrize("current,new,confirm,message", [
    ("wrong-current", "a-new-long-password", "a-new-long-password", "当前密码不正确"),
    (PASSWORD, "short", "short", "密码至少需要"),
    (PASSWORD, "a-new-long-password", "another-long-password", "两次输入的密码不一致"),
])
def test_password_change_bad_paths(client, make_user, current, new, confirm, message):
    user = make_user("expert")
    Auth(client).login(user)
    response = client.post("/auth/password",
                           data={"current": current, "new": new, "confirm": confirm})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_language_can_be_switched_per_user(client, make_user):
    user = make_user("secretariat")
    Auth(client).login(user)
    assert "专家库" in client.get("/").get_data(as_text=True)
    client.post("/auth/locale", data={"locale": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Expert pool" in page and "专家库" not in page
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    # the choice is the user's: a fresh sign-in keeps it
    other = type(client)(client.application)
    Auth(other).login(user)
    assert "Expert pool" in other.get("/").get_data(as_text=True)


@pytest.mark.slow
def test_throttling_holds_across_processes(app_config, client, make_user):
    """Failures made by another OS process count here: nothing is kept in memory."""
    import json
    import subprocess
    import sys

    user = make_user("secretariat")
    script = """
import json, sys
from thinktank import create_app
config = json.loads(sys.argv[1])
client = create_app(config).test_client()
codes = [client.post("/auth/login", data={"email": sys.argv[2], "password": "wrong"},
                     environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code for _ in range(5)]
print(json.dumps(codes))
"""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(app_config), user.email],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [401] * 5
    assert _login(client, user.email, PASSWORD, ip="10.8.8.8").status_code == 429
