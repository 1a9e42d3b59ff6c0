"""Benchmark: the pages of a busy review week under load, at two sizes.

For the full data set (``flask demo scale``: 10,000 experts, 200 sessions, 3,000
applications in 20 rounds) and then one tenth of it, each on a fresh PostgreSQL
database: start gunicorn as README's deployment section does, sign in as each
role, and load each page with wrk for a fixed time. Prints, per page, requests
per second, p50 and p99 latency and the ratio to the bare endpoint's throughput
in the same run, then the growth factor (full / tenth); writes the table, the
machine and the date to docs/benchmarks.md with a plot (docs/benchmarks-pages.png).

    .venv/bin/python bench/pages.py                 # about 3 minutes
    .venv/bin/python bench/pages.py --duration 5    # quicker, noisier

Needs wrk (``apt-get install wrk``) and PostgreSQL at 127.0.0.1:5432 (BENCH_PG
to change the server). Exits non-zero when a page misses a target.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import ROOT, flask, fresh_database, gunicorn, machine, stamp, write_section  # noqa: E402

HEADING = "## Pages under load (gunicorn, PostgreSQL, wrk)"
PLOT = ROOT / "docs" / "benchmarks-pages.png"
PASSWORD = "Bench-2026-thinktank"
DOMAIN = "scale.thinktank.cn"
# Like a browser, one User-Agent throughout: Flask-Login's session protection
# compares it with the one at sign-in.
USER_AGENT = "thinktank-bench"
RATIO_TARGET = 0.25  # of the bare endpoint's throughput
GROWTH_TARGET = 0.80  # full-scale throughput / tenth-scale throughput


@dataclass
class Page:
    name: str
    role: str  # whose session loads it; "" for none
    path: str


@dataclass
class Result:
    page: Page
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int


def sign_in(base: str, email: str) -> str:
    """Sign in through the login form like a browser; the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    form = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    page = opener.open(base + "/auth/login", urllib.parse.urlencode(form).encode())
    if "/auth/login" in page.geturl():
        sys.exit(f"could not sign in as {email}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def bench_objects(database_url: str) -> dict:
    """The ids of the fixed benchmark objects (thinktank.demo.scale)."""
    import psycopg

    from thinktank.demo.scale import BENCH_RESULTS_ROUND, BENCH_SCORING_ROUND, BENCH_SESSION_TITLE

    with psycopg.connect(database_url) as connection:
        def one(sql, *params):
            return connection.execute(sql, params).fetchone()[0]
        scoring = one("select id from review_rounds where name = %s", BENCH_SCORING_ROUND)
        leader = one("select m.expert_id from review_panel_members m join review_panels p "
                     "on p.id = m.panel_id where p.round_id = %s and m.is_leader", scoring)
        return {
            "session": one("select id from consultation_sessions where title = %s",
                           BENCH_SESSION_TITLE),
            "results": one("select id from review_rounds where name = %s", BENCH_RESULTS_ROUND),
            "application": one("select min(id) from review_applications where round_id = %s",
                               scoring),
            "expert_email": one("select email from users where expert_id = %s", leader),
            "invitations": one("select count(*) from session_invitations i join "
                               "consultation_sessions s on s.id = i.session_id where s.title = %s",
                               BENCH_SESSION_TITLE),
            "applications": one("select count(*) from review_applications a join review_rounds r"
                                " on r.id = a.round_id where r.name = %s", BENCH_RESULTS_ROUND),
        }


def pages(ids: dict) -> list[Page]:
    search = urllib.parse.urlencode({"q": "wang", "category": "高校院所", "city": "南昌"})
    return [
        Page("bare endpoint (/healthz)", "", "/healthz"),
        Page("expert list: search + 2 filters", "secretariat", f"/experts/?{search}"),
        Page(f"session page, {ids['invitations']} invitations", "secretariat",
             f"/consultations/{ids['session']}"),
        Page("expert's scoring sheet", "expert",
             f"/reviews/applications/{ids['application']}/sheet"),
        Page(f"round results, {ids['applications']} applications", "secretariat",
             f"/reviews/{ids['results']}/results"),
        Page("officials' documents list", "official", "/portal/documents"),
    ]


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(base: str, page: Page, cookie: str, args) -> Result:
    url = base + page.path
    headers = {"User-Agent": USER_AGENT} | ({"Cookie": cookie} if cookie else {})
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request) as response:  # also warms the workers' caches
        if response.status != 200 or "/auth/login" in response.geturl():
            sys.exit(f"{page.name}: {response.status} {response.geturl()}")
    command = ["wrk", "-t", "1", "-c", str(args.connections), "-d", f"{args.duration}s",
               "--latency", "--timeout", "30s", "-H", f"User-Agent: {USER_AGENT}", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"{page.name}: wrk saw errors\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    return Result(
        page=page, rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(latency["50"]), p99_ms=to_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)))


