"""Uploaded files (session materials, application attachments, the Excel
files stashed between an import's preview and its confirmation): stored
under random names inside UPLOAD_DIR, which is outside the web root; file
names a browser or an attacker sends cannot steer where a file goes or
break the download's headers; and a file is served only through its route,
to those allowed.

Covered elsewhere: random names and the stripped folder of ``../../static/…``
(tests/consultations/test_materials.py::test_upload_and_download_a_pdf,
tests/reviews/test_applications.py::test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_an_attachment),
officials and uninvited experts refused
(test_officials_download_only_materials_of_sessions_they_see,
test_only_the_secretariat_and_admins_open_applications_and_attachments),
anonymous users sent to the login (tests/test_permissions.py::test_anonymous_is_sent_to_login),
another session confirming a stashed import
(tests/experts/test_transfer_views.py::test_another_session_cannot_confirm_an_upload)."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from tests.consultations.factories import make_session
from tests.consultations.invitation_factories import invitation_of, scheduled_session
from tests.experts.workbooks import row, workbook
from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from tests.reviews.round_factories import application_data, make_round
from thinktank import config, imports
from thinktank.consultations import participants, rsvp
from thinktank.consultations.models import SessionMaterial
from thinktank.extensions import db
from thinktank.paths import ROOT
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import ApplicationAttachment

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RANDOM_NAME = re.compile(r"[0-9a-f]{32}(\.pdf|\.xlsx)?")
CRAFTED_NAMES = [
    "../../x.pdf",
    "..\\..\\x.pdf",
    "/etc/cron.d/x.pdf",
    "C:\\Windows\\System32\\x.pdf",
    "%2e%2e%2f%2e%2e%2fx.pdf",
    "材料\x00.exe.pdf",
    "a\r\nSet-Cookie: session=forged\r\n.pdf",
    'quote"; filename=evil.exe; x=".pdf',
    "长" * 3000 + ".pdf",
    "..",
    ".pdf",
]


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat"))
    return client


def client_for(app, user):
    client = app.test_client()
    assert Auth(client).login(user).status_code == 302
    return client


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file()} if path.exists() else set()


def post_file(client, url: str, data: bytes, name: str):
    """A multipart upload whose file name arrives exactly as given (RFC 2231
    ``filename*``), control characters and quotes included, as a crafted
    request can send it."""
    boundary = "thinktank-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename*=UTF-8''{quote(name, safe='')}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_dir_is_outside_the_web_root(app, tmp_path, monkeypatch):
    monkeypatch.delenv("UPLOAD_DIR", raising=False)
    default = Path(config.from_environment(tmp_path / "instance")["UPLOAD_DIR"]).resolve()
    served = [Path(app.static_folder).resolve(), Path(app.template_folder).resolve(),
              ROOT / "thinktank", *(Path(bp.static_folder).resolve()
                                    for bp in app.blueprints.values() if bp.static_folder)]
    for upload_dir in (default, Path(app.config["UPLOAD_DIR"]).resolve()):
        for folder in served:
            assert not upload_dir.is_relative_to(folder), (upload_dir, folder)


def _material_target():
    session = make_session()
    return (f"/consultations/{session.id}/materials", SessionMaterial,
            SessionMaterial.session_id == session.id, "/consultations/materials/{}")


def _attachment_target():
    application = create_application(make_round(), application_data())
    db.session.commit()
    return (f"/reviews/applications/{application.id}/attachments", ApplicationAttachment,
            ApplicationAttachment.application_id == application.id, "/reviews/attachments/{}")


TARGETS = {"material": _material_target, "attachment": _attachment_target}


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("name", CRAFTED_NAMES)
def test_crafted_names_cannot_steer_the_file_or_the_download(app, secretariat, kind, name):
    """Either the upload is refused and leaves nothing, or the file lands in
    UPLOAD_DIR under a random name and comes back under a clean name."""
    upload_url, model, of_target, download_url = TARGETS[kind]()
    upload_dir = Path(app.config["UPLOAD_DIR"])
    before, outside = files_under(upload_dir), files_under(upload_dir.parent) - files_under(
        upload_dir)
    response = post_file(secretariat, upload_url, PDF, name)
    assert response.status_code in (302, 400), response.status_code
    row = db.session.scalar(select(model).where(of_target))
    new_files = files_under(upload_dir) - before
    assert files_under(upload_dir.parent) - files_under(upload_dir) == outside
    if row is None:
        assert new_files == set()
        return
    assert RANDOM_NAME.fullmatch(row.stored_name)
    assert [(p.name, p.read_bytes()) for p in new_files] == [(row.stored_name, PDF)]
    _assert_clean_name(row.original_name)
    _assert_safe_download(secretariat.get(download_url.format(row.id)), row.original_name)


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\x.pdf", "/etc/cron.d/x.pdf",
                                  "C:\\Windows\\System32\\x.pdf", "x\r\n.pdf", "x\u202e.pdf"])
def test_only_the_base_name_is_kept(app, secretariat, kind, name):
    upload_url, model, of_target, _download_url = TARGETS[kind]()
    assert post_file(secretariat, upload_url, PDF, name).status_code == 302
    assert db.session.scalar(select(model.original_name).where(of_target)) == "x.pdf"


@pytest.mark.parametrize("name", [name.replace(".pdf", ".xlsx") for name in CRAFTED_NAMES])
def test_crafted_import_names_do_not_name_the_stashed_file(app, secretariat, name):
    """Between preview and confirmation the workbook waits under a random
    name whatever the browser called it, and is gone once confirmed."""
    stash = Path(app.config["UPLOAD_DIR"]) / "imports"
    before = files_under(stash)
    response = post_file(secretariat, "/experts/import", workbook([row()]), name)
    new = files_under(stash) - before
    if response.status_code == 400:  # refused as a whole (no .xlsx name, control characters)
        assert new == set()
        return
    assert response.status_code == 200, response.status_code
    (kept,) = new
    assert kept.parent == stash and RANDOM_NAME.fullmatch(kept.name)
    confirm = secretariat.post("/experts/import/confirm", data={"token": kept.stem})
    assert confirm.status_code == 302 and confirm.location.endswith("/experts/")
    assert files_under(stash) == before


@pytest.mark.parametrize("token", ["../secret", "../../uploads/imports/x", "/etc/passwd",
                                   "0" * 31 + "/", "a" * 32 + "\x00", "A" * 32, ""])
def test_a_crafted_import_token_reads_and_deletes_nothing(app, token):
    with app.test_request_context():
        sentinel = Path(app.config["UPLOAD_DIR"]) / "imports" / "secret.xlsx"
        sentinel.parent.mkdir(parents=True, exist_ok=True)
        sentinel.write_bytes(b"not yours")
        (sentinel.parent.parent / "secret.xlsx").write_bytes(b"not yours either")
        assert imports.claim_upload(token) is None
        imports.discard_upload(token)
        assert sentinel.read_bytes() == b"not yours"
        assert (sentinel.parent.parent / "secret.xlsx").exists()


def test_files_are_served_only_through_their_routes(app, secretariat):
    """Knowing a stored name is no way in: no URL maps to UPLOAD_DIR."""
    session = make_session()
    post_file(secretariat, f"/consultations/{session.id}/materials", PDF, "纪要.pdf")
    material = db.session.scalar(select(SessionMaterial))
    stored = material.stored_name
    for url in (f"/static/{stored}", f"/static/../uploads/materials/{stored}",
                f"/uploads/materials/{stored}", f"/instance/uploads/materials/{stored}",
                f"/bootstrap/static/../../uploads/materials/{stored}",
                f"/consultations/materials/{stored}", "/consultations/materials/纪要.pdf",
                f"/static/%2e%2e/%2e%2e/instance/uploads/materials/{stored}"):
        response = secretariat.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert PDF not in response.data


def test_materials_are_refused_to_experts_who_declined_or_were_removed(app, make_user,
                                                                       make_expert):
    declining, removed, staying = (make_expert() for _ in range(3))
    session = scheduled_session([declining, removed, staying])
    material = _material(session)
    rsvp.respond(invitation_of(session, declining), accept=False, reason="出差")
    participants.remove_participant(invitation_of(session, removed))
    db.session.commit()
    url = f"/consultations/materials/{material.id}"
    for expert, status in ((declining, 403), (removed, 403), (staying, 200)):
        client = client_for(app, make_user("expert", expert=expert))
        response = client.get(url)
        assert response.status_code == status, (expert.name, response.status_code)
        assert (PDF in response.data) == (status == 200)


def test_draft_materials_are_refused_to_officials_and_uninvited_experts(app, make_user,
                                                                        make_expert):
    material = _material(make_session())  # a draft: nobody outside the secretariat
    url = f"/consultations/materials/{material.id}"
    for user in (make_user("official"), make_user("expert", expert=make_expert())):
        response = client_for(app, user).get(url)
        assert response.status_code in (403, 404) and PDF not in response.data


def test_attachments_are_refused_to_experts_of_another_panel(app, make_user, make_expert):
    mine, other = scoring_round(applications=1), scoring_round(applications=1)
    on_mine = [make_expert() for _ in range(5)]
    on_other = [make_expert() for _ in range(5)]
    panel_with(mine, on_mine)
    panel_with(other, on_other)
    application = applications_of(mine)[0]
    attachment = ApplicationAttachment(application=application, stored_name="0" * 32 + ".pdf",
                                       original_name="申报书.pdf", size=len(PDF), sha256="0")
    db.session.add(attachment)
    db.session.commit()
    path = attachment.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    url = f"/reviews/attachments/{attachment.id}"
    assert client_for(app, make_user("expert", expert=on_mine[0])).get(url).data == PDF
    response = client_for(app, make_user("expert", expert=on_other[0])).get(url)
    assert response.status_code == 403 and PDF not in response.data


def _material(session) -> SessionMaterial:
    from thinktank.consultations.services import add_material

    material = add_material(session, "会议材料.pdf", PDF)
    db.session.commit()
    return material


def _assert_clean_name(name: str) -> None:
    """What is kept of a sent name: a base name without folders or control characters."""
    assert name and len(name) <= 255, name
    assert "/" not in name and "\\" not in name, name
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name), repr(name)
    assert name not in (".", ".."), name


def _assert_safe_download(response, name: str) -> None:
    """The file comes back whole, under the kept name as one parameter: a
    name cannot add parameters or headers."""
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert parse_options_header(disposition) == ("attachment", {"filename": name}), disposition
    assert "forged" not in response.headers.get("Set-Cookie", "")
