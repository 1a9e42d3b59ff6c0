"""Shared steps of the document tests: issue and render a document, check the
PDF's fonts and page numbers, and save its first page for the documentation."""

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import IssuedDocument
from thinktank.timeutil import utcnow

from .helpers import RARE_NAMES, pdf_fonts, pdf_info, pdf_text


def issued(kind: str, subject_id: int, title: str = "测试文件") -> IssuedDocument:
    """Issue the document and render its PDF at once."""
    document = services.request_issue(kind, subject_id, title)
    db.session.commit()
    rendered = services.render_document(document.id)
    assert rendered is not None and rendered.is_done, rendered and rendered.error
    return rendered


def confirmed(form: dict) -> dict:
    """``form`` as the documents page sends it: with the number it named
    (a document without a subject is issued only under the number shown)."""
    return {**form, "sequence": services.upcoming_sequence()[0]}


def checked_text(document: IssuedDocument, tmp_path: Path) -> str:
    """The PDF's text, after checking what every document must have: fonts all
    embedded with the CJK ones among them, page numbers, A4, the page count."""
    fonts = pdf_fonts(document.pdf, tmp_path)
    assert fonts and all(font["emb"] == "yes" for font in fonts), fonts
    assert any("CJK-SC" in font["name"] for font in fonts), fonts
    pages, _size = pdf_info(document.pdf, tmp_path)
    assert pages == document.page_count
    text = pdf_text(document.pdf, tmp_path)
    assert re.search(r"—\s*1\s*—", text)
    assert text.count("\f") == pages  # pdftotext ends every page with a form feed
    assert document.number in text and document.display_code in text
    return text


def squeezed(text: str) -> str:
    """The text without white space: pdftotext breaks lines inside table cells."""
    return re.sub(r"\s+", "", text)


def save_first_page(document: IssuedDocument, kind: str, tmp_path: Path,
                    screenshots: Path) -> Path:
    """Page 1 as PNG in ``screenshots`` (the fixture), as report-<kind>.png."""
    source = tmp_path / f"{kind}.pdf"
    source.write_bytes(document.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(source),
                    str(tmp_path / kind)], check=True, timeout=60)
    image = tmp_path / f"{kind}.png"
    assert image.read_bytes().startswith(b"\x89PNG")
    target = screenshots / f"report-{kind}.png"
    shutil.copyfile(image, target)
    return target


def reviewed_round(make_expert, applications: int = 3, experts: int = 5, *,
                   status: str = "finalized", conflict: bool = False,
                   groups: tuple[str, ...] = ()):
    """``(round, applications, experts)``: a round with one panel (rare names
    among its experts, the first the leader), every sheet submitted with
    varied totals, a group opinion on the first application confirmed by one
    member and dissented by another, then put in ``status``. Applications
    go to ``groups`` in turn, if named."""
    from tests.reviews.outcome_factories import add_sheet
    from tests.reviews.panel_factories import applications_of, panel_with
    from tests.reviews.round_factories import application_data, make_round
    from thinktank.reviews.applications import create_application
    from thinktank.reviews.models import GroupOpinion, OpinionConfirmation, SheetStatus

    review_round = make_round(scoring_deadline=utcnow() + timedelta(days=7))
    for number in range(applications):
        group = groups[number % len(groups)] if groups else None
        create_application(review_round, application_data(group_name=group))
    db.session.commit()
    names = [*RARE_NAMES, *(f"评审专家{n}" for n in range(experts))][:experts]
    members = [make_expert(name=name, title="研究员") for name in names]
    panel = panel_with(review_round, members)
    panel.members[0].is_leader = True
    items = applications_of(review_round)
    for a, application in enumerate(items):
        for e, expert in enumerate(members):
            if conflict and a == 0 and e == len(members) - 1:
                sheet = add_sheet(review_round, application, expert,
                                  status=SheetStatus.CONFLICT)
                sheet.conflict_reason = "曾在申报单位任职"
                continue
            total = f"{55 + (a * 13 + e * 7) % 44}.{(a + e) % 10}"
            add_sheet(review_round, application, expert, total,
                      recommendation="推荐" if (a + e) % 3 else "不推荐")
    opinion = GroupOpinion(application=items[0], drafted_by_id=members[0].id,
                           text="该项目技术路线清晰，产业化前景较好。\n建议予以支持。")
    opinion.confirmations = [
        OpinionConfirmation(expert_id=members[0].id, verdict="confirmed"),
        OpinionConfirmation(expert_id=members[1].id, verdict="dissent",
                            reason="投资估算依据不足"),
    ]
    db.session.add(opinion)
    review_round.status = status
    db.session.commit()
    return review_round, items, members


def queries_of(count_queries, build_context, subject_id: int) -> int:
    """How many statements ``build_context`` runs for ``subject_id`` from a cold session."""
    db.session.expire_all()
    with count_queries() as counter:
        build_context(subject_id)
    return counter.count
