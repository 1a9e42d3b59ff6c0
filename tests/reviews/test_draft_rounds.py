"""Nothing of a draft round reaches the experts on its panel: not its
applications, their attachments, the experts' sheets, the group opinion,
nor, on their own pages, that they are on the panel. Everything opens once
scoring starts; the secretariat works on the draft all along."""

from datetime import timedelta

import pytest

from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with
from tests.reviews.round_factories import make_round
from thinktank.extensions import db
from thinktank.reviews.applications import add_attachment
from thinktank.reviews.models import RoundStatus
from thinktank.timeutil import utcnow

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROUND_NAME = "草稿中的遴选批次"


@pytest.fixture
def scene(make_expert, make_user):
    """A draft round with its panel formed (the first member its leader) and an
    attachment on its first application."""
    review_round = make_round(RoundStatus.DRAFT, applications=2, name=ROUND_NAME,
                              scoring_deadline=utcnow() + timedelta(days=7))
    experts = [make_expert() for _ in range(3)]
    panel = panel_with(review_round, experts)
    panel.members[0].is_leader = True
    application = applications_of(review_round)[0]
    attachment = add_attachment(application, "申报书.pdf", PDF)
    db.session.commit()
    return {"round": review_round, "application": application, "attachment": attachment,
            "leader": make_user("expert", expert=experts[0]),
            "member": make_user("expert", expert=experts[1])}


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def start_scoring(review_round) -> None:
    review_round.status = RoundStatus.SCORING.value
    db.session.commit()


# (who, method, url of the scene, what the route answers once scoring has started)
ROUTES = {
    "sheet": ("member", "GET", "/reviews/applications/{application}/sheet", 200),
    "sheet saved": ("member", "POST", "/reviews/applications/{application}/sheet", 302),
    "conflict": ("member", "POST", "/reviews/applications/{application}/sheet/conflict", 302),
    "group opinion": ("member", "GET", "/reviews/applications/{application}/opinion", 200),
    "leader's editor": ("leader", "GET", "/reviews/applications/{application}/opinion/edit",
                        200),
    "attachment": ("member", "GET", "/reviews/attachments/{attachment}", 200),
}


@pytest.mark.parametrize("route", ROUTES)
def test_a_panel_member_opens_nothing_until_scoring_starts(app, scene, route):
    who, method, url, open_status = ROUTES[route]
    url = url.format(application=scene["application"].id, attachment=scene["attachment"].id)
    data = {"reason": "本人为该项目合作者", "version": 0,
            **{f"points-{c.id}": "1" for c in scene["round"].criteria}}
    client = signed_in(app, scene[who])

    refused = client.open(url, method=method, data=data)
    assert refused.status_code == 403
    assert scene["application"].title not in refused.get_data(as_text=True)
    assert refused.data != PDF

    start_scoring(scene["round"])
    assert client.open(url, method=method, data=data).status_code == open_status


def test_the_experts_own_pages_do_not_tell_they_are_on_a_draft_panel(app, scene):
    client = signed_in(app, scene["leader"])
    pages = ["/reviews/my-assignments", "/reviews/opinions",
             f"/records/experts/{scene['leader'].expert_id}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert ROUND_NAME not in page and scene["application"].title not in page, url

    start_scoring(scene["round"])
    for url in pages:
        assert ROUND_NAME in client.get(url).get_data(as_text=True), url


def test_the_secretariat_works_on_the_draft(app, scene, make_user):
    client = signed_in(app, make_user("secretariat"))
    application = scene["application"]
    assert client.get(f"/reviews/applications/{application.id}").status_code == 200
    assert client.get(f"/reviews/attachments/{scene['attachment'].id}").data == PDF
