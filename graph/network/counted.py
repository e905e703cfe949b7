"""Region and country networks counted where the data lives, for a store on a server.

The store computes each project's places (``network-project-places``: the participations' filters, where each
takes place, the NUTS level it is counted at), so a ranking reads one row per project instead of every
participation; the links and their four weights are then counted by :func:`.collaboration_graph`, as for the
networks built from participations, so both give the same numbers. The networks carry what rankings need: no
``organisations`` per node and no ``unplaced`` count, which need every participation.

Examples
--------
>>> import coopgraph
>>> kg = coopgraph.open(":memory:")
>>> graph = counted_place_graph(kg, level=0)
>>> sorted(graph.nodes[n]["code"] for n in graph["http://data.europa.eu/nuts/code/NO"])
['SE']
"""

from __future__ import annotations

import networkx as nx

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.network.build import (
    NO_FILTERS,
    Filters,
    NetworkError,
    described,
    filter_parameters,
    place_attributes,
    places,
    prune,
)
from coopgraph.network.weights import collaboration_graph


def counted_place_graph(kg: KnowledgeGraph, level: int | None = 2, filters: Filters = NO_FILTERS) -> nx.Graph:
    """The network of NUTS regions at ``level``, or of countries (``level`` None), as :func:`.region_graph` and
    :func:`.country_graph` build it, from each project's places as the store computes them."""
    if level not in (None, 0, 1, 2, 3):
        raise NetworkError(f"the NUTS level must be 0, 1, 2 or 3, not {level}")
    parameters = {"places": "countries" if level is None else "regions", "level": level or 0,
                  **filter_parameters(kg, filters)}
    members = {project: found.split() for project, found in kg.rows("network-project-places", **parameters)}
    graph = collaboration_graph(members)
    known = places(kg)
    for node, values in graph.nodes(data=True):
        values.update(place_attributes(known[node], known), **({} if level is None else {"level": level}))
    graph.graph.update(kind="countries" if level is None else "regions", counted_by="store",
                       **({} if level is None else {"level": level}), **described(filters))
    return prune(graph, filters)
