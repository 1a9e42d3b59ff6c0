"""thinktank: the expert think tank of the provincial biomanufacturing industry."""

import sqlite3
from decimal import Decimal
from pathlib import Path

from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from thinktank import config as config_module
from thinktank.errors import StorageUnavailable
from thinktank.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from thinktank.paths import MIGRATIONS, TEMPLATES, TRANSLATIONS

# What a 503 page tells clients: a database restart or a full disk takes a while to fix.
RETRY_AFTER_SECONDS = 30
SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY,
}

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides what the environment provides."""
    # Flask finds the instance folder: instance/ in a checkout, and
    # <prefix>/var/thinktank-instance for a package installed into a (virtual)
    # environment, rather than a folder inside site-packages.
    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    app.config.update(config_module.from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        ";".join(str(p) for p in sorted(TRANSLATIONS.iterdir()) if p.is_dir()),
    )
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    lend_area_rules(app)
    from thinktank.scheduler import start_in_process

    start_in_process(app)  # only under `flask run` with SCHEDULER_IN_PROCESS set
    return app


def _select_locale() -> str:
    """The user's language, else the session's choice, else the default (Chinese).

    Outside a request (CLI, scheduler) messages use the default locale."""
    if has_request_context():
        if current_user.is_authenticated and current_user.locale:
            return current_user.locale
        if session.get("locale"):
            return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def is_database_outage(error: DBAPIError) -> bool:
    """Whether a database error means the database is unavailable for now (a
    restart, a lost or refused connection, a lock held too long, a full disk)
    rather than a bug. PostgreSQL drivers raise OperationalError only for
    such conditions; SQLite raises it for syntax errors and missing tables
    too, so there its error code decides."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is None or (code & 0xFF) in SQLITE_UNAVAILABLE


def close_database_session(_error: BaseException | None = None) -> None:
    """End the request's database session. A connection the database server
    has just cut (a restart) fails its ROLLBACK; that is harmless, as the
    server dropped the transaction with the connection, and must not turn an
    answered request into a 500."""
    try:
        db.session.close()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        current_app.logger.warning("database connection lost at the end of a request: %s", error)


