"""Translation catalogs: one folder under ``translations/`` per package of
``thinktank`` (``core/`` for the shared modules), each message in the catalog
of the package that uses it and in no other; Flask-Babel merges them at run
time.

``flask i18n compile`` builds the .mo files (building the package does too, see
setup.py); ``flask i18n missing`` lists the source messages that no catalog
translates (a test fails on any)."""

import click
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask.cli import AppGroup

from thinktank.catalogs import compile_catalogs
from thinktank.paths import ROOT, TRANSLATIONS

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("thinktank/**.py", "python"), ("templates/**.html", "jinja2")]

i18n_cli = AppGroup("i18n", help="Translation catalogs.")


def catalogs(locale: str = "zh_CN"):
    for po_file in sorted(TRANSLATIONS.glob(f"*/{locale}/LC_MESSAGES/messages.po")):
        with po_file.open("rb") as handle:
            yield po_file, read_po(handle, locale=locale)


def source_messages() -> dict[str, str]:
    """Every message id in the code and templates, with where it is first used."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def untranslated(locale: str = "zh_CN") -> dict[str, str]:
    translated = set()
    for _path, catalog in catalogs(locale):
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                translated.add(message.id if isinstance(message.id, str) else message.id[0])
    return {msgid: where for msgid, where in source_messages().items() if msgid not in translated}


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile every catalog to .mo."""
    click.echo(f"compiled {compile_catalogs(TRANSLATIONS)} catalogs")


@i18n_cli.command("missing")
@click.option("--locale", default="zh_CN")
def missing_command(locale: str) -> None:
    """List source messages without a translation."""
    missing = untranslated(locale)
    for msgid, where in sorted(missing.items(), key=lambda item: item[1]):
        click.echo(f"{where}\t{msgid}")
    if missing:
        raise SystemExit(1)
