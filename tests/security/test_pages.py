"""Every HTML page the walk rendered (error pages included) carries the
security headers, and loads nothing from another host: the app must work
on a network without the internet and leak no visit to a third party."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.security.walk import ROLES

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                          "strict-origin-when-cross-origin"}
# Attributes whose URL the browser loads, submits to or follows.
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data",
                  "xlink:href", "background", "manifest", "ping", "imagesrcset"}
ABSOLUTE = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)
HOST = "localhost"  # the test app's SERVER_NAME


class PageScan(HTMLParser):
    """URLs a page points at, inline scripts and event handlers (which the
    CSP blocks: a page that has them is broken), and its own assets."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.inline: list[str] = []
        self.assets: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                for url in value.split(",") if "srcset" in name else [value]:
                    self.urls.append((tag, name, url.strip().split(" ")[0]))
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
            if name == "style":
                self.inline.append(f"<{tag} style=…>")
        if tag == "script" and not values.get("src"):
            self.inline.append("<script> without src")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.urls.append((tag, "content", (values.get("content") or "").partition("=")[2]))
        if tag == "script" and values.get("src"):
            self.assets.add(values["src"])
        if tag == "link" and "stylesheet" in (values.get("rel") or ""):
            self.assets.add(values["href"])


def _pages(site_walk):
    return [visit for visit in site_walk.visits
            if visit.headers.get("Content-Type", "").startswith("text/html")]


def _foreign(url: str) -> bool:
    return bool(ABSOLUTE.match(url)) and urlsplit(url.strip()).hostname not in (None, HOST)


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def test_the_walk_saw_every_role_and_many_pages(site_walk):
    pages = _pages(site_walk)
    assert {visit.role for visit in pages} == {str(role) for role in ROLES}
    assert len({visit.endpoint for visit in pages if visit.status == 200}) > 60
    assert any(visit.status == 403 for visit in pages)  # error pages are checked too


# GET endpoints that never answer 200 themselves, with the reason.
REDIRECT_ONLY = {"reviews.sheet_by_id": "sends the expert or the secretariat on to the sheet",
                 "main.favicon": "sends browsers asking for /favicon.ico on to the icon"}


def test_every_get_route_was_opened_with_real_rows(app, site_walk):
    """Each page was seen whole by some role: a new route whose page the walk
    cannot open needs rows in ``walk.add_stored_files``."""
    opened = {visit.endpoint for visit in site_walk.visits if visit.status == 200}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert sorted(routes - opened - REDIRECT_ONLY.keys()) == []
    assert not REDIRECT_ONLY.keys() & opened


def test_every_page_has_the_security_headers(site_walk):
    for visit in _pages(site_walk):
        where = (visit.role, visit.url, visit.status)
        csp = _csp(visit.headers.get("Content-Security-Policy", ""))
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts == ["'self'"], (where, scripts)  # no 'unsafe-inline', eval or hosts
        assert csp.get("object-src") == ["'none'"], where
        assert csp.get("base-uri") == ["'self'"], where
        assert csp.get("frame-ancestors") == ["'none'"], where
        assert visit.headers.get("X-Frame-Options") == "DENY", where
        assert visit.headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, where
        assert visit.headers.get("X-Content-Type-Options") == "nosniff", where


def test_no_page_loads_or_links_anything_from_another_host(site_walk):
    foreign = {(visit.endpoint, tag, name, url)
               for visit in _pages(site_walk)
               for tag, name, url in _scan(visit).urls if _foreign(url)}
    assert foreign == set()


def test_no_page_needs_inline_script_or_style(site_walk):
    """The CSP blocks them; a page that has them silently loses its behaviour."""
    inline = {(visit.endpoint, item) for visit in _pages(site_walk)
              for item in _scan(visit).inline}
    assert inline == set()


def test_the_pages_assets_load_nothing_from_another_host(app, site_walk):
    assets = set().union(*(_scan(visit).assets for visit in _pages(site_walk)))
    assert any(asset.endswith(".css") for asset in assets)
    client = app.test_client()
    for asset in sorted(assets):
        assert not _foreign(asset), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        if asset.endswith(".css"):
            text = response.get_data(as_text=True)
            foreign = [url for url in CSS_URL.findall(text) if _foreign(url)]
            assert foreign == [], (asset, foreign)


def test_issued_documents_load_nothing_from_another_host(site_walk):
    """WeasyPrint fetches what a document's HTML points at while rendering:
    on the server, so nothing may point outside."""
    assert site_walk.document_html
    for html in site_walk.document_html:
        scan = PageScan()
        scan.feed(html)
        loaded = [url for tag, name, url in scan.urls if name != "href" or tag == "link"]
        loaded += CSS_URL.findall(html)
        assert [url for url in loaded if ABSOLUTE.match(url)] == []


@pytest.mark.parametrize("url", ["https://cdn.example.com/x.js", "//cdn.example.com/x.css",
                                 " HTTP://other.example/", "http://localhost.example/"])
def test_the_scan_spots_foreign_urls(url):
    assert _foreign(url)
    assert not _foreign("/static/thinktank.css") and not _foreign("http://localhost/verify")


def _scan(visit) -> PageScan:
    scan = PageScan()
    scan.feed(visit.body.decode("utf-8"))
    return scan
