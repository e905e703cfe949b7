r"""Collaboration weights: how strongly two nodes (organisations, regions, countries) work together.

A raw count of shared projects favours big nodes and big consortia. Every edge therefore carries
four weights, computed from which nodes take part in which projects (:math:`P_i` is the set of
projects of node :math:`i`, :math:`k_p` the number of distinct nodes in project :math:`p`):

``projects``
    full counting: :math:`a_{ij} = |P_i \cap P_j|`, each shared project once.
``fractional``
    fractional counting (Newman 2001): :math:`\sum_{p \in P_i \cap P_j} 1 / (k_p - 1)`, so each project
    adds exactly 1 to the link weight of each of its nodes: a project of 40 partners adds 1/39 to each of
    its 780 pairs and weighs 20 times a project of 2 in total, not 780 times as in full counting.
``association``
    association strength (observed over expected, the VOSviewer normalisation):
    :math:`a_{ij} / (s_i s_j / 2m)`, with :math:`s_i = \sum_j a_{ij}` the node's total link weight and
    :math:`m = \sum_{i<j} a_{ij}` the network's; 1 means "as often as chance would have it".
``jaccard``
    :math:`|P_i \cap P_j| / |P_i \cup P_j|`: the share of either node's projects that they share.

Examples
--------
>>> graph = collaboration_graph({"p1": ["SE33", "NO07"], "p2": ["SE33", "NO07", "FI1D"], "p3": ["FI1D"]})
>>> edge = graph.edges["NO07", "SE33"]
>>> edge["projects"], edge["fractional"], round(edge["association"], 3), edge["jaccard"]
(2, 1.5, 1.778, 1.0)
>>> graph.nodes["FI1D"]["projects"], graph.nodes["FI1D"]["strength"]
(2, 2)
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Hashable, Iterable, Mapping

import networkx as nx

#: The edge weights every collaboration graph carries.
WEIGHTS = ("projects", "fractional", "association", "jaccard")
#: What each weight reads as, in a line (for legends and forms).
MEANINGS = {
    "projects": "shared projects, each counted once",
    "fractional": "fractional counting: each project adds 1/(k-1) to each of its k partners' pairs",
    "association": "association strength: shared projects over what chance gives (1 = as expected)",
    "jaccard": "Jaccard: the share of the two partners' projects that they share",
}


def collaboration_graph(projects: Mapping[Hashable, Iterable[Hashable]]) -> nx.Graph:
    """The graph of nodes that share projects, with the four weights on every edge.

    ``projects`` maps each project to the nodes taking part in it (repetitions count once). Nodes
    get ``projects`` (how many they take part in) and ``strength`` (:math:`s_i`, full counting).
    """
    shared: dict[tuple, int] = defaultdict(int)
    fractional: dict[tuple, float] = defaultdict(float)
    node_projects: dict[Hashable, int] = defaultdict(int)
    for project in sorted(projects, key=str):  # a fixed order: float sums come out the same in every run
        nodes = sorted(set(projects[project]), key=str)
        for node in nodes:
            node_projects[node] += 1
        if len(nodes) < 2:
            continue
        share = 1 / (len(nodes) - 1)
        for pair in combinations(nodes, 2):
            shared[pair] += 1
            fractional[pair] += share
    strength: dict[Hashable, int] = defaultdict(int)
    for (a, b), count in shared.items():
        strength[a] += count
        strength[b] += count
    total = sum(shared.values())
    graph = nx.Graph()
    graph.add_nodes_from((node, {"projects": count, "strength": strength[node]})
                         for node, count in node_projects.items())
    graph.add_edges_from(
        (a, b, {"projects": count,
                "fractional": fractional[(a, b)],
                "association": count * 2 * total / (strength[a] * strength[b]),
                "jaccard": count / (node_projects[a] + node_projects[b] - count)})
        for (a, b), count in shared.items())
    return graph
