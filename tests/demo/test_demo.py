from datetime import timedelta

from sqlalchemy import func, select

from tests.demo.helpers import load
from thinktank.audit.models import AuditEntry
from thinktank.auth.models import User
from thinktank.consultations.models import (
    ConsolidatedOpinion,
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    MinutesRevision,
    SessionSeries,
)
from thinktank.demo.data import DEFAULT_PASSWORD, DEMO_USERS, build_experts
from thinktank.draws.models import Draw
from thinktank.experts.models import Conflict, Expert, ExpertiseField, ExpertStatus
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.permissions import Role
from thinktank.text import organisation_key
from thinktank.timeutil import today_in_display_zone
from thinktank.values import normalise_email, normalise_mobile
from thinktank.vocabulary import CATEGORIES, CITIES, SEED_FIELDS


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Expert, Conflict, User, AuditEntry, ExpertiseField, ConsultationSession,
                      SessionSeries, Invitation, Draw, OutboxMessage, ExpertOpinion,
                      MinutesRevision, ConsolidatedOpinion)
    }


def test_pool_covers_every_category_field_and_city(loaded):
    experts = db.session.scalars(select(Expert)).all()
    assert len(experts) >= 60
    assert {e.category for e in experts} == set(CATEGORIES)
    assert {e.city for e in experts} == set(CITIES)
    assert {name for e in experts for name in e.field_names} == set(SEED_FIELDS)
    assert all(e.fields and e.title and e.position for e in experts)


def test_names_are_varied_with_rare_characters(loaded):
    experts = db.session.scalars(select(Expert)).all()
    names = "".join(e.name for e in experts)
    for rare in "堃喆燊":
        assert rare in names
    assert {e.gender for e in experts} == {"男", "女"}
    assert {2, 3} <= {len(e.name) for e in experts}
    assert any(e.name.startswith(("欧阳", "上官")) for e in experts)
    kun = db.session.scalar(select(Expert).where(Expert.name == "刘堃"))
    assert kun.name_pinyin == "liukun lk"  # rare characters are searchable by pinyin


def test_contacts_are_valid_and_fictitious(loaded):
    experts = db.session.scalars(select(Expert)).all()
    for expert in experts:
        assert normalise_mobile(expert.mobile) == expert.mobile
        assert normalise_email(expert.email) == expert.email
        assert expert.email.endswith(".example.com")
    assert len({e.mobile for e in experts}) == len(experts)


def test_terms_statuses_and_conflicts_include_the_awkward_cases(loaded):
    today = today_in_display_zone()
    experts = db.session.scalars(select(Expert)).all()
    assert all(e.term_start < e.term_end for e in experts)
    expired = [e for e in experts if e.term_end < today]
    ending_soon = [e for e in experts if today <= e.term_end <= today + timedelta(days=30)]
    assert 2 <= len(expired) <= 5 and 2 <= len(ending_soon) <= 5
    statuses = [e.status for e in experts]
    assert 1 <= statuses.count(ExpertStatus.SUSPENDED.value) <= 5
    assert 1 <= statuses.count(ExpertStatus.WITHDRAWN.value) <= 5

    conflicts = db.session.scalars(select(Conflict)).all()
    assert any(c.ends_on is None for c in conflicts)
    assert any(c.ends_on and c.ends_on >= today for c in conflicts)
    assert any(not c.in_force_on(today) for c in conflicts)
    # Conflicts name organisations of the pool, so the avoidance rules have work to do.
    pool_keys = {e.organisation_key for e in experts}
    assert all(c.organisation_key in pool_keys for c in conflicts)
    assert all(c.organisation_key != organisation_key(c.expert.organisation)
               for c in conflicts)


def test_pool_is_the_seeded_one(loaded):
    today = today_in_display_zone()
    built = build_experts(today)
    assert built == build_experts(today)
    stored = db.session.execute(
        select(Expert.name, Expert.mobile, Expert.email, Expert.term_end).order_by(Expert.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        (e.name, e.mobile, e.email, e.term_end) for e in built
    ]


def test_one_account_per_role_and_each_login_works(loaded, client):
    users = db.session.scalars(select(User)).all()
    assert sorted(role for user in users for role in user.role_set) == sorted(Role)
    for demo in DEMO_USERS:
        assert f"{demo.email}" in loaded.output
        response = client.post(
            "/auth/login", data={"email": demo.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, demo.email
        expected = 403 if demo.role == Role.EXPERT else 200
        assert client.get("/experts/").status_code == expected
        client.post("/auth/logout")
    assert loaded.output.count(DEFAULT_PASSWORD) == len(DEMO_USERS)


def test_expert_account_is_linked_to_its_expert_record(loaded, client):
    user = db.session.scalar(select(User).where(User.email == "expert@demo.thinktank.cn"))
    assert user.role_set == {Role.EXPERT}
    assert user.expert is not None and user.expert.name == "刘堃"
    assert user.expert.status == ExpertStatus.ACTIVE.value
    assert user.expert.term_covers(today_in_display_zone())
    client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    response = client.get("/")
    assert response.headers["Location"] == f"/experts/{user.expert_id}"
    assert "刘堃" in client.get(f"/experts/{user.expert_id}").get_data(as_text=True)


def test_second_run_adds_nothing_and_still_prints_the_logins(loaded, runner):
    before = counts()
    again = load(runner)
    assert again.exit_code == 0, again.output
    assert counts() == before
    assert "already loaded" in again.output
    for demo in DEMO_USERS:
        assert f"{demo.email}" in again.output
    assert again.output.count(DEFAULT_PASSWORD) == len(DEMO_USERS)


def test_password_comes_from_the_environment(runner, client):
    result = load(runner, "another-demo-secret")
    assert result.exit_code == 0, result.output
    assert "another-demo-secret" in result.output and DEFAULT_PASSWORD not in result.output
    login = {"email": "secretariat@demo.thinktank.cn"}
    assert client.post("/auth/login", data={**login, "password": DEFAULT_PASSWORD}
                       ).status_code == 401
    assert client.post("/auth/login", data={**login, "password": "another-demo-secret"}
                       ).status_code == 302
    # A later run with another password cannot print the real one: it says so.
    again = load(runner)
    assert "changed since the demo was loaded" in again.output
    assert DEFAULT_PASSWORD not in again.output


def test_a_too_short_password_writes_nothing(runner):
    before = counts()
    result = load(runner, "short")
    assert result.exit_code != 0
    assert counts() == before


def test_a_clash_with_the_existing_pool_writes_nothing(runner, make_expert):
    first = build_experts(today_in_display_zone())[0]
    make_expert(mobile=first.mobile)
    before = counts()
    result = load(runner)
    assert result.exit_code != 0
    assert first.mobile in result.output
    assert counts() == before
