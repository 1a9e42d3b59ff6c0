"""Loading the subject of a document (a session, an application, a round...)
for its context builder: a missing subject is a 404, a subject not ready for
its document a ``DomainError`` with the reason."""

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from thinktank.extensions import db


def load_subject(model, subject_id: int | None, *options):
    """The ``model`` row ``subject_id`` loaded with ``options``; NotFound if there is none."""
    subject = None
    if subject_id is not None:
        subject = db.session.scalar(select(model).where(model.id == subject_id).options(*options))
    if subject is None:
        raise NotFound()
    return subject


def paragraphs(text: str | None) -> list[str]:
    """The non-empty lines of a text, each printed as a paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
