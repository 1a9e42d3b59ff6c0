"""A walk over every route of the app on the demo data, plus one stored file
of each kind (a session material, an application attachment and an issued
PDF, all with Chinese names) and the few rows the demo lacks.

First every GET route as every role (and anonymous): each is opened with the
ids of real rows, one after another, until one answers 200 or the candidates
run out. Then every route with POST, PUT, PATCH and DELETE as a user holding
every role, while the SQL is watched for writes to the audit log. The
header, download, page and audit checks of this package read what the walk
kept; a new route is walked without anyone listing it."""

import itertools
import re
from dataclasses import dataclass, field

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import event, select
from werkzeug.datastructures import Headers

from tests.reviews.round_factories import make_round
from thinktank.audit.models import AuditEntry
from thinktank.auth.models import User
from thinktank.auth.services import create_user
from thinktank.consultations import services as consultation_services
from thinktank.consultations.invitation_mail import rsvp_token
from thinktank.consultations.models import (
    ConsultationSession,
    Invitation,
    SessionMaterial,
    SessionStatus,
)
from thinktank.demo.data import DEFAULT_PASSWORD
from thinktank.draws.models import Draw
from thinktank.experts.models import Conflict, Expert, ExpertiseField
from thinktank.extensions import db
from thinktank.notices.models import Notice, NoticeKind
from thinktank.notices.services import Audience, post_notice
from thinktank.notifications.models import OutboxMessage
from thinktank.permissions import Role, rule_for
from thinktank.reports import services as report_services
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.applications import add_attachment
from thinktank.reviews.models import (
    Application,
    ApplicationAttachment,
    AvoidanceRequest,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
)
from thinktank.reviews.panels import is_assigned
from thinktank.reviews.rounds import TRANSITIONS
from thinktank.reviews.scoring import SheetInput, save_sheet

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, Role.ADMIN, Role.SECRETARIAT, Role.EXPERT, Role.OFFICIAL)
# Names with Chinese characters and full-width brackets: the downloads must
# carry them as RFC 5987 ``filename*``.
MATERIAL_NAME = "会议材料（第一批）.pdf"
ATTACHMENT_NAME = "项目申报书（盖章版）.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# URL argument -> the table whose ids are tried for it.
ARGUMENT_MODELS = {
    "session_id": ConsultationSession,
    "round_id": ReviewRound,
    "expert_id": Expert,
    "application_id": Application,
    "material_id": SessionMaterial,
    "attachment_id": ApplicationAttachment,
    "document_id": IssuedDocument,
    "panel_id": ReviewPanel,
    "sheet_id": ScoreSheet,
    "notice_id": Notice,
    "invitation_id": Invitation,
    "draw_id": Draw,
    "user_id": User,
    "message_id": OutboxMessage,
    "member_id": PanelMember,
    "request_id": AvoidanceRequest,
    "conflict_id": Conflict,
    "field_id": ExpertiseField,
}
# Routes with several arguments take them from one row, so that they belong
# together: argument -> column of that row.
RELATED_ARGUMENTS = {
    frozenset({"application_id", "expert_id"}):
        (ScoreSheet, {"application_id": "application_id", "expert_id": "expert_id"}),
    frozenset({"panel_id", "member_id"}):
        (PanelMember, {"panel_id": "panel_id", "member_id": "id"}),
    frozenset({"expert_id", "conflict_id"}):
        (Conflict, {"expert_id": "expert_id", "conflict_id": "id"}),
    frozenset({"application_id", "request_id"}):
        (AvoidanceRequest, {"application_id": "application_id", "request_id": "id"}),
}
STATIC_FILES = {"static": ["thinktank.css"], "bootstrap.static": ["css/bootstrap.min.css"]}
MAX_TRIES = 150  # per route and role; the largest table of the demo has fewer rows
MAX_AFTER_REDIRECT = 8
POST_TRIES = 3  # rows per route for the other methods
NEWEST_FIRST = 2
# SQL that changes or removes audit rows (inserting is how the log grows).
AUDIT_WRITE = re.compile(r"\s*(UPDATE|DELETE|TRUNCATE|DROP|ALTER)\b.*\baudit_entries\b",
                         re.IGNORECASE | re.DOTALL)


@dataclass
class Visit:
    role: str
    endpoint: str
    url: str
    status: int
    headers: Headers
    body: bytes


@dataclass
class Walk:
    visits: list[Visit] = field(default_factory=list)
    # Documents rendered for the walk: their HTML is what WeasyPrint loads.
    document_html: list[str] = field(default_factory=list)
    # POST, PUT, PATCH and DELETE on every route (``body`` holds the method).
    other_methods: list[Visit] = field(default_factory=list)
    # The audit log before and after the walk, and any SQL that changed its rows.
    audit_before: dict[int, tuple] = field(default_factory=dict)
    audit_after: dict[int, tuple] = field(default_factory=dict)
    audit_writes: list[str] = field(default_factory=list)


