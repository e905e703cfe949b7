"""Collaboration networks built from the knowledge graph, with fair weights, and their analysis.

:mod:`.build` reads the networks from the store, :mod:`.weights` weighs their links, :mod:`.geography` places
regions on maps,
:mod:`.analysis` measures them, :mod:`.ranking` answers "which regions collaborate most", and
:mod:`.export` writes them for Gephi, NetworkX and spreadsheets.
"""

from coopgraph.network.analysis import analyse, betweenness, communities, cross_border_shares
from coopgraph.network.build import (
    KINDS,
    ROLE_GROUPS,
    ROLES,
    Filters,
    NetworkError,
    bipartite_graph,
    country_graph,
    ego_graph,
    neighbourhood_graph,
    network,
    organisation_graph,
    participations,
    partner_graph,
    project_graph,
    prune,
    region_graph,
)
from coopgraph.network.ranking import PAIR_COLUMNS, pairs, region_profile, top_pairs
from coopgraph.network.weights import WEIGHTS, collaboration_graph

__all__ = [
    "KINDS", "PAIR_COLUMNS", "ROLE_GROUPS", "ROLES", "WEIGHTS", "Filters", "NetworkError", "analyse", "betweenness",
    "bipartite_graph", "collaboration_graph", "communities", "country_graph", "cross_border_shares", "ego_graph",
    "neighbourhood_graph", "network", "organisation_graph", "pairs", "participations", "partner_graph",
    "project_graph", "prune", "region_graph", "region_profile", "top_pairs",
]
