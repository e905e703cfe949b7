"""A store on any SPARQL 1.1 server, by its query, update and Graph Store Protocol endpoints.

Queries name their graphs with the protocol's ``default-graph-uri`` and ``named-graph-uri``: the published
version graphs and the catalog, as in the embedded store, so a source being written is never read. On Oxigraph's
server, which answers far faster over the union of all its graphs, a query reads that union when the server's
graphs are exactly those, before and after it is answered; else the list. (What remains possible: a write that
begins and fails, dropping its graph, while one query is answered is read by that query.) Answers
come back as SPARQL JSON results or N-Triples and are parsed by Oxigraph, so they read and serialise as the
embedded store's do.

Sources are written in batches of N-Triples (Graph Store Protocol ``POST`` where the server has one, else
``INSERT DATA``), each retried on transient errors; triples with blank nodes go in one last request of the
source, since a blank node's label means the same node only within one request. Nothing is published until
all of a source is in (see :mod:`.catalog`). Servers cut big answers silently (Virtuoso at its
``ResultSetMaxRows``, with HTTP 200), so :meth:`RemoteStore.rows` pages when an answer may have been cut, except
on a server known to send whole answers (Oxigraph's).

One writer at a time: a publication drops what an unfinished one left, and on a server that is what another
writer may still be writing.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx2
import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result

from coopgraph.sparql import query_form
from coopgraph.store import (
    CATALOG,
    DATASET_MEDIA_TYPES,
    GRAPH_STORE_VARIABLE,
    PASSWORD_VARIABLE,
    UPDATE_VARIABLE,
    USER_VARIABLE,
    RdfData,
    StoreError,
)
from coopgraph.store.answers import as_result, as_rows, one_line, write
from coopgraph.store.catalog import CatalogStore, interrupts_remembered
from coopgraph.store.terms import from_ox, to_ox

#: Triples per request when writing: through the Graph Store Protocol, and as ``INSERT DATA`` (Virtuoso's failed
#: above about 1,500 triples a request).
BATCH_VARIABLE = "COOPGRAPH_BATCH_TRIPLES"
GRAPH_STORE_BATCH = 100_000  # Virtuoso hung on a POST of 300,000 here (never answered)
UPDATE_BATCH = 1_000
#: Rows per page when an answer is read in pages: at most what servers send in one answer (Virtuoso: 100,000).
PAGE_ROWS = 50_000
#: Seconds a request may take (``$COOPGRAPH_STORE_TIMEOUT``), and how often (with what waits) one that failed on
#: the way is tried again.
TIMEOUT_VARIABLE = "COOPGRAPH_STORE_TIMEOUT"
TIMEOUT = 600.0
RETRY_WAITS = (1.0, 4.0, 15.0)
#: Statuses that say "try again later".
TRANSIENT = {408, 429, 500, 502, 503, 504}

_JSON_RESULTS = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_FORM = "application/x-www-form-urlencoded"
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?:PREFIX\s+[^\s:]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*", re.IGNORECASE)
#: A query that sorts or cuts its own answer: ``ORDER BY``, ``LIMIT`` or ``OFFSET`` after its last brace.
_SORTED_OR_LIMITED = re.compile(r"\b(?:ORDER\s+BY|LIMIT|OFFSET)\b[^{}]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoints:
    """Where a server answers: queries; updates and the Graph Store Protocol (None: it has none)."""

    query: str
    update: str | None
    graph_store: str | None
    graph_parameter: str = "graph"  # the Graph Store Protocol's parameter naming the graph
    #: More parameters of a Graph Store Protocol write: Oxigraph's ``no_transaction`` loads 3 times as fast (a
    #: version graph is read by no query until it is published, so a write need not be a transaction).
    write_parameters: tuple[tuple[str, str], ...] = ()
    #: Query parameters that make the default graph the union of all graphs (Oxigraph's ``union-default-graph``):
    #: Oxigraph answers a ranking 2.7 times as fast as over a list of graphs.
    union_parameters: tuple[tuple[str, str], ...] = ()
    #: Whether the server sends every row of an answer, however many (Oxigraph streams them): then an answer is read
    #: in one request. Otherwise (Virtuoso cuts at its ``ResultSetMaxRows``; a server not known) a big one is read
    #: in pages, each of which computes the query again: 4 times the work for a ranking of 126,000 rows.
    whole_answers: bool = False


def _sibling(url: str, path: str) -> str:
    """``url`` with its last path segment replaced by ``path``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rsplit("/", 1)[0] + "/" + path, query="", fragment=""))


