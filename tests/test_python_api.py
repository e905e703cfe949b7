"""The Python API: ``coopgraph.open`` and the knowledge graph's query methods; the docstring examples."""

import doctest
import importlib

import pytest
from rdflib import Graph, URIRef

import coopgraph
from conftest import FIXTURES, ROOT
from coopgraph import QueryError
from coopgraph.validation import validate

MODULES = ["coopgraph", "coopgraph.knowledge_graph", "coopgraph.sparql", "coopgraph.vocab", "coopgraph.store.terms",
           "coopgraph.importers.countries", "coopgraph.importers.nuts", "coopgraph.importers.nuts_versions",
           "coopgraph.importers.values", "coopgraph.network.geography",
           "coopgraph.network.weights", "coopgraph.network.build", "coopgraph.network.analysis",
           "coopgraph.network.ranking", "coopgraph.network.export", "coopgraph.network.html"]


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


def test_query_df_needs_a_select(kg):
    with pytest.raises(QueryError, match="needs a SELECT"):
        kg.query_df("ASK { ?s ?p ?o }")


def test_one_path_or_several(fresh_kg):
    assert fresh_kg.load(str(FIXTURES / "extra-project.ttl")) == ["file/extra-project.ttl"]
    assert fresh_kg.validate(FIXTURES / "extra-project.ttl").conforms


def test_a_file_is_validated_against_what_the_store_knows(kg):
    report = kg.validate([FIXTURES / "new-partner.ttl"])
    assert report.conforms, report.violations
    # alone, the project it points to is unknown: the same file does not conform in an empty context
    from rdflib import Graph

    alone = Graph().parse(FIXTURES / "new-partner.ttl") + Graph().parse(
        ROOT / "ontology" / "coopgraph.ttl")
    assert not validate(alone).conforms


def test_validating_a_broken_file_reports_only_its_own_nodes(kg):
    report = kg.validate([FIXTURES / "broken.ttl"])
    assert not report.conforms
    own = {s for s in Graph().parse(FIXTURES / "broken.ttl").subjects() if isinstance(s, URIRef)}
    named = [v.focus for v in report.violations if isinstance(v.focus, URIRef)]
    assert len(named) == len(report.violations) and set(named) <= own
    assert any(v.focus == URIRef("https://w3id.org/coopgraph/id/project/broken-alpha") and "coop:currency" in v.message
               for v in report.violations)  # an amount without its currency
