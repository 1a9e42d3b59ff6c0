"""The page cache (thinktank.pagecache): a page is served again from memory
only while nothing was written, only to the user it was rendered for, never
past a deadline the page depends on, and never with a flash waiting."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank import create_app
from thinktank.extensions import db
from thinktank.pagecache import current_version, store
from thinktank.reviews.models import ReviewRound
from thinktank.timeutil import utcnow


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user).status_code == 302
    client.get("/", follow_redirects=True)  # shows (and consumes) the sign-in's flash
    return client


@pytest.fixture
def secretariat(app, make_user):
    return signed_in(app, make_user("secretariat", name="甲秘书"))


def test_a_page_seen_again_comes_from_the_cache_in_two_statements(
        app, secretariat, make_expert, count_queries):
    make_expert(name="王大伟")
    first = secretariat.get("/experts/").get_data(as_text=True)
    hits = store.hits
    with count_queries() as counter:
        again = secretariat.get("/experts/").get_data(as_text=True)
    assert store.hits == hits + 1
    assert again == first and "王大伟" in again
    assert counter.count == 1, counter.statements  # the data version only


def test_a_write_by_anyone_shows_on_the_next_view(app, secretariat, make_user, make_expert):
    expert = make_expert(name="王大伟")
    assert "王大伟" in secretariat.get("/experts/").get_data(as_text=True)
    assert "王大伟" in secretariat.get("/experts/").get_data(as_text=True)  # cached
    other = signed_in(app, make_user("secretariat"))
    page = other.get(f"/experts/{expert.id}/edit").get_data(as_text=True)
    assert "王大伟" in page
    data = {"name": "王小伟", "gender": "男", "organisation": expert.organisation,
            "category": expert.category, "title": expert.title or "", "city": expert.city,
            "mobile": expert.mobile, "email": expert.email, "field_names": expert.field_names}
    assert other.post(f"/experts/{expert.id}/edit", data=data).status_code == 302
    page = secretariat.get("/experts/").get_data(as_text=True)
    assert "王小伟" in page and "王大伟" not in page


def test_a_write_by_another_process_shows_on_the_next_view(app, app_config, secretariat,
                                                           make_expert):
    """Another app object stands for another gunicorn worker or machine: the
    data version lives in the database, not in the process."""
    expert = make_expert(name="王大伟")
    secretariat.get("/experts/")
    assert "王大伟" in secretariat.get("/experts/").get_data(as_text=True)
    other = create_app(app_config)
    with other.app_context():
        db.session.execute(text("UPDATE experts SET name = '赵六' WHERE id = :id"),
                           {"id": expert.id})
        db.session.commit()
        db.session.remove()
    page = secretariat.get("/experts/").get_data(as_text=True)
    assert "赵六" in page and "王大伟" not in page


def test_a_plain_sql_write_moves_the_version(app, make_expert):
    expert = make_expert()
    before = current_version()
    db.session.execute(text("UPDATE experts SET notes = 'x' WHERE id = :id"), {"id": expert.id})
    db.session.commit()
    after = current_version()
    assert after != before
    db.session.rollback()  # nothing written: the version stays
    db.session.scalar(text("SELECT count(*) FROM experts"))
    db.session.commit()
    assert current_version() == after


def test_pages_are_never_shared_between_users(app, make_user, make_expert):
    make_expert()
    first = signed_in(app, make_user("secretariat", name="甲秘书"))
    second = signed_in(app, make_user("secretariat", name="乙秘书"))
    assert "甲秘书" in first.get("/experts/").get_data(as_text=True)
    assert "甲秘书" in first.get("/experts/").get_data(as_text=True)
    page = second.get("/experts/").get_data(as_text=True)
    assert "乙秘书" in page and "甲秘书" not in page


def test_a_waiting_flash_is_shown_not_a_cached_page(app, secretariat, make_expert):
    expert = make_expert()
    secretariat.get("/experts/")
    secretariat.get("/experts/")
    conflict = {"organisation": "江西某公司", "reason": "曾任职", "ends_on": ""}
    secretariat.post(f"/experts/{expert.id}/conflicts", data=conflict)
    hits = store.hits
    page = secretariat.get("/experts/").get_data(as_text=True)
    assert store.hits == hits
    assert 'class="alert' in page  # the flash of the conflict just added


def test_a_sheet_is_not_cached_past_the_scoring_deadline(app, make_expert, make_user):
    review_round = scoring_round(applications=1)
    expert = make_expert()
    panel_with(review_round, [expert])
    client = signed_in(app, make_user("expert", expert=expert))
    url = f"/reviews/applications/{applications_of(review_round)[0].id}/sheet"
    client.get(url)
    hits = store.hits
    client.get(url)
    assert store.hits == hits + 1  # a week before the deadline: cached
    db.session.get(ReviewRound, review_round.id).scoring_deadline = utcnow() + timedelta(
        milliseconds=1)
    db.session.commit()
    client.get(url)  # rendered a moment before the deadline: not kept past it
    hits = store.hits
    page = client.get(url).get_data(as_text=True)
    assert store.hits == hits
    assert 'name="action"' not in page or "disabled" in page  # the form has closed


def test_the_cache_can_be_turned_off(app, secretariat, make_expert, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    make_expert()
    secretariat.get("/experts/")
    hits = store.hits
    secretariat.get("/experts/")
    assert store.hits == hits



def test_a_copied_cookie_gets_no_cached_page_after_sign_out(app, make_user, make_expert):
    """A hit reads neither the user nor the rules; signing out is a write, so
    the copy misses, and the user it names no longer matches its token."""
    make_expert(name="王大伟")
    client = signed_in(app, make_user("secretariat"))
    assert "王大伟" in client.get("/experts/").get_data(as_text=True)
    assert "王大伟" in client.get("/experts/").get_data(as_text=True)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    assert "王大伟" in copy.get("/experts/").get_data(as_text=True)  # the same session
    assert client.post("/auth/logout").status_code == 302
    response = copy.get("/experts/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_deactivated_account_gets_no_cached_page(app, make_user, make_expert):
    make_expert(name="王大伟")
    user = make_user("secretariat")
    client = signed_in(app, user)
    client.get("/experts/")
    assert "王大伟" in client.get("/experts/").get_data(as_text=True)
    user.active = False
    db.session.commit()
    response = client.get("/experts/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
