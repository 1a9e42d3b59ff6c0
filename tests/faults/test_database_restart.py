"""PostgreSQL restarted under traffic: requests fail cleanly (503 with a
Chinese message, never a 500 or a stack trace) while it is down, the running
app recovers on its own once it is back (``thinktank.liveness``), and no write
that was answered with success is lost.

The test brings its own PostgreSQL cluster on a free port, so it runs on
either suite database and never touches the shared server. The app is served
by a real threaded HTTP server (werkzeug) in this process; clients in threads
sign in and send real requests over TCP."""

import http.client
import itertools
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select, text
from werkzeug.serving import make_server

from tests.helpers import PASSWORD, free_port, wait_until
from thinktank import create_app
from thinktank.auth.services import create_user
from thinktank.experts.models import Expert
from thinktank.experts.services import seed_fields
from thinktank.extensions import db
from thinktank.permissions import public

from .pgcluster import PrivateCluster, binaries

pytestmark = pytest.mark.slow

MESSAGE_503 = "数据库暂时无法连接"
WRITERS, READERS = 3, 1
WARM_UP_SECONDS = 0.2  # traffic before the fault
OUTAGE_SECONDS = 0.5  # how long the server stays down in the stop/start phase
TRAFFIC_AFTER_SECONDS = 0.3


