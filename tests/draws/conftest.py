import pytest

from thinktank.draws.rules import DrawRequest

from .helpers import EVENT_DAY


@pytest.fixture
def draw_request():
    """``draw_request(**overrides)``: a request for one expert on ``EVENT_DAY``."""

    def make(**overrides) -> DrawRequest:
        values = {"event_date": EVENT_DAY, "panel_size": 1}
        values.update(overrides)
        return DrawRequest(**values)

    return make
