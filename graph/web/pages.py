"""The home page: what an analyst comes for, the search box, the regions that collaborate most, the map."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coopgraph.network import Filters, NetworkError
from coopgraph.network.build import NO_FILTERS
from coopgraph.sparql import catalogue
from coopgraph.vocab import NUTS
from coopgraph.web.map import map_html
from coopgraph.web.networks import Explorer

#: The ranking of the home page: NUTS 2 pairs by fractional counting that share at least this many projects.
HOME_LEVEL, HOME_MIN_PROJECTS, HOME_PAIRS = 2, 10, 10
#: The links the home page's map draws (the strongest pairs).
HOME_MAP_LINKS = 60


def home(explorer: Explorer, request: Request) -> Response:
    site = explorer.site
    stats = explorer.reads.get("stats", site.kg.stats)
    queries = [{"name": name, "title": query.title, "description": query.description}
               for name, query in catalogue().items() if not query.internal]
    filters = Filters(min_projects=HOME_MIN_PROJECTS, weight="fractional")
    try:
        pairs = explorer.ranking(HOME_LEVEL, filters, "fractional")
    except NetworkError:  # a store without NUTS 2 regions
        pairs = []
    data = {"counts": stats.counts, "sources": site.kg.sources(), "queries": queries, "warm": explorer.warm.is_set(),
            "top_pairs": pairs[:HOME_PAIRS], "ranking_url": f"/regions?min_projects={HOME_MIN_PROJECTS}"}
    drawn = None
    if pairs:
        graph = explorer.network("regions", HOME_LEVEL, NO_FILTERS)
        code = {values["code"]: node for node, values in graph.nodes(data=True)}
        links = [(code[row["region_a"]], code[row["region_b"]]) for row in pairs[:HOME_MAP_LINKS]]
        drawn = explorer.results.get("home map", lambda: explorer.map(
            graph, HOME_LEVEL, links, "fractional", marked=frozenset(frozenset(link) for link in links[:HOME_PAIRS])))
        data["map"] = drawn
    return site.page(request, "home.html", data, map_html=map_html(drawn) if drawn else None, nuts=str(NUTS))


def routes(explorer: Explorer) -> list[Route]:
    return [Route("/", partial(home, explorer)), Route("/index.json", partial(home, explorer)),
            Route("/.json", partial(home, explorer))]
