"""Where the triples live: one named graph per source, queried as their union.

The embedded default is Oxigraph, on disk or in memory, wrapped in an rdflib ``Dataset`` so that
callers speak rdflib. Writing goes through Oxigraph's own transactional loader, so a failed or
interrupted load never leaves a half-written graph behind. A remote SPARQL 1.1 server can be
added as another class with the same methods (see :class:`Store`) without touching callers.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Mapping, Protocol

import pyoxigraph as ox
from oxrdflib import OxigraphStore as _RdflibOxigraphStore
from oxrdflib._converter import to_ox  # rdflib term -> Oxigraph term, as oxrdflib does it
from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result

from coopgraph.vocab import GRAPH

#: Store location used when neither ``--store`` nor ``COOPGRAPH_STORE`` says otherwise.
DEFAULT_LOCATION = "coopgraph-store"
#: Environment variable naming the store location.
LOCATION_VARIABLE = "COOPGRAPH_STORE"
#: Location that means "in memory, gone when the process ends" (for tests and notebooks).
MEMORY = ":memory:"

#: RDF formats by file suffix, for loading and exporting.
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

_STAGING = GRAPH["staging/"]


class StoreError(Exception):
    """A store cannot be opened, read or written; the message says why in one line."""


class Store(Protocol):
    """What the rest of coopgraph needs from a triple store."""

    dataset: Dataset

    def query(self, sparql: str) -> Result: ...

    def query_serialized(self, sparql: str, solutions_type: str, graph_type: str) -> bytes: ...

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None: ...

    def load_graphs(self, sources: Mapping[URIRef, tuple[Path | IO[bytes], ox.RdfFormat]]) -> None: ...

    def remove_graph(self, name: URIRef) -> bool: ...

    def graph_sizes(self) -> dict[URIRef, int]: ...

    def export(self, output: IO[bytes], format: ox.RdfFormat, graph: URIRef | None = None) -> None: ...

    def close(self) -> None: ...


def resolve_location(location: str | os.PathLike | None = None) -> str:
    """Return the store location: the argument, else ``$COOPGRAPH_STORE``, else the default."""
    if location is None or str(location) == "":
        location = os.environ.get(LOCATION_VARIABLE) or DEFAULT_LOCATION
    return str(location)


def open_store(location: str | os.PathLike | None = None) -> OxigraphStore:
    """Open (creating if needed) the store at ``location``; see :func:`resolve_location`."""
    location = resolve_location(location)
    if location == MEMORY:
        return OxigraphStore(None)
    return OxigraphStore(Path(location))


def _node(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


class OxigraphStore:
    """An embedded Oxigraph store: a directory on disk, or memory when ``path`` is None."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        try:
            self._ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as error:
            raise StoreError(f"cannot open store {path}: {error}") from error
        self.dataset = Dataset(store=_RdflibOxigraphStore(store=self._ox), default_union=True)
        self._drop_staging_graphs()

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else "the in-memory store"

    def query(self, sparql: str) -> Result:
        """Run a SPARQL query over the union of all named graphs."""
        return self.dataset.query(sparql)

    def query_serialized(self, sparql: str, solutions_type: str, graph_type: str) -> bytes:
        """Run a query and serialise its answer as the given media types, as a SPARQL endpoint would.

        ``solutions_type`` (e.g. ``text/csv``) is used for SELECT and ASK answers, ``graph_type``
        (e.g. ``text/turtle``) for CONSTRUCT and DESCRIBE ones.
        """
        try:
            answer = self._ox.query(sparql, use_default_graph_as_union=True, prefixes=self._prefixes())
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL: {error}") from error
        if isinstance(answer, ox.QueryTriples):
            return answer.serialize(format=ox.RdfFormat.from_media_type(graph_type))
        return answer.serialize(format=ox.QueryResultsFormat.from_media_type(solutions_type))

    def _prefixes(self) -> dict[str, str]:
        return {prefix: str(namespace) for prefix, namespace in self.dataset.namespaces()}

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Make each graph's triples the whole content of the named graph, all or none of them."""
        staged = {}
        for name, triples in graphs.items():
            staged[name] = staging = self._new_staging_graph()
            self._ox.extend(ox.Quad(*(to_ox(term) for term in triple), staging) for triple in triples)
        self._publish(staged)

    def load_graphs(self, sources: Mapping[URIRef, tuple[Path | IO[bytes], ox.RdfFormat]]) -> None:
        """Parse RDF files into named graphs, replacing them; if any file fails, nothing changes."""
        staged = {}
        try:
            for name, (source, format) in sources.items():
                staged[name] = staging = self._new_staging_graph()
                where = {"path": source} if isinstance(source, Path) else {"input": source}
                try:
                    self._ox.load(**where, format=format, to_graph=staging)
                except (SyntaxError, ValueError, OSError) as error:
                    raise StoreError(f"cannot load {getattr(source, 'name', source)}: {error}") from error
        except BaseException:  # a parse error, Ctrl-C...: forget what was staged
            for staging in staged.values():
                self._ox.remove_graph(staging)
            raise
        self._publish(staged)

    def remove_graph(self, name: URIRef) -> bool:
        """Remove graph ``name``; return whether it existed."""
        node = _node(name)
        if not self._ox.contains_named_graph(node):
            return False
        self._ox.remove_graph(node)
        return True

    def graph_sizes(self) -> dict[URIRef, int]:
        """Number of triples in each named graph."""
        rows = self._ox.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {URIRef(row["g"].value): int(row["n"].value) for row in rows}

    def export(self, output: IO[bytes], format: ox.RdfFormat, graph: URIRef | None = None) -> None:
        """Write one named graph, or the union of all of them, to ``output``."""
        prefixes = self._prefixes()
        if graph is not None:
            self._ox.dump(output, format=format, from_graph=_node(graph), prefixes=prefixes)
            return
        union = self._ox.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        output.write(ox.serialize(union, format=format, prefixes=prefixes) or b"")

    def close(self) -> None:
        """Release the store (and, on disk, its lock, so another process may open it)."""
        self.dataset.close()
        del self._ox, self.dataset

    def _new_staging_graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{_STAGING}{uuid.uuid4().hex}")

    def _publish(self, staged: Mapping[URIRef, ox.NamedNode]) -> None:
        # One SPARQL update request is one Oxigraph transaction: readers see all the old graphs
        # or all the new ones. Graph names are serialised as IRIs by Oxigraph, never as raw text.
        operations = []
        for name, staging in staged.items():
            target = _node(name)
            if self._ox.contains_named_graph(staging):
                operations.append(f"MOVE {staging} TO {target}")
            else:  # an empty source replaces the graph with nothing
                operations.append(f"DROP SILENT GRAPH {target}")
        if operations:
            self._ox.update(" ;\n".join(operations))

    def _drop_staging_graphs(self) -> None:
        # Left over only when a load was killed between parsing and publishing.
        for graph in list(self._ox.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(str(_STAGING)):
                self._ox.remove_graph(graph)


def rdf_format(path: Path, declared: str | None = None) -> ox.RdfFormat:
    """The RDF format of a file, from an explicit name (``ttl``, ``nt``...) or its suffix."""
    key = f".{declared.lower().lstrip('.')}" if declared else path.suffix.lower()
    if key in FORMATS:
        return FORMATS[key]
    known = ", ".join(sorted({k.lstrip(".") for k in FORMATS}))
    raise StoreError(f"cannot tell the RDF format of {path.name}: use one of {known}")

