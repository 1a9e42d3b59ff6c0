"""A backup promoted after a decline must still be eligible when promoted:
one suspended, withdrawn from the pool, whose term no longer covers the
session's day, or taken out of reserve since the draw is passed over with
the reason recorded, and the next eligible backup is invited instead.

Sessions start 30 days from now, so the RSVP window is open on any date."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.consultations.invitation_factories import deliver, invitation_of, mails_of
from thinktank.audit.models import AuditEntry
from thinktank.consultations import participants, rsvp
from thinktank.draws.models import Draw
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.experts.services import set_status
from thinktank.extensions import db
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")


def drawn_session(make_expert, backups: int = 2, **overrides):
    """A scheduled session 30 days ahead with one drawn member and ``backups``
    backups; returns the session, its draw and the member's invitation."""
    for _ in range(1 + backups):
        make_expert()
    session = make_session(starts_at=utcnow() + timedelta(days=30), **overrides)
    draw = participants.draw_participants(session, panel_size=1, backups=backups)
    participants.schedule_session(session)
    db.session.commit()
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    return session, draw, member


def suspend(expert: Expert, session) -> None:
    set_status(expert, ExpertStatus.SUSPENDED, "出国访学")


def withdraw(expert: Expert, session) -> None:
    set_status(expert, ExpertStatus.WITHDRAWN, "本人申请退出")


def end_term(expert: Expert, session) -> None:
    # The term now ends the day before the session.
    expert.term_end = participants.event_date(session) - timedelta(days=1)


def take_out_of_reserve(expert: Expert, session) -> None:
    participants.remove_participant(invitation_of(session, expert))


@pytest.mark.parametrize(("change", "reason"), [
    (suspend, "suspended"),
    (withdraw, "withdrawn"),
    (end_term, "term_ended"),
    (take_out_of_reserve, "out_of_reserve"),
])
def test_a_decline_skips_a_backup_no_longer_eligible(smtp, make_expert, change, reason):
    session, draw, member = drawn_session(make_expert)
    deliver(smtp, 1)
    first, second = draw.backups
    change(db.session.get(Expert, first), session)
    db.session.commit()

    promoted = rsvp.respond(member, accept=False, reason="出差")
    db.session.commit()

    assert promoted is not None and promoted.expert_id == second
    assert (promoted.status, promoted.source) == ("invited", "promoted")
    skipped = invitation_of(session, db.session.get(Expert, first))
    assert skipped.status in ("reserve", "withdrawn") and skipped.invited_at is None
    assert mails_of(skipped, kind="session_invitation") == []
    stored = db.session.get(Draw, draw.id)
    assert stored.panel == [second]
    assert [(p["backup"], p["outcome"], p.get("reason")) for p in stored.promotions] == [
        (first, "no_longer_eligible", reason), (second, "promoted", None)]
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "draw.backup_promoted"))
    assert audit.payload["backup"] == second
    assert audit.payload["passed_over"] == [{"expert": first, "reason": reason}]
    # Only the eligible backup is invited.
    [message] = deliver(smtp, 1)
    assert message["To"].addresses[0].addr_spec == promoted.expert.email


def test_the_secretariat_promotes_past_an_ineligible_backup(make_expert):
    session, draw, member = drawn_session(make_expert, auto_promote_backups=False)
    first, second = draw.backups
    assert rsvp.respond(member, accept=False, reason="身体原因") is None
    suspend(db.session.get(Expert, first), session)
    db.session.commit()

    assert participants.promote_backup(member).expert_id == second
    db.session.commit()
    statuses = {i.expert_id: i.status for i in session.invitations}
    assert statuses == {member.expert_id: "declined", first: "reserve", second: "invited"}


def test_with_every_backup_ineligible_nobody_is_promoted(make_expert):
    session, draw, member = drawn_session(make_expert)
    first, second = draw.backups
    withdraw(db.session.get(Expert, first), session)
    end_term(db.session.get(Expert, second), session)
    db.session.commit()

    assert rsvp.respond(member, accept=False, reason="出差") is None
    db.session.commit()
    statuses = {i.expert_id: i.status for i in session.invitations}
    assert statuses == {member.expert_id: "declined", first: "reserve", second: "reserve"}
    stored = db.session.get(Draw, draw.id)
    assert [(p["backup"], p["outcome"], p.get("reason")) for p in stored.promotions] == [
        (first, "no_longer_eligible", "withdrawn"), (second, "no_longer_eligible", "term_ended"),
        (None, "exhausted", None)]
    assert stored.panel == []


def test_the_draw_page_names_why_a_backup_was_passed_over(client, auth, make_user, make_expert):
    session, draw, member = drawn_session(make_expert)
    suspend(db.session.get(Expert, draw.backups[0]), session)
    db.session.commit()
    rsvp.respond(member, accept=False, reason="出差")
    db.session.commit()
    auth.login(make_user("secretariat"))

    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)

    skipped = draw.person(draw.backups[0])["name"]
    assert f"{skipped} 未予递补：专家状态为暂停" in page
