"""The catalog, shared by every store: which version graph is published for each source, and how it changes.

A store gives four primitives (read rows over the whole dataset, run an update, write RDF into a graph,
drop a graph); :class:`CatalogStore` builds publishing and removing on them, in standard SPARQL 1.1, so
an embedded Oxigraph and a remote server follow the same steps:

1. the version graph about to be written is announced in the catalog (``coop:unpublishedGraph``), so
   that a write that never finishes is found and dropped by the next one, on any server;
2. the sources are written, each into its own fresh version graph, which no query reads (a write that
   fails or is refused drops them at once);
3. one update operation moves the catalog entries to the new graphs: readers see all old entries or all
   new ones (Oxigraph and Virtuoso run one operation whole or not at all);
4. the previous version graphs are dropped. A query that read the catalog before the move may find a source's
   graph gone: on a server, where readers and writers are different processes, it then answers as if that
   source were empty, once (the embedded store's server reads snapshots instead).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import uuid
from datetime import datetime, timezone
from typing import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from coopgraph.store import CATALOG, Provenance, RdfData, StoreError, source_iri
from coopgraph.store.terms import sparql_term
from coopgraph.vocab import COOP

_CATALOG = sparql_term(CATALOG)


class CatalogStore:
    """Publishing, removing and naming sources, over the primitives each store implements."""

    #: Whether queries run on another machine (the networks then let the server count).
    remote = False
    #: The published version graph of each source, by name, as last read from the catalog.
    _published: dict[str, str]

    # -- the primitives -------------------------------------------------------------------------

    def _select(self, sparql: str) -> list[tuple[str | None, ...]]:
        """Rows of a SELECT over the whole dataset (every graph, published or not) as plain strings."""
        raise NotImplementedError

    def _update(self, sparql: str) -> None:
        """Run one SPARQL 1.1 update request."""
        raise NotImplementedError

    def _write(self, version: str, data: RdfData, name: str) -> None:
        """Write a source's triples into the (new, empty) graph ``version``."""
        raise NotImplementedError

    def _drop(self, graph: str) -> None:
        """Drop a graph, if it exists."""
        raise NotImplementedError

    def _changed(self) -> None:
        """Called after every publication or removal."""

    # -- reading ----------------------------------------------------------------------------------

    def _read_catalog(self) -> dict[str, str]:
        rows = self._select(f"SELECT ?name ?graph WHERE {{ GRAPH {_CATALOG} {{ ?source {sparql_term(COOP.graph)} "
                            f"?graph ; {sparql_term(COOP.sourceName)} ?name }} }}")
        return {name: graph for name, graph in rows}

    def _named_graphs(self) -> set[str]:
        """Every named graph in the store, published or not."""
        return {graph for (graph,) in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")}

    def _stray_graphs(self) -> set[str]:
        """The named graphs that are neither published nor the catalog: being written, left by a write that never
        finished, or (on a server) anyone else's data."""
        return self._named_graphs() - {*self._published.values(), str(CATALOG)}

    def _unpublished(self) -> set[str]:
        """The graphs written for a publication that never finished (announced in the catalog, never published)."""
        rows = self._select(f"SELECT DISTINCT ?graph WHERE {{ GRAPH {_CATALOG} {{ "
                            f"?source {sparql_term(COOP.unpublishedGraph)} ?graph }} }}")
        return {graph for (graph,) in rows} - set(self._published.values())

    def names(self) -> list[str]:
        """Names of the published sources."""
        return sorted(self._published)

    def versions(self) -> frozenset[str]:
        """The published version graphs: every publication and removal changes them (a cache's key)."""
        return frozenset(self._published.values())

    def graph_of(self, name: str) -> str | None:
        """The published version graph of a source, or None if there is no such source."""
        return self._published.get(name)

    # -- writing ----------------------------------------------------------------------------------

    def publish(self, sources: Mapping[str, RdfData], provenance: Provenance = None) -> None:
        """Write each source into a new version graph, then make them all current at once.

        ``provenance`` holds what the catalog should say about the sources (subjects are their
        :func:`source_iri`); it replaces what the catalog said about them before. It may be a function,
        called once every source is written: a source streamed as it is made (an import) is known only
        then, and the function may still refuse it by raising. If anything fails, or the process is
        interrupted, no source changes; the graphs written are dropped at once after a failure, and by the
        next write after an interruption (Ctrl-C should not wait for a big graph to be dropped).
        """
        self._drop_unpublished()
        versions = {name: f"{source_iri(name)}#{uuid.uuid4().hex}" for name in sources}
        self._update(_insert((source_iri(name), COOP.unpublishedGraph, URIRef(version))
                             for name, version in versions.items()))
        try:
            for name, data in sources.items():
                self._write(versions[name], data, name)
            said = provenance() if callable(provenance) else provenance
        except Exception:
            with contextlib.suppress(Exception):  # the error to report is the one that stopped the publication
                self._drop_unpublished()
            raise
        about, now = Graph(), Literal(datetime.now(timezone.utc), datatype=XSD.dateTime)
        for name, version in versions.items():
            about.add((source_iri(name), COOP.sourceName, Literal(name)))
            about.add((source_iri(name), COOP.graph, URIRef(version)))
            about.add((URIRef(version), PROV.generatedAtTime, now))
        about += said or Graph()
        self._swap_catalog_entries(list(versions), about)
        self._drop_unpublished()  # the versions left behind
        self._changed()

    def remove(self, name: str) -> bool:
        """Remove a source; return whether there was one."""
        self._drop_unpublished()
        if name not in self._published:
            return False
        self._swap_catalog_entries([name], Graph())
        self._drop_unpublished()
        self._changed()
        return True

    def _swap_catalog_entries(self, names: list[str], about: Graph) -> None:
        """Replace what the catalog says about the sources ``names`` by ``about``, in one update operation, which
        Oxigraph and Virtuoso both run whole or not at all (Virtuoso keeps the first operations of a request whose
        last one fails). The version graphs left behind are announced as unpublished, to be dropped."""
        left = [(source_iri(name), COOP.unpublishedGraph, URIRef(self._published[name]))
                for name in names if name in self._published]
        sources = " || ".join(f"?s = {sparql_term(source_iri(name))} || "  # the source and its parts (#input-0...)
                              f"STRSTARTS(STR(?s), {sparql_term(Literal(f'{source_iri(name)}#'))})" for name in names)
        triples = " ".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in [*about, *left])
        # OPTIONAL: one solution even when the catalog says nothing of the sources yet, so the INSERT happens
        self._update(f"DELETE {{ GRAPH {_CATALOG} {{ ?s ?p ?o }} }} INSERT {{ GRAPH {_CATALOG} {{ {triples} }} }} "
                     f"WHERE {{ OPTIONAL {{ GRAPH {_CATALOG} {{ ?s ?p ?o FILTER({sources}) }} }} }}")
        self._published = self._read_catalog()

    def _drop_unpublished(self) -> None:
        """Drop the graphs no publication uses: left by one that failed, or left behind by a newer version. A drop
        that fails (a server's time limit) is tried again at the next write: the graph is invisible meanwhile."""
        dropped = []
        for graph in sorted(self._unpublished()):
            with contextlib.suppress(StoreError):
                self._drop(graph)
                dropped.append(graph)
        if dropped:
            values = " ".join(sparql_term(URIRef(graph)) for graph in dropped)
            self._update(f"DELETE {{ GRAPH {_CATALOG} {{ ?source {sparql_term(COOP.unpublishedGraph)} ?graph }} }} "
                         f"WHERE {{ VALUES ?graph {{ {values} }} GRAPH {_CATALOG} {{ "
                         f"?source {sparql_term(COOP.unpublishedGraph)} ?graph }} }}")


def _insert(triples: Iterable[tuple]) -> str:
    """An ``INSERT DATA`` of triples into the catalog."""
    lines = " ".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in triples)
    return f"INSERT DATA {{ GRAPH {_CATALOG} {{ {lines} }} }}"


@contextlib.contextmanager
def interrupts_remembered():
    """Remember Ctrl-C and SIGTERM while a store writes, so that none is lost.

    The handler raises ``KeyboardInterrupt`` as usual, which surfaces wherever Python code runs
    (reading a stream, say), but native code (Oxigraph's bulk loader) swallows it; so the signal is also
    remembered, and the yielded callable raises it again before anything is published.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    received: list[int] = []

    def interrupted(number, frame):
        received.append(number)
        raise KeyboardInterrupt(f"interrupted by signal {number}")

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}

    def check() -> None:
        if received:
            raise KeyboardInterrupt(f"interrupted by signal {received[0]}")

    try:
        yield check
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
