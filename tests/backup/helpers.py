"""Backup tests' helpers: the commands, a realistic data set, an app on an
empty database (a new SQLite file or a freshly created PostgreSQL database)
with an empty upload folder to restore into, and readers that compare every
file and archive member (``tests.helpers.table_rows`` compares the tables)."""

import hashlib
import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import stamp

from tests.helpers import empty_database
from thinktank import create_app
from thinktank.extensions import db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def invoke(app: Flask, *args: str):
    """Run ``flask ARGS`` on ``app``. Flask's runner uses the current app when
    there is one, and the tests hold the suite app's context: push ``app``'s."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def backup(app: Flask, path: Path) -> Path:
    result = invoke(app, "backup", "create", str(path))
    assert result.exit_code == 0, result.output
    return path


def restore(app: Flask, path: Path, *options: str):
    return invoke(app, "backup", "restore", *options, str(path))


@contextmanager
def stamped() -> Iterator[None]:
    """An ``alembic_version`` row as a migrated database has (the suite builds
    its tables with create_all), dropped afterwards."""
    stamp()
    try:
        yield
    finally:
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE alembic_version"))


def small_data() -> None:
    """One expert and one stored material."""
    from tests.consultations.factories import make_session
    from tests.helpers import expert_data
    from thinktank.consultations.services import add_material
    from thinktank.experts.services import create_expert

    create_expert(expert_data(name="备份专家"), actor="test")
    add_material(make_session(), "议程.pdf", PDF)
    db.session.commit()


@contextmanager
def target_app(app_config: dict, folder: Path) -> Iterator[Flask]:
    """An app on an empty database whose UPLOAD_DIR does not exist yet."""
    with empty_database(folder, "restored") as url:
        restored = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url,
                               "UPLOAD_DIR": str(folder / "uploads")})
        yield restored
        with restored.app_context():
            db.engine.dispose()


def realistic_data(make_expert, make_user) -> dict:
    """Users, experts, a session with materials, a finalized review round with
    attachments and submitted sheets, an issued PDF and a stashed import."""
    from tests.consultations.factories import make_session
    from tests.reports.documents import issued, reviewed_round
    from thinktank.consultations.services import add_material
    from thinktank.imports import stash_upload
    from thinktank.reviews.applications import add_attachment

    secretariat = make_user("secretariat", name="秘书处 王")
    make_user("admin")
    session = make_session(status="scheduled", title="生物医药产业规划会商（第一季度）")
    add_material(session, "会议议程.pdf", PDF, secretariat)
    add_material(session, "现场照片.png", PNG, secretariat)
    add_material(session, "汇报材料.pdf", PDF + bytes(range(256)) * 2048, secretariat)
    review_round, applications, _experts = reviewed_round(make_expert, status="draft")
    for number, application in enumerate(applications):
        add_attachment(application, f"申报书{number}.pdf", PDF + str(number).encode(),
                       user=secretariat)
    review_round.status = "finalized"
    db.session.commit()
    document = issued("round_results", review_round.id, "评审结果汇总表")
    stash_upload(b"PK\x03\x04 an import waiting for confirmation")
    return {"round": review_round, "document": document}


def stored_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    if not folder.exists():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def upload_dir(app: Flask) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def has_tables(app: Flask) -> bool:
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and not Path(url.database).exists():
        return False
    with app.app_context():
        names = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
    return bool(names)


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def write_archive(path: Path, contents: dict[str, bytes]) -> Path:
    """A .tar.gz holding ``contents`` in their order: the tampering tests' tool."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
