"""Benchmark: how fast each page of the analyst's browser is ready in chromium, on CORDIS + Interreg Sweden.

    python tests/benchmarks/bench_browser.py

Imports the full CORDIS Horizon Europe table and the Swedish Interreg 2021-27 list into a scratch store and
matches them (the CLI, as a user does), starts ``coopgraph serve`` on it (a process of its own) and waits
until it has warmed up (as it starts, it reads the participations and builds the region and organisation
networks and the search index; the home page's JSON says ``"warm": true`` once they are built). Then, in
Debian's chromium driven by Playwright, each page is opened once (its first visit, which
may build what it shows) and then ``RUNS`` times; a page is ready when its load event has fired and, for a
page with a drawing, when vis-network has drawn its first frame. The baseline, measured in the same run and
browser, is the server's smallest page: the search page without a query.

Budgets (issue 10): every page ready in under 1 s (median, after the first visit); the organisation network
under 3 s on its first visit. Needs ../shared/data; says so and stops without it.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from serving import COOPGRAPH, serve, stop

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
RUNS = 7
NUTS = "http://data.europa.eu/nuts/code/"
ID = "https://w3id.org/coopgraph/id/"
#: (name, path, drawn): the pages measured; ``drawn`` when the page draws a network with vis-network.
PAGES = [
    ("home", "/", False),
    ("search 'Umeå'", "/search?q=Ume%C3%A5", False),
    ("region SE332", "/entity?" + urllib.parse.urlencode({"iri": f"{NUTS}SE332"}), True),
    ("region SE33", "/entity?" + urllib.parse.urlencode({"iri": f"{NUTS}SE33"}), True),
    ("organisation UMEA UNIVERSITET", "/entity?" + urllib.parse.urlencode(
        {"iri": f"{ID}organisation/pic/999881821"}), True),
    ("project EUROfusion (199 partners)", "/entity?" + urllib.parse.urlencode(
        {"iri": f"{ID}project/cordis/101052200"}), True),
    ("programme HORIZON.2.5", "/entity?" + urllib.parse.urlencode({"iri": f"{ID}programme/cordis/HORIZON.2.5"}),
     True),
    ("ranking NUTS 2", "/regions", False),
    ("ranking NUTS 2, association", "/regions?weight=association", False),
    ("network of NUTS 2 regions", "/network?of=regions&level=2", True),
    ("network of countries", "/network?of=countries", True),
    ("query: projects, a page of 100 rows", "/query?name=projects&page=1", False),
]
ORGANISATIONS = ("network of organisations", "/network?of=organisations", True)
BASELINE = ("baseline: search page, no query", "/search", False)


def cli(store: Path, *args: str) -> None:
    subprocess.run([*COOPGRAPH, "--store", str(store), *args], check=True, capture_output=True)


def ready(page, url: str, drawn: bool) -> float:
    """Seconds from navigation to the page being ready (loaded, and drawn if it draws)."""
    started = time.perf_counter()
    response = page.goto(url, wait_until="load", timeout=120_000)
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    if drawn:
        if not page.evaluate("!!document.getElementById('network')"):
            raise RuntimeError(f"{url} draws no network")
        page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=120_000)
    if "/query?" in url:
        page.locator("#results table tbody tr").first.wait_for(timeout=120_000)
    return time.perf_counter() - started


def main() -> None:
    if not DATA.is_dir():
        print(f"{DATA} is absent: this benchmark needs the real data sets")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-") as scratch:
        store = Path(scratch) / "store"
        started = time.perf_counter()
        cordis = DATA / "cordis-horizon-europe"
        cli(store, "import", "cordis", str(cordis / "organization.csv.gz"), "--topics", str(cordis / "topics.csv.gz"),
            "--legal-basis", str(cordis / "legalBasis.csv.gz"), "--report-dir", scratch)
        cli(store, "import", "interreg-se", str(DATA / "interreg-sweden-2021-2027" / "partners.csv"),
            "--report-dir", scratch)
        cli(store, "match")
        print(f"store: CORDIS + Interreg Sweden, matched, in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        server, url = serve(store)
        print(f"server warm {time.perf_counter() - started:.1f} s after it started")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                first = ready(page, url + ORGANISATIONS[1], True)  # before anything else asks for it
                rows = [(ORGANISATIONS[0], first, [ready(page, url + ORGANISATIONS[1], True) for _ in range(RUNS)])]
                for name, path, drawn in [BASELINE, *PAGES]:
                    first = ready(page, url + path, drawn)
                    rows.append((name, first, [ready(page, url + path, drawn) for _ in range(RUNS)]))
                browser.close()
        finally:
            stop(server, grace=30)
    baseline = statistics.median(rows[1][2])
    print(f"\n| page (chromium, 1400x900) | first visit s | median s ({RUNS} later visits) | × baseline |")
    print("|---|---:|---:|---:|")
    for name, first, times in rows:
        median = statistics.median(times)
        print(f"| {name} | {first:.2f} | {median:.2f} | {median / baseline:.1f} |")
    slow = [name for name, _, times in rows if statistics.median(times) >= 1.0]
    print(f"\nbudget: every page under 1 s median: {'met' if not slow else 'missed by ' + ', '.join(slow)}; "
          f"organisation network first visit {rows[0][1]:.2f} s (budget 3 s)")


if __name__ == "__main__":
    main()
