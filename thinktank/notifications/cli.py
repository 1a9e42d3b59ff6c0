import click
from flask import current_app
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminders and other outbox mail.")
scheduler_cli = AppGroup("scheduler", help="The scheduler that sends due reminders.")


@reminders_cli.command("dispatch")
@click.option("--limit", type=int, default=None, help="At most this many mails.")
def dispatch(limit: int | None) -> None:
    """Run one dispatcher pass and print what it did."""
    from thinktank.notifications.services import dispatch_due

    result = dispatch_due(limit)
    click.echo(f"sent {result.sent}, failed {result.failed}, retried {result.retried}")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in the foreground (one such process per installation)."""
    from thinktank.notifications.scheduler import run_blocking

    click.echo("scheduler running: due reminders are dispatched every minute (Ctrl+C stops)")
    run_blocking(current_app._get_current_object())
