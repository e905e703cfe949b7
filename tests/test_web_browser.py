"""The web app in a real browser: Debian's chromium driven by Playwright, against a live server on 127.0.0.1.

The server holds the seed graph, the CORDIS- and Interreg-shaped fixtures (so one university has two
spellings in two sources) and an organisation named like an XSS payload, taking part in PIKE. Every test
records the requests the page makes (none may leave 127.0.0.1) and the dialogs it opens (none may: the
payload would open one). The same checks on the full CORDIS and Interreg tables are in
``test_web_browser_real.py``.
"""

from __future__ import annotations

import json
import math
import re
import time

import pytest

import coopgraph
from conftest import FIXTURES, HOSTILE, live_server
from coopgraph.importers import IMPORTERS
from coopgraph.importers.pipeline import run
from coopgraph.network import region_profile
from coopgraph.web import create_app
from coopgraph.web.guard import allowed_hosts

pytestmark = pytest.mark.browser
HOSTILE_IRI = "https://w3id.org/coopgraph/id/organisation/hostile"
PIKE = "https://w3id.org/coopgraph/id/project/pike"
NUTS = "http://data.europa.eu/nuts/code/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    kg = coopgraph.open(":memory:")
    kg.load(FIXTURES / "hostile.ttl")
    reports = tmp_path_factory.mktemp("reports")
    network = FIXTURES / "network"
    run(kg, IMPORTERS["cordis"].jobs([network / "organization.csv"], legal_basis=network / "legalBasis.csv"),
        report_dir=reports)
    run(kg, IMPORTERS["interreg-se"].jobs([network / "partners.csv"]), report_dir=reports)
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def server(store):
    """A live server over the store; yields its base URL once the search index is built."""
    with live_server(create_app(store, hosts=allowed_hosts("127.0.0.1"))) as url:
        import urllib.request

        for _ in range(200):
            with urllib.request.urlopen(f"{url}/search.json?q=pike") as answer:
                if json.load(answer)["hits"]:
                    break
            time.sleep(0.05)
        yield url



def test_home_page_search_and_a_result(page, server):
    page.page.goto(f"{server}/")
    assert page.page.locator("h1").inner_text() == "European cooperation networks"
    assert page.page.locator("link[rel=icon]").count() == 1
    page.page.fill("main input[name=q]", "botnia")
    page.page.press("main input[name=q]", "Enter")
    page.page.wait_for_url("**/search?q=botnia")
    page.page.get_by_role("link", name="Botnia-Atlantica").first.click()
    page.page.wait_for_url("**/entity?iri=*")
    assert page.page.locator("h1").inner_text() == "Botnia-Atlantica"


@pytest.mark.parametrize("text", ["Umea", "Umeå", "umeå UNIVERSITET"])
def test_search_finds_both_spellings(page, server, text):
    names = page.search(text)
    assert "UMEA UNIVERSITET" in names and "Umeå universitet" in names


def test_region_page_names_the_partners_the_profile_ranks(page, server, store):
    profile = region_profile(store, "SE331", n=5)
    expected = [row["name_b"] if row["region_a"] == "SE331" else row["name_a"] for row in profile["partners"]]
    page.page.goto(f"{server}/entity?iri={NUTS}SE331")
    assert page.page.locator("h1").inner_text().startswith("Västerbottens län")
    shown = page.page.locator("table.ranking tbody td.name a").all_inner_texts()
    assert shown[:len(expected)] == expected
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=10_000)
    page.page.locator("table.ranking tbody td.number a").first.click()  # the projects the two share
    page.page.wait_for_url(re.compile(r"/shared\?a="))
    assert page.page.locator("h1").inner_text().startswith("Projects of")


def test_project_drawing_is_readable_and_the_hostile_name_is_text(page, server):
    page.page.goto(f"{server}/entity?iri={PIKE}")
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=10_000)
    nodes = page.page.evaluate("fetch(location.href.replace('/entity?', '/entity.json?')).then(r => r.json())")[
        "drawing"]["nodes"]
    for a in nodes:
        for b in nodes:
            if a["id"] < b["id"]:
                assert math.dist((a["x"], a["y"]), (b["x"], b["y"])) >= a["size"] + b["size"]
    spot = _node_on_screen(page.page, HOSTILE_IRI)
    page.page.mouse.move(spot["x"], spot["y"])
    page.page.locator(".vis-tooltip").wait_for(state="visible", timeout=5_000)
    assert HOSTILE in page.page.locator(".vis-tooltip").inner_text()
    assert page.page.get_by_role("link", name=HOSTILE).count() >= 1  # the name, as text
    assert page.page.locator("img[src=x]").count() == 0
    page.page.get_by_role("link", name=HOSTILE).first.click()
    page.page.wait_for_url("**/entity?iri=*hostile")
    assert page.page.locator("h1").inner_text() == HOSTILE


def test_query_editor_runs_a_named_query_with_a_parameter(page, server):
    page.page.goto(f"{server}/query")
    page.page.click(".named-query[data-name=partners]")
    page.page.fill("#parameter-project", "PIKE")
    page.page.click("#run")
    rows = page.page.locator("#results table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 9  # PIKE's 8 partners and the hostile organisation added to it
    assert page.page.locator("#results table").get_by_role("link", name=HOSTILE).count() == 1  # its label, linked
    assert page.page.locator("img[src=x]").count() == 0
    page.page.locator("#results table tbody tr a").first.click()  # an IRI: its page
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
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=10_000)
    labels = page.page.evaluate("window.coopgraphNetwork.body.data.nodes.map((node) => node.heading)")
    assert "Sweden" in labels and len(labels) >= 5
    spot = _node_on_screen(page.page, f"{NUTS}SE")
    page.page.mouse.click(spot["x"], spot["y"])
    page.page.wait_for_url("**/entity?iri=http%3A%2F%2Fdata.europa.eu%2Fnuts%2Fcode%2FSE")


def test_hostile_node_tooltip_is_text(page, server):
    page.page.goto(f"{server}/network?of=organisations")
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=10_000)
    page.page.fill(".network-find input", "onerror")  # the find box finds it
    spot = _node_on_screen(page.page, HOSTILE_IRI)
    page.page.mouse.move(spot["x"], spot["y"])
    tooltip = page.page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert HOSTILE in tooltip.inner_text()
    assert page.page.locator("img[src=x]").count() == 0


def test_ranking_page_marks_its_pairs_on_the_map(page, server):
    page.page.goto(f"{server}/regions?level=2")
    rows = page.page.locator("table.ranking tbody tr")
    assert rows.count() > 0
    data = page.page.evaluate("fetch('/regions.json?level=2').then(r => r.json())")
    markers = set(page.page.locator("svg circle.region").evaluate_all("nodes => nodes.map(n => n.dataset.code)"))
    placed = {marker["code"] for marker in data["map"]["markers"]}
    assert markers == placed and placed | set(data["map"]["unplaced"]) >= {
        code for row in data["rows"] for code in (row["region_a"], row["region_b"])}
    assert page.page.locator("svg path.link.marked").count() == sum(
        row["region_a"] in placed and row["region_b"] in placed for row in data["rows"])
