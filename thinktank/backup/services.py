"""Backup and restore of the database and UPLOAD_DIR as one ``.tar.gz`` archive.

The archive holds, in this order:

- ``database.sqlite`` (a copy made through SQLite's online backup API) or
  ``database.pgdump`` (``pg_dump --format=custom``);
- ``uploads/…``: every file under UPLOAD_DIR (session materials, application
  attachments, the import stash);
- ``manifest.json``: format version, creation time, dialect, Alembic revision,
  app version, and the size and SHA-256 of every other member.

Issued PDFs are not files: their bytes are a column of ``issued_documents``,
so the database dump carries them.

The database is dumped before the files are read. Uploads are written once,
before the row that names them is committed, and never deleted afterwards, so
every file a dumped row names is on disk by the time the files are read.
"""

import configparser
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app

from thinktank.errors import DomainError
from thinktank.extensions import db

FORMAT = "thinktank-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# Hidden folder of a restore in progress, inside UPLOAD_DIR (same file system,
# so its entries move into place by rename even when UPLOAD_DIR is a mount).
STAGING_PREFIX = ".restore-"
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class BackupError(DomainError):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    dialect: str
    alembic_revision: str | None
    files: int  # files under UPLOAD_DIR
    archive_bytes: int
    needs_upgrade: bool = False  # the restored database is behind this app's migrations


# --- create -----------------------------------------------------------------------------


def create_backup(target: Path) -> Summary:
    """Write a backup of the database and UPLOAD_DIR to ``target`` (a .tar.gz).

    Safe while the app runs. The archive is built in a hidden file next to
    ``target`` and renamed over it at the end, so ``target`` is always either
    the previous file or the complete new one."""
    engine = db.engine
    dialect = _dialect(engine)
    target = target.absolute()
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    uploads = Path(current_app.config["UPLOAD_DIR"]).absolute()
    if target.resolve().is_relative_to(uploads.resolve()):
        raise BackupError(f"write the backup outside UPLOAD_DIR ({uploads})")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as staging:
        dump = Path(staging) / DATABASE_MEMBERS[dialect]
        if dialect == "sqlite":
            revision, database = _dump_sqlite(engine.url, dump)
        else:
            revision, database = _dump_postgresql(engine, dump)
        descriptor, partial = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                    entries = [_add_file(archive, dump, dump.name)]
                    for path, relative in _upload_files(uploads):
                        entries.append(_add_file(archive, path, f"{UPLOADS}/{relative}"))
                    entries = [entry for entry in entries if entry is not None]
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "dialect": dialect,
                        "alembic_revision": revision,
                        "app_version": app_version(),
                        "database": {"member": dump.name, **database},
                        "files": entries,
                    }
                    _add_bytes(archive, MANIFEST,
                               json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    _fsync_folder(target.parent)
    return Summary(dialect, revision, len(entries) - 1, target.stat().st_size)


def _upload_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``root`` with its relative POSIX path, sorted;
    the folders of a restore in progress are left out."""
    if not root.is_dir():
        return []
    found = []
    for folder, folders, names in os.walk(root):
        at_top = Path(folder) == root
        folders[:] = sorted(f for f in folders if not (at_top and f.startswith(STAGING_PREFIX)))
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(root).as_posix()))
    return found


class _HashingReader:
    """Hands a file to ``tarfile`` and hashes what it reads, so each file is
    read once and its checksum is that of the bytes archived."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict | None:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None  # an import stash file confirmed or cleared since the listing
    with handle:
        info = tarfile.TarInfo(name)
        status = os.fstat(handle.fileno())
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o600
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _dump_sqlite(url: sa.URL, dump: Path) -> tuple[str | None, dict]:
    """Copy the database to ``dump``; its Alembic revision and what to record."""
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"the database file {source_path} does not exist")
    # One step (pages=-1) holds a read lock for the whole copy: a consistent
    # snapshot, while other connections keep reading and wait to write.
    with closing(sqlite3.connect(source_path, timeout=60)) as source, \
            closing(sqlite3.connect(dump)) as copy:
        source.backup(copy)
    copy_engine = sa.create_engine(f"sqlite:///{dump}")
    try:
        with copy_engine.connect() as connection:
            revision = _revision(connection)
    finally:
        copy_engine.dispose()
    return revision, {"server_version": sqlite3.sqlite_version,
                      "tool": "sqlite3 online backup API"}


