from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import Auth, expert_data
from thinktank.audit.models import AuditEntry
from thinktank.experts.models import Expert, ExpertiseField
from thinktank.experts.services import create_expert
from thinktank.extensions import db


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def _form(**overrides):
    values = {
        "name": "欧阳喆", "gender": "男", "birth_year": "1975", "organisation": "南昌大学",
        "category": "高校院所", "title": "教授", "position": "院长",
        "field_names": ["生物医药", "酶制剂"], "city": "南昌", "mobile": "+86 139-0000-1111",
        "email": "OuYang@Example.CN", "term_start": "2025-01-01", "term_end": "2027-12-31",
        "notes": "",
    }
    values.update(overrides)
    return values


def test_secretariat_adds_an_expert_with_normalised_contacts(secretariat):
    response = secretariat.post("/experts/new", data=_form())
    assert response.status_code == 302
    expert = db.session.scalar(select(Expert))
    assert expert.code == f"ZJ{expert.id:05d}"
    assert expert.mobile == "13900001111" and expert.email == "ouyang@example.cn"
    assert expert.field_names == ["生物医药", "酶制剂"]
    assert "ouyangzhe" in expert.name_pinyin
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expert.created"))


@pytest.mark.parametrize("overrides,message", [
    ({"name": ""}, "姓名"),
    ({"mobile": "12345"}, "11 位大陆手机号码"),
    ({"email": "not-an-email"}, "电子邮箱格式不正确"),
    ({"birth_year": "1850"}, "1930"),
    ({"term_end": "2024-01-01"}, "聘期结束日期不能早于开始日期"),
    ({"field_names": []}, "请至少选择一个专业领域"),
    ({"category": "外星机构"}, "单位类别"),
])
def test_bad_expert_input_is_refused_in_chinese(secretariat, overrides, message):
    response = secretariat.post("/experts/new", data=_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Expert)) is None


def test_duplicate_mobile_is_refused(secretariat, make_expert):
    make_expert(mobile="13900001111")
    response = secretariat.post("/experts/new", data=_form())
    assert response.status_code == 400
    assert "已被其他专家使用" in response.get_data(as_text=True)


def test_edit_records_changes_and_suspend_withdraw(secretariat, make_expert):
    expert = make_expert(name="王堃")
    response = secretariat.post(f"/experts/{expert.id}/edit", data=_form(name="王堃燊"))
    assert response.status_code == 302
    for status in ("suspended", "withdrawn", "active"):
        response = secretariat.post(f"/experts/{expert.id}/status",
                                    data={"status": status, "reason": "测试"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Expert, expert.id).status == status
    assert secretariat.post(f"/experts/{expert.id}/status",
                            data={"status": "deleted"}).status_code == 400
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_id == expert.id)).all()
    assert actions.count("expert.status_changed") == 3 and "expert.updated" in actions


