"""SQL statements per page do not grow with the data: the benchmark's pages
(bench/pages.py) on a small and a five-times larger data set from
``flask demo scale`` run the same number of statements, with the page cache
off (every statement of a real render counted) and on (a cached page costs the
data version, nothing else)."""

import pytest
from sqlalchemy import select

from thinktank.auth.models import User
from thinktank.consultations.models import ConsultationSession
from thinktank.demo.scale import (
    BENCH_RESULTS_ROUND,
    BENCH_SCORING_ROUND,
    BENCH_SESSION_TITLE,
    DOMAIN,
    ScalePlan,
    load_scale,
)
from thinktank.extensions import db
from thinktank.reviews.models import Application, PanelMember, ReviewPanel, ReviewRound

PASSWORD = "Scale-2026-thinktank"
SMALL = ScalePlan(experts=300, sessions=4, applications=230, rounds=2)
LARGE = ScalePlan(experts=1500, sessions=20, applications=460, rounds=6)


def build(plan: ScalePlan) -> dict:
    with db.engine.begin() as connection:  # start from empty tables (seeded fields come back)
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    load_scale(plan, PASSWORD)
    db.session.commit()
    scoring = db.session.scalar(
        select(ReviewRound.id).where(ReviewRound.name == BENCH_SCORING_ROUND))
    leader = db.session.scalar(
        select(PanelMember.expert_id).join(ReviewPanel).where(
            ReviewPanel.round_id == scoring, PanelMember.is_leader))
    session_id = db.session.scalar(select(ConsultationSession.id).where(
        ConsultationSession.title == BENCH_SESSION_TITLE))
    application_id = db.session.scalar(select(Application.id).where(
        Application.round_id == scoring).order_by(Application.id))
    results_id = db.session.scalar(select(ReviewRound.id).where(
        ReviewRound.name == BENCH_RESULTS_ROUND))
    return {
        "expert": db.session.scalar(select(User.email).where(User.expert_id == leader)),
        "pages": {
            "experts": ("secretariat", "/experts/?q=wang&category=高校院所&city=南昌"),
            "session": ("secretariat", f"/consultations/{session_id}"),
            "sheet": ("expert", f"/reviews/applications/{application_id}/sheet"),
            "results": ("secretariat", f"/reviews/{results_id}/results"),
            "documents": ("official", "/portal/documents"),
        },
    }


def statements_per_page(app, count_queries, objects: dict) -> dict[str, int]:
    counts = {}
    for name, (role, path) in objects["pages"].items():
        client = app.test_client()
        email = objects["expert"] if role == "expert" else f"{role}@{DOMAIN}"
        login = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert login.status_code == 302
        for _ in range(2):  # the first shows the sign-in's flash; the second fills the cache
            assert client.get(path).status_code == 200
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200, name
        counts[name] = counter.count
    return counts


@pytest.mark.parametrize("cache_seconds", [0, 30], ids=["rendered", "cached"])
def test_statements_per_page_do_not_grow_with_the_data(app, count_queries, monkeypatch,
                                                       cache_seconds):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", cache_seconds)
    small = statements_per_page(app, count_queries, build(SMALL))
    large = statements_per_page(app, count_queries, build(LARGE))
    assert small == large
    if cache_seconds:
        # The data version, and nothing else: not even the user.
        assert set(large.values()) == {1}
    else:
        assert max(large.values()) <= 12, large