def empty_database() -> None:
    """What ``clean_database`` does before each test: the walk runs before it."""
    from thinktank.experts.services import seed_fields

    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    seed_fields()
    db.session.commit()


def _demo_user(role: Role) -> User:
    return db.session.scalar(
        select(User).where(User.email == f"{role.value}@demo.thinktank.cn"))


def add_stored_files() -> list[str]:
    """What the demo lacks for every page to open: a material and an
    attachment that the demo expert may download, the expert's own score
    sheet, a draft round, a notice, and an issued PDF. Returns the HTML of
    the document."""
    secretariat, expert = _demo_user(Role.SECRETARIAT), _demo_user(Role.EXPERT)
    invited = db.session.scalars(
        select(Invitation).join(ConsultationSession).where(
            Invitation.expert_id == expert.expert_id,
            Invitation.status.in_(["invited", "accepted"]),
            ConsultationSession.status == SessionStatus.SCHEDULED.value,
        )
    ).first()
    assert invited is not None, "the demo expert has no open invitation"
    consultation_services.add_material(invited.session, MATERIAL_NAME, PDF_BYTES,
                                       user=secretariat)

    application = next(a for a in db.session.scalars(select(Application).order_by(Application.id))
                       if is_assigned(expert.expert_id, a))
    review_round, status = application.round, application.round.status
    review_round.status = "draft"  # attachments are added while the round is a draft
    add_attachment(application, ATTACHMENT_NAME, PDF_BYTES, user=secretariat)
    review_round.status = status
    save_sheet(application, expert.expert_id, SheetInput(points={}), 0, submit=False, user=expert)
    make_round(applications=1, name="2027年度中试项目遴选")  # a draft: its forms open
    post_notice("专家库年度工作安排", "请各位专家及时更新个人信息。", NoticeKind.POLICY_UPDATE,
                Audience(), user=secretariat)

    issued = db.session.scalar(select(ConsultationSession).where(
        ConsultationSession.status == SessionStatus.ISSUED.value))
    assert issued is not None, "the demo has no session with an issued opinion"
    db.session.commit()
    document = report_services.request_issue(
        "session_opinion", issued.id, "生物制造产业会商咨询意见书", user=secretariat)
    db.session.commit()
    rendered = report_services.render_document(document.id)
    assert rendered is not None and rendered.is_done, rendered and rendered.error
    return [rendered.html]


def _demo_expert_rows() -> dict[str, list[int]]:
    """The demo expert's own rows, tried first so that the expert's pages
    open without walking through everyone else's."""
    expert_id = _demo_user(Role.EXPERT).expert_id
    return {
        "expert_id": [expert_id],
        "invitation_id": list(db.session.scalars(
            select(Invitation.id).where(Invitation.expert_id == expert_id)
            .order_by(Invitation.id.desc()))),
        "application_id": [application.id for application in db.session.scalars(
            select(Application).order_by(Application.id.desc()))
            if is_assigned(expert_id, application)],
    }


def _candidates(rule, preferred: dict[str, list[int]]) -> list[dict]:
    """Argument values to try for ``rule``: real rows, the newest (those
    added by ``add_stored_files``) first, then the ``preferred`` ones."""
    names = frozenset(rule.arguments)
    if not names:
        return [{}]
    if rule.endpoint in STATIC_FILES:
        return [{"filename": name} for name in STATIC_FILES[rule.endpoint]]
    if names == {"token"}:  # RSVP links: the answerable ones first
        answerable = db.session.scalars(select(Invitation.id).join(ConsultationSession).where(
            ConsultationSession.status == SessionStatus.SCHEDULED.value,
            Invitation.status.in_(["invited", "accepted", "declined"])))
        first = set(answerable)
        rows = sorted(db.session.scalars(select(Invitation)),
                      key=lambda invitation: (invitation.id not in first, -invitation.id))
        return [{"token": rsvp_token(invitation)} for invitation in rows]
    if len(names) == 1:
        (name,) = names
        if name not in ARGUMENT_MODELS:
            pytest.fail(f"no table for <{name}> in {rule.rule}: add it to ARGUMENT_MODELS")
        model = ARGUMENT_MODELS[name]
        ids = list(db.session.scalars(select(model.id).order_by(model.id.desc())))
        # The newest rows (the world's additions), the demo expert's, then the rest.
        first = ids[:NEWEST_FIRST] + [row_id for row_id in preferred.get(name, [])
                                      if row_id in ids[NEWEST_FIRST:]]
        ids = first + [row_id for row_id in ids if row_id not in first]
        return [{name: row_id} for row_id in ids] or [{name: 1}]
    if names == {"round_id", "target"}:  # a status change to confirm: the round's next ones
        return [{"round_id": review_round.id, "target": target.value}
                for review_round in db.session.scalars(
                    select(ReviewRound).order_by(ReviewRound.id.desc()))
                for target in TRANSITIONS[RoundStatus(review_round.status)]
                ] or [{"round_id": 1, "target": RoundStatus.SCORING.value}]
    if names not in RELATED_ARGUMENTS:
        pytest.fail(f"no related rows for {sorted(names)} in {rule.rule}: "
                    "add them to RELATED_ARGUMENTS")
    model, columns = RELATED_ARGUMENTS[names]
    rows = db.session.execute(select(*(getattr(model, c) for c in columns.values()))).all()
    return [dict(zip(columns, row, strict=True)) for row in rows] or [dict.fromkeys(names, 1)]


