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
from typing import Callable, TypeVar

import anyio

T = TypeVar("T")

#: How often a waiting request looks for a free turn (seconds).
POLL_SECONDS = 0.02


class Busy(Exception):
    """No turn came before the deadline, or too many requests wait already; the message says which."""


class PastTime(Exception):
    """The work was not done by its deadline (it may go on, in its turn)."""


class Admission:
    """At most ``size`` pieces of work at once, at most ``queue`` requests waiting for a turn; ``what`` names the
    work in refusals (``queries``, ``pages``)."""

    def __init__(self, size: int, queue: int, what: str) -> None:
        self.size, self.queue, self.what = size, queue, what
        self.waiting = 0
        self._turns = threading.BoundedSemaphore(size)  # released once the work has ended, by whoever saw it end

    async def _enter(self, deadline: float) -> None:
        """Take a turn, waiting until ``deadline`` (``time.monotonic()``) at most."""
        if not self._turns.acquire(blocking=False):
            if self.waiting >= self.queue:
                raise Busy(f"the server is busy: {self.size} {self.what} at once, and {self.waiting} more wait; try "
                           "again in a moment")
            self.waiting += 1
            try:
                while not self._turns.acquire(blocking=False):
                    if time.monotonic() >= deadline:
                        break
                    await anyio.sleep(POLL_SECONDS)
                else:
                    return
            finally:
                self.waiting -= 1
            raise Busy(f"the server is busy: no turn came for this request within its time limit ({self.size} "
                       f"{self.what} at once); try again in a moment")

    async def run(self, deadline: float, function: Callable[..., T], *args, grace: float = 0.0) -> T:
        """``function(*args)`` in a thread, in a turn, by ``deadline``: :class:`Busy` when no turn comes in time,
        :class:`PastTime` when the work is not done by then (it goes on in its thread, holding its turn). Work that
        stops itself at the deadline (a query whose worker is killed) is given ``grace`` seconds to do so.

        The turn goes back exactly once: when the work ends, or, if the request gave up before the thread began,
        at once (a claim that either side takes first).
        """
        await self._enter(deadline)
        claim = threading.Lock()

        def work() -> T | None:
            if not claim.acquire(blocking=False):
                return None  # given up before it began: the turn went back already
            try:
                return function(*args)
            finally:
                self._turns.release()

        with anyio.move_on_after(max(0.0, deadline + grace - time.monotonic())):
            return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        if claim.acquire(blocking=False):  # the thread never began
            self._turns.release()
        raise PastTime
