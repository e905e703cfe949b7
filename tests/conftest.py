"""Shared fixtures: an in-memory knowledge graph, initialised stores on disk, the CLI, ../shared, the browser; real
SPARQL servers come from tests/servers.py."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

import coopgraph

pytest_plugins = ["servers"]  # real SPARQL servers (Oxigraph's, Virtuoso) for the remote store's tests

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def kg():
    """The seed knowledge graph in memory (shared by the tests that only read)."""
    graph = coopgraph.open(":memory:")
    yield graph
    graph.close()


@pytest.fixture
def fresh_kg():
    """A knowledge graph of one's own, for tests that write."""
    graph = coopgraph.open(":memory:")
    yield graph
    graph.close()


def raw_graphs(path: Path) -> set[str]:
    """Every named graph of a closed store on disk, published or not (what a failed write must not leave behind)."""
    import pyoxigraph

    return {graph.value for graph in pyoxigraph.Store.read_only(str(path)).named_graphs()}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets beside the checkout; tests that need them skip on a fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (fresh clone): real-data test skipped")
    return SHARED_DATA


def run_cli(*args: str, store: Path | str | None = None, env: dict | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed ``coopgraph`` command as a user would, returning its output."""
    command = [sys.executable, "-m", "coopgraph", *args]
    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    if store is not None:
        command[3:3] = ["--store", str(store)]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    if check and completed.returncode != 0:
        raise AssertionError(f"coopgraph {' '.join(args)} failed:\n{completed.stderr}")
    return completed


@pytest.fixture(scope="session")
def initialised_store(tmp_path_factory) -> Path:
    """A store directory initialised once by ``coopgraph init`` (read-only use)."""
    path = tmp_path_factory.mktemp("stores") / "seed-store"
    run_cli("init", store=path, check=True)
    return path


@pytest.fixture
def store_copy(initialised_store, tmp_path) -> Path:
    """A private copy of the initialised store, for tests that write to it."""
    path = tmp_path / "store"
    shutil.copytree(initialised_store, path)
    return path


# -- the browser: Debian's chromium driven by Playwright, against live servers on 127.0.0.1 --------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "screenshots"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless; the browser tests skip without it (and fail where CI requires it)."""
    if not CHROMIUM.exists():
        if os.environ.get("COOPGRAPH_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is absent: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now (the system's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def live_server(app):
    """``app`` served by uvicorn on a free port of 127.0.0.1, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    live = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(200):
        if live.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        live.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page(browser, server):
    """A watched browser page on the module's ``server`` (a fixture each browser test module defines)."""
    watched = Watched(browser, server)
    yield watched
    watched.assert_stayed_home()
    watched.page.close()


class Watched:
    """A browser page that records every request it makes, every dialog it opens and every breach of the
    server's Content-Security-Policy the browser reports."""

    def __init__(self, browser, server: str, width: int = 1400, height: int = 900) -> None:
        self.server = server
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.refused: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda message: self.refused.append(message.text)
                     if "Content Security Policy" in message.text else None)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_stayed_home(self) -> None:
        strays = [url for url in self.requests if not url.startswith((self.server, "data:", "about:", "blob:"))]
        assert not strays, f"requests left 127.0.0.1: {strays}"
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.refused, f"the Content-Security-Policy refused: {self.refused}"

    def search(self, text: str) -> list[str]:
        """Type ``text`` in the search box of the header, and read the names of the hits."""
        self.page.goto(f"{self.server}/")
        self.page.fill("header input[name=q]", text)
        self.page.press("header input[name=q]", "Enter")
        self.page.wait_for_url("**/search?q=*")
        return self.page.locator("table.hits tbody td.name").all_inner_texts()

    def screenshot(self, name: str, full_page: bool = False) -> None:
        """Renew tests/screenshots/NAME.png for the README when ``COOPGRAPH_SCREENSHOTS`` is set."""
        if os.environ.get("COOPGRAPH_SCREENSHOTS"):
            SCREENSHOTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


# -- the independent computation of where participations take place, and of the pairs they make ----------


def placed(table, read_code, organisation: str, nuts: str):
    """Each row of a participations table (pandas, cells as text, missing ones empty) with its ISO ``country``
    and NUTS 2021 ``region``: its own (``read_code`` turns the row's NUTS code into a NUTS 2021 one, or "");
    else, where it gives no place, its organisation's: the most frequent country of its rows, and the most
    frequent region of its rows in that country (the first of equals); a row giving that country but no region
    takes that region. The rule the README states, computed here with pandas, apart from coopgraph's code."""
    iso = {"EL": "GR", "UK": "GB"}
    table = table.assign(country=table.country.map(lambda code: iso.get(code, code)),
                         region=table[nuts].map(read_code))
    country_of_region = table.region.str[:2].map(lambda code: iso.get(code, code))
    table = table.assign(country=table.country.where(table.country != "", country_of_region.where(
        table.region != "", "")))

    def most_frequent(values):
        given = values[values != ""]
        return given.value_counts(sort=False).idxmax() if len(given) else ""

    table = table.join(table.groupby(organisation).country.agg(most_frequent).rename("usual_country"),
                       on=organisation)
    in_usual_country = table[table.country == table.usual_country]
    table = table.join(in_usual_country.groupby(organisation).region.agg(most_frequent).rename("usual_region"),
                       on=organisation)
    table["usual_region"] = table.usual_region.fillna("")
    no_place = (table.country == "") & (table.region == "")
    table.loc[no_place, "country"] = table.usual_country
    table.loc[(table.region == "") & (table.country == table.usual_country), "region"] = table.usual_region
    return table


def pair_counts(table, column: str, project: str, fractional: bool = False) -> Counter:
    """Each unordered pair of distinct values of ``column`` within a project, counted once per project (or, in
    fractional counting, 1/(k-1) for a project of k distinct values)."""
    pairs = Counter()
    for _, values in table[table[column] != ""].groupby(project)[column]:
        distinct = sorted(set(values))
        for a, b in itertools.combinations(distinct, 2):
            pairs[(a, b)] += 1 / (len(distinct) - 1) if fractional else 1
    return pairs


def graph_pairs(graph, weight: str = "projects") -> Counter:
    """A network's links by the sorted codes of their two ends, with their ``weight``."""
    return Counter({tuple(sorted((graph.nodes[a]["code"], graph.nodes[b]["code"]))): values[weight]
                    for a, b, values in graph.edges(data=True)})
