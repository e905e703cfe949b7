"""Real SPARQL 1.1 servers on 127.0.0.1 for the remote store's tests, started once per session.

Oxigraph's own server (PyPI ``oxigraph``) and Virtuoso Open Source 7 (Debian ``virtuoso-opensource``) run as child
processes on free ports, with their data in temporary directories. Without their programs the fixtures skip, unless
``COOPGRAPH_REQUIRE_SERVERS`` is set (as in CI): then they fail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from conftest import free_port

# Virtuoso's MaxQueryExecutionTime (an update too: dropping a graph of 1M triples took 10.6 s) and Oxigraph's
# --timeout-s (queries only).
QUERY_TIMEOUT_S = 30
# Virtuoso cuts results at ResultSetMaxRows with a 200 (its only sign: X-SPARQL-MaxRows): set low so that tests
# prove the client pages.
VIRTUOSO_MAX_ROWS = 1000
# Virtuoso refuses (500, SR353) an ORDER BY ... LIMIT/OFFSET that must sort more rows than this (its default, stated);
# the same ORDER BY in a sub-select, paged outside it, passes.
VIRTUOSO_MAX_SORTED_ROWS = 10000
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # a fresh Virtuoso database's administrator


@dataclasses.dataclass(frozen=True)
class SparqlServer:
    """A running server as a SPARQL 1.1 client sees it: its endpoints, the credentials they need, and ``clear``."""

    name: str
    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None
    password: str | None
    auth: str | None  # "digest", "basic", or None (no credentials asked)
    pid: int
    data_dir: Path
    # The server's own graphs, which clear() keeps (Virtuoso's); None: the server has none, so everything goes.
    own_graphs: frozenset[str] | None = None

    def http_auth(self) -> httpx2.Auth | None:
        """The credentials as httpx2 sends them."""
        kinds = {"digest": httpx2.DigestAuth, "basic": httpx2.BasicAuth}
        return kinds[self.auth](self.user, self.password) if self.auth else None

    def update(self, text: str) -> None:
        """Run a SPARQL update (POST form ``update=``)."""
        httpx2.post(self.update_url, data={"update": text}, auth=self.http_auth(), timeout=120).raise_for_status()

    def select(self, text: str, **dataset: list[str]) -> list[dict]:
        """The bindings of a SELECT (POST form ``query=``, JSON results); ``dataset`` names its
        ``default_graph_uri`` and ``named_graph_uri`` lists."""
        form = {"query": text} | {key.replace("_", "-"): value for key, value in dataset.items()}
        answer = httpx2.post(self.query_url, data=form, auth=self.http_auth(), timeout=120,
                             headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        return answer.json()["results"]["bindings"]

    def clear(self) -> None:
        """Delete every graph the tests wrote, so that tests can share one server."""
        if self.own_graphs is None:
            self.update("DROP ALL")
            return
        kept = ", ".join(f"<{graph}>" for graph in sorted(self.own_graphs))
        # A listing is cut at VIRTUOSO_MAX_ROWS graphs: list and drop until none is left.
        listing = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({kept})) }}"
        while graphs := self.select(listing):
            self.update(" ; ".join(f"DROP SILENT GRAPH <{row['g']['value']}>" for row in graphs))


def unavailable(reason: str):
    """Skip the server's tests, or fail them where the servers are required."""
    if os.environ.get("COOPGRAPH_REQUIRE_SERVERS"):
        pytest.fail(f"{reason} (COOPGRAPH_REQUIRE_SERVERS is set)", pytrace=False)
    pytest.skip(reason)


def program(name: str) -> str | None:
    """The path of a program, looked for beside this Python first (the virtual environment's bin) and then in PATH."""
    return shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


@contextlib.contextmanager
def running(command: list[str], folder: Path, ready_url: str):
    """Run ``command`` in ``folder`` until the block ends; yields the process once ``ready_url`` answers a 200.
    Stopped by its PID: terminated, then killed if it lingers."""
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not answers(ready_url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"{command[0]} did not start (exit status {process.poll()}):\n{tail}", pytrace=False)
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = 60) -> float:
    """Stop a process by its PID: terminated, then killed if it lingers ``grace`` seconds; the seconds it took."""
    started = time.monotonic()
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return time.monotonic() - started


def answers(url: str) -> bool:
    """Whether an ASK sent to ``url`` is answered with a 200."""
    try:
        return httpx2.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200
    except httpx2.TransportError:
        return False


