"""Benchmark: ``coopgraph serve`` on the full CORDIS Horizon Europe store under load and abuse (issue 12, part 5).

    python tests/benchmarks/bench_serve_load.py [--store DIR]

Imports the full CORDIS table into a scratch store (or, with ``--store``, serves a store already imported: it
is only read, besides the snapshot the server takes), starts ``coopgraph serve --timeout 5`` on it (a process
of its own, as a user runs it; default workers: as many SPARQL worker processes as cores, 8 more queries
queued), waits until it is warm, then:

- baseline: a probe client fetches ``/static/style.css`` every 100 ms for 10 s, the server idle;
- load: 32 client threads for 60 s, each sending its next request as soon as the last is answered, drawn
  with a fixed seed from this mix: entity pages of organisations, projects and regions (27 %), the home page
  (4 %), searches as pages and JSON (12 %), region rankings as pages, JSON and CSV with varied levels, weights,
  ``min_projects`` and ``n`` (12 %), network pages and paged JSON of regions, countries and organisations with
  varied levels, weights, ``min_projects`` and ``top`` (13 %; a JSON page with a ``next`` is followed half
  the time), small SPARQL SELECT/ASK queries (22 %), and SPARQL queries far past the time limit (10 %:
  cross products of the whole store, counted so that no answer is large). The probe goes on every 100 ms;
- a monitor reads ``/proc`` throughout: every 250 ms the server's threads (``/proc/PID/task``) and its child
  processes (the SPARQL workers, from ``/proc/PID/task/*/children``), every second the RSS and CPU time of
  the server plus its children (CPU time of reaped children included);
- after the load: the CPU use of the server and its children over 5 s, starting 2 s after the last answer of
  the load (so after the last runaway query's limit, and after the killed worker's replacement started); when
  it is over the budget, it is watched (up to 60 s more) to tell when it falls back.

Printed: p50/p95/p99 and the statuses of each kind of request (every answer counts in the percentiles,
refusals included), the statuses over all (200, 503 "busy", 503 past the time limit, 500, other), the most
threads and worker processes seen, the memory series every 5 s, the probe's p95 before and under load,
and the CPU after. The server's stderr is kept; its tracebacks are printed when there are any.

Budgets (exit code 1 when one fails):
  - the probe's p95 under load < 200 ms (its ratio to the baseline p95 of the same run is reported);
  - no 500, and no other error: nothing but 200 and the 503s of the limits (busy, past the time limit;
    a page past the limit is a 503 by design, counted with them); no client time-out or dropped connection;
  - CPU of the server and its children under 20 % of one core over a 5 s window ending at most 30 s after the
    last answer (pages under way are finished, each in its turn; runaway queries are killed at their limit);
  - memory (RSS of the server plus its children): mean of the load's last 10 s at most 20 % above the mean
    of its first 10 s (the server is warm before the load starts).
Every loop is bounded in count and time: clients start no request after 60 s, requests time out (30 s for
pages, 45 s for SPARQL, which may wait in the queue behind runaways), and the run ends within about 5 minutes
after the import (3 when the server's CPU falls back at once). Needs ../shared/data; skipped with a message
without it. Only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from serving import COOPGRAPH, serve, stop

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "cordis-horizon-europe"

TIME_LIMIT = 5  # seconds: the server's --timeout
CLIENTS, LOAD_SECONDS, BASELINE_SECONDS, PROBE_EVERY = 32, 60.0, 10.0, 0.1
PAGE_TIMEOUT, SPARQL_TIMEOUT, PROBE_TIMEOUT = 30, 45, 10  # urlopen timeouts (SPARQL: 8 queued x 5 s / 2 + 5 s)
MAX_REQUESTS_PER_CLIENT = 20_000  # a bound the 60 s stop reaches first
SETTLE_SECONDS, CPU_WINDOW, WATCH_SECONDS = 2.0, 5.0, 60.0  # CPU after the load; how long to watch it fall
BUDGET_PROBE_P95_MS, BUDGET_CPU_PERCENT, BUDGET_MEMORY_GROWTH = 200.0, 20.0, 0.20
#: Pages under way when the load ends are finished (each in its turn, at most the longest page build) while
#: runaway queries are killed at their limit: the server must be quiet this long after the last answer.
BUDGET_QUIET_SECONDS = 30.0
SAMPLED = {"Organisation": 150, "Project": 100, "Region": 100}
#: The things whose pages are asked for, sorted here: Oxigraph's ORDER BY over these 38,000 IRIs takes about 7 s,
#: past the time limit.
SAMPLE = "SELECT ?thing ?kind WHERE { VALUES ?kind { coop:Organisation coop:Project coop:Region } ?thing a ?kind }"
SEARCHES = ("univ", "Umeå", "UMEA UNIVERSITET", "fraunhofer", "consiglio nazionale", "helsinki", "technische",
            "hospital", "energy", "gmbh", "madrid", "warszawa", "institut", "paris", "sa", "zzqxv")
WEIGHTS = ("projects", "fractional", "association", "jaccard")
#: Kinds of request and their share of the mix.
MIX = {"entity/organisation": 12, "entity/project": 8, "entity/region": 7, "home": 4, "search": 6,
       "search.json": 6, "regions": 5, "regions.json": 4, "regions.csv": 3, "network": 7, "network.json": 6,
       "sparql/small": 22, "sparql/runaway": 10}
RUNAWAYS = ("SELECT (COUNT(*) AS ?n{0}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}",
            "SELECT (COUNT(*) AS ?n{0}) WHERE {{ ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) }}",
            'SELECT (COUNT(*) AS ?n{0}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(CONTAINS(STR(?i), "{0}")) }}')


@dataclass
class Answer:
    kind: str
    started: float  # seconds since the monitor started
    seconds: float
    status: int  # 0: no HTTP answer (time-out, connection dropped)
    category: str
    detail: str = ""
    body: bytes = b""


def category(status: int, body: bytes) -> str:
    """What an answer counts as: 200, 503 busy, 503 time limit, 500, or other (any other status, or none)."""
    if status == 200:
        return "200"
    if status == 503 and b"busy" in body:
        return "503 busy"
    if status == 503 and b"took longer than" in body:
        return "503 time limit"
    return "500" if status == 500 else "other"


def fetch(kind: str, url: str, timeout: float, clock: float) -> Answer:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (OSError, http.client.HTTPException) as error:  # time-out, refused or dropped connection
        seconds = time.monotonic() - started
        return Answer(kind, started - clock, seconds, 0, "other", f"{type(error).__name__}: {error}")
    seconds = time.monotonic() - started
    found = category(status, body)
    detail = "" if found == "200" else " ".join(body[:300].decode("utf-8", "replace").split())
    return Answer(kind, started - clock, seconds, status, found, detail, body if kind == "network.json" else b"")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))]


# --- the server's processes, read from /proc ---------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _read(path: str) -> str | None:
    try:
        with open(path) as file:
            return file.read()
    except OSError:  # the process or thread has gone
        return None


def children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        found += [int(child) for child in (_read(f"/proc/{pid}/task/{task}/children") or "").split()]
    return found


def threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def rss_bytes(pid: int) -> int:
    statm = _read(f"/proc/{pid}/statm")
    return int(statm.split()[1]) * PAGE if statm else 0


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """User and system CPU time of a process (with ``reaped``: and of its children it has waited for)."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if reaped else 0)
    return ticks / TICK


