"""The network explorer (``/network``) and "Which regions collaborate most" (``/regions``), drawn with vis-network.

A region network takes 1.6 s to build from the full CORDIS store, so networks, their drawings and rankings are
built once per set of parameters and kept (:class:`Cache`) until the server moves to a newer snapshot of the
store; a network asked for by several clients at once is built once. The handlers are plain
functions, which Starlette runs in its thread pool: a build never blocks the other pages.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
from collections import OrderedDict
from dataclasses import replace
from functools import partial
from typing import Callable, Hashable, Iterator
from urllib.parse import urlencode

import networkx as nx
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from coopgraph.network import KINDS, ROLE_GROUPS, ROLES, WEIGHTS, Filters, NetworkError, network, pairs, participations
from coopgraph.network.build import NO_FILTERS, Participations, ordered_subgraph, prune
from coopgraph.network.counted import counted_place_graph
from coopgraph.network.geography import region_centres
from coopgraph.network.html import ASSETS, embed, view
from coopgraph.network.ranking import PAIR_COLUMNS
from coopgraph.network.weights import MEANINGS
from coopgraph.vocab import NUTS
from coopgraph.web.map import MapLink, MapPlace, map_html, region_map
from coopgraph.web.site import Site, entity_url, page_number, text_parameter, wants_json

#: How many networks (whole or pruned) and lists of their links are kept (an organisation network of the full
#: CORDIS store holds 600,000 links, tens of MB; the four region networks are built at start), and how many
#: drawings and rankings (small).
NETWORKS_KEPT = 12
RESULTS_KEPT = 64
#: Pages of things kept (a few hundred KB each at most): the pages an analyst goes back and forth between
PAGES_KEPT = 512
#: What is read from the store once (participations, projects, programmes, region centres...): a few keys,
#: never pushed out by pages or drawings
READS_KEPT = 32


class Cache:
    """Values computed once and kept, the least recently used dropped beyond ``size``; thread-safe.

    Several threads asking for the same missing value wait for one computation. A computation that
    raises is not kept.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def _kept(self, key: Hashable) -> tuple[bool, object]:
        with self._lock:
            if key not in self._values:
                return False, None
            self._values.move_to_end(key)
            return True, self._values[key]

    def get(self, key: Hashable, compute: Callable[[], object]):
        """The value kept for ``key``, else ``compute()``, kept."""
        found, value = self._kept(key)
        if found:
            return value
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found, value = self._kept(key)
            if found:
                return value
            try:
                value = compute()
                with self._lock:  # kept before the computation is over: no thread starts another
                    self._values[key] = value
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            return value


