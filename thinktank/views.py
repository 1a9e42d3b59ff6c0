"""Helpers shared by the domain views."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort, flash, request
from flask_babel import gettext as _

from thinktank.errors import DomainError
from thinktank.extensions import db


class Outcome:
    """Whether the block of ``committed`` went through; true when it did."""

    ok = False

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def committed() -> Iterator[Outcome]:
    """Run a service call and commit it; on a ``DomainError`` roll back and
    show its message to the user instead of raising::

        with committed() as done:
            services.add_field(name)
        if done:
            flash(...)
    """
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        outcome.ok = True


# C0 control characters but tab and line breaks: no one types them, PostgreSQL
# cannot store NUL, and an Excel export cannot hold any of them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def refuse_control_characters() -> None:
    """Answer 400 to a request whose query, form or upload names hold control
    characters, before any view stores or searches them (run before every request)."""
    texts = [text for fields in (request.args, request.form)
             for pair in fields.items(multi=True) for text in pair]
    texts += [upload.filename or "" for _name, upload in request.files.items(multi=True)]
    if any(_CONTROL_CHARACTERS.search(text) for text in texts):
        abort(400, description=_("The form or the address contains invisible control "
                                 "characters (for example from copying and pasting). "
                                 "Remove them and try again."))
