import click
from flask.cli import AppGroup

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.permissions import Role

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="May be given several times.",
)
def create(email: str, name: str, roles: tuple[str, ...]) -> None:
    """Create a user and print the generated password."""
    from thinktank.auth.services import create_user

    try:
        user, password = create_user(email, name, list(roles), actor="cli")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.email} ({', '.join(sorted(roles))})")
    click.echo(f"password: {password}")