class Explorer:
    """The networks a site shows, built on first use and kept while the server shows the same snapshot.

    The unfiltered participations (with organisation names) are read once and shared: every
    unfiltered network is built from them, and the domain pages and the search index count with them.
    """

    def __init__(self, site: Site, outlines: dict | None = None) -> None:
        self.site = site
        self.outlines = outlines
        self.warm = threading.Event()  # set once what the server builds as it starts is built
        self._warming: tuple[Callable[[], object], ...] = ()
        self._stopping = threading.Event()
        self._builder: threading.Thread | None = None
        self._builder_lock = threading.Lock()
        self._again = False  # the warm-up list must (re)start
        self._forget()
        site.served.subscribe(self.reset)

    def _forget(self) -> None:
        self.reads = Cache(READS_KEPT)
        self.networks = Cache(NETWORKS_KEPT)
        self.results = Cache(RESULTS_KEPT)
        self.pages = Cache(PAGES_KEPT)

    def _warm_up(self) -> None:
        """Build the warm-up tasks in the background, in one thread: a change of the store while it works makes it
        start its list again, rather than start another. A task that fails is left for its page to report."""
        def build() -> None:
            while not self._stopping.is_set():
                with self._builder_lock:
                    if not self._again:
                        self.warm.set()
                        self._builder = None
                        return
                    self._again = False
                for task in self._warming:
                    if self._stopping.is_set() or self._again:
                        break
                    try:
                        task()
                    except NetworkError:
                        continue  # e.g. a store without regions at a level: its pages say so when asked

        with self._builder_lock:
            self.warm.clear()
            self._again = True
            if self._builder is None:
                self._builder = threading.Thread(target=build, name="coopgraph-warm-up", daemon=True)
                self._builder.start()

    @contextlib.contextmanager
    def warming_up(self, *also: Callable[[], object]) -> Iterator[None]:
        """While the server runs: read the participations and build the region networks (NUTS 0-3), then do
        ``also``, in the background, so the first pages need not wait; again after each change of the store.
        When the server stops, no new task starts and the one under way is waited for (the store is closed
        next)."""
        self._warming = (*(partial(self.network, "regions", level, NO_FILTERS) for level in range(4)), *also)
        self._warm_up()
        try:
            yield
        finally:
            self._stopping.set()
            builder = self._builder
            if builder is not None:
                builder.join()

    def reset(self) -> None:
        """Forget what was read and built: the store the site shows has changed."""
        self._forget()
        if self._warming and not self._stopping.is_set():
            self._warm_up()

    def participations(self) -> Participations:
        """Every participation, with the organisations (named), regions and countries: read once."""
        return self.reads.get("participations", lambda: participations(self.site.kg, named=True))

    def projects(self) -> dict[str, tuple]:
        """Each project's (IRI, acronym, title, programme name, start, end), from the ``projects`` query."""
        return self.reads.get("projects", lambda: {row[0]: row for row in self.site.kg.rows("projects")})

    def programme_projects(self) -> dict[str, int]:
        """How many projects each programme funded."""
        return self.reads.get("programme projects", lambda: {
            row[0]: int(row[4]) for row in self.site.kg.rows("programmes")})

    def region_centres(self, level: int) -> dict[str, tuple[float, float, int]]:
        """Where each region at ``level`` lies on a map (see :func:`.geography.region_centres`)."""
        def build() -> dict:
            points = {iri: (float(lat), float(lon)) for iri, lat, lon in self.site.kg.rows("organisation-points")}
            return region_centres(self.participations(), points, level)

        return self.reads.get(("region centres", level), build)

    def map(self, graph: nx.Graph, level: int, links: list[tuple[str, str]], weight: str,
            highlight: frozenset[str] = frozenset(), marked: frozenset[frozenset[str]] = frozenset()) -> dict:
        """The map (:func:`.map.region_map`) of the regions on ``links`` of a region network, placed where their
        organisations are, the links as wide as their ``weight``."""
        centres = self.region_centres(level)
        nodes = {node for link in links for node in link} | set(highlight)
        places = [MapPlace(graph.nodes[node]["code"], graph.nodes[node]["label"], *(
            (centres[node][1], centres[node][0]) if node in centres else (None, None)),
            graph.nodes[node].get("projects", 0), entity_url(node)) for node in sorted(nodes, key=str) if node in graph]
        code = {node: graph.nodes[node]["code"] for node in nodes if node in graph}
        return region_map(places, [MapLink(code[a], code[b], graph.edges[a, b][weight], graph.edges[a, b]["projects"])
                                   for a, b in links if graph.has_edge(a, b)],
                          weight_name=weight, highlight=frozenset(code[node] for node in highlight if node in code),
                          marked=frozenset(frozenset((code[a], code[b])) for a, b in marked if a in code and b in code),
                          outlines=self.outlines)

    def network(self, of: str, level: int, filters: Filters) -> nx.Graph:
        """The network as built from the participations ``filters`` choose, kept whole, then pruned in memory by
        the filters that only drop links (a new ``min_projects`` or ``top`` is not a new build)."""
        whole = replace(filters, min_projects=1, min_weight=None, top=None, weight=NO_FILTERS.weight)
        unfiltered = filters.participations() == NO_FILTERS.participations()
        graph = self.networks.get(_key(of, level, whole), lambda: network(
            self.site.kg, of, level, whole, data=self.participations() if unfiltered else None))
        if whole == filters:
            return graph
        return self.networks.get(_key(of, level, filters), lambda: prune(graph, filters))

    def links(self, of: str, level: int, filters: Filters, weight: str) -> list[tuple]:
        """The network's links, strongest first by ``weight`` (then by their ends, for a stable order)."""
        graph = self.network(of, level, filters)
        return self.networks.get(("links", _key(of, level, filters), weight), lambda: sorted(
            graph.edges, key=lambda edge: (-graph.edges[edge][weight], *sorted(map(str, edge)))))

    def drawing(self, of: str, level: int, filters: Filters, weight: str) -> dict:
        """The :func:`.html.view` of a network without its data, and the HTML that draws it (``html``)."""
        def draw() -> dict:
            shown = view(self.network(of, level, filters), weight, link=entity_url)
            return {**{key: value for key, value in shown.items() if key != "data"}, "html": embed(shown)}

        return self.results.get(("drawing", _key(of, level, filters), weight), draw)

    def ranking(self, level: int, filters: Filters, weight: str) -> list[dict]:
        """Every pair of the region network, strongest first by ``weight`` (see :func:`.ranking.pairs`); on a store
        on a server, of the network the server counts (see :mod:`.counted`)."""
        def build() -> list[dict]:
            if not self.site.kg.store.remote:
                return pairs(self.network("regions", level, filters), weight)
            whole = replace(filters, min_projects=1, min_weight=None, top=None, weight=NO_FILTERS.weight)
            counted = self.networks.get(("counted", _key("regions", level, whole)),
                                        lambda: counted_place_graph(self.site.kg, level, whole))
            return pairs(prune(counted, filters), weight)

        return self.results.get(("ranking", _key("regions", level, filters), weight), build)

    def programmes(self) -> list[dict]:
        """The store's programmes for the form to choose from: the name a filter takes, what to show, projects."""
        def build() -> list[dict]:
            choices = [{"value": acronym or name, "projects": int(projects),
                        "label": f"{name} ({acronym})" if acronym and acronym != name else name or acronym}
                       for _, name, acronym, _, projects in self.site.kg.rows("programmes") if name or acronym]
            return sorted(choices, key=lambda choice: choice["label"].casefold())

        return self.reads.get("programmes", build)


