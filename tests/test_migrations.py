"""The migrations build the schema from empty, and agree with the models."""


from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.experts.workbooks import row, workbook
from tests.helpers import empty_database
from thinktank import create_app
from thinktank.experts.models import Expert, ExpertiseField
from thinktank.extensions import db
from thinktank.vocabulary import SEED_FIELDS


@pytest.fixture
def empty_database_url(tmp_path):
    with empty_database(tmp_path, "migrations") as url:
        yield url


def test_upgrade_from_empty_matches_the_models(app_config, empty_database_url):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def _upgraded_app(app_config, url, revision="head"):
    """An app on ``url`` after `flask db upgrade` (to ``revision``), run as a command."""
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "upgrade", revision])
    assert result.exit_code == 0, result.output
    return app


def _fields(app) -> list[tuple[str, int, bool]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            sa.select(ExpertiseField.name, ExpertiseField.position, ExpertiseField.active)
            .order_by(ExpertiseField.position, ExpertiseField.name))]


def test_a_fresh_install_imports_the_template_after_upgrade_alone(
        app_config, empty_database_url, tmp_path):
    """No `demo load`: the migrations seed the expertise fields that the
    official template's 专业领域 column uses."""
    app = _upgraded_app(app_config, empty_database_url)
    assert _fields(app) == [(name, position, True) for position, name in enumerate(SEED_FIELDS)]
    path = tmp_path / "experts.xlsx"
    path.write_bytes(workbook([row(专业领域="、".join(SEED_FIELDS[start:start + 5]))
                               for start in range(0, len(SEED_FIELDS), 5)]))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["experts", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "created: 3, updated: 0, unchanged: 0"
        experts = db.session.scalars(sa.select(Expert).order_by(Expert.id)).all()
        assert [name for expert in experts for name in expert.field_names] == list(SEED_FIELDS)
        db.session.remove()
        db.engine.dispose()


def test_seeding_the_fields_leaves_an_existing_taxonomy_as_it_is(
        app_config, empty_database_url):
    """Only the seeded fields missing by name are added; a deactivated or moved
    field keeps its state, and upgrading again adds nothing."""
    app = _upgraded_app(app_config, empty_database_url, "f40b77f49f59")  # before the seeding
    with app.app_context():
        db.session.add_all([ExpertiseField(name="合成生物学", position=0),
                            ExpertiseField(name="生物医药", position=30, active=False)])
        db.session.commit()
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["db", "downgrade", "f40b77f49f59"], ["db", "upgrade"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
    fields = _fields(app)
    assert ("合成生物学", 0, True) in fields and ("生物医药", 30, False) in fields
    assert sorted(name for name, _position, _active in fields) == sorted(
        {"合成生物学", *SEED_FIELDS})
    with app.app_context():
        db.engine.dispose()


def test_a_subject_issued_twice_stops_the_upgrade_and_is_named(app_config, empty_database_url):
    """The one-document-per-subject index cannot be built over two numbers
    issued for one subject: the upgrade stops, names them and changes nothing."""
    app = _upgraded_app(app_config, empty_database_url, "0c44c10a9cbe")  # before the index
    documents = sa.table("issued_documents", *(sa.column(name) for name in (
        "kind", "subject_type", "subject_id", "title", "prefix", "year", "sequence", "number",
        "version", "verification_code", "status", "html", "issued_at")))
    with app.app_context():
        db.session.execute(sa.insert(documents), [
            {"kind": "application_opinion", "subject_type": "review_application",
             "subject_id": 7, "title": "专家评审意见表", "prefix": "赣生智咨", "year": 2026,
             "sequence": sequence, "number": f"赣生智咨〔2026〕{sequence}号", "version": 1,
             "verification_code": f"CODE{sequence}", "status": "done", "html": "",
             "issued_at": datetime(2026, 11, 29, tzinfo=UTC)}
            for sequence in (3, 4)])
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code != 0
        assert "application_opinion #7: 赣生智咨〔2026〕3号; application_opinion #7: " \
               "赣生智咨〔2026〕4号" in result.output
        index_names = {index["name"] for index in sa.inspect(db.engine).get_indexes(
            "issued_documents")}
        assert "uq_issued_documents_kind_subject" not in index_names
        db.session.remove()
        db.engine.dispose()
