"""The store on a SPARQL server: endpoints, credentials, transient errors, batches and failed loads.

Against Oxigraph's own server on 127.0.0.1 (see ``tests/servers.py``); credentials and transient errors come
from a small proxy in front of it that asks for HTTP Basic credentials and fails every other request with 503.
"""

from __future__ import annotations

import base64
import contextlib
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus

import httpx2
import pytest
from rdflib.namespace import RDF

import coopgraph
from conftest import run_cli
from coopgraph.store import CATALOG, PASSWORD_VARIABLE, USER_VARIABLE, StoreError
from coopgraph.store import remote as remote_module
from coopgraph.store.remote import guess_endpoints
from coopgraph.vocab import COOP

pytestmark = pytest.mark.remote


@pytest.mark.parametrize("query, server, credentials, update, graph_store", [
    ("http://h:7878/query", "Oxigraph/0.5.13", False, "http://h:7878/update", "http://h:7878/store"),
    ("http://h:8890/sparql", "Virtuoso/07.20.3240 (Linux)", True, "http://h:8890/sparql-auth",
     "http://h:8890/sparql-graph-crud-auth"),
    ("http://h:8890/sparql", "Virtuoso/07.20.3240 (Linux)", False, "http://h:8890/sparql",
     "http://h:8890/sparql-graph-crud"),
    ("http://h:3030/ds/query", "Apache Jena Fuseki (5.1.0)", False, "http://h:3030/ds/update", "http://h:3030/ds/data"),
    ("http://h:7200/repositories/eu", "", False, "http://h:7200/repositories/eu/statements",
     "http://h:7200/repositories/eu/rdf-graphs/service"),
    ("http://h/any/sparql", "nginx", False, "http://h/any/sparql", None),
])
def test_endpoints_are_guessed_for_known_servers(query, server, credentials, update, graph_store):
    guessed = guess_endpoints(query, server, credentials)
    assert (guessed.update, guessed.graph_store) == (update, graph_store)


@pytest.fixture
def server(oxigraph_server):
    oxigraph_server.clear()
    return oxigraph_server


def _graphs(server) -> set[str]:
    """Every named graph on the server, published or not."""
    answer = httpx2.post(server.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}).json()
    return {row["g"]["value"] for row in answer["results"]["bindings"]}


def test_a_load_that_fails_half_way_publishes_nothing_and_leaves_nothing(server, tmp_path):
    run_cli("init", store=server.query_url, env={"COOPGRAPH_BATCH_TRIPLES": "500"}, check=True)
    before = _graphs(server)
    broken = tmp_path / "broken.nt"
    good = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(10))
    broken.write_text(good + "<http://example.org/s> <http://example.org/p> \"unclosed .\n", encoding="utf-8")
    failed = run_cli("load", str(broken), store=server.query_url, env={"COOPGRAPH_BATCH_TRIPLES": "2"})
    assert failed.returncode == 1 and "cannot load file/broken.nt" in failed.stderr
    assert _graphs(server) == before, "the batches written before the error are dropped at once"
    with coopgraph.open(server.query_url) as kg:
        assert "file/broken.nt" not in kg.sources()
        assert not kg.query("ASK { <http://example.org/s1> ?p ?o }")
        unpublished = kg.query(f"ASK {{ GRAPH <{CATALOG}> {{ ?source <{COOP.unpublishedGraph}> ?graph }} }}")
        assert not unpublished, "and their announcement with them"


def test_explicit_endpoints_win_and_a_read_only_store_refuses_writes(server):
    with pytest.raises(StoreError, match=r"query-nowhere failed \(HTTP 404\)"):  # the endpoint given is used
        coopgraph.open(server.query_url, update_endpoint=server.query_url + "-nowhere")
    result = run_cli("--update-endpoint", server.update_url, "--graph-store-endpoint", server.graph_store_url,
                     "init", store=server.query_url, check=True)
    assert "ready" in result.stderr
    kg = coopgraph.open(server.query_url)
    kg.store.read_only = True
    with pytest.raises(StoreError, match="read-only"):
        kg.remove("seed")
    assert "seed" in kg.sources()


def _body(handler: BaseHTTPRequestHandler) -> bytes:
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _forward(handler: BaseHTTPRequestHandler, upstream: str, body: bytes) -> None:
    """Send a request (its ``body`` read) on to the server behind ``upstream``, and its answer back."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
    answer = httpx2.request(handler.command, upstream + handler.path, content=body, headers=headers)
    handler.send_response(answer.status_code)
    for name in ("Content-Type", "Server"):
        if name in answer.headers:
            handler.send_header(name, answer.headers[name])
    handler.send_header("Content-Length", str(len(answer.content)))
    handler.end_headers()
    handler.wfile.write(answer.content)


class _Forwarder(BaseHTTPRequestHandler):
    """Forwards every request to the server behind ``upstream``, quietly; a subclass's ``_answer`` does more first."""

    upstream = ""

    def _answer(self) -> None:
        _forward(self, self.upstream, _body(self))

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, *args) -> None:
        pass


class _Proxy(_Forwarder):
    """Forwards to the server; asks for Basic credentials, and fails every other request with 503."""

    seen = 0
    lock = threading.Lock()
    credentials = "Basic " + base64.b64encode(b"ada:s3cret").decode()

    def _answer(self) -> None:
        if self.headers.get("Authorization") != self.credentials:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="coopgraph"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with self.lock:
            type(self).seen += 1
            flaky = self.seen % 2 == 1
        if flaky:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super()._answer()


class _CountingProxy(_Forwarder):
    """Forwards to the server, counting the queries that name ``marker``, each answered only after ``delay`` s."""

    marker, delay, asked = "?counted", 0.0, 0

    def _answer(self) -> None:
        body = _body(self)
        if self.marker in unquote_plus(body.decode()):
            type(self).asked += 1
            time.sleep(self.delay)
        _forward(self, self.upstream, body)


