"""Compiling the translation catalogs to .mo, for ``flask i18n compile`` and for
the package build (setup.py), which runs this file with only Babel installed:
it imports nothing from the app, Flask or click."""

from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogs(translations: Path) -> int:
    """Compile each ``<area>/<locale>/LC_MESSAGES/messages.po`` under ``translations``.

    The .mo goes to the folder named as Babel spells the locale at run time
    (``zh_CN`` is looked up as ``zh_Hans_CN``), so the catalogs are found.
    """
    count = 0
    for po_file in sorted(translations.glob("*/*/LC_MESSAGES/messages.po")):
        locale = Locale.parse(po_file.parent.parent.name)
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        target = po_file.parent.parent.parent / str(locale) / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        with (target / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
        count += 1
    return count
