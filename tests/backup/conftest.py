"""Backup tests: the suite's app as the source, with an UPLOAD_DIR of its own,
and apps on empty databases to restore into (helpers.py builds the data and
compares what was restored)."""

from pathlib import Path

import pytest

from tests.helpers import reset_tables

from .helpers import backup, small_data, stamped, target_app


@pytest.fixture
def source(app, monkeypatch, tmp_path):
    """The suite's app, stamped, with an UPLOAD_DIR of its own."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)
    with stamped():
        yield app


@pytest.fixture(scope="module")
def small_archive(app, tmp_path_factory) -> Path:
    """A backup of ``small_data``, made once for the tests whose restores are refused."""
    folder = tmp_path_factory.mktemp("small-backup")
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setitem(app.config, "UPLOAD_DIR", str(folder / "uploads"))
        reset_tables()  # as clean_database does before each test
        small_data()
        with stamped():
            return backup(app, folder / "thinktank.tar.gz")


@pytest.fixture
def target(app_config, tmp_path):
    with target_app(app_config, tmp_path / "restored") as restored:
        yield restored


@pytest.fixture(scope="module")
def untouched_target(app_config, tmp_path_factory):
    """One empty target for the tests whose restores are all refused; each of
    them checks that it stayed empty."""
    with target_app(app_config, tmp_path_factory.mktemp("untouched")) as restored:
        yield restored
