"""Where the app's files are: the package, the repository around it, and the
folders read at run time (templates, translations, migrations). At the bottom
of the layers, so that any module (backups, catalogs) can ask without
importing the app factory."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _bundled(name: str) -> Path:
    """A folder of the repository's top level that the app reads at run time.
    A checkout (and an editable install) has it there; a built package (a wheel,
    ``pip install .``) carries it inside the package, where setup.py maps it."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


TEMPLATES = _bundled("templates")
TRANSLATIONS = _bundled("translations")
MIGRATIONS = _bundled("migrations")
