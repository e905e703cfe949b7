"""The knowledge graph: a store plus what coopgraph knows how to put in it and ask of it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import IO, Callable, Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result, ResultRow

from coopgraph.importers.countries import countries_graph
from coopgraph.importers.nuts import nuts_graph
from coopgraph.provenance import source_provenance
from coopgraph.resolver import resolve_parameters
from coopgraph.sparql import NamedQuery, QueryError, resolve
from coopgraph.store import Store, StoreError, media_type, open_store
from coopgraph.store.terms import sparql_term
from coopgraph.validation import ValidationReport, validate, validate_by_queries
from coopgraph.vocab import PREFIXES

#: rdflib parsers for each RDF media type: oxrdflib's, which use Oxigraph's parsers.
_RDFLIB_PARSERS = {
    "text/turtle": "ox-turtle",
    "application/n-triples": "ox-ntriples",
    "application/ld+json": "ox-json-ld",
    "application/rdf+xml": "ox-xml",
}


def _packaged_turtle(package: str, *path: str) -> Callable[[], Graph]:
    def read() -> Graph:
        text = files(package).joinpath(*path).read_text(encoding="utf-8")
        return Graph().parse(data=text, format="turtle")

    return read


#: The sources ``init`` loads, each into its own named graph, in load order.
BUILT_IN_SOURCES: dict[str, Callable[[], Graph]] = {
    "ontology": _packaged_turtle("coopgraph.ontology", "coopgraph.ttl"),
    "countries": countries_graph,
    "nuts-2021": nuts_graph,
    "seed": _packaged_turtle("coopgraph", "data", "seed.ttl"),
}


def _paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """One path or several, as a list of paths."""
    return [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]


@dataclass(frozen=True)
class Stats:
    graphs: dict[str, int]
    counts: dict[str, int]


class KnowledgeGraph:
    """Cooperation projects, organisations, regions and programmes in one RDF dataset.

    Use :func:`coopgraph.open` to get one. Each source lives in its own named graph; queries see
    their union.

    Examples
    --------
    >>> import coopgraph
    >>> kg = coopgraph.open(":memory:")
    >>> [str(row.acronym) for row in kg.query("projects")][:2]
    ['BitStream I', 'INNOCAP']
    >>> kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a coop:Project }")[0].n.value
    8
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        #: Prefixes predeclared for every query, and used to shorten IRIs in tables.
        self.namespaces = NamespaceManager(Graph(), bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            self.namespaces.bind(prefix, namespace, override=True)
        self.prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- building -----------------------------------------------------------------------------

    def sources(self) -> list[str]:
        """Names of the sources in the store (``ontology``, ``seed``, ``file/x.ttl``...)."""
        return self.store.names()

    def is_initialised(self) -> bool:
        """Whether ``init`` has run: the store has sources (a user may remove any of them later)."""
        return bool(self.store.names())

    def init(self) -> None:
        """(Re)load the ontology, countries, NUTS 2021 regions and the seed graph."""
        self.store.publish({name: build() for name, build in BUILT_IN_SOURCES.items()})

    def load(self, paths: str | os.PathLike | Iterable[str | os.PathLike], format: str | None = None) -> list[str]:
        """Load RDF files, each as the source ``file/<file name>`` (replacing an earlier load).

        All files are written before any is published: if one fails, the store is left as it was.
        """
        sources, provenance = {}, Graph()
        for path in _paths(paths):
            if not path.is_file():
                raise StoreError(f"cannot read {path}: no such file")
            name = f"file/{path.name}"
            if name in sources:
                raise StoreError(f"two files are named {path.name}: each is stored as {name}; load them one by one")
            sources[name] = (path, media_type(path, format))
            provenance += source_provenance(name, [path])
        self.store.publish(sources, provenance)
        return list(sources)

    def remove(self, name: str) -> bool:
        """Remove a source (e.g. ``file/x.ttl``); return whether there was one."""
        return self.store.remove(name)

    # -- asking -------------------------------------------------------------------------------

    def _bound(self, query: str | NamedQuery, params: dict) -> str:
        """The query text with its parameters bound, names of things resolved to their IRIs first."""
        named = query if isinstance(query, NamedQuery) else resolve(query)
        return named.bind(resolve_parameters(self, named, params))

    def result(self, query: str | NamedQuery, **params: object) -> Result:
        """The rdflib ``Result`` of a named query, a ``.rq`` file or SPARQL text, parameters bound."""
        return self.store.query(self._bound(query, params), self.prefixes)

    def query(self, query: str | NamedQuery, **params: object) -> list[ResultRow] | Graph | bool:
        """Rows of a SELECT (``row.name`` or ``row["name"]``), a graph for CONSTRUCT, a bool for ASK."""
        result = self.result(query, **params)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph
        return list(result)

    def rows(self, query: str | NamedQuery, **params: object) -> list[tuple[str | None, ...]]:
        """Rows of a SELECT as tuples of plain strings (IRIs, lexical forms; None if unbound): fast, for bulk reads."""
        return self.store.rows(self._bound(query, params), self.prefixes)

    def query_df(self, query: str | NamedQuery, **params: object):
        """A SELECT answer as a pandas DataFrame of Python values (IRIs as strings); needs pandas."""
        import pandas  # optional dependency: `pip install coopgraph[dataframe]`

        result = self.result(query, **params)
        if result.type != "SELECT":
            raise QueryError(f"query_df needs a SELECT query, not {result.type}; use query()")
        columns = [str(v) for v in result.vars]
        rows = [[None if t is None else (str(t) if isinstance(t, URIRef) else t.toPython()) for t in row]
                for row in result]
        return pandas.DataFrame(rows, columns=columns)

    def serialized(self, query: str | NamedQuery, solutions_type: str, graph_type: str,
                   **params) -> tuple[str, bytes]:
        """A query's answer serialised as a SPARQL endpoint would: (the media type used, the bytes)."""
        return self.store.query_serialized(self._bound(query, params), self.prefixes, solutions_type, graph_type)

    def stats(self) -> Stats:
        """Triples per source and counts of the main kinds of things."""
        row = self.query("counts")[0]
        return Stats(self.store.sizes(), {str(name): int(row[name]) for name in row.labels})

    def export(self, output: IO[bytes], format: str = "ttl", source: str | None = None) -> None:
        """Write one source, or all, as Turtle (``ttl``), N-Triples (``nt``) or JSON-LD (their union), or N-Quads
        (``nquads``) or TriG (``trig``): each source in its named graph, with the catalog and its provenance."""
        self.store.export(output, media_type(declared=format), source, self.prefixes)

    def validate(self, paths: str | os.PathLike | Iterable[str | os.PathLike] = ()) -> ValidationReport:
        """SHACL-validate RDF files (with pySHACL), or the whole store when none are given (with the shapes as
        SPARQL queries, which find what pySHACL finds: pySHACL over a store of a million triples takes minutes).

        Files are checked against the ontology and what the store knows of the things they refer
        to (so a new participation may point to a project already in the store); only problems
        of the files' own nodes are reported.
        """
        paths = _paths(paths)
        if not paths:  # at full size: the shapes as SPARQL, where the data is
            return validate_by_queries(lambda sparql: self.store.query(sparql, {}))
        data = Graph()
        for path in paths:
            try:
                data.parse(path, format=_RDFLIB_PARSERS[media_type(path)])
            except (OSError, SyntaxError, ValueError) as error:
                raise StoreError(f"cannot read {path}: {' '.join(str(error).split())}") from error
        context = data + BUILT_IN_SOURCES["ontology"]() + self._types_of(set(data.all_nodes()))
        report = validate(context)
        own = set(data.subjects())
        return ValidationReport(report.conforms or not any(v.focus in own for v in report.violations),
                                tuple(v for v in report.violations if v.focus in own))

    def _types_of(self, nodes: set) -> Graph:
        """The ``rdf:type`` triples the store holds about the given IRIs."""
        iris = " ".join(sparql_term(node) for node in nodes if isinstance(node, URIRef))
        if not iris:
            return Graph()
        return self.query(f"CONSTRUCT {{ ?x a ?type }} WHERE {{ VALUES ?x {{ {iris} }} ?x a ?type }}")


def open_knowledge_graph(store: str | os.PathLike | None = None, *, initialise: bool = True,
                         on_init: Callable[[str], None] | None = None, update_endpoint: str | None = None,
                         graph_store_endpoint: str | None = None) -> KnowledgeGraph:
    """Open the knowledge graph in ``store`` (a directory, ``:memory:``, a SPARQL server's query endpoint URL, or
    the default).

    The default is ``$COOPGRAPH_STORE`` or ``./coopgraph-store``. A server's update and Graph Store Protocol
    endpoints are ``update_endpoint`` and ``graph_store_endpoint``, else guessed (see
    :func:`coopgraph.store.remote.open_remote`). A store that has not been initialised yet is initialised first
    (unless ``initialise`` is false); ``on_init`` is told so with a one-line notice. Exported as ``coopgraph.open``.
    """
    kg = KnowledgeGraph(open_store(store, update=update_endpoint, graph_store=graph_store_endpoint))
    if initialise and not kg.is_initialised():
        if on_init is not None:
            on_init(f"initialising {kg.store} with the ontology, countries, NUTS 2021 and the seed graph")
        kg.init()
    return kg