def guess_endpoints(query: str, server: str, credentials: bool) -> Endpoints:
    """The update and Graph Store Protocol endpoints of known servers, from the query endpoint and the server's
    ``Server`` header: Oxigraph (``/query``, ``/update``, ``/store``), Virtuoso (``/sparql``, with credentials
    ``/sparql-auth`` and ``/sparql-graph-crud-auth``), Fuseki (``/ds/query``, ``/ds/update``, ``/ds/data``) and
    GraphDB or RDF4J (``/repositories/x``, ``.../statements``, ``.../rdf-graphs/service``); else the query
    endpoint for updates, and no Graph Store Protocol."""
    server = server.lower()
    if "virtuoso" in server:
        return Endpoints(query, _sibling(query, "sparql-auth" if credentials else "sparql"),
                         _sibling(query, "sparql-graph-crud-auth" if credentials else "sparql-graph-crud"),
                         "graph-uri")
    if "oxigraph" in server:
        return Endpoints(query, _sibling(query, "update"), _sibling(query, "store"),
                         write_parameters=(("no_transaction", ""),), union_parameters=(("union-default-graph", ""),),
                         whole_answers=True)
    if "fuseki" in server or "jena" in server:
        return Endpoints(query, _sibling(query, "update"), _sibling(query, "data"))
    if "/repositories/" in query:
        base = query.rstrip("/")
        return Endpoints(query, f"{base}/statements", f"{base}/rdf-graphs/service")
    return Endpoints(query, query, None)


class _ChallengedAuth(httpx2.Auth):
    """HTTP Basic or Digest, as the server's challenge asks: credentials are sent only when a request is refused
    with 401, and Digest is kept for the requests after."""

    def __init__(self, user: str, password: str) -> None:
        self._basic, self._digest = httpx2.BasicAuth(user, password), httpx2.DigestAuth(user, password)
        self._chosen: httpx2.Auth | None = None

    def auth_flow(self, request):
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self._chosen = self._digest if challenge.startswith("digest") else self._basic
        yield from self._chosen.auth_flow(request)


