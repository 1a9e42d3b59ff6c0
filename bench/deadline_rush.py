"""Load test: the deadline rush.

In the last minutes before the scoring deadline, 200 simulated experts
(``--experts``) sign in and save, change and submit their score sheets at
once, against gunicorn and PostgreSQL, as browsers do: each has its own
cookie jar, reads the CSRF token and the sheet's version from the page it
posts, sometimes double-clicks (the same POST twice at once) and sometimes
saves from a second tab that still shows an older version. Meanwhile the
secretariat reloads a round's scoring progress page every second.

Afterwards the database must hold exactly one sheet per assigned expert and
application, every one submitted with the last values its expert sent, at
the version its expert's successful saves give, with one score row per
criterion and one submission in the audit log; no request may get a 5xx or
a 4xx other than the 409 that refuses the second click or the stale tab.
The figures go to the "Deadline rush" section of docs/benchmarks.md.

The script does its own set-up: a fresh PostgreSQL database (dropped at the
end unless ``--keep``), ``flask db upgrade``, the data built through the
app's services (experts, accounts, rounds in scoring with their criteria,
groups, applications and panels of 5 or 7), then gunicorn started as
README's Deployment section does (sync workers, SECRET_KEY and DATABASE_URL
from the environment, CSRF on).

    .venv/bin/python bench/deadline_rush.py                 # 200 experts, about 6 minutes
    .venv/bin/python bench/deadline_rush.py --experts 20 --ramp 10 --think 0.3 --no-write

bench/README.md describes the simulated experts and the checks.

Exits 1 when a check fails.
"""

import argparse
import asyncio
import html
import os
import random
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import flask, fresh_database, gunicorn, machine, write_section  # noqa: E402

from thinktank import create_app  # noqa: E402
from thinktank.audit.models import AuditEntry  # noqa: E402
from thinktank.auth.services import create_user  # noqa: E402
from thinktank.experts.rules import ExpertData  # noqa: E402
from thinktank.experts.services import create_expert, seed_fields  # noqa: E402
from thinktank.extensions import db  # noqa: E402
from thinktank.permissions import Role  # noqa: E402
from thinktank.reviews import panels, services  # noqa: E402
from thinktank.reviews.importer import ApplicationData  # noqa: E402
from thinktank.reviews.models import (  # noqa: E402
    Application,
    Criterion,
    RoundStatus,
    ScoreSheet,
    SheetScore,
    SheetStatus,
)
from thinktank.reviews.scoring import RECOMMENDATIONS  # noqa: E402
from thinktank.vocabulary import (  # noqa: E402
    CATEGORIES,
    INDUSTRY_DIRECTIONS,
    JIANGXI_CITIES,
)

HEADING = "## Deadline rush"

ACTOR = "bench"
PASSWORD = "deadline-rush-password"  # every simulated account's
SECRETARIAT_EMAIL = "secretariat@rush.example.cn"
CRITERIA_SETS = (
    ("标志性产业化项目遴选", (("技术先进性", "30"), ("产业化前景", "25"), ("团队与基础", "20"),
                              ("经济社会效益", "15"), ("实施方案可行性", "10"))),
    ("中试项目遴选", (("技术成熟度", "35"), ("中试方案", "25"), ("市场前景", "20"),
                      ("团队与条件", "20"))),
)
GROUP_NAMES = ("第一组", "第二组")
DOUBLE_CLICK_SAVE = 0.10  # share of draft saves sent twice at once
DOUBLE_CLICK_SUBMIT = 0.25  # share of submissions sent twice at once
STALE_TAB = 0.10  # share of draft saves followed by a save from an older tab
PARTIAL_DRAFT = 0.2  # chance that a draft leaves a criterion empty
KIND_HEADER = "x-bench-kind"  # names the request's kind in gunicorn's access log
KINDS = ("login form", "sign in", "assignments", "open sheet", "save draft", "submit",
         "progress page")


# --- the data set, built through the app's services ------------------------------------


