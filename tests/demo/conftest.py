import pytest

from .helpers import load


@pytest.fixture
def loaded(runner):
    result = load(runner)
    assert result.exit_code == 0, result.output
    return result
