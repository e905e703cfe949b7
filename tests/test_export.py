"""Whole-store exports with their named graphs: N-Quads and TriG read back to the same quads, by rdflib."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset

from conftest import FIXTURES, run_cli
from coopgraph.store import CATALOG
from coopgraph.store.terms import from_ox, to_ox


def quads(store_path) -> Counter:
    """The quads of the published graphs and the catalog, read from the store by Oxigraph (blank nodes as blank)."""
    store = ox.Store.read_only(str(store_path))
    published = {row["graph"] for row in store.query(
        "SELECT ?graph WHERE { GRAPH ?c { ?source <https://w3id.org/coopgraph/ontology#graph> ?graph } }")}
    graphs = [*published, ox.NamedNode(str(CATALOG))]
    return Counter(tuple("_:" if isinstance(t, ox.BlankNode) else str(to_ox(from_ox(t))) for t in quad)  # rdflib's
                   # normal forms, as the reader gives them ("+00:00" is "Z")
                   for graph in graphs for quad in store.quads_for_pattern(None, None, None, graph))


def read_back(path, format: str) -> Counter:
    dataset = Dataset()
    dataset.parse(path, format=format)
    return Counter(tuple("_:" if isinstance(t, BNode) else str(to_ox(t))
                         for t in (*quad[:3], getattr(quad[3], "identifier", quad[3])))
                   for quad in dataset.quads((None, None, None, None)))


@pytest.mark.parametrize("format, rdflib_format", [("nquads", "nquads"), ("trig", "trig")])
def test_a_whole_store_export_reads_back_to_the_same_quads(store_copy, tmp_path, format, rdflib_format):
    run_cli("load", str(FIXTURES / "extra-project.ttl"), store=store_copy, check=True)
    out = tmp_path / f"all.{format}"
    run_cli("export", "--format", format, "--out", str(out), store=store_copy, check=True)
    expected = quads(store_copy)
    assert read_back(out, rdflib_format) == expected
    graphs = {quad[3] for quad in expected}
    assert f"<{CATALOG}>" in graphs and len(graphs) == 6  # ontology, countries, NUTS, seed, the file, the catalog
