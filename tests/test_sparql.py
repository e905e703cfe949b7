"""Named query headers and parameter binding: values are bound as RDF terms, never spliced as text."""

import subprocess
import sys

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from coopgraph.resolver import UnknownName
from coopgraph.sparql import THING_TYPES, NamedQuery, QueryError, bind_values, catalogue, resolve

HOSTILE = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o } #'


def test_every_named_query_has_a_header_and_parses():
    queries = catalogue()
    assert {"projects", "partners", "projects-of", "programmes", "organisations-in-region", "networks",
            "partners-of-partners", "country-pairs", "region-pairs"} <= set(queries)
    for name, query in queries.items():
        assert query.title and query.description, name
        for parameter in query.parameters:
            assert parameter.description, (name, parameter.name)
        examples = {p.name: "urn:example:thing" for p in query.parameters  # a thing's name is resolved to an IRI
                    if p.type in THING_TYPES or p.default is None}
        prepareQuery(query.bind(examples))  # rdflib's parser, independent of Oxigraph's


def test_header_declares_parameters_with_type_and_default():
    region_pairs = catalogue()["region-pairs"]
    (level,) = region_pairs.parameters
    assert (level.name, level.type, level.default) == ("level", "integer", "2")
    assert region_pairs.terms({}) == {"level": Literal(2, datatype=XSD.integer)}
    assert region_pairs.terms({"level": "3"}) == {"level": Literal(3, datatype=XSD.integer)}


def test_bad_parameters_fail_with_a_message():
    partners = catalogue()["partners"]
    with pytest.raises(QueryError, match="has no parameter 'acronym'"):
        partners.bind({"acronym": "PIKE"})
    with pytest.raises(QueryError, match="must be an integer"):
        catalogue()["region-pairs"].bind({"level": "two"})
    required = NamedQuery.parse("q", "# param: who (iri): the organisation\nSELECT * { ?who ?p ?o }")
    with pytest.raises(QueryError, match="needs parameter who"):
        required.bind({})
    with pytest.raises(QueryError, match="absolute IRI"):
        required.bind({"who": "not an iri> } DROP ALL {"})


def test_values_block_opens_every_where_group():
    text = """PREFIX ex: <http://example.org/where#>
# a comment with WHERE { in it
CONSTRUCT { ?s ex:label "WHERE {" } WHERE { ?s ex:name ?name { SELECT ?x WHERE { ?x ?y ?z } } }"""
    bound = bind_values(text, {"name": Literal("x")})
    assert bound.endswith('} WHERE { VALUES (?name) { ("x") } ?s ex:name ?name '
                          '{ SELECT ?x WHERE { VALUES (?name) { ("x") } ?x ?y ?z } } }')
    assert bind_values("ASK { ?s ?p ?o }", {"o": URIRef("http://example.org/a")}) == \
        "ASK { VALUES (?o) { (<http://example.org/a>) } ?s ?p ?o }"
    with pytest.raises(QueryError, match="no WHERE clause"):
        bind_values("DESCRIBE <http://example.org/a>", {"x": Literal(1)})


TWO_PARAMETERS = NamedQuery.parse("two", """# param: a (string, default x): first
# param: b (string, default y): second
SELECT ?a ?b WHERE { }""")


def _bound_values(a: str, b: str) -> list[tuple[str, str]]:
    answer = ox.Store().query(TWO_PARAMETERS.bind({"a": a, "b": b}))
    return [(row["a"].value, row["b"].value) for row in answer]


def test_values_that_once_broke_out_of_their_literal_stay_literals():
    # rdflib's n3() wrote 'x\n\\"' as a long literal with one quote left open; with a second
    # parameter that closes it, the query's meaning changed.
    a, b = 'x\n\\"', ' ) } ?s ?p ?o } #'
    assert _bound_values(a, b) == [(a, b)]
    assert _bound_values(HOSTILE, HOSTILE) == [(HOSTILE, HOSTILE)]


TEXT = st.characters(exclude_categories=["Cs"])  # any Unicode text: no lone surrogates
SYNTAX = st.sampled_from(['"', "'", "\\", "{", "}", "(", ")", "#", "<", ">", "?", ".", ";", "\n", "\r", " ", "x"])


@settings(max_examples=500, deadline=None, derandomize=True)  # the same cases in every run
@given(st.text(st.one_of(SYNTAX, TEXT)), st.text(st.one_of(SYNTAX, TEXT)))
def test_any_two_strings_bind_as_exactly_themselves(a, b):
    assert _bound_values(a, b) == [(a, b)]


def test_typed_parameters_refuse_other_terms():
    level = catalogue()["region-pairs"].parameter("level")
    with pytest.raises(QueryError, match="must be an integer"):
        level.term(URIRef("http://example.org/2"))
    with pytest.raises(QueryError, match="from 0 to 3"):
        level.term(-1)
    with pytest.raises(QueryError, match="has no value"):
        catalogue()["partners"].bind({"project": None})
    with pytest.raises(QueryError, match="must be a string"):
        catalogue()["organisations-in-region"].bind({"region": URIRef("http://example.org/p")})
    with pytest.raises(QueryError, match="must be an IRI"):  # a project's name is resolved to its IRI before
        catalogue()["partners"].bind({"project": Literal("PIKE")})
    with pytest.raises(QueryError, match="parameter b is not valid Unicode text"):
        _bound_values("x", "\ud800")
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        bind_values("SELECT * WHERE { }", {"a b": Literal("x")})


def test_ad_hoc_query_binds_only_its_own_variables():
    query = resolve("SELECT ?code WHERE { ?r <http://www.w3.org/2004/02/skos/core#notation> ?code }")
    assert query.terms({"code": "SE321"}) == {"code": Literal("SE321")}
    assert query.terms({"code": "<http://example.org/x>"}) == {"code": URIRef("http://example.org/x")}
    assert query.terms({"code": "7"}) == {"code": Literal(7, datatype=XSD.integer)}
    with pytest.raises(QueryError, match="no variable [?]nope"):
        query.terms({"nope": "1"})


def test_resolve_names_files_and_text(tmp_path):
    assert resolve("projects").name == "projects"
    path = tmp_path / "mine.rq"
    path.write_text("# title: Mine\n# description: mine\nSELECT * WHERE { ?s ?p ?o }\n")
    assert resolve(str(path)).title == "Mine"
    with pytest.raises(QueryError, match="no named query 'projets'"):
        resolve("projets")
    with pytest.raises(QueryError, match="cannot read query file"):
        resolve(str(tmp_path / "missing.rq"))


def test_hostile_parameter_leaves_the_store_intact(fresh_kg):
    before = fresh_kg.store.sizes()
    with pytest.raises(UnknownName):
        fresh_kg.query("partners", project=HOSTILE)
    assert fresh_kg.query("organisations-in-region", region=HOSTILE) == []
    assert fresh_kg.store.sizes() == before


SCAN = """
from coopgraph.sparql import has_keyword, nested_deeper_than
for text in ['"' + '\\\\"' * 200_000, "'''" + "a" * 500_000, "'" + "\\\\'" * 200_000]:
    assert not has_keyword(text, "service") and not nested_deeper_than(text, 100)
"""


def test_a_text_of_unclosed_quotes_is_scanned_once():
    """Each unclosed quote was once read to the end of its line again: a megabyte of them took hours, before any
    limit. In a process of its own, so that a regression fails at the time-out instead of hanging the run."""
    subprocess.run([sys.executable, "-c", SCAN], check=True, timeout=60)
