"""Domain errors: raised by services, shown to the user by views."""


class DomainError(Exception):
    """An error the user caused and can fix; ``str(error)`` is shown to them."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class StorageUnavailable(Exception):
    """The upload storage refused a file (full, read-only, missing or not a
    directory); nothing of it was kept. Not the user's doing: the app answers
    503 (see ``register_errorhandlers``) and logs the cause for the admin."""
