"""Numbers too large for the database in every integer part of every address,
and in the integer query parameters: never a 500 (SQLite fails past 2**63,
PostgreSQL's INTEGER columns past 2**31).

An id that no INTEGER column holds matches no route (404); a query parameter
read as a number answers 400 with a message; the largest id a row can have
goes through to the database and finds nothing. Every route of the URL map is
walked, as every role that may open it, so a new route is walked without
anyone listing it."""

import itertools

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from tests.robustness.world import build_world
from tests.security.walk import ARGUMENT_MODELS
from thinktank.extensions import db
from thinktank.permissions import Role, rule_for

LARGEST = 2**31 - 1  # the largest id of an INTEGER column: the database takes it
HUGE = (2**31, 2**63 - 1, 2**63, 2**64)
ROLES = ("anonymous", *(role.value for role in Role))
TOO_LARGE = "网址中的数字过大"
# The views that read a number from the query string: the listings (``page``)
# and the results of a round (``group``).
READ_NUMBERS = {"experts.index", "consultations.index", "reviews.round_detail",
                "notifications.outbox", "admin.audit", "reports.index", "portal.documents",
                "reviews.results_page", "reviews.results_export"}


@pytest.fixture
def world(app, make_user, make_expert):
    world = build_world(app, make_user, make_expert)
    # Real rows for the other parts of an address: the newest of each table.
    world.ids["rows"] = {
        name: db.session.scalar(select(model.id).order_by(model.id.desc())) or 1
        for name, model in ARGUMENT_MODELS.items()}
    world.ids["rows"]["target"] = "scoring"  # a round's next status (reviews.change_status)
    return world


def _roles_that_may_open(app, endpoint: str) -> list[str]:
    with app.test_request_context():
        rule = rule_for(endpoint)
    if rule.kind == "public":
        return list(ROLES)
    if rule.kind == "signed_in":
        return list(ROLES[1:])
    return [role for role in ROLES[1:] if role in rule.roles]


def _integer_parts(rule) -> list[str]:
    return [name for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)]


def _open(world, role: str, method: str, url: str, failures: list):
    """The response, or None after noting a 500 or an exception in ``failures``."""
    try:
        response = world.client(role).open(url, method=method)
    except Exception as error:  # the test client raises what the app did not handle
        failures.append((role, method, url, repr(error)[:200]))
        return None
    if response.status_code >= 500:
        failures.append((role, method, url, response.status_code))
        return None
    return response


def test_no_id_in_an_address_is_too_large_for_a_500(app, world):
    failures, not_404, walked = [], [], set()
    for rule in app.url_map.iter_rules():
        parts = _integer_parts(rule)
        if not parts:
            continue
        methods = sorted(rule.methods & {"GET", "POST"})
        roles = _roles_that_may_open(app, rule.endpoint)
        for part, value, role, method in itertools.product(
                parts, (LARGEST, *HUGE), roles, methods):
            values = {name: world.ids["rows"][name] for name in rule.arguments}
            url = rule.build({**values, part: value}, append_unknown=False)[1]
            response = _open(world, role, method, url, failures)
            walked.add(rule.rule)
            if response is not None and value in HUGE and response.status_code != 404:
                not_404.append((role, method, url, response.status_code))
    assert failures == []
    assert not_404 == [], not_404
    # Every route with a number in its address was walked.
    assert walked == {rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule}


def test_a_number_too_large_in_the_query_string_is_a_400_with_a_message(app, world):
    failures, refused, ok_at_the_largest = [], set(), set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in {"static", "bootstrap.static"}:
            continue
        values = {name: world.ids["rows"].get(name) for name in rule.arguments}
        if "token" in values:
            values["token"] = world.ids["rsvp_token"]
        url = rule.build(values, append_unknown=False)[1]
        # As the first role that may open the page and gets it.
        role = next((role for role in _roles_that_may_open(app, rule.endpoint)
                     if world.client(role).get(url).status_code == 200), None)
        if role is None:
            continue
        for value in HUGE:
            response = _open(world, role, "GET", f"{url}?page={value}&group={value}"
                             f"&per_page={value}", failures)
            if response is not None and response.status_code == 400:
                assert TOO_LARGE in response.get_data(as_text=True), url
                refused.add(rule.endpoint)
        response = _open(world, role, "GET", f"{url}?page={LARGEST}", failures)
        if response is not None and response.status_code == 200:
            ok_at_the_largest.add(rule.endpoint)
    assert failures == []
    assert refused == READ_NUMBERS
    # The largest page that can exist is an empty page, not an error.
    assert READ_NUMBERS <= ok_at_the_largest


def test_a_group_that_cannot_exist_is_a_404(app, world):
    client = world.client("secretariat")
    url = f"/reviews/{world.ids['scoring_round']}/results"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?group={LARGEST}").status_code == 404
    assert client.get(f"{url}.xlsx?group={LARGEST}").status_code == 404
    refused = client.get(f"{url}?group={2**64}")
    assert refused.status_code == 400 and TOO_LARGE in refused.get_data(as_text=True)


def test_digits_that_are_no_number_are_refused_not_a_500(app, world):
    """"²" is a digit to ``str.isdigit`` but not a number to ``int``."""
    client = world.client("secretariat")
    attendance = client.post(f"/consultations/{world.ids['held_session']}/attendance",
                             data={"attendance-²": "present"})
    reminders = client.post(f"/consultations/{world.ids['draft_session']}/reminders",
                            data={"hours": "72, ²"})
    assert (attendance.status_code, reminders.status_code) == (400, 400)
    assert "整数" in reminders.get_data(as_text=True)
