"""The knowledge graph a server shows: the newest snapshot of an on-disk store, followed while the server runs.

The server holds no lock on the store, so ``coopgraph import`` (and ``remove``, ``load``...) work while it runs:
each publication takes a snapshot (see :mod:`coopgraph.snapshots`), and the server moves to it as the next
request starts (it looks at most once a second), then tells what it has cached to start again
(:meth:`ServedGraph.subscribe`). The snapshot it leaves stays leased for as long as a query may still read it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.snapshots import Snapshots
from coopgraph.store import OxigraphStore, StoreError

#: How often, at most, the server looks for a newer snapshot.
CHECK_SECONDS = 1.0


class ServedGraph:
    """A knowledge graph as a server shows it: :attr:`kg` is the graph to read now, :attr:`location` the directory
    worker processes open (None: in memory), :attr:`generation` counts the changes seen (a newer snapshot, or a
    publication into a graph given as it is)."""

    def __init__(self, kg: KnowledgeGraph, snapshots: Snapshots | None = None, keep_seconds: float = 60.0) -> None:
        """``kg`` as it is (a graph that does not change under the server: in memory, or on disk and held by this
        process), or, with ``snapshots``, the snapshot it reads; the snapshot it leaves stays leased
        ``keep_seconds`` (the longest a query may run)."""
        self._kg, self.snapshots, self.keep_seconds = kg, snapshots, keep_seconds
        self.location: Path | None = getattr(kg.store, "path", None)
        self.generation = 0
        self._checked = time.monotonic()
        self._versions = kg.store.versions()
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
        """Call ``listener`` after each change (to drop what was computed before it)."""
        self._listeners.append(listener)

    @property
    def kg(self) -> KnowledgeGraph:
        return self._kg

    def refresh(self) -> None:
        """Move to a newer snapshot, or notice a publication, if there is one (looking at most once a second);
        called as each request starts (:class:`Refreshing`), so that a request reads one graph throughout."""
        if time.monotonic() - self._checked > CHECK_SECONDS:
            self._follow() if self.snapshots is not None else self._notice_publications()

    def _changed(self) -> None:
        self.generation += 1
        for listener in self._listeners:
            listener()

    def _notice_publications(self) -> None:
        """A graph given as it is changes only by this process (a notebook that imports while it serves)."""
        with self._lock:
            self._checked = time.monotonic()
            versions, self._versions = self._versions, self._kg.store.versions()
        if versions != self._versions:
            self._changed()

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
        self._changed()
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


class Refreshing:
    """ASGI middleware: :meth:`ServedGraph.refresh` before each request."""

    def __init__(self, app: ASGIApp, served: ServedGraph) -> None:
        self.app, self.served = app, served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.served.refresh()
        await self.app(scope, receive, send)
