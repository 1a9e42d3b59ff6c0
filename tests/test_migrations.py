"""The migrations build the schema from empty, and agree with the models."""


import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.helpers import empty_database
from thinktank import create_app
from thinktank.extensions import db


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
