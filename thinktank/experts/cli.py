from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from thinktank.errors import DomainError
from thinktank.experts.models import ExpertStatus
from thinktank.experts.services import ExpertFilters
from thinktank.experts.terms import term_reminders_job
from thinktank.experts.transfer import describe, export_pool, import_experts, problem_line
from thinktank.extensions import db
from thinktank.notifications.services import site_context

experts_cli = AppGroup("experts", help="Import and export the expert pool.")


@experts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report without writing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import experts from an .xlsx file, all or nothing.

    Prints the created/updated/unchanged counts, or one line per problem
    (``row N, COLUMN: reason``) and exits with status 1 without writing."""
    with path.open("rb") as handle:
        # One byte past the limit is enough to refuse a file that is too large.
        data = handle.read(current_app.config["EXPERT_IMPORT_MAX_BYTES"] + 1)
    try:
        report = import_experts(data, path.name, dry_run=dry_run, actor="cli")
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for warning in report.warnings:
        click.echo(f"warning: {warning.column}: {describe(warning.reason, warning.params)}")
    if not report.ok:
        for problem in report.problems:
            click.echo(problem_line(problem))
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"created: {report.created}, updated: {report.updated}, "
               f"unchanged: {report.unchanged}")
    if dry_run:
        click.echo("dry run: nothing was written")


@experts_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status", type=click.Choice([status.value for status in ExpertStatus]),
              help="Only experts with this status (default: all).")
def export_command(path: Path, status: str | None) -> None:
    """Export experts to an .xlsx file in the import template's columns."""
    data, count = export_pool(ExpertFilters(status=status or ""), actor="cli")
    path.write_bytes(data)
    db.session.commit()
    click.echo(f"exported {count} experts to {path}")


@experts_cli.command("term-reminders")
def term_reminders_command() -> None:
    """Queue reminder mails to experts whose term ends within 30 days (run daily)."""
    with site_context(current_app._get_current_object()):
        count = term_reminders_job()
    click.echo(f"term reminders: {count} experts")
