"""Script-bearing text in every free-text field the forms reach, then every
page, export and PDF that can show it.

The property: HTML never carries the payload as markup (only escaped, and the
escaped form does appear, so the pages were really checked); the answers to the
posts themselves (error messages that repeat what was typed) escape it too;
Excel exports hold it as text, never as a formula; PDFs show it as literal text.
"""

import io
import itertools
import re
import subprocess

import pytest
from openpyxl import load_workbook

from tests.consultations.proceedings_factories import close_opinions
from tests.robustness.world import build_world, forms
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.draws.models import Draw
from thinktank.experts.models import Conflict, Expert, ExpertiseField
from thinktank.extensions import db
from thinktank.notices.models import Notice
from thinktank.reports import services as report_services
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import (
    Application,
    AvoidanceRequest,
    PanelMember,
    ReviewGroup,
    ReviewPanel,
    ReviewRound,
    ScoreSheet,
)

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
SHORT = "<img src=x onerror=alert(1)>"
TINY = '"><svg/onload=1>'
# Bidi override, joiners, an emoji sequence, a regional-indicator flag, a line separator.
UNICODE = " \u202eRTL\u202c \u200d👩\u200d🔬 \U0001f1e8\U0001f1f3 \u2028"
RAW = ["<script>alert(1)</script>", "<img src=x onerror", "<svg/onload"]
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
           "&lt;svg/onload=1&gt;"]


def payload(limit: int) -> str:
    """The most hostile text that fits ``limit`` characters."""
    if limit >= len(PAYLOAD + UNICODE):
        return PAYLOAD + UNICODE
    if limit >= len(PAYLOAD):
        return PAYLOAD
    return SHORT if limit >= len(SHORT) else TINY


def raw_markup(page: str) -> list[str]:
    """The payloads found as markup, each with some context."""
    found = []
    for marker in RAW:
        for match in re.finditer(re.escape(marker), page):
            found.append(page[max(0, match.start() - 80):match.end() + 40])
    return found


@pytest.fixture
def world(app, make_user, make_expert, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)
    world = build_world(app, make_user, make_expert)
    # The payload goes into every free-text field, through the real forms.
    # (Issuing a document renders a PDF: the PDF test issues them, with the payload as title.)
    for name in [form.name for form in forms(world) if form.name != "report issue"]:
        form = next(f for f in forms(world) if f.name == name)  # versions as they are now
        data = {**form.data, **{name: payload(limit) for name, limit in form.texts.items()
                                if name not in form.ruled}}
        client = world.client(form.role)
        if name == "consolidated opinion":  # the deadline passes, the opinions are collected
            close_opinions(db.session.get(ConsultationSession, world.ids["held_session"]))
            client.post(f"/consultations/{world.ids['held_session']}/opinions/collect")
        response = client.post(form.url, data=data)
        pages = [response]
        if response.status_code == 302:
            pages.append(client.get(response.headers["Location"]))
        for page in pages:
            assert page.status_code < 500, form.name
            assert raw_markup(page.get_data(as_text=True)) == [], form.name
    # ...and into what the experts and the secretariat name: uploads and the import.
    world.client("secretariat").post(
        f"/consultations/{world.ids['draft_session']}/materials",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), f"{SHORT}.pdf")},
        content_type="multipart/form-data")
    return world


ARGUMENTS = {
    "expert_id": Expert, "conflict_id": Conflict, "field_id": ExpertiseField, "draw_id": Draw,
    "session_id": ConsultationSession, "invitation_id": Invitation, "round_id": ReviewRound,
    "panel_id": ReviewPanel, "member_id": PanelMember, "sheet_id": ScoreSheet,
    "application_id": Application, "request_id": AvoidanceRequest, "notice_id": Notice,
    "document_id": IssuedDocument, "group_id": ReviewGroup,
}
SKIPPED = {"static", "bootstrap.static", "auth.login", "main.healthz"}
ROLES = ("secretariat", "admin", "official", "expert", "expert2")