class RemoteStore(CatalogStore):
    """A SPARQL 1.1 server as coopgraph's store; see the module's notes. Use :func:`open_remote`."""

    remote = True

    def __init__(self, endpoints: Endpoints, client: httpx2.Client, read_only: bool = False,
                 batch: int | None = None, page_rows: int = PAGE_ROWS, timeout: float = TIMEOUT) -> None:
        self.endpoints, self._client, self.read_only = endpoints, client, read_only
        self.batch = batch or (GRAPH_STORE_BATCH if endpoints.graph_store else UPDATE_BATCH)
        self.page_rows = page_rows
        #: Seconds a request may take.
        self.timeout = timeout
        #: ``progress(source, triples)``: how many triples of a source are in, as they go in.
        self.progress: Callable[[str, int], None] | None = None
        self._published = self._read_catalog()

    def __str__(self) -> str:
        return self.endpoints.query

    # -- HTTP -------------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **request) -> httpx2.Response:
        return _send(self._client, method, url, timeout=self.timeout, **request)

    def _dataset(self) -> list[tuple[str, str]]:
        graphs = [*self._published.values(), str(CATALOG)]
        return [(kind, graph) for kind in ("default-graph-uri", "named-graph-uri") for graph in graphs]

    def _post_query(self, sparql: str, dataset: list[tuple[str, str]]) -> httpx2.Response:
        # One media type per query form: asked for both, Virtuoso sends a CONSTRUCT as a table of ?s ?p ?o.
        accept = _N_TRIPLES if query_form(sparql) in ("construct", "describe") else _JSON_RESULTS
        return self._send("POST", self.endpoints.query, content=urlencode([("query", sparql), *dataset]),
                          headers={"Accept": accept, "Content-Type": _FORM})

    def _answer(self, sparql: str, dataset: list[tuple[str, str]] | None = None) -> tuple[object, int | None]:
        """The answer to a query as Oxigraph objects (solutions, a boolean, or triples), and the number of rows the
        server cut it at, if it did (Virtuoso cuts at its ``ResultSetMaxRows`` with HTTP 200, and says so only in
        the header ``X-SPARQL-MaxRows``). Without a ``dataset``: the published graphs and the catalog, read as the
        union of all graphs where the server offers it and holds no other graph."""
        if dataset is None:
            if self.endpoints.union_parameters and not self._stray_graphs():
                answered = self._answer(sparql, list(self.endpoints.union_parameters))
                if not self._stray_graphs():  # and no writer began while the server answered
                    return answered
            dataset = self._dataset()
        response = self._post_query(sparql, dataset)
        answer, limit = _parsed(response), response.headers.get("x-sparql-maxrows", "")
        if not (limit.isdigit() and isinstance(answer, ox.QuerySolutions)):
            return answer, None
        cut = sum(1 for _ in answer) >= int(limit)  # counting consumes the solutions: hand on a second parse
        return _parsed(response), int(limit) if cut else None

    def _ask(self, sparql: str, prefixes: Mapping[str, str], dataset: list[tuple[str, str]] | None = None):
        """The whole answer to a query; an answer the server cut is an error, never a silently shorter answer."""
        answer, cut_at = self._answer(_with_prefixes(sparql, prefixes), dataset)
        if cut_at is not None:
            raise StoreError(f"{self} cut the answer at {cut_at:,} rows (its limit of rows per answer): ask for fewer "
                             "rows (LIMIT and OFFSET), or raise the server's limit (Virtuoso: ResultSetMaxRows)")
        return answer

    # -- reading ------------------------------------------------------------------------------------

    def query(self, sparql: str, prefixes: Mapping[str, str]) -> Result:
        """Run a SPARQL query over the union of the published sources and the catalog; a SELECT that the server
        cuts is read again in pages (see :meth:`rows`)."""
        text = _with_prefixes(sparql, prefixes)
        answer, cut_at = self._answer(text)
        if cut_at is None:
            return as_result(answer)
        result = Result("SELECT")
        result.vars = [Variable(variable.value) for variable in answer.variables]
        result.bindings = [{var: from_ox(value) for var, value in zip(result.vars, solution, strict=True)
                            if value is not None} for solution in self._pages(text, answer.variables, cut_at - 1)]
        return result

    def query_serialized(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str,
                         graph_type: str) -> tuple[str, bytes]:
        """Run a query and serialise its answer as a SPARQL endpoint would: (the media type used, the bytes)."""
        output = io.BytesIO()
        return self.write_answer(sparql, prefixes, solutions_type, graph_type, output), output.getvalue()

    def write_answer(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str, graph_type: str,
                     output: IO[bytes]) -> str:
        """Like :meth:`query_serialized`, writing to ``output``; returns the media type. An answer the server cut
        is an error (the endpoint passes on the server's limit), never a silently shorter answer."""
        return write(self._ask(sparql, prefixes), solutions_type, graph_type, output)

    def rows(self, sparql: str, prefixes: Mapping[str, str]) -> list[tuple[str | None, ...]]:
        """The rows of a SELECT as plain strings, read in pages when there are more than one answer holds.

        On a server that sends whole answers (:attr:`Endpoints.whole_answers`) the query is read once. Elsewhere it
        is first asked for one row more than a page (:attr:`page_rows`): a server may cut an answer without saying
        so. If that many come back, or the server says it cut them, the query is read again in pages. A query with
        its own ``ORDER BY``, ``LIMIT`` or ``OFFSET`` is read once, as it is (pages would lose its order, and
        Virtuoso refuses to sort for a ``LIMIT`` over 10,000); an answer the server cut is an error.
        """
        text = _with_prefixes(sparql, prefixes)
        if self.endpoints.whole_answers or _SORTED_OR_LIMITED.search(_without_comments(text)):
            return as_rows(self._ask(text, {}))
        first, cut_at = self._answer(f"{text}\nLIMIT {self.page_rows + 1}")
        if not isinstance(first, ox.QuerySolutions):
            raise StoreError("rows() needs a SELECT query")
        variables = first.variables
        rows = as_rows(first)
        if cut_at is None and len(rows) <= self.page_rows:
            return rows
        size = self.page_rows if cut_at is None else min(self.page_rows, cut_at - 1)
        return [tuple(None if term is None else term.value for term in solution)
                for solution in self._pages(text, variables, size)]

    def _pages(self, text: str, variables: list, size: int) -> Iterator[ox.QuerySolution]:
        """The solutions of a SELECT, ``size`` at a time (fewer than the server's cut, so a full page is not taken
        for a cut one), in the order of every variable, sorted inside a sub-select: Virtuoso refuses to sort past
        an offset of 10,000 otherwise."""
        prologue = _PROLOGUE.match(text).group(0)
        body, names, done = text[len(prologue):], " ".join(map(str, variables)), 0
        order = _sorted_by(variable.value for variable in variables)
        while True:
            page = list(self._ask(f"{prologue}\nSELECT {names} WHERE {{ {{ SELECT {names} WHERE {{ {{ {body}\n}} }} "
                                  f"{order} }} }} LIMIT {size} OFFSET {done}", {}))
            yield from page
            done += len(page)
            if len(page) < size:
                return

    def versions(self) -> frozenset[str]:
        """The published version graphs, as the server's catalog says now (another process may have published)."""
        self._published = self._read_catalog()
        return super().versions()

    def sizes(self) -> dict[str, int]:
        """Number of triples of each published source, by name."""
        named = [("named-graph-uri", graph) for graph in self._published.values()]
        answer = self._ask("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {}, named)
        counts = dict(as_rows(answer)) if named else {}
        return {name: int(counts.get(graph, 0)) for name, graph in sorted(self._published.items())}

    def export(self, output: IO[bytes], media_type: str, name: str | None = None,
               prefixes: Mapping[str, str] | None = None) -> None:
        """Write one source, or all of them, to ``output`` (see :meth:`.OxigraphStore.export`); each graph is read
        in pages, as the server may cut a big answer."""
        if name is not None and name not in self._published:
            raise StoreError(f"no source named {name!r}")
        format = ox.RdfFormat.from_media_type(media_type)
        graphs = [self._published[name]] if name is not None else [*self._published.values(), str(CATALOG)]
        if media_type in DATASET_MEDIA_TYPES:
            quads = (ox.Quad(*triple, ox.NamedNode(graph)) for graph in graphs for triple in self._triples_of(graph))
            ox.serialize(quads, output, format=format, prefixes=dict(prefixes or {}))
        else:
            triples = self._triples_of(graphs[0] if name is not None else None)
            ox.serialize(triples, output, format=format, prefixes=dict(prefixes or {}))

    def _triples_of(self, graph: str | None) -> Iterator[ox.Triple]:
        """The triples of a graph (None: the union of the published graphs and the catalog), at once on a server
        that sends whole answers, else page by page."""
        pattern = "?s ?p ?o" if graph is None else f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}"
        dataset = self._dataset() if graph is None else [("named-graph-uri", graph)]
        if self.endpoints.whole_answers:
            yield from (ox.Triple(*solution) for solution in
                        self._ask(f"SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} }}", {}, dataset))
            return
        done, page_rows, order = 0, self.page_rows, _sorted_by(("s", "p", "o"))
        while True:
            answer, cut_at = self._answer(f"SELECT ?s ?p ?o WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} }}"
                                          f" {order} }} }} LIMIT {page_rows} OFFSET {done}", dataset)
            if cut_at is not None:  # the server's answers are shorter: ask again in pages it does not cut
                page_rows = cut_at - 1
                continue
            page = [ox.Triple(*solution) for solution in answer]
            yield from page
            done += len(page)
            if len(page) < page_rows:
                return

    # -- the catalog's primitives -------------------------------------------------------------------

    def _select(self, sparql: str) -> list[tuple[str | None, ...]]:
        return as_rows(self._ask(sparql, {}, []))

    def _update(self, sparql: str) -> None:
        if self.read_only or self.endpoints.update is None:
            raise StoreError(f"{self} is read-only here: give its update endpoint (--update-endpoint)")
        self._send("POST", self.endpoints.update, content=urlencode({"update": sparql}),
                   headers={"Content-Type": _FORM})

    def _write(self, version: str, data: RdfData, name: str) -> None:
        with interrupts_remembered() as check_interrupts:
            written = 0
            for batch in _batches(data, name, self.batch):
                self._post_triples(version, batch)
                written += len(batch)
                check_interrupts()
                if self.progress:
                    self.progress(name, written)

    def _post_triples(self, version: str, triples: list[ox.Triple]) -> None:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if self.endpoints.graph_store:
            self._send("POST", self.endpoints.graph_store, content=body, headers={"Content-Type": _N_TRIPLES},
                       params=[(self.endpoints.graph_parameter, version), *self.endpoints.write_parameters])
        else:
            self._update(f"INSERT DATA {{ GRAPH {ox.NamedNode(version)} {{ {body.decode()} }} }}")

    def _drop(self, graph: str) -> None:
        self._update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def close(self) -> None:
        """Close the connections to the server; closing twice is harmless."""
        self._client.close()


