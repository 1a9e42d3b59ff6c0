import click
from flask import current_app
from flask.cli import AppGroup

from thinktank.demo.data import DEFAULT_PASSWORD
from thinktank.errors import DomainError
from thinktank.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--password",
    envvar="DEMO_PASSWORD",
    default=DEFAULT_PASSWORD,
    show_default=True,
    help="Password of every demo account (environment: DEMO_PASSWORD).",
)
@click.option(
    "--base-url",
    envvar="DEMO_BASE_URL",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Address of the site, for the links in the queued invitations "
         "(environment: DEMO_BASE_URL).",
)
def load(password: str, base_url: str) -> None:
    """Load the demo expert pool, one account per role, consultation sessions and
    review rounds, then print the logins.

    Does nothing but print the logins when the demo accounts already exist.
    """
    from thinktank.demo.services import load_demo

    try:
        # The invitation mails hold absolute links (RSVP), built as in a request to the site.
        with current_app.test_request_context(base_url=base_url):
            result = load_demo(password)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    if result.loaded:
        click.echo(f"Loaded the demo data: {result.experts} experts, "
                   f"{len(result.logins)} accounts, {result.sessions} sessions, "
                   f"{result.rounds} review rounds.")
    else:
        click.echo("The demo data was already loaded; nothing was added.")
    click.echo("Demo logins:")
    for login in result.logins:
        password_text = login.password or "(changed since the demo was loaded)"
        click.echo(f"  {login.role:<12} {login.email:<32} {password_text}")