def _dump_postgresql(engine: sa.Engine, dump: Path) -> tuple[str | None, dict]:
    """``pg_dump`` the database to ``dump``; its Alembic revision and what to record."""
    pg_dump = _client("pg_dump")
    client_major, client_version = _client_version(pg_dump)
    with engine.connect() as connection:
        server_version = connection.execute(sa.text("SHOW server_version")).scalar_one()
        server_major = int(connection.execute(sa.text("SHOW server_version_num")).scalar_one())
        revision = _revision(connection)
    check_client_version("pg_dump", client_major, server_major // 10000)
    dsn, environment = libpq_connection(engine.url)
    _run([pg_dump, "--format=custom", "--no-password", f"--file={dump}", f"--dbname={dsn}"],
         environment)
    return revision, {"server_version": server_version, "tool": f"pg_dump {client_version}",
                      "pg_dump_major": client_major}


# --- restore ----------------------------------------------------------------------------


def restore_backup(source: Path, *, force: bool = False) -> Summary:
    """Restore the database and UPLOAD_DIR from the archive at ``source``.

    Refuses, changing nothing, when the archive is damaged or does not match
    its checksums, holds another kind of database, comes from a newer app, or
    when the database or UPLOAD_DIR already hold data and ``force`` is not set.
    With ``force`` the database objects in the archive and all of UPLOAD_DIR
    are replaced. Stop the web and scheduler processes first."""
    engine = db.engine
    dialect = _dialect(engine)
    uploads = Path(current_app.config["UPLOAD_DIR"]).absolute()
    if not force:
        _require_empty(engine, dialect, uploads)
    created = not uploads.exists()
    uploads.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=uploads, prefix=STAGING_PREFIX))
    try:
        manifest, members = _extract(source, staging)
        _check_manifest(manifest, members, dialect)
        needs_upgrade = _check_revision(manifest["alembic_revision"])
        restore_database = _database_restorer(engine, dialect, staging, manifest["database"])
        previous = staging / "previous"
        previous.mkdir()
        _move_entries(uploads, previous)
        _move_entries(staging / UPLOADS, uploads)
        try:
            restore_database()
        except BaseException:
            discarded = staging / "discarded"
            discarded.mkdir()
            _move_entries(uploads, discarded)
            _move_entries(previous, uploads)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(uploads, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    files = sum(1 for entry in manifest["files"] if entry["path"].startswith(f"{UPLOADS}/"))
    return Summary(dialect, manifest["alembic_revision"], files, source.stat().st_size,
                   needs_upgrade)


def _require_empty(engine: sa.Engine, dialect: str, uploads: Path) -> None:
    tables = _tables(engine, dialect)
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables, e.g. {tables[0]}); restore "
            "into an empty database, or pass --force to replace its contents"
        )
    entries = _entries(uploads) if uploads.is_dir() else []
    if entries:
        raise BackupError(
            f"UPLOAD_DIR {uploads} is not empty ({entries[0].name}, …); restore into an "
            "empty folder, or pass --force to replace its contents"
        )


def _tables(engine: sa.Engine, dialect: str) -> list[str]:
    if dialect == "sqlite" and not _sqlite_path(engine.url).exists():
        return []  # connecting would create the file
    inspector = sa.inspect(engine)
    schemas = [s for s in inspector.get_schema_names() if s != "information_schema"]
    tables = sorted(name for schema in schemas for name in inspector.get_table_names(schema))
    engine.dispose()
    return tables


def _entries(folder: Path) -> list[Path]:
    """What ``folder`` holds, without the folders of restores in progress."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(STAGING_PREFIX))


def _move_entries(source: Path, target: Path) -> None:
    if source.is_dir():
        for entry in _entries(source):
            entry.rename(target / entry.name)


def _extract(source: Path, staging: Path) -> tuple[dict | None, dict[str, dict]]:
    """Unpack the archive into ``staging``, checking member names and hashing
    each member as it is written; returns the manifest and what was found."""
    manifest, members = None, {}
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            for member in archive:
                name = member.name
                if name in members or (name == MANIFEST and manifest is not None):
                    raise BackupError(f"the archive holds {name} twice")
                if not member.isfile() or not _expected_name(name):
                    raise BackupError(f"the archive holds an unexpected member {name!r}")
                handle = archive.extractfile(member)
                if name == MANIFEST:
                    manifest = _parse_manifest(handle.read(MAX_MANIFEST_BYTES + 1))
                else:
                    members[name] = _write_member(handle, staging / name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{source} is damaged or not a backup archive ({error})") from error
    return manifest, members


def _expected_name(name: str) -> bool:
    if name == MANIFEST or name in DATABASE_MEMBERS.values():
        return True
    parts = PurePosixPath(name).parts
    return (len(parts) > 1 and parts[0] == UPLOADS and "\\" not in name
            and not any(part in ("", ".", "..", "/") for part in parts))


def _write_member(handle: BinaryIO, path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _parse_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data) if len(data) <= MAX_MANIFEST_BYTES else None
        valid = (
            isinstance(manifest, dict)
            and manifest.get("format") == FORMAT
            and isinstance(manifest.get("format_version"), int)
            and isinstance(manifest.get("dialect"), str)
            and isinstance(manifest.get("database"), dict)
            and all(isinstance(entry.get("path"), str) and isinstance(entry.get("size"), int)
                    and isinstance(entry.get("sha256"), str) for entry in manifest["files"])
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BackupError("the archive's manifest.json is not a thinktank backup manifest")
    return manifest


def _check_manifest(manifest: dict | None, members: dict[str, dict], dialect: str) -> None:
    if manifest is None:
        raise BackupError("the archive has no manifest.json: it is incomplete or not a "
                          "thinktank backup")
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(f"the archive has format version {manifest['format_version']}; "
                          f"this app reads up to {FORMAT_VERSION}: update the app first")
    if manifest["dialect"] != dialect:
        raise BackupError(f"the archive holds a {manifest['dialect']} database but this app "
                          f"uses {dialect} (DATABASE_URL)")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    wrong = sorted(
        path for path in listed.keys() | members.keys()
        if path not in members or path not in listed
        or members[path] != {"size": listed[path]["size"], "sha256": listed[path]["sha256"]}
    )
    if wrong:
        raise BackupError(f"the archive does not match its checksums: {', '.join(wrong[:5])}"
                          + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""))
    if DATABASE_MEMBERS[dialect] not in members:
        raise BackupError(f"the archive has no {DATABASE_MEMBERS[dialect]}")


def _check_revision(revision: str | None) -> bool:
    """Refuse a database from migrations this app does not have; ``True`` when
    the database is behind this app's head (``db upgrade`` is then needed)."""
    if revision is None:
        return False
    config = current_app.extensions["migrate"].migrate.get_config()
    scripts = ScriptDirectory.from_config(config)
    for name in revision.split(","):
        try:
            scripts.get_revision(name)
        except CommandError as error:
            raise BackupError(f"the archive's database is at migration {name}, which this "
                              "app does not know: restore with the app version that made "
                              f"it ({error})") from error
    return set(revision.split(",")) != set(scripts.get_heads())