def open_remote(query: str, update: str | None = None, graph_store: str | None = None,
                read_only: bool = False) -> RemoteStore:
    """A store on the SPARQL server whose query endpoint is ``query``.

    ``update`` and ``graph_store`` default to ``$COOPGRAPH_UPDATE_ENDPOINT`` and ``$COOPGRAPH_GRAPH_STORE_ENDPOINT``,
    else to what :func:`guess_endpoints` says of the server; credentials come from ``$COOPGRAPH_STORE_USER`` and
    ``$COOPGRAPH_STORE_PASSWORD`` (HTTP Basic or Digest, as the server asks); ``$COOPGRAPH_BATCH_TRIPLES`` sets the
    triples per request when writing, ``$COOPGRAPH_STORE_TIMEOUT`` the seconds an answer is waited for.
    """
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE, "")
    batch = _setting(BATCH_VARIABLE, "triples", whole=True)
    timeout = _setting(TIMEOUT_VARIABLE, "seconds") or TIMEOUT
    client = httpx2.Client(auth=_ChallengedAuth(user, password) if user else None, timeout=timeout,
                           follow_redirects=True, headers={"User-Agent": "coopgraph"})
    try:
        probe = _send(client, "GET", query, params={"query": "ASK {}"}, headers={"Accept": _JSON_RESULTS})
    except StoreError:
        client.close()
        raise
    guessed = guess_endpoints(query, probe.headers.get("server", ""), bool(user))
    update = update or os.environ.get(UPDATE_VARIABLE) or guessed.update
    graph_store = graph_store or os.environ.get(GRAPH_STORE_VARIABLE) or guessed.graph_store
    known = graph_store == guessed.graph_store  # then its parameters are known too
    endpoints = replace(guessed, update=update, graph_store=graph_store) if known else \
        Endpoints(query, update, graph_store, union_parameters=guessed.union_parameters,
                  whole_answers=guessed.whole_answers)
    return RemoteStore(endpoints, client, read_only, int(batch) if batch else None, timeout=timeout)


