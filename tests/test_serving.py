"""A server you can leave running: queries that really stop, bounded waiting, and imports while it serves."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import anyio
import pytest
from starlette.testclient import TestClient

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.snapshots import Snapshots
from coopgraph.web import Limits, create_app

#: Runs for hours on the seed graph (every triple three times over): only a kill stops it.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PROJECTS = "SELECT ?p ?acronym WHERE { ?p a coop:Project ; coop:acronym ?acronym } ORDER BY ?acronym"


def _children_cpu_seconds() -> float:
    """CPU seconds used so far by this process's child processes that are still alive (the query workers)."""
    total = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@pytest.fixture
def disk_kg(store_copy):
    with coopgraph.open(store_copy) as kg:
        yield kg


def test_a_query_past_its_limit_is_stopped_and_the_server_is_quiet_again(disk_kg):
    with TestClient(create_app(disk_kg, Limits(timeout=1.0, workers=1, queue=0))) as client:
        queries = client.app.state.queries
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]  # the worker is up
        started = time.monotonic()
        response = client.get("/sparql", params={"query": RUNAWAY})
        assert response.status_code == 503 and "longer than 1 s" in response.text
        assert time.monotonic() - started < 5
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]  # by the replacement
        assert queries.processes() == 1 and queries.started == 2  # killed, and replaced
        before = _children_cpu_seconds()
        time.sleep(1.0)
        assert _children_cpu_seconds() - before < 0.3  # a live runaway query would burn a whole second


def test_beyond_the_workers_and_the_queue_the_answer_is_503_at_once(disk_kg):
    with TestClient(create_app(disk_kg, Limits(timeout=3.0, workers=1, queue=1))) as client:
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        answers: list = []
        slow = [threading.Thread(target=lambda: answers.append(client.get("/sparql", params={"query": RUNAWAY})))
                for _ in range(2)]  # one runs, one waits
        for thread in slow:
            thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        refused = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert refused.status_code == 503 and "busy" in refused.text and time.monotonic() - started < 0.5
        for thread in slow:
            thread.join()
        assert sorted(answer.status_code for answer in answers) == [503, 503]


def test_a_worker_answers_as_the_store_does_and_stops_at_the_size_limit(disk_kg):
    expected = disk_kg.serialized(PROJECTS, "text/csv", "text/turtle")
    with TestClient(create_app(disk_kg, Limits(max_result_bytes=len(expected[1]) - 1, workers=1))) as client:
        queries = client.app.state.queries
        small = client.get("/sparql", params={"query": PROJECTS + " LIMIT 2"}, headers={"Accept": "text/csv"})
        assert small.status_code == 200 and small.content == b"\r\n".join(expected[1].split(b"\r\n")[:3]) + b"\r\n"
        big = client.get("/sparql", params={"query": PROJECTS}, headers={"Accept": "text/csv"})
        assert big.status_code == 413 and f"larger than {len(expected[1]) - 1:,} bytes" in big.text
        assert queries.started == 1  # refusing a large answer does not cost the worker
    with TestClient(create_app(disk_kg, Limits(workers=1))) as client:
        whole = client.get("/sparql", params={"query": PROJECTS}, headers={"Accept": "text/csv"})
        assert whole.status_code == 200 and whole.content == expected[1]


# -- snapshots: a server reads them, writers take them ------------------------------------------------------


def test_snapshots_nobody_reads_are_deleted_and_leases_keep_the_others(tmp_path):
    snapshots = Snapshots(tmp_path)
    assert not snapshots.watched() and snapshots.current() is None
    first = snapshots.take(lambda target: Path(target).mkdir())
    snapshots.lease({first})
    second = snapshots.take(lambda target: Path(target).mkdir())
    assert snapshots.current() == second and first.is_dir()  # leased: kept
    (snapshots.leases / "999999999").write_text(first.name)  # the lease of a process that is gone
    snapshots.lease({second})
    third = snapshots.take(lambda target: Path(target).mkdir())
    assert not first.is_dir() and second.is_dir() and snapshots.current() == third
    assert not (snapshots.leases / "999999999").exists()
    snapshots.release()
    assert not snapshots.watched()  # no reader left: writers stop taking snapshots


def _serve(store: Path, *options: str, **popen) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "coopgraph", "--store", str(store), "serve", "--port", "0",
                               *options], stderr=subprocess.PIPE, text=True, **popen)
    line = server.stderr.readline()
    found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    assert found, line
    return server, found.group(1)


def _ask(url: str, query: str) -> bool:
    with urllib.request.urlopen(url + "sparql?" + urllib.parse.urlencode({"query": query}), timeout=30) as answer:
        return answer.read().decode().find("true") >= 0


def _until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_imports_run_while_the_server_runs_and_it_shows_them(store_copy):
    new = "ASK { <https://example.org/fixture/arctic-bridge> a coop:Project }"
    server, url = _serve(store_copy)
    try:
        assert _ask(url, "ASK { ?p coop:acronym 'PIKE' }") and not _ask(url, new)
        loaded = run_cli("load", str(FIXTURES / "extra-project.ttl"), store=store_copy)
        assert loaded.returncode == 0, loaded.stderr  # the server holds no lock
        assert _until(lambda: _ask(url, new))
        with urllib.request.urlopen(url + "index.json", timeout=30) as home:
            assert "file/extra-project.ttl" in home.read().decode()
        removed = run_cli("remove", "file/extra-project.ttl", store=store_copy)
        assert removed.returncode == 0, removed.stderr
        assert _until(lambda: not _ask(url, new))
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert not (store_copy / "snapshots").exists()  # no server: no snapshots
    assert run_cli("query", new, store=store_copy, check=True).stdout.strip() == "no"  # the store as published


