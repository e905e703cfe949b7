"""The knowledge graph a server shows: the newest snapshot of an on-disk store, followed while the server runs.

The server holds no lock on the store, so ``coopgraph import`` (and ``remove``, ``load``...) work while it runs:
each publication takes a snapshot (see :mod:`coopgraph.snapshots`), and the server moves to it as the next
request starts (it looks at most once a second), then tells what it has cached to start again
(:meth:`ServedGraph.subscribe`). The snapshot it leaves stays leased for as long as a query may still read it.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.snapshots import Snapshots
from coopgraph.store.oxigraph import OxigraphStore

#: How often, at most, the server looks for a newer snapshot.
CHECK_SECONDS = 1.0


class ServedGraph:
    """A knowledge graph as a server shows it: :attr:`kg` is the graph to read now, :attr:`location` the directory
    worker processes open (None: in memory), :attr:`generation` counts the changes seen (a newer snapshot, or a
    publication into an in-memory graph). Use :meth:`of`."""

    def __init__(self, kg: KnowledgeGraph, snapshots: Snapshots | None = None, keep_seconds: float = 60.0) -> None:
        """``kg`` in memory, as it is; or, with ``snapshots``, the snapshot it reads. A snapshot the server leaves
        stays leased ``keep_seconds`` (longer than a query or a page may go on reading it)."""
        self._kg, self.snapshots, self.keep_seconds = kg, snapshots, keep_seconds
        self.location: Path | None = getattr(kg.store, "path", None) if snapshots else None
        self.generation = 0
        self._reading: dict[Path, float] = {self.location: math.inf} if self.location else {}  # until when
        self._checked = time.monotonic()
        self._versions = kg.store.versions()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._timers: list[threading.Timer] = []
        self._closed = False

    @classmethod
    def of(cls, kg: KnowledgeGraph, keep_seconds: float = 60.0) -> ServedGraph:
        """What a server shows of ``kg``: a store on disk as its newest snapshot, followed (``kg`` may go on
        writing: from now on each of its publications takes a snapshot, as other processes' do); a graph in
        memory as it is; a store on a SPARQL server as it is, read-only (its catalog is read again at most once a
        second, to follow other processes' publications)."""
        if kg.store.remote:  # read-only, and no request waits for the server longer than a query may go on
            kg.store.read_only, kg.store.timeout = True, keep_seconds
        location = getattr(kg.store, "path", None)
        if location is None:
            return cls(kg)
        snapshots = Snapshots(location)
        snapshots.lease(set())  # watched from now on
        kg.store.snapshot()
        current = snapshots.hold_current()
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
        if time.monotonic() - self._checked <= CHECK_SECONDS:
            return
        if self.snapshots is not None:
            self._follow()
        else:
            self._notice_publications()

    def _changed(self) -> None:
        self.generation += 1
        for listener in self._listeners:
            listener()

    def _notice_publications(self) -> None:
        """A graph in memory changes only by this process (a notebook that imports while it serves); a store on a
        server by any: its catalog says."""
        with self._lock:
            self._checked = time.monotonic()
            versions, self._versions = self._versions, self._kg.store.versions()
        if versions != self._versions:
            self._changed()

    def _follow(self) -> None:
        with self._lock:
            self._checked = now = time.monotonic()
            if self.snapshots.current() in (None, self.location):
                return
            self._reading[self.location] = now + self.keep_seconds  # queries and pages may still read it
            current = self.snapshots.hold_current(set(self._reading))
            if current is None:  # the folder went (every server stopped, or was killed): keep what is open
                return
            self._reading[current] = math.inf
            self._kg = KnowledgeGraph(OxigraphStore(current, read_only=True))
            self.location = current
            timer = threading.Timer(self.keep_seconds + 0.1, self._let_go)
            timer.daemon = True
            self._timers = [*(kept for kept in self._timers if kept.is_alive()), timer]
            timer.start()
        self._changed()

    def _let_go(self) -> None:
        """Stop leasing the snapshots left longer ago than ``keep_seconds``, and delete them."""
        with self._lock:
            if self._closed:
                return
            now = time.monotonic()
            self._reading = {path: until for path, until in self._reading.items() if until > now}
            self.snapshots.lease(set(self._reading))
        self.snapshots.clean()

    def close(self) -> None:
        """Stop reading snapshots: they are released (and the store unwatched when no other server reads it). A
        graph in memory stays open: it belongs to the caller. Closing twice is harmless."""
        with self._lock:
            self._closed = True
            for timer in self._timers:
                timer.cancel()
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
