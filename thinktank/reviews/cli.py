from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.imports import describe, problem_line
from thinktank.reviews.applications import import_applications
from thinktank.reviews.models import ReviewGroup, ReviewRound
from thinktank.reviews.results import results_csv, round_results

reviews_cli = AppGroup("reviews", help="Project-selection review rounds.")


@reviews_cli.command("import-applications")
@click.argument("round_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report without writing.")
def import_applications_command(round_id: int, path: Path, dry_run: bool) -> None:
    """Import project applications into a draft round from an .xlsx file, all or nothing.

    Prints the counts, or one line per problem (``row N, COLUMN: reason``)
    and exits with status 1 without writing."""
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise click.ClickException(f"no review round with id {round_id}")
    with path.open("rb") as handle:
        # One byte past the limit is enough to refuse a file that is too large.
        data = handle.read(current_app.config["EXPERT_IMPORT_MAX_BYTES"] + 1)
    try:
        report = import_applications(review_round, data, path.name, dry_run=dry_run,
                                     actor="cli")
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for warning in report.warnings:
        click.echo(f"warning: {warning.column}: {describe(warning.reason, warning.params)}")
    if not report.ok:
        for problem in report.problems:
            click.echo(problem_line(problem))
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"applications: {report.created}, new groups: {len(report.new_groups)}"
               + (f" ({'、'.join(report.new_groups)})" if report.new_groups else ""))
    if dry_run:
        click.echo("dry run: nothing was written")


@reviews_cli.command("results")
@click.argument("round_id", type=int)
@click.option("--group", "group_name", help="Rank only this group (分组) of the round.")
def results_command(round_id: int, group_name: str | None) -> None:
    """Print the ranked results of a round as CSV (UTF-8, header row in the
    default language), for any status: check that the round is finalized
    before passing the table on."""
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise click.ClickException(f"no review round with id {round_id}")
    group = None
    if group_name is not None:
        group = db.session.scalar(db.select(ReviewGroup).where(
            ReviewGroup.round_id == round_id, ReviewGroup.name == group_name))
        if group is None:
            raise click.ClickException(f"round {round_id} has no group named {group_name}")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        click.echo(results_csv(round_results(review_round, group)), nl=False)