class _SlowProxy(_CountingProxy):
    """A query asking for ``?slowly`` is answered only after 3 s."""

    marker, delay, asked = "?slowly", 3.0, 0


@contextlib.contextmanager
def _proxied(handler: type[BaseHTTPRequestHandler], server):
    """The query URL of ``handler`` serving on a free port of 127.0.0.1, in front of ``server``."""
    handler.upstream = server.query_url.rsplit("/", 1)[0]
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}/query"
    finally:
        proxy.shutdown()


@pytest.fixture
def flaky_proxy(server, monkeypatch):
    monkeypatch.setattr(remote_module, "RETRY_WAITS", (0.01, 0.01, 0.01))
    with _proxied(_Proxy, server) as url:
        yield url


def test_basic_credentials_from_the_environment_and_transient_errors_tried_again(flaky_proxy, monkeypatch):
    with pytest.raises(StoreError, match=f"refused the credentials.*{USER_VARIABLE}"):
        coopgraph.open(flaky_proxy)
    monkeypatch.setenv(USER_VARIABLE, "ada")
    monkeypatch.setenv(PASSWORD_VARIABLE, "s3cret")
    monkeypatch.setenv("COOPGRAPH_BATCH_TRIPLES", "5000")
    _Proxy.seen = 0
    with coopgraph.open(flaky_proxy) as kg:  # every other request fails: each is tried again
        assert kg.sources() == ["countries", "nuts-2021", "ontology", "seed"]
        assert kg.stats().counts["projects"] == 8
    assert _Proxy.seen > 20


def test_a_query_not_answered_in_time_is_not_sent_again(server, monkeypatch):
    """The server is still working on it: sending it again would only give it the same work twice."""
    monkeypatch.setattr(remote_module, "RETRY_WAITS", (0.01, 0.01, 0.01))
    monkeypatch.setenv(remote_module.TIMEOUT_VARIABLE, "1")
    with _proxied(_SlowProxy, server) as url, coopgraph.open(url) as kg:
        with pytest.raises(StoreError, match=r"no answer .* within 1 s"):
            kg.query("SELECT ?slowly WHERE { ?slowly a coop:Project }")
        assert _SlowProxy.asked == 1
        assert kg.query("ASK { }")  # quick ones still come


def test_a_big_answer_is_read_at_once_from_a_server_that_sends_it_whole(server):
    """Oxigraph sends every row, so its answers are read in one request: pages compute the query once each (the
    ranking at 10 times the CORDIS table took 645 s instead of about 150 so). A server not known is read in pages,
    with the same rows."""
    query = "SELECT ?counted ?p ?o WHERE { ?counted ?p ?o FILTER(!isBlank(?counted) && !isBlank(?o)) }"
    with _proxied(_CountingProxy, server) as url, coopgraph.open(url) as kg:
        kg.store.page_rows = 1_000
        assert kg.store.endpoints.whole_answers
        _CountingProxy.asked = 0
        whole = kg.store.rows(query, {})
        assert len(whole) > 10 * kg.store.page_rows and _CountingProxy.asked == 1
        kg.store.endpoints = replace(kg.store.endpoints, whole_answers=False)
        _CountingProxy.asked = 0
        paged = kg.store.rows(query, {})
        assert _CountingProxy.asked == 2 + len(whole) // kg.store.page_rows  # the first, then every page
        assert sorted(paged, key=str) == sorted(whole, key=str)


STRAY_GRAPH = "http://example.org/stray-graph"


def _write_stray_graph(base: str) -> None:
    """A graph of the server's that coopgraph did not publish: a writer's, begun, or anyone else's data."""
    triple = f"<http://example.org/stray> <{RDF.type}> <{COOP.Project}> .\n"
    httpx2.post(f"{base}/store", params={"graph": STRAY_GRAPH}, content=triple.encode(),
                headers={"Content-Type": "application/n-triples"}).raise_for_status()


class _WriterProxy(_Forwarder):
    """Forwards to the server, counting the queries asked over the union of all graphs; ``armed``, it first writes
    a graph of its own, as a writer beginning while the server answers."""

    union_queries = 0
    armed = False

    def _answer(self) -> None:
        body = _body(self)
        if b"union-default-graph" in body:
            type(self).union_queries += 1
            if self.armed:
                type(self).armed = False
                _write_stray_graph(self.upstream)
        _forward(self, self.upstream, body)


def test_the_union_of_all_graphs_is_read_only_while_they_are_all_published(server):
    """Oxigraph's server answers over the union of its graphs far faster than over a list of them: used only when
    its graphs are exactly the published ones and the catalog, before and after the answer."""
    run_cli("init", store=server.query_url, check=True)
    stray = "ASK { <http://example.org/stray> ?p ?o }"
    with _proxied(_WriterProxy, server) as url, coopgraph.open(url) as kg:
        assert kg.stats().counts["projects"] == 8
        assert _WriterProxy.union_queries > 0, "a store of published graphs only is read as their union"
        _write_stray_graph(_WriterProxy.upstream)
        asked = _WriterProxy.union_queries
        assert not kg.query(stray) and kg.stats().counts["projects"] == 8
        assert _WriterProxy.union_queries == asked, "with another graph there, the published ones are listed"
        server.update(f"DROP GRAPH <{STRAY_GRAPH}>")
        _WriterProxy.armed = True
        assert not kg.query(stray), "a graph written while the server answered is not read"
        assert not _WriterProxy.armed and _WriterProxy.union_queries == asked + 1
        assert kg.query("ASK { ?project a coop:Project }")
