"""Where the triples live: one named graph per source, queried as their union, in one of two stores.

Each source (``seed``, ``nuts-2021``, ``file/x.ttl``, ``cordis/organization.csv.gz``...) is written
into a fresh *version graph* that no query sees, then published by one small update of the
*catalog graph*, which says which version graph is current for each source and holds the
source's provenance. Queries read the union of the published graphs and the catalog. So a load
that fails, is interrupted with Ctrl-C or is killed outright leaves the store as it was; its
half-written version graph is invisible and dropped at the next write.

Two implementations of :class:`Store`, chosen by the location (:func:`open_store`):

- :mod:`.oxigraph`: Oxigraph embedded, on disk or in memory (the default);
- :mod:`.remote`: any SPARQL 1.1 server, by its query, update and Graph Store Protocol endpoints.

Only this package speaks to Oxigraph or to a server; answers come back as rdflib terms and results.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO, Callable, Iterator, Mapping, Protocol, Union
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.query import Result

from coopgraph.vocab import GRAPH

#: Store location used when neither ``--store`` nor ``COOPGRAPH_STORE`` says otherwise.
DEFAULT_LOCATION = "coopgraph-store"
#: Environment variable naming the store location.
LOCATION_VARIABLE = "COOPGRAPH_STORE"
#: Environment variables of a store on a server: its update and Graph Store Protocol endpoints, its credentials.
UPDATE_VARIABLE = "COOPGRAPH_UPDATE_ENDPOINT"
GRAPH_STORE_VARIABLE = "COOPGRAPH_GRAPH_STORE_ENDPOINT"
USER_VARIABLE = "COOPGRAPH_STORE_USER"
PASSWORD_VARIABLE = "COOPGRAPH_STORE_PASSWORD"
#: Location that means "in memory, gone when the process ends" (for tests and notebooks).
MEMORY = ":memory:"
#: The graph that lists the published version graph of each source, with its provenance.
CATALOG = GRAPH["catalog"]

#: RDF media types by file suffix (or format name), for loading, validating and exporting.
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "rdf": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
#: The formats that hold named graphs: a whole-store export in one of them keeps each source's graph and the catalog.
DATASET_MEDIA_TYPES = {"application/n-quads", "application/trig"}

#: What a source's content may be: an rdflib graph, or serialised RDF (a file, a stream, bytes)
#: with its media type.
RdfData = Union[Graph, tuple[Union[Path, IO[bytes], bytes], str]]


class MadeTriples(io.RawIOBase):
    """N-Triples that coopgraph's own code writes (an import converting rows), read as a file while they are made.

    Their IRIs are minted from percent-encoded parts and their literals escaped as they are written, so the
    embedded store loads them without validating them again (a tenth of Oxigraph's loading work); anything
    else given to a store, a file or a user's bytes, is validated.
    """

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._piece:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._piece = memoryview(piece)
        size = min(len(buffer), len(self._piece))
        buffer[:size] = self._piece[:size]
        self._piece = self._piece[size:]
        return size


#: What the catalog says about sources being published: a graph, or a function that gives it once their data is
#: written (see :meth:`Store.publish`).
Provenance = Union[Graph, Callable[[], Graph], None]


class StoreError(Exception):
    """A store cannot be opened, read or written; the message says why in one line."""


class Store(Protocol):
    """What the rest of coopgraph needs from a triple store."""

    #: Whether queries run on another machine (the networks then let the server count).
    remote: bool

    def query(self, sparql: str, prefixes: Mapping[str, str]) -> Result: ...

    def query_serialized(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str,
                         graph_type: str) -> tuple[str, bytes]: ...

    def write_answer(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str, graph_type: str,
                     output: IO[bytes]) -> str: ...

    def rows(self, sparql: str, prefixes: Mapping[str, str]) -> list[tuple[str | None, ...]]: ...

    def publish(self, sources: Mapping[str, RdfData], provenance: Provenance = None) -> None: ...

    def remove(self, name: str) -> bool: ...

    def names(self) -> list[str]: ...

    def versions(self) -> frozenset[str]: ...

    def sizes(self) -> dict[str, int]: ...

    def graph_of(self, name: str) -> str | None: ...

    def export(self, output: IO[bytes], media_type: str, name: str | None = None,
               prefixes: Mapping[str, str] | None = None) -> None: ...

    def close(self) -> None: ...


def resolve_location(location: str | os.PathLike | None = None) -> str:
    """Return the store location: the argument, else ``$COOPGRAPH_STORE``, else the default."""
    if location is None or str(location) == "":
        location = os.environ.get(LOCATION_VARIABLE) or DEFAULT_LOCATION
    return str(location)


def is_remote(location: str) -> bool:
    """Whether a location is a server's SPARQL query endpoint (an http or https URL), not a directory."""
    return location.lower().startswith(("http://", "https://"))


def open_store(location: str | os.PathLike | None = None, update: str | None = None,
               graph_store: str | None = None) -> Store:
    """Open the store at ``location`` (see :func:`resolve_location`): a server's query endpoint when it is an http(s)
    URL (with its ``update`` and ``graph_store`` endpoints, see :func:`.remote.open_remote`), else Oxigraph in that
    directory (created if needed) or in memory."""
    location = resolve_location(location)
    if is_remote(location):
        from coopgraph.store.remote import open_remote

        return open_remote(location, update, graph_store)
    if update or graph_store:
        raise StoreError("--update-endpoint and --graph-store-endpoint go with a store on a SPARQL server (an http(s) "
                         f"URL), not with {location}")
    from coopgraph.store.oxigraph import OxigraphStore

    return OxigraphStore(None if location == MEMORY else Path(location))


def source_iri(name: str) -> URIRef:
    """The stable IRI of a source (its catalog entry), e.g. ``.../graph/file/x.ttl``."""
    return GRAPH[quote(name, safe="/")]


def media_type(path: Path | None = None, declared: str | None = None) -> str:
    """The RDF media type of a file, from a format name (``ttl``, ``nt``...) or the file's suffix."""
    key = (declared or (path.suffix if path else "")).lower().lstrip(".")
    if key in MEDIA_TYPES:
        return MEDIA_TYPES[key]
    what = f"the RDF format of {path.name}" if path and not declared else f"the RDF format {declared!r}"
    raise StoreError(f"cannot tell {what}: use one of {', '.join(sorted(MEDIA_TYPES))}")
