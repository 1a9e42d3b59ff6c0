"""The secretariat's participants page and the invitation states on the
session page, through HTTP."""

import re

import pytest
from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.consultations.invitation_factories import invitation_of, scheduled_session
from thinktank import create_app
from thinktank.audit.models import AuditEntry
from thinktank.consultations import invitation_mail, participants, rsvp
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.draws.models import Draw
from thinktank.extensions import db

pytestmark = pytest.mark.usefixtures("secretariat_email")


@pytest.fixture
def secretariat(client, auth, make_user):
    auth.login(make_user("secretariat"))
    return client


def fresh(session: ConsultationSession) -> ConsultationSession:
    db.session.expire_all()  # the requests ran in their own database sessions
    return db.session.get(ConsultationSession, session.id)


def statuses(session_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        select(Invitation.expert_id, Invitation.status).where(Invitation.session_id == session_id)
    ).all())


def test_adding_by_hand_on_the_page(secretariat, make_expert):
    expert = make_expert(name="郑洁")
    session = make_session()
    url = f"/consultations/{session.id}/participants"
    page = secretariat.get(url)
    assert page.status_code == 200 and "随机抽取（含回避）" in page.get_data(as_text=True)

    response = secretariat.post(f"{url}/add", data={"experts": expert.code})
    assert response.status_code == 302
    assert statuses(session.id) == {expert.id: "pending"}
    page = secretariat.get(url).get_data(as_text=True)
    assert "郑洁" in page and "待邀请" in page and "手工添加" in page

    response = secretariat.post(f"{url}/add", data={"experts": "无名氏"})
    assert response.status_code == 400
    assert "未找到以下编号或姓名的专家：无名氏" in response.get_data(as_text=True)


def test_drawing_on_the_page_links_the_draw(secretariat, make_expert):
    [make_expert() for _ in range(4)]
    session = make_session()
    url = f"/consultations/{session.id}/participants"
    response = secretariat.post(f"{url}/draw", data={
        "draw-panel_size": "2", "draw-backups": "1", "draw-org_cap": "1",
        "draw-cities": ["南昌"]})
    assert response.status_code == 302
    draw = db.session.scalar(select(Draw))
    assert draw.parameters["cities"] == ["南昌"]
    page = secretariat.get(url).get_data(as_text=True)
    assert f'href="/draws/{draw.id}"' in page and "第 1 候补" in page
    assert str(draw.seed) in page

    response = secretariat.post(f"{url}/draw", data={
        "draw-panel_size": "5", "draw-backups": "0", "draw-org_cap": "1"})
    assert response.status_code == 400
    assert "符合条件的专家仅有 1 名，本次需抽取 5 名" in response.get_data(as_text=True)
    assert db.session.scalars(select(Draw)).all() == [draw]


def test_adding_by_filter_on_the_page(secretariat, make_expert):
    ganzhou = make_expert(city="赣州")
    make_expert(city="九江")
    session = make_session()
    response = secretariat.post(f"/consultations/{session.id}/participants/filter",
                                data={"filter-cities": ["赣州"]})
    assert response.status_code == 302
    assert statuses(session.id) == {ganzhou.id: "pending"}


def test_scheduling_removing_and_the_states_on_the_session_page(secretariat, make_expert):
    kept, removed = make_expert(name="冯涛"), make_expert(name="陈静")
    session = make_session()
    participants.add_participants(session, [kept, removed], "manual")
    db.session.commit()
    response = secretariat.post(f"/consultations/{session.id}/schedule")
    assert response.status_code == 302
    assert fresh(session).status == "scheduled"
    assert set(statuses(session.id).values()) == {"invited"}

    invitation = invitation_of(session, removed)
    response = secretariat.post(f"/consultations/invitations/{invitation.id}/remove")
    assert response.status_code == 302
    assert statuses(session.id)[removed.id] == "withdrawn"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.withdrawn"))

    detail = secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)
    assert "参会专家与邀请" in detail
    assert "冯涛" in detail and "已邀请，未回复" in detail and "已移出" in detail
    assert "会商提醒" in detail and "回复提醒" in detail and "取消通知" in detail

    again = secretariat.post(f"/consultations/{session.id}/schedule")
    assert again.status_code == 400
    assert "只有草稿状态的会商才能发出邀请" in again.get_data(as_text=True)


def test_scheduling_without_participants_is_refused(secretariat):
    session = make_session()
    response = secretariat.post(f"/consultations/{session.id}/schedule")
    assert response.status_code == 400
    assert "请先添加参会专家" in response.get_data(as_text=True)
    assert fresh(session).status == "draft"


def test_editing_the_reminders_on_the_page(secretariat, make_expert):
    session = scheduled_session([make_expert()])
    url = f"/consultations/{session.id}/reminders"
    response = secretariat.post(url, data={"hours": "三天"})
    assert response.status_code == 400
    assert "请填写不超过 5 个整数小时数" in response.get_data(as_text=True)
    assert secretariat.post(url, data={"hours": "48, 1"}).status_code == 302
    assert fresh(session).reminder_offsets_minutes == "2880,60"


def test_the_public_rsvp_form_works_with_csrf_protection(app_config, make_expert):
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True,
                           "SECRETARIAT_EMAIL": "mishuchu@kjt.jiangxi.gov.cn"})
    expert = make_expert()
    session = scheduled_session([expert])
    invitation = invitation_of(session, expert)
    client = csrf_app.test_client()
    with csrf_app.app_context():
        url = f"/consultations/rsvp/{invitation_mail.rsvp_token(invitation)}"
    assert client.post(url, data={"accept": "1"}).status_code == 400
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
    assert client.post(url, data={"accept": "1", "csrf_token": token}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status == "accepted"


def test_the_secretariat_replaces_a_declined_expert_by_the_next_backup(secretariat, make_expert):
    [make_expert() for _ in range(2)]
    session = make_session(auto_promote_backups=False)
    draw = participants.draw_participants(session, panel_size=1, backups=1)
    participants.schedule_session(session)
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    rsvp.respond(member, accept=False, reason="身体原因")
    db.session.commit()
    url = f"/consultations/{session.id}/participants"
    assert "邀请下一位候补专家" in secretariat.get(url).get_data(as_text=True)
    response = secretariat.post(f"/consultations/invitations/{member.id}/promote")
    assert response.status_code == 302
    assert statuses(session.id)[draw.backups[0]] == "invited"
    assert "邀请下一位候补专家" not in secretariat.get(url).get_data(as_text=True)
    again = secretariat.post(f"/consultations/invitations/{member.id}/promote")
    assert again.status_code == 400
