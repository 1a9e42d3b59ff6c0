"""Domain errors: raised by services, shown to the user by views."""


class DomainError(Exception):
    """An error the user caused and can fix; ``str(error)`` is shown to them."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FieldErrors(DomainError):
    """Invalid values, all found at once: ``problems`` maps each form field at
    fault to its messages, so that a form shows every error on its field."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(" ".join(m for messages in problems.values() for m in messages))
        self.problems = problems

    @classmethod
    def one(cls, field: str, message: str) -> "FieldErrors":
        return cls({field: [message]})

    @property
    def field(self) -> str:
        """The first field at fault."""
        return next(iter(self.problems))


class Problems:
    """Collects the faults of a set of values; ``check`` raises them all at once::

        problems = Problems()
        if ...:
            problems.add("ends_at", _("..."))
        problems.check()
    """

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.found.setdefault(field, []).append(message)

    def check(self, error: type[FieldErrors] = FieldErrors) -> None:
        if self.found:
            raise error(self.found)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class StorageUnavailable(Exception):
    """The upload storage refused a file (full, read-only, missing or not a
    directory); nothing of it was kept. Not the user's doing: the app answers
    503 (see ``register_errorhandlers``) and logs the cause for the admin."""
