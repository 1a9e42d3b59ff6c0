from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import free_port
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import DispatcherHeartbeat, OutboxMessage
from thinktank.timeutil import utcnow


def set_heartbeat(age: timedelta) -> None:
    db.session.add(DispatcherHeartbeat(name=services.DISPATCHER_NAME,
                                       last_run_at=utcnow() - age, runner="host:1"))
    db.session.commit()


@pytest.mark.parametrize("role", ["expert", "official"])
def test_other_roles_are_refused(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/1/retry").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_warns_when_the_dispatcher_never_ran(client, auth, make_user):
    auth.login(make_user("admin"))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="dispatcher-warning"' in page
    assert "发送程序从未运行" in page


def test_warns_when_the_last_run_is_older_than_five_minutes(client, auth, make_user):
    set_heartbeat(timedelta(minutes=6))
    auth.login(make_user("secretariat"))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="dispatcher-warning"' in page
    assert "超过 5 分钟" in page


def test_no_warning_after_a_recent_run_and_time_in_display_zone(app, client, auth, make_user):
    set_heartbeat(timedelta(minutes=1))
    auth.login(make_user("secretariat"))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="dispatcher-warning"' not in page
    heartbeat = services.last_heartbeat()
    with app.test_request_context():
        from thinktank.timeutil import to_display

        shown = to_display(heartbeat.last_run_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in page


def test_failed_rows_are_listed_with_their_error_and_can_be_retried(
    app, client, auth, make_user, queue, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 1)
    failed, pending = queue(2)
    pending.due_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert services.dispatch_due().failed == 1

    auth.login(make_user("secretariat"))
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert failed.subject in page and pending.subject not in page
    assert "ConnectionRefusedError" in page
    assert 'id="count-failed">1<' in page and 'id="count-pending">1<' in page

    response = client.post(f"/admin/outbox/{failed.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(OutboxMessage, failed.id)
    assert (row.status, row.attempts) == ("pending", 0)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.retry")).one()
    assert entry.target_id == row.id and entry.actor.startswith("user")

    # A row that is not failed cannot be retried.
    client.post(f"/admin/outbox/{pending.id}/retry")
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "outbox.retry")
    ).all() == [entry]
    assert client.post("/admin/outbox/999999/retry").status_code == 404


def test_nav_shows_the_outbox_to_secretariat_only(client, auth, make_user):
    auth.login(make_user("secretariat"))
    assert "/admin/outbox" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("official"))
    assert "/admin/outbox" not in client.get("/").get_data(as_text=True)