def _allowed_endpoints(app, user) -> set[str]:
    """The endpoints whose declared rule lets ``user`` in (objects aside)."""
    with app.test_request_context():
        return {rule.endpoint for rule in app.url_map.iter_rules()
                if rule_for(rule.endpoint).allows(user)}


def _get_pass(app, walk: Walk, rules, candidates, emails, allowed) -> None:
    """Every GET route as every role, trying rows until one answers 200."""
    for role, email in emails.items():
        client = _client_for(app, email)
        for rule in rules:
            if "GET" not in rule.methods:
                continue
            # A role the rule refuses is refused before any row is read: one try.
            tries = MAX_TRIES if rule.endpoint in allowed[role] else 1
            since_redirect = None
            for values in itertools.islice(candidates[rule.rule], tries):
                url = rule.build(values, append_unknown=False)[1]
                response = client.get(url)
                walk.visits.append(Visit(str(role), rule.endpoint, url, response.status_code,
                                         Headers(response.headers), response.get_data()))
                if response.status_code == 200:
                    break
                # A form for a row that can no longer change redirects, and some
                # routes only redirect: after a redirect, try a few more rows.
                if since_redirect is None and 300 <= response.status_code < 400:
                    since_redirect = 0
                elif since_redirect is not None:
                    since_redirect += 1
                    if since_redirect == MAX_AFTER_REDIRECT:
                        break


def _other_methods_pass(app, walk: Walk, rules, candidates, email: str, user_id: int) -> None:
    """Every route with every other method, as a user holding every role:
    POST (empty, as a bare confirmation button sends it) on a few real rows,
    and PUT, PATCH and DELETE, which no route takes. Signing out comes last,
    and the walking user's own account is left alone, so that the walk
    stays signed in."""
    client = _client_for(app, email)
    last = [rule for rule in rules if rule.endpoint == "auth.logout"]
    for rule in [rule for rule in rules if rule not in last] + last:
        rows = [values for values in candidates[rule.rule] if values.get("user_id") != user_id]
        for tries, values in enumerate(rows[:POST_TRIES]):
            url = rule.build(values, append_unknown=False)[1]
            # The other methods are refused by the URL map: one row is enough.
            methods = ["POST"] if "POST" in rule.methods else []
            methods += ["PUT", "PATCH", "DELETE"] if tries == 0 else []
            for method in methods:
                response = client.open(url, method=method)
                walk.other_methods.append(Visit("all roles", rule.endpoint, url,
                                                response.status_code, Headers(response.headers),
                                                method.encode()))
                if (rule not in last
                        and "/auth/login" in response.headers.get("Location", "")):
                    pytest.fail(f"{method} {url} signed the walk out")


def _client_for(app, email: str | None):
    """A client signed in as ``email`` (None: anonymous)."""
    client = app.test_client()
    if email is not None:
        signed_in = client.post("/auth/login", data={"email": email, "password": DEFAULT_PASSWORD})
        assert signed_in.status_code == 302, (email, signed_in.status_code)
    return client


def _audit_rows() -> dict[int, tuple]:
    return {row.id: tuple(row) for row in db.session.execute(select(AuditEntry.__table__))}


def walk_site(app) -> Walk:
    """Build the world, open every GET route as every role, then try every
    other method, watching the SQL for writes to the audit log."""
    walk = Walk()
    with app.app_context():
        empty_database()
        result = app.test_cli_runner().invoke(args=["demo", "load"],
                                              env={"DEMO_PASSWORD": None, "DEMO_BASE_URL": None})
        assert result.exit_code == 0, result.output
        walk.document_html = add_stored_files()
        everyone, _password = create_user("all-roles@demo.thinktank.cn", "全部角色",
                                          list(Role), password=DEFAULT_PASSWORD)
        db.session.commit()
        rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        preferred = _demo_expert_rows()
        candidates = {rule.rule: _candidates(rule, preferred) for rule in rules}
        users = {role: _demo_user(role) if role != ANONYMOUS else AnonymousUserMixin()
                 for role in ROLES}
        allowed = {role: _allowed_endpoints(app, user) for role, user in users.items()}
        emails = {role: getattr(user, "email", None) for role, user in users.items()}
        everyone = (everyone.email, everyone.id)
        engine = db.engine
        walk.audit_before = _audit_rows()
        db.session.remove()

    def watch(conn, cursor, statement, parameters, context, executemany):
        if AUDIT_WRITE.match(statement):
            walk.audit_writes.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        _get_pass(app, walk, rules, candidates, emails, allowed)
        _other_methods_pass(app, walk, rules, candidates, *everyone)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    with app.app_context():
        walk.audit_after = _audit_rows()
        db.session.remove()
    return walk
