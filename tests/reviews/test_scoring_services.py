"""Score sheets through their service: points rules with messages naming the
criterion, drafts and submission, the deadline and reopening, proxy entry,
conflicts, and one sheet per expert however many submits."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.audit.models import AuditEntry
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.reviews import scoring
from thinktank.reviews.models import RoundStatus, ScoreSheet, SheetScore, SheetStatus
from thinktank.timeutil import utcnow

GOOD = ["25", "20.5", "15", "12", "8"]  # of 30, 25, 20, 15, 10: total 80.5


@pytest.fixture
def scene(make_expert, make_user):
    review_round = scoring_round(applications=2)
    experts = [make_expert() for _ in range(5)]
    panel = panel_with(review_round, experts)
    users = [make_user("expert", expert=e) for e in experts]
    return {"round": review_round, "panel": panel, "experts": experts, "users": users,
            "applications": applications_of(review_round)}


def entry(review_round, values=GOOD, comment="技术路线清晰，产业化前景较好。",
          recommendation="推荐") -> scoring.SheetInput:
    points = {c.id: v for c, v in zip(review_round.criteria, values, strict=False)}
    return scoring.SheetInput(points, comment, recommendation)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.parametrize(("values", "message"), [
    (["31", "20", "15", "12", "8"], "“技术先进性”的得分不能超过 30 分"),
    (["25", "20.55", "15", "12", "8"], "“产业化前景”的得分最多保留一位小数"),
    (["25", "20", "-1", "12", "8"], "“团队与基础”的得分不能为负数"),
    (["25", "20", "15", "十二", "8"], "“经济社会效益”的得分须为 0 至 15"),
    (["25", "20", "15", "12", ""], "请填写“实施方案可行性”的得分"),
])
def test_refused_points_name_the_criterion_and_nothing_is_saved(scene, values, message):
    application, expert = scene["applications"][0], scene["experts"][0]
    with pytest.raises(scoring.SheetRefused, match=message):
        scoring.save_sheet(application, expert.id, entry(scene["round"], values), 0,
                           submit=True)
    db.session.rollback()
    assert _count(ScoreSheet) == 0 and _count(SheetScore) == 0


def test_a_draft_keeps_empty_points_but_not_wrong_ones(scene):
    application, expert = scene["applications"][0], scene["experts"][0]
    draft = scoring.save_sheet(application, expert.id,
                               entry(scene["round"], ["25", "", "", "", ""], "", ""), 0,
                               submit=False)
    db.session.commit()
    assert draft.status == SheetStatus.DRAFT and draft.version == 1
    assert scoring.points_by_criterion(draft) == {scene["round"].criteria[0].id: Decimal("25")}
    with pytest.raises(scoring.SheetRefused, match="技术先进性"):
        scoring.save_sheet(application, expert.id, entry(scene["round"], ["30.01"]), 1,
                           submit=False)


def test_submit_needs_a_comment_and_a_recommendation(scene):
    application, expert = scene["applications"][0], scene["experts"][0]
    with pytest.raises(scoring.SheetRefused) as refused:
        scoring.save_sheet(application, expert.id, entry(scene["round"], comment="  ",
                                                         recommendation=""), 0, submit=True)
    assert set(refused.value.problems) == {"comment", "recommendation"}
    assert "评审意见" in refused.value.problems["comment"]
    db.session.rollback()
    assert _count(ScoreSheet) == 0


def test_submit_locks_the_sheet_and_is_audited(scene):
    application, expert, user = (scene["applications"][0], scene["experts"][0],
                                 scene["users"][0])
    sheet = scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=False,
                               user=user)
    sheet = scoring.save_sheet(application, expert.id, entry(scene["round"]), sheet.version,
                               submit=True, user=user)
    db.session.commit()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at is not None
    assert scoring.total(scoring.points_by_criterion(sheet).values()) == Decimal("80.5")
    with pytest.raises(DomainError, match="已提交并锁定"):
        scoring.save_sheet(application, expert.id, entry(scene["round"], comment="改"),
                           sheet.version, submit=False, user=user)
    with pytest.raises(DomainError, match="已提交并锁定"):
        scoring.declare_conflict(application, expert.id, "想起来了", sheet.version, user=user)
    db.session.rollback()
    assert _actions()[-2:] == ["score_sheet.saved", "score_sheet.submitted"]
    assert db.session.get(ScoreSheet, sheet.id).comment == "技术路线清晰，产业化前景较好。"


def test_an_old_version_is_refused_as_another_tab(scene):
    application, expert = scene["applications"][0], scene["experts"][0]
    scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=False)
    db.session.commit()
    with pytest.raises(DomainError, match="其他窗口"):
        scoring.save_sheet(application, expert.id, entry(scene["round"], comment="另一页"), 0,
                           submit=False)
    db.session.rollback()
    assert db.session.scalars(select(ScoreSheet.comment)).one() == "技术路线清晰，产业化前景较好。"


def test_a_double_submit_leaves_one_sheet(scene):
    application, expert = scene["applications"][0], scene["experts"][0]
    scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=True)
    db.session.commit()
    with pytest.raises(DomainError):
        scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=True)
    db.session.rollback()
    assert _count(ScoreSheet) == 1 and _count(SheetScore) == 5


@pytest.mark.slow
def test_two_concurrent_submits_produce_one_sheet(app, scene):
    application_id, expert_id = scene["applications"][0].id, scene["experts"][0].id
    criteria = [c.id for c in scene["round"].criteria]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(comment: str) -> None:
        with app.app_context():
            from thinktank.reviews.models import Application

            application = db.session.get(Application, application_id)
            data = scoring.SheetInput(dict(zip(criteria, GOOD, strict=True)), comment, "推荐")
            start.wait()
            try:
                scoring.save_sheet(application, expert_id, data, 0, submit=True)
                db.session.commit()
                outcomes.append("submitted")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(f"第{n}页的意见",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "submitted"]
    db.session.expire_all()
    assert _count(ScoreSheet) == 1 and _count(SheetScore) == 5
    assert db.session.scalars(select(ScoreSheet.version)).one() == 1


def test_only_panel_members_score_and_only_while_the_round_is_in_scoring(
        scene, make_expert):
    application = scene["applications"][0]
    with pytest.raises(Forbidden):
        scoring.save_sheet(application, make_expert().id, entry(scene["round"]), 0,
                           submit=False)
    scene["round"].status = RoundStatus.CLOSED.value
    db.session.commit()
    with pytest.raises(DomainError, match="不在评分阶段"):
        scoring.save_sheet(application, scene["experts"][0].id, entry(scene["round"]), 0,
                           submit=False)


def test_after_the_deadline_only_a_reopened_sheet_is_accepted(scene, make_user):
    application, expert, user = (scene["applications"][0], scene["experts"][0],
                                 scene["users"][0])
    scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=False)
    scene["round"].scoring_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(DomainError, match="评分截止时间.*已过"):
        scoring.save_sheet(application, expert.id, entry(scene["round"]), 1, submit=True,
                           user=user)
    db.session.rollback()
    secretary = make_user("secretariat")
    with pytest.raises(DomainError, match="原因"):
        scoring.reopen_sheet(application, expert.id, "  ", user=secretary)
    sheet = scoring.reopen_sheet(application, expert.id, "专家网络故障，经批准补交", user=secretary)
    db.session.commit()
    assert sheet.status == SheetStatus.REOPENED and sheet.reopened_reason
    sheet = scoring.save_sheet(application, expert.id, entry(scene["round"]), sheet.version,
                               submit=True, user=user)
    db.session.commit()
    assert sheet.status == SheetStatus.SUBMITTED
    reopened = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "score_sheet.reopened")).one()
    assert reopened.payload["reason"] == "专家网络故障，经批准补交"
    assert reopened.user_id == secretary.id
    with pytest.raises(DomainError, match="已提交并锁定"):
        scoring.save_sheet(application, expert.id, entry(scene["round"]), sheet.version,
                           submit=False, user=user)


def test_a_submitted_sheet_can_be_reopened_before_the_deadline_but_a_draft_is_open(
        scene, make_user):
    application, expert = scene["applications"][0], scene["experts"][0]
    secretary = make_user("secretariat")
    with pytest.raises(DomainError, match="可填写"):
        scoring.reopen_sheet(application, expert.id, "核对", user=secretary)
    db.session.rollback()
    scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=True)
    sheet = scoring.reopen_sheet(application, expert.id, "分数录入有误", user=secretary)
    scoring.save_sheet(application, expert.id, entry(scene["round"], ["30"] + GOOD[1:]),
                       sheet.version, submit=True)
    db.session.commit()
    assert scoring.total(scoring.points_by_criterion(sheet).values()) == Decimal("85.5")


def test_a_proxy_entry_is_recorded_as_such(scene, make_user):
    application, expert = scene["applications"][1], scene["experts"][2]
    secretary = make_user("secretariat", name="王秘书")
    sheet = scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=True,
                               user=secretary, proxy=True)
    db.session.commit()
    assert sheet.entered_by_proxy_user_id == secretary.id
    assert sheet.expert_id == expert.id and sheet.status == SheetStatus.SUBMITTED
    logged = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "score_sheet.proxy_submitted")).one()
    assert logged.user_id == secretary.id and logged.payload["proxy"] is True
    assert logged.payload["expert"] == expert.id


def test_a_conflict_marks_the_sheet_and_tells_the_secretariat(app, scene):
    application, expert, user = (scene["applications"][0], scene["experts"][1],
                                 scene["users"][1])
    scoring.save_sheet(application, expert.id, entry(scene["round"]), 0, submit=False)
    with pytest.raises(DomainError, match="原因"):
        scoring.declare_conflict(application, expert.id, "", 1, user=user)
    sheet = scoring.declare_conflict(application, expert.id, "本人曾为该单位顾问", 1, user=user)
    db.session.commit()
    assert sheet.status == SheetStatus.CONFLICT and sheet.conflict_reason == "本人曾为该单位顾问"
    assert sheet.scores == []
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient_email == app.config["SECRETARIAT_EMAIL"]
    assert mail.kind == scoring.CONFLICT_MAIL_KIND and mail.status == "pending"
    assert application.number in mail.subject and expert.name in mail.text_body
    assert f"/reviews/panels/{scene['panel'].id}" in mail.text_body
    assert "score_sheet.conflict_declared" in _actions()
    with pytest.raises(DomainError, match="利益冲突"):
        scoring.save_sheet(application, expert.id, entry(scene["round"]), sheet.version,
                           submit=True, user=user)
