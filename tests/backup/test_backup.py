"""``flask backup create`` and ``flask backup restore``: a restore into an empty
database and upload folder gives back every row of every table and every
file byte for byte; damaged, tampered or mismatched archives and targets that
hold data are refused with nothing changed."""

import json
import os
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import stamp

from tests.helpers import expert_data, table_rows
from thinktank import create_app
from thinktank.backup.services import (
    BackupError,
    app_version,
    check_client_version,
    libpq_connection,
)
from thinktank.consultations.models import SessionMaterial
from thinktank.experts.models import Expert
from thinktank.experts.services import create_expert
from thinktank.extensions import db
from thinktank.reports.models import IssuedDocument
from thinktank.reviews.models import ApplicationAttachment

from .helpers import (
    backup,
    has_tables,
    invoke,
    members,
    realistic_data,
    restore,
    sha256,
    small_data,
    stored_files,
    upload_dir,
    write_archive,
)

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.slow
def test_a_restore_into_an_empty_database_gives_back_every_row_and_file(
        source, target, make_expert, make_user, tmp_path):
    dataset = realistic_data(make_expert, make_user)
    archive = backup(source, tmp_path / "thinktank.tar.gz")
    assert not has_tables(target) and not upload_dir(target).exists()

    result = restore(target, archive)

    assert result.exit_code == 0, result.output
    expected = table_rows(source)
    assert table_rows(target) == expected
    filled = {name for name, rows in expected.items() if rows}
    assert {"alembic_version", "users", "experts", "consultation_sessions", "session_materials",
            "review_application_attachments", "review_score_sheets", "review_sheet_scores",
            "review_group_opinions", "issued_documents", "audit_entries"} <= filled
    files = stored_files(upload_dir(source))
    assert stored_files(upload_dir(target)) == files
    assert {path.split("/")[0] for path in files} == {"materials", "applications", "imports"}
    assert len(files) == 3 + 3 + 1
    # The restored app finds each upload its rows name, and the issued PDF is
    # in the database with its frozen checksum.
    with target.app_context():
        for material in db.session.scalars(sa.select(SessionMaterial)):
            assert sha256(material.path.read_bytes()) == material.sha256
        for attachment in db.session.scalars(sa.select(ApplicationAttachment)):
            assert sha256(attachment.path.read_bytes()) == attachment.sha256
        document = db.session.get(IssuedDocument, dataset["document"].id)
        assert document.pdf.startswith(b"%PDF-") and sha256(document.pdf) == document.sha256
        # Sequences carry on after the restored ids (PostgreSQL keeps them apart).
        highest = db.session.scalar(sa.select(sa.func.max(Expert.id)))
        assert create_expert(expert_data(), actor="test").id > highest
        db.session.rollback()
    # The manifest describes the archive.
    contents = members(archive)
    manifest = json.loads(contents.pop("manifest.json"))
    dialect = "postgresql" if ON_POSTGRESQL else "sqlite"
    assert manifest["format"] == "thinktank-backup" and manifest["format_version"] == 1
    assert manifest["dialect"] == dialect and manifest["app_version"] == app_version()
    assert manifest["alembic_revision"] == expected["alembic_version"][0][0]
    created = datetime.strptime(manifest["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((datetime.now(UTC) - created.replace(tzinfo=UTC)).total_seconds()) < 60
    assert {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]} == {
        name: (len(data), sha256(data)) for name, data in contents.items()}
    assert set(contents) == {f"database.{'pgdump' if ON_POSTGRESQL else 'sqlite'}",
                             *(f"uploads/{path}" for path in files)}
    assert f"revision {manifest['alembic_revision']} and 7 files" in result.output


@pytest.mark.slow
def test_a_backup_taken_during_a_write_holds_the_committed_state(source, target, tmp_path):
    small_data()
    committed = table_rows(source)
    with db.engine.connect() as writer:
        writer.begin()
        writer.execute(sa.text("UPDATE experts SET name = '未提交的名字'"))
        archive = backup(source, tmp_path / "thinktank.tar.gz")
        writer.rollback()

    assert restore(target, archive).exit_code == 0
    assert table_rows(target) == committed


@pytest.mark.slow
def test_a_target_that_holds_data_is_replaced_only_with_force(source, target, tmp_path):
    small_data()
    archive = backup(source, tmp_path / "thinktank.tar.gz")
    assert restore(target, archive).exit_code == 0
    with target.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE experts SET name = '改过的名字'"))
        connection.execute(sa.text("DELETE FROM session_materials"))
    (upload_dir(target) / "materials" / "added-later").write_bytes(b"not in the backup")
    drifted, drifted_files = table_rows(target), stored_files(upload_dir(target))

    refused = restore(target, archive)

    assert refused.exit_code == 1
    assert "the database is not empty" in refused.output and "--force" in refused.output
    assert table_rows(target) == drifted and stored_files(upload_dir(target)) == drifted_files

    forced = restore(target, archive, "--force")

    assert forced.exit_code == 0, forced.output
    assert table_rows(target) == table_rows(source)
    assert stored_files(upload_dir(target)) == stored_files(upload_dir(source))
    assert os.listdir(upload_dir(target)) == ["materials"]  # no staging folder left


@pytest.mark.slow
def test_an_upload_folder_that_holds_files_is_refused_without_force(small_archive, target):
    upload_dir(target).mkdir(parents=True)
    (upload_dir(target) / "left-over.pdf").write_bytes(b"%PDF-")

    result = restore(target, small_archive)

    assert result.exit_code == 1 and "is not empty" in result.output
    assert not has_tables(target)
    assert stored_files(upload_dir(target)) == {"left-over.pdf": b"%PDF-"}


def _manifest_change(**changes):
    def change(contents):
        manifest = json.loads(contents["manifest.json"])
        manifest.update(changes)
        contents["manifest.json"] = json.dumps(manifest).encode()
    return change


def _material_name(contents):
    return next(name for name in contents if name.startswith("uploads/materials/"))


def _tamper_file(contents):
    name = _material_name(contents)
    data = contents[name]
    contents[name] = data[:-1] + bytes([data[-1] ^ 1])  # same size, one bit off


def _tamper_database(contents):
    name = next(name for name in contents if name.startswith("database."))
    contents[name] = contents[name] + b"\0"


def _add_member(name):
    def change(contents):
        contents[name] = b"smuggled"
    return change


def _without(name):
    def change(contents):
        del contents[name]
    return change


OTHER_DIALECT = "sqlite" if ON_POSTGRESQL else "postgresql"


@pytest.mark.slow
@pytest.mark.parametrize(("change", "message"), [
    pytest.param(_tamper_file, r"does not match its checksums: uploads/materials/",
                 id="tampered-upload"),
    pytest.param(_tamper_database, r"does not match its checksums: database\.",
                 id="tampered-database"),
    pytest.param(_add_member("uploads/materials/unlisted"),
                 r"does not match its checksums: uploads/materials/unlisted", id="unlisted-file"),
    pytest.param(_add_member("uploads/../../../escaped"), r"unexpected member", id="path-escape"),
    pytest.param(_without("manifest.json"), r"has no manifest\.json", id="no-manifest"),
    pytest.param(_manifest_change(dialect=OTHER_DIALECT),
                 rf"holds a {OTHER_DIALECT} database but this app uses", id="other-dialect"),
    pytest.param(_manifest_change(format_version=2), r"format version 2", id="newer-format"),
    pytest.param(_manifest_change(alembic_revision="0123456789ab"),
                 r"migration 0123456789ab, which this app does not know", id="unknown-migration"),
    pytest.param(_manifest_change(format="something-else"), r"not a thinktank backup manifest",
                 id="foreign-manifest"),
    pytest.param(_manifest_change(database={"member": "database.pgdump", "pg_dump_major": 99}),
                 r"pg_restore \d+ is older than the PostgreSQL 99", id="newer-pg-dump",
                 marks=pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_restore's check")),
])
def test_a_tampered_or_mismatched_archive_is_refused_with_nothing_changed(
        small_archive, untouched_target, tmp_path, change, message):
    target = untouched_target
    contents = members(small_archive)
    manifest = contents.pop("manifest.json")
    change(contents := {**contents, "manifest.json": manifest})
    archive = write_archive(tmp_path / "changed.tar.gz", contents)

    result = restore(target, archive)

    assert result.exit_code == 1
    assert re.search(message, result.output), result.output
    assert not has_tables(target)
    assert not upload_dir(target).exists()
    assert not (upload_dir(target).parent / "escaped").exists()  # where ../../../ leads


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "flipped", "not-gzip"])
def test_a_damaged_archive_is_refused_with_nothing_changed(
        small_archive, untouched_target, tmp_path, damage):
    target = untouched_target
    data = small_archive.read_bytes()
    damaged = {
        "truncated": data[: len(data) * 2 // 3],
        "flipped": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF])
                   + data[len(data) // 2 + 1:],
        "not-gzip": b"PK\x03\x04 this is a zip file, not a backup",
    }[damage]
    archive = tmp_path / "damaged.tar.gz"
    archive.write_bytes(damaged)

    result = restore(target, archive)

    assert result.exit_code == 1
    assert re.search(r"damaged or not a backup archive|does not match its checksums|"
                     r"has no manifest", result.output), result.output
    assert not has_tables(target)
    assert not upload_dir(target).exists()


