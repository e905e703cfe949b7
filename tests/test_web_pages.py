"""The analyst's pages over HTTP: home, search, the pages of regions, organisations, projects and programmes, the
ranking; what they show, their JSON twins, their errors, and data shown as text.

The store is the seed graph with the CORDIS- and Interreg-shaped fixtures imported (so one university has two
spellings in two sources); expected answers come from the named queries and from the network functions, an
independent path through the store.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import math
import time
from collections import Counter

import pytest
from starlette.testclient import TestClient

import coopgraph
from conftest import FIXTURES
from coopgraph.importers import IMPORTERS
from coopgraph.importers.pipeline import run
from coopgraph.network import participations, region_profile
from coopgraph.web import create_app

PIKE = "https://w3id.org/coopgraph/id/project/pike"
BITSTREAM = "https://w3id.org/coopgraph/id/project/bitstream-i"
NUTS = "http://data.europa.eu/nuts/code/"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    graph = coopgraph.open(":memory:")
    reports = tmp_path_factory.mktemp("reports")
    cordis = FIXTURES / "network"
    run(graph, IMPORTERS["cordis"].jobs([cordis / "organization.csv"], legal_basis=cordis / "legalBasis.csv"),
        report_dir=reports)
    run(graph, IMPORTERS["interreg-se"].jobs([cordis / "partners.csv"]), report_dir=reports)
    run(graph, IMPORTERS["cordis"].jobs([FIXTURES / "cordis" / "organization.csv"]), report_dir=reports)
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def client(kg):
    with TestClient(create_app(kg), raise_server_exceptions=False) as client:
        for _ in range(100):  # the server reads the participations and builds the search index as it starts
            if client.get("/search.json", params={"q": "pike"}).json()["hits"]:
                break
            time.sleep(0.1)
        yield client


def entity(client, iri: str) -> dict:
    page = client.get("/entity.json", params={"iri": iri})
    assert page.status_code == 200, page.text
    return page.json()


def test_home_page_offers_search_ranking_and_queries_for_people(client, kg):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    data = client.get("/index.json").json()
    assert data["counts"] == kg.stats().counts and client.get("/.json").json()["counts"] == data["counts"]
    assert 'action="/search"' in page.text and "Which regions collaborate most" in page.text
    names = {query["name"] for query in data["queries"]}
    assert "partners" in names and not {"describe", "network-participations", "search-index"} & names
    assert client.get("/favicon.ico").status_code == 200


@pytest.mark.parametrize("text", ["Umea", "Umeå", "umeå UNIVERSITET", "UMEA-universitet"])
def test_search_finds_every_spelling(client, text):
    hits = client.get("/search.json", params={"q": text}).json()["results"]
    names = {hit["name"] for hit in hits if hit["kind"] == "organisation"}
    assert {"UMEA UNIVERSITET", "Umeå universitet"} <= names  # CORDIS's spelling and the Swedish list's
    umea = next(hit for hit in hits if hit["name"] == "UMEA UNIVERSITET")
    assert umea["place"] == "SE331" and umea["sources"] and umea["projects"] >= 1


def test_search_ranks_exact_then_prefix_then_by_projects(client):
    hits = client.get("/search.json", params={"q": "SE33"}).json()["results"]
    assert hits[0]["iri"] == f"{NUTS}SE33"  # the exact code first
    prefix = [hit for hit in hits if hit["iri"] in (f"{NUTS}SE331", f"{NUTS}SE332")]
    assert [hit["projects"] for hit in prefix] == sorted((hit["projects"] for hit in prefix), reverse=True)
    many = client.get("/search.json", params={"q": "e"}).json()
    assert many["hits"] > 20 and len(many["results"]) == 20 and many["pages"] > 1
    second = client.get("/search.json", params={"q": "e", "page": 2}).json()["results"]
    assert not {hit["iri"] for hit in second} & {hit["iri"] for hit in many["results"]}
    assert "Nothing matches" in client.get("/search", params={"q": "no such thing at all"}).text
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400
    assert client.get("/search", params={"q": "e", "page": "0"}).status_code == 400


def test_region_page_ranks_the_partners_regions_profile_ranks(client, kg):
    data = entity(client, f"{NUTS}SE331")
    assert data["kind"] == "Region" and data["card"]["level"] == 3 and data["card"]["parent"]["code"] == "SE33"
    profile = region_profile(kg, "SE331", n=1000)
    assert [row["code"] for row in data["partners"]] == [
        row["region_b"] if row["region_a"] == "SE331" else row["region_a"] for row in profile["partners"]]
    assert data["counts"]["partners"] == len(profile["partners"])
    assert {row["name"] for row in data["organisations"]} >= {row["name"] for row in profile["organisations"]}
    shared = client.get(data["partners"][0]["shared"].replace("/shared?", "/shared.json?")).json()
    assert len(shared["projects"]) == data["partners"][0]["projects"]


def test_shared_projects_are_those_both_regions_take_part_in(client, kg):
    data = participations(kg)
    projects: dict[str, set] = {}
    for row in data.rows:
        region = data.region_at(row, 2)
        if region:
            projects.setdefault(region, set()).add(row.project)
    for a, b in itertools.combinations(sorted(projects), 2):
        page = client.get("/shared.json", params={"a": a, "b": b}).json()
        assert {row["iri"] for row in page["projects"]} == projects[a] & projects[b]
    assert client.get("/shared", params={"a": f"{NUTS}SE33", "b": f"{NUTS}SE331"}).status_code == 400  # two levels


def test_organisation_page_lists_projects_partners_and_regions(client, kg):
    iri = "https://w3id.org/coopgraph/id/organisation/kommunforbundet-vasternorrland"
    data = entity(client, iri)
    expected = {str(row.acronym) for row in kg.query("projects-of", organisation="Kommunförbundet Västernorrland")}
    assert len(expected) >= 2 and {row["acronym"] for row in data["projects"]} == expected
    assert data["card"]["region"]["code"] == "SE321" and "seed" in data["card"]["sources"]
    pike = {str(row.organisation) for row in kg.query("partners", project="PIKE")} - {iri}
    assert pike <= {row["iri"] for row in data["partners"]}


def test_project_page_card_partners_and_parts(client, kg):
    data = entity(client, BITSTREAM)
    assert data["card"]["acronym"] == "BitStream I" and data["card"]["programme"]["name"] == "Botnia-Atlantica"
    assert data["card"]["start"] == "2013-03"  # the seed gives the month
    partners = {(row["name"], row["role"]) for row in data["partners"]}
    assert partners == {(str(row.name), str(row.role)) for row in kg.query("partners", project="BitStream I")}
    assert Counter(row["kind"] for row in data["parts"])["work package"] == 6
    carpathian = entity(client, "https://w3id.org/coopgraph/id/project/carpathian-city-network-platform")
    assert carpathian["card"]["eu_contribution"] == pytest.approx(298724.85)
    assert carpathian["card"]["eu_contribution_summed_over"] is None  # the project's own
    assert carpathian["partners"][0]["role"] == "lead-partner"  # the lead first


def test_a_project_amount_summed_over_its_partners_says_over_how_many(client):
    iri = "https://w3id.org/coopgraph/id/project/cordis/101000001"
    data = entity(client, iri)
    page = " ".join(client.get("/entity", params={"iri": iri}).text.split())
    partners, third = len(data["partners"]), "third-party"
    assert sum(row["role"] == third and row["budget"] is not None for row in data["partners"]) == 1
    for key, summed in (("budget", lambda row: row["role"] != third), ("eu_contribution", lambda row: True)):
        given = [row[key] for row in data["partners"] if row[key] is not None and summed(row)]
        assert data["card"][key] == pytest.approx(sum(given)) and data["card"][f"{key}_summed_over"] == len(given)
        note = f"(the sum of {len(given)} of {partners} partners' own" if len(given) < partners else \
            f"(the sum of its {partners} partners' own"
        assert note in html.unescape(page)
    # a third party's costs are within its beneficiary's: its budget is not summed, and the page says so
    assert data["card"]["third_party_budgets_not_summed"] == 1
    assert "partners' own; a third party's costs are in its beneficiary's)" in html.unescape(page)
    assert data["card"]["eu_contribution_summed_over"] < partners  # one partner gives no contribution


def test_drawings_carry_places_and_sizes_without_overlaps(client):
    for iri in (PIKE, BITSTREAM, f"{NUTS}SE331", "https://w3id.org/coopgraph/id/organisation/pic/999000004"):
        nodes = entity(client, iri)["drawing"]["nodes"]
        assert nodes and all({"x", "y", "size"} <= set(node) for node in nodes)
        for a, b in itertools.combinations(nodes, 2):
            assert math.dist((a["x"], a["y"]), (b["x"], b["y"])) >= a["size"] + b["size"], (iri, a["id"], b["id"])


def test_programme_page_lists_projects_and_countries(client):
    data = entity(client, "https://w3id.org/coopgraph/id/programme/interreg-ivc")
    assert [row["acronym"] for row in data["projects"]] == ["PIKE"]
    assert {"BG", "IT", "SE"} <= {row["code"] for row in data["countries"]}


def test_statements_are_collapsed_with_labels_and_no_blank_node_ids(client):
    page = client.get("/entity", params={"iri": PIKE}).text
    assert "<details class=\"statements\">" in page and "_:" not in page
    data = entity(client, "https://w3id.org/coopgraph/id/programme/interreg-ivc")
    inferred = [row for row in data["statements"] if row["kind"] == "blank"]
    assert inferred and all(row["label"] and not row["value"] for row in inferred)  # the justification


def test_ranking_page_chooser_minimum_headers_and_csv(client):
    page = client.get("/regions", params={"weight": "association"})
    assert page.status_code == 200
    assert 'name="min_projects" min="1" value="10"' in page.text  # association starts at 10 shared projects
    assert "<th>region A</th><th>region B</th>" in page.text
    assert '<select name="programme"' in page.text and "Botnia-Atlantica" in page.text
    rows = client.get("/regions.json", params={"min_projects": 1, "n": 1000}).json()["rows"]
    download = client.get("/regions.csv", params={"min_projects": 1})
    assert download.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert [(row["region_a"], row["region_b"], int(row["projects"])) for row in table] == [
        (row["region_a"], row["region_b"], row["projects"]) for row in rows]
    assert client.get("/regions", params={"programme": "INTERREG IVC"}).status_code == 200


@pytest.mark.parametrize("iri, status", [("urn:nothing", 404), ("not an iri", 400), ("", 400)])
def test_unknown_or_bad_entities_give_a_page_not_a_traceback(client, iri, status):
    page = client.get("/entity", params={"iri": iri})
    assert page.status_code == status
    assert "Traceback" not in page.text and "<h1>" in page.text
    assert client.get("/entity.json", params={"iri": iri}).json()["status"] == status


def test_names_from_data_are_shown_as_text(fresh_kg):
    fresh_kg.load(FIXTURES / "hostile.ttl")
    with TestClient(create_app(fresh_kg)) as client:
        time.sleep(1)
        for page in (client.get("/entity", params={"iri": PIKE}),
                     client.get("/entity", params={"iri": "https://w3id.org/coopgraph/id/organisation/hostile"}),
                     client.get("/search", params={"q": "onerror"})):
            assert page.status_code == 200
            assert HOSTILE not in page.text
            assert html.escape(HOSTILE, quote=False) in page.text


def test_static_assets_are_local(client):
    page = client.get("/").text
    assert "https://" not in page.split("<main>")[0] and "http://" not in page.split("<main>")[0]
    assert client.get("/static/style.css").status_code == 200


def test_a_programme_of_many_projects_is_still_a_programme(fresh_kg, tmp_path):
    """More statements point to it than a page shows: what it is comes first, so it keeps its page."""
    turtle = tmp_path / "big.ttl"
    turtle.write_text("@prefix coop: <https://w3id.org/coopgraph/ontology#> .\n"
                      "<urn:x:programme> a coop:Programme ; coop:acronym \"BIG\" .\n" + "".join(
                          f"<urn:x:project/{n}> a coop:Project ; coop:programme <urn:x:programme> .\n"
                          for n in range(700)), encoding="utf-8")
    fresh_kg.load(turtle)
    with TestClient(create_app(fresh_kg)) as client:
        data = client.get("/entity.json", params={"iri": "urn:x:programme"}).json()
    assert data["kind"] == "Programme" and data["truncated"] and data["counts"]["projects"] == 700


def test_a_network_page_lists_its_members_and_their_countries(client, kg):
    data = entity(client, "https://w3id.org/coopgraph/id/organisation/smek")
    assert data["kind"] == "Network"
    members = {str(row.member) for row in kg.query("networks") if str(row.network).endswith("/smek") and row.member}
    assert {member["iri"] for member in data["members"]} == members
    assert {row["code"] for row in data["member_countries"]} == {"PL", "SK"}
