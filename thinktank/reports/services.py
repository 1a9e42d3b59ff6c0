"""Issuing, rendering, downloading and verifying PDF documents.

Issuing (``request_issue``, ``reissue``) gives the document its number and
verification code, builds its HTML and checks that the report fonts cover
every character, all in the caller's transaction. A document about a subject
(an application, a session...) is issued once: a correction is a new version
of its number (``reissue``), never a second number. Rendering
(``render_document``) turns that HTML into the PDF later, outside the web
request, and freezes the bytes with their SHA-256.
"""

import base64
import hashlib
import secrets
from datetime import date, timedelta
from html.parser import HTMLParser

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports.fonts import uncovered_characters
from thinktank.reports.models import DocumentCounter, DocumentStatus, IssuedDocument
from thinktank.reports.registry import DocumentKind, get_kind
from thinktank.timeutil import to_display, today_in_display_zone, utcnow

# The page number as GB/T 9704 prints it: — 3 — (the dashes are em dashes).
PAGE_NUMBER_SIDES = ("— ", " —")
CODE_LENGTH = 10  # base32 characters: 50 random bits
# A render that has not finished after this long is taken to have died with its process.
STALE_RENDER = timedelta(minutes=10)


class MissingGlyphs(DomainError):
    """Characters of the document that no configured report font can draw."""

    def __init__(self, characters: list[str]):
        listed = "、".join(f"{char}（U+{ord(char):04X}）" for char in characters)
        super().__init__(_(
            "These characters are not in the report fonts and would print as empty boxes: "
            "%(characters)s. Correct the data or install fonts that cover them, or issue "
            "the document anyway.",
            characters=listed,
        ))
        self.characters = characters


class AlreadyIssued(DomainError):
    """The subject already has its document of this kind: a second number
    would be a second official document with the same content."""

    status_code = 409

    def __init__(self, document: IssuedDocument):
        super().__init__(_(
            "This document has already been issued as %(number)s; issuing it again would "
            "use up another number. To correct it, issue a corrected version of %(number)s: "
            "it keeps the number.",
            number=document.number,
        ))
        self.document = document


class NumberChanged(DomainError):
    """The number the issuer was shown has been taken by another document meanwhile."""

    status_code = 409

    def __init__(self, number: str):
        super().__init__(_(
            "The number shown has been taken by another document meanwhile. The document "
            "would now take %(number)s: check the number and confirm again.",
            number=number,
        ))
        self.number = number


def chinese_date(day: date) -> str:
    """A date as Chinese official documents write it: 2026年11月28日."""
    return f"{day.year}年{day.month}月{day.day}日"


def issued_on(document: IssuedDocument) -> str:
    """The document's date as printed on it (the issue date in the display zone)."""
    return chinese_date(to_display(document.issued_at).date())


def document_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def report_fonts() -> tuple[str, str]:
    """The configured (serif, sans) font families."""
    return current_app.config["REPORT_FONT_SERIF"], current_app.config["REPORT_FONT_SANS"]


def new_verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode()[:CODE_LENGTH]


def normalise_code(text: str) -> str:
    """What a person typed as a code: any case, spaces and dashes ignored,
    and 0/1 read as the O/I that base32 uses instead."""
    kept = "".join(char for char in text.upper() if char.isalnum())
    return kept.replace("0", "O").replace("1", "I")


def next_sequence(prefix: str, year: int) -> int:
    """The next number of ``prefix`` in ``year``, taken in the current transaction.

    The UPDATE locks the counter row until commit, so a concurrent issue waits
    and then takes the following number; a rollback gives the number back."""
    increment = (
        update(DocumentCounter)
        .where(DocumentCounter.prefix == prefix, DocumentCounter.year == year)
        .values(last_sequence=DocumentCounter.last_sequence + 1)
        .returning(DocumentCounter.last_sequence)
        .execution_options(synchronize_session=False)
    )
    sequence = db.session.execute(increment).scalar_one_or_none()
    if sequence is not None:
        return sequence
    try:
        with db.session.begin_nested():
            db.session.add(DocumentCounter(prefix=prefix, year=year, last_sequence=1))
        return 1
    except IntegrityError:
        # Another issue created the year's counter meanwhile: increment that one.
        return db.session.execute(increment).scalar_one()


def upcoming_sequence() -> tuple[int, str]:
    """The sequence and number the next issue would take now (not reserved)."""
    prefix = current_app.config["REPORT_NUMBER_PREFIX"]
    year = today_in_display_zone().year
    last = db.session.scalar(select(DocumentCounter.last_sequence).where(
        DocumentCounter.prefix == prefix, DocumentCounter.year == year))
    sequence = (last or 0) + 1
    return sequence, document_number(prefix, year, sequence)


