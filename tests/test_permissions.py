"""The permission walk: every endpoint has a declared rule, the rule is the
one this table expects, and the server enforces it for every role.

The table is written by hand on purpose: adding a route means deciding here
who may use it, and a wrong declaration in the code fails this test."""

import re

import pytest

from thinktank.permissions import Role, rule_for

A, S, E, OF = Role.ADMIN, Role.SECRETARIAT, Role.EXPERT, Role.OFFICIAL
PUBLIC, SIGNED_IN = "public", "signed_in"

EXPECTED = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.set_locale": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "main.index": SIGNED_IN,
    "main.healthz": PUBLIC,
    "main.favicon": PUBLIC,
    "admin.users": {A},
    "admin.user_new": {A},
    "admin.user_edit": {A},
    "admin.user_reset_password": {A},
    "admin.audit": {A},
    "admin.audit_export": {A},
    "experts.index": {S, A, OF},
    "experts.detail": SIGNED_IN,  # object rule: an expert sees only their own record
    "experts.create": {S},
    "experts.edit": {S},
    "experts.change_status": {S},
    "experts.add_conflict": {S},
    "experts.remove_conflict": {S},
    "experts.fields": {S, A},  # the administrator reads the taxonomy
    "experts.add_field": {S},
    "experts.edit_field": {S},
    "experts.import_upload": {S},
    "experts.import_template": {S},
    "experts.import_confirm": {S},
    "experts.export": {S},  # the file holds mobiles and emails
    "draws.detail": {S, A},
    "notifications.outbox": {A, S},
    "notifications.retry": {A, S},
    "consultations.index": {S, A, OF},
    "consultations.month_calendar": {S, A, OF},
    "consultations.detail": {S, A, OF},  # object rule: officials see held sessions and later
    "consultations.create": {S},
    "consultations.edit": {S},
    "consultations.cancel": {S},
    "consultations.create_series": {S},
    "consultations.upload_material": {S},
    "consultations.download_material": SIGNED_IN,  # object rule: readers and invited experts
    "reports.index": {S, A},
    "reports.issue": {S},
    "reports.detail": {S, A},
    "reports.reissue": {S},
    "reports.download": {S, A},
    "reports.verify": PUBLIC,
    "portal.overview": {OF, S, A},
    "portal.documents": {OF, S, A, E},  # object rule: experts see their sessions' and rounds'
    "portal.download": {OF, S, A, E},  # object rule as for portal.documents
    "consultations.attendance": {S, A},
    "consultations.record_attendance": {S},
    "consultations.minutes": {S, A, OF},  # object rule: officials see held sessions and later
    "consultations.save_minutes": {S},
    "consultations.minutes_history": {S, A, OF},  # object rule as for the minutes
    "consultations.consolidated": {S, A, OF},  # object rule as for the minutes
    "consultations.collect_opinions": {S},
    "consultations.issue_opinion": {S},
    "consultations.my_opinion": {E},  # object rule: only an expert who attended
    "consultations.submit_opinion": {E},  # object rule: only an expert who attended
    "consultations.participants": {S},
    "consultations.add_participants": {S},
    "consultations.add_by_filter": {S},
    "consultations.draw_participants": {S},
    "consultations.remove_participant": {S},
    "consultations.promote_backup": {S},
    "consultations.schedule": {S},
    "consultations.set_reminders": {S},
    "consultations.my_invitations": {E},
    "consultations.invitation": {E},  # object rule: only the expert's own invitation
    "consultations.rsvp": PUBLIC,  # the signed link is the credential
    "reviews.index": {S, A, OF},  # officials see published rounds only
    "reviews.round_detail": {S, A, OF},  # object rule: officials see published rounds only
    "reviews.round_create": {S},
    "reviews.round_edit": {S},
    "reviews.change_status": {S},
    "reviews.add_group": {S},
    "reviews.application_create": {S},
    "reviews.application_detail": {S, A},  # object rule: access.can_view_application
    "reviews.application_edit": {S},
    "reviews.upload_attachment": {S},
    "reviews.download_attachment": {S, A, E},  # object rule: access.can_view_application
    "reviews.add_avoidance": {S},
    "reviews.remove_avoidance": {S},
    "reviews.import_upload": {S},
    "reviews.import_confirm": {S},
    "reviews.progress_page": {S, A},
    "reviews.remind_now": {S},
    "reviews.results_page": {S, A, OF},  # object rule: officials once the round is published
    "reviews.results_export": {S, A, OF},  # object rule as for the results page
    "reviews.round_opinions": {S, A},
    "reviews.my_opinions": {E},
    "reviews.opinion_edit": {E},  # object rule: only the leader of the application's panel
    "reviews.opinion_answer": {E},  # object rule: only an expert who scores the application
    "reviews.panels_page": {S, A, OF},  # object rule: officials only once the round is published
    "reviews.create_panels": {S},
    "reviews.panel_detail": {S, A, OF},  # object rule as for reviews.panels_page
    "reviews.panel_draw": {S},
    "reviews.panel_add_member": {S},
    "reviews.panel_remove_member": {S},
    "reviews.panel_set_leader": {S},
    "reviews.panel_replace_member": {S},
    "reviews.my_assignments": {E},
    "reviews.sheet": {E},  # object rule: the expert's own sheet of an assigned application
    "reviews.sheet_conflict": {E},  # object rule as for reviews.sheet
    "reviews.sheet_by_id": {S, E},  # object rule: an expert opens only their own sheet
    "reviews.proxy_sheet": {S},
    "reviews.proxy_answer": {S},
    "reviews.reopen_sheet": {S},
    "honoraria.session_preview": {S},
    "honoraria.session_export": {S},
    "honoraria.round_preview": {S},
    "honoraria.round_export": {S},
    "experts.terms_page": {S, A},
    "experts.renew_term": {S},
    "notices.index": {S, A},
    "notices.create": {S},
    "notices.detail": {S, A},
    "notices.my_notices": {E},
    "notices.my_notice": {E},  # object rule: only a notice addressed to the expert
    "records.expert_history_page": {S, A, E},  # object rule: an expert sees only their own
    "records.session_ratings": {S},
    "records.round_ratings": {S},
}

