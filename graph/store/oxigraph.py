"""The embedded store: Oxigraph, in a directory on disk or in memory.

On disk, one process holds the store's lock; a server reads snapshots instead (see :mod:`coopgraph.snapshots`).
Writing a source is Oxigraph's bulk loader into its version graph (copying a graph in place, with SPARQL
``MOVE``, took 81 s for 720,000 triples here; publishing takes milliseconds).
"""

from __future__ import annotations

import io
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Iterator, Mapping

import pyoxigraph as ox
from rdflib import Graph
from rdflib.query import Result

from coopgraph.snapshots import Snapshots
from coopgraph.store import CATALOG, DATASET_MEDIA_TYPES, MadeTriples, RdfData, StoreError
from coopgraph.store.answers import as_result, as_rows, one_line, write
from coopgraph.store.catalog import CatalogStore, interrupts_remembered
from coopgraph.store.terms import to_ox

#: Formats read line by line, so that a stream of them can be loaded in pieces cut at line ends.
LINE_MEDIA_TYPES = {"application/n-triples", "application/n-quads"}
#: How much of a stream one bulk load takes (about 200,000 triples of an import); smaller pieces overlap more but
#: leave Oxigraph more files to merge. The first pieces are smaller, so that writing starts sooner.
PIECE_BYTES, FIRST_PIECE_BYTES = 32 << 20, 4 << 20
#: Pieces written at once (Oxigraph's own loader runs two batches at once too), and held at most: the stream is
#: read ahead of the loaders, which finish its last pieces on every core once it ends.
LOADERS, PIECES_HELD = 2, 4


