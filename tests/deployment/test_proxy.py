"""Behind a reverse proxy (nginx), every request comes from the proxy's
address. ``TRUSTED_PROXIES`` says how many proxies stand in front; only then
are their X-Forwarded-For and X-Forwarded-Proto believed, so that sign-in
throttling and the audit log see the client's address and the links the app
writes into mails use https.

Without the setting, a crowd behind one nginx shares one address: five
mistyped passwords anywhere lock everybody out for the window."""

import pytest
from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.helpers import PASSWORD
from thinktank import create_app
from thinktank.audit.models import AuditEntry
from thinktank.consultations import participants
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage

PROXY = "127.0.0.1"  # nginx on the same machine


def _login(client, email, password, forwarded_for, proto="https"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": PROXY},
                       headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": proto})


def _fail_five_times(client, forwarded_for):
    for attempt in range(5):
        response = _login(client, f"nobody{attempt}@example.cn", "guess", forwarded_for)
        assert response.status_code == 401


def test_behind_a_trusted_proxy_throttling_and_audit_use_the_client_address(app_config,
                                                                            make_user):
    user = make_user("secretariat")
    client = create_app({**app_config, "TRUSTED_PROXIES": 1}).test_client()
    _fail_five_times(client, "198.51.100.7")
    assert _login(client, user.email, PASSWORD, "198.51.100.7").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert _login(client, user.email, PASSWORD, "198.51.100.8").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login.succeeded"))
    assert entry.ip == "198.51.100.8"


def test_without_trusted_proxies_the_forwarded_address_is_ignored(app_config, make_user):
    """Nobody can pick a fresh address per attempt by sending the header."""
    user = make_user("secretariat")
    client = create_app({**app_config, "TRUSTED_PROXIES": 0}).test_client()
    _fail_five_times(client, "198.51.100.7")
    assert _login(client, user.email, PASSWORD, "198.51.100.8").status_code == 429


@pytest.mark.parametrize(("hops", "scheme"), [(1, "https"), (0, "http")])
def test_links_in_mails_use_the_scheme_the_proxy_reports(app_config, make_user, make_expert,
                                                        hops, scheme):
    """The RSVP link is built from the request that schedules the session."""
    user = make_user("secretariat")
    expert = make_expert()
    session = make_session()
    participants.add_participants(session, [expert], "manual")
    db.session.commit()
    client = create_app({**app_config, "TRUSTED_PROXIES": hops}).test_client()
    assert _login(client, user.email, PASSWORD, "198.51.100.9").status_code == 302
    response = client.post(f"/consultations/{session.id}/schedule",
                           environ_base={"REMOTE_ADDR": PROXY},
                           headers={"X-Forwarded-For": "198.51.100.9",
                                    "X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "session_invitation"))
    assert f"{scheme}://localhost/consultations/rsvp/" in mail.text_body
