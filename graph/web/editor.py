"""The query editor (``/query``): SPARQL with syntax highlighting, the named queries one click away, the answer as a
table, a page at a time.

A run is described by the fields of its URL: ``name`` and the values of the named query's parameters, ``query``
when the text is not a named query's own, then the view: ``page`` and ``sort`` (a column, ``-`` first for
descending). The page asks its JSON twin, ``/query.json`` with the same fields, for what to show (the query and
values as a POSTed form when they are too long for a URL). The server binds a named query's parameters as RDF
terms (:meth:`.NamedQuery.bind`, a ``VALUES`` block), never the page, and runs the query through the app's own
``/sparql`` route, so the endpoint's refusals (Update, SERVICE) and limits (time, size, query threads) apply
unchanged; the CSV and JSON downloads are links to ``/sparql`` with the text as run: the whole answer.

Answers are kept in a small LRU cache by the text as run (emptied when the server moves to a newer snapshot), so
paging and sorting re-read the answer rather than run the query again: sorting applies to the whole answer, and
a page of 100 rows is all the browser gets. The IRIs of a page are labelled by one query (``queries/labels.rq``
with the page's IRIs in a ``VALUES`` block). Measured in chromium on 80,322 participations of the CORDIS import:
the first page shows once the query has run (6.2 s; sending the whole 38 MB answer to the browser took 6.3 s),
any other page in 0.13-0.2 s, a first sort by a column in 0.4 s.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

import anyio
from rdflib import BNode, Literal, URIRef
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.resolver import UnknownName, resolve_parameters
from coopgraph.sparql import NamedQuery, Parameter, QueryError, catalogue
from coopgraph.store.answers import parse_json
from coopgraph.store.terms import sparql_term
from coopgraph.vocab import PREFIXES
from coopgraph.web.site import Site, entity_url, page_number, wants_json

#: What the editor holds when the page is opened without a query.
EXAMPLE = """# Prefixes such as coop: and skos: are declared for every query: no PREFIX lines needed.
SELECT ?project ?acronym ?title
WHERE {
  ?project a coop:Project ; coop:acronym ?acronym .
  OPTIONAL { ?project coop:title ?title }
}
ORDER BY ?acronym
LIMIT 100
"""
#: Rows on a page of results.
PAGE_ROWS = 100
#: The cache keeps this many answers at most, and drops the oldest while their sizes (as SPARQL JSON) sum to more
#: than CACHED_BYTES; the latest always stays. An answer takes about 1.6 times its JSON size in memory (80,322
#: rows of 4 IRIs and a number: 38 MB of JSON, 60 MB of Oxigraph terms).
CACHED_ANSWERS = 8
CACHED_BYTES = 64_000_000
#: How the editor asks /sparql: solutions as SPARQL JSON, graphs as Turtle.
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: A term of an answer: a quoted triple is a tuple of three terms.
Term = URIRef | BNode | Literal | tuple
_NUMBERS = {_XSD + name for name in ("integer", "decimal", "double", "float", "long", "int", "short", "byte",
                                     "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                     "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def _prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them."""
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _parameter(parameter: Parameter) -> dict:
    return {"name": parameter.name, "type": parameter.type, "default": parameter.default,
            "description": parameter.description, "minimum": parameter.minimum, "maximum": parameter.maximum}


def _entry(query: NamedQuery) -> dict:
    """A named query as JSON: what it is, its parameters and its text (internal: one coopgraph itself reads)."""
    return {"name": query.name, "title": query.title, "description": query.description, "internal": query.internal,
            "parameters": [_parameter(p) for p in query.parameters], "text": query.text}


def _named(name: str) -> NamedQuery:
    query = catalogue().get(name)
    if query is None:
        raise HTTPException(404, f"there is no named query {name!r}; /queries.json lists them")
    return query


def _checked(query: NamedQuery, values: dict[str, str]) -> dict[str, str]:
    """The values, refused (400) unless each is a declared parameter of the query."""
    for name in values:
        try:
            query.parameter(name)
        except QueryError as error:
            raise HTTPException(400, str(error)) from None
    return values


def bind(kg: KnowledgeGraph, query: NamedQuery, values: dict[str, str], text: str | None = None) -> str:
    """The query (or ``text``, an edited version of it) with ``values`` and the other defaults bound, names of
    things resolved to their IRIs: a name that means nothing is a 404, one that means several things a 400
    listing them.

    The parameters are always those the catalogue declares for the query, whatever the header of an
    edited text says.
    """
    if text is not None:
        query = NamedQuery(query.name, text, query.title, query.description, query.parameters)
    try:
        return query.bind(resolve_parameters(kg, query, _checked(query, values)))
    except UnknownName as error:
        raise HTTPException(404, str(error)) from None
    except QueryError as error:
        raise HTTPException(400, str(error)) from None


