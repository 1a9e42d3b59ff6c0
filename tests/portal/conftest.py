"""Issued documents for the portal tests, written as the renderer leaves them
(the rendering itself is tested in tests/reports)."""

import hashlib
import itertools

import pytest

from thinktank.extensions import db
from thinktank.reports.models import DocumentStatus, IssuedDocument

from .helpers import ISSUED_AT

_sequence = itertools.count(1)


@pytest.fixture
def make_document():
    def make(title="咨询意见书", *, kind="session_opinion", subject=None,
             status=DocumentStatus.DONE, issued_at=ISSUED_AT, supersedes=None):
        """A document about ``subject`` (a (type, id) pair) with its PDF bytes;
        with ``supersedes``, a new version of that document, which it marks superseded."""
        sequence = supersedes.sequence if supersedes else next(_sequence)
        version = supersedes.version + 1 if supersedes else 1
        pdf = f"%PDF-1.7 {title} {sequence}-{version}".encode() if status == "done" else None
        subject_type, subject_id = subject or (None, None)
        document = IssuedDocument(
            kind=kind, subject_type=subject_type, subject_id=subject_id, title=title,
            prefix="赣生智咨", year=issued_at.year, sequence=sequence, version=version,
            number=f"赣生智咨〔{issued_at.year}〕{sequence}号", supersedes=supersedes,
            verification_code=f"CODE{sequence:03d}{version:03d}", status=status.value,
            html="<p>x</p>", pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest() if pdf else None,
            size=len(pdf) if pdf else None, issued_at=issued_at,
        )
        if supersedes is not None:
            supersedes.superseded_at = issued_at
        db.session.add(document)
        db.session.commit()
        return document

    return make