def run_scale(tenth: bool, args) -> tuple[list[Result], dict, float]:
    label = "tenth" if tenth else "full"
    name = f"thinktank_bench_{label}_{os.getpid()}"
    with fresh_database(name, keep=args.keep) as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-" + name,
               "DEMO_PASSWORD": PASSWORD}
        env.pop("SCHEDULER_IN_PROCESS", None)
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        scale = ["--experts", str(args.experts), "--sessions", str(args.sessions),
                 "--applications", str(args.applications), "--rounds", str(args.rounds)]
        out = flask(env, "demo", "scale", *scale, *(["--tenth"] if tenth else []))
        built = time.perf_counter() - started
        print(f"[{label}] {out.splitlines()[0]} (with the command: {built:.1f} s)")
        ids = bench_objects(database_url)
        modes = {"cached": {}, **({"rendered": {"PAGE_CACHE_SECONDS": "0"}}
                                  if args.uncached else {})}
        measured = {}
        for mode, settings in modes.items():
            with gunicorn(env | settings, args.workers, app_dir=args.app_dir) as base:
                cookies = {"": "", "secretariat": sign_in(base, f"secretariat@{DOMAIN}"),
                           "official": sign_in(base, f"official@{DOMAIN}"),
                           "expert": sign_in(base, ids["expert_email"])}
                results = []
                for page in pages(ids):
                    result = load(base, page, cookies[page.role], args)
                    print(f"[{label}, {mode}] {page.name:<40} {result.rps:8.1f} req/s  "
                          f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms")
                    results.append(result)
            measured[mode] = results
        return measured, {"summary": out.splitlines()[0], "seconds": built}, built


def plot(full: list[Result], tenth: list[Result], rendered: list[Result] | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.page.name.split(",")[0].split(":")[0] for r in full]
    positions = range(len(names))
    figure, axis = plt.subplots(figsize=(9, 4.5), dpi=100)
    width = 0.27 if rendered else 0.4
    axis.bar([p - width / 2 * (2 if rendered else 1) for p in positions],
             [r.rps for r in tenth], width=width, label="one tenth of the data")
    axis.bar([p + (0 if rendered else width / 2) for p in positions], [r.rps for r in full],
             width=width, label="full data (10,000 experts)")
    if rendered:
        axis.bar([p + width for p in positions], [r.rps for r in rendered], width=width,
                 label="full data, rendered each time (cache off)")
    axis.axhline(full[0].rps * RATIO_TARGET, color="grey", linestyle="--", linewidth=1,
                 label=f"{RATIO_TARGET:.0%} of the bare endpoint (full run)")
    axis.set_xticks(list(positions), names, rotation=20, ha="right", fontsize=8)
    axis.set_ylabel("requests per second")
    axis.set_title("thinktank pages under wrk (gunicorn, PostgreSQL)")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(PLOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--applications", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--uncached", action="store_true",
                        help="also measure every page rendered each time (PAGE_CACHE_SECONDS=0)")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="serve another checkout (e.g. an older commit) on the same data;"
                             " prints only")
    parser.add_argument("--no-write", action="store_true", help="leave docs/ alone")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")

    full_modes, full_build, _ = run_scale(False, args)
    tenth_modes, tenth_build, _ = run_scale(True, args)
    full, tenth = full_modes["cached"], tenth_modes["cached"]
    bare_full, bare_tenth = full[0].rps, tenth[0].rps
    rows, misses = [], []
    for big, small in zip(full, tenth, strict=True):
        ratio = big.rps / bare_full
        growth = big.rps / small.rps
        bare = big is full[0]
        if not bare and ratio < RATIO_TARGET:
            misses.append(f"{big.page.name}: {ratio:.0%} of the bare endpoint")
        if not bare and growth < GROWTH_TARGET:
            misses.append(f"{big.page.name}: growth {growth:.2f}")
        rows.append(
            f"| {big.page.name} | {big.rps:,.0f} | {big.p50_ms:.1f} | {big.p99_ms:.1f} | "
            f"{'—' if bare else f'{ratio:.0%}'} | {small.rps:,.0f} | "
            f"{'—' if bare else f'{small.rps / bare_tenth:.0%}'} | {growth:.2f} |")
    print("\n".join(rows))
    rendered_table = ""
    if args.uncached:
        rendered_rows = [
            f"| {big.page.name} | {big.rps:,.0f} | {big.p50_ms:.1f} | {big.p99_ms:.1f} | "
            f"{big.rps / full_modes['rendered'][0].rps:.0%} | {small.rps:,.0f} | "
            f"{big.rps / small.rps:.2f} |"
            for big, small in zip(full_modes["rendered"][1:], tenth_modes["rendered"][1:],
                                  strict=True)]
        print("\n".join(rendered_rows))
        rendered_table = f"""
Every page rendered on each request (`PAGE_CACHE_SECONDS=0`, same run; not the
target, shown for what rendering costs; the bare endpoint of this server
{full_modes['rendered'][0].rps:,.0f} req/s):

| page | full: req/s | p50 ms | p99 ms | of bare | tenth: req/s | growth (full/tenth) |
|---|---|---|---|---|---|---|
{chr(10).join(rendered_rows)}
"""
    verdict = ("Every page meets both targets." if not misses
               else "Missed: " + "; ".join(misses) + ".")
    print(verdict)
    command = "bench/pages.py" + (" --uncached" if args.uncached else "")
    if not args.no_write:
        plot(full, tenth, full_modes.get("rendered"))
        write_section(HEADING, f"""{HEADING}

`bench/pages.py`: each data set is built by `flask demo scale` on a fresh PostgreSQL
database; gunicorn runs as README's deployment section says ({args.workers} sync
workers); wrk (1 thread, {args.connections} connections, {args.duration} s per page)
runs on the same machine, signed in as the role that uses the page. Targets: every
page at full scale reaches {RATIO_TARGET:.0%} of the bare endpoint's throughput, and
keeps {GROWTH_TARGET:.0%} of its one-tenth-scale throughput (growth factor).

- Full: {full_build['summary']}
- One tenth: {tenth_build['summary']}

| page | full: req/s | p50 ms | p99 ms | of bare | tenth: req/s | of bare | growth (full/tenth) |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

{verdict}

With the defaults, a page seen again while nothing was written comes from the page
cache (`thinktank/pagecache.py`: per user, keyed by the database snapshot, 30 s);
wrk repeats one page, so after each worker's first request these are cache hits
that still read the data version from PostgreSQL.
{rendered_table}
![requests per second per page at both sizes](benchmarks-pages.png)

Measured {stamp()} on {machine()}. Run again with `.venv/bin/python {command}`.
""")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
