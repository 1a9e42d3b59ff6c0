"""After the meeting, through the services: attendance, minutes revisions and
the stale-edit check, opinions and their deadline, collection, issue and freeze."""

import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.consultations.factories import make_session
from tests.consultations.proceedings_factories import (
    close_opinions,
    held_session,
    invite,
    past_session,
)
from thinktank.audit.models import AuditEntry
from thinktank.consultations import access, proceedings
from thinktank.consultations.models import (
    ConsolidatedOpinion,
    ExpertOpinion,
    Invitation,
    MinutesRevision,
)
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.timeutil import utcnow


def actions(session) -> list[str]:
    """The audit actions on ``session`` and on its opinions, oldest first."""
    on_session = (AuditEntry.target_type == "ConsultationSession") & (
        AuditEntry.target_id == session.id)
    on_opinions = (AuditEntry.target_type == "ExpertOpinion") & AuditEntry.target_id.in_(
        select(ExpertOpinion.id).where(ExpertOpinion.session_id == session.id))
    return list(db.session.scalars(
        select(AuditEntry.action).where(on_session | on_opinions).order_by(AuditEntry.id)))


def test_attendance_marks_the_session_held_and_is_audited(make_expert, make_user):
    secretary = make_user("secretariat")
    session = past_session()
    came, stayed_away, excused = make_expert(), make_expert(), make_expert()
    invitations = [invite(session, came), invite(session, stayed_away, status="invited"),
                   invite(session, excused)]
    changes = proceedings.record_attendance(
        session, dict(zip([i.id for i in invitations], ["present", "absent", "excused"],
                          strict=True)), user=secretary)
    db.session.commit()
    assert session.status == "held"
    assert [i.attendance for i in invitations] == ["present", "absent", "excused"]
    assert changes[invitations[0].id] == [None, "present"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "session.attendance_recorded"))
    assert entry.user_id == secretary.id and entry.target_id == session.id
    assert entry.payload["status"] == "held"
    assert entry.payload["changes"][str(invitations[1].id)] == [None, "absent"]


@pytest.mark.parametrize("status", ["declined", "withdrawn", "reserve", "pending"])
def test_attendance_only_for_invited_or_accepted_experts(make_expert, status):
    session = past_session()
    accepted = invite(session, make_expert())
    other = invite(session, make_expert(), status=status)
    with pytest.raises(DomainError, match="未谢绝"):
        proceedings.record_attendance(session, {accepted.id: "present", other.id: "present"})
    db.session.rollback()
    assert db.session.get(Invitation, accepted.id).attendance is None
    assert session.status == "scheduled"


def test_attendance_refuses_other_sessions_values_and_times(make_expert):
    session = past_session()
    elsewhere = invite(past_session(), make_expert())
    own = invite(session, make_expert())
    with pytest.raises(DomainError):
        proceedings.record_attendance(session, {elsewhere.id: "present"})
    with pytest.raises(DomainError, match="出席、缺席或请假"):
        proceedings.record_attendance(session, {own.id: "late"})
    with pytest.raises(DomainError, match="至少"):
        proceedings.record_attendance(session, {})
    future = make_session(status="scheduled")
    with pytest.raises(DomainError, match="会商开始后"):
        proceedings.record_attendance(future, {invite(future, make_expert()).id: "present"})
    with pytest.raises(DomainError, match="已安排或已召开"):
        proceedings.record_attendance(make_session(status="draft"), {own.id: "present"})
    db.session.rollback()
    assert db.session.get(Invitation, own.id).attendance is None


def test_minutes_keep_every_revision_and_the_latest_is_current(make_user, make_expert):
    first, second = make_user("secretariat", name="王秘书"), make_user("secretariat")
    session = held_session(present=[make_expert()])
    one = proceedings.save_minutes(session, "  一、会议议程  ", 0, first)
    db.session.commit()
    two = proceedings.save_minutes(session, "一、会议议程\n二、讨论意见", 1, second)
    db.session.commit()
    assert (one.number, one.text, one.author_id) == (1, "一、会议议程", first.id)
    assert (two.number, two.author_id) == (2, second.id)
    minutes = proceedings.minutes_of(session)
    assert proceedings.current_revision(minutes).text == "一、会议议程\n二、讨论意见"
    assert [r.number for r in minutes.revisions] == [2, 1]
    assert minutes.revision == 2
    assert proceedings.save_minutes(session, "一、会议议程\n二、讨论意见", 2, first) is None
    db.session.commit()
    assert actions(session).count("session.minutes_saved") == 2


