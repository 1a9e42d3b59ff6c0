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
