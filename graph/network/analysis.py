"""What a collaboration network looks like: who is central, who brokers, which communities form.

NetworkX reads an edge weight as a *distance* in path-based measures, so betweenness here runs on
``1 / weight``: a strong link is a short one. Communities come from Leiden when a NetworkX backend
provides it, else from Louvain, both with a fixed seed so that a run can be repeated.

Examples
--------
>>> from coopgraph.network import collaboration_graph
>>> graph = collaboration_graph({"p1": ["SE33", "FI1D"], "p2": ["FI1D", "NO07"], "p3": ["SE33", "FI1D"]})
>>> summary = analyse(graph, weight="projects")
>>> graph.nodes["FI1D"]["articulation_point"], graph.nodes["FI1D"]["betweenness"]
(True, 1.0)
>>> summary["nodes"], summary["edges"], summary["components"], summary["largest_component"]
(3, 2, 1, 3)
"""

from __future__ import annotations

import networkx as nx

from coopgraph.network.weights import WEIGHTS

#: Exact betweenness costs about nodes x links steps (7.6 s for the 323 x 30,570 of the CORDIS NUTS 2
#: network); above this many it is estimated from a sample of source nodes that fits the budget.
BETWEENNESS_BUDGET = 4_000_000
#: The fewest source nodes an estimate starts from.
MIN_BETWEENNESS_SOURCES = 30


def communities(graph: nx.Graph, weight: str = "fractional", seed: int = 0) -> tuple[list[set], str]:
    """Communities, largest first, and the algorithm used: ``leiden`` if a backend has it, else ``louvain``."""
    try:
        found, algorithm = nx.community.leiden_communities(graph, weight=weight, seed=seed), "leiden"
    except NotImplementedError:  # NetworkX itself only dispatches Leiden to backends
        found, algorithm = nx.community.louvain_communities(graph, weight=weight, seed=seed), "louvain"
    return sorted(found, key=lambda community: (-len(community), min(map(str, community)))), algorithm


def betweenness_sources(graph: nx.Graph) -> int | None:
    """How many source nodes betweenness starts from: None (all, exact) within :data:`BETWEENNESS_BUDGET`."""
    steps = graph.number_of_nodes() * graph.number_of_edges()
    if steps <= BETWEENNESS_BUDGET:
        return None
    return min(graph.number_of_nodes(), max(MIN_BETWEENNESS_SOURCES, BETWEENNESS_BUDGET // graph.number_of_edges()))


def betweenness(graph: nx.Graph, weight: str = "fractional", seed: int = 0) -> dict:
    """Betweenness centrality with ``1 / weight`` as the length of a link (normalised, 0 to 1).

    Exact on small networks, else estimated from :func:`betweenness_sources` source nodes drawn
    with ``seed``.
    """
    distances = nx.Graph()
    distances.add_nodes_from(graph)
    distances.add_edges_from((a, b, {"distance": 1 / value}) for a, b, value in graph.edges(data=weight) if value > 0)
    return nx.betweenness_centrality(distances, k=betweenness_sources(graph), weight="distance", seed=seed)


def cross_border_shares(graph: nx.Graph, weight: str = "fractional") -> dict:
    """Each node's share of its link weight that goes to nodes of another ``country`` (None without links)."""
    shares = {}
    for node, country in graph.nodes(data="country"):
        total = across = 0.0
        for neighbour, values in graph[node].items():
            total += values[weight]
            if graph.nodes[neighbour].get("country") != country:
                across += values[weight]
        shares[node] = across / total if total else None
    return shares


def analyse(graph: nx.Graph, weight: str = "fractional", seed: int = 0) -> dict:
    """Measure every node in place and return the network's summary.

    Nodes get ``degree``, ``weighted_degree`` (the sum of ``weight``), ``betweenness``,
    ``community`` (0 is the largest), ``articulation_point`` (removing it splits the network) and,
    when nodes have a ``country`` and links, ``cross_border_share``. The summary (also in
    ``graph.graph``) has ``nodes``, ``edges``, ``density``, ``components``, ``largest_component``,
    ``communities``, ``community_algorithm``, ``modularity``, ``betweenness_sources`` (0 when
    exact) and, with countries,
    ``cross_border_share`` of the whole network's weight.
    """
    if weight not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; weights: {', '.join(WEIGHTS)}")
    found, algorithm = communities(graph, weight, seed)
    community_of = {node: number for number, community in enumerate(found) for node in community}
    between = betweenness(graph, weight, seed)
    brokers = set(nx.articulation_points(graph))
    has_countries = any(country for _, country in graph.nodes(data="country"))
    shares = cross_border_shares(graph, weight) if has_countries else {}
    for node, values in graph.nodes(data=True):
        values.update(degree=graph.degree(node), weighted_degree=graph.degree(node, weight=weight),
                      betweenness=between[node], community=community_of[node], articulation_point=node in brokers)
        if shares.get(node) is not None:
            values["cross_border_share"] = shares[node]
    components = [len(component) for component in nx.connected_components(graph)]
    summary = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph),
        "components": len(components),
        "largest_component": max(components, default=0),
        "communities": len(found),
        "community_algorithm": algorithm,
        "modularity": nx.community.modularity(graph, found, weight=weight) if graph.number_of_edges() else 0.0,
        "weight": weight,
        "betweenness_sources": betweenness_sources(graph) or 0,
    }
    if has_countries:
        total = graph.size(weight=weight)
        across = sum(value for a, b, value in graph.edges(data=weight)
                     if graph.nodes[a].get("country") != graph.nodes[b].get("country"))
        summary["cross_border_share"] = across / total if total else 0.0
    graph.graph.update(summary)
    return summary