def server_cpu(pid: int) -> float:
    return cpu_seconds(pid, reaped=True) + sum(cpu_seconds(child) for child in children(pid))


class Monitor(threading.Thread):
    """Reads the server's threads and children every 250 ms, its memory and CPU (with its children's) every second."""

    def __init__(self, pid: int, longest: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.longest = pid, longest
        self.clock = time.monotonic()
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, float, int]] = []  # (seconds since start, RSS bytes, CPU s, threads)
        self.most_threads = self.most_children = 0
        self.workers_seen: set[int] = set()

    def run(self) -> None:
        for tick in range(int(self.longest / 0.25)):
            kids, running = children(self.pid), threads(self.pid)
            self.most_threads = max(self.most_threads, running)
            self.most_children = max(self.most_children, len(kids))
            self.workers_seen.update(kids)
            if tick % 4 == 0:
                memory = rss_bytes(self.pid) + sum(rss_bytes(kid) for kid in kids)
                self.samples.append((time.monotonic() - self.clock, memory, server_cpu(self.pid), running))
            if self.stop.wait(0.25):
                return


# --- what the clients ask ------------------------------------------------------------------------------------


def sample_entities(base: str) -> dict[str, list[str]]:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": SAMPLE, "format": "csv"})
    with urllib.request.urlopen(url, timeout=60) as response:
        rows = sorted(list(csv.reader(io.StringIO(response.read().decode())))[1:])
    by_kind: dict[str, list[str]] = defaultdict(list)
    for thing, kind in rows:
        by_kind[kind.rsplit("#", 1)[-1]].append(thing)
    rng = random.Random(0)
    return {kind: rng.sample(by_kind[kind], min(count, len(by_kind[kind]))) for kind, count in SAMPLED.items()}