def test_conflicts_are_added_and_removed(secretariat, make_expert):
    expert = make_expert()
    other = make_expert()
    response = secretariat.post(f"/experts/{expert.id}/conflicts", data={
        "organisation": "江西某生物科技有限公司", "reason": "曾任职", "ends_on": "2028-06-30"})
    assert response.status_code == 302
    db.session.expire_all()
    conflict = db.session.get(Expert, expert.id).conflicts[0]
    assert conflict.ends_on == date(2028, 6, 30)
    page = secretariat.get(f"/experts/{expert.id}").get_data(as_text=True)
    assert "江西某生物科技有限公司" in page
    # another expert's conflict id cannot be removed through this expert
    assert secretariat.post(
        f"/experts/{other.id}/conflicts/{conflict.id}/delete").status_code == 404
    assert secretariat.post(
        f"/experts/{expert.id}/conflicts/{conflict.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Expert, expert.id).conflicts == []


def test_list_search_by_name_pinyin_and_organisation(secretariat, make_expert):
    make_expert(name="张三丰", organisation="江西农业大学")
    make_expert(name="李四", organisation="南昌大学")

    def names(query):
        page = secretariat.get(f"/experts/?{query}").get_data(as_text=True)
        return {n for n in ("张三丰", "李四") if n in page}

    assert names("q=张") == {"张三丰"}
    assert names("q=zhangsan") == {"张三丰"}
    assert names("q=zsf") == {"张三丰"}
    assert names("q=南昌大学") == {"李四"}
    assert names("q=") == {"张三丰", "李四"}


def test_list_filters_and_sorting(secretariat, make_expert):
    field_id = db.session.scalar(select(ExpertiseField.id).where(ExpertiseField.name == "投融资"))
    make_expert(name="甲", category="链主企业", city="九江", field_names=["投融资"])
    make_expert(name="乙", category="高校院所", city="赣州", field_names=["生物医药"],
                term_end=date(2025, 6, 30))
    suspended = make_expert(name="丙")
    suspended.status = "suspended"
    db.session.commit()

    def names(query):
        page = secretariat.get(f"/experts/?{query}").get_data(as_text=True)
        return {n for n in ("甲", "乙", "丙") if f">{n}</a>" in page}

    assert names("category=链主企业") == {"甲"}
    assert names("city=赣州") == {"乙"}
    assert names(f"field_id={field_id}") == {"甲"}
    assert names("status=suspended") == {"丙"}
    assert names("valid_on=2026-01-01") == {"甲", "丙"}
    assert names("city=不存在") == {"甲", "乙", "丙"}  # an invalid filter is ignored
    page = secretariat.get("/experts/?sort=name&order=desc").get_data(as_text=True)
    # pinyin order: bing < jia < yi
    assert page.index(">乙</a>") < page.index(">甲</a>") < page.index(">丙</a>")


def test_list_paginates(secretariat, app, make_expert):
    for number in range(30):
        make_expert(name=f"分页{number:02d}")
    first = secretariat.get("/experts/").get_data(as_text=True)
    second = secretariat.get("/experts/?page=2").get_data(as_text=True)
    assert "共 30 位专家" in first
    shown_first = {n for n in range(30) if f">分页{n:02d}</a>" in first}
    shown_second = {n for n in range(30) if f">分页{n:02d}</a>" in second}
    assert len(shown_first) == app.config["EXPERTS_PER_PAGE"]
    assert shown_first | shown_second == set(range(30)) and not shown_first & shown_second


def _bulk_experts(count):
    for _ in range(count):
        create_expert(expert_data(field_names=["生物医药", "投融资"]), actor="test")
    db.session.commit()


def test_list_query_count_does_not_grow_with_the_pool(app, make_user, count_queries):
    user = make_user("secretariat")
    client = app.test_client()
    Auth(client).login(user)
    _bulk_experts(10)
    client.get("/experts/")  # warm up
    with count_queries() as small:
        assert client.get("/experts/?q=专家").status_code == 200
    _bulk_experts(290)
    with count_queries() as large:
        assert client.get("/experts/?q=专家").status_code == 200
    assert small.count == large.count
    assert large.count <= 8, large.statements


def test_taxonomy_is_editable(secretariat):
    response = secretariat.post("/experts/fields", data={"name": "合成生物学"})
    assert response.status_code == 302
    entry = db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "合成生物学"))
    assert entry is not None
    assert secretariat.post("/experts/fields", data={"name": "合成生物学"}).status_code == 400
    response = secretariat.post(f"/experts/fields/{entry.id}",
                                data={"name": "合成生物学与细胞工厂", "active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.get(ExpertiseField, entry.id)
    assert entry.name == "合成生物学与细胞工厂" and not entry.active
    # a retired field is not offered for new experts
    assert "合成生物学与细胞工厂" not in secretariat.get("/experts/new").get_data(as_text=True)


def test_the_admin_reads_the_taxonomy_but_does_not_edit_it(app, make_user):
    admin = app.test_client()
    Auth(admin).login(make_user("admin"))
    assert 'href="/experts/fields"' in admin.get("/").get_data(as_text=True)
    response = admin.get("/experts/fields")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<td>生物医药</td><td>是</td>" in page
    assert "/experts/fields/" not in page and 'name="name"' not in page  # no editing
    assert admin.post("/experts/fields", data={"name": "合成生物学"}).status_code == 403
    entry = db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "生物医药"))
    assert admin.post(f"/experts/fields/{entry.id}",
                      data={"name": "改名", "active": "0"}).status_code == 403
    assert db.session.scalar(select(ExpertiseField).where(ExpertiseField.name == "合成生物学")) \
        is None