@pytest.fixture(scope="module")
def cluster():
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")
    cluster = PrivateCluster(bin_dir, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def served_app(cluster, tmp_path):
    """The app as production runs it (no TESTING, so errors go through the
    error pages), on the private cluster, behind a threaded HTTP server."""
    app = create_app({
        "SECRET_KEY": "faults-secret",
        "SQLALCHEMY_DATABASE_URI": cluster.url,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })
    with app.app_context():
        db.create_all()
        seed_fields()
        create_user("mishu@example.cn", "秘书处", ["secretariat"], password=PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.server_port
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


class Browser:
    """One signed-in user's requests over real TCP connections."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None
                ) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode(), dict(response.getheaders())
        finally:
            connection.close()

    def sign_in(self) -> None:
        status, _body, headers = self.request(
            "POST", "/auth/login", {"email": "mishu@example.cn", "password": PASSWORD}
        )
        assert status == 302, status
        cookie = SimpleCookie(headers["Set-Cookie"])
        self.cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in cookie.items())


@dataclass
class Outcome:
    kind: str  # "write" or "read"
    key: str | None  # the expert's name for a write
    started: float
    ended: float
    status: int
    body: str


_numbers = itertools.count(1)


def expert_form(name: str, number: int) -> dict:
    return {
        "name": name, "gender": "女", "birth_year": "1976", "organisation": "南昌大学",
        "category": "高校院所", "title": "教授", "position": "", "field_names": ["生物医药"],
        "city": "南昌", "mobile": f"136{number:08d}", "email": f"restart{number}@example.cn",
        "term_start": "2025-01-01", "term_end": "2027-12-31", "notes": "",
    }


def write(browser: Browser) -> Outcome:
    number = next(_numbers)
    name = f"重启专家{number}"
    started = time.monotonic()
    status, body, _headers = browser.request("POST", "/experts/new", expert_form(name, number))
    return Outcome("write", name, started, time.monotonic(), status, body)


def read(browser: Browser) -> Outcome:
    started = time.monotonic()
    status, body, _headers = browser.request("GET", "/experts/")
    return Outcome("read", None, started, time.monotonic(), status, body)


def succeeded(outcome: Outcome) -> bool:
    return outcome.status == (302 if outcome.kind == "write" else 200)


class Traffic:
    """Writers and readers in threads, each sending requests back to back."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.outcomes: list[Outcome] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, args=(write,))
                         for _ in range(WRITERS)]
        self._threads += [threading.Thread(target=self._loop, args=(read,))
                          for _ in range(READERS)]

    def _loop(self, send) -> None:
        while not self._stop.is_set():
            try:
                outcome = send(self.browser)
            except Exception as error:  # a refused or dropped HTTP connection
                with self._lock:
                    self.errors.append(error)
                return
            with self._lock:
                self.outcomes.append(outcome)

    def answered(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)

    def __enter__(self) -> "Traffic":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def check_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    """Every answer is a success or the clean 503 page; returns the 503s."""
    unexpected = [(o.kind, o.status, o.body[:300]) for o in outcomes
                  if not succeeded(o) and o.status != 503]
    assert unexpected == [], unexpected
    failures = [o for o in outcomes if o.status == 503]
    for outcome in failures:
        assert MESSAGE_503 in outcome.body
        assert "Traceback" not in outcome.body and "psycopg" not in outcome.body
    return failures


def expert_names(app) -> set[str]:
    with app.app_context():
        names = set(db.session.scalars(select(Expert.name)))
        db.session.remove()
    return names


def wait_for_traffic(traffic: Traffic, since: float, seconds: float) -> None:
    """Let the traffic run for ``seconds``, and until every thread has
    finished at least two requests that it started after ``since``."""
    started = time.monotonic()

    def enough() -> bool:
        answered = sum(o.started > since for o in traffic.answered())
        return bool(traffic.errors) or (
            answered >= 2 * (WRITERS + READERS) and time.monotonic() - started >= seconds)

    wait_until(enough, timeout=60, interval=0.01)  # a machine under load is slow, not broken


def test_database_restart_under_traffic_fails_cleanly_and_recovers(cluster, served_app):
    app, port = served_app
    browser = Browser(port)
    browser.sign_in()
    before = [write(browser) for _ in range(5)]
    assert all(succeeded(o) for o in before)
    outcomes: list[Outcome] = list(before)
    figures: dict[str, float] = {}

    # 1. pg_ctl restart -m fast while requests keep coming.
    with Traffic(browser) as traffic:
        wait_for_traffic(traffic, 0, WARM_UP_SECONDS)
        figures["restart_seconds"] = cluster.restart()
        back = time.monotonic()
        wait_for_traffic(traffic, back, TRAFFIC_AFTER_SECONDS)
    assert traffic.errors == [], "the web server itself stopped answering"
    check_outcomes(traffic.outcomes)
    after = [o for o in traffic.outcomes if o.started > back]
    assert after and all(succeeded(o) for o in after), "no recovery after the restart"
    outcomes += traffic.outcomes
    figures["restart_503s"] = sum(o.status == 503 for o in traffic.outcomes)

    # 2. A longer outage: stopped, down for a while under traffic, started again.
    with Traffic(browser) as traffic:
        wait_for_traffic(traffic, 0, WARM_UP_SECONDS)
        down_since = time.monotonic()
        cluster.stop()
        stopped = time.monotonic()
        wait_for_traffic(traffic, stopped, OUTAGE_SECONDS)
        restarting = time.monotonic()
        cluster.start()
        back = time.monotonic()
        wait_for_traffic(traffic, back, TRAFFIC_AFTER_SECONDS)
    assert traffic.errors == [], "the web server itself stopped answering"
    failures = check_outcomes(traffic.outcomes)
    while_down = [o for o in traffic.outcomes if o.started > stopped and o.ended < restarting]
    assert while_down, "no request was sent while the database was down"
    assert all(o.status == 503 for o in while_down)
    after = [o for o in traffic.outcomes if o.started > back]
    assert after and all(succeeded(o) for o in after), "no recovery after the outage"
    outcomes += traffic.outcomes
    figures.update(outage_seconds=back - down_since, outage_503s=len(failures),
                   first_503_to_last=(max(o.ended for o in failures)
                                      - min(o.started for o in failures)))

    # 3. Restarted while no request came: the pooled connections are all dead,
    #    and the very first request after must not see that (thinktank.liveness).
    cluster.restart()
    first = read(browser)
    assert first.status == 200, first.body[:300]
    assert succeeded(write(browser))

    # Nothing answered with success is missing; a 503 write may or may not
    # have been committed (its commit can be cut off after the server took it).
    stored = expert_names(app)
    confirmed = {o.key for o in outcomes if o.kind == "write" and succeeded(o)}
    assert confirmed - stored == set()
    attempted_503 = {o.key for o in outcomes if o.kind == "write" and o.status == 503}
    figures.update(
        requests=len(outcomes), writes_confirmed=len(confirmed),
        writes_503=len(attempted_503), writes_503_committed=len(attempted_503 & stored),
    )
    print("database restart figures:", figures)


def test_a_connection_cut_after_the_answer_does_not_turn_it_into_a_500(cluster, tmp_path):
    """The request has its answer; then the server ends its connection (as a
    restart does) before the request's transaction is rolled back at the end."""
    app = create_app({
        "SECRET_KEY": "faults-secret",
        "SQLALCHEMY_DATABASE_URI": cluster.url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })

    @app.route("/faults/read-then-cut")
    @public
    def read_then_cut():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # a transaction is open
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

            def gone() -> bool:
                other.commit()  # the activity view is read once per transaction
                return not other.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})

            wait_until(gone, timeout=10, interval=0.01)
        return "answered"

    try:
        response = app.test_client().get("/faults/read-then-cut")
        assert (response.status_code, response.data) == (200, b"answered")
    finally:
        with app.app_context():
            db.engine.dispose()
