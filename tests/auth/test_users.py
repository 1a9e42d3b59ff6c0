import json
import re

from sqlalchemy import select

from tests.helpers import Auth
from thinktank.audit.models import AuditEntry
from thinktank.auth.models import User
from thinktank.extensions import db


def test_cli_creates_a_user_and_prints_a_generated_password(runner, client):
    result = runner.invoke(args=["users", "create", "--email", "Mi@Example.cn", "--name", "米秘书",
                                 "--role", "secretariat", "--role", "official"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    assert len(password) >= 12
    user = db.session.scalar(select(User).where(User.email == "mi@example.cn"))
    assert {r.value for r in user.role_set} == {"secretariat", "official"}
    response = client.post("/auth/login", data={"email": "mi@example.cn", "password": password})
    assert response.status_code == 302


def test_cli_refuses_a_duplicate_email_and_an_unknown_role(runner, make_user):
    user = make_user("admin")
    result = runner.invoke(args=["users", "create", "--email", user.email, "--name", "重复",
                                 "--role", "admin"])
    assert result.exit_code != 0 and "已存在" in result.output
    result = runner.invoke(args=["users", "create", "--email", "x@example.cn", "--name", "x",
                                 "--role", "king"])
    assert result.exit_code != 0


def test_admin_creates_edits_and_resets_users(client, make_user, make_expert):
    admin = make_user("admin")
    expert = make_expert()
    Auth(client).login(admin)
    response = client.post("/admin/users/new", data={
        "email": "new@example.cn", "name": "新专家", "roles": ["expert"],
        "expert_code": expert.code, "active": "y"})
    assert response.status_code == 200 and "初始密码" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new@example.cn"))
    assert user.expert_id == expert.id
    response = client.post(f"/admin/users/{user.id}", data={
        "email": "ignored@example.cn", "name": "改名", "roles": ["expert", "official"],
        "expert_code": ""})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.email == "new@example.cn"  # the email is not editable
    assert user.name == "改名" and not user.active and user.expert_id is None
    # account words, not the expert pool's status (在库)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "<td>停用</td>" in listing and "<td>启用</td>" in listing and "在库" not in listing
    assert {r.value for r in user.role_set} == {"expert", "official"}
    old_hash = user.password_hash
    client.post(f"/admin/users/{user.id}/reset-password")
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash != old_hash
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"user.created", "user.updated", "user.password_reset"} <= actions


def test_admin_form_bad_paths(client, make_user):
    admin = make_user("admin")
    Auth(client).login(admin)
    response = client.post("/admin/users/new", data={
        "email": "x@example.cn", "name": "无角色", "roles": [], "expert_code": ""})
    assert response.status_code == 400 and "请至少选择一个角色" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={
        "email": "x@example.cn", "name": "编号错", "roles": ["expert"], "expert_code": "ZJ99999"})
    assert response.status_code == 400 and "没有编号为 ZJ99999 的专家" in response.get_data(
        as_text=True)
    assert db.session.scalar(select(User).where(User.email == "x@example.cn")) is None


def test_audit_log_lists_entries_for_admins(client, make_user):
    admin = make_user("admin")
    Auth(client).login(admin)
    response = client.get("/admin/audit?action=login.succeeded")
    assert response.status_code == 200
    entries = response.get_data(as_text=True).split('id="audit-entries"')[1]
    assert '<td class="action">登录</td>' in entries and admin.name in entries


def _shown_password(response) -> str:
    """The generated password on the page answering the POST."""
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    return re.search(r'<code id="new-password">([^<]+)</code>',
                     response.get_data(as_text=True)).group(1)


def _session_cookie(app, client) -> str:
    """The client's session cookie, decoded with the app's own session interface."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    serializer = app.session_interface.get_signing_serializer(app)
    return json.dumps(serializer.loads(cookie.value), ensure_ascii=False)


def _signs_in(app, email: str, password: str) -> bool:
    return Auth(app.test_client()).login(
        db.session.scalar(select(User).where(User.email == email)), password
    ).status_code == 302


def test_generated_passwords_are_shown_once_and_never_kept_in_the_session(app, client,
                                                                         make_user):
    """The session cookie is signed, not encrypted: whoever holds it can read
    it, so a generated password must never go into it (nor into a flash)."""
    Auth(client).login(make_user("admin"))
    created = client.post("/admin/users/new", data={
        "email": "chen@example.cn", "name": "陈秘书", "roles": ["secretariat"], "active": "y"})
    password = _shown_password(created)
    assert "chen@example.cn" in created.get_data(as_text=True)
    assert password not in _session_cookie(app, client)
    assert password not in client.get("/admin/users").get_data(as_text=True)
    assert _signs_in(app, "chen@example.cn", password)

    user = db.session.scalar(select(User).where(User.email == "chen@example.cn"))
    reset = client.post(f"/admin/users/{user.id}/reset-password")
    new_password = _shown_password(reset)
    assert new_password != password and "chen@example.cn" in reset.get_data(as_text=True)
    assert new_password not in _session_cookie(app, client)
    assert new_password not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert not _signs_in(app, "chen@example.cn", password)
    assert _signs_in(app, "chen@example.cn", new_password)
    payloads = json.dumps(list(db.session.scalars(select(AuditEntry.payload))))
    assert password not in payloads and new_password not in payloads