def panel_sizes(experts: int) -> list[int]:
    """Panels of 7 (large rounds) and of 5 that seat every expert once: as
    many of 7 as leave a multiple of 5."""
    for large in range(experts // 7, -1, -1):
        if (experts - 7 * large) % 5 == 0:
            return [7] * large + [5] * ((experts - 7 * large) // 5)
    raise SystemExit(f"--experts {experts} cannot be seated in panels of 5 and 7 "
                     "(any number from 24 up can)")


def round_layout(sizes: list[int]) -> list[list[int]]:
    """The panels of each round: every third round is split into two groups
    (分组评审) with a panel each, where two panels of one size are left."""
    rounds, rest = [], list(sizes)
    while rest:
        size = rest.pop(0)
        if len(rounds) % 3 == 0 and size in rest:
            rest.remove(size)
            rounds.append([size, size])
        else:
            rounds.append([size])
    return rounds


@dataclass(frozen=True)
class Account:
    email: str
    expert_id: int
    application_ids: frozenset[int]


@dataclass
class DataSet:
    accounts: list[Account]
    round_ids: list[int]
    panels: int
    applications: int

    @property
    def sheets(self) -> int:
        return sum(len(account.application_ids) for account in self.accounts)


def _expert(number: int, today: date):
    return create_expert(ExpertData(
        name=f"压测专家{number:03d}",
        organisation=f"压测大学{number:03d}",
        category=CATEGORIES[number % len(CATEGORIES)],
        city=JIANGXI_CITIES[number % len(JIANGXI_CITIES)],
        mobile=f"139{number:08d}",
        email=f"expert{number:03d}@rush.example.cn",
        field_names=[INDUSTRY_DIRECTIONS[number % len(INDUSTRY_DIRECTIONS)]],
        title="教授",
        term_start=today - timedelta(days=365),
        term_end=today + timedelta(days=3 * 365),
    ), actor=ACTOR)


def build_data(experts: int, per_panel: int, deadline: datetime) -> DataSet:
    """Experts with an expert account each, a secretariat account, and rounds
    in scoring whose panels seat every expert once; each panel scores
    ``per_panel`` applications. Commits."""
    seed_fields()
    secretariat = create_user(SECRETARIAT_EMAIL, "压测秘书处", [Role.SECRETARIAT],
                              password=PASSWORD, actor=ACTOR)[0]
    today = date.today()
    pool = [_expert(number, today) for number in range(1, experts + 1)]
    db.session.flush()
    for expert in pool:
        create_user(expert.email, expert.name, [Role.EXPERT], password=PASSWORD,
                    expert_id=expert.id, actor=ACTOR)
    db.session.commit()
    seats = iter(pool)
    assigned: dict[int, set[int]] = {expert.id: set() for expert in pool}
    round_ids, panel_count, application_count = [], 0, 0
    for number, sizes in enumerate(round_layout(panel_sizes(experts)), start=1):
        category, criteria = CRITERIA_SETS[number % len(CRITERIA_SETS)]
        review_round = services.create_round(
            services.RoundData(name=f"压测批次{number:02d}（{category}）", category=category,
                               panel_size=sizes[0], scoring_deadline=deadline),
            [services.CriterionData(name, Decimal(points)) for name, points in criteria],
            actor=ACTOR)
        grouped = len(sizes) > 1
        for group_index, group in enumerate(GROUP_NAMES[:len(sizes)] if grouped else [None]):
            for index in range(per_panel):
                label = f"{number:02d}-{group_index + 1}{index + 1:02d}"
                services.create_application(review_round, ApplicationData(
                    number=f"RUSH-{label}", title=f"压测申报项目{label}",
                    organisation=f"压测申报企业{label}",
                    direction=INDUSTRY_DIRECTIONS[index % len(INDUSTRY_DIRECTIONS)],
                    city=JIANGXI_CITIES[index % len(JIANGXI_CITIES)], group_name=group,
                ), actor=ACTOR)
                application_count += 1
        db.session.flush()
        made = panels.create_panels(review_round, per_group=grouped, user=secretariat)
        for panel, size in zip(made, sizes, strict=True):
            members = [panels.add_member(panel, next(seats), user=secretariat)
                       for _ in range(size)]
            panels.set_leader(members[0], user=secretariat)
            scored = {application.id for application in panels.panel_applications(panel)}
            for member in members:
                assigned[member.expert_id] |= scored
        panel_count += len(made)
        services.change_status(review_round, RoundStatus.SCORING, actor=ACTOR)
        db.session.commit()
        round_ids.append(review_round.id)
    accounts = [Account(expert.email, expert.id, frozenset(assigned[expert.id]))
                for expert in pool]
    return DataSet(accounts, round_ids, panel_count, application_count)


# --- the server -------------------------------------------------------------------------


def server_logging(folder: Path) -> tuple[str, ...]:
    """gunicorn options that write its access log (status, time in µs and the
    client's ``X-Bench-Kind`` header of each request) and its error log
    (tracebacks, worker timeouts) to ``folder``."""
    return ("--forwarded-allow-ips=127.0.0.1",
            "--access-logfile", str(folder / "access.log"),
            "--access-logformat", f"%(s)s %(D)s %({{{KIND_HEADER}}}i)s",
            "--error-logfile", str(folder / "gunicorn.log"))


# --- the simulated browsers ---------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int | None  # None: no response at all (connection error, timeout)
    seconds: float
    expected: bool


@dataclass
class Log:
    """Every request's kind, status and latency, and what went wrong."""

    samples: list[Sample] = field(default_factory=list)
    problems: Counter = field(default_factory=Counter)
    double_clicks: int = 0
    stale_tabs: int = 0
    readback_mismatches: int = 0
    active: int = 0
    peak_active: int = 0

    def problem(self, text: str) -> None:
        self.problems[text] += 1


async def call(client: httpx.AsyncClient, log: Log, kind: str, method: str, url: str,
               expect: set[int], **kwargs) -> httpx.Response | None:
    """One request, timed and logged; an unexpected status is a problem."""
    started = time.perf_counter()
    try:
        response = await client.request(method, url, headers={KIND_HEADER: kind}, **kwargs)
    except httpx.HTTPError as error:
        log.samples.append(Sample(kind, None, time.perf_counter() - started, False))
        log.problem(f"{kind}: no response ({type(error).__name__})")
        return None
    seconds = time.perf_counter() - started
    expected = response.status_code in expect
    log.samples.append(Sample(kind, response.status_code, seconds, expected))
    if not expected:
        log.problem(f"{kind}: HTTP {response.status_code}")
    return response


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SHEET_FORM = re.compile(r'<form method="post" id="sheet-form".*?</form>', re.DOTALL)
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
POINTS = re.compile(r'name="points-(\d+)" value="([^"]*)" data-max="([^"]+)"')
COMMENT = re.compile(r'name="comment"[^>]*>(.*?)</textarea>', re.DOTALL)
CHECKED = re.compile(r'name="recommendation" id="recommendation-\d+" value="([^"]+)" checked')
SHOWN_TOTAL = re.compile(r'id="sheet-total">([^<]+)<')
SHEET_LINK = re.compile(r'href="/reviews/applications/(\d+)/sheet"')
DONE = re.compile(r'<td class="text-end">(\d+)/(\d+)</td>')


@dataclass(frozen=True)
class Values:
    points: dict[int, Decimal | None]  # None: left empty
    comment: str
    recommendation: str  # "" for none


@dataclass
class SheetState:
    """What one simulated expert knows of one of their sheets."""

    application_id: int
    csrf: str = ""
    version: int = 0
    maxima: dict[int, Decimal] = field(default_factory=dict)
    stored: Values | None = None  # the values of the last save that succeeded
    writes: int = 0  # successful saves and submissions
    drafts: int = 0
    submitted: bool = False

    @property
    def url(self) -> str:
        return f"/reviews/applications/{self.application_id}/sheet"


def _read_form(sheet: SheetState, page: str) -> str | None:
    """Take the CSRF token, version and criteria from the sheet form; the form's HTML."""
    form = SHEET_FORM.search(page)
    if form is None:
        return None
    sheet.csrf = CSRF.search(form.group(0)).group(1)
    sheet.version = int(VERSION.search(form.group(0)).group(1))
    sheet.maxima = {int(c): Decimal(m) for c, _value, m in POINTS.findall(form.group(0))}
    return form.group(0)


def _shown(form: str) -> Values:
    points = {int(c): Decimal(v) if v else None for c, v, _max in POINTS.findall(form)}
    comment = COMMENT.search(form)
    checked = CHECKED.search(form)
    return Values(points, html.unescape(comment.group(1)) if comment else "",
                  checked.group(1) if checked else "")


def check_shown(log: Log, sheet: SheetState, page: str, where: str) -> None:
    """A sheet page must show what was stored last: the form with the last
    saved values while a draft, the locked scores with their total once
    submitted. Reads the form's token and version for the next POST."""
    form = _read_form(sheet, page)
    if sheet.submitted:
        total = SHOWN_TOTAL.search(page)
        wanted = sum((p for p in sheet.stored.points.values() if p is not None), Decimal(0))
        if form is not None or total is None or Decimal(total.group(1)) != wanted:
            log.readback_mismatches += 1
            log.problem(f"{where}: a submitted sheet does not show its submitted total")
    elif form is None:
        log.problem(f"{where}: no sheet form on a sheet that is not submitted")
    elif sheet.stored is not None and _shown(form) != sheet.stored:
        log.readback_mismatches += 1
        log.problem(f"{where}: the form does not show the values saved last")


async def open_sheet(client: httpx.AsyncClient, log: Log, sheet: SheetState) -> None:
    """GET the sheet as the browser shows it (also after each save's redirect)
    and check that it shows what was stored."""
    response = await call(client, log, "open sheet", "GET", sheet.url, {200})
    if response is not None and response.status_code == 200:
        check_shown(log, sheet, response.text, "open sheet")


def _random_values(sheet: SheetState, rng: random.Random, label: str, *, complete: bool
                   ) -> Values:
    """Points in tenths within each criterion's maximum (a draft may leave some
    empty), a comment that changes with every save, a recommendation."""
    points: dict[int, Decimal | None] = {}
    for criterion, maximum in sheet.maxima.items():
        if not complete and rng.random() < PARTIAL_DRAFT:
            points[criterion] = None
            continue
        tenths = rng.randint(0, int(maximum * 10))
        points[criterion] = Decimal(f"{tenths // 10}.{tenths % 10}")
    stage = "定稿" if complete else f"第{sheet.drafts + 1}稿"
    remark = rng.choice(("技术路线清晰", "产业化条件需补充", "团队基础扎实", "建议支持"))
    comment = f"{label}：{stage}，{remark}（{rng.randrange(10**6):06d}）"
    recommendation = rng.choice(RECOMMENDATIONS if complete else ("", *RECOMMENDATIONS))
    return Values(points, comment, recommendation)


def _form_data(sheet: SheetState, values: Values, *, submit: bool, version: int | None = None,
               csrf: str | None = None) -> dict:
    data = {"csrf_token": csrf or sheet.csrf,
            "version": str(sheet.version if version is None else version),
            "comment": values.comment, "action": "submit" if submit else "save"}
    data |= {f"points-{c}": "" if p is None else str(p) for c, p in values.points.items()}
    if values.recommendation:  # an unchecked radio button sends nothing
        data["recommendation"] = values.recommendation
    return data


async def write_sheet(client: httpx.AsyncClient, log: Log, sheet: SheetState,
                      rng: random.Random, label: str, *, submit: bool) -> None:
    """Save a draft or submit, from the sheet page last opened: plainly, as a
    double click (two identical POSTs at once: one must win, the other get
    409), or, for a draft, followed by a save from a second tab opened before
    it (refused with 409). A refusal must show the sheet as the save that won
    left it; then the redirect's page is opened and checked as well."""
    kind = "submit" if submit else "save draft"
    values = _random_values(sheet, rng, label, complete=submit)
    data = _form_data(sheet, values, submit=submit)
    roll = rng.random()
    if roll < (DOUBLE_CLICK_SUBMIT if submit else DOUBLE_CLICK_SAVE):
        log.double_clicks += 1
        responses = await asyncio.gather(
            *(call(client, log, kind, "POST", sheet.url, {302, 409}, data=data)
              for _ in range(2)))
        statuses = sorted(r.status_code if r is not None else 0 for r in responses)
        if statuses != [302, 409]:
            log.problem(f"{kind}: a double click answered {statuses}, not one 302 and one 409")
        won = 302 in statuses
        refused = [r for r in responses if r is not None and r.status_code == 409]
    elif not submit and roll < DOUBLE_CLICK_SAVE + STALE_TAB:
        log.stale_tabs += 1
        seen_version, seen_csrf = sheet.version, sheet.csrf
        await call(client, log, "open sheet", "GET", sheet.url, {200})  # the second tab
        response = await call(client, log, kind, "POST", sheet.url, {302}, data=data)
        won = response is not None and response.status_code == 302
        older = _random_values(sheet, rng, label, complete=False)
        stale = await call(client, log, kind, "POST", sheet.url, {409},
                           data=_form_data(sheet, older, submit=False, version=seen_version,
                                           csrf=seen_csrf))
        refused = [stale] if stale is not None and stale.status_code == 409 else []
    else:
        response = await call(client, log, kind, "POST", sheet.url, {302}, data=data)
        won = response is not None and response.status_code == 302
        refused = []
    if won:
        sheet.stored = values
        sheet.writes += 1
        sheet.drafts += not submit
        sheet.submitted = submit
    for response in refused:
        check_shown(log, sheet, response.text, f"{kind} refused")
    await open_sheet(client, log, sheet)


async def sign_in(client: httpx.AsyncClient, log: Log, email: str) -> bool:
    page = await call(client, log, "login form", "GET", "/auth/login", {200})
    if page is None or page.status_code != 200:
        return False
    response = await call(client, log, "sign in", "POST", "/auth/login", {302}, data={
        "csrf_token": CSRF.search(page.text).group(1), "email": email, "password": PASSWORD})
    return response is not None and response.status_code == 302


def _work_plan(application_ids: list[int], rng: random.Random) -> list[tuple[int, bool]]:
    """(application, submit?) steps: 2–4 draft saves then the submission for
    each sheet, the sheets' steps interleaved at random."""
    queues = [[(a, False)] * rng.randint(2, 4) + [(a, True)] for a in application_ids]
    plan = []
    while queues:
        queue = rng.choice(queues)
        plan.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return plan


@dataclass(frozen=True)
class Pace:
    ramp: float  # experts arrive spread over this many seconds
    think: float  # mean pause between two actions of one expert


async def expert_rush(base_url: str, account: Account, log: Log, rng: random.Random,
                      pace: Pace) -> dict[int, SheetState]:
    """One expert's browser: sign in, list the assignments, then save each
    sheet a few times with changing values and submit it."""
    await asyncio.sleep(rng.uniform(0, pace.ramp))
    log.active += 1
    log.peak_active = max(log.peak_active, log.active)
    sheets = {a: SheetState(a) for a in sorted(account.application_ids)}
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            if not await sign_in(client, log, account.email):
                return sheets
            page = await call(client, log, "assignments", "GET", "/reviews/my-assignments", {200})
            if page is None or page.status_code != 200:
                return sheets
            if {int(a) for a in SHEET_LINK.findall(page.text)} != set(account.application_ids):
                log.problem("assignments: the list differs from the panels' applications")
            showing = None
            for application_id, submit in _work_plan(list(sheets), rng):
                await asyncio.sleep(rng.uniform(0, 2 * pace.think))
                sheet = sheets[application_id]
                if showing != application_id:
                    await open_sheet(client, log, sheet)
                    showing = application_id
                if not sheet.maxima:  # the page could not be read: nothing to post
                    showing = None
                    continue
                label = f"{account.email.split('@')[0]}/{application_id}"
                await write_sheet(client, log, sheet, rng, label, submit=submit)
    finally:
        log.active -= 1
    return sheets


@dataclass
class Watch:
    polls: int = 0
    regressions: int = 0  # a round's count of done sheets went down between two polls
    final_done: int = 0
    final_total: int = 0


async def watch_progress(base_url: str, round_ids: list[int], log: Log, stop: asyncio.Event
                         ) -> Watch:
    """The secretariat reloads one round's progress page every second, round
    after round, until the experts are done; then reads every round once more."""
    watch, seen = Watch(), {}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        if not await sign_in(client, log, SECRETARIAT_EMAIL):
            return watch
        while not stop.is_set():
            round_id = round_ids[watch.polls % len(round_ids)]
            started = time.perf_counter()
            page = await call(client, log, "progress page", "GET",
                              f"/reviews/{round_id}/progress", {200})
            watch.polls += 1
            if page is not None and page.status_code == 200:
                done = sum(int(d) for d, _total in DONE.findall(page.text))
                watch.regressions += done < seen.get(round_id, 0)
                seen[round_id] = done
            try:
                await asyncio.wait_for(stop.wait(), max(0.0, 1 - (time.perf_counter() - started)))
            except TimeoutError:
                pass
        for round_id in round_ids:
            page = await call(client, log, "progress page", "GET",
                              f"/reviews/{round_id}/progress", {200})
            if page is not None and page.status_code == 200:
                counts = DONE.findall(page.text)
                watch.final_done += sum(int(d) for d, _total in counts)
                watch.final_total += sum(int(t) for _done, t in counts)
    return watch


async def rush(base_url: str, data: DataSet, pace: Pace, seed: int
               ) -> tuple[Log, dict[tuple[int, int], SheetState], Watch, float]:
    """Run every expert and the secretariat at once; returns the log, each
    (expert, application)'s sheet state, the secretariat's watch and the
    duration in seconds."""
    log, stop = Log(), asyncio.Event()
    watcher = asyncio.create_task(watch_progress(base_url, data.round_ids, log, stop))
    started = time.perf_counter()
    results = await asyncio.gather(
        *(expert_rush(base_url, account, log, random.Random(f"{seed}-{account.email}"), pace)
          for account in data.accounts), return_exceptions=True)
    duration = time.perf_counter() - started
    stop.set()
    watch = await watcher
    states = {}
    for account, result in zip(data.accounts, results, strict=True):
        if isinstance(result, BaseException):
            log.problem(f"simulated expert crashed: {result!r}")
            continue
        states |= {(account.expert_id, a): sheet for a, sheet in result.items()}
    return log, states, watch, duration


# --- checks in the database ------------------------------------------------------------


@dataclass
class Check:
    name: str
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def _failures(pairs) -> list[str]:
    return [f"{what} (expert {expert}, application {application})"
            for (expert, application), what in pairs]


def check_database(data: DataSet, states: dict[tuple[int, int], SheetState]) -> list[Check]:
    """Compare what the database holds with what each simulated expert sent."""
    assigned = {(a.expert_id, application) for a in data.accounts for application in
                a.application_ids}
    rows = db.session.execute(
        select(ScoreSheet.expert_id, ScoreSheet.application_id, func.count())
        .group_by(ScoreSheet.expert_id, ScoreSheet.application_id)).all()
    counts = {(expert, application): n for expert, application, n in rows}
    sheets = {(s.expert_id, s.application_id): s
              for s in db.session.scalars(select(ScoreSheet))}
    criteria = dict(db.session.execute(
        select(Application.id, func.count(Criterion.id))
        .join(Criterion, Criterion.round_id == Application.round_id)
        .group_by(Application.id)).all())
    score_rows = {(sheet_id, criterion): n for sheet_id, criterion, n in db.session.execute(
        select(SheetScore.sheet_id, SheetScore.criterion_id, func.count())
        .group_by(SheetScore.sheet_id, SheetScore.criterion_id)).all()}
    audit = Counter(db.session.execute(
        select(AuditEntry.target_id, AuditEntry.action)
        .where(AuditEntry.target_type == "ScoreSheet")).all())

    one_row, submitted, values, versions, scores, audited = [], [], [], [], [], []
    for pair in sorted(assigned | set(counts)):
        if counts.get(pair, 0) != 1 or pair not in assigned:
            one_row.append((pair, f"{counts.get(pair, 0)} rows"
                            + ("" if pair in assigned else ", not assigned")))
            continue
        sheet, state = sheets[pair], states.get(pair)
        if sheet.status != SheetStatus.SUBMITTED or state is None or not state.submitted:
            submitted.append((pair, f"stored {sheet.status}, client "
                              f"{'submitted' if state and state.submitted else 'did not submit'}"))
            continue
        stored = Values({s.criterion_id: s.points for s in sheet.scores}, sheet.comment or "",
                        sheet.recommendation or "")
        if stored != state.stored:
            values.append((pair, "stored values differ from the last ones submitted"))
        if sheet.version != state.writes:
            versions.append((pair, f"version {sheet.version}, {state.writes} successful writes"))
        per_criterion = [n for (sheet_id, _c), n in score_rows.items() if sheet_id == sheet.id]
        if len(per_criterion) != criteria[pair[1]] or any(n != 1 for n in per_criterion):
            scores.append((pair, f"{sum(per_criterion)} score rows for {criteria[pair[1]]} "
                                 "criteria"))
        submissions = audit[(sheet.id, "score_sheet.submitted")]
        saves = audit[(sheet.id, "score_sheet.saved")]
        if submissions != 1 or saves != state.drafts:
            audited.append((pair, f"audit: {submissions} submissions, {saves} saves for "
                                  f"{state.drafts} successful drafts"))
    return [
        Check("one score sheet row per assigned (expert, application), none extra",
              _failures(one_row)),
        Check("every sheet submitted, as its expert saw it", _failures(submitted)),
        Check("stored points, comment and recommendation = the last ones submitted",
              _failures(values)),
        Check("sheet version = the expert's successful saves + submission (no lost or "
              "phantom write)", _failures(versions)),
        Check("one score row per criterion", _failures(scores)),
        Check("audit log: one submission per sheet, one save per successful draft",
              _failures(audited)),
    ]


def check_requests(log: Log, watch: Watch, server: "ServerLog") -> list[Check]:
    def failing(condition: bool, text: str) -> list[str]:
        return [] if condition else [text]

    fivexx = sum(1 for s in log.samples if s.status is not None and s.status >= 500)
    unexpected = [s for s in log.samples if not s.expected]
    return [
        Check("no 5xx (client side and gunicorn's access log)",
              failing(fivexx == 0 and server.fivexx == 0,
                      f"{fivexx} seen by the clients, {server.fivexx} in the access log")),
        Check("no other unexpected answer (4xx other than the refused double click or stale "
              "tab, no response)",
              failing(not unexpected, f"{len(unexpected)} unexpected answers")),
        Check("no traceback or worker timeout in gunicorn's log",
              failing(server.errors == 0, f"{server.errors} error lines")),
        Check("every page read back after a save showed the values saved",
              failing(log.readback_mismatches == 0, f"{log.readback_mismatches} mismatches")),
        Check("no other problem seen by the simulated browsers",
              [f"{text} ×{n}" for text, n in log.problems.items()]),
        Check("progress page: never went down, and shows every sheet done at the end",
              failing(watch.regressions == 0 and watch.final_done == watch.final_total > 0,
                      f"{watch.regressions} regressions, {watch.final_done}/"
                      f"{watch.final_total} done at the end")),
    ]


# --- the report ---------------------------------------------------------------------------


@dataclass
class ServerLog:
    fivexx: int
    errors: int
    seconds: dict[str, list[float]]  # by kind of request


def read_server_log(folder: Path) -> ServerLog:
    fivexx, seconds = 0, {}
    for line in (folder / "access.log").read_text().splitlines():
        status, duration, kind = line.split(" ", 2)
        fivexx += status.startswith("5")
        seconds.setdefault(kind, []).append(int(duration) / 1e6)
    errors = sum(1 for line in (folder / "gunicorn.log").read_text().splitlines()
                 if "Traceback" in line or "WORKER TIMEOUT" in line or "[ERROR]" in line)
    return ServerLog(fivexx, errors, seconds)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Run:
    data: DataSet
    args: argparse.Namespace
    log: Log
    watch: Watch
    server: ServerLog
    checks: list[Check]
    duration: float
    setup: float
    started: datetime
    deadline: datetime
    load_before: str
    load_after: str
    postgresql: str


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _latency_row(kind: str, client: list[float], server: list[float]) -> str:
    def shares(values: list[float]) -> list[str]:
        return [_ms(percentile(values, share)) if values else "–" for share in (0.5, 0.99)]

    return " | ".join(["", kind, str(len(client)), *shares(client),
                       _ms(max(client)) if client else "–", *shares(server), ""]).strip()


def report(run: Run) -> str:
    log, data, args = run.log, run.data, run.args
    rows = [_latency_row(kind, [s.seconds for s in log.samples if s.kind == kind],
                         run.server.seconds.get(kind, [])) for kind in KINDS]
    rows.append(_latency_row("all", [s.seconds for s in log.samples],
                             [t for times in run.server.seconds.values() for t in times]))
    requests = len(log.samples)
    statuses = Counter(s.status for s in log.samples)
    fivexx = sum(n for status, n in statuses.items() if status is not None and status >= 500)
    unexpected_4xx = sum(1 for s in log.samples
                         if not s.expected and s.status is not None and 400 <= s.status < 500)
    unanswered = sum(1 for s in log.samples if s.status is None)
    errors = sum(1 for s in log.samples if not s.expected)
    refused = sum(1 for s in log.samples if s.status == 409 and s.expected)
    checks = "\n".join(f"- {'✓' if c.passed else '✗'} {c.name}"
                       + ("" if c.passed else f": {'; '.join(c.failures[:5])}"
                          + (f" … ({len(c.failures)} in all)" if len(c.failures) > 5 else ""))
                       for c in run.checks)
    verdict = "all passed" if all(c.passed for c in run.checks) else "FAILED"
    return (
        f"{HEADING}\n\n"
        f"`bench/deadline_rush.py --experts {len(data.accounts)}`: {len(data.accounts)} "
        f"simulated experts sign in and save, change and submit their score sheets at once, "
        f"in the last minutes before the scoring deadline, against gunicorn "
        f"({args.workers} sync workers) and PostgreSQL, while the secretariat reloads a "
        f"progress page every second. Each expert arrives within the first {args.ramp:g} s "
        f"and pauses {args.think:g} s on average between two actions; each sheet gets 2–4 "
        f"draft saves and a submission; {DOUBLE_CLICK_SAVE:.0%} of the saves and "
        f"{DOUBLE_CLICK_SUBMIT:.0%} of the submissions are double clicks (two identical "
        f"POSTs at once), and {STALE_TAB:.0%} of the saves are followed by a save from an "
        f"older tab. The clients run in one asyncio process (httpx) on the same machine; "
        f"the load average shows what else ran on it.\n\n"
        f"| | |\n|---|---|\n"
        f"| Machine | {machine()} |\n"
        f"| Date | {run.started:%Y-%m-%d %H:%M} UTC |\n"
        f"| Load average (1, 5, 15 min) before / after | {run.load_before} / "
        f"{run.load_after} |\n"
        f"| Server | gunicorn {version('gunicorn')}, {args.workers} sync workers; "
        f"PostgreSQL {run.postgresql} |\n"
        f"| Experts / rounds / panels / applications | {len(data.accounts)} / "
        f"{len(data.round_ids)} / {data.panels} / {data.applications} |\n"
        f"| Score sheets | {data.sheets} |\n"
        f"| Peak experts signed in at once | {log.peak_active} |\n"
        f"| Requests | {requests} in {run.duration:.0f} s: {requests / run.duration:.1f} "
        f"requests/s |\n"
        f"| Double clicks / stale-tab saves | {log.double_clicks} / {log.stale_tabs} |\n"
        f"| Expected 409 (the second click, the stale tab) | {refused} |\n"
        f"| Progress page polls | {run.watch.polls}: one every "
        f"{run.duration / max(run.watch.polls, 1):.1f} s (a reload waits for the answer) |\n"
        f"| 5xx | {fivexx} |\n"
        f"| Unexpected 4xx | {unexpected_4xx} |\n"
        f"| No answer (connection error, timeout) | {unanswered} |\n"
        f"| Errors in all (any unexpected status or no answer) | {errors} |\n"
        f"| Set-up (database, data, server start) | {run.setup:.0f} s |\n\n"
        f"Latency per request: as the clients saw it (with the wait in gunicorn's queue and "
        f"in the clients' event loop) and as gunicorn's access log has it (in the worker):"
        f"\n\n| Request | Count | p50 | p99 | max | server p50 | server p99 |\n"
        f"|---|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n"
        f"Database checks after the rush ({verdict}):\n\n{checks}\n"
    )


# --- main ---------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=200,
                        help="simulated experts, seated in panels of 5 and 7 (default 200)")
    parser.add_argument("--applications", type=int, default=4,
                        help="applications per panel (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--ramp", type=float, default=60,
                        help="seconds over which the experts arrive (default 60)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds between two actions of an expert (default 1)")
    parser.add_argument("--deadline", type=float, default=20,
                        help="minutes from the start to the scoring deadline (default 20)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-write", action="store_true",
                        help="print the report without writing docs/benchmarks.md")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    started = datetime.now(UTC)
    deadline = started + timedelta(minutes=args.deadline)
    name = f"thinktank_rush_{started:%Y%m%d%H%M%S}"
    clock = time.perf_counter()
    with fresh_database(name, keep=args.keep) as database_url:
        print(f"database {name}")
        environment = os.environ | {"DATABASE_URL": database_url,
                                    "SECRET_KEY": secrets.token_hex(32)}
        environment.pop("THINKTANK_PRODUCTION", None)  # no TLS proxy in front here
        os.environ.update(DATABASE_URL=database_url, SECRET_KEY=environment["SECRET_KEY"])
        flask(environment, "db", "upgrade")
        app = create_app()
        with app.app_context():
            data = build_data(args.experts, args.applications, deadline)
            postgresql = db.session.scalar(text("SHOW server_version")).split()[0]
            db.session.remove()
        print(f"{len(data.accounts)} experts, {len(data.round_ids)} rounds, {data.panels} "
              f"panels, {data.sheets} sheets; deadline {deadline:%H:%M:%S} UTC")
        with tempfile.TemporaryDirectory() as folder:
            logs = Path(folder)
            with gunicorn(environment, args.workers, server_logging(logs)) as base_url:
                setup = time.perf_counter() - clock
                load_before = load_average()
                print(f"gunicorn on {base_url}; the rush starts")
                log, states, watch, duration = asyncio.run(
                    rush(base_url, data, Pace(args.ramp, args.think), args.seed))
                load_after = load_average()
            server = read_server_log(logs)
        with app.app_context():
            checks = check_database(data, states) + check_requests(log, watch, server)
            db.session.remove()
            db.engine.dispose()
    if args.keep:
        print(f"kept database {name}")
    if datetime.now(UTC) > deadline:
        checks.append(Check("the rush ended before the deadline",
                            ["it did not: run again with a later --deadline"]))
    section = report(Run(data, args, log, watch, server, checks, duration, setup, started,
                         deadline, load_before, load_after, postgresql))
    print(section)
    if not args.no_write:
        write_section(HEADING, section)
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