def request(rng: random.Random, base: str, things: dict[str, list[str]]) -> tuple[str, str, float]:
    """The next request of a client: its kind, URL and time-out."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if kind.startswith("entity/"):
        iri = rng.choice(things[kind.split("/")[1].capitalize()])
        return kind, f"{base}/entity?" + urllib.parse.urlencode({"iri": iri}), PAGE_TIMEOUT
    if kind == "home":
        return kind, f"{base}/", PAGE_TIMEOUT
    if kind.startswith("search"):
        return kind, f"{base}/{kind}?" + urllib.parse.urlencode({"q": rng.choice(SEARCHES)}), PAGE_TIMEOUT
    if kind.startswith("regions"):
        query = {"level": rng.randint(0, 3), "weight": rng.choice(WEIGHTS), "min_projects": rng.choice((1, 3, 10)),
                 "n": rng.choice((10, 20, 50))}
        return kind, f"{base}/{kind}?" + urllib.parse.urlencode(query), PAGE_TIMEOUT
    if kind.startswith("network"):
        of = rng.choices(("regions", "countries", "organisations"), weights=(3, 1, 1))[0]
        query = {"of": of, "weight": rng.choice(WEIGHTS), "min_projects": rng.choice((1, 2, 5, 10))}
        if of == "regions":
            query["level"] = rng.randint(0, 3)
        top = rng.choice((None, 100, 1000))
        if top:
            query["top"] = top
        return kind, f"{base}/{kind}?" + urllib.parse.urlencode(query), PAGE_TIMEOUT
    if kind == "sparql/small":
        iri = rng.choice(things[rng.choice(list(SAMPLED))])
        sparql = rng.choice((f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 50",
                             f"ASK {{ <{iri}> a ?kind }}",
                             f"SELECT ?p ?acronym WHERE {{ ?p coop:acronym ?acronym }} LIMIT 10 "
                             f"OFFSET {rng.randrange(1000)}"))
    else:
        sparql = rng.choice(RUNAWAYS).format(rng.randrange(1000))
    return kind, f"{base}/sparql?" + urllib.parse.urlencode({"query": sparql}), SPARQL_TIMEOUT


def client(number: int, base: str, things: dict[str, list[str]], clock: float, deadline: float,
           answers: list[Answer], lock: threading.Lock) -> None:
    rng = random.Random(1000 + number)
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        kind, url, timeout = request(rng, base, things)
        answer = fetch(kind, url, timeout, clock)
        got = [answer]
        if kind == "network.json" and answer.status == 200 and rng.random() < 0.5:
            try:
                following = json.loads(answer.body)["graph"]["next"]
            except (ValueError, KeyError, TypeError) as error:
                following = None
                got[0] = Answer(kind, answer.started, answer.seconds, 200, "other", f"unreadable JSON: {error}")
            if following and time.monotonic() < deadline:
                got.append(fetch(kind, base + following, timeout, clock))
        with lock:
            answers += [Answer(a.kind, a.started, a.seconds, a.status, a.category, a.detail) for a in got]


def probe(url: str, clock: float, until: float, samples: list[Answer]) -> None:
    """Fetch ``url`` every PROBE_EVERY seconds (no catching up after a slow answer) until ``until``."""
    due = time.monotonic()
    for _ in range(int((until - due) / PROBE_EVERY) + 1):
        now = time.monotonic()
        if now >= until:
            return
        if now < due:
            time.sleep(due - now)
        samples.append(fetch("probe", url, PROBE_TIMEOUT, clock))
        due = max(due + PROBE_EVERY, time.monotonic())


# --- the run -------------------------------------------------------------------------------------------------


@dataclass
class Measured:
    """What a run measured (times from time.monotonic())."""

    answers: list[Answer]
    baseline: list[Answer]
    under_load: list[Answer]
    monitor: Monitor
    load_start: float
    deadline: float
    last_answer: float
    after_cpu: float  # % of one core over the CPU_WINDOW s from SETTLE_SECONDS after the last answer
    fell_back: float | None  # seconds from the last answer to the end of the first CPU_WINDOW under the budget
    client_cpu: float  # CPU seconds of this process (the clients) during the load
    stuck: int
    alive: bool
    stopped: float  # seconds the server took to stop after SIGTERM
    loads: tuple[float, float]  # the machine's load average (1 min) before and after the load


def import_cordis(store: Path, reports: Path) -> None:
    started = time.perf_counter()
    subprocess.run([*COOPGRAPH, "--store", str(store), "import", "cordis", str(DATA / "organization.csv.gz"),
                    "--topics", str(DATA / "topics.csv.gz"), "--legal-basis", str(DATA / "legalBasis.csv.gz"),
                    "--report-dir", str(reports)], check=True, capture_output=True)
    print(f"store built in {time.perf_counter() - started:.1f} s")


def after_load(pid: int, last_answer: float) -> tuple[float, float | None]:
    """The server's CPU (% of one core) over CPU_WINDOW s from SETTLE_SECONDS after the last answer, and the seconds
    from the last answer to the end of the first window of as many seconds under the budget (watched WATCH_SECONDS
    at most; None if it never fell)."""
    time.sleep(max(0.0, last_answer + SETTLE_SECONDS - time.monotonic()))
    points = [(time.monotonic(), server_cpu(pid))]
    window, first = int(CPU_WINDOW), None
    for _ in range(window + int(WATCH_SECONDS)):
        time.sleep(1.0)
        points.append((time.monotonic(), server_cpu(pid)))
        if len(points) > window:
            (t0, c0), (t1, c1) = points[-window - 1], points[-1]
            percent = (c1 - c0) / (t1 - t0) * 100
            first = percent if first is None else first
            if percent < BUDGET_CPU_PERCENT:
                return first, t1 - last_answer
    return first, None


def run(store: Path, log: Path) -> Measured:
    """Serve ``store`` (the server's stderr to ``log``), load it and measure."""
    with open(log, "wb") as stderr:
        server, base = serve(store, "--timeout", str(TIME_LIMIT), stderr=stderr)
    monitor = None
    try:
        print(f"server warm: pid {server.pid}, --timeout {TIME_LIMIT}, default workers ({os.cpu_count()} cores)")
        things = sample_entities(base)
        print("sampled (seed 0): " + ", ".join(f"{len(iris)} {kind.lower()}s" for kind, iris in things.items()))
        monitor = Monitor(server.pid, BASELINE_SECONDS + LOAD_SECONDS + SPARQL_TIMEOUT + 15 + SETTLE_SECONDS
                          + CPU_WINDOW + WATCH_SECONDS + 10)
        clock = monitor.clock
        monitor.start()
        baseline: list[Answer] = []
        probe(f"{base}/static/style.css", clock, time.monotonic() + BASELINE_SECONDS, baseline)

        answers: list[Answer] = []
        under_load: list[Answer] = []
        lock = threading.Lock()
        load_before, cpu_before = os.getloadavg()[0], time.process_time()
        load_start = time.monotonic()
        deadline = load_start + LOAD_SECONDS
        prober = threading.Thread(target=probe, args=(f"{base}/static/style.css", clock, deadline, under_load))
        clients = [threading.Thread(target=client, args=(n, base, things, clock, deadline, answers, lock))
                   for n in range(CLIENTS)]
        for thread in (prober, *clients):
            thread.start()
        for thread in (prober, *clients):
            thread.join(timeout=max(1.0, deadline + SPARQL_TIMEOUT + 15 - time.monotonic()))
        client_cpu, load_after = time.process_time() - cpu_before, os.getloadavg()[0]
        stuck = sum(thread.is_alive() for thread in clients)
        with lock:
            answers = list(answers)
        last_answer = max((a.started + a.seconds for a in answers), default=deadline - clock) + clock
        after_cpu, fell_back = after_load(server.pid, last_answer)
        alive = server.poll() is None
    finally:
        if monitor is not None:
            monitor.stop.set()
            monitor.join(timeout=5)
        stopped = stop(server, grace=30)
    return Measured(answers, baseline, under_load, monitor, load_start, deadline, last_answer, after_cpu, fell_back,
                    client_cpu, stuck, alive, stopped, (load_before, load_after))


def report(m: Measured, log: Path) -> list[str]:
    """Print the figures; the budgets that failed."""
    failures = []
    clock, answers = m.monitor.clock, m.answers
    print(f"\nload: {CLIENTS} clients for {LOAD_SECONDS:.0f} s: {len(answers)} answers "
          f"({len(answers) / (m.last_answer - m.load_start):.1f}/s); the last one {m.last_answer - m.deadline:.1f} s "
          f"after the clients' stop. Machine load average (1 min) {m.loads[0]:.1f} before, {m.loads[1]:.1f} after, "
          f"on {os.cpu_count()} cores; the clients used {m.client_cpu:.1f} s of CPU")
    columns = ("200", "503 busy", "503 time limit", "500", "other")
    print(f"\n{'kind of request':<22}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   "
          + "  ".join(f"{c:>5}" for c in columns))
    for kind in (kind for kind in MIX if any(a.kind == kind for a in answers)):
        mine = [a for a in answers if a.kind == kind]
        times = [a.seconds * 1000 for a in mine]
        counts = Counter(a.category for a in mine)
        print(f"{kind:<22}{len(mine):>6}{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
              f"{percentile(times, 99):>9.0f}   " + "  ".join(f"{counts[c]:>{max(5, len(c))}}" for c in columns))
    totals = Counter(a.category for a in answers)
    print("all answers: " + ", ".join(f"{c}: {totals[c]}" for c in columns))
    limited = [a for a in answers if a.category == "503 time limit" and not a.kind.startswith("sparql")]
    if limited:
        times = [a.seconds for a in limited]
        print(f"pages past the {TIME_LIMIT} s limit (503; the page goes on being made): {len(limited)} ("
              + ", ".join(f"{kind} {n}" for kind, n in Counter(a.kind for a in limited).most_common())
              + f"); their 503 came after {percentile(times, 50):.1f} s (p50), {max(times):.1f} s (max)")
    errors = [a for a in answers if a.category in ("500", "other")]
    for answer in errors[:10]:
        print(f"  error: {answer.kind} at +{answer.started:.1f} s: status {answer.status}: {answer.detail[:200]}")
    if totals["500"]:
        failures.append(f"{totals['500']} answers with status 500")
    if totals["other"]:
        failures.append(f"{totals['other']} errors other than the limits' 503s")
    if m.stuck:
        failures.append(f"{m.stuck} clients still waiting at the end")
    if not m.alive:
        failures.append("the server died")

    print(f"\nserver: at most {m.monitor.most_threads} threads, at most {m.monitor.most_children} worker processes "
          f"at once ({len(m.monitor.workers_seen)} worker processes seen in all: the others replaced killed ones); "
          f"it stopped {m.stopped:.1f} s after SIGTERM")
    samples = m.monitor.samples
    start, end = m.load_start - clock, m.deadline - clock
    print("every 5 s (seconds from the load's start): RSS of the server and its workers in MB / server threads:\n  "
          + "  ".join(f"{t - start:+.0f}s {rss / 1e6:.0f}/{n}" for t, rss, _, n in samples[::5]))
    first = [rss for t, rss, _, _ in samples if start <= t < start + 10] or [0]
    last = [rss for t, rss, _, _ in samples if end - 10 <= t < end] or [0]
    growth = statistics.mean(last) / statistics.mean(first) - 1 if first != [0] else float("nan")
    print(f"  memory: first 10 s of the load {statistics.mean(first) / 1e6:.0f} MB, last 10 s "
          f"{statistics.mean(last) / 1e6:.0f} MB: {growth:+.1%} (budget +{BUDGET_MEMORY_GROWTH:.0%}); most "
          f"{max(rss for _, rss, _, _ in samples) / 1e6:.0f} MB")
    if not growth <= BUDGET_MEMORY_GROWTH:
        failures.append(f"memory grew {growth:+.1%} between the first and last 10 s of the load")
    cpu = [(t, (c1 - c0) / (t - t0) * 100) for (t0, _, c0, _), (t, _, c1, _) in zip(samples, samples[1:], strict=False)]
    loaded = [percent for t, percent in cpu if start < t <= end] or [0]
    print(f"CPU of the server and its workers: mean {statistics.mean(loaded):.0f} % of one core under load; "
          "per second from 3 s before the last answer:\n  "
          + "  ".join(f"{t - (m.last_answer - clock):+.0f}s {p:.0f}%" for t, p in cpu if t > m.last_answer - clock - 3))
    print(f"  over {CPU_WINDOW:.0f} s from {SETTLE_SECONDS:.0f} s after the last answer (so after the last runaway's "
          f"limit): {m.after_cpu:.1f} % of one core (budget < {BUDGET_CPU_PERCENT:.0f} %); "
          + (f"under the budget over the {CPU_WINDOW:.0f} s ending {m.fell_back:.0f} s after the last answer"
             if m.fell_back is not None else f"still not under it {WATCH_SECONDS + SETTLE_SECONDS:.0f} s after"))
    if m.fell_back is None or m.fell_back > BUDGET_QUIET_SECONDS:
        failures.append(f"CPU not under {BUDGET_CPU_PERCENT:.0f} % of one core within {BUDGET_QUIET_SECONDS:.0f} s "
                        "after the last answer")

    print(f"\nprobe: GET /static/style.css every {PROBE_EVERY * 1000:.0f} ms (a failed request counts with its time)")
    p95 = {}
    for name, probed in (("baseline, idle (10 s before the load)", m.baseline), ("under load", m.under_load)):
        times = [a.seconds * 1000 for a in probed]
        bad = [a for a in probed if a.status != 200]
        p95[name] = percentile(times, 95)
        print(f"  {name:<38} n {len(probed):>4}  p50 {percentile(times, 50):7.1f} ms  p95 {p95[name]:7.1f} ms  "
              f"max {max(times):7.1f} ms  failed {len(bad)}")
        if bad:
            failures.append(f"{len(bad)} probe requests failed ({name}): {bad[0].status} {bad[0].detail[:100]}")
    idle, loaded_p95 = p95["baseline, idle (10 s before the load)"], p95["under load"]
    print(f"  p95 under load / p95 idle: {loaded_p95 / idle:.1f}x (budget: p95 under load < "
          f"{BUDGET_PROBE_P95_MS:.0f} ms)")
    if not loaded_p95 < BUDGET_PROBE_P95_MS:
        failures.append(f"probe p95 under load {loaded_p95:.0f} ms")

    logged = log.read_text(errors="replace")
    if "Traceback" in logged:
        print(f"\nthe server's stderr has {logged.count('Traceback')} tracebacks; from the first (4000 characters):\n"
              + logged[logged.index("Traceback"):][:4000])
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a store the CORDIS table was imported into (default: import "
                                                   "it into a scratch store)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if arguments.store is None:
            if not DATA.is_dir():
                print(f"skipped: {DATA} is absent")
                return
            store = Path(scratch) / "store"
            import_cordis(store, Path(scratch) / "reports")
        else:
            store = arguments.store
        log = Path(scratch) / "server-stderr.log"
        failures = report(run(store, log), log)
    print("\n" + ("every budget met" if not failures else "BUDGETS FAILED:\n  " + "\n  ".join(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
