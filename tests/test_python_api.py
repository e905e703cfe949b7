"""The Python API: ``coopgraph.open`` and the knowledge graph's query methods; the docstring examples."""

import doctest
import importlib

import pytest
from rdflib import Graph, URIRef

import coopgraph

MODULES = ["coopgraph", "coopgraph.knowledge_graph", "coopgraph.sparql", "coopgraph.vocab",
           "coopgraph.importers.countries"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_query_returns_rows_graphs_and_booleans(kg):
    rows = kg.query("partners", project="MaNTT")
    assert rows[0].role == rows[0]["role"]
    assert isinstance(rows[0].organisation, URIRef)
    assert kg.query("ASK { ?p coop:acronym 'PIKE' }") is True
    assert kg.query("ASK { ?p coop:acronym 'NOPE' }") is False
    graph = kg.query("CONSTRUCT { ?p coop:acronym ?a } WHERE { ?p coop:acronym ?a }")
    assert isinstance(graph, Graph)
    assert len(graph) == int(kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?p coop:acronym ?a }")[0].n)
    acronyms = {str(o) for o in graph.objects()}
    assert {"PIKE", "INNOCAP", "MaNTT", "RIGES", "Planet", "BitStream I"} <= acronyms


def test_query_df_matches_rows(kg):
    frame = kg.query_df("region-pairs", level=3)
    rows = kg.query("region-pairs", level=3)
    assert list(frame.columns) == ["region_a", "region_b", "projects"]
    expected = [(r.region_a.value, r.region_b.value, r.projects.value) for r in rows]
    assert frame.to_records(index=False).tolist() == expected
    assert frame["projects"].dtype.kind == "i"


def test_open_initialises_a_new_store_once(tmp_path):
    notices = []
    with coopgraph.open(tmp_path / "store", on_init=notices.append) as kg:
        assert kg.is_initialised()
    with coopgraph.open(tmp_path / "store", on_init=notices.append):
        pass
    assert len(notices) == 1


def test_default_store_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COOPGRAPH_STORE", raising=False)
    with coopgraph.open():
        pass
    assert (tmp_path / "coopgraph-store").is_dir()
    monkeypatch.setenv("COOPGRAPH_STORE", str(tmp_path / "elsewhere"))
    with coopgraph.open():
        pass
    assert (tmp_path / "elsewhere").is_dir()
