from pathlib import Path

import click
from flask.cli import AppGroup

from thinktank.consultations.models import ConsultationSession
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.honoraria import services
from thinktank.reviews.models import ReviewRound

honoraria_cli = AppGroup("honoraria", help="Experts' honoraria payment sheets (劳务费发放表).")
PATH = click.Path(dir_okay=False, writable=True, path_type=Path)


def _write(target, path: Path) -> None:
    try:
        data = services.export(target, actor="cli")
    except DomainError as error:
        raise click.ClickException(error.message) from error
    path.write_bytes(data)
    db.session.commit()
    click.echo(f"wrote {path}")


@honoraria_cli.command("session")
@click.argument("session_id", type=int)
@click.argument("path", type=PATH)
def session_command(session_id: int, path: Path) -> None:
    """Write the payment sheet of a consultation session (experts recorded present)."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None:
        raise click.ClickException(f"no consultation session with id {session_id}")
    _write(session, path)


@honoraria_cli.command("round")
@click.argument("round_id", type=int)
@click.argument("path", type=PATH)
def round_command(round_id: int, path: Path) -> None:
    """Write the correspondence-review payment sheet of a review round (submitted sheets)."""
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise click.ClickException(f"no review round with id {round_id}")
    _write(review_round, path)
