"""The closed Python vocabularies stay in step with the ontology, and the ontology is documented and aligned."""

from importlib.resources import files

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

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
#: coopgraph's own measures and import bookkeeping: no public vocabulary has a property that says the same.
OWN_MEASURES = {COOP.participantCount, COOP.number, COOP.unnamed, COOP.nutsLevel, COOP.budget, COOP.importer,
                COOP.mapping, COOP.rowsRead, COOP.rowsImported, COOP.rowsRejected}


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.fragment)
def test_every_term_has_an_english_label_and_comment(ontology, term):
    assert any(label.language == "en" for label in ontology.objects(term, RDFS.label))
    assert any(comment.language == "en" for comment in ontology.objects(term, RDFS.comment))


@pytest.mark.parametrize("term", sorted(set(TERMS) - OWN_MEASURES), ids=lambda t: t.fragment)
def test_every_term_is_aligned_with_a_public_vocabulary(ontology, term):
    parent = RDFS.subClassOf if ontology.value(term, RDF.type) == OWL.Class else RDFS.subPropertyOf
    ancestors = set(ontology.transitive_objects(term, parent)) - {term}
    assert any(not str(a).startswith(str(COOP._NS)) for a in ancestors), f"{term} is aligned with nothing"


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
