"""Snapshots of an on-disk store, so that a server reads while an import writes.

Oxigraph lets one process write a store and locks it against the others; its read-only opening is undefined
while another process writes. So a server never reads the store itself: it reads a *snapshot*, a RocksDB
checkpoint of the store as last published, which nothing writes (hard links to the store's immutable files: it
takes milliseconds and almost no space). While a server watches the store (its ``snapshots`` folder exists),
every write that publishes (``import``, ``load``, ``remove``, ``init``, ``match``) takes a new snapshot and
names it in ``snapshots/current``; the server sees the name change and moves to it. Each server leases the
snapshots it still reads (``snapshots/leases/<pid>``); the others are deleted by whoever takes the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Iterator

#: The folder inside a store that holds its snapshots; a store has one while a server watches it.
FOLDER = "snapshots"
#: A snapshot's name: the time it was taken (nanoseconds, so names sort by time) and the taker's process.
_NAME = re.compile(r"\d{20}-\d+")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old text or the new one, never a part."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


class Snapshots:
    """The snapshots of the store at ``store``: taking them (writers), finding and leasing them (servers)."""

    def __init__(self, store: Path) -> None:
        self.folder = Path(store) / FOLDER
        self.leases = self.folder / "leases"

    def watched(self) -> bool:
        """Whether a server reads snapshots of this store (so each publication must take one). A folder that no
        live process leases (its server was killed) goes: the store is not watched."""
        if not self.folder.is_dir():
            return False
        with self._locked():
            if self._readers():
                return True
            shutil.rmtree(self.folder, ignore_errors=True)
        return False

    def take(self, backup: Callable[[str], None]) -> Path:
        """Take a snapshot with ``backup(directory)`` (the store's checkpoint), make it current, delete those
        nobody reads; returns its directory."""
        self.leases.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}"  # sorts by time
        backup(str(self.folder / name))
        _write_atomically(self.folder / "current", name)
        self.clean()
        return self.folder / name

    def current(self) -> Path | None:
        """The directory of the newest snapshot, if there is one."""
        try:
            name = (self.folder / "current").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self.folder / name if name and (self.folder / name).is_dir() else None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Leasing and cleaning exclude each other (across processes), so no snapshot is deleted between a
        server's reading ``current`` and its lease."""
        self.leases.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def lease(self, snapshots: set[Path]) -> None:
        """Say that this process reads ``snapshots`` (and no others), so that nobody deletes them."""
        with self._locked():
            self._write_lease(snapshots)

    def _write_lease(self, snapshots: set[Path]) -> None:
        _write_atomically(self.leases / str(os.getpid()), "\n".join(sorted(path.name for path in snapshots)))

    def hold_current(self, also: set[Path] = frozenset()) -> Path | None:
        """Lease the newest snapshot, with ``also``, and return it (None when there is none)."""
        with self._locked():
            current = self.current()
            self._write_lease({*also, *([current] if current else [])})
            return current

    def release(self) -> None:
        """This process reads no snapshot any more; with no other reader left, the store is no longer watched."""
        (self.leases / str(os.getpid())).unlink(missing_ok=True)
        self.watched()

    def _readers(self) -> dict[int, set[str]]:
        """The snapshots each live process reads; the leases of dead ones are dropped."""
        readers = {}
        for lease in self.leases.glob("[0-9]*") if self.leases.is_dir() else ():
            if _alive(int(lease.name)):
                readers[int(lease.name)] = set(lease.read_text(encoding="utf-8").split())
            else:
                lease.unlink(missing_ok=True)
        return readers

    def clean(self) -> None:
        """Delete the snapshots older than the current one that nobody leases (never one being written: a
        checkpoint under way has another name, and a newer one is about to become current)."""
        with self._locked():
            current = self.current()
            if current is None:
                return
            leased = {name for names in self._readers().values() for name in names}
            for snapshot in self.folder.iterdir():
                if _NAME.fullmatch(snapshot.name) and snapshot.name < current.name and snapshot.name not in leased:
                    shutil.rmtree(snapshot, ignore_errors=True)
