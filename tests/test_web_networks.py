"""The network pages (/network, /regions), their JSON, the drawing (coopgraph.network.html) and `network --format html`.

The pages are checked against the networks and rankings computed directly from the same store
(tests/fixtures/network). A copy of that table where organisations are named with HTML (one with
``href``, which switches pyvis's own template to raw HTML popups) checks that names reach the page
only as escaped text; the browser-level check of the same is for Playwright.
"""

from __future__ import annotations

import csv
import html
import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from starlette.testclient import TestClient

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.pipeline import run
from coopgraph.network import KINDS, Filters, network, region_graph, top_pairs
from coopgraph.network.html import ASSETS, document, embed, script_json, view
from coopgraph.vocab import NUTS
from coopgraph.web import create_app, networks
from coopgraph.web.site import entity_url

NETWORK = FIXTURES / "network"
PAYLOAD = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(2)">LTU</a>'
HOSTILE = {"UMEA UNIVERSITET": PAYLOAD, "LULEA TEKNISKA UNIVERSITET": LINK}
DATA = re.compile(r'<script type="application/json" id="network-data">(.*?)</script>', re.S)
# a script or stylesheet fetched from another host (a CDN)
REMOTE = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def hostile_table(folder: Path) -> Path:
    """The CORDIS fixture with two organisations named in HTML."""
    with open(NETWORK / "organization.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    for row in rows:
        row["name"] = HOSTILE.get(row["name"], row["name"])
    path = folder / "organization.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def imported(organisations: Path, reports: Path) -> coopgraph.KnowledgeGraph:
    """A store of its own with a CORDIS table and the Interreg fixture, without the seed."""
    kg = coopgraph.open(":memory:")
    jobs = IMPORTERS["cordis"].jobs([organisations], legal_basis=NETWORK / "legalBasis.csv")
    run(kg, jobs + IMPORTERS["interreg-se"].jobs([NETWORK / "partners.csv"]), report_dir=reports)
    kg.remove("seed")
    return kg


@pytest.fixture(scope="module")
def network_kg(tmp_path_factory):
    kg = imported(NETWORK / "organization.csv", tmp_path_factory.mktemp("reports"))
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def client(network_kg):
    return TestClient(create_app(network_kg))


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory) -> Path:
    return hostile_table(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_kg(hostile_csv, tmp_path_factory):
    kg = imported(hostile_csv, tmp_path_factory.mktemp("reports"))
    yield kg
    kg.close()


def drawn(page: str) -> dict:
    """The data a page gives network.js."""
    (data,) = DATA.findall(page)
    return json.loads(data)


def as_json(value):
    """What a value looks like after a trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


# -- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("of, level", [("regions", 2), ("regions", 3), ("countries", 0), ("organisations", 0)])
def test_network_page_draws_every_node(client, network_kg, of, level):
    response = client.get("/network", params={"of": of, "level": level})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    graph = network(network_kg, of, level)
    data = drawn(response.text)
    assert sorted(node["heading"] for node in data["nodes"]) == sorted(label for _, label in graph.nodes(data="label"))
    assert len(data["edges"]) == graph.number_of_edges()
    assert data["options"]["physics"]["enabled"] is False  # laid out in Python: drawn at once
    assert all("title" not in item for item in data["nodes"] + data["edges"])  # tooltips are made by network.js
    assert f"All {graph.number_of_nodes()} {of} and {graph.number_of_edges()} links are drawn" in response.text


def test_nodes_open_their_entity_pages(client, network_kg):
    data = drawn(client.get("/network", params={"of": "regions", "level": 2}).text)
    iris = {dict(node["facts"])["IRI"]: node["url"] for node in data["nodes"]}
    assert iris and all(url == entity_url(iri) for iri, url in iris.items())
    assert set(iris) == set(region_graph(network_kg, 2))


@pytest.mark.parametrize("of, level", [(kind, 2) for kind in KINDS] + [("regions", 0)])
def test_network_json_is_the_network(client, network_kg, of, level):
    params = {"of": of, "level": level, "programme": "horizon", "weight": "jaccard", "top": 5}
    answer = client.get("/network.json", params=params).json()
    graph = network(network_kg, of, level, Filters(programme="horizon", weight="jaccard", top=5))
    paging = {key: answer["graph"].pop(key) for key in ("page", "pages", "links", "next")}
    expected = as_json(nx.node_link_data(graph, edges="edges"))
    strength = {frozenset((edge["source"], edge["target"])): edge["jaccard"] for edge in expected["edges"]}
    expected["edges"].sort(key=lambda edge: (-strength[frozenset((edge["source"], edge["target"]))], *sorted(
        (edge["source"], edge["target"]))))  # strongest first, ties by their ends
    assert answer["graph"] == expected
    assert paging == {"page": 1, "pages": 1, "links": 5, "next": None}
    assert answer["summary"]["nodes"] == graph.number_of_nodes() and answer["summary"]["links"] == 5
    assert answer["summary"]["filters"] == {"programme": "horizon", "top": 5, "weight": "jaccard"}


def test_network_json_comes_a_page_of_links_at_a_time_strongest_first(client, network_kg, monkeypatch):
    monkeypatch.setattr(networks, "LINKS_PER_PAGE", 7)
    graph = network(network_kg, "organisations", 2, Filters(min_projects=2))
    address, pages = "/network.json?of=organisations&min_projects=2&weight=fractional", []
    while address:
        pages.append(client.get(address).json()["graph"])
        address = pages[-1]["next"]
    assert len(pages) == pages[0]["pages"] == -(-graph.number_of_edges() // 7) > 2
    links = [(edge["source"], edge["target"], edge["fractional"]) for page in pages for edge in page["edges"]]
    assert all(len(page["edges"]) <= 7 for page in pages) and [page["page"] for page in pages] == [
        *range(1, len(pages) + 1)]
    assert {frozenset(link[:2]) for link in links} == {frozenset(edge) for edge in graph.edges}
    assert len(links) == graph.number_of_edges()
    for page in pages:  # strongest first, across pages too; each page brings the ends of its links
        assert {node["id"] for node in page["nodes"]} == {end for edge in page["edges"] for end in (
            edge["source"], edge["target"])}
    assert [weight for *_, weight in links] == sorted((weight for *_, weight in links), reverse=True)
    over = client.get("/network.json", params={"of": "organisations", "min_projects": 2, "page": len(pages) + 1})
    assert over.status_code == 400 and "page must be a whole number" in over.text


def test_json_by_accept_header(client):
    response = client.get("/regions", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json" and response.json()["rows"]


def test_regions_json_is_the_ranking(client, network_kg):
    params = [("level", "3"), ("weight", "association"), ("n", "4"), ("programme", "aurora"), ("from", "2016"),
              ("to", "2019"), ("role", "lead-partner"), ("role", "partner"), ("min_projects", "1")]
    rows = client.get("/regions.json", params=params).json()["rows"]
    filters = Filters(programme="aurora", first_year=2016, last_year=2019, roles=("lead-partner", "partner"))
    assert rows == as_json(top_pairs(network_kg, 3, "association", 4, filters)) and rows
    # association strength and Jaccard rank tiny regions first: unless asked otherwise, at least 10 shared projects
    answer = client.get("/regions.json", params=params[:-1]).json()
    assert answer["parameters"]["min_projects"] == 10
    assert answer["rows"] == as_json(top_pairs(network_kg, 3, "association", 4, replace(filters, min_projects=10)))


def test_regions_page_ranks_pairs_beside_a_map_that_marks_them(client, network_kg):
    response = client.get("/regions", params={"level": 2, "weight": "projects", "n": 3})
    assert response.status_code == 200
    expected = top_pairs(network_kg, 2, "projects", 3)
    for row in expected:
        for code, name in ((row["region_a"], row["name_a"]), (row["region_b"], row["name_b"])):
            link = entity_url(str(NUTS[code])).replace("&", "&amp;")
            assert f'<a href="{link}">{html.escape(name)}</a> <span class="code">{code}</span>' in response.text
    assert response.text.count('<tr><td class="number">') == 3  # one row per pair
    marked = {(link["a"], link["b"]) for link in client.get("/regions.json", params={
        "level": 2, "weight": "projects", "n": 3}).json()["map"]["links"] if link["marked"]}
    assert {frozenset(pair) for pair in marked} <= {frozenset((row["region_a"], row["region_b"])) for row in expected}
    assert response.text.count('class="link marked"') == len(marked)


def test_filters_change_the_answer(client, network_kg):
    everything = client.get("/regions.json", params={"level": 3, "n": 1000}).json()["rows"]
    shared = client.get("/regions.json", params={"level": 3, "n": 1000, "min_projects": 2}).json()["rows"]
    assert 0 < len(shared) < len(everything) and all(row["projects"] >= 2 for row in shared)
    swedish = client.get("/network.json", params={"of": "regions", "level": 3,
                                                  "source": "interreg-se/partners.csv"}).json()["graph"]
    assert {node["country"] for node in swedish["nodes"]} == {"SE"}
    assert {edge["projects"] for edge in swedish["edges"]} == {
        values["projects"] for *_, values in region_graph(
            network_kg, 3, Filters(source="interreg-se/partners.csv")).edges(data=True)}
    leads = client.get("/network.json", params={"of": "organisations", "role": "lead"}).json()["summary"]
    assert leads["nodes"] < client.get("/network.json", params={"of": "organisations"}).json()["summary"]["nodes"]


@pytest.mark.parametrize("path, params, message", [
    ("/network", {"of": "bipartite"}, "of must be one of organisations, regions, countries"),
    ("/network", {"level": "9"}, "level must be from 0 to 3"),
    ("/network", {"level": "two"}, "level must be a whole number"),
    ("/network", {"weight": "size"}, "weight must be one of"),
    ("/network", {"top": "0"}, "top must be from 1"),
    ("/network", {"programme": "NOPE"}, "no programme is named"),
    ("/network", {"role": "boss"}, "unknown role"),
    ("/network", {"source": "x.csv"}, "no source named"),
    ("/regions", {"from": "2020", "to": "2010"}, "the period 2020-2010 is empty"),
    ("/regions", {"min_projects": "0"}, "min_projects must be from 1"),
    ("/regions", {"n": "-1"}, "n must be from 1 to 1000"),
    ("/regions", {"programme": "x" * 201}, "programme must be at most 200 characters"),
])
def test_bad_parameters_are_a_400_with_the_reason(client, path, params, message):
    page = client.get(path, params=params)
    assert page.status_code == 400 and message in page.text and "Traceback" not in page.text
    answer = client.get(f"{path}.json", params=params)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_assets_come_from_this_server(client):
    page = client.get("/network").text
    for name in ASSETS:
        assert f'"/assets/{name}"' in page
        response = client.get(f"/assets/{name}")
        assert response.status_code == 200 and response.content == ASSETS[name].read_bytes()
    assert not REMOTE.search(page)
    assert client.get("/assets/..%2Fnetwork.py").status_code == 404
    assert client.get("/assets/template.html").status_code == 404


def test_networks_are_built_once_for_many_clients(network_kg, monkeypatch):
    built = []

    def counted(*args, **keywords):
        built.append(args)
        return network(*args, **keywords)

    monkeypatch.setattr(networks, "network", counted)
    client = TestClient(create_app(network_kg))
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(client.get("/regions", params={"level": 3})))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200] * 8 and len(built) == 1
    for weight in ("projects", "jaccard"):  # another weight, another drawing; the same network
        assert client.get("/network", params={"of": "regions", "level": 3, "weight": weight}).status_code == 200
    assert len(built) == 1
    for top in (2, 3):  # links dropped: pruned in memory, not built again
        kept = client.get("/network.json", params={"of": "regions", "level": 3, "top": top}).json()
        assert kept["summary"]["links"] == top
    assert len(built) == 1
    client.get("/network", params={"of": "regions", "level": 3, "from": 2016})  # other participations: a build
    assert len(built) == 2


def test_pages_and_drawings_never_push_out_what_is_read_once(network_kg, monkeypatch):
    """More pages of things and more drawings than are kept: the participations are still read only once, and
    a page seen again is not built again."""
    read, described = [], []
    participations = networks.participations

    def counted(*args, **keywords):
        read.append(args)
        return participations(*args, **keywords)

    monkeypatch.setattr(networks, "participations", counted)
    monkeypatch.setattr(networks, "RESULTS_KEPT", 2)
    monkeypatch.setattr(networks, "PAGES_KEPT", 3)
    rows = network_kg.rows
    monkeypatch.setattr(network_kg, "rows", lambda query, **params: (
        described.append(params.get("iri")) if query == "describe" else None, rows(query, **params))[1])
    client = TestClient(create_app(network_kg))
    things = [iri for (iri,) in network_kg.rows("SELECT ?o WHERE { ?o a coop:Organisation } ORDER BY ?o LIMIT 6")]
    assert len(things) == 6
    for iri in things:
        assert client.get("/entity", params={"iri": iri}).status_code == 200
    for top in (2, 3, 4):
        assert client.get("/network", params={"of": "regions", "level": 2, "top": top}).status_code == 200
    assert client.get("/entity", params={"iri": things[-1]}).status_code == 200  # kept: not described again
    assert described.count(things[-1]) == 1
    assert client.get("/entity", params={"iri": things[0]}).status_code == 200  # pushed out: built again
    assert described.count(things[0]) == 2
    assert len(read) == 1


# -- the drawing ---------------------------------------------------------------------------------


def test_big_networks_show_their_strongest_part(network_kg):
    graph = region_graph(network_kg, 3)
    strength = dict(graph.degree(weight="fractional"))
    shown = view(graph, "fractional", max_nodes=4, max_links=3)
    assert (shown["shown_nodes"], shown["shown_links"], shown["nodes"]) == (4, 3, graph.number_of_nodes())
    strongest = sorted(graph, key=lambda node: (-strength[node], node))[:4]
    assert {dict(node["facts"])["IRI"] for node in shown["data"]["nodes"]} == set(strongest)
    assert f"The 4 strongest of {graph.number_of_nodes()} regions" in embed(shown)
    widths = [edge["width"] for edge in shown["data"]["edges"]]
    assert widths == sorted(widths, reverse=True) and widths[0] == 4


def test_layout_is_the_same_every_time(network_kg):
    graph = region_graph(network_kg, 3)
    assert view(graph)["data"] == view(graph)["data"]


def test_json_in_a_script_cannot_end_it():
    value = {"name": "</script><script>alert(1)</script><!-- & -->"}
    text = script_json(value)
    assert not set("<>&") & set(text) and json.loads(text) == value


@pytest.mark.parametrize("of", ["organisations", "regions"])
def test_hostile_names_stay_text_in_the_page(hostile_kg, of):
    page = TestClient(create_app(hostile_kg)).get("/network", params={"of": of, "level": 2}).text
    for name in HOSTILE.values():
        assert name not in page and name.replace('"', "&#34;") not in page.replace("&#39;", "'")
    data = drawn(page)
    if of == "organisations":
        assert set(HOSTILE.values()) <= {node["heading"] for node in data["nodes"]}  # there, as data
        assert sum(PAYLOAD in edge["heading"] for edge in data["edges"]) > 0
    assert "<img" not in page and "<a href=\"javascript" not in page
    assert not REMOTE.search(page)


def test_hostile_names_stay_text_in_the_standalone_page(hostile_kg):
    page = document(network(hostile_kg, "organisations"))
    assert PAYLOAD not in page and LINK not in page and "<img" not in page
    assert set(HOSTILE.values()) <= {node["heading"] for node in drawn(page)["nodes"]}
    assert not REMOTE.search(page) and "<link" not in page and "<script src" not in page


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_store(hostile_csv, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("hostile-store") / "store"
    run_cli("import", "cordis", str(hostile_csv), "--legal-basis", str(NETWORK / "legalBasis.csv"),
            "--report-dir", str(store.parent / "reports"), store=store, check=True)
    run_cli("import", "interreg-se", str(NETWORK / "partners.csv"), "--report-dir", str(store.parent / "reports"),
            store=store, check=True)
    run_cli("remove", "seed", store=store, check=True)
    return store


def test_network_command_writes_a_page_that_opens_offline(hostile_store, hostile_kg, tmp_path):
    path = tmp_path / "organisations.html"
    result = run_cli("network", "--of", "organisations", "--weight", "projects", "--out", str(path),
                     store=hostile_store, check=True)
    assert "(html)" in result.stderr
    page = path.read_text(encoding="utf-8")
    assert ASSETS["vis-network.min.js"].read_text(encoding="utf-8") in page  # inline: no server, no CDN
    assert ASSETS["network.js"].read_text(encoding="utf-8") in page
    assert "<script src" not in page and "<link" not in page and not REMOTE.search(page)
    assert PAYLOAD not in page and "<img" not in page
    graph = network(hostile_kg, "organisations")
    assert len(drawn(page)["nodes"]) == graph.number_of_nodes()
    assert "shared projects, each counted once" in page  # the legend names the weight drawn
    assert not list(tmp_path.glob(".*"))  # written beside its name and renamed


def test_network_command_refuses_a_page_of_the_bipartite_network(hostile_store, tmp_path):
    result = run_cli("network", "--of", "bipartite", "--out", str(tmp_path / "b.html"), store=hostile_store)
    assert result.returncode == 1 and result.stderr.startswith("error: a page draws networks of organisations")
    assert not list(tmp_path.iterdir())


def test_a_network_no_project_passes_says_so_and_draws_nothing(client):
    response = client.get("/network", params={"of": "organisations", "to": 1990})
    assert response.status_code == 200 and "Nothing to draw: no link passes the filters." in response.text
    assert 'id="network-data"' not in response.text
    assert client.get("/network.json", params={"of": "organisations", "to": 1990}).json()["summary"]["nodes"] == 0
