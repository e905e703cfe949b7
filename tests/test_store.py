"""The store: a named graph per source, union queries, and loads that are all or nothing."""

import hashlib
import io
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
from rdflib import Graph

import coopgraph
from conftest import FIXTURES, raw_graphs
from coopgraph.store import CATALOG, StoreError, source_iri
from coopgraph.store.oxigraph import _pieces
from coopgraph.vocab import COOP

FORMATS = ["extra-project.ttl", "extra-project.nt", "extra-project.jsonld", "extra-project.rdf"]
BUILT_IN = {"ontology", "countries", "nuts-2021", "seed"}


def test_init_puts_each_source_in_its_own_graph(kg):
    sizes = kg.store.sizes()
    assert set(sizes) == BUILT_IN
    assert all(size > 0 for size in sizes.values())
    # each source's triples are in its own named graph, which the catalog names
    graphs = kg.query(f"SELECT ?name ?g WHERE {{ GRAPH <{CATALOG}> {{ ?s coop:sourceName ?name ; coop:graph ?g }} }}")
    assert {str(row.name) for row in graphs} == BUILT_IN
    (row,) = kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{graphs[0].g}>) }}")
    assert int(row.n) == sizes[str(graphs[0].name)]


@pytest.mark.parametrize("fixture", FORMATS)
def test_every_rdf_format_loads_into_a_graph_named_after_the_file(fresh_kg, fixture):
    (name,) = fresh_kg.load([FIXTURES / fixture])
    assert name == f"file/{fixture}"
    assert fresh_kg.store.sizes()[name] == len(Graph().parse(FIXTURES / fixture))
    # the union sees the new project together with the NUTS graph it points into
    rows = fresh_kg.query("organisations-in-region", region="FI1D")
    assert [str(row.name) for row in rows] == ["Oulun kaupunki"]


def test_a_loaded_file_has_provenance_in_the_catalog(fresh_kg):
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    (row,) = fresh_kg.query("SELECT ?file ?sha ?time WHERE { ?s coop:sourceName 'file/extra-project.ttl' ; "
                            "prov:used ?used ; coop:graph ?g . ?used coop:fileName ?file ; coop:sha256 ?sha . "
                            "?g prov:generatedAtTime ?time }")
    assert str(row.file) == "extra-project.ttl"
    assert str(row.sha) == hashlib.sha256((FIXTURES / "extra-project.ttl").read_bytes()).hexdigest()


def test_loading_a_file_again_replaces_its_graph(fresh_kg):
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    before = fresh_kg.store.sizes()
    fresh_kg.load([FIXTURES / "extra-project.ttl"])
    assert fresh_kg.store.sizes() == before
    assert len(fresh_kg.query("SELECT ?g WHERE { ?s coop:sourceName 'file/extra-project.ttl' ; coop:graph ?g }")) == 1


def test_a_failing_file_leaves_the_store_as_it_was(fresh_kg):
    before = fresh_kg.store.sizes()
    with pytest.raises(StoreError, match="cannot load .*not-turtle.ttl"):
        fresh_kg.load([FIXTURES / "extra-project.ttl", FIXTURES / "not-turtle.ttl"])
    assert fresh_kg.store.sizes() == before  # neither file
    assert fresh_kg.query("ASK { GRAPH ?g { ?s coop:acronym 'ARCTIC-BRIDGE' } }") is False


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
    assert set(fresh_kg.store.sizes()) == BUILT_IN
    assert fresh_kg.query("ASK { ?s coop:sourceName 'file/extra-project.ttl' }") is False


def test_unpublished_graphs_are_invisible_and_dropped_at_the_next_write(tmp_path):
    path = tmp_path / "store"
    coopgraph.open(path).close()
    raw = ox.Store(str(path))  # what a load killed before publishing leaves behind
    leftover = ox.NamedNode(f"{source_iri('file/x.ttl')}#deadbeef")
    raw.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode(str(COOP.acronym)), ox.Literal("GHOST"), leftover))
    del raw
    kg = coopgraph.open(path)
    assert kg.query("ASK { ?s coop:acronym 'GHOST' }") is False
    assert kg.query("ASK { GRAPH ?g { ?s coop:acronym 'GHOST' } }") is False
    kg.load([FIXTURES / "extra-project.ttl"])
    kg.close()
    assert leftover not in set(ox.Store(str(path)).named_graphs())


