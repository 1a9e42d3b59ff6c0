import pytest

from tests.security.walk import walk_site


@pytest.fixture(scope="package")
def site_walk(app):
    """Every GET route opened as every role on the demo data (see ``walk``)."""
    return walk_site(app)
