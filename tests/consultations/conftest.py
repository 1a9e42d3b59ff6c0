import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def empty_materials_dir(app):
    """The upload folder lives for the whole test run; each test starts without materials."""
    shutil.rmtree(Path(app.config["UPLOAD_DIR"]) / "materials", ignore_errors=True)


@pytest.fixture
def secretariat_email(app, monkeypatch):
    monkeypatch.setitem(app.config, "SECRETARIAT_EMAIL", "mishuchu@kjt.jiangxi.gov.cn")
    return "mishuchu@kjt.jiangxi.gov.cn"
