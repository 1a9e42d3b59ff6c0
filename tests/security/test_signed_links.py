"""The signed RSVP link (the app's only signed link: ``URLSafeTimedSerializer``
with the salt "rsvp" in thinktank/consultations/invitation_mail.py).

It names one invitation and its expert. It cannot be turned into another
invitation's link, nor can another signed value of the app (the session
cookie, a CSRF token) stand in for it; a link from before a reschedule
answers the same invitation at the new time; answering again through a
replayed link changes nothing twice.

Covered in tests/consultations/test_rsvp.py: a tampered signature
(test_a_tampered_link_gets_a_clear_page), another key
(test_a_link_signed_with_another_key_is_refused), expiry by age
(test_a_link_past_its_max_age_has_expired) and at the start
(test_a_link_expires_when_the_session_starts), a cancelled session
(test_a_link_reused_after_the_cancellation_gets_a_clear_page) and a removed
expert (test_a_removed_expert_link_no_longer_works)."""

import base64
import json
import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from tests.consultations.factories import START, make_session, session_data
from tests.consultations.invitation_factories import invitation_of, mails_of, scheduled_session
from thinktank import create_app
from thinktank.audit.models import AuditEntry
from thinktank.consultations import invitation_mail, participants, services
from thinktank.extensions import db


def link(invitation) -> str:
    return f"/consultations/rsvp/{invitation_mail.rsvp_token(invitation)}"


def _audit_count(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


@pytest.fixture
def pair(make_expert):
    """Two experts invited to one session: ``(session, mine, theirs)``."""
    first, second = make_expert(name="甲专家"), make_expert(name="乙专家")
    session = scheduled_session([first, second])
    return session, invitation_of(session, first), invitation_of(session, second)


def _with_payload(token: str, payload: dict) -> str:
    """The token with its payload replaced and its signature kept."""
    _old, timestamp, signature = token.rsplit(".", 2)
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body.decode().rstrip('=')}.{timestamp}.{signature}"


def test_changing_the_ids_in_a_link_breaks_its_signature(client, pair):
    _session, mine, theirs = pair
    token = invitation_mail.rsvp_token(mine)
    for payload in ({"i": theirs.id, "e": theirs.expert_id}, {"i": theirs.id, "e": mine.expert_id},
                    {"i": mine.id, "e": theirs.expert_id}):
        forged = _with_payload(token, payload)
        assert forged != token
        response = client.post(f"/consultations/rsvp/{forged}", data={"accept": "1"})
        assert response.status_code == 400, payload
    db.session.refresh(mine)
    db.session.refresh(theirs)
    assert (mine.status, theirs.status) == ("invited", "invited")


def test_a_link_names_its_expert_too(app, client, pair):
    """Even a correctly signed value pairing one invitation with another
    expert is refused (the invitation's expert must match)."""
    _session, mine, theirs = pair
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="rsvp")
    mismatched = serializer.dumps({"i": theirs.id, "e": mine.expert_id})
    assert client.post(f"/consultations/rsvp/{mismatched}",
                       data={"accept": "1"}).status_code == 400
    db.session.refresh(theirs)
    assert theirs.status == "invited"


def test_a_link_answers_only_its_own_session(client, make_expert):
    expert = make_expert()
    first = scheduled_session([expert], title="第一次会商")
    second = scheduled_session([expert], title="第二次会商", starts_at=START + timedelta(days=7))
    assert client.post(link(invitation_of(first, expert)), data={"accept": "1"}).status_code == 302
    assert invitation_of(first, expert).status == "accepted"
    assert invitation_of(second, expert).status == "invited"


def test_other_signed_values_of_the_app_are_not_links(app_config, make_user, pair):
    """Same key, other purposes: the session cookie and a CSRF token."""
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    cookie = client.get_cookie("session").value
    for value in (csrf_token, cookie):
        assert client.get(f"/consultations/rsvp/{value}").status_code == 400


def test_a_link_from_before_a_reschedule_answers_at_the_new_time(client, pair):
    session, mine, _theirs = pair
    old_link = link(mine)
    moved = START + timedelta(days=2)
    services.update_session(session, session_data(starts_at=moved,
                                                  rsvp_deadline=moved - timedelta(days=3)))
    db.session.commit()
    assert session.sequence == 1
    page = client.get(old_link).get_data(as_text=True)
    assert "12月12日" in page or "2026-12-12" in page  # the new day, in Shanghai
    assert client.post(old_link, data={"accept": "1"}).status_code == 302
    db.session.refresh(mine)
    assert mine.status == "accepted"
    # The updated invite carries a link to the same invitation.
    updated = [m for m in mails_of(mine, kind="session_invitation") if "rsvp/" in m.text_body]
    token = re.findall(r"rsvp/([\w.-]+)", updated[-1].text_body)[-1]
    assert invitation_mail.invitation_from_token(token).id == mine.id


def test_a_replayed_accept_changes_nothing_twice(client, pair):
    _session, mine, _theirs = pair
    url = link(mine)
    assert client.post(url, data={"accept": "1"}).status_code == 302
    db.session.refresh(mine)
    answered_at = mine.responded_at
    pending = len(mails_of(mine, status="pending"))
    for _ in range(2):
        assert client.post(url, data={"accept": "1"}).status_code == 302
    db.session.refresh(mine)
    assert mine.status == "accepted" and mine.responded_at == answered_at
    assert _audit_count("invitation.accepted") == 1
    assert len(mails_of(mine, status="pending")) == pending


def test_a_replayed_decline_promotes_one_backup_only(client, make_expert):
    [make_expert() for _ in range(3)]
    session = make_session()
    draw = participants.draw_participants(session, panel_size=1, backups=2)
    participants.schedule_session(session)
    db.session.commit()
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    url = link(member)
    for reason in ("时间冲突", "时间冲突", "另有公务"):
        assert client.post(url, data={"decline": "1", "reason": reason}).status_code == 302
    db.session.expire_all()
    statuses = {i.expert_id: i.status for i in session.invitations}
    assert statuses[draw.backups[0]] == "invited"
    assert statuses[draw.backups[1]] == "reserve"  # the second backup stays in reserve
    assert _audit_count("invitation.promoted") == 1
    assert _audit_count("invitation.declined") == 2  # the same reason again is no change
    db.session.refresh(member)
    assert member.decline_reason == "另有公务"