def register_extensions(app: Flask) -> None:
    import thinktank.models  # noqa: F401  (all tables on the metadata)
    from thinktank.auth.services import load_user_from_session_id

    db.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before it.
    app.teardown_appcontext(close_database_session)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    bootstrap.init_app(app)
    # Talisman keeps its settings on the instance: one per app, so that apps
    # built with different settings (tests, several configs) do not share them.
    Talisman(
        app,
        force_https=app.config["PRODUCTION"],
        strict_transport_security=app.config["PRODUCTION"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session_id)
    from thinktank import liveness, pagecache

    with app.app_context():
        liveness.watch(db.engine)
    pagecache.init_app(app)


def register_converters(app: Flask) -> None:
    """Before any route is added: ``<int:…>`` only matches what a database
    INTEGER holds."""
    from thinktank.forms import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    """Each area's routes are listed in its ``blueprint.py``."""
    from thinktank.admin.blueprint import blueprint as admin_bp
    from thinktank.auth.blueprint import blueprint as auth_bp
    from thinktank.consultations.blueprint import blueprint as consultations_bp
    from thinktank.draws.blueprint import blueprint as draws_bp
    from thinktank.experts.blueprint import blueprint as experts_bp
    from thinktank.honoraria.blueprint import blueprint as honoraria_bp
    from thinktank.main.blueprint import blueprint as main_bp
    from thinktank.notices.blueprint import blueprint as notices_bp
    from thinktank.notifications.blueprint import blueprint as notifications_bp
    from thinktank.permissions import enforce_access_rule
    from thinktank.portal.blueprint import blueprint as portal_bp
    from thinktank.records.blueprint import blueprint as records_bp
    from thinktank.reports.blueprint import blueprint as reports_bp
    from thinktank.reviews.blueprint import blueprint as reviews_bp
    from thinktank.views import refuse_control_characters

    for blueprint in (main_bp, auth_bp, admin_bp, experts_bp, draws_bp, notifications_bp,
                      consultations_bp, reports_bp, reviews_bp, portal_bp, records_bp,
                      notices_bp, honoraria_bp):
        app.register_blueprint(blueprint)
    app.before_request(enforce_access_rule)
    app.before_request(refuse_control_characters)


def register_errorhandlers(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to open this page."),
        404: lambda: _("The page or record does not exist."),
        405: lambda: _("This action is not allowed here."),
        413: lambda: _("The upload is too large."),
        429: lambda: _("Too many attempts. Please wait and try again."),
        500: lambda: _("Something went wrong on our side. It has been logged."),
    }

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        message = getattr(error, "description", None) if code in (400, 429) else None
        return (
            render_template(
                "errors/error.html", code=code, message=message or messages[code]()
            ),
            code,
        )

    for code in messages:
        app.register_error_handler(code, render_error)

    def unavailable(message):
        # What failed may be the database: roll back, and show the page to an
        # anonymous user, as the signed-in one (for the navigation and the
        # language) would be read from the database again and fail in here.
        close_database_session()
        g._login_user = login_manager.anonymous_user()
        response = make_response(
            render_template("errors/error.html", code=503, message=message()), 503
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        if not is_database_outage(error):
            raise error  # a bug: the 500 page, logged with its traceback
        app.logger.warning("database unavailable: %s", error)
        return unavailable(lambda: _("The database cannot be reached at the moment. "
                                     "Please try again in a minute."))

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error):
        app.logger.error("upload storage unavailable: %s", error)
        return unavailable(lambda: _(
            "The file could not be stored: the server's storage is full or unavailable. "
            "Nothing was saved. Please try again later or tell the administrator."
        ))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return (
            render_template(
                "errors/error.html",
                code=400,
                message=_("The form has expired or was not sent from this site. "
                          "Please reload the page and try again."),
            ),
            400,
        )


def register_template_helpers(app: Flask) -> None:
    from thinktank import timeutil
    from thinktank.auth.labels import ROLE_LABELS
    from thinktank.permissions import Role

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        shown = timeutil.to_display(value)
        return shown.strftime(fmt) if shown else ""

    @app.template_filter("plain")
    def plain(value: Decimal | None) -> str:
        """A decimal without trailing zeros: a full mark of 100, not 100.0."""
        return "" if value is None else f"{value.normalize():f}"

    @app.context_processor
    def inject_globals():
        return {
            "current_locale": str(get_locale()),
            "Role": Role,
            "role_labels": ROLE_LABELS,
            "display_zone": timeutil.zone_label(),
        }


def lend_area_rules(app: Flask) -> None:
    """Rules an area needs from a layer above it, handed down through the app."""
    from thinktank.draws.services import FLAGGED_SCORES
    from thinktank.records.evaluation import flagged_scores

    app.extensions[FLAGGED_SCORES] = flagged_scores


def register_commands(app: Flask) -> None:
    from thinktank.auth.cli import users_cli
    from thinktank.backup.cli import backup_cli
    from thinktank.demo.cli import demo_cli
    from thinktank.draws.cli import draws_cli
    from thinktank.experts.cli import experts_cli
    from thinktank.honoraria.cli import honoraria_cli
    from thinktank.i18n import i18n_cli
    from thinktank.notifications.cli import reminders_cli
    from thinktank.records.cli import records_cli
    from thinktank.reports.cli import reports_cli
    from thinktank.reviews.cli import reviews_cli
    from thinktank.scheduler import scheduler_cli

    for group in (
        users_cli, experts_cli, demo_cli, i18n_cli, draws_cli, reminders_cli, scheduler_cli,
        reports_cli, reviews_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(honoraria_cli)
    app.cli.add_command(records_cli)
    app.cli.add_command(backup_cli)
