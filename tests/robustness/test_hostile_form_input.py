"""Values no form expects, sent through every form with free text: one
character over the limit, exactly at the limit, characters that grow when
folded or keyed (NFKC, casefold, pinyin), NUL and other control characters,
numbers far out of range; and control characters in query strings.

The property: the server never fails (no 5xx); a value over the limit, or
with control characters, is refused with the form shown again (400, 409, 422,
or 200 with the error) and nothing is written; whatever is written fits its
column (PostgreSQL refuses longer values and NUL; ``overlong_values`` and
``stored_controls`` find on SQLite what PostgreSQL would refuse).
"""

import itertools
import re

import pytest
from sqlalchemy import String, Text, func, select

from tests.robustness.importing import CJK, overlong_values
from tests.robustness.world import build_world, forms
from thinktank.extensions import db

TOO_LONG = {"one character over": lambda limit: "长" * (limit + 1)}
# Refused for the whole request, whichever field holds them: tried in one field per form.
CONTROLS = {"NUL": lambda limit: "甲\x00乙", "escape character": lambda limit: "甲\x1b[31m乙"}
# Accepted or refused, as the form decides, but never a server error or a value
# that does not fit: these grow after the form checked their length.
AT_THE_LIMIT = {
    "at the limit": lambda limit: "长" * limit,
    "NFKC grows 18 times": lambda limit: "\ufdfa" * limit,
    "casefold doubles": lambda limit: "ß" * limit,
    "pinyin of six letters": lambda limit: "双" * limit,
}
NUMBERS = ["99999999999999999999", "1e400", "-1", "NaN", "Infinity", "1" * 400, "１２"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def table_counts() -> dict[str, int]:
    """Every table's row count, in one statement."""
    tables = db.metadata.sorted_tables
    row = db.session.execute(select(*[
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in tables])).one()
    return dict(zip([table.name for table in tables], row, strict=True))


def stored_controls() -> list[tuple[str, str]]:
    """(table, column) of stored texts holding control characters."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for values in db.session.execute(select(*columns)):
            found += [(table.name, column.name) for column, value in zip(columns, values,
                                                                           strict=True)
                      if isinstance(value, str) and _CONTROL.search(value)]
    return found


@pytest.fixture
def world(app, make_user, make_expert, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)
    return build_world(app, make_user, make_expert)


class ServerError:
    """What a request answered when the app raised (the tests propagate exceptions)."""

    def __init__(self, error: Exception):
        self.status_code = f"500 ({type(error).__name__}: {str(error)[:120]})"

    def get_data(self, as_text=False):
        return ""


def send(world, name: str, field: str, value: str):
    """Post form ``name`` with valid values but ``field`` set to ``value``."""
    form = next(f for f in forms(world) if f.name == name)
    client = world.client(form.role)
    try:
        response = client.post(form.url, data={**form.data, field: value})
    except Exception as error:  # a 500 in production
        response = ServerError(error)
    db.session.rollback()
    db.session.expire_all()
    return response


def check_form(world, name: str) -> list[str]:
    """Every hostile value in every free-text and number field of form ``name``;
    the failures, described."""
    failures = []
    form = next(f for f in forms(world) if f.name == name)
    world.client(form.role)  # signs in now: a sign-in writes rows of its own
    for position, (field, limit) in enumerate(form.texts.items()):
        refused = TOO_LONG | CONTROLS if position == 0 else TOO_LONG
        for what, make in refused.items():
            before = table_counts()
            response = send(world, name, field, make(limit))
            if response.status_code == 302:  # refused on the page it came from, with a flash
                response = world.client(form.role).get(response.headers["Location"])
                shown = response.get_data(as_text=True)
                if "alert-danger" not in shown:
                    failures.append(f"{name}.{field} {what}: accepted")
            page = response.get_data(as_text=True)
            if response.status_code not in (200, 400, 409, 422) or not CJK.search(page):
                failures.append(f"{name}.{field} {what}: {response.status_code}")
            elif table_counts() != before:
                failures.append(f"{name}.{field} {what}: written ({response.status_code})")
        accepted = list(AT_THE_LIMIT.items())[:1] if form.renders else AT_THE_LIMIT.items()
        for what, make in accepted:
            response = send(world, name, field, make(limit))
            if response.status_code not in range(500):
                failures.append(f"{name}.{field} {what}: {response.status_code}")
    for field in form.numbers:
        for value in NUMBERS:
            response = send(world, name, field, value)
            if response.status_code not in range(500):
                failures.append(f"{name}.{field} = {value[:20]}: {response.status_code}")
    failures += [f"{name}: stored too long {found}" for found in overlong_values()]
    failures += [f"{name}: stored a control character in {found}" for found in stored_controls()]
    return failures


GROUPS = {
    "experts": ["expert new", "expert edit", "expert status", "conflict", "field new",
                "field edit", "term renewal", "user new", "user edit", "verify"],
    "consultations": ["session new", "session edit", "series new", "participants by hand",
                      "draw participants", "reminder hours", "minutes", "opinion",
                      "consolidated opinion", "rating", "decline in the app", "decline by link",
                      "notice", "report issue"],
    "reviews": ["round new", "round edit", "group", "application new", "application edit",
                "avoidance", "panel member", "panel draw", "panel member removal", "score sheet",
                "sheet conflict", "sheet reopening", "group opinion", "group opinion dissent"],
}


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_values_in_forms_are_refused_or_stored_whole(world, group):
    assert sorted(sum(GROUPS.values(), [])) == sorted(f.name for f in forms(world))
    failures = []
    for name in GROUPS[group]:
        failures += check_form(world, name)
    assert failures == [], "\n".join(failures)


QUERIES = [
    "/experts/?q=", "/experts/?valid_on=", "/consultations/?status=", "/admin/audit?action=",
    "/consultations/calendar?month=", "/portal/documents?kind=", "/admin/outbox?status=",
    "/verify?code=", "/reviews/?page=",
]


def test_hostile_query_strings_never_fail_the_server(world):
    for value, role, url in itertools.product(
            ["甲\x00乙", "\x1b", "长" * 5000, "\ufdfa" * 100, "'; --", "%", "_", "\\"],
            ("secretariat", "admin", "official"), QUERIES):
        path, key = url.rstrip("=").split("?")
        response = world.client(role).get(path, query_string={key: value})
        assert response.status_code < 500, (role, url, value[:10])
        if _CONTROL.search(value):
            assert response.status_code in (400, 403), (role, url)