def test_a_save_based_on_an_old_revision_is_refused_and_names_the_other_editor(
        make_user, make_expert):
    wang, li = make_user("secretariat", name="王秘书"), make_user("secretariat", name="李秘书")
    session = held_session(present=[make_expert()])
    proceedings.save_minutes(session, "初稿", 0, wang)
    db.session.commit()
    proceedings.save_minutes(session, "王秘书的修改", 1, wang)
    db.session.commit()
    with pytest.raises(proceedings.StaleMinutesError) as caught:
        proceedings.save_minutes(session, "李秘书的修改", 1, li)
    db.session.rollback()
    message = caught.value.message
    assert "王秘书" in message and "第 2 版" in message
    saved_at = caught.value.latest.created_at.astimezone(
        ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert saved_at in message
    texts = db.session.scalars(select(MinutesRevision.text).order_by(MinutesRevision.number))
    assert list(texts) == ["初稿", "王秘书的修改"]
    assert proceedings.minutes_of(session).revision == 2


@pytest.mark.slow
def test_two_simultaneous_saves_on_the_same_revision_let_exactly_one_through(
        app, make_user, make_expert):
    editors = [make_user("secretariat", name=name) for name in ("王秘书", "李秘书")]
    session = held_session(present=[make_expert()])
    proceedings.save_minutes(session, "初稿", 0, editors[0])
    db.session.commit()
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(editor_id: int, text: str) -> None:
        with app.app_context():
            editor = db.session.get(type(editors[0]), editor_id)
            meeting = db.session.get(type(session), session.id)
            start.wait()
            try:
                proceedings.save_minutes(meeting, text, 1, editor)
                db.session.commit()
                outcomes[text] = "saved"
            except proceedings.StaleMinutesError:
                db.session.rollback()
                outcomes[text] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(editor.id, f"{editor.name}的修改"))
               for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    db.session.expire_all()
    texts = db.session.scalars(select(MinutesRevision.text).order_by(MinutesRevision.number))
    assert list(texts) == ["初稿", winner]


def test_minutes_need_attendance_and_text(make_user, make_expert):
    user = make_user("secretariat")
    with pytest.raises(DomainError, match="出席情况"):
        proceedings.save_minutes(past_session(), "纪要", 0, user)
    with pytest.raises(DomainError, match="不能为空"):
        proceedings.save_minutes(held_session(present=[make_expert()]), "   ", 0, user)


def test_an_opinion_is_accepted_and_editable_until_the_deadline(make_expert):
    expert = make_expert()
    session = held_session(present=[expert])
    opinion = proceedings.submit_opinion(session, expert.id, "建议加强中试平台建设。")
    db.session.commit()
    submitted_at = opinion.submitted_at
    changed = proceedings.submit_opinion(session, expert.id, "建议加强中试平台和人才建设。")
    db.session.commit()
    assert changed.id == opinion.id
    assert changed.text == "建议加强中试平台和人才建设。"
    assert changed.submitted_at == submitted_at and changed.updated_at >= submitted_at
    assert db.session.scalar(select(func.count(ExpertOpinion.id))) == 1
    assert actions(session)[-2:] == ["opinion.submitted", "opinion.updated"]


def test_after_the_deadline_an_opinion_is_refused_and_nothing_changes(make_expert):
    early, late = make_expert(), make_expert()
    session = held_session(present=[early, late])
    proceedings.submit_opinion(session, early.id, "原意见")
    db.session.commit()
    close_opinions(session)
    for expert, text in ((early, "改后的意见"), (late, "迟交的意见")):
        with pytest.raises(DomainError, match="意见提交截止时间.*已过"):
            proceedings.submit_opinion(session, expert.id, text)
        db.session.rollback()
    assert [o.text for o in proceedings.opinions(session)] == ["原意见"]


def test_only_experts_recorded_present_write_opinions(make_expert):
    present, absent, stranger = make_expert(), make_expert(), make_expert()
    session = held_session(present=[present], absent=[absent])
    for expert in (absent, stranger):
        with pytest.raises(Forbidden):
            proceedings.submit_opinion(session, expert.id, "意见")
    with pytest.raises(Forbidden):
        proceedings.submit_opinion(session, None, "意见")
    assert db.session.scalar(select(ExpertOpinion)) is None


def test_a_present_mark_stays_once_the_expert_has_written(make_expert):
    expert = make_expert(name="欧阳明")
    session = held_session(present=[expert])
    proceedings.submit_opinion(session, expert.id, "意见")
    db.session.commit()
    invitation = session.invitations[0]
    with pytest.raises(DomainError, match="欧阳明"):
        proceedings.record_attendance(session, {invitation.id: "absent"})
    db.session.rollback()
    assert db.session.get(Invitation, invitation.id).attendance == "present"


