"""The SPARQL endpoint's queries run in worker processes, so that a query past its time limit really stops.

Oxigraph cannot stop a query midway and Python cannot stop a thread: a query left in a thread after its time
limit goes on burning a core. A process can be killed. So each query goes to one of at most ``size`` worker
processes, which open the store read-only (the snapshot the server shows, which nothing writes: see
:mod:`coopgraph.snapshots`); a query past its limit has its worker killed, and a new worker starts in its place
at once. Queries take turns (:mod:`.admission`): at most ``queue`` more wait; beyond that, or past their time
limit (counted from their arrival), the endpoint answers 503.
The worker sends the answer in chunks as Oxigraph serialises it and counts them: past the size limit it stops
the query, so neither process ever holds more than the limit.

An in-memory store cannot be opened by another process: its queries run in threads, under the same bounds,
and one past its time limit is answered at the limit but finishes in the background, holding its turn.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import astuple, dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from coopgraph.store import Store, StoreError
from coopgraph.store.oxigraph import OxigraphStore
from coopgraph.web.admission import Admission, Busy, PastTime

#: Queries at once (one per core: each keeps a core busy), and how many more may wait.
DEFAULT_WORKERS, DEFAULT_QUEUE = os.cpu_count() or 2, 8
#: How long a worker past its time limit may take to be killed and replaced (it takes milliseconds).
STOPPING_SECONDS = 2.0
#: Workers run at a lower CPU priority than the server, so that pages stay quick while long queries run.
NICENESS = 10


class QueryRefused(Exception):
    """A request the endpoint refuses (the protocol's rules, or the workers' limits); ``status`` is the HTTP
    status, the message the one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Job:
    """One query to answer: the SPARQL text, its prefixes, the media types to answer in, the largest answer."""

    sparql: str
    prefixes: dict[str, str]
    solutions_type: str
    graph_type: str
    max_bytes: int


class _Starting(PastTime):
    """The time was up before the worker had even started, or before it was given the query (it is fine)."""


class _TooLarge(Exception):
    """Raised from inside Oxigraph's serialiser (by :class:`_Capped`) to stop a query whose answer is too large."""


