"""coopgraph: a knowledge graph of European cooperation networks.

Projects, the organisations in them, their NUTS regions and the programmes and funds behind them,
as RDF in an embedded Oxigraph store, asked with SPARQL.

Examples
--------
>>> import coopgraph
>>> kg = coopgraph.open(":memory:")          # or a directory; default ./coopgraph-store
>>> rows = kg.query("partners", project="PIKE")
>>> sorted({row.country.value for row in rows})
['BG', 'CZ', 'ES', 'GB', 'GR', 'IE', 'IT', 'SE']
"""

import importlib

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "NamedQuery", "QueryError", "StoreError", "open", "__version__"]

#: Where each name of the API lives: imported on first use, so that a process that needs only a part (a query
#: worker of the server imports the store alone) starts in a fraction of the time.
_HOMES = {"KnowledgeGraph": ("coopgraph.knowledge_graph", "KnowledgeGraph"),
          "open": ("coopgraph.knowledge_graph", "open_knowledge_graph"),
          "NamedQuery": ("coopgraph.sparql", "NamedQuery"), "QueryError": ("coopgraph.sparql", "QueryError"),
          "StoreError": ("coopgraph.store", "StoreError")}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'coopgraph' has no attribute {name!r}")
    module, attribute = _HOMES[name]
    return getattr(importlib.import_module(module), attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
