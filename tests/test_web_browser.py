"""The web app in a real browser: Debian's chromium driven by Playwright, against a live server on 127.0.0.1.

The server holds the seed graph plus an organisation named like an XSS payload, taking part in PIKE.
Every test records the requests the page makes (none may leave 127.0.0.1) and the dialogs it opens
(none may: the payload would open one). ``COOPGRAPH_SCREENSHOTS=1`` also saves screenshots of the
main pages into tests/screenshots/ for the README.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

import coopgraph
from conftest import FIXTURES, ROOT
from coopgraph.web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_IRI = "https://w3id.org/coopgraph/id/organisation/hostile"
PIKE = "https://w3id.org/coopgraph/id/project/pike"
SCREENSHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture(scope="module")
def server():
    """A live server over the seed graph plus the hostile organisation; yields its base URL."""
    kg = coopgraph.open(":memory:")
    kg.load(FIXTURES / "hostile.ttl")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    live = uvicorn.Server(uvicorn.Config(create_app(kg), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(100):
        if live.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)
    kg.close()


@pytest.fixture(scope="module")
def browser():
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


class Watched:
    """A browser page that records every request it makes and every dialog it opens."""

    def __init__(self, browser, server: str) -> None:
        self.server = server
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_stayed_home(self) -> None:
        strays = [url for url in self.requests if not url.startswith((self.server, "data:", "about:", "blob:"))]
        assert not strays, f"requests left 127.0.0.1: {strays}"
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"

    def screenshot(self, name: str) -> None:
        if os.environ.get("COOPGRAPH_SCREENSHOTS"):
            SCREENSHOTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def page(browser, server):
    watched = Watched(browser, server)
    yield watched
    watched.assert_stayed_home()
    watched.page.close()


def test_home_page_and_search(page, server):
    page.page.goto(f"{server}/")
    assert page.page.locator("h1").inner_text() == "European cooperation networks"
    page.screenshot("home")
    page.page.fill("header input[name=q]", "botnia")
    page.page.press("header input[name=q]", "Enter")
    page.page.wait_for_url("**/search?q=botnia")
    page.page.get_by_role("link", name="Botnia-Atlantica").first.click()
    page.page.wait_for_url("**/entity?iri=*")
    assert page.page.locator("h1").inner_text() == "Botnia-Atlantica"


def test_hostile_name_is_shown_as_text_and_runs_nothing(page, server):
    page.page.goto(f"{server}/entity?iri={PIKE}")
    page.page.wait_for_function("window.coopgraphNetworkDrawn === true", timeout=10_000)  # the neighbourhood
    spot = _node_on_screen(page.page, HOSTILE_IRI)
    page.page.mouse.move(spot["x"], spot["y"])
    page.page.locator(".vis-tooltip").wait_for(state="visible", timeout=5_000)
    assert HOSTILE in page.page.locator(".vis-tooltip").inner_text()
    assert page.page.get_by_role("link", name=HOSTILE).count() == 1  # the name, as text
    assert page.page.locator("img[src=x]").count() == 0
    page.screenshot("entity")
    page.page.get_by_role("link", name=HOSTILE).click()
    page.page.wait_for_url("**/entity?iri=*hostile")
    assert page.page.locator("h1").inner_text() == HOSTILE
    page.page.goto(f"{server}/search?q=onerror")
    assert page.page.get_by_role("link", name=HOSTILE).count() == 1


def test_query_editor_runs_a_named_query_with_a_parameter(page, server):
    page.page.goto(f"{server}/query")
    page.page.click(".named-query[data-name=partners]")
    page.page.fill("#parameter-project", "PIKE")
    page.page.click("#run")
    rows = page.page.locator("#results table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 9  # PIKE's 8 partners and the hostile organisation added to it
    assert page.page.locator("#results table").get_by_role("link", name=HOSTILE).count() == 0  # names are not links
    assert page.page.locator("#results").inner_text().count(HOSTILE) == 1  # shown as text, once
    page.screenshot("query")
    page.page.locator("#results table tbody tr a").first.click()  # an IRI: its entity page
    page.page.wait_for_url("**/entity?iri=*")


def _node_on_screen(page, iri: str) -> dict:
    """Where the node of a thing is in the drawn network, in page coordinates (found by its page's URL)."""
    page.locator("#network").scroll_into_view_if_needed()
    return page.evaluate("""(iri) => {
        const network = window.coopgraphNetwork;
        const url = '/entity?iri=' + encodeURIComponent(iri);
        const node = network.body.data.nodes.get({filter: (item) => item.url === url})[0].id;
        const spot = network.canvasToDOM(network.getPosition(node));
        const box = document.querySelector('#network canvas').getBoundingClientRect();
        return {x: box.left + spot.x, y: box.top + spot.y};
    }""", iri)


def test_region_network_is_drawn_and_a_click_opens_the_region(page, server):
    page.page.goto(f"{server}/network?of=regions&level=0")
    page.page.wait_for_function("window.coopgraphNetworkDrawn === true", timeout=10_000)
    labels = page.page.evaluate("window.coopgraphNetwork.body.data.nodes.map((node) => node.heading)")
    assert "Sweden" in labels and len(labels) >= 5
    drawn = page.page.evaluate("""() => {  // some pixels of the canvas are not blank
        const canvas = document.querySelector('#network canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        return pixels.some((value, index) => index % 4 === 3 && value > 0);
    }""")
    assert drawn
    page.screenshot("network")
    spot = _node_on_screen(page.page, "http://data.europa.eu/nuts/code/SE")
    page.page.mouse.click(spot["x"], spot["y"])
    page.page.wait_for_url("**/entity?iri=http%3A%2F%2Fdata.europa.eu%2Fnuts%2Fcode%2FSE")


def test_hostile_node_tooltip_is_text(page, server):
    page.page.goto(f"{server}/network?of=organisations")
    page.page.wait_for_function("window.coopgraphNetworkDrawn === true", timeout=10_000)
    spot = _node_on_screen(page.page, HOSTILE_IRI)
    page.page.mouse.move(spot["x"], spot["y"])
    tooltip = page.page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert HOSTILE in tooltip.inner_text()
    assert page.page.locator("img[src=x]").count() == 0


def test_ranking_page(page, server):
    page.page.goto(f"{server}/regions?level=0")
    page.page.wait_for_function("window.coopgraphNetworkDrawn === true", timeout=10_000)
    rows = page.page.locator("table tbody tr")
    assert rows.count() > 0 and "SE" in rows.first.inner_text() + rows.nth(1).inner_text() + rows.last.inner_text()
    page.screenshot("regions")
