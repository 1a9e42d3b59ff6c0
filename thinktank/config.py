"""Configuration from environment variables, with safe defaults for one machine."""

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once per instance.

    Several workers on one machine read the same file, so their signed cookies
    and links agree; production sets SECRET_KEY explicitly.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'thinktank.sqlite'}"
    # psycopg 3 is the installed driver; accept the common short spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path: Path) -> dict:
    production = _bool("THINKTANK_PRODUCTION")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # No pre-ping round trip per request: thinktank.liveness checks pooled
        # PostgreSQL connections as they are taken (a closed one is replaced).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "PRODUCTION": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "EXPERT_IMPORT_MAX_BYTES": 10 * 1024 * 1024,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance_path / "uploads")),
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": {"zh_CN": "简体中文", "en": "English"},
        "BOOTSTRAP_SERVE_LOCAL": True,
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 900)),
        "EXPERTS_PER_PAGE": 25,
        # thinktank.pagecache: how long a page may be served again while nothing
        # was written (0 turns the cache off).
        "PAGE_CACHE_SECONDS": int(os.environ.get("PAGE_CACHE_SECONDS", 30)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 8025)),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "thinktank@thinktank.example.cn"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_TIMEOUT_SECONDS": int(os.environ.get("MAIL_TIMEOUT_SECONDS", 30)),
        "OUTBOX_BATCH_SIZE": int(os.environ.get("OUTBOX_BATCH_SIZE", 100)),
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": int(os.environ.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", 300)),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 5)),
        # Minutes to wait after the 1st, 2nd, ... failed attempt (the last value repeats).
        "OUTBOX_BACKOFF_MINUTES": [
            int(m) for m in os.environ.get("OUTBOX_BACKOFF_MINUTES", "1,5,15,60").split(",")
        ],
        # Where users reach the site: links in mails queued outside a request
        # (scheduler jobs, commands) start with it.
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        "SECRETARIAT_EMAIL": os.environ.get(
            "SECRETARIAT_EMAIL", "secretariat@thinktank.example.cn"
        ),
        "SCHEDULER_IN_PROCESS": _bool("SCHEDULER_IN_PROCESS"),
        # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For and
        # -Proto give the client's address (throttling, audit) and the scheme; with 0
        # these headers are ignored, so a client cannot choose its own address.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        # Working days skip weekends and these dates (ISO, comma-separated).
        "HOLIDAYS": [d for d in os.environ.get("HOLIDAYS", "").split(",") if d.strip()],
        "RATING_FLAG_THRESHOLD": int(os.environ.get("RATING_FLAG_THRESHOLD", 60)),
        # PDF reports (thinktank/reports): issuing body, number prefix (赣生智咨〔2026〕3号),
        # confidentiality mark (empty for none) and font families known to fontconfig.
        "REPORT_ISSUER": os.environ.get("REPORT_ISSUER", "江西省生物制造产业发展专家咨询库秘书处"),
        "REPORT_NUMBER_PREFIX": os.environ.get("REPORT_NUMBER_PREFIX", "赣生智咨"),
        "REPORT_CONFIDENTIALITY": os.environ.get("REPORT_CONFIDENTIALITY", "内部资料 注意保密"),
        "REPORT_FONT_SERIF": os.environ.get("REPORT_FONT_SERIF", "Noto Serif CJK SC"),
        "REPORT_FONT_SANS": os.environ.get("REPORT_FONT_SANS", "Noto Sans CJK SC"),
        "REPORT_RENDER_IN_BACKGROUND": _bool("REPORT_RENDER_IN_BACKGROUND", True),
        "REPORT_VERIFY_MAX_BYTES": 20 * 1024 * 1024,
    }
