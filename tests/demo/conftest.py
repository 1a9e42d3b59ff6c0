"""The demo data for the tests that read it. ``flask demo load`` takes a few
seconds: the first test of the package that asks for ``loaded`` runs it and
keeps every row; the others get those rows back at once."""

import pytest

from tests.helpers import restore_rows, table_rows
from thinktank.timeutil import utcnow

from .helpers import load


@pytest.fixture(scope="package")
def demo_snapshot() -> dict:
    """Filled by the first ``loaded``: the command's result, every row it left
    and the instant it finished."""
    return {}


@pytest.fixture
def loaded(app, runner, clock, demo_snapshot):
    """The database as ``flask demo load`` leaves it, and the command's result.
    A test that reuses the snapshot also has its clock moved on to the instant
    the load finished, so its data is as old as if it had just loaded it; it
    may change the rows, the next test gets them back as loaded."""
    if not demo_snapshot:
        result = load(runner)
        assert result.exit_code == 0, result.output
        demo_snapshot.update(result=result, rows=table_rows(app), finished=utcnow())
        return result
    restore_rows(app, demo_snapshot["rows"])
    clock.shift(demo_snapshot["finished"] - utcnow())
    return demo_snapshot["result"]
