"""What setup.cfg cannot say: the folders the package carries and the build step.

The app reads templates/, translations/ and migrations/ from the top level of
the repository, beside the package, and static/ from inside it. A checkout or
an editable install uses them where they are; a built package (a wheel, or
``pip install .``) carries the top-level ones inside the package, as
thinktank/templates and so on, which is where the app looks first
(``thinktank._bundled``).

Building also compiles the translation catalogs (.po to .mo) in the source
tree, before they are copied, so that every install serves Chinese without a
separate ``flask i18n compile``: a wheel, a non-editable install run from the
checkout, and an editable install alike.
"""

import runpy
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

# Top-level folders carried as data packages of thinktank, with the files each needs.
BUNDLED = {
    "templates": ["**/*.html", "**/*.txt", "**/*.css"],
    "translations": ["*/*/LC_MESSAGES/messages.po", "*/*/LC_MESSAGES/messages.mo"],
    # env.py is copied as the package's module; the revisions are data.
    "migrations": ["alembic.ini", "script.py.mako", "README", "versions/*.py"],
}


class BuildWithCatalogs(build_py):
    """build_py that compiles the catalogs first, with thinktank/catalogs.py run
    on its own: importing the package would need Flask, which the isolated build
    environment does not have (Babel is a build requirement)."""

    def run(self):
        compile_catalogs = runpy.run_path(str(HERE / "thinktank" / "catalogs.py"))[
            "compile_catalogs"]
        compile_catalogs(HERE / "translations")
        super().run()


setup(
    packages=[*find_packages(include=["thinktank", "thinktank.*"]),
              *(f"thinktank.{name}" for name in BUNDLED)],
    package_dir={f"thinktank.{name}": name for name in BUNDLED},
    package_data={
        "thinktank": ["static/*"],
        **{f"thinktank.{name}": patterns for name, patterns in BUNDLED.items()},
    },
    cmdclass={"build_py": BuildWithCatalogs},
)