def _database_restorer(engine: sa.Engine, dialect: str, staging: Path,
                       database: dict) -> Callable[[], None]:
    """Check that the archived database can be restored here, and return the step
    that restores it, to be run once the files are in place."""
    dump = staging / DATABASE_MEMBERS[dialect]
    if dialect == "sqlite":
        return lambda: _restore_sqlite(engine, dump)
    pg_restore = _client("pg_restore")
    client_major, _version = _client_version(pg_restore)
    check_client_version("pg_restore", client_major, int(database.get("pg_dump_major", 0)))
    return lambda: _restore_postgresql(engine, pg_restore, dump)


def _restore_sqlite(engine: sa.Engine, dump: Path) -> None:
    target = _sqlite_path(engine.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    engine.dispose()
    try:
        # The whole copy is one write transaction on the target: all or nothing.
        with closing(sqlite3.connect(dump)) as copy, \
                closing(sqlite3.connect(target, timeout=60)) as live:
            copy.backup(live)
    except sqlite3.Error as error:
        if created:
            target.unlink(missing_ok=True)
        raise BackupError(f"the database could not be restored into {target}: {error}") from error


def _restore_postgresql(engine: sa.Engine, pg_restore: str, dump: Path) -> None:
    dsn, environment = libpq_connection(engine.url)
    engine.dispose()
    # One transaction: an error anywhere leaves the database as it was.
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl",
          "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={dsn}",
          str(dump)], environment)


# --- shared -----------------------------------------------------------------------------


def _dialect(engine: sa.Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("backups need an SQLite database file, not an in-memory database")
    return Path(url.database).absolute()


def _revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
    return ",".join(sorted(versions)) or None


def libpq_connection(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The connection URI for pg_dump/pg_restore without the password, and their
    environment with the password in PGPASSWORD: any user on the machine can
    read a process's arguments, not its environment."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    without_password = sa.URL.create("postgresql", username=url.username, host=url.host,
                                     port=url.port, database=url.database, query=url.query)
    return without_password.render_as_string(hide_password=False), environment


def check_client_version(tool: str, client_major: int, needed_major: int) -> None:
    """pg_dump reads servers up to its own major version, and pg_restore reads
    archives of pg_dump up to its own."""
    if client_major < needed_major:
        raise BackupError(f"{tool} {client_major} is older than the PostgreSQL "
                          f"{needed_major} it has to work with: install the PostgreSQL "
                          f"{needed_major} client programs")


def _client(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client "
                          "programs (Debian: postgresql-client)")
    return path


def _client_version(path: str) -> tuple[int, str]:
    output = subprocess.run([path, "--version"], capture_output=True, text=True,
                            check=True).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", output)
    if match is None:
        raise BackupError(f"could not read the version of {path}: {output.strip()}")
    return int(match.group(1)), match.group(1) + (match.group(2) or "")


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(arguments[0]).name} failed (exit {result.returncode}): "
                          f"{detail}")


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def app_version() -> str:
    """The installed package's version, else the one in setup.cfg (a checkout)."""
    try:
        return importlib.metadata.version("thinktank")
    except importlib.metadata.PackageNotFoundError:
        from thinktank.paths import ROOT

        parser = configparser.ConfigParser()
        parser.read(ROOT / "setup.cfg")
        return parser.get("metadata", "version", fallback="unknown")
