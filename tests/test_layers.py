"""The layers of .importlinter hold, and the check would catch a breach."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from thinktank.paths import ROOT

# lint-imports runs as a command of its own.
pytestmark = pytest.mark.slow

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # import-linter imports nothing: it reads the package found from the
    # working directory, so a copy of the tree is checked as it is.
    return subprocess.run([str(LINT_IMPORTS), str(tree / ".importlinter")],
                          cwd=tree, capture_output=True, text=True, timeout=120)


def test_the_tree_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / ".importlinter", tree)
    shutil.copytree(ROOT / "thinktank", tree / "thinktank",
                    ignore=shutil.ignore_patterns("__pycache__", "static"))
    assert lint_imports(tree).returncode == 0
    # The expert pool sits below the reviews: it may not know them.
    (tree / "thinktank" / "experts" / "upward.py").write_text(
        "from thinktank.reviews.models import ReviewRound  # noqa: F401\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "thinktank.experts is not allowed to import thinktank.reviews" in result.stdout
    assert "thinktank.experts.upward -> thinktank.reviews.models" in result.stdout