def urls(app, world) -> list[str]:
    """Every GET page with every object of the world (a few of each kind)."""
    from thinktank.auth.models import User
    from thinktank.consultations.invitation_mail import rsvp_token
    from thinktank.consultations.models import SessionMaterial
    from thinktank.notifications.models import OutboxMessage
    from thinktank.reviews.models import ApplicationAttachment, RoundStatus

    values = {name: db.session.scalars(db.select(model.id).order_by(model.id.desc())
                                       .limit(6)).all()
              for name, model in ARGUMENTS.items()}
    values["user_id"] = db.session.scalars(db.select(User.id)).all()
    values["message_id"] = db.session.scalars(db.select(OutboxMessage.id).limit(2)).all()
    values["material_id"] = db.session.scalars(db.select(SessionMaterial.id)).all()
    values["attachment_id"] = db.session.scalars(db.select(ApplicationAttachment.id)).all()
    values["token"] = [rsvp_token(i) for i in db.session.scalars(db.select(Invitation))]
    values["target"] = [status.value for status in RoundStatus]  # confirmation pages
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values[name] for name in names)):
            found.append(rule.build(dict(zip(names, combination, strict=True)))[1])
    return found


def test_no_page_shows_the_payload_as_markup_and_exports_keep_it_as_text(app, world):
    escaped = 0
    checked = 0
    pages = urls(app, world)
    for role, url in itertools.product(ROLES, pages):
        response = world.client(role).get(url)
        assert response.status_code < 500, (role, url)
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        checked += 1
        assert raw_markup(page) == [], (role, url)
        escaped += sum(page.count(marker) for marker in ESCAPED)
    assert checked > 200 and escaped > 200, (checked, escaped)
    client = world.client("secretariat")
    exports = [client.get("/experts/export"),
               client.get(f"/reviews/{world.ids['draft_round']}/results.xlsx"),
               client.get(f"/honoraria/sessions/{world.ids['held_session']}.xlsx")]
    for response in exports:
        assert response.status_code == 200, response.request.path
        cells = _texts_of_workbook(response.data)
        assert any(SHORT in cell.value for cell in cells), response.request.path
        assert [c.coordinate for c in cells if c.data_type != "s"] == []


def _texts_of_workbook(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def _texts_of_workbook(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


# (kind, its subject, how many times the payload shows at least)
DOCUMENTS = [("session_opinion", "held_session", 3), ("application_opinion", "scored", 3),
             ("round_results", "scoring_round", 1), ("pool_statistics", None, 2)]


def test_pdfs_show_the_payload_as_literal_text(world, tmp_path):
    client = world.client("secretariat")
    # The results are locked, as finalizing would (its own tests cover the step).
    db.session.get(ReviewRound, world.ids["scoring_round"]).status = "finalized"
    db.session.commit()
    for kind, subject, minimum in DOCUMENTS:
        data = {"kind": kind, "title": PAYLOAD, "allow_missing_glyphs": "y"}
        if subject:
            data["subject_id"] = str(world.ids[subject])
        else:  # issued under the number the page names
            data["sequence"] = str(report_services.upcoming_sequence()[0])
        response = client.post("/reports/issue", data=data)
        assert response.status_code == 302, (kind, re.findall(
            r"alert-danger[^>]*>\s*([^<]+)", response.get_data(as_text=True)))
        document_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        page = client.get(f"/reports/{document_id}").get_data(as_text=True)
        assert raw_markup(page) == []
        pdf = client.get(f"/reports/{document_id}/download")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-"), kind
        text = re.sub(r"\s+", "", _pdf_text(pdf.data, tmp_path))
        # The title, and the texts typed into the forms (opinions, names...), as typed.
        assert text.count(re.sub(r"\s+", "", PAYLOAD)) >= minimum, kind
