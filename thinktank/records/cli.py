import click
from flask import current_app
from flask.cli import AppGroup

from thinktank.notifications.services import site_context
from thinktank.records.reminders import rating_reminders_job

records_cli = AppGroup("records", help="Expert records and evaluations.")


@records_cli.command("rating-reminders")
def rating_reminders_command() -> None:
    """Remind the secretariat of ratings missing five working days on (run daily)."""
    with site_context(current_app._get_current_object()):
        count = rating_reminders_job()
    click.echo(f"rating reminders: {count} sessions or rounds")