def issued_document(kind_name: str, subject_id: int) -> IssuedDocument | None:
    """The latest version of the document of this kind about this subject, if issued."""
    kind = _kind(kind_name)
    first = db.session.scalar(select(IssuedDocument).where(
        IssuedDocument.kind == kind.name, IssuedDocument.subject_type == kind.subject_type,
        IssuedDocument.subject_id == subject_id, IssuedDocument.version == 1))
    return latest_version(first) if first is not None else None


class _TextCollector(HTMLParser):
    """The text a browser would draw: character data outside <style> and <script>."""

    HIDDEN = {"style", "script"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def document_text(html: str) -> str:
    """Every character the PDF of ``html`` prints, page numbers included."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts) + "".join(PAGE_NUMBER_SIDES) + "0123456789"


def _build_html(document: IssuedDocument, kind: DocumentKind, allow_missing_glyphs: bool) -> None:
    """Render the document's HTML and check it against the report fonts."""
    context = kind.build_context(document.subject_id)
    config = current_app.config
    serif, sans = report_fonts()
    # An official document is always in the default language, whoever issues it.
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        document.html = render_template(
            kind.template,
            doc=document,
            issued_on=issued_on(document),
            issuer=config["REPORT_ISSUER"],
            confidentiality=config["REPORT_CONFIDENTIALITY"],
            serif=serif,
            sans=sans,
            page_number_sides=PAGE_NUMBER_SIDES,
            chinese_date=chinese_date,
            **context,
        )
    missing = uncovered_characters(document_text(document.html), (serif, sans))
    if missing and not allow_missing_glyphs:
        raise MissingGlyphs(missing)
    document.missing_characters = "".join(missing)


def _kind(name: str) -> DocumentKind:
    kind = get_kind(name)
    if kind is None:
        raise DomainError(_("Unknown document kind."))
    return kind


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("A document needs a title."))
    if len(title) > 200:
        raise DomainError(_("The title can have at most 200 characters."))
    return title


def request_issue(
    kind_name: str,
    subject_id: int | None,
    title: str,
    *,
    user=None,
    allow_missing_glyphs: bool = False,
    expected_sequence: int | None = None,
) -> IssuedDocument:
    """Issue a new document: next number of the year, verification code, HTML.

    The PDF is rendered later (``render_document``). Raises ``AlreadyIssued``
    when the subject already has its document of this kind; ``NumberChanged``
    when ``expected_sequence`` (the number the issuer was shown,
    ``upcoming_sequence``) is given and is no longer the next; and
    ``MissingGlyphs`` when the fonts lack characters of the document, unless
    told to go ahead. The caller then rolls back, which gives the number back."""
    kind = _kind(kind_name)
    title = _clean_title(title)
    if (kind.subject_type is None) != (subject_id is None):
        raise DomainError(_("This document is issued from the page of what it is about."))
    prefix = current_app.config["REPORT_NUMBER_PREFIX"]
    year = today_in_display_zone().year
    # Taken first: the counter's lock makes a concurrent issue of the same
    # subject wait here, and then see this one's document below.
    sequence = next_sequence(prefix, year)
    if subject_id is not None and (existing := issued_document(kind.name, subject_id)):
        raise AlreadyIssued(existing)
    if expected_sequence is not None and sequence != expected_sequence:
        raise NumberChanged(document_number(prefix, year, sequence))
    document = IssuedDocument(
        kind=kind.name, subject_type=kind.subject_type, subject_id=subject_id, title=title,
        prefix=prefix, year=year, sequence=sequence,
        number=document_number(prefix, year, sequence), version=1,
        verification_code=new_verification_code(), issued_by_id=getattr(user, "id", None),
        issued_at=utcnow(),
    )
    _build_html(document, kind, allow_missing_glyphs)
    db.session.add(document)
    _record_issue(document, user)
    return document


def latest_version(document: IssuedDocument) -> IssuedDocument:
    return versions(document)[-1]


def versions(document: IssuedDocument) -> list[IssuedDocument]:
    """All versions of the document's number, oldest first."""
    return list(db.session.scalars(
        select(IssuedDocument)
        .where(
            IssuedDocument.prefix == document.prefix,
            IssuedDocument.year == document.year,
            IssuedDocument.sequence == document.sequence,
        )
        .order_by(IssuedDocument.version)
    ))


