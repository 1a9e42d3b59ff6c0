"""The draw page (secretariat and admin only) and ``flask draws show``."""

import html
import json
import random
import re

import pytest

from thinktank.draws import services
from thinktank.draws.rules import KeepAway
from thinktank.experts.services import add_conflict
from thinktank.extensions import db

APPLICANT = "江西生物科技有限公司"


@pytest.fixture
def stored_draw(make_expert, draw_request):
    """A committed draw with one exclusion of each reason, skips and a backup."""
    for organisation in ["甲大学", "甲大学", "乙公司", "丙研究院", "丁协会", "戊中心"]:
        make_expert(organisation=organisation)
    make_expert(organisation=f"{APPLICANT}　", name="许工作")
    conflicted = make_expert(organisation="己大学", name="周冲突")
    add_conflict(conflicted, APPLICANT, "曾任职", None)
    named = make_expert(name="吴回避")
    member = make_expert(name="郑已在")
    draw = services.perform_draw(
        draw_request(
            panel_size=3, backups=1, seed=2**63 + 2026, applicant_organisations=[APPLICANT],
            keep_away=[KeepAway(named.code, "乙公司")], already_on=[member.id],
        ),
        "panel", 3,
    )
    db.session.commit()
    return draw


def test_the_page_shows_seed_pool_order_and_exclusions(client, auth, make_user, stored_draw):
    auth.login(make_user("secretariat"))
    response = client.get(f"/draws/{stored_draw.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    seed = int(re.search(r'<code id="draw-seed">(\d+)</code>', page).group(1))
    pool = json.loads(html.unescape(re.search(r'id="draw-pool">(.*?)</pre>', page).group(1)))
    order = json.loads(html.unescape(re.search(r'id="draw-order">(.*?)</pre>', page).group(1)))
    # What a reader of the page does: re-run the sample and get the same order.
    assert seed == 2**63 + 2026
    assert pool == stored_draw.pool
    assert random.Random(seed).sample(pool, len(pool)) == order == stored_draw.order
    assert f"random.Random({seed}).sample(pool, len(pool))" in page

    for reason in [
        "与申报单位为同一单位", "与申报单位存在利益冲突",
        "申报单位申请回避", "已在本评审组或本次会商中",
    ]:
        assert reason in page
    for name in ["许工作", "周冲突", "吴回避", "郑已在"]:
        assert name in page
    for expert_id in stored_draw.drawn + stored_draw.backups:
        assert stored_draw.person(expert_id)["name"] in page
    assert "随机抽取" in page


@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_secretariat_and_admin_may_open_it(client, auth, make_user, stored_draw, role):
    auth.login(make_user(role))
    assert client.get(f"/draws/{stored_draw.id}").status_code == 200


@pytest.mark.parametrize("role", ["official", "expert"])
def test_officials_and_experts_may_not(client, auth, make_user, stored_draw, role):
    auth.login(make_user(role))
    response = client.get(f"/draws/{stored_draw.id}")
    assert response.status_code == 403
    assert str(stored_draw.seed) not in response.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, stored_draw):
    response = client.get(f"/draws/{stored_draw.id}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_unknown_draw_is_404(client, auth, make_user):
    auth.login(make_user("secretariat"))
    assert client.get("/draws/999999").status_code == 404


def test_promotions_show_on_the_page(client, auth, make_user, stored_draw):
    replaced = stored_draw.drawn[0]
    services.promote_next_backup(stored_draw, replaced)
    db.session.commit()
    auth.login(make_user("secretariat"))
    page = client.get(f"/draws/{stored_draw.id}").get_data(as_text=True)
    backup, member = (stored_draw.person(i)["name"] for i in (stored_draw.backups[0], replaced))
    assert f"{backup} 递补 {member}" in page


def test_cli_prints_what_a_third_party_needs(runner, stored_draw):
    result = runner.invoke(args=["draws", "show", str(stored_draw.id)])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["seed"] == 2**63 + 2026
    assert random.Random(shown["seed"]).sample(shown["pool"], len(shown["pool"])) == shown["order"]
    assert (shown["drawn"], shown["backups"]) == (stored_draw.drawn, stored_draw.backups)


def test_cli_refuses_an_unknown_draw(runner):
    result = runner.invoke(args=["draws", "show", "999999"])
    assert result.exit_code != 0
    assert "999999" in result.output


def test_a_draw_without_backups_says_so(client, auth, make_user, make_expert, draw_request):
    for organisation in ["甲大学", "乙公司", "丙研究院"]:
        make_expert(organisation=organisation)
    draw = services.perform_draw(draw_request(panel_size=2, backups=0, seed=7), "panel", 3)
    db.session.commit()
    auth.login(make_user("secretariat"))

    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)

    assert 'id="no-backups">无候补</p>' in page
