"""Extension objects, created without an app and bound in ``create_app``."""

from flask import has_request_context
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from thinktank.forms import query_integer

# A fixed naming convention keeps constraint names identical on SQLite and
# PostgreSQL, so Alembic can alter or drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, **options):
        """As Flask-SQLAlchemy's, but the page number of the query string is
        bounded (``query_integer``): a huge one would make an OFFSET that the
        database driver fails on."""
        if page is None and has_request_context():
            page = query_integer("page", 1)
        return super().paginate(select, page=page, **options)


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
