"""Matching organisations across sources: by PIC, VAT number, then name within a region."""

import csv
import doctest
import time

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, SKOS

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph import matching
from coopgraph.matching import match_organisations, publish_matches, sample, vat_key
from coopgraph.validation import validate
from coopgraph.vocab import COOP, COUNTRY, ID, NUTS

ORG = Namespace(ID["organisation/"])
PIC = Namespace(ID["organisation/pic/"])
BETA = Namespace(ID["organisation/beta/SWE/"])


@pytest.fixture(scope="module")
def fixture_kg():
    """The seed plus two small sources that name some organisations alike."""
    kg = coopgraph.open(":memory:")
    kg.load([FIXTURES / "matching" / "alpha.ttl", FIXTURES / "matching" / "beta.ttl"])
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def report(fixture_kg):
    return match_organisations(fixture_kg)


def pairs(report, method=None):
    return {(m.left, m.right, m.method, m.key) for m in report.matches if method in (None, m.method)}


def test_matches_are_exactly_the_expected_ones(report):
    assert pairs(report) == {
        (BETA.kth, PIC["999000001"], "pic", "999000001"),
        (BETA["nordic-energy"], PIC["999000002"], "vat", "SE556677889901"),
        (BETA["mittnorrlands-hogskola"], PIC["999000003"], "name", "mittnorrlands hogskola"),
        (BETA["lunds-kommun"], PIC["999000007"], "name", "lunds kommun"),
        (BETA.delta, PIC["999000011"], "name", "delta ab"),
        (BETA.fjallbolaget, PIC["999000013"], "name", "fjallbolaget ab"),
        (BETA["pitea-kommun"], ORG["pitea-kommun"], "name", "pitea kommun"),
    }
    assert report.counts() == {"pic": 1, "vat": 1, "name": 5}


def test_names_are_compared_at_the_coarsest_region_both_give(report):
    scopes = {m.right: m.scope for m in report.matches if m.method == "name"}
    assert scopes[PIC["999000003"]] == NUTS.SE331
    assert scopes[PIC["999000007"]] == NUTS.SE22        # NUTS 2 on one side, SE224 on the other
    assert scopes[PIC["999000013"]] == COUNTRY.SWE      # no region on one side


def test_ambiguous_names_are_reported_not_linked(report):
    found = {(a.key, a.organisations, a.reason) for a in report.ambiguous}
    assert found == {
        ("energikontoret", (BETA.energikontoret, PIC["999000005"], PIC["999000006"]),
         "one source has several organisations that fit"),
        ("delta group", (BETA.delta, PIC["999000012"]), "would make two organisations of one source the same"),
    }


def test_the_graph_links_each_member_to_one_canonical_iri(report):
    # owl:sameAs only where a shared identifier proves it; a name is a guess: coop:nameMatch
    assert set(report.graph.subject_objects(OWL.sameAs)) == {
        (PIC["999000001"], BETA.kth),  # both have a PIC: the first IRI in alphabetical order; same PIC
        (BETA["nordic-energy"], PIC["999000002"]),  # else the one with a PIC; same VAT number
    }
    assert set(report.graph.subject_objects(COOP.nameMatch)) == {
        (BETA["mittnorrlands-hogskola"], PIC["999000003"]),
        (BETA["lunds-kommun"], PIC["999000007"]),
        (BETA.delta, PIC["999000011"]),
        (BETA.fjallbolaget, PIC["999000013"]),
        (ORG["pitea-kommun"], BETA["pitea-kommun"]),  # neither has a PIC: the first IRI
    }


def test_each_match_is_a_justified_inference(report):
    justifications = {}
    for node in report.graph.subjects(RDF.type, COOP.Inference):
        key = (report.graph.value(node, RDF.subject), report.graph.value(node, RDF.object))
        justifications[key] = (str(report.graph.value(node, COOP.justification)),
                               report.graph.value(node, RDF.predicate))
    assert justifications[(BETA.kth, PIC["999000001"])] == ("same PIC 999000001", OWL.sameAs)
    assert justifications[(BETA["nordic-energy"], PIC["999000002"])] == \
        ("same VAT number SE556677889901", OWL.sameAs)
    assert justifications[(BETA["lunds-kommun"], PIC["999000007"])] == \
        ("same name key 'lunds kommun' in NUTS region SE22", COOP.nameMatch)
    assert justifications[(BETA.fjallbolaget, PIC["999000013"])] == \
        ("same name key 'fjallbolaget ab' in country (no region on one side) SWE", COOP.nameMatch)
    assert len(justifications) == len(report.matches)
    assert validate(report.graph).conforms


