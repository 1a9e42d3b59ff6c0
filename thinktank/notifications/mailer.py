"""Building and sending one mail per outbox row over SMTP.

No Flask imports: the SMTP settings come in as a ``SmtpSettings`` made from
the app config by the caller.
"""

import hashlib
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from thinktank.notifications.models import OutboxMessage

# What a failed delivery raises: refused or dropped connections, timeouts and
# SMTP error replies. Anything else is a bug and propagates.
SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    sender: str
    timeout: float = 30
    use_tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            sender=config["MAIL_SENDER"],
            timeout=config["MAIL_TIMEOUT_SECONDS"],
            use_tls=config["MAIL_USE_TLS"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
        )


def message_id(row: OutboxMessage, sender: str) -> str:
    """A Message-ID fixed per row, so that a resend after an expired claim
    carries the same id and mail clients can recognise the duplicate."""
    domain = sender.rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox.{row.id}.{digest}@{domain}>"


def build_message(row: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    """The mail for ``row``: plain text, an HTML alternative and an
    iCalendar alternative (``text/calendar; method=...``) when the row has them."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=row.recipient_name, addr_spec=row.recipient_email)
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(row, sender)
    # RFC 3834: tells auto-responders not to answer reminders.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    if row.calendar_ics:
        message.add_alternative(
            row.calendar_ics, subtype="calendar", params={"method": row.calendar_method}
        )
    return message


class SmtpConnection:
    """One SMTP connection for a dispatch pass, opened on first use and
    dropped after any error so that the next mail starts afresh."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        try:
            if settings.use_tls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; raises one of ``SEND_ERRORS`` if it was not accepted."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except SEND_ERRORS:
            smtp.close()
