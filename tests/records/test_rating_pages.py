from sqlalchemy import select

from tests.consultations.factories import make_session
from tests.consultations.proceedings_factories import held_session
from tests.records.test_ratings import finalized_round
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.records import ratings
from thinktank.records.models import ExpertRating


def test_the_secretariat_rates_a_sessions_experts(client, auth, make_user, make_expert):
    present, absent = make_expert(name="王五"), make_expert(name="赵六")
    session = held_session(present=[present], absent=[absent])
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/records/sessions/{session.id}/ratings"

    page = client.get(url).get_data(as_text=True)
    assert "王五" in page and "赵六" not in page

    response = client.post(url, data={"expert_id": present.id, "score": "92", "comment": "好"})
    assert response.status_code == 302
    rating = db.session.scalars(select(ExpertRating)).one()
    assert (rating.score, rating.comment, rating.subject_type) == (92, "好", "session")
    assert f'data-rated="{present.id}"' in client.get(url).get_data(as_text=True)


def test_a_bad_score_or_an_absent_expert_is_refused(client, auth, make_user, make_expert):
    present, absent = make_expert(), make_expert()
    session = held_session(present=[present], absent=[absent])
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/records/sessions/{session.id}/ratings"

    assert client.post(url, data={"expert_id": present.id, "score": "120"}).status_code == 200
    assert client.post(url, data={"expert_id": absent.id, "score": "80"}).status_code == 200
    assert db.session.scalars(select(ExpertRating)).all() == []


def test_the_secretariat_rates_a_rounds_panel_with_levels(client, auth, make_user, make_expert,
                                                        app, monkeypatch):
    monkeypatch.setitem(app.config, "RATING_MODE", "levels")
    member = make_expert(name="钱七")
    review_round = finalized_round([member])
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/records/rounds/{review_round.id}/ratings"

    assert "良好（85）" in client.get(url).get_data(as_text=True)
    client.post(url, data={"expert_id": member.id, "level": "良好", "comment": ""})

    rating = db.session.scalars(select(ExpertRating)).one()
    assert (rating.level, rating.score, rating.subject_type) == ("良好", 85, "round")


def test_a_session_not_yet_held_cannot_be_rated(client, auth, make_user):
    session = make_session(status="scheduled")
    auth.login(make_user(Role.SECRETARIAT))

    assert client.get(f"/records/sessions/{session.id}/ratings").status_code == 409
    assert client.get("/records/sessions/999999/ratings").status_code == 404


def test_only_the_secretariat_rates(client, auth, make_user, make_expert):
    expert = make_expert()
    session = held_session(present=[expert])
    for role in (Role.ADMIN, Role.OFFICIAL, Role.EXPERT):
        auth.login(make_user(role, email=f"{role}@example.cn",
                             expert=expert if role == Role.EXPERT else None))
        assert client.post(f"/records/sessions/{session.id}/ratings",
                           data={"expert_id": expert.id, "score": "10"}).status_code == 403
        auth.logout()
    assert db.session.scalars(select(ExpertRating)).all() == []


def test_the_history_shows_the_running_score_and_the_flag(client, auth, make_user, make_expert):
    expert = make_expert()
    ratings.rate(ratings.session_subject(held_session(present=[expert])), expert, score=40)
    db.session.commit()
    url = f"/records/experts/{expert.id}"

    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(url).get_data(as_text=True)
    assert "<strong>40.0</strong>" in page and "text-bg-danger" in page
    auth.logout()

    auth.login(make_user(Role.EXPERT, expert=expert, email="e@example.cn"))
    page = client.get(url).get_data(as_text=True)
    assert "<strong>40.0</strong>" in page and "text-bg-danger" not in page
