"""The SPARQL 1.1 Protocol endpoint (``/sparql``): queries by GET and POST, answers by content negotiation.

Read-only: SPARQL Update is refused (403), and so is ``SERVICE``, which would make the server fetch
other hosts, unless the server was started to allow it. Queries run in worker processes under a time
limit and a size limit (:mod:`.workers`): one past its time is stopped (503), an answer past the size
limit is refused (413) as soon as it passes it, and when every worker is busy and the queue is full the
endpoint answers 503 at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from coopgraph.sparql import UPDATE_KEYWORDS, has_keyword, nested_deeper_than
from coopgraph.web.served import ServedGraph
from coopgraph.web.workers import DEFAULT_QUEUE, DEFAULT_WORKERS, Job, QueryRefused, QueryRunner

#: Media types of SELECT and ASK answers, the first being the default.
SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values")
#: Media types of CONSTRUCT and DESCRIBE answers, the first being the default.
GRAPH_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
#: ``format=`` shortcuts, for links a browser follows (downloads from the query editor).
FORMATS = {"json": ("application/sparql-results+json", "application/ld+json"),
           "xml": ("application/sparql-results+xml", "application/rdf+xml"),
           "csv": ("text/csv", "application/n-triples"),
           "tsv": ("text/tab-separated-values", "application/n-triples"),
           "turtle": (SOLUTION_TYPES[0], "text/turtle")}


#: How deep brackets may nest in a query (Oxigraph's parser dies somewhere past 2,000; real queries nest a few).
MAX_NESTING = 100


@dataclass(frozen=True)
class Limits:
    """What the server allows: seconds per query or page, bytes per answer, queries at once and waiting, pages
    made at once, SERVICE."""

    timeout: float = 30.0
    max_result_bytes: int = 50_000_000
    workers: int = DEFAULT_WORKERS
    queue: int = DEFAULT_QUEUE
    pages: int = DEFAULT_WORKERS  # pages made at once: more only wait longer for Python's lock
    allow_service: bool = False


#: The limits a server starts with unless told otherwise.
DEFAULT_LIMITS = Limits()


async def _query_text(request: Request) -> str | None:
    """The query of a SPARQL Protocol request (None: no query given); updates are refused."""
    params = request.query_params
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise QueryRefused(403, "SPARQL Update is not allowed: this endpoint is read-only")
        if content_type == "application/sparql-query":
            body = await request.body()
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise QueryRefused(400, "the query is not UTF-8 text") from None
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params = await request.form()
        else:
            raise QueryRefused(415, f"POST a query as application/sparql-query or a form, not {content_type!r}")
    if "update" in params:
        raise QueryRefused(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise QueryRefused(400, "default-graph-uri and named-graph-uri are not supported: queries read all "
                                 "sources; use GRAPH or FROM in the query")
    queries = params.getlist("query")
    if len(queries) > 1:
        raise QueryRefused(400, "give one query parameter, not several")
    if queries and not isinstance(queries[0], str):
        raise QueryRefused(400, "give the query as a form field, not as a file")
    return queries[0] if queries else None


def _media_types(request: Request) -> tuple[str | None, str | None]:
    """The solutions and graph media types to answer with (None where the client accepts none of ours)."""
    shortcut = request.query_params.get("format")
    if shortcut is not None:
        if shortcut not in FORMATS:
            raise QueryRefused(400, f"unknown format {shortcut!r}; formats: {', '.join(FORMATS)}")
        return FORMATS[shortcut]
    accept = parse_accept_header(request.headers.get("accept") or "*/*", MIMEAccept)
    return accept.best_match(SOLUTION_TYPES), accept.best_match(GRAPH_TYPES)


class SparqlEndpoint:
    """The ``/sparql`` route of the web app, over one knowledge graph."""

    def __init__(self, served: ServedGraph, limits: Limits = DEFAULT_LIMITS) -> None:
        self.served = served
        self.limits = limits
        self.runner = QueryRunner(limits.workers, limits.queue, limits.timeout)

    async def respond(self, request: Request) -> Response:
        try:
            return await self._answer(request)
        except QueryRefused as error:
            return PlainTextResponse(f"{error}\n", status_code=error.status)

    async def _answer(self, request: Request) -> Response:
        query = await _query_text(request)
        if query is None:
            if "text/html" in request.headers.get("accept", ""):
                return RedirectResponse("/query", status_code=303)  # a person: the query editor
            raise QueryRefused(400, "no query: give one as ?query=, as a form field or as an "
                                     "application/sparql-query body")
        await anyio.to_thread.run_sync(self._refuse_if_unsafe, query)  # a scan of up to a megabyte
        solutions_type, graph_type = _media_types(request)
        media_type, body = await self._run(query, solutions_type or SOLUTION_TYPES[0], graph_type or GRAPH_TYPES[0])
        offered = SOLUTION_TYPES if media_type in SOLUTION_TYPES else GRAPH_TYPES
        if (solutions_type if offered is SOLUTION_TYPES else graph_type) is None:
            raise QueryRefused(406, f"this answer comes as {', '.join(offered)}; the Accept header allows none")
        return Response(body, media_type=media_type)

    def _refuse_if_unsafe(self, query: str) -> None:
        if not self.limits.allow_service and has_keyword(query, "service"):
            raise QueryRefused(403, "SERVICE (federated query) is not allowed on this endpoint")
        if has_keyword(query, *UPDATE_KEYWORDS):  # an engine that took it would write: this endpoint only reads
            raise QueryRefused(403, "this endpoint is read-only: SPARQL Update is not allowed")
        if nested_deeper_than(query, MAX_NESTING):
            raise QueryRefused(400, f"the query nests brackets more than {MAX_NESTING} deep, this endpoint's limit")

    async def _run(self, query: str, solutions_type: str, graph_type: str) -> tuple[str, bytes]:
        kg = self.served.kg
        return await self.runner.run(Job(query, kg.prefixes, solutions_type, graph_type,
                                         self.limits.max_result_bytes), self.served.location, kg.store)
