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

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.knowledge_graph import open_knowledge_graph as open  # noqa: A004 (the API's name)
from coopgraph.sparql import NamedQuery, QueryError
from coopgraph.store import StoreError

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "NamedQuery", "QueryError", "StoreError", "open", "__version__"]
