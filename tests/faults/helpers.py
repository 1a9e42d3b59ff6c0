"""An SMTP mailbox that misbehaves on demand, for the outbox fault tests."""

import asyncio

from tests.notifications.helpers import Inbox

STALL_SECONDS = 20


class FaultyInbox(Inbox):
    """An SMTP server's mailbox that can refuse mail for a while (``451`` to
    every recipient, as a busy or broken relay answers) or take its time over
    each message: ``delay`` seconds after it has the whole message, before
    its ``250``, and ``STALL_SECONDS`` for the ``stall_at``-th message."""

    def __init__(self):
        super().__init__()
        self.refusing = False
        self.delay = 0.0
        self.stall_at: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.2 System not accepting network messages"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        # The server's slowness is what these tests are about: the sleeps stay.
        if self.stall_at is not None and len(self.messages) == self.stall_at:
            await asyncio.sleep(STALL_SECONDS)
        elif self.delay:
            await asyncio.sleep(self.delay)
        return reply
