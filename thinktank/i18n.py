"""Translation catalogs: one folder per area under ``translations/`` (so that
areas can be worked on side by side), merged by Flask-Babel at run time.

``flask i18n compile`` builds the .mo files; ``flask i18n missing`` lists the
source messages that no catalog translates (a test fails on any)."""

from pathlib import Path

import click
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("thinktank/**.py", "python"), ("templates/**.html", "jinja2")]

i18n_cli = AppGroup("i18n", help="Translation catalogs.")


def catalogs(locale: str = "zh_CN"):
    for po_file in sorted(TRANSLATIONS.glob(f"*/{locale}/LC_MESSAGES/messages.po")):
        with po_file.open("rb") as handle:
            yield po_file, read_po(handle, locale=locale)


def compile_catalogs() -> int:
    """Compile each ``<area>/<locale>/LC_MESSAGES/messages.po``.

    The .mo goes to the folder named as Babel spells the locale at run time
    (``zh_CN`` is looked up as ``zh_Hans_CN``), so the catalogs are found.
    """
    count = 0
    for po_file in sorted(TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po")):
        locale = Locale.parse(po_file.parent.parent.name)
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        target = po_file.parent.parent.parent / str(locale) / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        with (target / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
        count += 1
    return count


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
    click.echo(f"compiled {compile_catalogs()} catalogs")


@i18n_cli.command("missing")
@click.option("--locale", default="zh_CN")
def missing_command(locale: str) -> None:
    """List source messages without a translation."""
    missing = untranslated(locale)
    for msgid, where in sorted(missing.items(), key=lambda item: item[1]):
        click.echo(f"{where}\t{msgid}")
    if missing:
        raise SystemExit(1)
