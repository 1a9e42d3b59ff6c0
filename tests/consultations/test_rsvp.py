"""Answering an invitation: the signed link without signing in, and the
expert's own invitation pages in the app."""

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.consultations.invitation_factories import invitation_of, mails_of, scheduled_session
from thinktank.audit.models import AuditEntry
from thinktank.consultations import invitation_mail, participants, services
from thinktank.extensions import db
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")


def link(invitation) -> str:
    return f"/consultations/rsvp/{invitation_mail.rsvp_token(invitation)}"


@pytest.fixture
def invited(make_expert):
    expert = make_expert(name="孙立")
    session = scheduled_session([expert])
    return invitation_of(session, expert)


def test_accepting_through_the_link_without_signing_in(client, invited):
    url = link(invited)
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert invited.session.title in body and "接受邀请" in body and "谢绝参会" in body
    assert 'name="csrf_token"' in body

    response = client.post(url, data={"accept": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.refresh(invited)
    assert invited.status == "accepted" and invited.responded_at is not None
    assert [m.status for m in mails_of(invited, kind="rsvp_nudge")] == ["cancelled"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.accepted"))
    assert entry.actor == f"rsvp-link:{invited.expert.code}" and entry.payload["via"] == "link"

    # A second visit shows the answer and lets them change it.
    again = client.get(url).get_data(as_text=True)
    assert "已接受" in again and "回复截止前您可以更改回复" in again


def test_declining_needs_a_reason(client, invited):
    url = link(invited)
    response = client.post(url, data={"decline": "1", "reason": "  "})
    assert response.status_code == 400
    assert "请填写谢绝参会的理由" in response.get_data(as_text=True)
    db.session.refresh(invited)
    assert invited.status == "invited"
    assert client.post(url, data={"decline": "1", "reason": "赴京开会"}).status_code == 302
    db.session.refresh(invited)
    assert (invited.status, invited.decline_reason) == ("declined", "赴京开会")
    assert "赴京开会" in client.get(url).get_data(as_text=True)


def test_a_tampered_link_gets_a_clear_page(client, invited):
    token = invitation_mail.rsvp_token(invited)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for url in (f"/consultations/rsvp/{tampered}", "/consultations/rsvp/not-a-token"):
        response = client.get(url)
        assert response.status_code == 400
        assert "链接无效" in response.get_data(as_text=True)
        assert client.post(url, data={"accept": "1"}).status_code == 400
    db.session.refresh(invited)
    assert invited.status == "invited"


def test_a_link_signed_with_another_key_is_refused(app, client, invited):
    forged = URLSafeTimedSerializer("another-key", salt="rsvp").dumps(
        {"i": invited.id, "e": invited.expert_id})
    assert client.get(f"/consultations/rsvp/{forged}").status_code == 400


def test_a_link_past_its_max_age_has_expired(app, client, invited):
    too_old = invitation_mail.RSVP_LINK_MAX_AGE + timedelta(days=1)

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - too_old.total_seconds())

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="rsvp",
                                        signer=SignedLongAgo)
    old = serializer.dumps({"i": invited.id, "e": invited.expert_id})
    response = client.get(f"/consultations/rsvp/{old}")
    assert response.status_code == 410
    assert "链接已失效" in response.get_data(as_text=True)


def test_a_link_expires_when_the_session_starts(client, invited):
    url = link(invited)
    session = invited.session
    session.starts_at = utcnow() - timedelta(minutes=5)
    session.rsvp_deadline = None
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 410 and "链接已失效" in response.get_data(as_text=True)
    assert client.post(url, data={"accept": "1"}).status_code == 410


def test_a_link_reused_after_the_cancellation_gets_a_clear_page(client, invited):
    url = link(invited)
    services.cancel_session(invited.session, "议题调整")
    db.session.commit()
    response = client.post(url, data={"accept": "1"})
    assert response.status_code == 410
    assert "邀请已失效" in response.get_data(as_text=True)
    db.session.refresh(invited)
    assert invited.status == "withdrawn"


def test_a_removed_expert_link_no_longer_works(client, invited):
    url = link(invited)
    participants.remove_participant(invited)
    db.session.commit()
    assert client.get(url).status_code == 410


def test_after_the_reply_deadline_the_answer_is_shown_but_closed(client, invited):
    url = link(invited)
    invited.session.rsvp_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(url)
    assert page.status_code == 200
    assert "该邀请的回复已截止" in page.get_data(as_text=True)
    assert client.post(url, data={"accept": "1"}).status_code == 400
    db.session.refresh(invited)
    assert invited.status == "invited"


def test_a_decline_through_the_link_promotes_the_backup(client, make_expert):
    [make_expert() for _ in range(2)]
    session = make_session()
    draw = participants.draw_participants(session, panel_size=1, backups=1)
    participants.schedule_session(session)
    db.session.commit()
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    response = client.post(link(member), data={"decline": "1", "reason": "时间冲突"})
    assert response.status_code == 302
    backup = next(i for i in session.invitations if i.expert_id == draw.backups[0])
    db.session.refresh(backup)
    assert backup.status == "invited"
    assert mails_of(backup, kind="session_invitation")


def test_experts_see_and_answer_only_their_own_invitations(client, auth, make_user, make_expert):
    mine, theirs = make_expert(name="周红"), make_expert(name="吴刚")
    session = scheduled_session([mine, theirs])
    draft = make_session(title="尚未发出的会商")
    pending_one = participants.add_participants(draft, [mine], "manual")[0]
    db.session.commit()
    auth.login(make_user("expert", expert=mine))

    listing = client.get("/consultations/invitations/").get_data(as_text=True)
    assert session.title in listing and "尚未发出的会商" not in listing
    own, other = invitation_of(session, mine), invitation_of(session, theirs)
    assert client.get(f"/consultations/invitations/{own.id}").status_code == 200
    assert client.get(f"/consultations/invitations/{other.id}").status_code == 403
    assert client.post(f"/consultations/invitations/{other.id}",
                       data={"accept": "1"}).status_code == 403
    assert client.get(f"/consultations/invitations/{pending_one.id}").status_code == 404

    response = client.post(f"/consultations/invitations/{own.id}", data={"accept": "1"})
    assert response.status_code == 302
    db.session.refresh(own)
    db.session.refresh(other)
    assert (own.status, other.status) == ("accepted", "invited")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.accepted"))
    assert entry.user_id is not None and entry.payload["via"] == "app"


def test_other_roles_cannot_open_expert_invitation_pages(client, auth, make_user, invited):
    auth.login(make_user("secretariat"))
    assert client.get("/consultations/invitations/").status_code == 403
    assert client.get(f"/consultations/invitations/{invited.id}").status_code == 403
