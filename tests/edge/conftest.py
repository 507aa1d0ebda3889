"""The edge group: requests through a real varnishd running deploy/varnish/default.vcl.

``edge`` is the fixture: Varnish in front of pytest-django's live server, an
empty cache, the Wagtail site and ``SITE_URL`` at Varnish's address (so
page URLs, and the Host of Wagtail's purges, are the edge's, as in
production), and ``WAGTAILFRONTENDCACHE`` pointing at it. Where varnishd is
missing the tests skip with the reason, except in CI, where they fail
(.ci/run installs Debian's varnish).
"""

import os
import tempfile
from pathlib import Path

import pytest

from .varnish import Varnish, find_varnishd

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.edge)


@pytest.fixture(scope="session")
def varnish_server(live_server, django_db_blocker):
    """One varnishd for the session, in front of the live server."""
    binary = find_varnishd()
    if binary is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI needs varnishd for the edge tests (.ci/run installs Debian's varnish)")
        pytest.skip("needs varnishd (Debian: apt-get install varnish)")
    port = int(live_server.url.rsplit(":", 1)[1])
    with tempfile.TemporaryDirectory(prefix="lms-test-varnish-") as directory:
        server = Varnish(binary, Path(directory), backend_port=port)
        try:
            with django_db_blocker.unblock():  # the live server needs it to answer
                server.start()
            yield server
        finally:
            server.stop()


@pytest.fixture
def edge(varnish_server, transactional_db, settings):
    """Varnish with an empty cache, and the app set up to be reached (and purge) through it."""
    from wagtail.models import Site

    varnish_server.forget_everything()
    settings.SITE_URL = varnish_server.url
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": varnish_server.url,
        }
    }
    for site in Site.objects.all():
        site.hostname, site.port = "127.0.0.1", varnish_server.port
        site.save()
    return varnish_server


@pytest.fixture
def edge_test_views(settings):
    """Adds tests/edge/urls.py's views (answers the app never gives) in front of the app's URLs."""
    from . import urls

    settings.ROOT_URLCONF = "tests.edge.urls"
    urls.reset()
    return urls