def test_docstring_examples_hold():
    failures, tried = doctest.testmod(matching)
    assert tried > 0 and failures == 0


def test_vat_numbers_are_normalised_and_placeholders_ignored():
    assert vat_key(" se 556677-8899.01 ") == "SE556677889901"
    assert [vat_key(text) for text in ("", "N/A", "none", "0000", "MD0000", "-")] == [None] * 6


def test_the_seed_alone_has_no_matches(kg):
    report = match_organisations(kg)
    assert report.matches == [] and report.ambiguous == [] and len(report.graph) == 0
    assert len(report.organisations) == kg.query(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a/rdfs:subClassOf* coop:Organisation }")[0].n.toPython()


def test_seed_organisations_are_never_made_one_by_way_of_another_source(fresh_kg):
    # A source whose one organisation carries the names of two seed municipalities.
    bridge, org = Graph(), ID["organisation/bridge/1"]
    bridge.add((org, RDF.type, COOP.Organisation))
    bridge.add((org, SKOS.prefLabel, Literal("Piteå kommun")))
    bridge.add((org, SKOS.altLabel, Literal("KALIX KOMMUN")))
    bridge.add((org, COOP.country, COUNTRY.SWE))
    bridge.add((org, COOP.region, NUTS.SE332))
    fresh_kg.store.publish({"bridge": bridge})
    report = match_organisations(fresh_kg)
    assert pairs(report) == {(org, ORG["kalix-kommun"], "name", "kalix kommun")}
    assert [a.reason for a in report.ambiguous] == ["would make two organisations of one source the same"]


def test_publishing_replaces_the_matches_source(fixture_kg):
    first = publish_matches(fixture_kg)
    second = publish_matches(fixture_kg)
    assert "matches" in fixture_kg.sources()
    assert fixture_kg.store.sizes()["matches"] == len(second.graph) == len(first.graph)
    rows = fixture_kg.query("SELECT ?canonical WHERE { ?org coop:nameMatch ?canonical }", org=BETA["lunds-kommun"])
    assert [row.canonical for row in rows] == [PIC["999000007"]]
    # the published links do not change what is matched next time
    assert pairs(match_organisations(fixture_kg)) == pairs(second)


def test_sample_is_reproducible(report):
    assert sample(report, size=3, seed=1) == sample(report, size=3, seed=1)
    assert {m.method for m in sample(report, size=10)} == {"name"}
    assert len(sample(report, size=10)) == 5


@pytest.mark.shared
def test_real_interreg_partners_match_cordis_organisations(shared_data, tmp_path):
    store = tmp_path / "store"
    reports = str(tmp_path / "reports")
    for importer, path in (("cordis", "cordis-horizon-europe/organization.csv.gz"),
                           ("interreg-se", "interreg-sweden-2021-2027/partners.csv")):
        result = run_cli("import", importer, str(shared_data / path), "--report-dir", reports, store=store)
        assert result.returncode == 0, result.stderr
    with coopgraph.open(store) as kg:
        started = time.perf_counter()
        report = match_organisations(kg)
        seconds = time.perf_counter() - started
    print(f"\nmatched {len(report.organisations)} organisations in {seconds:.1f} s: {dict(report.counts())}, "
          f"{len(report.ambiguous)} ambiguous")
    umea = [m for m in report.matches if m.key == "umea universitet" and {
        source.split("/")[0] for iri in (m.left, m.right) for source in report.organisations[iri].sources
    } == {"cordis", "interreg-se"}]
    assert len(umea) == 1 and umea[0].method == "name" and umea[0].scope == NUTS.SE331
    assert {report.organisations[iri].label("umea universitet") for iri in (umea[0].left, umea[0].right)} == {
        "UMEA UNIVERSITET", "Umeå universitet"}
    print("a sample of name matches, to judge by hand:")
    for number, match in enumerate(sample(report), 1):
        print(f"{number:2}. {report.describe(match)}")
    # the sample judged by hand (tests/fixtures/matching/precision-sample.csv, 40 of 40 correct) is this one
    with open(FIXTURES / "matching" / "precision-sample.csv", encoding="utf-8") as judged:
        rows = list(csv.DictReader(judged))
    assert [(r["key"], r["region"]) for r in rows] == [
        (m.key, str(m.scope).rsplit("/", 1)[-1]) for m in sample(report)]
    assert {r["judged"] for r in rows} == {"correct"}

