"""Benchmark: the web app on the full CORDIS Horizon Europe store, under 8 concurrent clients.

    python tests/benchmarks/bench_web.py

Imports the full CORDIS table into a scratch store, starts ``coopgraph serve`` on it (a process of its
own, as a user runs it), waits until it is warm (the networks and the search index it builds as it starts
are built), then:

- entity pages: 200 organisations, projects and regions drawn with a fixed seed. First visits: 8 client
  threads share them out, each page fetched once (a page is built on its first visit and kept). Later
  visits: each client fetches every page, in an order of its own. Median and 95th percentile of each;
- the ranking page (``/regions``, NUTS 2, the default weight): the same, 20 times per client (the time of a
  first ranking by another weight is reported too);
- baseline in the same run and under the same load: the server's static stylesheet, which measures
  the floor of HTTP, threads and Python start of a request;
- in Debian's chromium (Playwright), the time from navigation to the NUTS 2 region network being drawn
  on its canvas (the attribute ``data-network-drawn`` of the page, set on vis-network's first
  ``afterDrawing``): on the first visit and on the next.

Budgets (issue 5): entity pages (later visits) and ranking pages under 300 ms median and 500 ms at the 95th percentile;
the region network page drawn within 3 s. Needs ../shared/data; skipped with a message without it.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from serving import COOPGRAPH, serve, stop

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "cordis-horizon-europe"
CLIENTS, ENTITIES, RANKINGS_PER_CLIENT = 8, 200, 20
SAMPLE = """SELECT ?thing WHERE {
  { ?thing a coop:Organisation } UNION { ?thing a coop:Project } UNION { ?thing a coop:Region }
} ORDER BY ?thing"""


def fetch(url: str) -> float:
    """Seconds to fetch a URL completely (failing loudly on an error status)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def under_load(urls_per_client: list[list[str]]) -> list[float]:
    """Response times when each client thread fetches its URLs one after the other, all clients at once."""
    times: list[float] = []
    lock = threading.Lock()

    def client(urls: list[str]) -> None:
        for url in urls:
            seconds = fetch(url)
            with lock:
                times.append(seconds)

    threads = [threading.Thread(target=client, args=(urls,)) for urls in urls_per_client]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    return statistics.median(times) * 1000, statistics.quantiles(times, n=20)[-1] * 1000


def sample_entities(base: str) -> list[str]:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": SAMPLE, "format": "csv"})
    with urllib.request.urlopen(url, timeout=60) as response:
        things = response.read().decode().split()[1:]
    return random.Random(0).sample(things, ENTITIES)


def network_drawn_seconds(base: str) -> float | None:
    """Seconds from navigation to the region network's first frame, in chromium (None without chromium)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(f"{base}/network?of=regions&level=2")
        page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=60_000)
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def main() -> None:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "store"
        started = time.perf_counter()
        subprocess.run([*COOPGRAPH, "--store", str(store), "import", "cordis", str(DATA / "organization.csv.gz"),
                        "--topics", str(DATA / "topics.csv.gz"), "--legal-basis", str(DATA / "legalBasis.csv.gz"),
                        "--report-dir", str(Path(scratch) / "reports")], check=True, capture_output=True)
        print(f"store built in {time.perf_counter() - started:.1f} s")
        server, base = serve(store)
        try:
            entities = [f"{base}/entity?" + urllib.parse.urlencode({"iri": iri}) for iri in sample_entities(base)]
            static = under_load([[f"{base}/static/style.css"] * 50 for _ in range(CLIENTS)])
            # first visits build the pages (each client its share), later visits find them built
            first_visits = under_load([entities[n::CLIENTS] for n in range(CLIENTS)])
            pages = under_load([random.Random(n).sample(entities, len(entities)) for n in range(CLIENTS)])
            drawn_first = network_drawn_seconds(base)  # the first visit: the drawing is made, then drawn
            drawn_again = network_drawn_seconds(base)  # the drawing is kept
            first_ranking = fetch(f"{base}/regions?weight=association")  # a new ranking of the kept network
            rankings = under_load([[f"{base}/regions"] * RANKINGS_PER_CLIENT for _ in range(CLIENTS)])
        finally:
            stop(server, grace=10)
    print(f"\n{CLIENTS} concurrent clients; ms                      median     p95   budget (median / p95)")
    for name, times, budget in (("static stylesheet (baseline)", static, "-"),
                                (f"entity pages, first visits ({ENTITIES} things)", first_visits, "-"),
                                (f"entity pages, later visits ({ENTITIES} things)", pages, "300 / 500"),
                                ("ranking page /regions (NUTS 2)", rankings, "300 / 500")):
        median, p95 = summary(times)
        print(f"{name:<44} {median:8.1f} {p95:7.1f}   {budget}")
    print(f"first /regions request for a new weight (network kept): {first_ranking * 1000:.0f} ms")
    if drawn_first is None:
        print("region network page: no chromium")
    else:
        print(f"region network page drawn in chromium: {drawn_first:.2f} s on the first visit, {drawn_again:.2f} s "
              "on the next (budget 3 s)")


if __name__ == "__main__":
    main()
