from pathlib import Path

import click
from flask.cli import AppGroup

from thinktank.backup.services import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the database and uploaded files.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path) -> None:
    """Write the database and UPLOAD_DIR to PATH (a .tar.gz), safe while the app runs.

    PATH is replaced only once the new archive is complete."""
    try:
        summary = create_backup(path)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"backup written to {path}: {summary.dialect} database at revision "
               f"{summary.alembic_revision or 'none'}, {summary.files} files, "
               f"{summary.archive_bytes} bytes")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database and UPLOAD_DIR that already hold data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the database and UPLOAD_DIR from a backup made by `backup create`.

    Refuses, changing nothing, if the archive is damaged or does not match its
    checksums, holds another kind of database, or the database or UPLOAD_DIR
    is not empty (unless --force). Stop the web and scheduler processes first."""
    try:
        summary = restore_backup(path, force=force)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"restored {summary.dialect} database at revision "
               f"{summary.alembic_revision or 'none'} and {summary.files} files from {path}")
    if summary.needs_upgrade:
        click.echo("the database is behind this app: run `flask --app wsgi db upgrade`")