@contextlib.contextmanager
def oxigraph(folder: Path, timeout_s: int = QUERY_TIMEOUT_S):
    """Oxigraph's own server on a free port, its data in ``folder``: no credentials; its default graph is a graph of
    its own (no union)."""
    binary = program("oxigraph")
    if binary is None:
        unavailable("the oxigraph server is not installed (pip install oxigraph)")
    base = f"http://127.0.0.1:{free_port()}"
    command = [binary, "serve", "--location", str(folder / "data"), "--bind", base.removeprefix("http://"),
               "--timeout-s", str(timeout_s)]
    with running(command, folder, f"{base}/query") as process:
        yield SparqlServer("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", None, None, None,
                           process.pid, folder / "data")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """Oxigraph's own server, for the session."""
    with oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
; 2: SQL names keep their case (with 1, the name of an ASK's answer is upper-cased and its JSON is a table)
CaseMode = 2
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
MaxQueryMem = 1G
ServerThreads = 20

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 20
MaxClientConnections = 20
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxSortedTopRows = {max_sorted_rows}
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 400
"""

# HTTP Basic endpoints beside Virtuoso's Digest ones (/sparql-auth, /sparql-graph-crud-auth): same services, same
# check of the user's password and SPARQL_UPDATE role, another challenge.
VIRTUOSO_BASIC_PATHS = """\
DB.DBA.VHOST_DEFINE(lpath=>'/sparql-basic', ppath=>'/!sparql/', is_dav=>1, vsp_user=>'dba',
  opts=>vector('noinherit', 1), auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');
DB.DBA.VHOST_DEFINE(lpath=>'/sparql-graph-crud-basic', ppath=>'/!sparql-graph-crud/', is_dav=>1, vsp_user=>'dba',
  opts=>vector('noinherit', 1, 'exec_as_get', 1), auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL',
  sec=>'basic');
"""


@contextlib.contextmanager
def virtuoso(folder: Path, max_rows: int = VIRTUOSO_MAX_ROWS, timeout_s: int = QUERY_TIMEOUT_S):
    """Virtuoso 7 on a fresh database of its own in ``folder``, on free ports, with HTTP Digest credentials (its
    /sparql-auth endpoints: its /sparql is read-only for anonymous users)."""
    binary, isql = program("virtuoso-t"), program("isql-vt")
    if binary is None or isql is None:
        unavailable("Virtuoso is not installed (apt-get install virtuoso-opensource: virtuoso-t and isql-vt)")
    http_port, sql_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
        folder=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows,
        max_sorted_rows=VIRTUOSO_MAX_SORTED_ROWS, timeout=timeout_s))
    base = f"http://127.0.0.1:{http_port}"
    with running([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")], folder,
                 f"{base}/sparql") as process:
        subprocess.run([isql, f"127.0.0.1:{sql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD,
                        f"exec={VIRTUOSO_BASIC_PATHS}"], check=True, capture_output=True, timeout=60)
        listing = httpx2.get(f"{base}/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
        yield SparqlServer("virtuoso", f"{base}/sparql-auth", f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth",
                           VIRTUOSO_USER, VIRTUOSO_PASSWORD, "digest", process.pid, folder,
                           frozenset(row["g"]["value"] for row in listing.json()["results"]["bindings"]))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Virtuoso, for the session."""
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_basic_server(virtuoso_server):
    """The same Virtuoso with HTTP Basic credentials, on the endpoints the fixture added (-basic for -auth)."""
    return dataclasses.replace(virtuoso_server, name="virtuoso-basic", auth="basic", **{
        endpoint: getattr(virtuoso_server, endpoint).replace("-auth", "-basic")
        for endpoint in ("query_url", "update_url", "graph_store_url")})


@pytest.fixture(params=["oxigraph_server", pytest.param("virtuoso_server", marks=pytest.mark.virtuoso)])
def sparql_server(request) -> SparqlServer:
    """Each server in turn, emptied for the test."""
    server = request.getfixturevalue(request.param)
    server.clear()
    return server


VIRTUOSO_FIXTURES = {"virtuoso_server", "virtuoso_basic_server"}


def pytest_collection_modifyitems(items):
    """Mark every test that uses a server ``remote``, and those that use Virtuoso ``virtuoso`` too."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & (VIRTUOSO_FIXTURES | {"oxigraph_server", "sparql_server"}):
            item.add_marker(pytest.mark.remote)
        if used & VIRTUOSO_FIXTURES:
            item.add_marker(pytest.mark.virtuoso)