def _setting(variable: str, unit: str, whole: bool = False) -> float | None:
    """A positive number (``whole``: a whole one) from the environment, None if unset; anything else is refused."""
    text = os.environ.get(variable)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf) or (whole and not value.is_integer()):
        raise StoreError(f"{variable} must be a positive {'whole ' if whole else ''}number of {unit}, not {text!r}")
    return value


# -- helpers --------------------------------------------------------------------------------------------


def _send(client: httpx2.Client, method: str, url: str, **request) -> httpx2.Response:
    """One request, tried again after a transient failure (:data:`RETRY_WAITS`); a refusal becomes a StoreError.

    A request the server took but did not answer in time is not sent again: the server is likely still working
    on it, and would only get the same work twice."""
    for wait in (*RETRY_WAITS, None):
        try:
            response = client.request(method, url, **request)
        except httpx2.ReadTimeout as error:
            seconds = request.get("timeout", client.timeout.read)
            raise StoreError(f"no answer from {url} within {seconds:g} s") from error
        except httpx2.TransportError as error:
            if wait is None:
                raise StoreError(f"cannot reach {url}: {one_line(error) or type(error).__name__}") from error
        else:
            if response.status_code < 400:
                return response
            if response.status_code not in TRANSIENT or wait is None:
                raise _refusal(url, response)
        time.sleep(wait)
    raise AssertionError("unreachable")



