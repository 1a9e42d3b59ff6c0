"""How the view modules are laid out: each area lists its routes in its
``blueprint.py``, and views commit only through ``thinktank.views.committed``."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "thinktank"


def _view_modules() -> list[Path]:
    """Every module of an area that answers requests: views, *_views and the route tables."""
    return sorted(path for path in PACKAGE.glob("*/*.py")
                  if path.stem in ("views", "blueprint") or path.stem.endswith("_views"))


def _lines_matching(pattern: str, paths: list[Path]) -> list[str]:
    found = re.compile(pattern)
    return [f"{path.relative_to(PACKAGE)}:{number}"
            for path in paths
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if found.search(line)]


def test_every_area_blueprint_comes_from_its_route_table(app):
    ours = {name: blueprint for name, blueprint in app.blueprints.items()
            if blueprint.import_name.startswith("thinktank.")}
    assert len(ours) > 10
    for name, blueprint in ours.items():
        assert blueprint.import_name == f"thinktank.{name}.blueprint"


def test_no_view_module_registers_routes_by_decorator():
    views = [path for path in _view_modules() if path.stem != "blueprint"]
    assert len(views) > 15
    assert _lines_matching(r"^@\w+\.(route|get|post|context_processor)\b|\bBlueprint\(",
                           views) == []


def test_no_view_module_commits_or_rolls_back_by_itself():
    assert _lines_matching(r"\bsession\.(commit|rollback)\(", _view_modules()) == []
