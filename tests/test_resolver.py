"""A name parameter means one thing or fails, listing the candidates: in Python, on the command line, on the web.

The expected candidates and rows are read from the fixture with rdflib, apart from the store and its queries.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from starlette.testclient import TestClient

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.resolver import AmbiguousName, UnknownName
from coopgraph.vocab import COOP, ID
from coopgraph.web import create_app

HOMONYMS = FIXTURES / "homonyms.ttl"
FIXTURE = Graph().parse(HOMONYMS)
HELIOS_1 = URIRef(ID + "project/cordis/1001")


def named(name: str, *predicates) -> set[URIRef]:
    """The fixture's subjects whose value of one of ``predicates`` is ``name`` in any letter case."""
    return {subject for predicate in predicates for subject, value in FIXTURE.subject_objects(predicate)
            if str(value).casefold() == name.casefold()}


def organisations_of(project: URIRef) -> set[URIRef]:
    return {FIXTURE.value(p, COOP.organisation) for p in FIXTURE.subjects(COOP.project, project)}


@pytest.fixture(scope="module")
def homonyms():
    kg = coopgraph.open(":memory:")
    kg.load(HOMONYMS)
    yield kg
    kg.close()


def test_a_shared_acronym_fails_listing_every_project_it_names(homonyms):
    with pytest.raises(AmbiguousName) as raised:
        homonyms.query("partners", project="helios")
    expected = named("helios", COOP.acronym, COOP.title)
    assert len(expected) == 2
    assert {URIRef(candidate.iri) for candidate in raised.value.candidates} == expected
    for candidate in raised.value.candidates:
        iri = URIRef(candidate.iri)
        programme = FIXTURE.value(FIXTURE.value(iri, COOP.programme), COOP.acronym)
        assert candidate.details["acronym"] == str(FIXTURE.value(iri, COOP.acronym))
        assert candidate.details["programme"] == str(programme)
        assert candidate.details["start"] == str(FIXTURE.value(iri, COOP.startDate) or "")
        assert candidate.identifier == str(iri).removeprefix(ID + "project/")
        assert f"<{iri}>" in str(raised.value)
    assert "give one of their IRIs or identifiers instead, e.g. project=cordis/" in str(raised.value)


def test_an_organisation_name_shared_by_two_fails_too(homonyms):
    with pytest.raises(AmbiguousName) as raised:
        homonyms.query("projects-of", organisation="Technical University")
    assert {URIRef(c.iri) for c in raised.value.candidates} == named("technical university", SKOS.prefLabel)
    with pytest.raises(AmbiguousName):
        homonyms.query("partners-of-partners", organisation="technical university")


@pytest.mark.parametrize("value", [str(HELIOS_1), f"<{HELIOS_1}>", "id:project/cordis/1001", "cordis/1001"])
def test_an_iri_or_identifier_chooses_one_project(homonyms, value):
    rows = homonyms.query("partners", project=value)
    assert {row.project for row in rows} == {HELIOS_1}
    assert {row.organisation for row in rows} == organisations_of(HELIOS_1)


def test_an_identifier_two_sources_share_is_ambiguous_too(homonyms):
    with pytest.raises(AmbiguousName) as raised:
        homonyms.query("partners", project="1001")
    assert {c.identifier for c in raised.value.candidates} == {"cordis/1001", "keep/1001"}


def test_an_organisation_by_its_pic(homonyms):
    rows = homonyms.query("projects-of", organisation="333")
    solar = URIRef(ID + "organisation/pic/333")
    assert {row.project for row in rows} == set(FIXTURE.value(p, COOP.project)
                                                for p in FIXTURE.subjects(COOP.organisation, solar))


def test_rows_carry_the_project_iri(kg):
    pike = URIRef(ID + "project/pike")
    rows = kg.query("partners", project="PIKE")
    assert rows and {row.project for row in rows} == {pike}
    seed = Graph().parse(coopgraph.__path__[0] + "/data/seed.ttl")
    assert len(rows) == len(set(seed.subjects(COOP.project, pike)))


@pytest.mark.parametrize("query, parameter", [("partners", "project"), ("projects-of", "organisation"),
                                              ("partners-of-partners", "organisation")])
def test_an_unknown_name_fails_with_a_clear_message(kg, query, parameter):
    with pytest.raises(UnknownName, match=f"{parameter} 'NOPE' names no {parameter} in the store"):
        kg.query(query, **{parameter: "NOPE"})


def test_the_command_line_lists_the_candidates_and_exits_1(tmp_path):
    store = tmp_path / "store"
    run_cli("load", str(HOMONYMS), store=store, check=True)
    ambiguous = run_cli("query", "partners", "-p", "project=HELIOS", store=store)
    assert ambiguous.returncode == 1 and ambiguous.stdout == ""
    assert ambiguous.stderr.startswith("error: project 'HELIOS' names 2 projects")
    narrow = run_cli("query", "partners", "-p", "project=HELIOS", store=store, env={"COLUMNS": "80"})
    for iri in named("helios", COOP.acronym, COOP.title):  # at 80 columns too, what to give instead, whole
        assert f"\n{iri.removeprefix(ID + 'project/')} " in ambiguous.stderr
        assert f"\n{iri.removeprefix(ID + 'project/')} " in narrow.stderr
    unknown = run_cli("query", "partners", "-p", "project=NOPE", store=store)
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.strip() == ("error: project 'NOPE' names no project in the store: give its acronym, title "
                                      "or name (any letter case), IRI or identifier")
    chosen = run_cli("query", "partners", "-p", "project=cordis/1002", "-f", "csv", store=store, check=True)
    assert chosen.stdout.splitlines()[0].startswith("project,organisation")
    assert {line.split(",")[1] for line in chosen.stdout.splitlines()[1:]} == {
        str(o) for o in organisations_of(URIRef(ID + "project/cordis/1002"))}


def test_the_web_editor_refuses_a_name_that_is_not_one_thing(homonyms):
    client = TestClient(create_app(homonyms))
    ambiguous = client.get("/queries/partners/bind.json", params={"project": "HELIOS"})
    assert ambiguous.status_code == 400 and str(HELIOS_1) in ambiguous.json()["error"]
    run = client.get("/query.json", params={"name": "partners", "project": "HELIOS", "page": "1"})
    assert run.status_code == 400
    assert client.get("/queries/partners/bind.json", params={"project": "NOPE"}).status_code == 404
    chosen = client.get("/queries/partners/bind.json", params={"project": "cordis/1001"})
    assert chosen.status_code == 200 and f"<{HELIOS_1}>" in chosen.json()["query"]
