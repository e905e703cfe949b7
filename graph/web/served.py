"""The knowledge graph a server shows: the newest snapshot of an on-disk store, followed while the server runs.

The server holds no lock on the store, so ``coopgraph import`` (and ``remove``, ``load``...) work while it runs:
each publication takes a snapshot (see :mod:`coopgraph.snapshots`), and the server moves to it at the next
request after it appears (it looks at most once a second), then tells what it has cached to start again
(:meth:`ServedGraph.subscribe`). The snapshot it leaves stays leased for as long as a query may still read it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.snapshots import Snapshots
from coopgraph.store import OxigraphStore, StoreError

#: How often, at most, the server looks for a newer snapshot.
CHECK_SECONDS = 1.0


class ServedGraph:
    """A knowledge graph as a server shows it: :attr:`kg` is the graph to read now, :attr:`location` the directory
    worker processes open (None: in memory), :attr:`generation` counts the moves to a newer snapshot."""

    def __init__(self, kg: KnowledgeGraph, snapshots: Snapshots | None = None, keep_seconds: float = 60.0) -> None:
        """``kg`` as it is (a graph that does not change under the server: in memory, or on disk and held by this
        process), or, with ``snapshots``, the snapshot it reads; the snapshot it leaves stays leased
        ``keep_seconds`` (the longest a query may run)."""
        self._kg, self.snapshots, self.keep_seconds = kg, snapshots, keep_seconds
        self.location: Path | None = getattr(kg.store, "path", None)
        self.generation = 0
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    @classmethod
    def following(cls, store: Path, keep_seconds: float = 60.0) -> ServedGraph:
        """The newest snapshot of the store at ``store``, followed; the store must have one (see
        :meth:`.OxigraphStore.snapshot`)."""
        snapshots = Snapshots(store)
        current = snapshots.current()
        if current is None:
            raise StoreError(f"{store} has no snapshot to serve")
        snapshots.lease({current})
        return cls(KnowledgeGraph(OxigraphStore(current, read_only=True)), snapshots, keep_seconds)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each move to a newer snapshot (to drop what was computed from the old one)."""
        self._listeners.append(listener)

    @property
    def kg(self) -> KnowledgeGraph:
        if self.snapshots is not None and time.monotonic() - self._checked > CHECK_SECONDS:
            self._follow()
        return self._kg

    def _follow(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            current = self.snapshots.current()
            if current is None or current == self.location:
                return
            left = self.location
            self.snapshots.lease({left, current})
            self._kg = KnowledgeGraph(OxigraphStore(current, read_only=True))
            self.location = current
            self.generation += 1
        for listener in self._listeners:
            listener()
        timer = threading.Timer(self.keep_seconds, self._let_go)  # queries started on the old one have ended
        timer.daemon = True
        timer.start()

    def _let_go(self) -> None:
        with self._lock:
            self.snapshots.lease({self.location})
            self.snapshots.clean()

    def close(self) -> None:
        """Stop reading snapshots: they are released (and the store unwatched when no other server reads it). A
        graph given as it is stays open: it belongs to the caller. Closing twice is harmless."""
        if self.snapshots is not None:
            self._kg.close()
            self.snapshots.release()
