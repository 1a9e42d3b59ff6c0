import json

import click
from flask.cli import AppGroup

from thinktank.draws.models import Draw
from thinktank.extensions import db

draws_cli = AppGroup("draws", help="Random draws with avoidance.")


@draws_cli.command("show")
@click.argument("draw_id", type=int)
def show(draw_id: int) -> None:
    """Print a draw's seed, pool and order as JSON, for anyone to re-run
    random.Random(seed).sample(pool, len(pool))."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise click.ClickException(f"no draw {draw_id}")
    click.echo(json.dumps({
        "draw": draw.id,
        "context": [draw.context_type, draw.context_id],
        "seed": draw.seed,
        "pool": draw.pool,
        "order": draw.order,
        "org_cap": draw.parameters["org_cap"],
        "drawn": draw.drawn,
        "backups": draw.backups,
        "skips": draw.skips,
    }, ensure_ascii=False))
