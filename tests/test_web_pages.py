"""The home, search and entity pages: what they show, their JSON, their errors, and data shown as text."""

from __future__ import annotations

import html

import pytest
from starlette.testclient import TestClient

from conftest import FIXTURES
from coopgraph.web import create_app

PIKE = "https://w3id.org/coopgraph/id/project/pike"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def client(kg):
    return TestClient(create_app(kg), raise_server_exceptions=False)


def test_home_page_counts_the_graph(client, kg):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    counts = client.get("/index.json").json()["counts"]
    assert counts == kg.stats().counts
    assert f">{counts['projects']:,}<" in page.text
    assert 'href="/query?name=partners"' in page.text


def test_search_finds_projects_organisations_and_regions(client):
    found = client.get("/search.json", params={"q": "botnia"}).json()["results"]
    assert any(row["name"] == "Botnia-Atlantica" and row["kind"] == "Programme" for row in found)
    regions = client.get("/search.json", params={"q": "SE33"}).json()["results"]
    assert regions[0]["iri"] == "http://data.europa.eu/nuts/code/SE33"  # an exact code match ranks first
    page = client.get("/search", params={"q": "pike"})
    assert f'href="/entity?iri={PIKE.replace(":", "%3A").replace("/", "%2F")}"' in page.text
    assert "Nothing matches" in client.get("/search", params={"q": "no such thing at all"}).text
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400


def test_project_page_shows_partners_statements_and_sources(client, kg):
    data = client.get("/entity.json", params={"iri": PIKE}).json()
    assert data["label"] == "PIKE" and "Project" in data["kinds"]
    partners = {row["name"] for row in data["participations"]}
    assert partners == {str(row.name) for row in kg.query("partners", project="PIKE")}
    assert {row["source"] for row in data["statements_out"]} == {"seed"}
    assert any(row["property"] == "coop:programme" and row["label"] == "INTERREG IVC" for row in data["statements_out"])
    page = client.get("/entity", params={"iri": PIKE})
    assert "Kommunförbundet Västernorrland" in page.text and "Partners" in page.text
    assert 'id="network-data"' in page.text and "Neighbourhood" in page.text  # its partners, drawn
    region = client.get("/entity", params={"iri": "http://data.europa.eu/nuts/code/SE"}).text
    assert "Neighbourhood" in region and "Norway" in region  # Sweden among its partner countries (NUTS 0)
    programme = client.get("/entity", params={"iri": "https://w3id.org/coopgraph/id/programme/interreg-ivc"}).text
    assert "Neighbourhood" in programme and "Bulgaria" in programme  # the countries of PIKE, its project
    alone = client.get("/entity", params={"iri": "http://data.europa.eu/nuts/code/PT1"}).text
    assert "Neighbourhood" not in alone  # no organisation there


def test_organisation_page_lists_its_projects(client, kg):
    iri = "https://w3id.org/coopgraph/id/organisation/kommunforbundet-vasternorrland"
    data = client.get("/entity", params={"iri": iri}, headers={"Accept": "application/json"}).json()
    expected = {str(row.acronym) for row in kg.query("projects-of", organisation="Kommunförbundet Västernorrland")}
    assert len(expected) >= 2 and {row["project_name"] for row in data["participations"]} == expected


@pytest.mark.parametrize("iri, status", [("urn:nothing", 404), ("not an iri", 400), ("", 400)])
def test_unknown_or_bad_entities_give_a_page_not_a_traceback(client, iri, status):
    page = client.get("/entity", params={"iri": iri})
    assert page.status_code == status
    assert "Traceback" not in page.text and "<h1>" in page.text
    assert client.get("/entity.json", params={"iri": iri}).json()["status"] == status


def test_names_from_data_are_shown_as_text(fresh_kg):
    fresh_kg.load(FIXTURES / "hostile.ttl")
    client = TestClient(create_app(fresh_kg))
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
