"""Fixtures of the report tests: renders inside the request, and a small pool
with rare name characters (helpers.py reads the PDFs)."""

import pytest

from .helpers import RARE_NAMES


@pytest.fixture(autouse=True)
def render_in_request(app, monkeypatch):
    """Render at once inside the request, so tests see the PDF without waiting;
    the background test switches the executor back on."""
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)


@pytest.fixture
def pool(make_expert):
    """Active experts in several categories, fields and cities, three with rare characters."""
    experts = [
        make_expert(name=RARE_NAMES[0], category="高校院所", city="南昌", field_names=["生物医药"]),
        make_expert(name=RARE_NAMES[1], category="链主企业", city="赣州",
                    field_names=["生物医药", "酶制剂"]),
        make_expert(name=RARE_NAMES[2], category="链主企业", city="九江", field_names=["新食品"]),
    ]
    experts += [
        make_expert(category="高成长企业", city="宜春", field_names=["生物化工"]) for _ in range(3)
    ]
    return experts