@pytest.mark.slow
def test_a_failed_database_restore_puts_the_old_files_back(small_archive, target):
    archive = small_archive
    upload_dir(target).mkdir(parents=True)
    (upload_dir(target) / "old.pdf").write_bytes(b"%PDF- kept")
    if ON_POSTGRESQL:
        # A view on a table the restore must drop: pg_restore --clean fails
        # half-way, and its single transaction takes back what it did.
        assert restore(target, archive, "--force").exit_code == 0
        (upload_dir(target) / "old.pdf").write_bytes(b"%PDF- kept")
        with target.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text("CREATE VIEW expert_names AS SELECT name FROM experts"))
            connection.execute(sa.text("UPDATE experts SET name = '改过的名字'"))
    else:
        # The database path is a folder: SQLite cannot open it.
        url = sa.make_url(target.config["SQLALCHEMY_DATABASE_URI"])
        os.mkdir(url.database)
    before_rows = table_rows(target) if ON_POSTGRESQL else None
    before_files = stored_files(upload_dir(target))

    result = restore(target, archive, "--force")

    assert result.exit_code == 1
    assert re.search(r"pg_restore failed|could not be restored", result.output), result.output
    assert stored_files(upload_dir(target)) == before_files
    # No staging folder left behind.
    assert sorted(os.listdir(upload_dir(target))) == sorted({p.split("/")[0] for p in before_files})
    if ON_POSTGRESQL:
        assert table_rows(target) == before_rows


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL for the target; on SQLite "
                    "the other-dialect case is covered by an archive whose manifest says so")
