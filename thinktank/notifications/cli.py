import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminders and other outbox mail.")


@reminders_cli.command("dispatch")
@click.option("--limit", type=int, default=None, help="At most this many mails.")
def dispatch(limit: int | None) -> None:
    """Run one dispatcher pass and print what it did."""
    from thinktank.notifications.services import dispatch_due

    result = dispatch_due(limit)
    click.echo(f"sent {result.sent}, failed {result.failed}, retried {result.retried}")

