"""Issued documents for the portal tests, written as the renderer leaves them
(the rendering itself is tested in tests/reports)."""

import hashlib
import itertools
from datetime import UTC, datetime

import pytest

from thinktank.consultations.models import Invitation
from thinktank.extensions import db
from thinktank.reports.models import DocumentStatus, IssuedDocument
from thinktank.reports.registry import APPLICATION_SUBJECT, ROUND_SUBJECT, SESSION_SUBJECT
from thinktank.reviews.models import PanelMember, ReviewPanel

_sequence = itertools.count(1)
ISSUED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


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


def about_session(session):
    return (SESSION_SUBJECT, session.id)


def about_round(review_round):
    return (ROUND_SUBJECT, review_round.id)


def about_application(application):
    return (APPLICATION_SUBJECT, application.id)


def invite(session, expert, status="accepted", attendance=None) -> Invitation:
    invitation = Invitation(session=session, expert_id=expert.id, status=status,
                            source="manual", attendance=attendance)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def seat(review_round, expert, *, is_backup=False, removed=False) -> PanelMember:
    panel = db.session.scalar(db.select(ReviewPanel).where(ReviewPanel.round_id == review_round.id))
    if panel is None:
        panel = ReviewPanel(round=review_round)
    member = PanelMember(panel=panel, expert_id=expert.id, source="manual", is_backup=is_backup,
                         removed_at=ISSUED_AT if removed else None)
    db.session.add(member)
    db.session.commit()
    return member
