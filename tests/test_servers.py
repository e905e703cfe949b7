"""The server fixtures themselves, over plain HTTP: each server answers, takes a graph by the Graph Store Protocol,
reads it back through the dataset parameters, and is emptied by clear(); Virtuoso runs with the settings stated."""

import httpx2

from servers import VIRTUOSO_MAX_ROWS

GRAPH = "http://example.org/graph/one"
TRIPLES = "".join(f'<http://example.org/s{n}> <http://example.org/p> "value {n}" .\n' for n in range(3))


def post_triples(server, graph: str, triples: str) -> httpx2.Response:
    """Add N-Triples to a named graph by the Graph Store Protocol (``graph=``, which both servers read)."""
    return httpx2.post(server.graph_store_url, params={"graph": graph}, content=triples.encode(),
                       headers={"Content-Type": "application/n-triples"}, auth=server.http_auth(), timeout=60)


def test_each_server_answers_an_ask_with_a_boolean(sparql_server):
    answer = httpx2.post(sparql_server.query_url, data={"query": "ASK { }"}, auth=sparql_server.http_auth(),
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert answer.json()["boolean"] is True


def test_a_graph_posted_by_the_graph_store_protocol_is_read_through_default_graph_uri(sparql_server):
    assert post_triples(sparql_server, GRAPH, TRIPLES).status_code in (200, 201, 204)
    rows = sparql_server.select("SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o }", default_graph_uri=[GRAPH])
    assert sorted((row["s"]["value"], row["o"]["value"]) for row in rows) == [
        (f"http://example.org/s{n}", f"value {n}") for n in range(3)]
    other = "http://example.org/graph/other"
    assert sparql_server.select("SELECT * WHERE { ?s ?p ?o }", default_graph_uri=[other]) == []


def test_clear_empties_what_the_tests_wrote(sparql_server):
    post_triples(sparql_server, GRAPH, TRIPLES).raise_for_status()
    sparql_server.update('INSERT DATA { GRAPH <http://example.org/graph/two> { <http://example.org/s> '
                         '<http://example.org/p> "o" } }')
    sparql_server.clear()
    written = "SELECT ?g WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }"
    assert sparql_server.select(written) == []


def test_virtuoso_keeps_its_own_graphs_through_clear(virtuoso_server):
    assert "http://www.openlinksw.com/schemas/virtrdf#" in virtuoso_server.own_graphs
    virtuoso_server.clear()
    graphs = {row["g"]["value"] for row in virtuoso_server.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == virtuoso_server.own_graphs


def test_virtuoso_updates_only_with_the_credentials_its_endpoints_ask(virtuoso_server, virtuoso_basic_server):
    virtuoso_server.clear()
    update = {"update": 'INSERT DATA { GRAPH <http://example.org/graph/one> { <http://example.org/s> '
                        '<http://example.org/p> "o" } }'}
    anonymous = virtuoso_server.query_url.removesuffix("-auth")  # /sparql: read-only for anonymous users
    refused = httpx2.post(anonymous, data=update, timeout=30)
    assert refused.status_code == 500 and "SR186:SECURITY" in refused.text
    for server in (virtuoso_server, virtuoso_basic_server):
        assert httpx2.post(server.update_url, data=update, timeout=30).status_code == 401
        wrong = type(server.http_auth())(server.user, "not the password")
        assert httpx2.post(server.update_url, data=update, auth=wrong, timeout=30).status_code == 401
        assert httpx2.post(server.update_url, data=update, auth=server.http_auth(), timeout=30).status_code == 200
    assert post_triples(virtuoso_basic_server, GRAPH, TRIPLES).status_code in (200, 201)
    assert len(virtuoso_server.select(f"SELECT * WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")) == 4


def test_virtuoso_cuts_a_result_at_its_row_limit_without_an_error(virtuoso_server):
    virtuoso_server.clear()
    many = "".join(f"<http://example.org/s{n}> <http://example.org/p> {n} .\n" for n in range(VIRTUOSO_MAX_ROWS + 500))
    post_triples(virtuoso_server, GRAPH, many).raise_for_status()
    answer = httpx2.post(virtuoso_server.query_url, data={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                          "default-graph-uri": GRAPH},
                         auth=virtuoso_server.http_auth(), headers={"Accept": "application/sparql-results+json"},
                         timeout=60)
    assert answer.status_code == 200 and answer.headers["x-sparql-maxrows"] == str(VIRTUOSO_MAX_ROWS)
    assert len(answer.json()["results"]["bindings"]) == VIRTUOSO_MAX_ROWS
