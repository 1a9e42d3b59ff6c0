"""The demo's consultation sessions: a quarterly series with drawn panels and
sessions in every state, built through the services."""

from collections import Counter

from sqlalchemy import select

from tests.demo.helpers import load
from thinktank.consultations import proceedings
from thinktank.consultations.models import (
    ConsultationSession,
    InvitationStatus,
    SessionSeries,
    SessionStatus,
)
from thinktank.demo import data
from thinktank.draws.models import Draw
from thinktank.draws.services import draws_for
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.timeutil import utcnow

S = InvitationStatus


def sessions() -> list[ConsultationSession]:
    return list(db.session.scalars(select(ConsultationSession).order_by(ConsultationSession.id)))


def by_title(title: str) -> ConsultationSession:
    return db.session.scalars(select(ConsultationSession).where(
        ConsultationSession.title == title)).one()


def statuses(session: ConsultationSession) -> Counter:
    return Counter(invitation.status for invitation in session.invitations)


def invitation_mails(session: ConsultationSession, status: str) -> list[OutboxMessage]:
    ids = [invitation.id for invitation in session.invitations]
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject_type == "invitation", OutboxMessage.subject_id.in_(ids),
        OutboxMessage.kind == "session_invitation", OutboxMessage.status == status)))


def test_sessions_in_every_state(loaded):
    assert "10 sessions" in loaded.output
    assert Counter(s.status for s in sessions()) == {
        SessionStatus.DRAFT: 4,  # three later occurrences of the series and the 专题咨询
        SessionStatus.SCHEDULED: 2,
        SessionStatus.HELD: 1,
        SessionStatus.OPINIONS_COLLECTED: 1,
        SessionStatus.ISSUED: 1,
        SessionStatus.CANCELLED: 1,
    }
    assert all(s.agenda and (s.place or s.online_link) for s in sessions())
    assert by_title(data.DRAFT.title).status == SessionStatus.DRAFT


def test_quarterly_series_with_a_drawn_panel_for_each_occurrence(loaded):
    series = db.session.scalars(select(SessionSeries)).one()
    assert (series.title, series.frequency, series.count) == (
        "生物制造产业发展定期会商", "quarterly", 4)
    occurrences = sorted((s for s in sessions() if s.series_id == series.id),
                         key=lambda s: s.starts_at)
    assert len(occurrences) == 4
    months = [(s.starts_at.year * 12 + s.starts_at.month) for s in occurrences]
    assert [b - a for a, b in zip(months, months[1:], strict=False)] == [3, 3, 3]
    assert occurrences[0].starts_at > utcnow()
    for occurrence in occurrences:
        draws = draws_for("session", occurrence.id)
        assert len(draws) == 1
        assert (len(draws[0].drawn), len(draws[0].backups)) == (5, 2)
        # One per organisation: the draw's default cap.
        organisations = [draws[0].person(i)["organisation"] for i in draws[0].drawn]
        assert len(set(organisations)) == 5
    # The next one is scheduled: its five members are invited, the mails queued.
    first, *later = occurrences
    assert first.status == SessionStatus.SCHEDULED
    assert statuses(first) == {S.INVITED: 5, S.RESERVE: 2}
    assert len(invitation_mails(first, "pending")) == 5
    for occurrence in later:
        assert occurrence.status == SessionStatus.DRAFT
        assert statuses(occurrence) == {S.PENDING: 5, S.RESERVE: 2}
        assert invitation_mails(occurrence, "pending") == []


def test_scheduled_decision_consultation_has_answers_and_a_promoted_backup(loaded):
    session = by_title(data.SCHEDULED.title)
    assert session.kind == "decision" and session.status == SessionStatus.SCHEDULED
    counts = statuses(session)
    assert counts[S.ACCEPTED] == 2 and counts[S.DECLINED] == 1
    declined = next(i for i in session.invitations if i.status == S.DECLINED)
    assert declined.decline_reason == data.SCHEDULED_DECLINE_REASON
    promoted = [i for i in session.invitations if i.source == "promoted"]
    assert len(promoted) == 1 and promoted[0].status == S.INVITED
    # The demo expert's account has an invitation of its own to answer.
    own = next(i for i in session.invitations if i.expert.name == data.DEMO_EXPERT)
    assert own.status == S.INVITED and own.source == "manual"


def test_held_sessions_lie_in_the_past_with_their_record(loaded):
    now = utcnow()
    held = by_title(data.HELD.session.title)
    collected = by_title(data.COLLECTED.session.title)
    issued = by_title(data.ISSUED.session.title)
    for session, spec in ((held, data.HELD), (collected, data.COLLECTED),
                          (issued, data.ISSUED)):
        assert session.ends_at < now
        assert all(i.responded_at < session.starts_at for i in session.invitations)
        marks = {i.expert.name: i.attendance for i in session.invitations}
        assert marks == spec.attendance
        assert proceedings.current_revision(proceedings.minutes_of(session)).text == spec.minutes
        submitted = {o.expert.name for o in proceedings.opinions(session)}
        assert submitted == set(spec.opinions)
        # Their invitations and reminders, queued ahead of time, never go out now.
        assert invitation_mails(session, "pending") == []
    assert held.status == SessionStatus.HELD and proceedings.opinion_open(held)
    assert {i.expert.name for i in proceedings.missing_opinions(held)} == {
        "刘堃", "付洁", "赖秀英"}
    assert collected.status == SessionStatus.OPINIONS_COLLECTED
    assert proceedings.consolidated_of(collected) is None
    assert issued.status == SessionStatus.ISSUED
    assert proceedings.consolidated_of(issued).text == data.ISSUED.consolidated


def test_cancelled_session_sends_notices_to_its_panel(loaded):
    session = by_title(data.CANCELLED.title)
    assert session.status == SessionStatus.CANCELLED
    assert session.cancel_reason == data.CANCEL_REASON
    assert statuses(session) == {S.WITHDRAWN: 4}
    assert len(draws_for("session", session.id)) == 1
    notices = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "session_cancellation")).all()
    assert len(notices) == 3 and all(n.status == "pending" for n in notices)


def test_loading_sends_nothing_and_links_point_at_the_site(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)  # as in production
    result = load(runner, base_url="https://zhiku.example.cn")
    assert result.exit_code == 0, result.output
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert rows and {row.status for row in rows} == {"pending", "cancelled"}
    invitation = next(row for row in rows if row.kind == "session_invitation"
                      and row.status == "pending")
    assert "https://zhiku.example.cn/consultations/rsvp/" in invitation.text_body


def test_demo_expert_sees_their_invitations(loaded, client):
    expert = next(u for u in data.DEMO_USERS if u.expert)
    client.post("/auth/login", data={"email": expert.email, "password": data.DEFAULT_PASSWORD})
    page = client.get("/consultations/invitations/").get_data(as_text=True)
    assert data.SCHEDULED.title in page and data.HELD.session.title in page


def test_a_failed_load_leaves_no_sessions_or_draws(runner):
    result = load(runner, "short")
    assert result.exit_code != 0
    assert sessions() == [] and db.session.scalars(select(Draw)).all() == []
