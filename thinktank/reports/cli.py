import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Issued PDF documents.")


@reports_cli.command("render-pending")
def render_pending_command() -> None:
    """Render the documents still waiting for their PDF (e.g. after a restart)."""
    from thinktank.reports.services import render_pending

    done, failed = render_pending()
    click.echo(f"rendered {done}, failed {failed}")
    if failed:
        raise SystemExit(1)
