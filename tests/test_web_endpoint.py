"""The SPARQL endpoint against the SPARQL 1.1 Protocol: methods, status codes, content types, every format read back."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph
from rdflib.query import Result
from starlette.testclient import TestClient

from coopgraph.web import Limits, create_app

PROJECTS = "SELECT ?p ?acronym WHERE { ?p a coop:Project ; coop:acronym ?acronym } ORDER BY ?acronym"
ACRONYMS = "CONSTRUCT { ?p coop:acronym ?a } WHERE { ?p coop:acronym ?a }"
# about 4.5 million solutions: long enough to overrun a limit of 0.05 s, short enough to end soon after
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a a coop:Region . ?b coop:nutsLevel ?level }"


@pytest.fixture(scope="module")
def client(kg):
    return TestClient(create_app(kg))


@pytest.fixture(scope="module")
def expected(kg) -> list[str]:
    return [str(row.acronym) for row in kg.query(PROJECTS)]


def test_get_answers_select_as_sparql_json_by_default(client, expected):
    response = client.get("/sparql", params={"query": PROJECTS})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert [row["acronym"]["value"] for row in response.json()["results"]["bindings"]] == expected


@pytest.mark.parametrize("media_type, result_format", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
])
def test_every_results_format_parses_back(client, expected, media_type, result_format):
    response = client.get("/sparql", params={"query": PROJECTS}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    if result_format == "csv":
        acronyms = [row["acronym"] for row in csv.DictReader(io.StringIO(response.text))]
    else:
        parsed = Result.parse(io.BytesIO(response.content), format=result_format)
        acronyms = [str(row.acronym) for row in parsed]
    assert acronyms == expected


def test_accept_with_quality_values_picks_the_best_offer(client):
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = client.get("/sparql", params={"query": PROJECTS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


@pytest.mark.parametrize("media_type, rdf_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
])
def test_construct_answers_as_rdf_in_each_format(client, kg, media_type, rdf_format):
    response = client.get("/sparql", params={"query": ACRONYMS}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    parsed = Graph().parse(data=response.content, format=rdf_format)
    assert set(parsed) == set(kg.query(ACRONYMS))


def test_construct_defaults_to_turtle(client):
    response = client.get("/sparql", params={"query": ACRONYMS}, headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")


def test_ask(client):
    response = client.get("/sparql", params={"query": "ASK { ?p coop:acronym 'PIKE' }"})
    assert response.json() == {"head": {}, "boolean": True}


def test_post_as_form_and_as_query_body(client, expected):
    form = client.post("/sparql", data={"query": PROJECTS})
    body = client.post("/sparql", content=PROJECTS.encode(), headers={"Content-Type": "application/sparql-query"})
    for response in (form, body):
        assert response.status_code == 200
        assert [row["acronym"]["value"] for row in response.json()["results"]["bindings"]] == expected


def test_format_parameter_for_downloads(client, expected):
    response = client.get("/sparql", params={"query": PROJECTS, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert [row["acronym"] for row in csv.DictReader(io.StringIO(response.text))] == expected


@pytest.mark.parametrize("request_args, status, message", [
    (dict(method="POST", data={"update": "DROP ALL"}), 403, "SPARQL Update is not allowed"),
    (dict(method="GET", params={"update": "DROP ALL"}), 403, "SPARQL Update is not allowed"),
    (dict(method="POST", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}), 403,
     "SPARQL Update is not allowed"),
    (dict(method="GET", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}), 403, "read-only"),
    (dict(method="GET", params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}),
     403, "SERVICE (federated query) is not allowed"),
    (dict(method="GET", params={"query": "select * where { service<http://example.org/> {} }"}), 403, "SERVICE"),
    (dict(method="GET", params={"query": "SELECT * WHERE { ?s ?p ?o"}), 400, "bad SPARQL"),
    (dict(method="GET", params={}), 400, "no query"),
    (dict(method="GET", params={"query": PROJECTS, "default-graph-uri": "urn:g"}), 400, "not supported"),
    (dict(method="GET", params={"query": PROJECTS}, headers={"Accept": "text/turtle"}), 406, "Accept"),
    (dict(method="GET", params={"query": PROJECTS, "format": "yaml"}), 400, "unknown format 'yaml'"),
    (dict(method="POST", content=b"x", headers={"Content-Type": "text/plain"}), 415, "application/sparql-query"),
    (dict(method="PUT", params={"query": PROJECTS}), 405, ""),
])
def test_refusals_have_a_status_and_a_reason(client, request_args, status, message):
    arguments = dict(request_args)
    response = client.request(arguments.pop("method"), "/sparql", **arguments)
    assert response.status_code == status
    assert message in response.text


def test_the_query_runs_as_sent(client):
    """A header comment that declares a parameter binds nothing here, and a catalogue name is not SPARQL."""
    query = "# param: project (string, default PIKE): a project\nSELECT ?project WHERE { BIND(1 AS ?one) }"
    bindings = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert bindings == [{}]
    assert client.get("/sparql", params={"query": "projects"}).status_code == 400


def test_strings_and_iris_that_mention_service_are_not_refused(client):
    query = 'SELECT ?service WHERE { BIND("SERVICE <x> {}" AS ?service) } # SERVICE'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_a_person_without_a_query_is_sent_to_the_editor(client):
    response = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/query"


def test_time_and_size_limits(kg):
    slow = TestClient(create_app(kg, Limits(timeout=0.05)))
    started = time.perf_counter()
    response = slow.get("/sparql", params={"query": SLOW})
    assert response.status_code == 503 and "longer than 0.05 s" in response.text
    assert time.perf_counter() - started < 1.0  # answered at the limit, not when the query ends
    small = TestClient(create_app(kg, Limits(max_result_bytes=200)))
    response = small.get("/sparql", params={"query": PROJECTS})
    assert response.status_code == 413 and "larger than 200 bytes" in response.text


def test_cors_only_for_the_origins_given(kg):
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    closed = TestClient(create_app(kg)).options("/sparql", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = TestClient(create_app(kg, cors_origins=("https://example.org",)))
    assert opened.options("/sparql", headers=preflight).headers["access-control-allow-origin"] == "https://example.org"
    answer = opened.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "https://example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_serve_listens_on_loopback_only(initialised_store, tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "coopgraph", "--store", str(initialised_store), "serve",
                               "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": "ASK { ?p coop:acronym 'PIKE' }"})
        deadline = time.monotonic() + 60  # a slow, busy machine: the server opens a snapshot and starts workers
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert json.load(response)["boolean"] is True
                break
            except OSError:  # not listening yet, or still starting its query workers
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
        other = _other_address()
        if other is not None:
            with pytest.raises(OSError), socket.create_connection((other, port), timeout=2):
                pass
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert f"at http://127.0.0.1:{port}/" in stderr
