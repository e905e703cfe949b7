"""Collaboration networks built from the knowledge graph, with fair weights (see :mod:`.weights`)."""

from coopgraph.network.weights import WEIGHTS, collaboration_graph

__all__ = ["WEIGHTS", "collaboration_graph"]
