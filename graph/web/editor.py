"""The query editor (``/query``): SPARQL with syntax highlighting, the named queries one click away, results as a table.

The page runs every query at ``/sparql``, as any client would, so the endpoint's limits and refusals
apply and the CSV and JSON downloads are the answers of the same query. The values of a named
query's parameters are bound on the server, never pasted into SPARQL by the page: it asks
``/queries/<name>/bind.json`` for the query text with the values bound as RDF terms
(:meth:`.NamedQuery.bind`, a ``VALUES`` block) and runs that text.
"""

from __future__ import annotations

import json
from functools import partial

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from coopgraph.sparql import NamedQuery, Parameter, QueryError, catalogue
from coopgraph.vocab import PREFIXES
from coopgraph.web.site import Site

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

def _prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them."""
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _parameter(parameter: Parameter) -> dict:
    return {"name": parameter.name, "type": parameter.type, "default": parameter.default,
            "description": parameter.description, "minimum": parameter.minimum, "maximum": parameter.maximum}


def _entry(query: NamedQuery) -> dict:
    """A named query as JSON: what it is, its parameters and its text."""
    return {"name": query.name, "title": query.title, "description": query.description,
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


def bind(query: NamedQuery, values: dict[str, str], text: str | None = None) -> str:
    """The query (or ``text``, an edited version of it) with ``values`` and the other defaults bound.

    The parameters are always those the catalogue declares for the query, whatever the header of an
    edited text says.
    """
    if text is not None:
        query = NamedQuery(query.name, text, query.title, query.description, query.parameters)
    try:
        return query.bind(_checked(query, values))
    except QueryError as error:
        raise HTTPException(400, str(error)) from None


async def _bind_request(request: Request) -> tuple[dict[str, str], str | None]:
    """The values to bind and the edited text, if any: from the query string (GET) or a JSON body (POST)."""
    if request.method == "GET":
        names = [name for name, _ in request.query_params.multi_items()]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise HTTPException(400, f"give each parameter once, not {', '.join(repeated)} several times")
        return dict(request.query_params), None
    try:
        body = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError):
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


def page(site: Site, request: Request) -> Response:
    """The editor, with a named query (``?name=``, its parameters' values in the query string) or a text loaded."""
    params = dict(request.query_params)
    name = params.pop("name", None)
    text = params.pop("query", None)
    values: dict[str, str] = {}
    if name is not None:
        named = _named(name)
        values = _checked(named, params)
        text = named.text if text is None else text
    data = {"name": name, "query": EXAMPLE if text is None else text, "values": values,
            "queries": [_entry(query) for query in catalogue().values()],
            "prefixes": _prefixes()}
    return site.page(request, "query.html", data)


async def queries(request: Request) -> Response:
    """The named queries: name, title, description, parameters (type, default, range) and text."""
    return JSONResponse({"queries": [_entry(query) for query in catalogue().values()], "prefixes": _prefixes()})


async def bound(request: Request) -> Response:
    """A named query with parameters bound: ``{"name": ..., "query": text}``, the text to run at ``/sparql``."""
    query = _named(request.path_params["name"])
    values, text = await _bind_request(request)
    return JSONResponse({"name": query.name, "query": bind(query, values, text)})


def routes(site: Site) -> list[Route]:
    return [Route("/query", partial(page, site)), Route("/query.json", partial(page, site)),
            Route("/queries.json", queries), Route("/queries/{name}/bind.json", bound, methods=["GET", "POST"])]