class _Capped:
    """A binary output that refuses to pass ``limit`` bytes, handing each chunk to ``send``."""

    def __init__(self, send, limit: int) -> None:
        self.send, self.limit, self.size = send, limit, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.send(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _too_large(limit: int) -> QueryRefused:
    return QueryRefused(413, f"the answer is larger than {limit:,} bytes, this endpoint's limit: add a LIMIT, "
                             "or ask for fewer columns")


def _answered(store: Store, job: Job) -> tuple[str, bytes]:
    """``job``'s answer whole: (its media type, its bytes)."""
    chunks: list[bytes] = []
    return _answer(store, job, chunks.append), b"".join(chunks)


def _answer(store: Store, job: Job, send) -> str:
    """Write ``job``'s answer to ``send`` chunk by chunk; returns its media type."""
    try:
        return store.write_answer(job.sparql, job.prefixes, job.solutions_type, job.graph_type,
                                  _Capped(send, job.max_bytes))
    except _TooLarge:
        raise _too_large(job.max_bytes) from None
    except StoreError as error:
        raise QueryRefused(400, str(error)) from None


def _end_with(server: int) -> None:
    """End this worker, even mid-query, as soon as the server that started it is gone (killed, say)."""
    while os.getppid() == server:
        time.sleep(1)
    os._exit(1)


def work(jobs: int, answers: int) -> None:
    """A worker process: answer ``(location, *job)`` messages read from the pipe ``jobs`` on the pipe ``answers``,
    until told to stop (None) or the server goes away."""
    jobs, answers = Connection(jobs, writable=False), Connection(answers, readable=False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server stops us
    os.nice(NICENESS)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    answers.send(("ready", None))  # imports done: the time limit of the first query starts now
    location, store = None, None
    while True:
        try:
            message = jobs.recv()
        except EOFError:
            return
        if message is None:
            return
        where, *fields = message
        try:
            if where != location:
                store, location = None, None  # closes the snapshot the server has left
                store, location = OxigraphStore(Path(where), read_only=True), where
            media_type = _answer(store, Job(*fields), lambda chunk: answers.send(("chunk", chunk)))
            answers.send(("done", media_type))
        except QueryRefused as refusal:
            answers.send(("refused", (refusal.status, str(refusal))))
        except Exception as error:  # noqa: BLE001 - whatever happens, the server hears of it and the worker goes on
            answers.send(("refused", (500, f"the query failed: {' '.join(str(error).split())}")))


#: What a worker process runs, given the two pipes' file descriptors.
_WORKER = "import sys; from coopgraph.web.workers import work; work(int(sys.argv[1]), int(sys.argv[2]))"


class _Worker:
    """One worker process (a fresh interpreter: forking a server full of threads is unsafe) and its two pipes."""

    def __init__(self) -> None:
        job_reader, job_writer = os.pipe()
        answer_reader, answer_writer = os.pipe()
        try:  # -P: nothing is imported from the server's working directory
            self.process = subprocess.Popen([sys.executable, "-P", "-c", _WORKER, str(job_reader), str(answer_writer)],
                                            pass_fds=(job_reader, answer_writer), stdin=subprocess.DEVNULL)
        except OSError:
            for descriptor in (job_writer, answer_reader):
                os.close(descriptor)
            raise
        finally:
            os.close(job_reader)
            os.close(answer_writer)
        self.jobs = Connection(job_writer, readable=False)
        self.answers = Connection(answer_reader, writable=False)
        self.ready = False

    def _wait_until_ready(self, deadline: float) -> None:
        """Wait for the new interpreter to finish its imports (0.2 s on an idle machine), until ``deadline``."""
        if not self.ready:
            if not self.answers.poll(max(0.0, deadline - time.monotonic())):
                raise _Starting
            if self.answers.recv() != ("ready", None):
                raise RuntimeError("a query worker failed to start")
            self.ready = True

    def run(self, location: str, job: Job, deadline: float) -> tuple[str, bytes]:
        """The answer's media type and bytes by ``deadline`` (``time.monotonic()``); :class:`QueryRefused` when the
        worker refuses, :class:`.PastTime` when the time is up, :class:`_Starting` when it was not even asked."""
        self._wait_until_ready(deadline)
        if time.monotonic() >= deadline:
            raise _Starting
        self.jobs.send((location, *astuple(job)))
        chunks = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.answers.poll(remaining):
                raise PastTime
            kind, value = self.answers.recv()
            if kind == "chunk":
                chunks.append(value)
            elif kind == "done":
                return value, b"".join(chunks)
            else:
                raise QueryRefused(*value)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.jobs.send(None)
                self.process.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                kill = True
        if kill:
            self.process.kill()
            self.process.wait()
        self.jobs.close()
        self.answers.close()


def _ended(process: subprocess.Popen) -> int | None:
    """The exit status of a worker whose pipe closed (it is gone, or going: a second at most), else None."""
    try:
        return process.wait(1)
    except subprocess.TimeoutExpired:
        return None


class QueryRunner:
    """Runs the endpoint's queries: at most ``size`` at once, at most ``queue`` more waiting (503 beyond); each
    answered or refused within ``timeout`` seconds of its arrival, waiting included (503)."""

    def __init__(self, size: int, queue: int, timeout: float) -> None:
        self.size, self.timeout = size, timeout
        self.admission = Admission(size, queue, "queries")
        self.started = 0  # worker processes started, replacements included
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _spawn(self) -> _Worker:
        if self._closed:
            raise QueryRefused(503, "the server is stopping")
        worker = _Worker()
        with self._lock:
            self._all.add(worker)
            self.started += 1
        return worker

    def _rest(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def start(self) -> None:
        """Start the workers now, so the first queries need not wait for them."""
        for _ in range(self.size - self.processes()):
            self._rest(self._spawn())

    def _in_worker(self, location: str, job: Job, deadline: float) -> tuple[str, bytes]:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        worker = worker or self._spawn()
        try:
            answer = worker.run(location, job, deadline)
        except (QueryRefused, _Starting):
            self._rest(worker)
            raise
        except BaseException as error:  # past its time, or the worker died: it may be mid-query, so it goes
            ended = _ended(worker.process) if isinstance(error, (EOFError, OSError)) else None  # how it died
            with self._lock:
                self._all.discard(worker)
            worker.stop(kill=True)
            self._rest(self._spawn())  # starting while this answer goes out
            if isinstance(error, (EOFError, OSError)):
                if ended is not None and ended < 0 and ended != -signal.SIGKILL:  # Oxigraph crashed on the query
                    raise QueryRefused(400, "the SPARQL engine failed on this query and stopped; simplify it (a "
                                            "long chain of operators, say)") from None
                raise QueryRefused(503, "the query's worker process stopped; try again") from None
            raise
        self._rest(worker)
        return answer

    async def run(self, job: Job, location: Path | None, store: Store) -> tuple[str, bytes]:
        """The answer to ``job`` (its media type, its bytes) from the store at ``location``, in a worker process;
        or, when the store is in memory (``location`` None), from ``store`` in a thread, which goes on past the
        time limit (holding its turn) as nothing can stop it."""
        deadline = time.monotonic() + self.timeout
        try:
            if location is None:
                return await self.admission.run(deadline, _answered, store, job)
            return await self.admission.run(deadline, self._in_worker, str(location), job, deadline,
                                            grace=STOPPING_SECONDS)
        except Busy as busy:
            raise QueryRefused(503, str(busy)) from None
        except PastTime:
            raise QueryRefused(503, f"the query took longer than {self.timeout:g} s, this endpoint's limit") from None

    def processes(self) -> int:
        """How many worker processes are alive (idle or at work)."""
        with self._lock:
            return len(self._all)

    def close(self) -> None:
        """Stop every worker (those at work are killed)."""
        with self._lock:
            self._closed = True
            workers, self._all, self._idle = list(self._all), set(), []
        for worker in workers:
            worker.stop()
