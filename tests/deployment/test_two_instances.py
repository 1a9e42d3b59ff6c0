"""Two gunicorn instances on two ports, as two machines behind nginx would
run, sharing one PostgreSQL database, one UPLOAD_DIR and one SECRET_KEY;
then two schedulers at once against one SMTP server.

Whatever the suite's own database, this module creates a PostgreSQL
database of its own (``createdb`` on 127.0.0.1, user postgres) and drops it
afterwards: what is shared between machines is a server database, never an
SQLite file. Requests carry the headers nginx adds (X-Forwarded-For,
X-Forwarded-Proto), and the instances run in production mode with
``TRUSTED_PROXIES=1``."""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD, free_port, wait_until
from tests.notifications.helpers import SmtpServer
from thinktank import create_app
from thinktank.extensions import db

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "thinktank.example.cn"  # the name nginx serves
PG_HOST, PG_USER = "127.0.0.1", "postgres"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + secrets.token_bytes(64)
MESSAGES = 60
START_TIMEOUT = 40  # seconds for an instance or a scheduler to come up on a busy machine


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser behind nginx: keeps its session cookie (whichever instance
    set it) and sends it to any instance, with the proxy's headers."""

    def __init__(self, client_address: str = "198.51.100.20"):
        self.cookie: str | None = None
        self.client_address = client_address
        self._opener = urllib.request.build_opener(NoRedirect)

    def request(self, base: str, path: str, form: dict | None = None,
                upload: tuple[str, bytes] | None = None, headers: dict | None = None) -> Reply:
        # What nginx passes on: the public host name, the client's address and
        # scheme; the Referer is the browser's (same origin: the CSRF check over
        # https compares it with the host).
        head = {"Host": PUBLIC_HOST, "X-Forwarded-For": self.client_address,
                "X-Forwarded-Proto": "https", "Referer": f"https://{PUBLIC_HOST}{path}",
                **(headers or {})}
        data = None
        if self.cookie:
            head["Cookie"] = f"session={self.cookie}"
        if upload is not None:
            data, head["Content-Type"] = _multipart(form or {}, *upload)
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(base + path, data=data, headers=head)
        try:
            with self._opener.open(request, timeout=30) as response:
                reply = Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, dict(error.headers), error.read())
        match = re.match(r"session=([^;]*)", reply.headers.get("Set-Cookie", ""))
        if match:
            self.cookie = match.group(1) or None
        return reply


