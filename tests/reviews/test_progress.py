"""Scoring progress, the scoring reminders through the outbox, and the
finalization of a round (refused while sheets are missing; locks the scores)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.reviews.outcome_factories import add_sheet, scored_round
from tests.reviews.panel_factories import applications_of, panel_with
from tests.reviews.round_factories import make_round
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.permissions import Role
from thinktank.reviews import progress, scoring
from thinktank.reviews.models import RoundStatus, SheetStatus
from thinktank.reviews.rounds import change_status
from thinktank.timeutil import utcnow


def _reminders(status: OutboxStatus | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == progress.REMINDER_KIND)
    if status is not None:
        query = query.where(OutboxMessage.status == status.value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _draft_round_with_panel(make_expert, deadline: timedelta, applications: int = 2):
    review_round = make_round(RoundStatus.DRAFT, applications=applications,
                              scoring_deadline=utcnow() + deadline)
    experts = [make_expert() for _ in range(5)]
    panel_with(review_round, experts)
    return review_round, applications_of(review_round), experts


def test_progress_lists_what_is_missing_per_application_and_expert(make_expert):
    review_round, _panel, (first, second), experts = scored_round(make_expert)
    for expert in experts:
        add_sheet(review_round, first, expert, "80")
    add_sheet(review_round, second, experts[0], "80")
    add_sheet(review_round, second, experts[1], status=SheetStatus.CONFLICT)
    add_sheet(review_round, second, experts[2], "70", status=SheetStatus.DRAFT)
    db.session.commit()

    result = progress.round_progress(review_round)

    rows = {row.application.id: row for row in result.applications}
    assert rows[first.id].missing == []
    assert {cell.member.expert_id for cell in rows[second.id].missing} == {
        experts[2].id, experts[3].id, experts[4].id}
    by_expert = {e.member.expert_id: e for e in result.experts}
    assert (by_expert[experts[0].id].submitted, by_expert[experts[0].id].missing) == (2, [])
    assert (by_expert[experts[1].id].conflicts, by_expert[experts[1].id].missing) == (1, [])
    assert by_expert[experts[2].id].missing == [second]
    assert len(result.missing) == 3


def test_entering_scoring_queues_two_reminders_per_member(make_expert):
    review_round, _apps, experts = _draft_round_with_panel(make_expert, timedelta(days=7))

    change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()

    rows = _reminders(OutboxStatus.PENDING)
    assert len(rows) == 10
    deadline = review_round.scoring_deadline
    assert {(row.expert_id, row.due_at) for row in rows} == {
        (expert.id, deadline - timedelta(hours=hours))
        for expert in experts for hours in (48, 24)}
    assert {row.recipient_email for row in rows} == {expert.email for expert in experts}
    assert review_round.name in rows[0].subject
    # Queuing again (a repeated act) adds nothing.
    assert progress.schedule_reminders(review_round) == 0


def test_reminders_already_past_are_not_queued(make_expert):
    review_round, _apps, _experts = _draft_round_with_panel(make_expert, timedelta(hours=30))

    change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()

    rows = _reminders()
    assert len(rows) == 5
    assert {row.due_at for row in rows} == {review_round.scoring_deadline - timedelta(hours=24)}


def test_no_deadline_no_reminders(make_expert):
    review_round = make_round(RoundStatus.DRAFT, applications=1)

    assert progress.schedule_reminders(review_round) == 0


def test_reminders_cancelled_when_the_expert_is_done_and_when_scoring_ends(make_expert):
    review_round, (first, second), experts = _draft_round_with_panel(make_expert,
                                                                     timedelta(days=7))
    change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()
    done, busy = experts[0], experts[1]
    add_sheet(review_round, first, done, "80")
    add_sheet(review_round, first, busy, "80")
    db.session.commit()

    # One sheet of two: nothing is cancelled yet.
    assert progress.cancel_reminders_if_done(review_round, done.id) == 0
    add_sheet(review_round, second, done, status=SheetStatus.CONFLICT)
    db.session.commit()
    assert progress.cancel_reminders_if_done(review_round, done.id) == 2
    assert progress.cancel_reminders_if_done(review_round, busy.id) == 0
    db.session.commit()
    assert {row.expert_id for row in _reminders(OutboxStatus.CANCELLED)} == {done.id}

    change_status(review_round, RoundStatus.CLOSED, actor="test")
    db.session.commit()
    assert _reminders(OutboxStatus.PENDING) == []

    # Scoring reopened: those with sheets still to do are reminded anew.
    change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()
    pending = _reminders(OutboxStatus.PENDING)
    assert len(pending) == 8 and done.id not in {row.expert_id for row in pending}


def _scoring_round_all_but_one(make_expert):
    review_round, _panel, (first, second), experts = scored_round(make_expert)
    for expert in experts:
        add_sheet(review_round, first, expert, "80")
    for expert in experts[:3]:
        add_sheet(review_round, second, expert, "75")
    add_sheet(review_round, second, experts[3], status=SheetStatus.CONFLICT)
    db.session.commit()
    return review_round, second, experts


def test_finalize_is_refused_while_a_sheet_is_missing(make_expert):
    review_round, second, experts = _scoring_round_all_but_one(make_expert)
    change_status(review_round, RoundStatus.CLOSED, actor="test")
    db.session.commit()

    with pytest.raises(DomainError) as refused:
        change_status(review_round, RoundStatus.FINALIZED, actor="test")

    assert f"{second.number} {experts[4].name}" in refused.value.message
    assert review_round.status == RoundStatus.CLOSED
    # The conflict declared is excused; the submitted ones are not listed.
    assert experts[3].name not in refused.value.message


def test_finalize_and_publish_lock_the_scores_and_are_audited(make_expert, make_user):
    review_round, second, experts = _scoring_round_all_but_one(make_expert)
    add_sheet(review_round, second, experts[4], "70")
    db.session.commit()
    change_status(review_round, RoundStatus.CLOSED, actor="test")

    change_status(review_round, RoundStatus.FINALIZED, reason="现场纸质确认", actor="test")
    db.session.commit()

    # Reopening is the only way back to editing a submitted sheet: it is refused.
    with pytest.raises(DomainError, match="不在评分阶段|not in scoring"):
        scoring.reopen_sheet(second, experts[4].id, "重新评分")
    data = scoring.SheetInput({c.id: "1" for c in review_round.criteria}, "改分", "推荐")
    with pytest.raises(DomainError):
        scoring.save_sheet(second, experts[4].id, data, 0, submit=True)
    db.session.rollback()
    change_status(review_round, RoundStatus.PUBLISHED, actor="test")
    db.session.commit()
    changes = [entry.payload["to"] for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "review_round.status_changed",
                                 AuditEntry.target_id == review_round.id)
        .order_by(AuditEntry.id))]
    assert changes[-2:] == ["finalized", "published"]


def test_finalize_page_shows_the_refusal(make_expert, make_user, auth, client):
    review_round, second, experts = _scoring_round_all_but_one(make_expert)
    review_round.status = RoundStatus.CLOSED.value
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))

    response = client.post(f"/reviews/{review_round.id}/status/finalized",
                           data={"confirmed": "yes", "reason": "现场纸质确认"})

    assert "本批次暂不能定稿" in response.get_data(as_text=True)
    db.session.expire_all()
    assert review_round.status == RoundStatus.CLOSED


@pytest.mark.parametrize("role", [Role.EXPERT, Role.OFFICIAL])
def test_progress_page_is_for_the_secretariat_and_admins(make_expert, make_user, auth, client,
                                                         role):
    review_round, _panel, _apps, experts = scored_round(make_expert)
    auth.login(make_user(role, expert=experts[0] if role == Role.EXPERT else None))

    assert client.get(f"/reviews/{review_round.id}/progress").status_code == 403


def test_progress_page_lists_missing_sheets(make_expert, make_user, auth, client):
    review_round, second, experts = _scoring_round_all_but_one(make_expert)
    auth.login(make_user(Role.ADMIN))

    html = client.get(f"/reviews/{review_round.id}/progress").get_data(as_text=True)

    assert "尚有 1 份评分表" in html
    assert f"{experts[4].name}：未开始" in html


def test_submitting_the_last_sheet_or_stepping_back_ends_the_reminders(make_expert):
    """Through the scoring service itself, not by calling the progress hook."""
    review_round, (first, second), experts = _draft_round_with_panel(make_expert,
                                                                     timedelta(days=7))
    change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()
    expert = experts[0]
    full_marks = {c.id: str(c.max_points) for c in review_round.criteria}
    sheet_input = scoring.SheetInput(points=full_marks, comment="方案可行", recommendation="推荐")
    scoring.save_sheet(first, expert.id, sheet_input, 0, submit=True)
    db.session.commit()
    assert {r.expert_id for r in _reminders(OutboxStatus.CANCELLED)} == set()
    scoring.declare_conflict(second, expert.id, "曾在申报单位任职", 0)
    db.session.commit()
    assert {r.expert_id for r in _reminders(OutboxStatus.CANCELLED)} == {expert.id}


def test_remind_now_twice_queues_one_message_per_expert_not_done(make_expert, make_user, auth,
                                                                  client):
    review_round, _second, experts = _scoring_round_all_but_one(make_expert)
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/reviews/{review_round.id}/progress"
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/remind"' in page

    first = client.post(f"{url}/remind", follow_redirects=True).get_data(as_text=True)
    again = client.post(f"{url}/remind", follow_redirects=True).get_data(as_text=True)

    reminders = [r for r in _reminders() if ":now:" in r.dedupe_key]
    assert sorted(r.expert_id for r in reminders) == [experts[4].id]
    assert reminders[0].due_at <= utcnow() and reminders[0].status == OutboxStatus.PENDING
    assert "已为 1 位" in first and "今天均已催办" in again


def test_remind_now_is_refused_outside_scoring_and_for_others(make_expert, make_user, auth,
                                                               client):
    review_round, _second, experts = _scoring_round_all_but_one(make_expert)
    auth.login(make_user(Role.EXPERT, expert=experts[0]))
    assert client.post(f"/reviews/{review_round.id}/progress/remind").status_code == 403
    change_status(review_round, RoundStatus.CLOSED, actor="test")
    db.session.commit()

    with pytest.raises(DomainError):
        progress.remind_now(review_round)
    assert _reminders() == []


def test_progress_page_links_each_sheet_to_proxy_entry(make_expert, make_user, auth, client):
    review_round, second, experts = _scoring_round_all_but_one(make_expert)
    auth.login(make_user(Role.SECRETARIAT))

    html = client.get(f"/reviews/{review_round.id}/progress").get_data(as_text=True)

    proxy = f"/reviews/applications/{second.id}/experts/{experts[4].id}/sheet"
    assert html.count(f'href="{proxy}"') == 2  # by expert and by application
