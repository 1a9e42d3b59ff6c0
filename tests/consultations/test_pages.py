"""Session pages: forms in the display zone, list, calendar and who sees what."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.consultations.factories import START, make_session
from thinktank.audit.models import AuditEntry
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.extensions import db

FORM = {
    "title": "生物材料专题咨询",
    "kind": "topical",
    "topic": "biosafety",
    "starts_at": "2026-12-10T09:00",
    "ends_at": "2026-12-10T11:30",
    "place": "省科技厅 301 会议室",
    "online_link": "",
    "agenda": "一、听取汇报\n二、专家讨论",
    "rsvp_deadline": "2026-12-07T18:00",
    "opinion_deadline": "2026-12-17T18:00",
    "auto_promote_backups": "y",
}


@pytest.fixture
def secretariat(client, auth, make_user):
    auth.login(make_user("secretariat"))
    return client


def login_as(app, make_user, role):
    from tests.helpers import Auth

    client = app.test_client()
    Auth(client).login(make_user(role))
    return client


def test_the_form_takes_shanghai_time_and_stores_utc(secretariat):
    response = secretariat.post("/consultations/new", data=FORM)
    assert response.status_code == 302
    session = db.session.scalar(select(ConsultationSession))
    assert session.starts_at == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 10, 3, 30, tzinfo=UTC)
    assert session.rsvp_deadline == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert session.status == "draft" and session.auto_promote_backups is True
    assert response.headers["Location"].endswith(f"/consultations/{session.id}")
    page = secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)
    assert "2026-12-10 09:00 – 2026-12-10 11:30" in page
    assert "专题咨询" in page and "生物安全" in page and "草稿" in page


def test_the_edit_form_shows_local_times_and_saves_them(secretariat):
    session = make_session()
    page = secretariat.get(f"/consultations/{session.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-10T09:00"' in page
    response = secretariat.post(f"/consultations/{session.id}/edit",
                                data={**FORM, "starts_at": "2026-12-10T10:00"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.starts_at == datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    assert session.sequence == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2026-12-10T08:00"}, "结束时间必须晚于开始时间"),
        ({"place": "", "online_link": ""}, "请填写会议地点或线上会议链接"),
        ({"online_link": "meeting.example.cn"}, "http://"),
        ({"rsvp_deadline": "2026-12-10T10:00"}, "回复截止时间须早于会商开始时间"),
        ({"opinion_deadline": "2026-12-10T10:00"}, "意见提交截止时间须晚于会商结束时间"),
        ({"starts_at": "明天上午"}, ""),
        ({"kind": "meeting"}, ""),
    ],
)
def test_bad_forms_are_shown_again_with_the_reason(secretariat, changes, message):
    response = secretariat.post("/consultations/new", data={**FORM, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'class="invalid-feedback' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultationSession)) == 0


def test_every_error_of_the_session_form_is_shown_at_once_on_its_field(secretariat):
    response = secretariat.post("/consultations/new", data={
        **FORM, "title": "", "ends_at": "2026-12-10T08:00", "rsvp_deadline": "2026-12-10T10:00",
        "opinion_deadline": "2026-12-10T07:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field, message in (("ends_at", "结束时间必须晚于开始时间"),
                           ("rsvp_deadline", "回复截止时间须早于会商开始时间"),
                           ("opinion_deadline", "意见提交截止时间须晚于会商结束时间")):
        # each message right after its own field
        after = page[page.index(f'id="{field}"'):]
        assert after.index(message) < after.index("<input", 1)
    assert page.count('class="invalid-feedback') == 4  # the title too
    assert db.session.scalar(select(func.count()).select_from(ConsultationSession)) == 0


def test_cancel_with_a_reason(secretariat):
    session = make_session()
    response = secretariat.post(f"/consultations/{session.id}/cancel",
                                data={"confirmed": "yes", "reason": ""})
    assert response.status_code == 400
    db.session.refresh(session)
    assert session.status == "draft"
    secretariat.post(f"/consultations/{session.id}/cancel",
                     data={"confirmed": "yes", "reason": "议题已合并"})
    db.session.refresh(session)
    assert session.status == "cancelled" and session.cancel_reason == "议题已合并"
    page = secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)
    assert "议题已合并" in page and "已取消" in page
    assert f"/consultations/{session.id}/edit" not in page
    # A cancelled session cannot be edited through the form either.
    response = secretariat.post(f"/consultations/{session.id}/edit", data=FORM,
                                follow_redirects=True)
    assert "只有草稿或已安排的会商可以修改或取消" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.title == "生物医药产业规划会商"


def test_the_series_form_creates_separate_sessions(secretariat):
    data = {**FORM, "starts_at": "2026-12-01T00:30", "ends_at": "2026-12-01T02:00",
            "rsvp_deadline": "", "opinion_deadline": "",
            "frequency": "quarterly", "interval": "1", "count": "4", "until": ""}
    response = secretariat.post("/consultations/series/new", data=data)
    assert response.status_code == 302
    starts = db.session.scalars(
        select(ConsultationSession.starts_at).order_by(ConsultationSession.starts_at)).all()
    assert starts == [datetime(2026, 11, 30, 16, 30, tzinfo=UTC),
                      datetime(2027, 2, 28, 16, 30, tzinfo=UTC),
                      datetime(2027, 5, 31, 16, 30, tzinfo=UTC),
                      datetime(2027, 8, 31, 16, 30, tzinfo=UTC)]
    response = secretariat.post("/consultations/series/new", data={**data, "count": "30"})
    assert response.status_code == 400
    assert "系列会商应为 2 至 24 场" in response.get_data(as_text=True)


def titles_in(page: str) -> set[str]:
    return set(re.findall(r'href="/consultations/\d+">([^<]+)</a>', page))


def test_officials_see_only_sessions_that_took_place(app, make_user):
    for status in ["draft", "scheduled", "cancelled", "held", "opinions_collected", "issued"]:
        make_session(status=status, title=f"会商-{status}")
    official = login_as(app, make_user, "official")
    page = official.get("/consultations/").get_data(as_text=True)
    assert titles_in(page) == {"会商-held", "会商-opinions_collected", "会商-issued"}
    page = official.get("/consultations/calendar?month=2026-12").get_data(as_text=True)
    assert titles_in(page) == {"会商-held", "会商-opinions_collected", "会商-issued"}
    # Asking for drafts by the filter does not show them either.
    assert titles_in(official.get("/consultations/?status=draft").get_data(as_text=True)) == set()
    for session in db.session.scalars(select(ConsultationSession)):
        expected = 200 if session.status in {"held", "opinions_collected", "issued"} else 403
        assert official.get(f"/consultations/{session.id}").status_code == expected, session.status
    assert "新建会商" not in official.get("/consultations/").get_data(as_text=True)


def test_cancelling_is_confirmed_on_its_own_page(secretariat, make_expert):
    session = make_session(status="scheduled")
    experts = [make_expert() for _ in range(3)]
    for expert, status in zip(experts, ("accepted", "invited", "declined"), strict=True):
        db.session.add(Invitation(session=session, expert_id=expert.id, status=status,
                                  source="manual"))
    db.session.commit()
    url = f"/consultations/{session.id}/cancel"

    detail = secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)
    page = secretariat.get(url).get_data(as_text=True)
    unconfirmed = secretariat.post(url, data={"reason": "议题已合并"})

    assert f'id="cancel-session" href="{url}"' in detail
    for text in ("将锁定的内容", "将通知的人员", "不可撤销的事项", "2 位", 'name="reason"',
                 'name="confirmed"', 'name="csrf_token"', f'action="{url}"',
                 f'id="cancel" href="/consultations/{session.id}"'):
        assert text in page, text
    assert unconfirmed.status_code == 400
    db.session.refresh(session)
    assert session.status == "scheduled"
    assert not db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "session.cancelled"))


def test_admin_reads_everything_but_changes_nothing(app, make_user):
    draft = make_session(title="草稿会商")
    admin = login_as(app, make_user, "admin")
    assert "草稿会商" in admin.get("/consultations/").get_data(as_text=True)
    page = admin.get(f"/consultations/{draft.id}").get_data(as_text=True)
    assert "草稿会商" in page and "取消会商" not in page
    assert admin.get(f"/consultations/{draft.id}/edit").status_code == 403
    assert admin.post(f"/consultations/{draft.id}/cancel", data={"reason": "x"}).status_code == 403


def test_experts_are_refused(app, make_user, make_expert):
    session = make_session(status="held")
    from tests.helpers import Auth

    client = app.test_client()
    Auth(client).login(make_user("expert", expert=make_expert()))
    for url in ["/consultations/", "/consultations/calendar", f"/consultations/{session.id}"]:
        assert client.get(url).status_code == 403, url


def test_list_filters(secretariat):
    make_session(title="甲", kind="decision", topic="ip")
    make_session(title="乙", kind="decision", topic="ethics", status="held")
    make_session(title="丙", kind="regular", topic="ip")
    assert titles_in(secretariat.get("/consultations/?kind=decision").get_data(as_text=True)) \
        == {"甲", "乙"}
    assert titles_in(secretariat.get("/consultations/?topic=ip").get_data(as_text=True)) \
        == {"甲", "丙"}
    assert titles_in(secretariat.get("/consultations/?status=held").get_data(as_text=True)) \
        == {"乙"}
    # An unknown value is ignored rather than failing the page.
    response = secretariat.get("/consultations/?kind=party")
    assert response.status_code == 200 and titles_in(response.get_data(as_text=True)) \
        == {"甲", "乙", "丙"}


def test_the_list_pages(secretariat):
    for number in range(30):
        make_session(title=f"会商{number:02d}", starts_at=START + timedelta(days=number))
    first = titles_in(secretariat.get("/consultations/").get_data(as_text=True))
    second = titles_in(secretariat.get("/consultations/?page=2").get_data(as_text=True))
    assert len(first) == 25 and len(second) == 5 and not first & second
    assert "会商29" in first  # the latest first


def test_the_list_runs_the_same_queries_for_5_and_50_sessions(secretariat, count_queries):
    def queries_for_list() -> int:
        secretariat.get("/consultations/")  # warm up: login, first-request work
        with count_queries() as counter:
            response = secretariat.get("/consultations/")
        assert response.status_code == 200
        return counter.count

    for number in range(5):
        make_session(title=f"会商{number}", starts_at=START + timedelta(days=number))
    few = queries_for_list()
    for number in range(5, 50):
        make_session(title=f"会商{number}", starts_at=START + timedelta(days=number),
                     status="held" if number % 2 else "draft")
    assert queries_for_list() == few


def day_cell(page: str, day: str) -> str:
    found = re.search(rf'<td data-day="{day}"[^>]*>(.*?)</td>', page, re.S)
    assert found, day
    return found.group(1)


def test_the_calendar_places_sessions_on_their_local_day(secretariat):
    # 00:30 on 1 Dec in Shanghai is 16:30 UTC on 30 Nov.
    make_session(title="月初会商", starts_at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    # 23:30 on 31 Dec in Shanghai is 15:30 UTC the same day; 1 Jan 2027 00:10 is still 2026 UTC.
    make_session(title="年末会商", starts_at=datetime(2026, 12, 31, 15, 30, tzinfo=UTC))
    make_session(title="新年会商", starts_at=datetime(2026, 12, 31, 16, 10, tzinfo=UTC))
    december = secretariat.get("/consultations/calendar?month=2026-12").get_data(as_text=True)
    assert "月初会商" in day_cell(december, "2026-12-01")
    assert "00:30" in day_cell(december, "2026-12-01")
    assert "年末会商" in day_cell(december, "2026-12-31")
    assert titles_in(december) == {"月初会商", "年末会商"}
    november = secretariat.get("/consultations/calendar?month=2026-11").get_data(as_text=True)
    assert titles_in(november) == set()
    january = secretariat.get("/consultations/calendar?month=2027-01").get_data(as_text=True)
    assert titles_in(january) == {"新年会商"}
    assert "新年会商" in day_cell(january, "2027-01-01")
    assert 'href="/consultations/calendar?month=2026-11"' in december
    assert 'href="/consultations/calendar?month=2027-01"' in december
    assert "2026年12月" in december


def test_the_calendar_across_the_year_and_with_a_bad_month(secretariat):
    page = secretariat.get("/consultations/calendar?month=2027-01").get_data(as_text=True)
    assert 'href="/consultations/calendar?month=2026-12"' in page
    assert 'href="/consultations/calendar?month=2027-02"' in page
    for bad in ["2026-13", "garbage", "2026-1"]:
        assert secretariat.get(f"/consultations/calendar?month={bad}").status_code == 200
