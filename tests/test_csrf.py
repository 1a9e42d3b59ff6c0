"""Every POST route refuses a request without a valid CSRF token."""

import re

import pytest

from tests.helpers import PASSWORD
from thinktank import create_app


@pytest.fixture
def csrf_app(app_config):
    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_every_post_route_needs_a_valid_token(csrf_app, make_user):
    user = make_user("admin", "secretariat", "official", "expert")
    client = csrf_app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 400  # the sign-in form needs its token too
    response = client.post("/auth/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": _token(login_page)})
    assert response.status_code == 302
    post_rules = [r for r in csrf_app.url_map.iter_rules() if "POST" in r.methods]
    assert post_rules
    for rule in post_rules:
        url = rule.build({name: 1 for name in rule.arguments})[1]
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, (rule.endpoint, data, response.status_code)
            assert "表单已过期" in response.get_data(as_text=True), rule.endpoint
