import click
from flask import current_app
from flask.cli import AppGroup

from thinktank.extensions import db
from thinktank.notifications.services import site_context
from thinktank.records.reminders import queue_rating_reminders
from thinktank.timeutil import today_in_display_zone

records_cli = AppGroup("records", help="Expert records and evaluations.")


@records_cli.command("rating-reminders")
def rating_reminders_command() -> None:
    """Remind the secretariat of ratings missing five working days on (run daily)."""
    with site_context(current_app._get_current_object()):
        count = queue_rating_reminders(today_in_display_zone())
        db.session.commit()
    click.echo(f"rating reminders: {count} sessions or rounds")