ROLES = [A, S, E, OF]
# The sample expert is not the expert user's own: these answer them 403.
OWN_RECORD = {"experts.detail", "records.expert_history_page"}


@pytest.fixture
def world(app, make_user, make_expert):
    """One user per role; the expert user owns one record, another exists."""
    from tests.consultations.factories import make_session
    from tests.reviews.round_factories import make_round
    from thinktank.consultations.models import Invitation
    from thinktank.experts.models import ExpertiseField
    from thinktank.experts.services import add_conflict
    from thinktank.extensions import db
    from thinktank.reviews.models import ReviewPanel, RoundStatus

    own = make_expert(name="自己")
    other = make_expert(name="别人")
    conflict = add_conflict(other, "某公司", "曾任职", None)
    db.session.commit()
    users = {role: make_user(role, expert=own if role == E else None) for role in ROLES}
    field_id = db.session.scalar(db.select(ExpertiseField.id))
    held = make_session(status="held")
    db.session.add(Invitation(session=held, expert_id=own.id, status="accepted", source="manual",
                              attendance="present"))  # the expert may open their opinion
    db.session.commit()
    published = make_round(status=RoundStatus.PUBLISHED)
    published_panel = ReviewPanel(round=published)
    db.session.add(published_panel)
    db.session.commit()
    samples = {
        "expert_id": other.id,
        "user_id": users[S].id,
        "conflict_id": conflict.id,
        "field_id": field_id,
        "filename": "thinktank.css",
        "draw_id": 1,
        "message_id": 1,  # outbox row; the rule is checked before the row is looked up
        "session_id": held.id,  # officials may read held sessions
        "material_id": 1,  # the rule is checked before the row is looked up
        "document_id": 1,  # issued document; the rule is checked before the row is looked up
        "invitation_id": 1,  # the rule is checked before the row is looked up
        "token": "not-a-signed-token",  # the public RSVP page answers 400
        "round_id": published.id,  # officials read published
        "target": RoundStatus.SCORING.value,  # a round's status change to confirm
        "panel_id": published_panel.id,  # officials see panels of published rounds
        "member_id": 1,  # the rule is checked before the row is looked up
        "sheet_id": 1,
        "application_id": 1,  # the rule is checked before the row is looked up
        "attachment_id": 1,
        "request_id": 1,
        "notice_id": 1,  # none exists: 404 for the allowed roles
    }
    return {"users": users, "own": own, "other": other, "samples": samples}


