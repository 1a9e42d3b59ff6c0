"""An RSVP link answers for the expert it names. Someone signed in as anybody
else (another expert, the secretariat) is refused and changes nothing; the
expert themselves, signed in or not, can answer, and the audit log names them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.consultations.invitation_factories import invitation_of, mails_of, scheduled_session
from thinktank.audit.models import AuditEntry
from thinktank.consultations import invitation_mail
from thinktank.extensions import db
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")


def link(invitation) -> str:
    return f"/consultations/rsvp/{invitation_mail.rsvp_token(invitation)}"


def _answers_audited() -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(("invitation.accepted",
                                                        "invitation.declined")))))


@pytest.fixture
def invited(make_expert):
    expert = make_expert(name="孙立")
    session = scheduled_session([expert], starts_at=utcnow() + timedelta(days=30))
    return invitation_of(session, expert)


@pytest.fixture
def someone_else(make_expert, make_user):
    return {
        "another expert": lambda: make_user("expert", expert=make_expert(name="赵敏")),
        "the secretariat": lambda: make_user("secretariat"),
    }


@pytest.mark.parametrize("who", ["another expert", "the secretariat"])
def test_someone_else_signed_in_is_refused_and_changes_nothing(client, auth, invited,
                                                               someone_else, who):
    auth.login(someone_else[who]())
    url = link(invited)
    for response in (client.get(url), client.post(url, data={"accept": "1"}),
                     client.post(url, data={"decline": "1", "reason": "出差"})):
        body = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "该链接属于另一位专家" in body and "请先退出登录" in body
        assert 'action="/auth/logout"' in body  # a button to do so
        assert "接受邀请" not in body  # no answer form
    db.session.refresh(invited)
    assert (invited.status, invited.responded_at) == ("invited", None)
    assert [m.status for m in mails_of(invited, kind="rsvp_nudge")] == ["pending"]
    assert _answers_audited() == []


def test_the_expert_signed_in_answers_through_their_link(client, auth, invited, make_user):
    account = make_user("expert", expert=invited.expert)
    auth.login(account)
    url = link(invited)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"accept": "1"}).status_code == 302
    db.session.refresh(invited)
    assert invited.status == "accepted"
    [entry] = _answers_audited()
    assert entry.user_id == account.id
    assert entry.actor == f"rsvp-link:{invited.expert.code}" and entry.payload["via"] == "link"


@pytest.mark.parametrize("has_account", [True, False])
def test_nobody_signed_in_answers_and_the_audit_names_the_expert(client, invited, make_user,
                                                                has_account):
    account = make_user("expert", expert=invited.expert) if has_account else None
    assert client.post(link(invited), data={"decline": "1", "reason": "出差"}).status_code == 302
    db.session.refresh(invited)
    assert invited.status == "declined"
    [entry] = _answers_audited()
    assert entry.user_id == (account.id if has_account else None)
    assert entry.actor == f"rsvp-link:{invited.expert.code}"
    assert entry.payload["expert"] == invited.expert_id and entry.payload["via"] == "link"