LOADER = """
import sys, coopgraph
kg = coopgraph.open(sys.argv[1])
print("loading", flush=True)
kg.store.publish({"file/endless.nt": (sys.stdin.buffer, "application/n-triples")})
print("done", flush=True)
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_a_load_interrupted_midway_leaves_the_store_as_it_was(tmp_path, how):
    store = tmp_path / "store"
    with coopgraph.open(store) as kg:
        sizes_before = kg.store.sizes()
    loader = subprocess.Popen([sys.executable, "-c", LOADER, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert loader.stdout.readline().strip() == b"loading"
    # feed half a million triples and never close the input: the load cannot finish
    for block in range(50):
        loader.stdin.write("".join(f'<https://example.org/s{block}-{i}> <https://example.org/p> "v{i}" .\n'
                                   for i in range(10_000)).encode())
    loader.stdin.flush()
    time.sleep(0.5)
    loader.send_signal(how)
    loader.wait(timeout=60)
    assert loader.returncode != 0
    assert loader.stdout.read().strip() == b""  # never got to "done"
    with coopgraph.open(store) as kg:
        assert kg.store.sizes() == sizes_before
        assert kg.query("ASK { ?s <https://example.org/p> ?o }") is False
        assert kg.query("ASK { GRAPH ?g { ?s <https://example.org/p> ?o } }") is False


PUBLISHER = """
import pathlib, sys, coopgraph
kg = coopgraph.open(sys.argv[1])
print("publishing", flush=True)
kg.store.publish({"file/big.nt": (pathlib.Path(sys.argv[2]), "application/n-triples")})
print("published", flush=True)
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_while_oxigraph_writes_publishes_nothing(tmp_path, how):
    # Oxigraph's bulk loader does not see signals itself: the store holds them and honours them before
    # publishing anything.
    store, big = tmp_path / "store", tmp_path / "big.nt"
    with open(big, "w") as out:
        for i in range(600_000):
            out.write(f'<https://example.org/s{i}> <https://example.org/p> "v{i}" .\n')
    with coopgraph.open(store) as kg:
        sizes_before = kg.store.sizes()
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(store), str(big)], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    assert publisher.stdout.readline().strip() == "publishing"
    time.sleep(1.0)
    assert publisher.poll() is None, "the write finished before the signal: make the file bigger"
    publisher.send_signal(how)
    publisher.wait(timeout=120)
    assert publisher.returncode != 0 and "published" not in publisher.stdout.read()
    with coopgraph.open(store) as kg:
        assert kg.store.sizes() == sizes_before
        assert kg.query("ASK { GRAPH ?g { ?s <https://example.org/p> ?o } }") is False


def ntriples(count: int, long_every: int = 0) -> bytes:
    """``count`` triples as N-Triples; every ``long_every``-th one has a literal longer than a piece (see below)."""
    values = ("x" * 5000 if long_every and i % long_every == 0 else i for i in range(count))
    return "".join(f'<https://example.org/s{i}> <https://example.org/p> "{value}" .\n'
                   for i, value in enumerate(values)).encode()


@pytest.fixture
def small_pieces(monkeypatch):
    """Streams loaded in pieces of 2 kB (about 30 triples), so that even a small one is written in many."""
    monkeypatch.setattr("coopgraph.store.oxigraph.PIECE_BYTES", 2000)


def test_a_stream_is_loaded_in_pieces_cut_at_line_ends_to_the_same_triples(fresh_kg, small_pieces):
    data = ntriples(3000, long_every=700)  # lines of 5 kB: longer than a piece, read on to their end
    fresh_kg.store.publish({"file/whole.nt": (data, "application/n-triples"),
                            "file/streamed.nt": (io.BytesIO(data), "application/n-triples")})
    exported = []
    for name in ("file/whole.nt", "file/streamed.nt"):
        out = io.BytesIO()
        fresh_kg.export(out, "nt", name)
        exported.append(set(out.getvalue().splitlines()))
    assert exported[0] == exported[1] == set(data.splitlines())


def test_a_stream_is_cut_in_growing_pieces_at_line_ends_and_its_last_piece_in_two():
    data = ntriples(3000)
    pieces = list(_pieces(io.BytesIO(data), 4000, 20_000))
    assert b"".join(pieces) == data and all(piece.endswith(b"\n") for piece in pieces)
    wanted = [4000, 8000, 16_000, *[20_000] * (len(pieces) - 5)]
    assert all(abs(len(piece) - size) < 100 for piece, size in zip(pieces, wanted, strict=False))  # (lines of 60 B)
    sizes = [len(piece) for piece in pieces]
    assert abs(sizes[-1] - sizes[-2]) < 200  # the rest of the stream, halved: both loaders finish it
    assert list(_pieces(io.BytesIO(b""), 4000, 20_000)) == []


class Failing(io.RawIOBase):
    """N-Triples that fail after ``good`` bytes, as a conversion that meets a damaged file would."""

    def __init__(self, good: int) -> None:
        self.data, self.at, self.good = ntriples(5000), 0, good

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.at >= self.good:
            raise EOFError("the stream broke")
        size = min(len(buffer), self.good - self.at, 500)
        buffer[:size] = self.data[self.at:self.at + size]
        self.at += size
        return size


def test_a_stream_failing_midway_publishes_nothing_and_leaves_no_graph(tmp_path, small_pieces):
    store = tmp_path / "store"
    with coopgraph.open(store) as kg:
        sizes_before = kg.store.sizes()
    graphs_before = raw_graphs(store)
    stream = Failing(good=200_000)  # 100 pieces written before it breaks
    with coopgraph.open(store) as kg:
        with pytest.raises(EOFError, match="the stream broke"):  # as the stream raised it, not as a load error
            kg.store.publish({"file/x.nt": (stream, "application/n-triples")})
        assert stream.at == 200_000
        assert kg.store.sizes() == sizes_before
        assert kg.query("ASK { GRAPH ?g { ?s <https://example.org/p> ?o } }") is False
    assert raw_graphs(store) == graphs_before


def test_provenance_given_once_the_data_is_written_may_still_refuse_it(tmp_path):
    store = tmp_path / "store"
    with coopgraph.open(store) as kg:
        sizes_before = kg.store.sizes()
    graphs_before = raw_graphs(store)
    stream = io.BytesIO(ntriples(100))

    def refuse():
        assert stream.tell() == len(stream.getvalue())  # called once the source is read and written
        raise RuntimeError("refused")

    with coopgraph.open(store) as kg:
        with pytest.raises(RuntimeError, match="refused"):
            kg.store.publish({"file/x.nt": (stream, "application/n-triples")}, refuse)
        assert kg.store.sizes() == sizes_before
    assert raw_graphs(store) == graphs_before
