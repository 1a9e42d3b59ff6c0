"""The audit log as an auditor reads it (admin.audit): labelled acts, objects
by name with a link, details as labelled text, Beijing time, filters that are
checked, and the filtered list as .xlsx (admin.audit_export)."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import Auth
from tests.consultations.factories import START, make_session
from tests.consultations.proceedings_factories import invite
from tests.reviews.outcome_factories import add_sheet
from tests.reviews.panel_factories import applications_of
from tests.reviews.round_factories import make_round
from thinktank.admin import audit_log
from thinktank.audit.models import AuditEntry
from thinktank.audit.services import record
from thinktank.consultations.models import ExpertOpinion, SessionSeries
from thinktank.draws.rules import DrawRequest
from thinktank.draws.services import perform_draw
from thinktank.experts.services import add_field
from thinktank.extensions import db
from thinktank.notices.models import Notice
from thinktank.notifications.services import enqueue
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import GroupOpinion
from thinktank.reviews.panels import create_panels
from thinktank.timeutil import utcnow


def act_on_every_kind(admin, make_user, make_expert, number: int) -> dict:
    """One object of every kind the log names, each with an act recorded by
    ``admin``; the objects by kind."""
    expert = make_expert(name=f"审计专家{number}")
    session = make_session(title=f"审计会商{number}")
    review_round = make_round(applications=1, group=f"第{number}组", name=f"审计批次{number}")
    application = applications_of(review_round)[0]
    objects = {
        "Expert": expert,
        "ExpertiseField": add_field(f"审计领域{number}"),
        "ConsultationSession": session,
        "SessionSeries": SessionSeries(frequency="weekly", title=f"审计定期会商{number}",
                                       kind="regular", topic="planning",
                                       first_starts_at=START, duration_minutes=60),
        "Invitation": invite(session, expert),
        "ExpertOpinion": ExpertOpinion(session=session, expert_id=expert.id, text="意见"),
        "Draw": perform_draw(DrawRequest(event_date=date(2026, 12, 10), panel_size=1),
                             "session", session.id),
        "ReviewRound": review_round,
        "ReviewGroup": review_round.groups[0],
        "Application": application,
        "ReviewPanel": create_panels(review_round, per_group=False)[0],
        "ScoreSheet": add_sheet(review_round, application, expert, "80"),
        "GroupOpinion": GroupOpinion(application_id=application.id, text="同意立项"),
        "IssuedDocument": IssuedDocument(
            kind="pool_statistics", title=f"审计文书{number}", prefix="赣生智咨", year=2026,
            sequence=number, number=f"赣生智咨〔2026〕{number}号",
            verification_code=f"AUDIT{number:05d}", html=""),
        "Notice": Notice(title=f"审计通知{number}", body="正文", kind="policy_update",
                         audience={}),
        "OutboxMessage": enqueue(kind="notice", dedupe_key=f"audit-test:{number}",
                                 recipient_email=expert.email, recipient_name=expert.name,
                                 subject=f"审计邮件{number}", text_body="正文",
                                 due_at=utcnow()),
        "User": make_user("official", name=f"审计用户{number}"),
    }
    db.session.add_all(objects.values())
    db.session.flush()
    for kind, target in objects.items():
        record("session.updated" if kind == "ConsultationSession" else "expert.updated",
               target, {"changes": {"title": ["旧标题", f"新标题{number}"]}}, user=admin)
    db.session.commit()
    return objects


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="审计管理员")


@pytest.fixture
def reader(client, admin):
    Auth(client).login(admin)
    return client


def test_each_entry_reads_as_labelled_text_in_beijing_time(reader, admin, make_user,
                                                           make_expert):
    objects = act_on_every_kind(admin, make_user, make_expert, 1)
    session = objects["ConsultationSession"]
    record("session.updated", session, {
        "changes": {"starts_at": ["2026-12-10T01:00:00+00:00", "2026-12-11T06:30:00+00:00"],
                    "auto_promote_backups": [True, False]},
        "mystery_key": "照录",
    }, user=admin)
    db.session.commit()

    response = reader.get("/admin/audit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    table = page.split('id="audit-entries"')[1]  # below the filters, whose values are codes
    # The act by its label, never its code; the object by its name, linked.
    assert "修改会商" in table and "session.updated" not in table
    assert f'<a href="/consultations/{session.id}">审计会商1</a>' in table
    for kind, target in objects.items():
        assert kind not in table
        assert f"第 {target.id} 号（已删除）" not in table
    expert = f"审计专家1（{objects['Expert'].code}）"
    application = f"{objects['Application'].number} {objects['Application'].title}"
    for name in (expert, "审计领域1", "审计定期会商1", f"{expert}（参加“审计会商1”）",
                 f"{expert}对“审计会商1”的意见", f"随机抽取记录（第 {objects['Draw'].id} 号）",
                 "审计批次1 · 第1组", "审计批次1评审专家组", f"{expert}对“{application}”的评分表",
                 f"“{application}”的专家组意见", "赣生智咨〔2026〕1号 审计文书1", "审计通知1",
                 "发给审计专家1的邮件“审计邮件1”", "审计用户1"):
        assert name in table, name
    # Details as labelled text: times in Beijing time, changes as before → after.
    text = re.sub(r"<[^>]+>", "", table)
    assert "开始时间：2026-12-10 09:00 → 2026-12-11 14:30" in text
    assert "自动递补候补专家：是 → 否" in text
    assert "mystery_key：照录" in text
    assert "\\u" not in page and "{&#34;" not in page and '{"' not in page
    # Times in Beijing time (the suite's clock: 10:00 on 29 Nov 2026 there).
    assert "时间（北京时间）" in page
    assert re.search(r">2026-11-29 10:0\d:\d\d<", page)
    assert "审计管理员" in page


def test_who_acted_is_a_person_or_the_system(reader, admin, make_expert):
    expert = make_expert(name="回复专家")
    for actor in ("renderer", "cli", "rsvp-link:E0042", "typed@example.cn"):
        record("logout", expert, actor=actor)
    db.session.commit()
    page = reader.get("/admin/audit?action=logout").get_data(as_text=True)
    assert "系统" in page and "系统（命令行）" in page
    assert "专家 E0042（通过邀请回复链接）" in page and "typed@example.cn" in page
    assert "renderer" not in page and "rsvp-link" not in page


def test_an_object_since_deleted_is_named_so(reader, admin):
    notice = Notice(title="将删除的通知", body="正文", kind="policy_update", audience={})
    db.session.add(notice)
    db.session.flush()
    record("notice.post", notice, {"title": notice.title}, user=admin)
    notice_id = notice.id
    db.session.delete(notice)
    db.session.commit()
    page = reader.get("/admin/audit").get_data(as_text=True)
    assert f"第 {notice_id} 号（已删除）" in page and "发布通知" in page


def test_one_query_per_kind_of_object_however_many_entries(reader, admin, make_user,
                                                           make_expert, count_queries):
    act_on_every_kind(admin, make_user, make_expert, 1)
    with count_queries() as few:
        first = reader.get("/admin/audit")
    act_on_every_kind(admin, make_user, make_expert, 2)
    act_on_every_kind(admin, make_user, make_expert, 3)
    with count_queries() as many:
        second = reader.get("/admin/audit")
    rows = [page.get_data(as_text=True).count("<tr>") for page in (first, second)]
    assert rows[1] >= rows[0] + 20  # the second page shows many more entries
    assert many.count == few.count, many.statements[few.count:]
    # One query per kind named on the page, one for the page and one for its
    # count, one for the users of the filter, and the signed-in user's own.
    assert many.count <= len(audit_log.KINDS) + 6


def _shown_actions(reader, query: str) -> list[str]:
    page = reader.get(f"/admin/audit?{query}").get_data(as_text=True)
    table = page.split('id="audit-entries"')[1]
    return re.findall(r'<td class="action">([^<]+)</td>', table)


def test_filters_by_action_user_kind_and_beijing_days(reader, admin, make_user, make_expert):
    other = make_user("secretariat", name="另一位秘书")
    expert = make_expert(name="筛选专家")
    session = make_session(title="筛选会商")
    early = record("session.cancelled", session, {"reason": "改期"}, user=other)
    early.at = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 28 Nov, 00:30 in Beijing
    late = record("expert.updated", expert, {"changes": {}}, user=admin)
    late.at = datetime(2026, 11, 28, 15, 59, tzinfo=UTC)  # 28 Nov, 23:59 in Beijing
    record("expert.updated", expert, {"changes": {}}, user=admin)  # now, 29 Nov
    db.session.commit()

    page = reader.get("/admin/audit").get_data(as_text=True)
    assert '<option value="session.cancelled">取消会商</option>' in page
    assert '<option value="ConsultationSession">会商</option>' in page
    assert f'<option value="{other.id}">另一位秘书（{other.email}）</option>' in page

    assert _shown_actions(reader, "action=session.cancelled") == ["取消会商"]
    assert _shown_actions(reader, f"user={other.id}") == ["取消会商"]
    assert _shown_actions(reader, "kind=ConsultationSession") == ["取消会商", "创建会商"]
    assert _shown_actions(reader, "kind=Expert&action=expert.updated") == ["修改专家信息"] * 2
    assert _shown_actions(reader, "date_from=2026-11-28&date_to=2026-11-28") == [
        "修改专家信息", "取消会商"]
    assert _shown_actions(reader, "date_to=2026-11-27") == []
    assert "修改专家信息" in _shown_actions(reader, "date_from=2026-11-29")
    assert "取消会商" not in _shown_actions(reader, "date_from=2026-11-29")


@pytest.mark.parametrize(("query", "message"), [
    ("date_from=2026-13-01", "起始日期：不是有效的日期值。"),
    ("date_to=昨天", "截止日期：不是有效的日期值。"),
    ("date_from=2026-11-29&date_to=2026-11-28", "截止日期：截止日期早于起始日期。"),
    ("action=session.", "操作：不是有效的选择。"),
    ("user=2147483648", "操作人："),
    ("kind=AuditEntry", "对象类型：不是有效的选择。"),
])
def test_bad_filters_are_a_400_with_a_message(reader, query, message):
    for url in ("/admin/audit", "/admin/audit.xlsx"):
        response = reader.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True), url
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "audit.exported")) is None


def test_the_filtered_list_exports_to_excel_as_shown(reader, admin, make_user, make_expert):
    objects = act_on_every_kind(admin, make_user, make_expert, 1)
    session = objects["ConsultationSession"]
    response = reader.get("/admin/audit.xlsx?action=session.updated")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-20261129.xlsx" in \
        response.headers["Content-Disposition"]  # 审计日志-20261129.xlsx
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间（北京时间）", "操作人", "操作", "对象类型", "对象", "详情", "来源地址")
    assert len(rows) == 2
    at, who, action, kind, name, details, _ip = rows[1]
    assert (who, action, kind, name) == ("审计管理员", "修改会商", "会商", session.title)
    assert details == "标题：旧标题 → 新标题1"
    assert at.date() == date(2026, 11, 29) and at.hour == 10  # Beijing time
    # Taking the log out of the app is itself recorded.
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "audit.exported")).one()
    assert entry.user_id == admin.id
    assert entry.payload == {"count": 1, "filters": {"action": "session.updated"}}


def test_an_export_too_large_for_one_file_asks_for_narrower_filters(
        reader, admin, make_expert, monkeypatch):
    monkeypatch.setattr(audit_log, "MAX_EXPORT_ROWS", 2)
    for number in range(3):
        make_expert(name=f"导出专家{number}")
    response = reader.get("/admin/audit.xlsx")
    assert response.status_code == 400
    assert "筛选结果超过 2 条" in response.get_data(as_text=True)
    assert reader.get("/admin/audit.xlsx?date_from=2026-11-30").status_code == 200
