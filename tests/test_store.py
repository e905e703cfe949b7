"""The store: a named graph per source, union queries, and loads that are all or nothing."""

import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

import coopgraph
from conftest import FIXTURES
from coopgraph.store import StoreError, open_store
from coopgraph.vocab import GRAPH

FORMATS = ["extra-project.ttl", "extra-project.nt", "extra-project.jsonld", "extra-project.rdf"]
BUILT_IN = {GRAPH.ontology, GRAPH.countries, GRAPH["nuts-2021"], GRAPH.seed}


def test_init_puts_each_source_in_its_own_graph(kg):
    sizes = kg.store.graph_sizes()
    assert set(sizes) == BUILT_IN
    assert all(size > 0 for size in sizes.values())


@pytest.mark.parametrize("fixture", FORMATS)
def test_every_rdf_format_loads_into_a_graph_named_after_the_file(fresh_kg, fixture):
    (name,) = fresh_kg.load([FIXTURES / fixture])
    assert name == GRAPH[f"file/{fixture}"]
    assert fresh_kg.store.graph_sizes()[name] == 33
    # the union sees the new project together with the NUTS graph it points into
    rows = fresh_kg.query("organisations-in-region", region="FI1D")
    assert [str(row.name) for row in rows] == ["Oulun kaupunki"]


def test_loading_a_file_again_replaces_its_graph(fresh_kg):
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    before = fresh_kg.store.graph_sizes()
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    assert fresh_kg.store.graph_sizes() == before


def test_a_failing_file_leaves_the_store_as_it_was(fresh_kg):
    before = fresh_kg.store.graph_sizes()
    with pytest.raises(StoreError, match="cannot load .*not-turtle.ttl"):
        fresh_kg.load([FIXTURES / "extra-project.ttl", FIXTURES / "not-turtle.ttl"])
    assert fresh_kg.store.graph_sizes() == before  # neither file, no staging graph


def test_missing_file_and_unknown_format_are_refused(fresh_kg, tmp_path):
    with pytest.raises(StoreError, match="no such file"):
        fresh_kg.load([tmp_path / "absent.ttl"])
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(StoreError, match="cannot tell the RDF format of data.csv"):
        fresh_kg.load([odd])


def test_remove_a_graph(fresh_kg):
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    assert fresh_kg.remove("file/extra-project.ttl") is True
    assert fresh_kg.remove("file/extra-project.ttl") is False
    assert set(fresh_kg.store.graph_sizes()) == BUILT_IN


def test_leftover_staging_graphs_are_dropped_on_open(tmp_path):
    path = tmp_path / "store"
    raw = ox.Store(str(path))
    staging = ox.NamedNode(f"{GRAPH['staging/']}abc")
    raw.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), staging))
    del raw
    store = open_store(path)
    assert store.graph_sizes() == {}
    store.close()


def _big_ntriples(path, triples):
    with open(path, "w") as out:
        for i in range(triples):
            out.write(f'<https://example.org/s{i}> <https://example.org/p> "value {i}" .\n')


def test_a_load_killed_midway_leaves_the_store_as_it_was(tmp_path):
    store = tmp_path / "store"
    coopgraph.open(store).close()
    before = coopgraph.open(store)
    sizes_before = before.store.graph_sizes()
    before.close()
    big = tmp_path / "big.nt"
    _big_ntriples(big, 1_500_000)
    loader = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, coopgraph; kg = coopgraph.open(sys.argv[1]); print('loading', flush=True); "
         "kg.load([sys.argv[2]]); print('done', flush=True)", str(store), str(big)],
        stdout=subprocess.PIPE, text=True)
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(1.0)
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=60)
    finished = loader.stdout.read().strip() == "done"
    after = coopgraph.open(store)
    sizes_after = after.store.graph_sizes()
    after.close()
    assert not finished, "the load finished before the kill: make the file bigger"
    assert sizes_after == sizes_before
