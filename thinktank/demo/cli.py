import click
from flask import current_app
from flask.cli import AppGroup

from thinktank.demo.data import DEFAULT_PASSWORD
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.services import site_context

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
    default=None,
    help="Address of the site, for the links in the queued invitations "
         "(environment: DEMO_BASE_URL; default: SITE_URL).",
)
def load(password: str, base_url: str | None) -> None:
    """Load the demo expert pool, one account per role, consultation sessions and
    review rounds, then print the logins.

    Does nothing but print the logins when the demo accounts already exist.
    """
    from thinktank.demo.services import load_demo

    try:
        # The invitation mails hold absolute links (RSVP), built as in a request to the site.
        with site_context(current_app._get_current_object(), base_url):
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


@demo_cli.command("scale")
@click.option("--experts", default=10_000, show_default=True, help="Experts in the pool.")
@click.option("--sessions", default=200, show_default=True, help="Consultation sessions.")
@click.option("--applications", default=3_000, show_default=True,
              help="Project applications (one round always has 200).")
@click.option("--rounds", default=20, show_default=True, help="Review rounds.")
@click.option("--tenth", is_flag=True, help="One tenth of the sizes given.")
@click.option("--password", envvar="DEMO_PASSWORD", default=DEFAULT_PASSWORD,
              show_default=True, help="Password of every account (environment: DEMO_PASSWORD).")
def scale(experts: int, sessions: int, applications: int, rounds: int, tenth: bool,
          password: str) -> None:
    """Fill an empty database with a large data set for benchmarks (bulk inserts)."""
    import time

    from thinktank.demo.scale import RESULTS_APPLICATIONS, ScalePlan, load_scale

    plan = ScalePlan(experts=experts, sessions=sessions, applications=applications,
                     rounds=rounds)
    if tenth:
        plan = plan.tenth()
    if plan.rounds < 2 or plan.applications < RESULTS_APPLICATIONS + plan.rounds:
        raise click.BadParameter(
            f"need at least 2 rounds and {RESULTS_APPLICATIONS + plan.rounds} applications")
    started = time.perf_counter()
    try:
        result = load_scale(plan, password)
        db.session.commit()
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    elapsed = time.perf_counter() - started
    click.echo(f"Loaded in {elapsed:.1f} s: " + ", ".join(
        f"{count:,} {name}" for name, count in result.counts.items()))
    click.echo("Logins:")
    for email, login_password in result.logins:
        click.echo(f"  {email:<40} {login_password}")
