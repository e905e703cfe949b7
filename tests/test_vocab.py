"""The closed Python vocabularies stay in step with the ontology, and the ontology is documented and aligned."""

from importlib.resources import files

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, SKOS

from conftest import FIXTURES
from coopgraph.vocab import COOP, ORGTYPE, ROLE


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data=files("coopgraph.ontology").joinpath("coopgraph.ttl").read_text("utf-8"),
                         format="turtle")


@pytest.mark.parametrize("namespace", [COOP, ROLE, ORGTYPE], ids=lambda ns: ns.__name__)
def test_python_vocabulary_matches_turtle(ontology, namespace):
    base = str(namespace._NS)
    declared = {str(s)[len(base):] for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(base)}
    assert declared == set(namespace.__annotations__)


def test_a_typo_fails():
    with pytest.raises(AttributeError):
        COOP.Projcet  # noqa: B018


TERMS = [COOP[name] for name in COOP.__annotations__]
CLASSES = [term for term in TERMS if term.fragment[0].isupper()]
PROPERTIES = [term for term in TERMS if term.fragment[0].islower()]
#: coopgraph's own measures and bookkeeping: no public vocabulary has a term whose definition fits.
OWN_TERMS = {COOP.participantCount, COOP.number, COOP.unnamed, COOP.nutsLevel, COOP.budget, COOP.importer,
             COOP.mapping, COOP.rowsRead, COOP.rowsImported, COOP.rowsRejected,
             COOP.euContribution,  # eurio:hasFundingAmount relates a grant or funding scheme, not a project
             COOP.justification}  # rdfs:comment is an annotation property: no data property may be under it

#: The published definitions of the outside terms coopgraph aligns with (see the file's header).
OUTSIDE = FIXTURES / "outside-vocabularies.ttl"
SCHEMA_DOMAIN = URIRef("https://schema.org/domainIncludes")
KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def outside() -> Graph:
    return Graph().parse(OUTSIDE, format="turtle")


@pytest.fixture(scope="module")
def both(ontology, outside) -> Graph:
    return ontology + outside


def _own(term) -> bool:
    return str(term).startswith(str(COOP._NS))


def _is_class(ontology, term) -> bool:
    return (term, RDF.type, OWL.Class) in ontology


def _aligned(ontology, term) -> list[URIRef]:
    parent = RDFS.subClassOf if _is_class(ontology, term) else RDFS.subPropertyOf
    return [a for a in ontology.transitive_objects(term, parent) if a != term and not _own(a)]


def _subclass_of(graph: Graph, cls, ancestor) -> bool:
    return ancestor in set(graph.transitive_objects(cls, RDFS.subClassOf))


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.fragment)
def test_every_term_has_an_english_label_and_comment(ontology, term):
    assert any(label.language == "en" for label in ontology.objects(term, RDFS.label))
    assert any(comment.language == "en" for comment in ontology.objects(term, RDFS.comment))


@pytest.mark.parametrize("term", sorted(set(TERMS) - OWN_TERMS), ids=lambda t: t.fragment)
def test_every_term_is_aligned_with_a_described_outside_term(ontology, outside, term):
    aligned = _aligned(ontology, term)
    assert aligned, f"{term} is aligned with nothing"
    undescribed = [a for a in aligned if (a, RDF.type, None) not in outside]
    assert not undescribed, f"{term}: add the published definitions of {undescribed} to OUTSIDE"


@pytest.mark.parametrize("term", PROPERTIES, ids=lambda t: t.fragment)
def test_properties_have_one_kind_that_their_parents_share(ontology, outside, term):
    """OWL 2 DL: a property is an object or a datatype property, never both, and never under the other kind or
    under an annotation property (rdfs:comment)."""
    kinds = {k for k in KINDS if (term, RDF.type, k) in ontology}
    assert len(kinds) == 1, f"{term} has kinds {kinds}"
    for parent in ontology.transitive_objects(term, RDFS.subPropertyOf):
        if parent == term:
            continue
        declared = set((ontology if _own(parent) else outside).objects(parent, RDF.type))
        assert OWL.AnnotationProperty not in declared and parent != RDFS.comment, f"{term} under {parent}"
        assert not (declared & set(KINDS)) or kinds <= declared, f"{term} ({kinds}) under {parent} ({declared})"


@pytest.mark.parametrize("term", PROPERTIES, ids=lambda t: t.fragment)
def test_domains_and_ranges_fit_those_of_the_outside_parents(ontology, both, term):
    """A coop property's declared domain (range) lies within its outside parents' domain (range), so that what a
    consumer infers from the parent's definition is true of coopgraph's data."""
    for parent in _aligned(ontology, term):
        for own_axiom, axioms in ((RDFS.domain, (RDFS.domain, SCHEMA_DOMAIN)), (RDFS.range, (RDFS.range,))):
            own = ontology.value(term, own_axiom)
            expected = {x for axiom in axioms for x in both.objects(parent, axiom)}
            if own is None or not expected or (term, RDF.type, OWL.DatatypeProperty) in ontology:
                continue
            assert any(_subclass_of(both, own, x) for x in expected), \
                f"{term} {own_axiom.fragment} {own} is not within {parent}'s {sorted(expected)}"


def _disjoint_pairs(both: Graph) -> set[frozenset]:
    pairs = {frozenset(pair) for pair in both.subject_objects(OWL.disjointWith)}
    for node in both.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(both, both.value(node, OWL.members)))
        pairs |= {frozenset((a, b)) for a in members for b in members if a != b}
    return pairs


def test_the_ontology_declares_programmes_projects_work_packages_and_organisations_disjoint(both):
    pairs = _disjoint_pairs(both)
    kinds = (COOP.Programme, COOP.Project, COOP.WorkPackage, COOP.Organisation)
    assert {frozenset((a, b)) for a in kinds for b in kinds if a != b} <= pairs
    assert frozenset((PROV.Entity, PROV.Activity)) in pairs


@pytest.mark.parametrize("term", CLASSES, ids=lambda t: t.fragment)
def test_no_class_falls_under_two_disjoint_classes(both, term):
    ancestors = set(both.transitive_objects(term, RDFS.subClassOf))
    clashes = [pair for pair in _disjoint_pairs(both) if pair <= ancestors]
    assert not clashes, f"{term} is under disjoint classes {clashes}"


@pytest.mark.parametrize("scheme, namespace", [(ROLE.scheme, ROLE), (ORGTYPE.scheme, ORGTYPE)])
def test_concept_schemes_are_complete_and_trilingual(ontology, scheme, namespace):
    concepts = set(ontology.subjects(SKOS.inScheme, scheme))
    assert concepts == {namespace[name] for name in namespace.__annotations__ if name != "scheme"}
    assert concepts == set(ontology.objects(scheme, SKOS.hasTopConcept))
    for concept in concepts:
        languages = {label.language for label in ontology.objects(concept, SKOS.prefLabel)}
        assert {"en", "sv", "pl"} <= languages, concept
        assert ontology.value(concept, SKOS.notation) is not None


def test_the_seven_participation_roles(ontology):
    notations = {str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, ROLE.scheme)}
    assert notations == {"lead-partner", "partner", "associated-partner", "co-financier", "coordinator",
                         "participant", "third-party"}
