"""A built package serves the app as a checkout does: in Chinese, with its
templates, static files and migrations, and without a separate
``flask i18n compile``.

The build runs setup.py's ``build`` on a copy of the checkout's files (what
git lists: no compiled catalogs), into a build folder. ``bdist_wheel`` packs
exactly that folder, but needs the ``wheel`` package and pip's isolated build
needs PyPI; so the built folder is put into the site-packages of a new virtual
environment, as installing the wheel would, whose only other path is the
dependencies of the environment running the tests. The app then runs there
from another folder, through ``python -m flask --app thinktank``, on a new
database of the suite's kind."""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.experts.workbooks import row, workbook
from tests.helpers import empty_database
from thinktank.paths import ROOT

TIMEOUT = 120

# Builds the package and runs it in a virtual environment of its own.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The checkout's files as a fresh clone has them (nothing ignored by git)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
        capture_output=True, check=True, timeout=TIMEOUT).stdout.decode().split("\0")
    copy = tmp_path_factory.mktemp("source")
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # not a file deleted but not yet committed
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    assert not list(copy.rglob("*.mo"))
    return copy


@dataclass
class Environment:
    python: Path
    site_packages: Path

    @property
    def root(self) -> Path:
        return self.python.parent.parent


@pytest.fixture(scope="module")
def installed(source, tmp_path_factory) -> Environment:
    """A virtual environment with the built package installed."""
    build = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "setup.py", "--quiet", "build", "--build-base", str(build)],
                   cwd=source, capture_output=True, check=True, timeout=TIMEOUT)
    environment = tmp_path_factory.mktemp("venv")
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    site_packages = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=TIMEOUT).stdout.strip())
    shutil.copytree(build / "lib", site_packages, dirs_exist_ok=True)
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return Environment(python, site_packages)


def test_the_build_compiles_the_catalogs_and_carries_the_app_s_folders(source, installed):
    package = installed.site_packages / "thinktank"
    for name in ("templates/base.html", "templates/reports/base.html", "static/thinktank.css",
                 "translations/core/zh_Hans_CN/LC_MESSAGES/messages.mo",
                 "migrations/alembic.ini", "migrations/env.py",
                 "migrations/versions/0001_initial_schema.py"):
        assert (package / name).is_file(), name
    # A non-editable install run from the checkout (`flask --app wsgi` there)
    # imports the checkout's package: the build compiled its catalogs in place.
    po_files = sorted(source.glob("translations/*/zh_CN/LC_MESSAGES/messages.po"))
    assert po_files and all(
        (po.parent.parent.parent / "zh_Hans_CN/LC_MESSAGES/messages.mo").is_file()
        for po in po_files)


def test_the_installed_package_serves_chinese_and_upgrades_a_new_database(
        installed, tmp_path):
    """db upgrade, then an import of the template's fields whose one faulty row
    is reported in Chinese, and in English under DEFAULT_LOCALE=en; a page in
    Chinese. (Row 2 is accepted: the migrations seeded its fields.)"""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = elsewhere / "experts.xlsx"
    path.write_bytes(workbook([row(专业领域="生物医药、数字化与智能制造"), row(性别="M")]))
    with empty_database(tmp_path, "packaged") as url:
        environment = {
            **{key: value for key, value in os.environ.items()
               if key not in {"PYTHONPATH", "DEFAULT_LOCALE", "FLASK_APP"}},
            "DATABASE_URL": url, "SECRET_KEY": "packaging-test",
        }

        def run(*arguments, **extra):
            return subprocess.run([installed.python, *arguments], cwd=elsewhere, text=True,
                                  capture_output=True, env={**environment, **extra},
                                  timeout=TIMEOUT)

        def flask(*arguments, **extra):
            return run("-m", "flask", "--app", "thinktank", *arguments, **extra)

        upgrade = flask("db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        chinese = flask("experts", "import", str(path))
        assert chinese.returncode == 1, chinese.stderr
        assert chinese.stdout.splitlines() == ["row 3, 性别: 请填写以下之一：男、女。"]
        english = flask("experts", "import", str(path), DEFAULT_LOCALE="en")
        assert english.stdout.splitlines() == ["row 3, 性别: Enter one of: 男、女."]
        pages = run("-c", "\n".join([
            "import thinktank",
            "app = thinktank.create_app()",
            "client = app.test_client()",
            "print(thinktank.__file__)",
            "print(app.instance_path)",
            "print(client.get('/static/thinktank.css').status_code)",
            "print(client.get('/auth/login').get_data(as_text=True))",
        ]))
        assert pages.returncode == 0, pages.stderr
        module, instance, css, login = pages.stdout.split("\n", 3)
    assert Path(module) == installed.site_packages / "thinktank" / "__init__.py"
    # Flask's folder for an installed package, not one inside site-packages.
    assert Path(instance) == installed.root / "var" / "thinktank-instance"
    assert css == "200"
    assert '<html lang="zh-CN">' in login and "<title>登录" in login