def _key(of: str, level: int, filters: Filters) -> tuple:
    """What a network depends on: the level only for regions, the weight only when links are dropped by it."""
    if filters.top is None and filters.min_weight is None:
        filters = replace(filters, weight=NO_FILTERS.weight)
    return of, level if of == "regions" else None, filters


def _number(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise HTTPException(400, f"{name} must be from {low} to {high}, not {value}")
    return value


def _choice(request: Request, name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.query_params.get(name, "").strip() or default
    if value not in choices:
        raise HTTPException(400, f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


#: Association strength and Jaccard rank pairs of tiny places first: a ranking by them starts at this many
#: shared projects (the form shows it, a user may lower it).
SMALL_PAIRS_MINIMUM = 10


def _parameters(request: Request, ranking: bool) -> tuple[dict, Filters]:
    """The form's parameters, checked (a bad one is a 400 with the reason), and the filters they ask for."""
    weight = _choice(request, "weight", WEIGHTS, "fractional")
    parameters = {
        "of": "regions" if ranking else _choice(request, "of", KINDS, "regions"),
        "level": _number(request, "level", 2, 0, 3),
        "programme": text_parameter(request, "programme"),
        "from": _number(request, "from", None, 1, 9998),
        "to": _number(request, "to", None, 1, 9998),
        "role": [role for role in request.query_params.getlist("role") if role],
        "source": text_parameter(request, "source"),
        "weight": weight,
        "min_projects": _number(request, "min_projects", SMALL_PAIRS_MINIMUM if ranking and weight in (
            "association", "jaccard") else 1, 1, 1_000_000),
    }
    if ranking:  # rows of the ranking; a network page may keep only its strongest links instead
        parameters["n"] = _number(request, "n", 20, 1, 1000)
    else:
        parameters["top"] = _number(request, "top", None, 1, 10_000_000)
    try:
        filters = Filters(programme=parameters["programme"], first_year=parameters["from"],
                          last_year=parameters["to"], roles=tuple(parameters["role"]), source=parameters["source"],
                          min_projects=parameters["min_projects"], top=parameters.get("top"),
                          weight=parameters["weight"])
    except NetworkError as error:
        raise HTTPException(400, str(error)) from None
    return parameters, filters


def _form(explorer: Explorer, request: Request, parameters: dict, ranking: bool) -> dict:
    """What the filter form offers, beside the parameters asked for, and the address of the same answer as JSON."""
    query = request.url.query
    return {"parameters": parameters, "ranking": ranking, "kinds": KINDS, "weights": WEIGHTS, "meanings": MEANINGS,
            "roles": (*ROLES, *ROLE_GROUPS), "sources": explorer.site.kg.sources(), "programmes": explorer.programmes(),
            "json_url": request.url.path.removesuffix(".json") + ".json" + (f"?{query}" if query else "")}


def _summary(drawing: dict, of: str, level: int) -> dict:
    """What the JSON says about a network: its kind, size and filters, and how much of it the page draws."""
    return {"of": of, "level": level if of == "regions" else None,
            **{key: drawing[key] for key in ("title", "weight", "nodes", "links", "shown_nodes", "shown_links",
                                             "filters")}}


#: How many links a page of ``/network.json`` holds (an organisation network of the CORDIS store has 600,000).
LINKS_PER_PAGE = 5000


def _graph_page(explorer: Explorer, request: Request, of: str, level: int, filters: Filters, weight: str) -> dict:
    """A page of the network as node-link data: its next :data:`LINKS_PER_PAGE` links, strongest first by
    ``weight``, with their ends; ``next`` is the address of the page after it (None on the last)."""
    links = explorer.links(of, level, filters, weight)
    pages = max(1, -(-len(links) // LINKS_PER_PAGE))
    number = page_number(request, pages)
    shown = links[(number - 1) * LINKS_PER_PAGE:number * LINKS_PER_PAGE]
    graph = nx.node_link_data(ordered_subgraph(explorer.network(of, level, filters), edges=shown), edges="edges")
    order = {frozenset(link): index for index, link in enumerate(shown)}
    graph["edges"].sort(key=lambda edge: order[frozenset((edge["source"], edge["target"]))])
    following = urlencode([*((key, value) for key, value in request.query_params.multi_items() if key != "page"),
                           ("page", number + 1)])
    return {**graph, "page": number, "pages": pages, "links": len(links),
            "next": f"{request.url.path}?{following}" if number < pages else None}


def network_page(explorer: Explorer, request: Request) -> Response:
    """The network explorer: a network drawn as the form asks; JSON: also the network as node-link data, a page
    of links at a time (see :func:`_graph_page`)."""
    parameters, filters = _parameters(request, ranking=False)
    of, level, weight = parameters["of"], parameters["level"], parameters["weight"]
    try:
        drawing = explorer.drawing(of, level, filters, weight)
        data = {"parameters": parameters, "summary": _summary(drawing, of, level), "drawing": drawing["network"]}
        if wants_json(request):
            data["graph"] = _graph_page(explorer, request, of, level, filters, weight)
    except NetworkError as error:
        raise HTTPException(400, str(error)) from None
    return explorer.site.page(request, "network.html", data, drawing=drawing,
                              **_form(explorer, request, parameters, ranking=False))


def regions_page(explorer: Explorer, request: Request) -> Response:
    """Which regions collaborate most: the ranking of region pairs beside a map that marks them; also as CSV."""
    parameters, filters = _parameters(request, ranking=True)
    level, weight = parameters["level"], parameters["weight"]
    try:
        ranking = explorer.ranking(level, filters, weight)
        graph = explorer.network("regions", level, filters)
    except NetworkError as error:
        raise HTTPException(400, str(error)) from None
    if request.url.path.endswith(".csv"):
        return _csv(ranking, PAIR_COLUMNS, "regions.csv")
    rows = ranking[:parameters["n"]]
    code = {values["code"]: node for node, values in graph.nodes(data=True)}
    links = [(code[row["region_a"]], code[row["region_b"]]) for row in rows]
    drawn = explorer.results.get(("ranking map", _key("regions", level, filters), weight, parameters["n"]),
                                 lambda: explorer.map(graph, level, links, weight,
                                                      marked=frozenset(frozenset(link) for link in links)))
    data = {"parameters": parameters, "pairs": len(ranking), "rows": rows, "map": drawn}
    query = request.url.query
    return explorer.site.page(request, "regions.html", data, nuts=str(NUTS), map_html=map_html(drawn),
                              csv_url="/regions.csv" + (f"?{query}" if query else ""),
                              **_form(explorer, request, parameters, ranking=True))


def _csv(rows: list[dict], columns: tuple[str, ...], name: str) -> Response:
    """Rows as a CSV download (every row, the columns in order)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def asset(request: Request) -> Response:
    """vis-network's script and stylesheet from the installed pyvis, and ours: nothing comes from a CDN."""
    name = request.path_params["name"]
    if name not in ASSETS:
        raise HTTPException(404, f"no asset named {name}")
    return FileResponse(str(ASSETS[name]), headers={"Cache-Control": "public, max-age=3600"})


def routes(explorer: Explorer) -> list[Route]:
    return [Route("/network", partial(network_page, explorer)), Route("/network.json", partial(network_page, explorer)),
            Route("/regions", partial(regions_page, explorer)), Route("/regions.json", partial(regions_page, explorer)),
            Route("/regions.csv", partial(regions_page, explorer)),
            Route("/assets/{name}", asset)]