def _expected_roles(expected):
    if expected == PUBLIC:
        return None
    if expected == SIGNED_IN:
        return set(ROLES)
    return expected


def _url(rule, samples):
    values = {}
    for name in rule.arguments:
        if name not in samples:
            pytest.fail(f"no sample for <{name}> in {rule.rule}: add one to the world fixture")
        values[name] = samples[name]
    return rule.build(values)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


def test_every_endpoint_declares_a_rule_and_is_in_the_table(app):
    with app.test_request_context():
        undeclared = sorted(
            rule.endpoint for rule in app.url_map.iter_rules() if rule_for(rule.endpoint) is None
        )
    assert undeclared == [], f"endpoints without an access rule: {undeclared}"
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()} - EXPECTED.keys())
    assert missing == [], f"endpoints missing from EXPECTED: {missing}"


def test_declared_rules_match_the_table(app):
    with app.test_request_context():
        for endpoint, expected in EXPECTED.items():
            rule = rule_for(endpoint)
            assert rule is not None, endpoint
            if expected == PUBLIC:
                assert rule.kind == "public", endpoint
            elif expected == SIGNED_IN:
                assert rule.kind == "signed_in", endpoint
            else:
                assert rule.kind == "roles" and set(rule.roles) == expected, endpoint


def test_anonymous_is_sent_to_login(app, world):
    client = app.test_client()
    for rule, method in _routes(app):
        expected = EXPECTED[rule.endpoint]
        if expected == PUBLIC:
            continue
        response = client.open(_url(rule, world["samples"]), method=method)
        assert response.status_code == 302, (rule.endpoint, method, response.status_code)
        assert "/auth/login" in response.headers["Location"], rule.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_every_route(app, world, role):
    from tests.helpers import Auth

    client = app.test_client()
    assert Auth(client).login(world["users"][role]).status_code == 302
    for rule, method in _routes(app):
        allowed = _expected_roles(EXPECTED[rule.endpoint])
        if rule.endpoint in {"auth.logout", "auth.login", "auth.set_locale"}:
            continue  # these change the session under test
        url = _url(rule, world["samples"])
        if allowed is not None and role not in allowed:
            response = client.open(url, method=method)
            assert response.status_code == 403, (role, rule.endpoint, method, response.status_code)
        elif method == "GET":
            response = client.get(url)
            location = response.headers.get("Location", "")
            assert response.status_code != 403 or rule.endpoint in OWN_RECORD, (
                role, rule.endpoint, response.status_code)
            assert not re.search(r"/auth/login", location), (role, rule.endpoint)


def test_expert_opens_only_their_own_record(app, world):
    from tests.helpers import Auth

    client = app.test_client()
    Auth(client).login(world["users"][E])
    assert client.get(f"/experts/{world['own'].id}").status_code == 200
    assert client.get(f"/experts/{world['other'].id}").status_code == 403
    assert client.get("/experts/").status_code == 403
    assert client.get("/experts/999999").status_code == 404


def test_official_reads_records_without_contacts(app, world):
    from tests.helpers import Auth

    client = app.test_client()
    Auth(client).login(world["users"][OF])
    other = world["other"]
    for url in ("/experts/", f"/experts/{other.id}"):
        page = client.get(url).get_data(as_text=True)
        assert other.name in page
        assert other.mobile not in page and other.email not in page
    secretariat = app.test_client()
    Auth(secretariat).login(world["users"][S])
    page = secretariat.get(f"/experts/{other.id}").get_data(as_text=True)
    assert other.mobile in page and other.email in page

