"""The home page, search and entity pages: what the graph knows about a project, organisation, region..."""

from __future__ import annotations

from functools import partial

from markupsafe import Markup
from rdflib import URIRef
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coopgraph.network import Filters, NetworkError, country_graph, ego_graph, neighbourhood_graph
from coopgraph.network.build import NO_FILTERS
from coopgraph.network.html import embed, view
from coopgraph.sparql import QueryError, catalogue
from coopgraph.web.networks import Explorer
from coopgraph.web.site import Site, entity_url, text_parameter

#: The most nodes the small network of an entity page shows (the strongest partners first).
NEIGHBOURHOOD_NODES = 40
#: The most statements the describe query returns (its LIMIT): a programme of 4,000 projects shows the first.
DESCRIBE_LIMIT = 2000


def _short(kg, iri: str) -> str:
    """An IRI as a prefixed name where a prefix fits (coop:title), else whole."""
    return URIRef(iri).n3(kg.namespaces).strip("<>")


def home(site: Site, request: Request) -> Response:
    stats = site.kg.stats()
    queries = [{"name": name, "title": query.title, "description": query.description}
               for name, query in catalogue().items()]
    return site.page(request, "home.html", {"counts": stats.counts, "sources": site.kg.sources(), "queries": queries})


def search(site: Site, request: Request) -> Response:
    text = text_parameter(request, "q")
    results = [{"iri": iri, "kind": kind, "name": name}
               for iri, kind, name, _ in site.kg.rows("search", text=text)] if text else []
    return site.page(request, "search.html", {"q": text or "", "results": results})


def entity(explorer: Explorer, request: Request) -> Response:
    site = explorer.site
    iri = request.query_params.get("iri", "")
    try:
        rows = site.kg.rows("describe", iri=iri)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    if not rows:
        raise HTTPException(404, f"the graph says nothing about {iri}")
    statements = [{"direction": direction, "property": _short(site.kg, predicate), "predicate": predicate,
                   "value": value, "is_iri": is_iri == "true", "label": label, "source": source}
                  for direction, predicate, value, label, source, is_iri in rows]
    kinds = sorted({row["value"].rsplit("#", 1)[-1] for row in statements
                    if row["direction"] == "out" and row["predicate"].endswith("22-rdf-syntax-ns#type")})
    labels = [row["value"] for row in statements if row["direction"] == "out" and row["property"] in
              ("skos:prefLabel", "coop:acronym", "coop:title")]
    participations = [dict(zip(("project", "project_name", "organisation", "name", "role", "country"), row,
                               strict=True)) for row in site.kg.rows("entity-participations", iri=iri)]
    data = {"iri": iri, "label": labels[0] if labels else iri, "kinds": kinds, "participations": participations,
            "truncated": len(rows) >= DESCRIBE_LIMIT,
            "statements_out": [row for row in statements if row["direction"] == "out"],
            "statements_in": [row for row in statements if row["direction"] == "in"]}
    drawing = explorer.results.get(("neighbourhood", iri), lambda: _neighbourhood(explorer, iri, data))
    return site.page(request, "entity.html", data, drawing=drawing,
                     json_url=entity_url(iri).replace("/entity?", "/entity.json?"))


def _neighbourhood(explorer: Explorer, iri: str, data: dict) -> Markup | None:
    """The small network an entity page draws: a project's or an organisation's partners, a region among its
    partner regions (at its own NUTS level), the countries a programme's projects join; None for other things."""
    facts = {row["property"]: row["value"] for row in data["statements_out"]}
    try:
        if data["participations"]:
            graph = neighbourhood_graph(explorer.site.kg, iri)
        elif "Region" in data["kinds"] and "coop:nutsLevel" in facts:
            graph = explorer.network("regions", int(facts["coop:nutsLevel"]), NO_FILTERS)
            graph = ego_graph(graph, iri, NEIGHBOURHOOD_NODES) if iri in graph else None
        elif "Programme" in data["kinds"]:
            graph = country_graph(explorer.site.kg, Filters(programme=facts.get("coop:acronym", data["label"])))
        else:
            graph = None
    except NetworkError:  # e.g. a programme whose acronym another programme shares
        return None
    if graph is None or not graph.number_of_edges():
        return None
    return embed(view(graph, link=entity_url, max_nodes=NEIGHBOURHOOD_NODES))


def routes(explorer: Explorer) -> list[Route]:
    # plain functions: Starlette runs them in its thread pool, so a query never blocks the other requests
    site = explorer.site
    return [Route("/", partial(home, site)), Route("/index.json", partial(home, site)),
            Route("/search", partial(search, site)), Route("/search.json", partial(search, site)),
            Route("/entity", partial(entity, explorer)), Route("/entity.json", partial(entity, explorer))]
