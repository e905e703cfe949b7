"""The analyst's browser on real data: the full CORDIS Horizon Europe table and the Swedish Interreg list, imported
and matched with the CLI as a user would, served on 127.0.0.1 and driven in Debian's chromium.

Skipped where ../shared/data is absent. ``COOPGRAPH_SCREENSHOTS=1`` renews the README's screenshots from here.
"""

from __future__ import annotations

import json
import math
import time
import urllib.request

import pytest

import coopgraph
from conftest import live_server, run_cli
from coopgraph.web import create_app
from coopgraph.web.guard import allowed_hosts

pytestmark = [pytest.mark.shared, pytest.mark.browser]
NUTS = "http://data.europa.eu/nuts/code/"
EUROFUSION = "https://w3id.org/coopgraph/id/project/cordis/101052200"
UMEA = "https://w3id.org/coopgraph/id/organisation/pic/999881821"  # UMEA UNIVERSITET


@pytest.fixture(scope="module")
def store(shared_data, tmp_path_factory):
    store = tmp_path_factory.mktemp("real") / "store"
    cordis = shared_data / "cordis-horizon-europe"
    reports = str(store.parent / "reports")
    for args in (("import", "cordis", str(cordis / "organization.csv.gz"), "--topics", str(cordis / "topics.csv.gz"),
                  "--legal-basis", str(cordis / "legalBasis.csv.gz"), "--report-dir", reports),
                 ("import", "interreg-se", str(shared_data / "interreg-sweden-2021-2027" / "partners.csv"),
                  "--report-dir", reports), ("match",)):
        result = run_cli(*args, store=store)
        assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="module")
def profile(store):
    """What ``coopgraph regions profile SE332`` ranks (the CLI, before the server holds the store)."""
    result = run_cli("regions", "profile", "SE332", "--format", "json", store=store)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def server(store, profile):
    kg = coopgraph.open(store)
    with live_server(create_app(kg, hosts=allowed_hosts("127.0.0.1"))) as url:
        started = time.perf_counter()
        while time.perf_counter() - started < 120:  # the server reads the store and builds its index as it starts
            with urllib.request.urlopen(f"{url}/search.json?q=umea") as answer:
                if json.load(answer)["hits"]:
                    break
            time.sleep(0.2)
        yield url
    kg.close()



def fetch_json(page, path: str) -> dict:
    return page.page.evaluate(f"fetch({json.dumps(path)}).then(r => r.json())")


def test_norrbotten_page_answers_who_its_partners_are(page, server, profile):
    expected = [row["name_b"] if row["region_a"] == "SE332" else row["name_a"] for row in profile["partners"][:10]]
    page.page.goto(f"{server}/entity?iri={NUTS}SE332")
    assert page.page.locator("h1").inner_text().startswith("Norrbottens län")
    assert page.page.locator("table.ranking tbody td.name a").all_inner_texts()[:10] == expected
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=20_000)
    page.screenshot("region")
    data = fetch_json(page, f"/entity.json?iri={NUTS}SE332")
    assert data["counts"]["partners"] == len(data["partners"]) > 100 and data["counts"]["organisations"] > 50
    centre = [node for node in data["drawing"]["nodes"] if node["centre"]]
    assert [node["id"] for node in centre] == [f"{NUTS}SE332"]  # the region itself, highlighted
    markers = set(page.page.locator("svg circle.region").evaluate_all("nodes => nodes.map(n => n.dataset.code)"))
    assert markers == {marker["code"] for marker in data["map"]["markers"]} and "SE332" in markers


@pytest.mark.parametrize("text", ["Umea", "Umeå", "umeå UNIVERSITET"])
def test_every_spelling_finds_both_sources(page, server, text):
    names = page.search(text)
    assert "UMEA UNIVERSITET" in names and "Umeå universitet" in names
    if text == "Umea":
        page.screenshot("search")


def test_eurofusion_is_drawn_without_overlaps(page, server):
    page.page.goto(f"{server}/entity?iri={EUROFUSION}")
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=20_000)
    page.screenshot("project")
    data = fetch_json(page, f"/entity.json?iri={EUROFUSION}")
    assert data["card"]["acronym"] == "EUROfusion" and data["counts"]["partners"] >= 150
    nodes = data["drawing"]["nodes"]
    assert len(nodes) == data["drawing"]["nodes_shown"] and nodes
    for index, a in enumerate(nodes):
        for b in nodes[index + 1:]:
            assert math.dist((a["x"], a["y"]), (b["x"], b["y"])) >= a["size"] + b["size"], (a["label"], b["label"])


def test_organisation_page_lists_its_projects_newest_first(page, server):
    page.page.goto(f"{server}/entity?iri={UMEA}")
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=20_000)
    page.screenshot("organisation")
    data = fetch_json(page, f"/entity.json?iri={UMEA}")
    starts = [row["start"] for row in data["projects"] if row["start"]]
    assert starts == sorted(starts, reverse=True)
    assert "Umeå universitet" in {other["name"] for other in data["card"]["matched"]}  # the Swedish list's record


def test_ranking_map_has_a_marker_per_placed_region(page, server):
    page.page.goto(f"{server}/regions?level=2&n=30")
    page.screenshot("regions")
    data = fetch_json(page, "/regions.json?level=2&n=30")
    markers = page.page.locator("svg circle.region").evaluate_all("nodes => nodes.map(n => n.dataset.code)")
    assert sorted(markers) == sorted(marker["code"] for marker in data["map"]["markers"])
    ranked = {code for row in data["rows"] for code in (row["region_a"], row["region_b"])}
    assert ranked <= set(markers) | set(data["map"]["unplaced"])
    assert page.page.locator("svg path.link.marked").count() == len(data["rows"])


def test_home_page(page, server):
    page.page.goto(f"{server}/")
    assert page.page.locator("table.ranking tbody tr").count() == 10
    assert page.page.locator("svg circle.region").count() > 20
    page.screenshot("home")


def test_organisation_network(page, server):
    started = time.perf_counter()
    page.page.goto(f"{server}/network?of=organisations")
    page.page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=60_000)
    print(f"organisation network drawn {time.perf_counter() - started:.2f} s after navigation")
    page.screenshot("network")


def test_query_results_are_paged_with_labels(page, server):
    page.page.goto(f"{server}/query?name=projects&page=2")
    rows = page.page.locator("#results table tbody tr")
    rows.first.wait_for(timeout=60_000)
    assert rows.count() == 100
    assert page.page.locator("#results table tbody tr a").count() >= 100  # each project's label, linked
    page.screenshot("query")
