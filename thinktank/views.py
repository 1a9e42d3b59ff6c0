"""Helpers shared by the domain views."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash

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