def test_collecting_waits_for_everyone_or_the_deadline(make_expert):
    written, silent = make_expert(), make_expert()
    session = held_session(present=[written, silent])
    proceedings.submit_opinion(session, written.id, "意见")
    db.session.commit()
    with pytest.raises(DomainError, match="1 位"):
        proceedings.collect_opinions(session)
    assert session.status == "held"
    close_opinions(session)
    proceedings.collect_opinions(session)
    db.session.commit()
    assert session.status == "opinions_collected"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "session.opinions_collected"))
    assert entry.payload == {"opinions": 1, "missing": [silent.id]}


def test_after_collection_opinions_cannot_change_even_before_the_deadline(make_expert):
    expert = make_expert()
    session = held_session(present=[expert])
    proceedings.submit_opinion(session, expert.id, "意见")
    db.session.commit()
    proceedings.collect_opinions(session)
    db.session.commit()
    assert session.opinion_deadline > utcnow()
    with pytest.raises(DomainError, match="已汇总"):
        proceedings.submit_opinion(session, expert.id, "改后的意见")
    db.session.rollback()
    assert proceedings.opinion_of(session, expert.id).text == "意见"


def test_issue_needs_collected_opinions_and_text(make_user, make_expert):
    user = make_user("secretariat")
    session = held_session(present=[make_expert()])
    with pytest.raises(DomainError, match="先汇总"):
        proceedings.issue_consolidated_opinion(session, "综合意见", user)
    close_opinions(session)
    proceedings.collect_opinions(session)
    with pytest.raises(DomainError, match="不能为空"):
        proceedings.issue_consolidated_opinion(session, "  ", user)
    assert db.session.scalar(select(ConsolidatedOpinion)) is None


def test_issuing_freezes_everything(make_user, make_expert):
    user = make_user("secretariat")
    expert = make_expert()
    session = held_session(present=[expert])
    proceedings.save_minutes(session, "纪要", 0, user)
    proceedings.submit_opinion(session, expert.id, "意见")
    proceedings.collect_opinions(session, user=user)
    consolidated = proceedings.issue_consolidated_opinion(session, "  综合意见  ", user)
    db.session.commit()
    assert session.status == "issued"
    assert (consolidated.text, consolidated.issued_by_id) == ("综合意见", user.id)
    assert consolidated.issued_at <= utcnow()
    invitation = session.invitations[0]
    attempts = [
        lambda: proceedings.record_attendance(session, {invitation.id: "excused"}, user=user),
        lambda: proceedings.save_minutes(session, "改后的纪要", 1, user),
        lambda: proceedings.submit_opinion(session, expert.id, "改后的意见"),
        lambda: proceedings.collect_opinions(session, user=user),
        lambda: proceedings.issue_consolidated_opinion(session, "新的综合意见", user),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="已印发"):
            attempt()
        db.session.rollback()
    assert db.session.get(Invitation, invitation.id).attendance == "present"
    assert proceedings.current_revision(proceedings.minutes_of(session)).text == "纪要"
    assert proceedings.opinion_of(session, expert.id).text == "意见"
    assert [c.text for c in db.session.scalars(select(ConsolidatedOpinion))] == ["综合意见"]
    assert actions(session) == [
        "session.created", "session.attendance_recorded", "session.minutes_saved",
        "opinion.submitted", "session.opinions_collected", "session.issued",
    ]


def test_officials_read_only_sessions_that_took_place(make_user):
    official, admin = make_user("official"), make_user("admin")
    expert_user = make_user("expert")
    for status, readable in (("draft", False), ("scheduled", False), ("cancelled", False),
                             ("held", True), ("opinions_collected", True), ("issued", True)):
        session = make_session(status=status)
        assert access.can_view_proceedings(official, session) is readable, status
        assert access.can_view_proceedings(admin, session)
        assert not access.can_view_proceedings(expert_user, session)


def test_without_a_deadline_opinions_stay_open_until_everyone_has_written(make_expert):
    first, second = make_expert(), make_expert()
    session = held_session(present=[first, second], opinion_deadline=None)
    proceedings.submit_opinion(session, first.id, "意见")
    db.session.commit()
    with pytest.raises(DomainError, match="1 位"):
        proceedings.collect_opinions(session)
    proceedings.submit_opinion(session, second.id, "另一份意见")
    proceedings.collect_opinions(session)
    assert session.status == "opinions_collected"
