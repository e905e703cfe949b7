"""How much work of one kind the server takes on at once: SPARQL queries, or pages to make.

Work is counted from the moment it is admitted until it really ends, not until its request is answered: a page
answered 503 at its time limit goes on being made in its thread, and still holds its turn. So a burst of slow
requests never runs more than ``size`` pieces of work at once; the others wait their turn in the event loop
(which costs nothing), at most ``queue`` of them, each no longer than its own deadline, and are then refused
(503) without having started anything.
"""

from __future__ import annotations

import threading
import time

import anyio

#: How often a waiting request looks for a free turn (seconds).
POLL_SECONDS = 0.02


class Busy(Exception):
    """No turn came before the deadline, or too many requests wait already; the message says which."""


class Admission:
    """At most ``size`` pieces of work at once, at most ``queue`` requests waiting for a turn; ``what`` names the
    work in refusals (``queries``, ``pages``)."""

    def __init__(self, size: int, queue: int, what: str) -> None:
        self.size, self.queue, self.what = size, queue, what
        self.waiting = 0
        self._turns = threading.Semaphore(size)  # released by the thread that did the work, when it ends

    async def enter(self, deadline: float) -> None:
        """Take a turn, waiting until ``deadline`` (``time.monotonic()``) at most; :meth:`leave` gives it back."""
        if self._turns.acquire(blocking=False):
            return
        if self.waiting >= self.queue:
            raise Busy(f"the server is busy: {self.size} {self.what} at once, and {self.waiting} more wait; try "
                       "again in a moment")
        self.waiting += 1
        try:
            while not self._turns.acquire(blocking=False):
                if time.monotonic() >= deadline:
                    raise Busy(f"the server is busy: no turn came for this request within its time limit "
                               f"({self.size} {self.what} at once); try again in a moment")
                await anyio.sleep(POLL_SECONDS)
        finally:
            self.waiting -= 1

    def leave(self) -> None:
        """Give the turn back (from any thread), once the work has really ended."""
        self._turns.release()
