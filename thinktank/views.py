"""Helpers shared by the domain views."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, flash, request
from flask_babel import gettext as _

from thinktank.errors import DomainError, FieldErrors, Forbidden, NotFound
from thinktank.extensions import db


class Outcome:
    """What became of the block of ``committed``: true when it was committed;
    ``error`` is the domain error that stopped it, if one did."""

    def __init__(self) -> None:
        self.ok = False
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def flash_error(error: DomainError) -> None:
    flash(error.message, "danger")


def on_fields(form) -> Callable[[DomainError], None]:
    """An ``on_error`` for ``committed`` that shows each message of a
    ``FieldErrors`` on its field of ``form``; any other refusal, and a message
    for a field the form lacks, is flashed."""

    def show(error: DomainError) -> None:
        problems = error.problems if isinstance(error, FieldErrors) else {"": [error.message]}
        for name, messages in problems.items():
            if name in form:
                form[name].errors = [*form[name].errors, *messages]
            else:
                for message in messages:
                    flash(message, "danger")

    return show


def check_too(form, check: Callable[[], None]) -> None:
    """After ``form`` failed its own validation, run the service's ``check``
    of its values anyway and show the messages of its ``FieldErrors`` on the
    fields not already in error: the form reports every error at once."""
    try:
        check()
    except FieldErrors as error:
        for name, messages in error.problems.items():
            if name in form and not form[name].errors:
                form[name].errors = list(messages)


@contextmanager
def committed(on_error: Callable[[DomainError], object] | None = flash_error
              ) -> Iterator[Outcome]:
    """The views' one transaction pattern: run the block's service calls and
    commit them::

        with committed() as done:
            field = services.add_field(name)
        if done:
            flash(...)

    On a ``DomainError`` the block's work is rolled back and the view goes on:
    ``Forbidden`` and ``NotFound`` answer 403 and 404; any other refusal is
    kept in ``done.error`` and shown by ``on_error`` (flashed by default;
    ``None`` leaves it to the view). Other exceptions propagate (the error
    pages roll back). What must follow the commit (a background job, the file
    whose download was just recorded, signing out) goes after the block. A file
    stored for a row that is not committed is removed by ``stored_files``.
    """
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if isinstance(error, Forbidden | NotFound):
            abort(error.status_code)
        if on_error is not None:
            on_error(error)
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