def test_once_it_says_it_is_serving_ctrl_c_stops_it(store_copy):
    """Even when started with Ctrl-C ignored, as a shell starts a command in the background (CI does): the
    server says it is serving only once it listens for Ctrl-C itself. It said so earlier, and a Ctrl-C sent at
    once was lost: the server went on."""
    for _ in range(3):
        server, _url = _serve(store_copy, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            pytest.fail("the server went on after Ctrl-C")


def test_a_page_past_the_time_limit_is_503_and_ready_when_asked_again(kg, monkeypatch):
    from coopgraph.web import networks

    def slow(*args, **keywords):
        time.sleep(2)
        return built(*args, **keywords)

    built = networks.network
    monkeypatch.setattr(networks, "network", slow)
    client = TestClient(create_app(kg, Limits(timeout=0.5)))
    started = time.monotonic()
    response = client.get("/network", params={"of": "countries"})
    assert response.status_code == 503 and "longer than 0.5 s" in response.text
    assert time.monotonic() - started < 1.5
    assert _until(lambda: client.get("/network", params={"of": "countries"}).status_code == 200, 10)


def _children(pid: int) -> set[int]:
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def test_workers_end_with_a_server_killed_mid_query(store_copy):
    server, url = _serve(store_copy, "--timeout", "600")
    try:
        assert _ask(url, "ASK { ?s ?p ?o }")
        workers = _children(server.pid)
        assert workers
        def ask_for_ever() -> None:
            with contextlib.suppress(OSError):  # the server is killed under it
                _ask(url, RUNAWAY)

        runaway = threading.Thread(target=ask_for_ever, daemon=True)
        runaway.start()
        time.sleep(1)
    finally:
        server.kill()  # no chance to stop its workers
        server.communicate(timeout=30)
    assert _until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 10)


def test_a_query_that_crashes_the_engine_costs_a_worker_not_the_server(disk_kg):
    chain = "ASK { FILTER(" + " || ".join(["?a"] * 20000) + ") }"  # past the depth of Oxigraph's parser stack
    with TestClient(create_app(disk_kg, Limits(workers=1))) as client:
        response = client.post("/sparql", content=chain, headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 400 and "failed on this query" in response.text
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]
        deep = client.get("/sparql", params={"query": "ASK " + "{" * 101 + "}" * 101})
        assert deep.status_code == 400 and "more than 100 deep" in deep.text


def test_home_counts_and_search_follow_what_is_published_meanwhile(fresh_kg, monkeypatch):
    from coopgraph.web import served

    monkeypatch.setattr(served, "CHECK_SECONDS", 0.0)  # look at every request
    client = TestClient(create_app(fresh_kg))
    projects = client.get("/index.json").json()["counts"]["projects"]
    assert client.get("/search.json", params={"q": "arctic bridge"}).json()["hits"] == 0
    fresh_kg.load(FIXTURES / "extra-project.ttl")
    assert client.get("/index.json").json()["counts"]["projects"] == projects + 1
    found = client.get("/search.json", params={"q": "arctic bridge"}).json()["results"]
    assert [hit["iri"] for hit in found] == ["https://example.org/fixture/arctic-bridge"]
    fresh_kg.remove("file/extra-project.ttl")
    assert client.get("/index.json").json()["counts"]["projects"] == projects


def test_a_turn_is_held_until_the_work_ends_and_given_back_exactly_once():
    from coopgraph.web.admission import Admission, Busy, PastTime

    async def scenario() -> None:
        admission = Admission(1, 0, "pages")
        with pytest.raises(PastTime):  # given up before its thread began: the turn goes back at once
            await admission.run(time.monotonic() - 1, lambda: "never")
        assert await admission.run(time.monotonic() + 5, lambda: "done") == "done"
        with pytest.raises(PastTime):  # past its time, the work goes on and holds its turn
            await admission.run(time.monotonic() + 0.1, time.sleep, 0.6)
        with pytest.raises(Busy):
            await admission.run(time.monotonic() + 5, lambda: "refused")
        await anyio.sleep(0.8)
        assert await admission.run(time.monotonic() + 5, lambda: "again") == "again"
        with pytest.raises(ValueError):  # a turn is given back once: a second release would raise here
            admission._turns.release()

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # a loop of its own: the browser tests run one here
        thread.submit(anyio.run, scenario).result()


def test_snapshots_left_are_kept_while_they_may_be_read_then_deleted(store_copy, monkeypatch):
    from coopgraph.web import served
    from coopgraph.web.served import ServedGraph

    monkeypatch.setattr(served, "CHECK_SECONDS", 0.0)
    with coopgraph.open(store_copy) as writer:
        shown = ServedGraph.of(writer, keep_seconds=1.0)
        seen = [shown.location]
        writer.load(FIXTURES / "extra-project.ttl")  # a publication while it is watched: a snapshot
        shown.refresh()
        seen.append(shown.location)
        writer.remove("file/extra-project.ttl")  # another one at once: the first two are still leased
        shown.refresh()
        seen.append(shown.location)
        assert len(set(seen)) == 3 and all(path.is_dir() for path in seen) and shown.generation == 2
        assert _until(lambda: not seen[0].exists() and not seen[1].exists(), 10)  # then let go, and deleted
        assert seen[2].is_dir() and shown.kg.query("ASK { ?p coop:acronym 'PIKE' }")
        shown.close()
    assert not (store_copy / "snapshots").exists()
