"""Which regions collaborate most: region pairs ranked by a chosen weight, and one region's profile.

Examples
--------
>>> import coopgraph
>>> kg = coopgraph.open(":memory:")
>>> [(row["region_a"], row["region_b"], row["projects"]) for row in top_pairs(kg, level=0, n=2)]
[('NO', 'SE', 1), ('PL', 'SK', 1)]
"""

from __future__ import annotations

import networkx as nx

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.network.analysis import analyse
from coopgraph.network.build import NO_FILTERS, Filters, NetworkError, participations, places, region_graph
from coopgraph.network.counted import counted_place_graph
from coopgraph.network.weights import WEIGHTS

#: The columns of a ranking of pairs, in order.
PAIR_COLUMNS = ("region_a", "region_b", "name_a", "name_b", "country_a", "country_b", *WEIGHTS)


def pairs(graph: nx.Graph, weight: str = "fractional", n: int | None = None) -> list[dict]:
    """The links of a region or country network as rows of :data:`PAIR_COLUMNS`, strongest first.

    ``region_a`` is the smaller code of the two; ties on ``weight`` go to more shared projects,
    then to the codes' order, so a ranking is the same from run to run.
    """
    if weight not in WEIGHTS:
        raise NetworkError(f"unknown weight {weight!r}; weights: {', '.join(WEIGHTS)}")
    rows = []
    for a, b, values in graph.edges(data=True):
        first, second = sorted((graph.nodes[a], graph.nodes[b]), key=lambda node: node["code"])
        rows.append({"region_a": first["code"], "region_b": second["code"], "name_a": first["label"],
                     "name_b": second["label"], "country_a": first["country"], "country_b": second["country"],
                     **{name: values[name] for name in WEIGHTS}})
    rows.sort(key=lambda row: (-row[weight], -row["projects"], row["region_a"], row["region_b"]))
    return rows if n is None else rows[:n]


def top_pairs(kg: KnowledgeGraph, level: int = 2, weight: str = "fractional", n: int | None = 20,
              filters: Filters = NO_FILTERS) -> list[dict]:
    """The ``n`` region pairs at NUTS ``level`` that collaborate most by ``weight`` (see :func:`pairs`).

    On a store on a server, the server counts (see :mod:`.counted`): the same pairs, without reading every
    participation."""
    graph = counted_place_graph(kg, level, filters) if kg.store.remote else region_graph(kg, level, filters)
    return pairs(graph, weight, n)


def nuts_level(code: str) -> int:
    """The NUTS level a code names: two letters for level 0, then one character per level."""
    if not 2 <= len(code) <= 5:
        raise NetworkError(f"{code!r} is not a NUTS code (2 to 5 characters, e.g. SE, SE3, SE33, SE332)")
    return len(code) - 2


def region_profile(kg: KnowledgeGraph, code: str, level: int | None = None, weight: str = "fractional",
                   n: int = 20, filters: Filters = NO_FILTERS, seed: int = 0) -> dict:
    """One region in the region network at its NUTS level: partners, projects, organisations, centrality.

    ``level`` defaults to the code's own; a finer code stands for the region it lies in at ``level``
    (``SE332`` at level 2 is ``SE33``).

    Returns a dict with ``region`` (its node attributes and measures, see :func:`.analysis.analyse`,
    plus ``betweenness_rank``: 1 + the number of regions with a higher betweenness), ``network``
    (the network's summary), ``community`` (the strongest regions of its community), ``partners`` (its pairs, strongest
    first), ``organisations`` and ``projects`` (up to ``n`` of each, most active first).
    """
    code = code.strip().upper()
    own_level = nuts_level(code)
    level = own_level if level is None else level
    if level > own_level:
        raise NetworkError(f"{code} is a NUTS {own_level} region: it has no region at level {level}")
    known = places(kg)  # a code that is no region fails before the participations are read
    place = next((place for place in known.values() if place.code == code and place.level == own_level), None)
    if place is None:
        raise NetworkError(f"{code} is not a NUTS 2021 region")
    data = participations(kg, filters, named=True, known_places=known)
    while place.level > level:
        place = data.places[place.parent]
    graph = region_graph(kg, level, filters, data=data)
    node = place.iri
    if node not in graph:
        raise NetworkError(f"no organisation in {place.code} ({place.label}) takes part in a project "
                           "that passes the filters")
    summary = analyse(graph, weight, seed)
    own = graph.nodes[node]["community"]
    community = [values for _, values in graph.nodes(data=True) if values["community"] == own]
    community.sort(key=lambda other: (-other["weighted_degree"], other["code"]))
    organisations, projects = _activity(kg, data, node, level)
    return {
        "region": {**graph.nodes[node], "betweenness_rank": 1 + sum(  # ties share the best rank
            value > graph.nodes[node]["betweenness"] for _, value in graph.nodes(data="betweenness"))},
        "network": summary,
        "community": [{"code": other["code"], "name": other["label"], "country": other["country"]}
                      for other in community[:n]],
        "partners": pairs(graph.edge_subgraph(graph.edges(node)), weight, n),
        "organisations": organisations[:n],
        "projects": projects[:n],
    }


def _activity(kg: KnowledgeGraph, data, region: str, level: int) -> tuple[list[dict], list[dict]]:
    """The region's organisations and projects, with how many projects / partners from the region each has."""
    projects_of: dict[str, set] = {}
    members_of: dict[str, set] = {}
    for row in data.rows:
        if data.region_at(row, level) == region:
            projects_of.setdefault(row.organisation, set()).add(row.project)
            members_of.setdefault(row.project, set()).add(row.organisation)
    organisations = sorted(({"organisation": iri, "name": data.organisations[iri].label,
                             "projects": len(found)} for iri, found in projects_of.items()),
                           key=lambda row: (-row["projects"], row["name"]))
    described = {row[0]: row for row in kg.rows("projects") if row[0] in members_of}
    projects = []
    for project, members in members_of.items():
        _, acronym, title, programme, *_ = described.get(project, (project, None, None, None))
        projects.append({"project": project, "acronym": acronym or "", "title": title or "",
                         "programme": programme or "", "organisations": len(members)})
    projects.sort(key=lambda row: (-row["organisations"], row["acronym"] or row["title"], row["project"]))
    return organisations, projects