def test_a_sqlite_backup_is_refused_by_a_postgresql_target(app_config, target, tmp_path):
    sqlite_app = create_app({**app_config,
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite'}",
                             "UPLOAD_DIR": str(tmp_path / "other-uploads")})
    with sqlite_app.app_context():
        db.create_all()
        stamp()
        db.engine.dispose()
    archive = backup(sqlite_app, tmp_path / "sqlite.tar.gz")

    result = restore(target, archive)

    assert result.exit_code == 1
    assert "holds a sqlite database but this app uses postgresql" in result.output
    assert not has_tables(target)


@pytest.mark.slow
def test_create_replaces_the_archive_only_once_complete_and_leaves_no_temporary_files(
        source, tmp_path):
    small_data()
    folder = tmp_path / "backups"
    folder.mkdir()
    archive = folder / "latest.tar.gz"
    archive.write_bytes(b"the previous backup")

    refused = invoke(source, "backup", "create", str(upload_dir(source) / "inside.tar.gz"))
    assert refused.exit_code == 1 and "outside UPLOAD_DIR" in refused.output
    backup(source, archive)

    assert os.listdir(folder) == ["latest.tar.gz"]
    assert "manifest.json" in members(archive)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds personal data


def test_the_password_goes_to_the_environment_not_the_arguments():
    url = sa.make_url("postgresql+psycopg://thinktank:s3cr%40t@db.example:5433/thinktank"
                      "?sslmode=require")

    dsn, environment = libpq_connection(url)

    assert dsn == "postgresql://thinktank@db.example:5433/thinktank?sslmode=require"
    assert environment["PGPASSWORD"] == "s3cr@t"


def test_client_programs_older_than_the_server_are_refused():
    check_client_version("pg_dump", 15, 15)
    check_client_version("pg_dump", 16, 15)
    with pytest.raises(BackupError, match="pg_restore 14 is older than the PostgreSQL 15"):
        check_client_version("pg_restore", 14, 15)