def _multipart(fields: dict, name: str, data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
             .encode() for key, value in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename*=UTF-8''{urllib.parse.quote(name)}\r\n"
                 "Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _postgres(*command: str) -> None:
    result = subprocess.run([*command, "-h", PG_HOST, "-U", PG_USER], capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed: {result.stderr.strip()} — these tests need "
                    f"PostgreSQL at {PG_HOST}:5432 (user {PG_USER}), on SQLite runs too")


@dataclass
class Cluster:
    web: list[str]  # base URLs of the instances
    env: dict
    app: object  # an app on the shared database, for preparing rows and reading them
    smtp: SmtpServer
    logs: Path

    def log_tail(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted(self.logs.glob("*.log")))


def _wait_until_up(base: str, process: subprocess.Popen, logs: Path) -> None:
    def up_or_exited() -> str | None:
        if process.poll() is not None:
            return "exited"
        try:
            return "up" if Browser().request(base, "/auth/login").status == 200 else None
        except OSError:
            return None

    if wait_until(up_or_exited, START_TIMEOUT, interval=0.2) == "up":
        return
    tails = "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-2000:]
                      for p in sorted(logs.glob("*.log")))
    pytest.fail(f"gunicorn at {base} did not come up:\n{tails}")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    name = f"thinktank_deploy_{os.getpid()}_{secrets.token_hex(3)}"
    _postgres("createdb", name)
    shared = tmp_path_factory.mktemp("shared")
    logs = tmp_path_factory.mktemp("logs")
    url = f"postgresql://{PG_USER}@{PG_HOST}:5432/{name}"
    smtp = SmtpServer(free_port())
    smtp.start()
    env = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "UPLOAD_DIR": str(shared / "uploads"),
        "THINKTANK_PRODUCTION": "1",
        "TRUSTED_PROXIES": "1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_TIMEOUT_SECONDS": "10",
    }
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://",
                                                             "postgresql+psycopg://"),
                      "SECRET_KEY": env["SECRET_KEY"], "UPLOAD_DIR": env["UPLOAD_DIR"],
                      "SERVER_NAME": PUBLIC_HOST, "PREFERRED_URL_SCHEME": "https"})
    with app.app_context():
        from thinktank.experts.services import seed_fields

        db.create_all()
        seed_fields()
        db.session.commit()
    processes, web = [], []
    try:
        for number in (1, 2):
            port = free_port()
            log = (logs / f"web{number}.log").open("w")
            processes.append(subprocess.Popen(
                # No control socket: by default every instance of a user shares one path.
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--no-control-socket",
                 "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            web.append(f"http://127.0.0.1:{port}")
        for base, process in zip(web, processes, strict=True):
            _wait_until_up(base, process, logs)
        yield Cluster(web, env, app, smtp, logs)
    finally:
        _stop(processes)
        smtp.stop()
        with app.app_context():
            db.engine.dispose()
        _postgres("dropdb", "--if-exists", "--force", name)
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture
def prepared(cluster):
    """``with prepared() as session:`` rows written to the shared database."""
    from contextlib import contextmanager

    @contextmanager
    def context():
        with cluster.app.app_context():
            yield db.session
            db.session.commit()

    return context


def _sign_in(cluster, browser: Browser, email: str, instance: int = 0) -> Reply:
    base = cluster.web[instance]
    token = _csrf_token(browser.request(base, "/auth/login").text)
    return browser.request(base, "/auth/login",
                           form={"email": email, "password": PASSWORD, "csrf_token": token})


def _user(prepared, email: str, *roles: str) -> str:
    from thinktank.auth.services import create_user

    with prepared():
        create_user(email, "秘书处测试", list(roles) or ["secretariat"], password=PASSWORD)
    return email


def test_a_session_and_a_form_move_freely_between_instances(cluster, prepared):
    email = _user(prepared, "mishu@example.cn")
    first, second = cluster.web
    browser = Browser()
    response = _sign_in(cluster, browser, email)
    assert response.status == 302, cluster.log_tail()
    assert "Secure" in response.headers["Set-Cookie"]  # production mode behind https
    page = browser.request(second, "/auth/password")
    assert page.status == 200 and "秘书处测试" in page.text, page.status
    assert "Strict-Transport-Security" in page.headers  # the instance saw https
    # A token from a page of the first instance is accepted by the second.
    token = _csrf_token(browser.request(first, "/auth/password").text)
    assert browser.request(second, "/auth/locale",
                           form={"locale": "en", "next": "/", "csrf_token": token}).status == 302
    assert browser.request(second, "/auth/locale",
                           form={"locale": "en", "csrf_token": "forged"}).status == 400
    # Signing out on one ends the session on both, for a copy of the cookie too.
    copy = Browser()
    copy.cookie = browser.cookie
    token = _csrf_token(browser.request(second, "/auth/password").text)
    assert browser.request(second, "/auth/logout", form={"csrf_token": token}).status == 302
    assert copy.request(first, "/auth/password").status == 302


def test_a_file_uploaded_through_one_instance_downloads_through_the_other(cluster, prepared):
    from tests.consultations.factories import make_session
    from thinktank.consultations.models import SessionMaterial

    email = _user(prepared, "cailiao@example.cn")
    with prepared():
        session_id = make_session().id
    first, second = cluster.web
    browser = Browser()
    assert _sign_in(cluster, browser, email, instance=1).status == 302
    token = _csrf_token(browser.request(first, f"/consultations/{session_id}").text)
    response = browser.request(first, f"/consultations/{session_id}/materials",
                               form={"csrf_token": token}, upload=("会议材料（第一批）.pdf", PDF))
    assert response.status == 302, (response.status, cluster.log_tail())
    with prepared() as session:
        material_id = session.scalar(select(SessionMaterial.id))
    download = browser.request(second, f"/consultations/materials/{material_id}")
    assert download.status == 200 and download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    # Nobody else gets it from either instance.
    for base in cluster.web:
        assert Browser().request(base, f"/consultations/materials/{material_id}").status == 302


def test_throttling_is_shared_and_keyed_by_the_address_nginx_reports(cluster, prepared):
    email = _user(prepared, "xianliu@example.cn")
    first, second = cluster.web
    attacker = Browser("198.51.100.66")
    for attempt in range(5):
        base = cluster.web[attempt % 2]  # nginx spreads the attempts over both instances
        token = _csrf_token(attacker.request(base, "/auth/login").text)
        reply = attacker.request(base, "/auth/login", form={
            "email": f"guess{attempt}@example.cn", "password": "guess", "csrf_token": token})
        assert reply.status == 401
    token = _csrf_token(attacker.request(second, "/auth/login").text)
    assert attacker.request(second, "/auth/login", form={
        "email": email, "password": PASSWORD, "csrf_token": token}).status == 429
    # Another client behind the same nginx signs in.
    assert _sign_in(cluster, Browser("198.51.100.67"), email, instance=0).status == 302


def test_two_schedulers_deliver_each_due_message_once(cluster, prepared):
    from thinktank.notifications import services
    from thinktank.notifications.models import OutboxMessage
    from thinktank.timeutil import utcnow

    with prepared():
        for number in range(MESSAGES):
            services.enqueue(kind="reminder", dedupe_key=f"deploy:{number}",
                             recipient_email=f"expert{number}@example.cn",
                             recipient_name=f"专家{number}", subject=f"会商提醒 {number}",
                             text_body="您好，会商将于明天上午九时举行。",
                             due_at=utcnow() - timedelta(minutes=1))
    inbox = cluster.smtp.inbox
    already = len(inbox.messages)
    schedulers = []
    try:
        for number in (1, 2):
            log = (cluster.logs / f"scheduler{number}.log").open("w")
            schedulers.append(subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
                cwd=ROOT, env=cluster.env, stdout=log, stderr=subprocess.STDOUT))
        inbox.wait_for(already + MESSAGES, timeout=START_TIMEOUT)
        # Kept as a fixed wait: a duplicate is what must not happen, and nothing
        # signals that it will not; this second gives one the time to arrive.
        time.sleep(1)
    finally:
        _stop(schedulers)
    received = inbox.message_ids()
    new = [message for message in inbox.messages[already:]]
    assert len(new) == MESSAGES, (len(new), cluster.log_tail())
    assert max(received.values()) == 1, "a message arrived twice"
    with prepared() as session:
        sent = session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == "sent"))
    assert sent == MESSAGES
    logs = [(cluster.logs / f"scheduler{n}.log").read_text() for n in (1, 2)]
    assert all("scheduler running" in log for log in logs), logs