def _once(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Fields as a dict; a name given several times is a 400 rather than a silent choice."""
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise HTTPException(400, f"give each parameter once, not {', '.join(repeated)} several times")
    return dict(pairs)


async def _bind_request(request: Request) -> tuple[dict[str, str], str | None]:
    """The values to bind and the edited text, if any: from the query string (GET) or a JSON body (POST)."""
    if request.method == "GET":
        return _once(request.query_params.multi_items()), None
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or arrays nested past Python's recursion limit
        body = None
    if not isinstance(body, dict) or set(body) - {"parameters", "query"}:
        raise HTTPException(400, 'POST a JSON object {"parameters": {"name": "value", ...}, "query": "text"} '
                                 '(both optional; query: an edited text of the named query)')
    values, text = body.get("parameters", {}), body.get("query")
    if not isinstance(values, dict) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                               for v in values.values()):
        raise HTTPException(400, "parameters must be an object of names to strings or integers")
    if text is not None and not isinstance(text, str):
        raise HTTPException(400, "query must be the text of the query")
    return {name: str(value) for name, value in values.items()}, text


# -- answers -----------------------------------------------------------------------------------------


def _sort_key(term: Term) -> tuple:
    """Numbers by value, then text as people sort it (letter case and accents only break ties), then IRIs and
    blank nodes as written."""
    if isinstance(term, tuple):
        return 2, " ".join(part.n3() for part in term), ""
    if not isinstance(term, Literal):
        return 2, term.n3(), ""
    if str(term.datatype) in _NUMBERS:
        try:
            number = float(term)
        except ValueError:
            number = math.nan
        if not math.isnan(number):
            return 0, number, ""
    folded = "".join(char for char in unicodedata.normalize("NFKD", term) if not unicodedata.combining(char))
    return 1, folded.casefold(), str(term)


@dataclass
class Answer:
    """An answer as the editor keeps it: solutions (rdflib terms, None where unbound), a boolean, or a graph."""

    size: int  #: bytes, as /sparql sent it
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: str | None = None  #: Turtle
    orders: dict[tuple[str, bool], list[tuple]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.rows) / PAGE_ROWS))

    def ordered(self, variable: str, descending: bool) -> list[tuple]:
        """The rows sorted by a column (once per column and direction: paging through it costs nothing more);
        empty cells last either way, rows that tie keep the answer's order."""
        if (variable, descending) not in self.orders:
            column = self.variables.index(variable)
            filled = sorted((row for row in self.rows if row[column] is not None),
                            key=lambda row: _sort_key(row[column]), reverse=descending)
            self.orders[variable, descending] = filled + [row for row in self.rows if row[column] is None]
        return self.orders[variable, descending]


def _parsed(body: bytes) -> Answer:
    answer = parse_json(body)
    if isinstance(answer, bool):
        return Answer(len(body), boolean=answer)
    return Answer(len(body), *answer)


async def _run(request: Request, text: str) -> Answer:
    """The answer of the app's own ``/sparql`` route: the editor is one more client of the endpoint, held to its
    refusals and limits (and sharing its query threads); a refusal becomes the same HTTP error here."""
    sparql = next(route.endpoint for route in request.app.routes if getattr(route, "path", None) == "/sparql")
    scope = {"type": "http", "method": "GET", "path": "/sparql", "headers": [(b"accept", ACCEPT.encode())],
             "query_string": urlencode({"query": text}).encode()}
    response = await sparql(Request(scope))
    body = bytes(response.body)
    if response.status_code != 200:
        raise HTTPException(response.status_code, body.decode().strip())
    if response.media_type == "text/turtle":
        return Answer(len(body), graph=body.decode())
    return await anyio.to_thread.run_sync(_parsed, body)


def _iris(term: Term):
    if isinstance(term, URIRef):
        yield str(term)
    elif isinstance(term, tuple):
        for part in term:
            yield from _iris(part)


def _term(term: Term, labels: dict[str, str]) -> dict:
    """A term as the SPARQL 1.1 JSON results write it; an IRI also with its page and, where it has one, its label."""
    if isinstance(term, URIRef):
        value = {"type": "uri", "value": str(term), "url": entity_url(str(term))}
        if str(term) in labels:
            value["label"] = labels[str(term)]
        return value
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, tuple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return {"type": "triple", "value": {part: _term(value, labels) for part, value in parts}}
    value = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype is not None:
        value["datatype"] = str(term.datatype)
    return value


class Answers:
    """The answers to the editor's last queries, by the text as run (an LRU cache), and pages of them."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._labels = catalogue()["labels"]
        self._cache: OrderedDict[str, Answer] = OrderedDict()
        site.served.subscribe(self._cache.clear)  # answers of the snapshot the server has left

    async def answer(self, request: Request, text: str) -> Answer:
        answer = self._cache.get(text)
        if answer is None:
            generation = self.site.served.generation
            answer = await _run(request, text)
            if generation != self.site.served.generation:  # the store changed meanwhile: not kept
                return answer
            self._cache[text] = answer
        self._cache.move_to_end(text)
        while len(self._cache) > 1 and (len(self._cache) > CACHED_ANSWERS or
                                        sum(kept.size for kept in self._cache.values()) > CACHED_BYTES):
            self._cache.popitem(last=False)
        return answer

    async def page(self, request: Request, text: str, sort: str | None) -> dict:
        """The page of the answer to ``text`` that the request asks for (``page``), the whole answer sorted by
        ``sort`` first (a column, ``-`` before it for descending)."""
        answer = await self.answer(request, text)
        if answer.boolean is not None:
            return {"query": text, "boolean": answer.boolean}
        if answer.graph is not None:
            return {"query": text, "graph": answer.graph}
        variable = sort.removeprefix("-") if sort else None
        if variable is not None and variable not in answer.variables:
            raise HTTPException(400, f"there is no column {variable!r} to sort by; the columns are "
                                     f"{', '.join(answer.variables) or 'none'}")
        number = page_number(request, answer.pages)
        descending = variable is not None and sort.startswith("-")
        return {"query": text, **await anyio.to_thread.run_sync(self._page, answer, number, variable, descending)}

    def _page(self, answer: Answer, number: int, variable: str | None, descending: bool) -> dict:
        rows = answer.ordered(variable, descending) if variable else answer.rows
        start = (number - 1) * PAGE_ROWS
        shown = rows[start:start + PAGE_ROWS]
        labels = self.labels({iri for row in shown for term in row if term is not None for iri in _iris(term)})
        return {"variables": answer.variables,
                "rows": [{name: _term(term, labels) for name, term in zip(answer.variables, row, strict=True)
                          if term is not None} for row in shown],
                "total": len(rows), "page": number, "pages": answer.pages,
                "per_page": PAGE_ROWS, "first": start + 1 if shown else 0, "last": start + len(shown),
                "sort": variable, "descending": descending}

    def labels(self, iris: set[str]) -> dict[str, str]:
        """The label of each IRI that has one, from one query: ``labels.rq`` with the IRIs in a ``VALUES`` block
        after it, each written as a term by Oxigraph (never pasted as text)."""
        if not iris:
            return {}
        block = " ".join(sparql_term(URIRef(iri)) for iri in sorted(iris))
        query = NamedQuery(self._labels.name, f"{self._labels.text}\nVALUES ?iri {{ {block} }}")  # nothing to bind
        best: dict[str, tuple[int, str]] = {}
        for iri, rank, label in self.site.kg.rows(query):
            candidate = (int(rank), label)
            best[iri] = min(best.get(iri, candidate), candidate)
        return {iri: label for iri, (_, label) in best.items()}


# -- routes ------------------------------------------------------------------------------------------


async def page(site: Site, answers: Answers, request: Request) -> Response:
    """The editor, with a named query (``?name=``, its parameters' values in the query string) or a text loaded.

    With ``page``, the JSON twin also carries that page of the answer (``results``); a POST sends the query and
    the values as a form, the view (``page``, ``sort``) staying in the URL.
    """
    number, sort = request.query_params.get("page"), request.query_params.get("sort")
    if request.method == "POST":
        form = await request.form()
        if not all(isinstance(value, str) for _, value in form.multi_items()):
            raise HTTPException(400, "POST the query and the values as form fields, not files")
        params = _once(form.multi_items())
    else:
        params = _once([(key, value) for key, value in request.query_params.multi_items()
                        if key not in ("page", "sort")])
    name, text = params.pop("name", None), params.pop("query", None)
    named = _named(name) if name is not None else None
    values = _checked(named, params) if named else {}
    text = (named.text if named else EXAMPLE) if text is None else text
    data = {"name": name, "query": text, "values": values, "page": number, "sort": sort,
            "queries": [_entry(query) for query in catalogue().values()], "prefixes": _prefixes()}
    if number is not None and wants_json(request):
        run = await anyio.to_thread.run_sync(bind, site.kg, named, values, text) if named else text
        data["results"] = await answers.page(request, run, sort)
    return site.page(request, "query.html", data)


async def queries(request: Request) -> Response:
    """The named queries: name, title, description, parameters (type, default, range) and text."""
    return JSONResponse({"queries": [_entry(query) for query in catalogue().values()], "prefixes": _prefixes()})


async def bound(site: Site, request: Request) -> Response:
    """A named query with parameters bound: ``{"name": ..., "query": text}``, the text to run at ``/sparql``."""
    query = _named(request.path_params["name"])
    values, text = await _bind_request(request)
    text = await anyio.to_thread.run_sync(bind, site.kg, query, values, text)
    return JSONResponse({"name": query.name, "query": text})


def routes(site: Site) -> list[Route]:
    editor = partial(page, site, Answers(site))
    return [Route("/query", editor), Route("/query.json", editor, methods=["GET", "POST"]),
            Route("/queries.json", queries),
            Route("/queries/{name}/bind.json", partial(bound, site), methods=["GET", "POST"])]