def _pieces(stream: IO[bytes], first: int, size: int) -> Iterator[bytes]:
    """A stream of lines in pieces of about ``first`` bytes, then twice as many up to ``size``, each ending at a
    line's end; the last piece is cut in two, so that two loaders finish it."""
    rest, want = b"", min(first, size)
    while True:
        parts, read = [rest], 0
        while read < want and (block := stream.read(want - read)):
            parts.append(block)
            read += len(block)
        data = b"".join(parts)
        if read < want:  # the end of the stream
            half = data.rfind(b"\n", 0, len(data) // 2) + 1
            yield from (piece for piece in (data[:half], data[half:]) if piece)
            return
        cut = data.rfind(b"\n") + 1  # none in a piece (a line of 16 MB or more): read on
        if cut:
            yield data[:cut]
        rest, want = data[cut:], min(2 * want, size)


class OxigraphStore(CatalogStore):
    """An embedded Oxigraph store: a directory on disk, or memory when ``path`` is None."""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        """``read_only`` opens an on-disk store without its lock, for reading a snapshot (see :mod:`.snapshots`)
        that nothing writes: Oxigraph's read-only opening is undefined while another process writes."""
        self.path = path
        try:
            if read_only:
                self._ox = ox.Store.read_only(str(path))
            else:
                if path is not None:
                    path.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as error:
            raise StoreError(f"cannot open store {path}: {error}") from error
        self._published = self._read_catalog()
        self._clean = not self._stray_graphs()

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else "the in-memory store"

    # -- reading ------------------------------------------------------------------------------

    def _graphs(self) -> dict:
        """Which graphs a query reads: all of them when all are published (Oxigraph's union is 3 times
        faster than a list of graphs), else only the published ones and the catalog."""
        if self._clean:
            return {"use_default_graph_as_union": True}
        graphs = [ox.NamedNode(graph) for graph in (*self._published.values(), str(CATALOG))]
        return {"default_graph": graphs, "named_graphs": graphs}

    def _ask(self, sparql: str, prefixes: Mapping[str, str]):
        try:
            return self._ox.query(sparql, prefixes=dict(prefixes), **self._graphs())
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL: {one_line(error)}") from error
        except OSError as error:
            raise StoreError(f"the query failed: {one_line(error)}") from error

    def query(self, sparql: str, prefixes: Mapping[str, str]) -> Result:
        """Run a SPARQL query over the union of the published sources and the catalog."""
        return as_result(self._ask(sparql, prefixes))

    def query_serialized(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str,
                         graph_type: str) -> tuple[str, bytes]:
        """Run a query and serialise its answer as a SPARQL endpoint would: (the media type used, the bytes).

        ``solutions_type`` (e.g. ``text/csv``) is used for SELECT and ASK answers, ``graph_type``
        (e.g. ``text/turtle``) for CONSTRUCT and DESCRIBE ones.
        """
        output = io.BytesIO()
        return self.write_answer(sparql, prefixes, solutions_type, graph_type, output), output.getvalue()

    def write_answer(self, sparql: str, prefixes: Mapping[str, str], solutions_type: str, graph_type: str,
                     output: IO[bytes]) -> str:
        """Like :meth:`query_serialized`, but the answer is written to ``output`` as it is serialised (a few
        kilobytes at a time; an exception raised by ``output.write`` stops the query); returns the media type."""
        answer = self._ask(sparql, prefixes)
        try:
            return write(answer, solutions_type, graph_type, output)
        finally:  # Oxigraph's answer must go in this thread, not with a traceback that another thread drops
            del answer

    def rows(self, sparql: str, prefixes: Mapping[str, str]) -> list[tuple[str | None, ...]]:
        """The rows of a SELECT as plain strings (an IRI, a literal's lexical form; None if unbound).

        The bulk path for networks: 80,000 rows come back in about 1.4 s, against 2.5 s as rdflib terms.
        """
        return as_rows(self._ask(sparql, prefixes))

    def sizes(self) -> dict[str, int]:
        """Number of triples of each published source, by name."""
        graphs = [ox.NamedNode(graph) for graph in self._published.values()] or [ox.NamedNode(str(CATALOG))]
        rows = self._ox.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                              named_graphs=graphs)
        counts = {row["g"].value: int(row["n"].value) for row in rows}
        return {name: counts.get(graph, 0) for name, graph in sorted(self._published.items())}

    def export(self, output: IO[bytes], media_type: str, name: str | None = None,
               prefixes: Mapping[str, str] | None = None) -> None:
        """Write one source, or all of them, to ``output`` as it goes (never the whole export in memory).

        In N-Quads or TriG, all of them means every published graph under its own name and the catalog, which
        names each source's graph and holds its provenance; in a format without graphs, their union.
        """
        prefixes = dict(prefixes or {})
        format = ox.RdfFormat.from_media_type(media_type)
        if name is not None and name not in self._published:
            raise StoreError(f"no source named {name!r}")
        if media_type in DATASET_MEDIA_TYPES:
            graphs = [self._published[name]] if name is not None else [*self._published.values(), str(CATALOG)]
            quads = (quad for graph in graphs
                     for quad in self._ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            ox.serialize(quads, output, format=format, prefixes=prefixes)
        elif name is not None:
            self._ox.dump(output, format=format, from_graph=ox.NamedNode(self._published[name]), prefixes=prefixes)
        else:
            union = self._ask("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {})
            ox.serialize(union, output, format=format, prefixes=prefixes)

    # -- the catalog's primitives -------------------------------------------------------------------

    def _select(self, sparql: str) -> list[tuple[str | None, ...]]:
        return as_rows(self._ox.query(sparql))

    def _update(self, sparql: str) -> None:
        self._ox.update(sparql)  # one update request is one transaction

    def _unpublished(self) -> set[str]:
        # Also every named graph that is neither published nor the catalog: a store written by an older coopgraph,
        # which did not announce its writes, may hold some.
        return super()._unpublished() | self._stray_graphs()

    def _write(self, version: str, data: RdfData, name: str) -> None:
        self._clean = False  # from now on there are graphs that queries must not see
        graph = ox.NamedNode(version)
        if isinstance(data, Graph):
            self._ox.extend(ox.Quad(*(to_ox(term) for term in triple), graph) for triple in data)
            return
        source, media_type = data
        format = ox.RdfFormat.from_media_type(media_type)
        with interrupts_remembered() as check_interrupts:  # the native loader swallows Ctrl-C
            try:
                if isinstance(source, (Path, bytes)) or media_type not in LINE_MEDIA_TYPES:
                    where = {"path": source} if isinstance(source, Path) else {"input": source}
                    self._ox.bulk_load(**where, format=format, to_graph=graph)
                else:
                    self._load_while_reading(source, format, graph, lenient=isinstance(source, MadeTriples))
            except (SyntaxError, ValueError, OSError) as error:
                raise StoreError(f"cannot load {name}: {one_line(error)}") from error
            check_interrupts()

    def _load_while_reading(self, stream: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode,
                            lenient: bool) -> None:
        """Bulk-load a stream of lines piece by piece, in threads, while the next pieces are read.

        A stream made as it is read (an import converting rows) then overlaps with Oxigraph's writing: one
        ``bulk_load`` of the whole stream would start writing only after its first million triples, and would
        run the stream's Python code in its reading. Errors of the stream come out as they are, once the
        pieces being written are finished. ``lenient`` skips validating what coopgraph wrote itself (see
        :class:`~coopgraph.store.MadeTriples`).
        """
        loader, writing = ThreadPoolExecutor(LOADERS, thread_name_prefix="coopgraph-load"), deque()
        try:
            for piece in _pieces(stream, FIRST_PIECE_BYTES, PIECE_BYTES):
                if len(writing) == PIECES_HELD:  # the stream waits for the loaders
                    writing.popleft().result()
                writing.append(loader.submit(self._ox.bulk_load, piece, format, to_graph=graph, lenient=lenient))
            for piece in writing:
                piece.result()
        finally:  # after an error, the pieces being written are finished and the others left
            loader.shutdown(cancel_futures=True)

    def _drop(self, graph: str) -> None:
        self._ox.remove_graph(ox.NamedNode(graph))

    def _changed(self) -> None:
        self._clean = not self._stray_graphs()
        if self.path is None:
            return
        # What transactions wrote is then in the store's files, not only in its log: the next process to open the
        # store need not replay the log (half a second after `init`, paid by the import that followed).
        self._ox.flush()
        if Snapshots(self.path).watched():
            self.snapshot()

    def snapshot(self) -> Path:
        """Take a snapshot of the store as published, for a server to read (see :mod:`.snapshots`)."""
        if self.path is None:
            raise StoreError("an in-memory store has no snapshots")
        return Snapshots(self.path).take(self._ox.backup)

    def close(self) -> None:
        """Release the store (and, on disk, its lock, so another process may open it); closing twice is harmless."""
        self.__dict__.pop("_ox", None)