def reissue(
    previous: IssuedDocument, reason: str, *, user=None, allow_missing_glyphs: bool = False
) -> IssuedDocument:
    """Issue a corrected version of ``previous`` (its latest version) with the
    same number, from the subject's current data. ``previous`` stays
    downloadable and is marked superseded once the new version is rendered."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the new version."))
    if latest_version(previous).id != previous.id:
        raise DomainError(_("Only the latest version of a document can be reissued."))
    if previous.in_progress:
        raise DomainError(_("This version is still being rendered; reissue it once it is done."))
    document = IssuedDocument(
        kind=previous.kind, subject_type=previous.subject_type,
        subject_id=previous.subject_id, title=previous.title, prefix=previous.prefix,
        year=previous.year, sequence=previous.sequence, number=previous.number,
        version=previous.version + 1, supersedes_id=previous.id, reason=reason,
        verification_code=new_verification_code(), issued_by_id=getattr(user, "id", None),
        issued_at=utcnow(),
    )
    _build_html(document, _kind(previous.kind), allow_missing_glyphs)
    db.session.add(document)
    _record_issue(document, user)
    return document


def _record_issue(document: IssuedDocument, user) -> None:
    record("report.issued", document, {
        "kind": document.kind, "number": document.number, "version": document.version,
        "title": document.title, "reason": document.reason,
        "subject": [document.subject_type, document.subject_id],
        "missing_characters": document.missing_characters,
    }, user=user)


def _claim(document_id: int) -> bool:
    """Mark a pending (or abandoned) document as being rendered by this process."""
    now = utcnow()
    claimed = db.session.execute(
        update(IssuedDocument)
        .where(
            IssuedDocument.id == document_id,
            or_(
                IssuedDocument.status == DocumentStatus.PENDING.value,
                (IssuedDocument.status == DocumentStatus.RENDERING.value)
                & (IssuedDocument.render_started_at < now - STALE_RENDER),
            ),
        )
        .values(status=DocumentStatus.RENDERING.value, render_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _refuse_fetch(url: str, *args, **kwargs):
    # Documents are self-contained; never let document data make the server fetch URLs.
    raise ValueError(f"reports load no external resources ({url})")


def write_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of ``html`` and its page count."""
    # Imported here, not at the top: WeasyPrint takes about half a second to
    # import, which every process (web workers, commands, the test suite) would
    # pay at start-up although only a render needs it.
    from weasyprint import HTML

    rendered = HTML(string=html, url_fetcher=_refuse_fetch).render()
    return rendered.write_pdf(), len(rendered.pages)


def render_document(document_id: int) -> IssuedDocument | None:
    """Render a pending document and freeze its PDF; commits its own transactions.

    Returns None when another renderer has it or it is already rendered. A
    failed render is kept with its error, shown to the secretariat."""
    if not _claim(document_id):
        return None
    document = db.session.get(IssuedDocument, document_id)
    try:
        pdf, pages = write_pdf(document.html)
    except Exception as error:  # any failure is the document's state, shown on its page
        current_app.logger.exception("rendering document %s failed", document_id)
        document.status = DocumentStatus.FAILED.value
        document.error = f"{type(error).__name__}: {error}"[:2000]
        record("report.render_failed", document, {"error": document.error}, actor="renderer")
        db.session.commit()
        return document
    document.pdf = pdf
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.size = len(pdf)
    document.page_count = pages
    document.status = DocumentStatus.DONE.value
    document.error = None
    document.rendered_at = utcnow()
    if document.supersedes is not None and document.supersedes.superseded_at is None:
        document.supersedes.superseded_at = document.rendered_at
    record("report.rendered", document, {
        "number": document.number, "version": document.version, "sha256": document.sha256,
    }, actor="renderer")
    db.session.commit()
    return document


def render_pending() -> tuple[int, int]:
    """Render every pending or abandoned document; returns (done, failed)."""
    ids = db.session.scalars(
        select(IssuedDocument.id)
        .where(IssuedDocument.status.in_(
            [DocumentStatus.PENDING.value, DocumentStatus.RENDERING.value]
        ))
        .order_by(IssuedDocument.id)
    ).all()
    db.session.commit()
    done = failed = 0
    for document_id in ids:
        document = render_document(document_id)
        if document is not None:
            done += document.is_done
            failed += not document.is_done
    return done, failed


def document_query() -> Select:
    return select(IssuedDocument).order_by(IssuedDocument.id.desc())


def download(document: IssuedDocument, *, user=None) -> bytes:
    """The frozen PDF of a rendered document; the download is audited."""
    if not document.is_done:
        raise DomainError(_("This document has no PDF yet."))
    record("report.downloaded", document, {
        "number": document.number, "version": document.version, "sha256": document.sha256,
    }, user=user)
    return document.pdf


def download_name(document: IssuedDocument) -> str:
    return f"{document.number}-v{document.version}.pdf"


def find_by_code(text: str) -> IssuedDocument | None:
    """The rendered document with this verification code, if any."""
    code = normalise_code(text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.verification_code == code,
            IssuedDocument.status == DocumentStatus.DONE.value,
        )
    )


def find_by_pdf(data: bytes) -> IssuedDocument | None:
    """The rendered document whose PDF is exactly ``data``, if any."""
    return db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.sha256 == hashlib.sha256(data).hexdigest(),
            IssuedDocument.status == DocumentStatus.DONE.value,
        )
    )
