"""The catalog, shared by every store: which version graph is published for each source, and how it changes.

A store gives four primitives (read rows over the whole dataset, run an update, write RDF into a graph,
drop a graph); :class:`CatalogStore` builds publishing and removing on them, in standard SPARQL 1.1, so
an embedded Oxigraph and a remote server follow the same steps:

1. the version graph about to be written is announced in the catalog (``coop:unpublishedGraph``), so
   that a write that never finishes (a process killed) is found and dropped by the next one, on any server;
2. the sources are written, each into its own fresh version graph, which no query reads (a write that
   fails, is refused or is interrupted drops them at once);
3. one update request moves the catalog entries to the new graphs (readers see all old entries or all
   new ones where the server runs a request as one transaction, as Oxigraph and Virtuoso do);
4. the previous version graphs are dropped.
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

from coopgraph.store import CATALOG, Provenance, RdfData, source_iri
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
        interrupted, no source changes and the graphs written are dropped.
        """
        self._drop_unpublished()
        versions = {name: f"{source_iri(name)}#{uuid.uuid4().hex}" for name in sources}
        announced = [(source_iri(name), COOP.unpublishedGraph, URIRef(version)) for name, version in versions.items()]
        self._update(_data("INSERT", announced))
        try:
            for name, data in sources.items():
                self._write(versions[name], data, name)
            said = provenance() if callable(provenance) else provenance
        except BaseException:
            self._discard(announced)
            raise
        previous = [self._published[name] for name in versions if name in self._published]
        about, now = Graph(), Literal(datetime.now(timezone.utc), datatype=XSD.dateTime)
        for name, version in versions.items():
            about.add((source_iri(name), COOP.sourceName, Literal(name)))
            about.add((source_iri(name), COOP.graph, URIRef(version)))
            about.add((URIRef(version), PROV.generatedAtTime, now))
        about += said or Graph()
        self._swap_catalog_entries(list(versions), about)
        for version in previous:  # now unreachable: free the space
            self._drop(version)
        self._changed()

    def remove(self, name: str) -> bool:
        """Remove a source; return whether there was one."""
        self._drop_unpublished()
        if name not in self._published:
            return False
        version = self._published[name]
        self._swap_catalog_entries([name], Graph())
        self._drop(version)
        self._changed()
        return True

    def _swap_catalog_entries(self, names: list[str], about: Graph) -> None:
        # One update request: readers see all old entries or all new ones. Every term is written by
        # sparql_term (N-Triples syntax, escaped), never pasted as raw text.
        deletes = " ".join(  # the source and its parts (#input-0..., its graphs)
            f"DELETE {{ GRAPH {_CATALOG} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {_CATALOG} {{ ?s ?p ?o "
            f"FILTER(?s = {sparql_term(source_iri(name))} || "
            f"STRSTARTS(STR(?s), {sparql_term(Literal(f'{source_iri(name)}#'))})) }} }} ;" for name in names)
        self._update(f"{deletes} {_data('INSERT', about)}")
        self._published = self._read_catalog()

    def _discard(self, announced: list[tuple]) -> None:
        """Drop the graphs of a publication that failed, then their announcement; if that fails too (a server
        gone), the announcement stays and the next write drops them."""
        try:
            for _, _, version in announced:
                self._drop(str(version))
            self._update(_data("DELETE", announced))
        except Exception:  # the error to report is the one that stopped the publication
            return
        self._changed()

    def _drop_unpublished(self) -> None:
        unpublished = self._unpublished()
        for graph in unpublished:
            self._drop(graph)
        if unpublished:
            self._update(f"DELETE WHERE {{ GRAPH {_CATALOG} {{ ?source {sparql_term(COOP.unpublishedGraph)} ?g }} }}")


def _data(verb: str, triples: Iterable[tuple]) -> str:
    """An ``INSERT DATA`` or ``DELETE DATA`` (``verb``) of triples in the catalog."""
    lines = " ".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ." for s, p, o in triples)
    return f"{verb} DATA {{ GRAPH {_CATALOG} {{ {lines} }} }}"


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
