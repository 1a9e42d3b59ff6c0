import pytest


def load(runner, password=None, base_url=None):
    """``flask demo load``; ``DEMO_PASSWORD`` and ``DEMO_BASE_URL`` unset unless given."""
    return runner.invoke(args=["demo", "load"],
                         env={"DEMO_PASSWORD": password, "DEMO_BASE_URL": base_url})


@pytest.fixture
def loaded(runner):
    result = load(runner)
    assert result.exit_code == 0, result.output
    return result