def _blank_nodes_renamed(body: bytes) -> bytes:
    """JSON results whose blank nodes have names N-Triples allows: Virtuoso names them ``nodeID://b10014``. A blank
    node's name means nothing beyond the one answer, so another name, the same for each, changes nothing."""
    names: dict[str, str] = {}

    def renamed(term: dict) -> dict:
        if term.get("type") == "bnode":
            return {**term, "value": names.setdefault(term["value"], f"b{len(names)}")}
        if term.get("type") == "triple":  # a quoted triple: its terms, in turn
            return {**term, "value": {part: renamed(inner) for part, inner in term["value"].items()}}
        return term

    try:
        answer = json.loads(body)
        rows = answer["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        return body  # not a table of results: read as it came, to fail as it did
    answer["results"]["bindings"] = [{name: renamed(term) for name, term in row.items()} for row in rows]
    return json.dumps(answer).encode()


def _refusal(url: str, response: httpx2.Response) -> StoreError:
    """A server's refusal as one line: its status, and the start of what it says."""
    said = one_line(Exception(response.text))[:300]
    if response.status_code == 400:
        return StoreError(f"bad SPARQL: {said}")
    if response.status_code in (401, 403):
        return StoreError(f"{url} refused the credentials (HTTP {response.status_code}): set {USER_VARIABLE} and "
                          f"{PASSWORD_VARIABLE}")
    return StoreError(f"{url} failed (HTTP {response.status_code}): {said}")


def _parsed(response: httpx2.Response):
    """A server's answer as Oxigraph objects, by its media type."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type in (_JSON_RESULTS, "application/json"):
            body = response.content
            if b'"bnode"' in body:  # rare in answers; Virtuoso names blank nodes as no parser takes them
                body = _blank_nodes_renamed(body)
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        format = ox.RdfFormat.from_media_type(media_type)
        if format is None:
            raise StoreError(f"the server answered in {media_type or 'an unnamed format'}, which coopgraph cannot read")
        return [quad.triple for quad in ox.parse(response.content, format=format)]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the server's answer cannot be read: {one_line(error)}") from error


def _sorted_by(names: Iterable[str]) -> str:
    """``ORDER BY`` every variable, in an order pages can be cut from: a long literal by its MD5, since Virtuoso sorts
    by at most 1,900 bytes (a project's places at 10 times CORDIS are more)."""
    keys = (f"(IF(isLiteral(?{name}) && STRLEN(STR(?{name})) > 64, MD5(STR(?{name})), ?{name}))" for name in names)
    return f"ORDER BY {' '.join(keys)}"


def _with_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """The query with the predeclared prefixes written out before it (its own declarations come later and win)."""
    return "".join(f"PREFIX {prefix}: {ox.NamedNode(namespace)}\n" for prefix, namespace in prefixes.items()) + sparql


def _without_comments(text: str) -> str:
    return re.sub(r"#[^\n<>\"']*$", "", text, flags=re.MULTILINE).rstrip()


def _batches(data: RdfData, name: str, size: int) -> Iterator[list[ox.Triple]]:
    """A source's triples in batches of ``size``; those with blank nodes in one last batch of their own, whatever
    its size (see the module's notes)."""
    if isinstance(data, Graph):
        triples: Iterable = (ox.Triple(*(to_ox(term) for term in triple)) for triple in data)
    else:
        source, media_type = data
        where = {"path": source} if isinstance(source, Path) else {"input": source}
        triples = (quad.triple for quad in ox.parse(**where, format=ox.RdfFormat.from_media_type(media_type)))
    batch, with_blank_nodes = [], []
    try:
        for triple in triples:
            if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                with_blank_nodes.append(triple)
                continue
            batch.append(triple)
            if len(batch) == size:
                yield batch
                batch = []
    except (SyntaxError, ValueError, OSError) as error:
        raise StoreError(f"cannot load {name}: {one_line(error)}") from error
    yield from (whole for whole in (batch, with_blank_nodes) if whole)
