"""What consumers that speak ORG, PROV-O or EURIO derive from coopgraph's data, with an OWL 2 RL reasoner.

The closure (owlrl, by the RDFLib project) runs over the ontology, the published definitions of the outside
terms (tests/fixtures/outside-vocabularies.ttl: PROV-O's domains, ranges and disjointness among them), the
seed graph, a programme part as the programme queries read them, the catalog entry of an import and a name
match; the expected values are read from the coop: triples of the seed before reasoning.
"""

from __future__ import annotations

from importlib.resources import files

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, PROV, RDF, SKOS

from conftest import FIXTURES
from coopgraph.provenance import source_provenance
from coopgraph.store import source_iri
from coopgraph.vocab import COOP, ID

ORG = Namespace("http://www.w3.org/ns/org#")
EURIO = Namespace("http://data.europa.eu/s66#")
SEED = files("coopgraph.data").joinpath("seed.ttl")
PART, WHOLE = ID["programme/test/HORIZON.2.5"], ID["programme/test/HORIZON.2"]
NAMED, CANONICAL = ID["organisation/test/named"], ID["organisation/test/canonical"]


@pytest.fixture(scope="module")
def seed() -> Graph:
    return Graph().parse(data=SEED.read_text("utf-8"), format="turtle")


@pytest.fixture(scope="module")
def closure(seed, tmp_path_factory) -> Graph:
    graph = Graph().parse(data=files("coopgraph.ontology").joinpath("coopgraph.ttl").read_text("utf-8"),
                          format="turtle")
    graph += Graph().parse(FIXTURES / "outside-vocabularies.ttl", format="turtle")
    graph += seed
    for programme in (PART, WHOLE):
        graph.add((programme, RDF.type, COOP.Programme))
    graph.add((PART, COOP.partOf, WHOLE))
    table = tmp_path_factory.mktemp("import") / "organization.csv"
    table.write_text("projectID;organisationID\n", encoding="utf-8")
    graph += source_provenance("cordis/organization.csv", [table])
    graph.add((source_iri("cordis/organization.csv"), COOP.graph, ID["graph-version"]))
    graph.add((NAMED, COOP.nameMatch, CANONICAL))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _participations(seed: Graph) -> list:
    found = list(seed.subjects(RDF.type, COOP.Participation))
    assert len(found) > 40  # the seed's 46 participations
    return found


def test_org_reads_each_participation_as_a_membership(seed, closure):
    for participation in _participations(seed):
        project = seed.value(participation, COOP.project)
        assert (participation, RDF.type, ORG.Membership) in closure
        assert set(closure.objects(participation, ORG.member)) == {seed.value(participation, COOP.organisation)}
        assert set(closure.objects(participation, ORG.organization)) == {project}
        assert set(closure.objects(participation, ORG.role)) == {seed.value(participation, COOP.role)}
        assert (project, RDF.type, ORG.OrganizationalCollaboration) in closure


def test_prov_reads_each_participation_as_an_association_of_the_project(seed, closure):
    for participation in _participations(seed):
        project = seed.value(participation, COOP.project)
        assert (participation, RDF.type, PROV.Association) in closure
        assert set(closure.objects(participation, PROV.agent)) == {seed.value(participation, COOP.organisation)}
        assert set(closure.objects(participation, PROV.hadRole)) == {seed.value(participation, COOP.role)}
        assert (project, PROV.qualifiedAssociation, participation) in closure
        assert (project, RDF.type, PROV.Activity) in closure


def test_eurio_reads_each_participation_as_an_organisation_role(seed, closure):
    for participation in _participations(seed):
        project = seed.value(participation, COOP.project)
        assert (participation, RDF.type, EURIO.OrganisationRole) in closure
        assert (participation, EURIO.isRoleOf, seed.value(participation, COOP.organisation)) in closure
        assert (participation, EURIO.isInvolvedIn, project) in closure
        assert (project, EURIO.hasInvolvedParty, participation) in closure


def test_no_programme_becomes_a_project_or_a_work_package(closure):
    programmes = set(closure.subjects(RDF.type, COOP.Programme))
    assert {PART, WHOLE} <= programmes
    for kind in (COOP.Project, COOP.WorkPackage, COOP.Organisation, PROV.Activity):
        assert not programmes & set(closure.subjects(RDF.type, kind)), kind
    assert not set(closure.subjects(RDF.type, COOP.Project)) & set(closure.subjects(RDF.type, COOP.WorkPackage))


def test_nothing_is_both_a_prov_entity_and_a_prov_activity(closure):
    entities = set(closure.subjects(RDF.type, PROV.Entity))
    activities = set(closure.subjects(RDF.type, PROV.Activity))
    assert entities and activities
    assert not entities & activities


def test_an_import_is_an_activity_that_used_its_files_and_generated_its_graph(closure):
    source = source_iri("cordis/organization.csv")
    assert (source, RDF.type, PROV.Activity) in closure
    assert (source, PROV.generated, ID["graph-version"]) in closure
    assert (ID["graph-version"], RDF.type, PROV.Entity) in closure
    (used,) = closure.objects(source, PROV.used)
    assert (used, COOP.fileName, Literal("organization.csv")) in closure
    assert (used, RDF.type, PROV.Entity) in closure


def test_a_name_match_is_a_close_match_not_an_identity(closure):
    assert (NAMED, SKOS.closeMatch, CANONICAL) in closure
    assert (NAMED, OWL.sameAs, CANONICAL) not in closure
