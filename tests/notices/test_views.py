"""Notice pages for the secretariat and for experts."""

from sqlalchemy import select

from thinktank.extensions import db
from thinktank.notices.models import Notice, NoticeRecipient


def test_secretariat_posts_by_form_and_sees_receipts(client, auth, make_user, make_expert,
                                                     field_id):
    nanchang = make_expert(name="南昌专家", city="南昌")
    make_expert(name="九江专家", city="九江")
    auth.login(make_user("secretariat"))
    form = client.get("/notices/new").get_data(as_text=True)
    assert "生物医药" in form and "景德镇" in form and "链主企业" in form
    assert 'multiple' in form
    response = client.post("/notices/new", data={
        "title": "政策动态", "kind": "policy_update", "body": "新政策发布。",
        "cities": ["南昌"], "field_ids": [str(field_id("生物医药"))],
    })
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"].endswith(f"/notices/{notice.id}")
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "南昌专家" in page and "九江专家" not in page
    assert "0 of 1" in page or "1 位专家中已有 0 位" in page
    assert "政策动态" in client.get("/notices/").get_data(as_text=True)
    assert [r.expert_id for r in db.session.scalars(select(NoticeRecipient))] == [nanchang.id]


def test_form_errors_are_shown(client, auth, make_user, make_expert):
    make_expert(city="南昌")
    auth.login(make_user("secretariat"))
    assert client.post("/notices/new", data={"title": "", "kind": "policy_update",
                                             "body": "x"}).status_code == 400
    response = client.post("/notices/new", data={"title": "t", "kind": "policy_update",
                                                  "body": "x", "cities": ["萍乡"]})
    assert response.status_code == 400
    assert db.session.scalar(select(Notice)) is None


def test_expert_reads_own_notice_and_gets_403_for_another(client, auth, make_user, make_expert,
                                                           post):
    reader = make_expert(city="南昌")
    outsider = make_expert(city="九江")
    notice = post(cities=["南昌"], title="只给南昌")
    other = post(cities=["九江"], title="只给九江")
    auth.login(make_user("expert", expert=reader))
    mine = client.get("/notices/mine/").get_data(as_text=True)
    assert "只给南昌" in mine and "只给九江" not in mine
    assert "1 unread" in mine or "1 条未读" in mine
    page = client.get(f"/notices/mine/{notice.id}")
    assert page.status_code == 200 and "请各位专家" in page.get_data(as_text=True)
    row = db.session.scalar(select(NoticeRecipient).where(NoticeRecipient.expert_id == reader.id))
    assert row.read_at is not None
    assert "1 unread" not in client.get("/notices/mine/").get_data(as_text=True)
    assert client.get(f"/notices/mine/{other.id}").status_code == 403
    assert client.get("/notices/mine/999999").status_code == 404
    assert db.session.scalar(select(NoticeRecipient.read_at).where(
        NoticeRecipient.expert_id == outsider.id)) is None


def test_expert_cannot_open_secretariat_pages(client, auth, make_user, make_expert, post):
    expert = make_expert()
    notice = post()
    auth.login(make_user("expert", expert=expert))
    assert client.get(f"/notices/{notice.id}").status_code == 403
    assert client.get("/notices/new").status_code == 403
