"""Tests of the curated seed graph (graph/data/seed.ttl) and of the SHACL shapes (ontology/shapes.ttl).

Every fact the seed must hold is asked for with SPARQL over the seed graph merged with the ontology.
Nothing here reads ../shared: the tests run on a fresh clone.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS, XSD

from coopgraph.importers.nuts import nuts_2021
from coopgraph.validation import shapes as package_shapes
from coopgraph.vocab import COOP, COUNTRY, ID, NUTS, ORGTYPE, ROLE
from coopgraph.vocab import PREFIXES as VOCABULARY_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "coopgraph.ttl"
SEED = ROOT / "graph" / "data" / "seed.ttl"
BROKEN = ROOT / "tests" / "fixtures" / "broken.ttl"

# SPARQL prefixes from the package's own vocabulary (closed namespaces: a typo in a test fails too)
PREFIXES = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in VOCABULARY_PREFIXES.items())

DOCS = {
    "000": ID["document/000_64c9dda7ea82cb2e"],
    "001": ID["document/001_5da23a5d42040f6f"],
    "002": ID["document/002_4a1d44aa96990092"],
    "003": ID["document/003_03558a7e45f7defe"],
    "004": ID["document/004_f833fb51cf58928c"],
}

# NUTS 2021 level-3 regions, from the official table the package ships (independent of the seed)
NUTS3_2021 = {region.code: region.label for region in nuts_2021() if region.level == 3}

# The first and last names of the people the source pages name (contact persons, a project
# manager, an author), as SHA-256 prefixes of their lower-case form: the test can tell whether
# a name slipped into the graph without this repository naming them.
PERSON_NAME_HASHES = {
    "0117193f92107d2f",
    "14c5e461e0eba4e9",
    "3565d6ceff28422a",
    "3f129085b604601d",
    "70d98166acace7c3",
    "b5f8c934a1d7f1a5",
    "b9dd960c1753459a",
    "d9a31550033ee07d",
}


def project(slug: str) -> URIRef:
    return ID[f"project/{slug}"]


def org(slug: str) -> URIRef:
    return ID[f"organisation/{slug}"]


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def seed() -> Graph:
    return Graph().parse(SEED, format="turtle")


@pytest.fixture(scope="module")
def g(ontology: Graph, seed: Graph) -> Graph:
    """The seed graph merged with the ontology."""
    merged = Graph()
    merged += ontology
    merged += seed
    return merged


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return package_shapes()  # as the package reads them, from its resources


def rows(graph: Graph, query: str, **bindings) -> list[tuple]:
    return [tuple(r) for r in graph.query(PREFIXES + query, initBindings=bindings)]


def ask(graph: Graph, query: str, **bindings) -> bool:
    return bool(graph.query(PREFIXES + query, initBindings=bindings).askAnswer)


def values(graph: Graph, query: str, **bindings) -> set:
    return {r[0] for r in rows(graph, query, **bindings)}


def is_inferred(graph: Graph, s, p, o) -> bool:
    return ask(graph, """ASK { ?i a coop:Inference ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                                  coop:justification ?j . FILTER (lang(?j) = "en") }""", s=s, p=p, o=o)


def participants(graph: Graph, proj: URIRef, role: URIRef | None = None) -> set[URIRef]:
    q = "SELECT ?o WHERE { ?p a coop:Participation ; coop:project ?proj ; coop:organisation ?o ; coop:role ?r . }"
    b = {"proj": proj}
    if role is not None:
        b["r"] = role
    return values(graph, q, **b)


def participant_countries(graph: Graph, proj: URIRef) -> set[URIRef]:
    return values(graph, """SELECT ?c WHERE { ?p a coop:Participation ; coop:project ?proj ; coop:organisation ?o .
                                                ?o coop:country ?c . }""", proj=proj)


# ---------------------------------------------------------------------------------------------
# Source documents and provenance
# ---------------------------------------------------------------------------------------------


def test_five_source_documents(g: Graph) -> None:
    found = rows(g, """SELECT ?d ?file ?lang ?title WHERE {
        ?d a coop:SourceDocument ; coop:fileName ?file ; dcterms:language ?lang ; dcterms:title ?title . }""")
    assert {r[0] for r in found} == set(DOCS.values())
    for d, file, lang, title in found:
        assert str(file) == str(d).rsplit("/", 1)[1] + ".txt"
        assert str(lang) == ("pl" if str(file).startswith("003") else "sv")
        assert title.language == str(lang)


def test_everything_is_derived_from_a_source_document(g: Graph) -> None:
    missing = values(g, """SELECT ?x WHERE {
        VALUES ?cls { coop:Project coop:Organisation coop:Programme coop:Fund coop:Event coop:WorkPackage
                      coop:Participation coop:Network coop:OrganisationalUnit }
        ?x a ?cls .
        FILTER NOT EXISTS { ?x dcterms:source ?d . ?d a coop:SourceDocument . }
    }""")
    assert missing == set()
    # and the query does see the things it checks
    assert len(values(g, "SELECT ?x WHERE { ?x a/rdfs:subClassOf* coop:Organisation }")) > 40


def test_participations_are_derived_from_the_document_of_their_project(g: Graph) -> None:
    bad = values(g, """SELECT ?p WHERE { ?p a coop:Participation ; coop:project ?proj ; dcterms:source ?d .
                                          FILTER NOT EXISTS { ?proj dcterms:source ?d } }""")
    assert bad == set()


# ---------------------------------------------------------------------------------------------
# PIKE (document 000)
# ---------------------------------------------------------------------------------------------


def test_pike_project(g: Graph) -> None:
    pike = project("pike")
    assert ask(g, """ASK { ?p a coop:Project ; coop:acronym "PIKE" ;
                           coop:title "Promoting Innovation and the Knowledge Economy"@en ;
                           coop:programme <https://w3id.org/coopgraph/id/programme/interreg-ivc> ;
                           coop:startDate "2008"^^xsd:gYear ; coop:endDate "2010"^^xsd:gYear ;
                           dcterms:source ?d . ?d coop:fileName "000_64c9dda7ea82cb2e.txt" }""", p=pike)
    assert values(g, "SELECT ?t WHERE { ?p coop:theme ?t }", p=pike) == {
        ID["theme/e-government"], ID["theme/wireless-broadband"]}
    for theme in (ID["theme/e-government"], ID["theme/wireless-broadband"]):
        langs = {lbl.language for lbl in g.objects(theme, SKOS.prefLabel)}
        assert {"en", "sv"} <= langs
        assert (theme, RDF.type, COOP.Theme) in g


def test_interreg_ivc_is_erdf_and_marked_inferred(g: Graph) -> None:
    ivc = ID["programme/interreg-ivc"]
    assert (ivc, RDF.type, COOP.Programme) in g
    assert (ivc, COOP.fund, ID["fund/erdf"]) in g
    assert is_inferred(g, ivc, COOP.fund, ID["fund/erdf"])


def test_pike_partners(g: Graph) -> None:
    pike = project("pike")
    partners = participants(g, pike, ROLE.partner)
    assert len(partners) == 8
    assert participants(g, pike) == partners  # nobody with another role
    unnamed = values(g, "SELECT ?o WHERE { ?o coop:unnamed true }") & partners
    assert len(unnamed) == 7
    countries = {c for o in unnamed for c in g.objects(o, COOP.country)}
    assert countries == {COUNTRY[c] for c in ("BGR", "GRC", "IRL", "ITA", "ESP", "GBR", "CZE")}
    for o in unnamed:
        assert len(list(g.objects(o, COOP.country))) == 1
        assert not list(g.objects(o, COOP.region))
        label = g.value(o, SKOS.prefLabel)
        assert label.language == "en" and "Unnamed" in label and "PIKE" in label
    kfv = org("kommunforbundet-vasternorrland")
    assert kfv in partners - unnamed
    assert (kfv, SKOS.prefLabel, Literal("Kommunförbundet Västernorrland", lang="sv")) in g
    assert (kfv, COOP.organisationType, ORGTYPE.associationOfLocalAuthorities) in g
    assert set(g.objects(kfv, COOP.region)) == {NUTS.SE321}
    assert (ID["participation/pike/kommunforbundet-vasternorrland"], COOP.organisation, kfv) in g


def test_pike_events(g: Graph) -> None:
    pike = project("pike")
    events = values(g, "SELECT ?e WHERE { ?e a coop:Event ; coop:eventOf ?p }", p=pike)
    assert len(events) == 3
    kick = ID["event/pike-kick-off-sundsvall-2008"]
    assert ask(g, """ASK { ?e coop:date "2008-09"^^xsd:gYearMonth ; coop:place "Sundsvall" ;
                           coop:region nuts:SE321 }""", e=kick)
    launch = ID["event/pike-launch-conference-derry-2008"]
    assert ask(g, """ASK { ?e coop:date "2008-11-25"^^xsd:date ; coop:place "Derry" }""", e=launch)
    # the document's own claim ("Derry, Irland") is kept honestly in the description
    assert any("Irland" in d for d in g.objects(launch, COOP.description))
    visits = values(g, "SELECT ?e WHERE { ?e coop:eventOf ?p ; coop:participantCount ?n }", p=pike)
    assert len(visits) == 1
    (visit,) = visits
    assert g.value(visit, COOP.participantCount) == Literal(14)
    assert g.value(visit, COOP.participantCount).datatype == XSD.integer
    assert (visit, COOP.country, COUNTRY.IRL) in g
    assert g.value(visit, COOP.date) == Literal("2009", datatype=XSD.gYear)
    assert events == {kick, launch, visit}


def test_riges_continues_pike(g: Graph) -> None:
    assert ask(g, """ASK { ?r a coop:Project ; coop:acronym "RIGES" ; coop:continues ?p ; coop:fund ?f ;
                           coop:title ?t . ?f a coop:Fund }""", r=project("riges"), p=project("pike"))


# ---------------------------------------------------------------------------------------------
# INNOCAP pre-study (document 001)
# ---------------------------------------------------------------------------------------------


def test_innocap(g: Graph) -> None:
    inno = project("innocap-pre-study")
    assert ask(g, """ASK { ?p a coop:Project ; coop:acronym "INNOCAP" ; coop:programme ?prog .
                           ?prog skos:prefLabel "Interreg Northern Periphery and Arctic"@en }""", p=inno)
    assert participants(g, inno, ROLE.leadPartner) == {org("ernact")}
    assert ask(g, """ASK { ?e a coop:Network ; coop:acronym "ERNACT" ; skos:prefLabel
                           "European Regions Network for the Application of Communications Technology"@en }""",
               e=org("ernact"))
    assert participant_countries(g, inno) == {COUNTRY[c] for c in ("SWE", "FIN", "CAN", "IRL")}
    assert org("kommunforbundet-vasternorrland") in participants(g, inno, ROLE.partner)
    unit = org("ornskoldsviks-kommun-digitaliseringsavdelningen")
    assert unit in participants(g, inno, ROLE.partner)
    assert ask(g, """ASK { ?u a coop:OrganisationalUnit ; coop:unitOf ?k ; coop:region nuts:SE321 .
                           ?k a coop:Organisation ; skos:prefLabel "Örnsköldsviks kommun"@sv ;
                              coop:region nuts:SE321 }""", u=unit)
    unnamed = values(g, """SELECT ?c WHERE { ?p coop:project ?proj ; coop:organisation ?o .
                                              ?o coop:unnamed true ; coop:country ?c }""", proj=inno)
    assert unnamed == {COUNTRY.FIN, COUNTRY.CAN, COUNTRY.IRL}
    assert ID["theme/public-sector-innovation"] in set(g.objects(inno, COOP.theme))


# ---------------------------------------------------------------------------------------------
# Planet and MaNTT (document 002)
# ---------------------------------------------------------------------------------------------


def test_planet(g: Graph) -> None:
    planet = project("planet")
    efc = ID["programme/europe-for-citizens"]
    assert ask(g, """ASK { ?p a coop:Project ; coop:title ?t ; coop:programme ?efc ;
                           coop:startDate "2012"^^xsd:gYear ; coop:endDate "2012"^^xsd:gYear .
                           ?efc a coop:Programme ; coop:acronym "EFC" ; skos:prefLabel "Europe for Citizens"@en }""",
               p=planet, efc=efc)
    sern = org("sern")
    assert participants(g, planet, ROLE.leadPartner) == {sern}
    assert ask(g, """ASK { ?s a coop:Network ; coop:acronym "SERN" ; skos:prefLabel "Sweden-Emilia-Romagna Network"@en ;
                           coop:country country:SWE , country:ITA ; coop:description ?d }""", s=sern)
    assert is_inferred(g, ID["participation/planet/sern"], COOP.role, ROLE.leadPartner)
    assert participant_countries(g, planet) == {COUNTRY[c] for c in ("SWE", "ITA", "FIN", "ESP", "POL")}


MANTT_ORGS = {
    "norrbottens-lans-landsting": ORGTYPE.regionalAuthority,
    "kommunforbundet-norrbotten": ORGTYPE.associationOfLocalAuthorities,
    "pitea-kommun": ORGTYPE.municipality,
    "kalix-kommun": ORGTYPE.municipality,
    "bodens-kommun": ORGTYPE.municipality,
    "alvsbyns-kommun": ORGTYPE.municipality,
    "arvidsjaurs-kommun": ORGTYPE.municipality,
    "jokkmokks-kommun": ORGTYPE.municipality,
}


def test_mantt(g: Graph) -> None:
    mantt = project("mantt")
    efc = ID["programme/europe-for-citizens"]
    assert ask(g, """ASK { ?p a coop:Project ; coop:acronym "MaNTT" ;
                           coop:title "Managing Networks of Twinned Towns"@en ; coop:programme ?efc }""",
               p=mantt, efc=efc)
    assert is_inferred(g, mantt, COOP.programme, efc)
    assert participants(g, mantt) == {org(s) for s in MANTT_ORGS}
    for slug, kind in MANTT_ORGS.items():
        assert (org(slug), COOP.organisationType, kind) in g
        assert set(g.objects(org(slug), COOP.region)) == {NUTS.SE332}
        assert (org(slug), COOP.country, COUNTRY.SWE) in g
    labels = {str(g.value(org(s), SKOS.prefLabel)) for s in MANTT_ORGS}
    for town in ("Piteå", "Kalix", "Boden", "Älvsbyn", "Arvidsjaur", "Jokkmokk"):
        assert any(lbl.startswith(town) for lbl in labels), town


def test_brussels_seminar(g: Graph) -> None:
    seminars = values(g, """SELECT ?e WHERE { ?e a coop:Event ; coop:date "2012-10-25"^^xsd:date ;
                                               coop:eventOf ?planet , ?mantt }""",
                      planet=project("planet"), mantt=project("mantt"))
    assert seminars == {ID["event/sern-seminar-brussels-2012"]}


# ---------------------------------------------------------------------------------------------
# Carpathian Euroregion city network platform (document 003)
# ---------------------------------------------------------------------------------------------

CARPATHIAN_PARTNERS = {
    "PP1": "stowarzyszenie-euroregion-karpacki-polska",
    "PP2": "stowarzyszenie-euroregion-karpacki-slowacja-polnoc",
    "PP3": "gmina-miejska-przemysl",
    "PP4": "gmina-miejska-przeworsk",
    "PP5": "gmina-lesko",
    "PP6": "miasto-jaslo",
    "PP7": "mesto-snina",
    "PP8": "mesto-medzilaborce",
    "PP9": "gmina-miejska-ustrzyki-dolne",
    "PP10": "mesto-vranov-nad-toplou",
    "PP11": "gmina-miejska-jaroslaw",
    "PP12": "gmina-boguchwala",
}

CARPATHIAN_REGIONS = {
    "mesto-humenne": "SK041",
    "mesto-snina": "SK041",
    "mesto-medzilaborce": "SK041",
    "mesto-vranov-nad-toplou": "SK041",
    "gmina-miejska-przemysl": "PL822",
    "gmina-miejska-przeworsk": "PL822",
    "gmina-miejska-jaroslaw": "PL822",
    "miasto-jaslo": "PL821",
    "gmina-lesko": "PL821",
    "gmina-miejska-ustrzyki-dolne": "PL821",
    "gmina-boguchwala": "PL823",
}


def test_carpathian_project(g: Graph) -> None:
    p = project("carpathian-city-network-platform")
    assert ask(g, """ASK { ?p a coop:Project ;
        coop:title "Innowacyjna platforma współpracy sieci miast Euroregionu Karpackiego"@pl ;
        coop:startDate "2011-04-01"^^xsd:date ; coop:endDate "2012-09-30"^^xsd:date ;
        coop:fund ?erdf ; coop:continues ?prev . ?prev a coop:Project . FILTER (?prev != ?p) }""",
               p=p, erdf=ID["fund/erdf"])
    assert any(t.language == "en" for t in g.objects(p, COOP.title))
    amounts = rows(g, "SELECT ?v ?c WHERE { ?p coop:euContribution ?v ; coop:currency ?c }", p=p)
    assert len(amounts) == 1
    value, currency = amounts[0]
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("298724.85")
    assert str(currency) == "EUR"
    prog = ID["programme/poland-slovakia-2007-2013"]
    assert (p, COOP.programme, prog) in g and (prog, RDF.type, COOP.Programme) in g
    assert is_inferred(g, p, COOP.programme, prog)


def test_carpathian_partners(g: Graph) -> None:
    p = project("carpathian-city-network-platform")
    assert participants(g, p, ROLE.leadPartner) == {org("mesto-humenne")}
    assert (org("mesto-humenne"), SKOS.prefLabel, Literal("Mesto Humenné", lang="sk")) in g
    numbered = {str(n): o for o, n in rows(g, """SELECT ?o ?n WHERE { ?x coop:project ?p ; coop:organisation ?o ;
                                                       coop:role role:partner ; coop:partnerNumber ?n }""", p=p)}
    assert numbered == {n: org(s) for n, s in CARPATHIAN_PARTNERS.items()}
    assert len(participants(g, p, ROLE.partner)) == 12
    assert len(participants(g, p)) == 13


def test_carpathian_regions_are_inferred(g: Graph) -> None:
    for slug, code in CARPATHIAN_REGIONS.items():
        assert set(g.objects(org(slug), COOP.region)) == {NUTS[code]}, slug
        assert is_inferred(g, org(slug), COOP.region, NUTS[code]), slug
    assert not list(g.objects(org("stowarzyszenie-euroregion-karpacki-slowacja-polnoc"), COOP.region))


def test_smek_network(g: Graph) -> None:
    smek = org("smek")
    assert ask(g, """ASK { ?s a coop:Network ; coop:acronym "SMEK" ;
                           skos:prefLabel "Sieć Miast Euroregionu Karpackiego"@pl }""", s=smek)
    assert set(g.objects(smek, COOP.hasMember)) == {org(s) for s in CARPATHIAN_REGIONS}


# ---------------------------------------------------------------------------------------------
# BitStream I (document 004)
# ---------------------------------------------------------------------------------------------

BITSTREAM_WPS = {
    1: ("2013-03-15", "2014-05-15"),
    2: ("2013-05-02", "2013-11-30"),
    3: ("2013-05-02", "2013-11-30"),
    4: ("2013-10-10", "2014-05-09"),
    5: ("2013-10-10", "2014-05-15"),
    6: ("2013-03-15", "2014-05-15"),
}

BITSTREAM_FINANCIERS = {
    "region-vasterbotten": ("SWE", "SE331"),
    "umea-universitet": ("SWE", "SE331"),
    "sorsele-kommun": ("SWE", "SE331"),
    "storumans-kommun": ("SWE", "SE331"),
    "nordland-fylkeskommune": ("NOR", "NO071"),
    "bodo-kommune": ("NOR", "NO071"),
    "statens-innkrevingssentral": ("NOR", "NO071"),
}


def test_bitstream_project(g: Graph) -> None:
    b = project("bitstream-i")
    bot = ID["programme/botnia-atlantica"]
    assert ask(g, """ASK { ?b a coop:Project ; coop:acronym "BitStream I" ;
                           coop:title "Kompetensutveckling för innovationskraft"@sv ; coop:programme ?bot ;
                           coop:startDate "2013-03"^^xsd:gYearMonth ; coop:endDate "2014-05"^^xsd:gYearMonth }""",
               b=b, bot=bot)
    assert (bot, COOP.fund, ID["fund/erdf"]) in g and is_inferred(g, bot, COOP.fund, ID["fund/erdf"])


def test_bitstream_work_packages(g: Graph) -> None:
    found = rows(g, """SELECT ?wp ?n ?s ?e WHERE { ?wp a coop:WorkPackage ; coop:partOf ?b ; coop:number ?n ;
                                                    coop:startDate ?s ; coop:endDate ?e ; coop:title ?t .
                                                    FILTER (lang(?t) = "sv") }""", b=project("bitstream-i"))
    assert len(found) == 6
    got = {}
    for wp, n, s, e in found:
        assert s.datatype == XSD.date and e.datatype == XSD.date
        assert str(wp) == str(ID[f"work-package/bitstream-i/wp{int(n)}"])
        got[int(n)] = (str(s), str(e))
    assert got == BITSTREAM_WPS


def test_bitstream_co_financiers(g: Graph) -> None:
    b = project("bitstream-i")
    assert participants(g, b) == participants(g, b, ROLE.coFinancier) == {org(s) for s in BITSTREAM_FINANCIERS}
    for slug, (country, region) in BITSTREAM_FINANCIERS.items():
        assert set(g.objects(org(slug), COOP.country)) == {COUNTRY[country]}, slug
        assert set(g.objects(org(slug), COOP.region)) == {NUTS[region]}, slug
    sis = org("statens-innkrevingssentral")
    assert (sis, SKOS.prefLabel, Literal("Statens innkrevingssentral", lang="no")) in g
    assert Literal("Statens inkrevingssentral", lang="no") in set(g.objects(sis, SKOS.altLabel))
    # Botnia-Atlantica is the programme, not a participant
    assert not ask(g, """ASK { ?x coop:organisation ?o . ?o skos:prefLabel|skos:altLabel ?l .
                               FILTER (CONTAINS(LCASE(STR(?l)), "botnia")) }""")


# ---------------------------------------------------------------------------------------------
# Programmes, fund, networks
# ---------------------------------------------------------------------------------------------


def test_programmes_and_fund(g: Graph) -> None:
    progs = values(g, "SELECT ?p WHERE { ?p a coop:Programme ; skos:prefLabel ?l }")
    assert progs == {ID[f"programme/{s}"] for s in (
        "interreg-ivc", "interreg-npa", "europe-for-citizens", "botnia-atlantica", "poland-slovakia-2007-2013")}
    assert ask(g, """ASK { <https://w3id.org/coopgraph/id/fund/erdf> a coop:Fund ; coop:acronym "ERDF" ;
                           skos:prefLabel "European Regional Development Fund"@en }""")
    # every programme -> ERDF link is marked as inferred; Europe for Citizens is not an ERDF programme
    for prog in values(g, "SELECT ?p WHERE { ?p a coop:Programme ; coop:fund ?erdf }", erdf=ID["fund/erdf"]):
        assert is_inferred(g, prog, COOP.fund, ID["fund/erdf"])
    assert (ID["programme/europe-for-citizens"], COOP.fund, ID["fund/erdf"]) not in g


def test_networks(g: Graph) -> None:
    nets = values(g, "SELECT ?n WHERE { ?n a coop:Network ; coop:acronym ?a ; coop:description ?d }")
    assert nets == {org("ernact"), org("sern"), org("smek")}


# ---------------------------------------------------------------------------------------------
# Curation rules: inferences, regions, IRIs, vocabulary
# ---------------------------------------------------------------------------------------------


def test_every_region_link_is_stated_or_inferred(g: Graph) -> None:
    links = rows(g, "SELECT ?s ?r WHERE { ?s coop:region ?r }")
    assert len(links) > 30
    # no region link in the seed is stated verbatim by a source, so every one needs an Inference
    missing = [(s, r) for s, r in links if not is_inferred(g, s, COOP.region, r)]
    assert missing == []


def test_every_inference_points_at_a_triple_of_the_graph(g: Graph) -> None:
    infs = rows(g, """SELECT ?i ?s ?p ?o WHERE { ?i a coop:Inference ; rdf:subject ?s ; rdf:predicate ?p ;
                                                 rdf:object ?o }""")
    assert len(infs) > 50
    for i, s, p, o in infs:
        assert (s, p, o) in g, (s, p, o)
        assert any(j.language == "en" and len(j) > 20 for j in g.objects(i, COOP.justification))


def test_regions_are_nuts_2021_level_3_regions(g: Graph) -> None:
    used = values(g, "SELECT ?r WHERE { ?s coop:region ?r }")
    assert {str(r).removeprefix(str(NUTS)) for r in used} == {
        "SE321", "SE331", "SE332", "PL821", "PL822", "PL823", "SK041", "NO071", "BE100", "UKN10"}
    assert all(str(r).removeprefix(str(NUTS)) in NUTS3_2021 for r in used)
    assert NUTS3_2021["PL822"] == "Przemyski" and NUTS3_2021["SK041"] == "Prešovský kraj"
    # regions are only linked to, never described here
    assert not any(True for r in used for _ in g.predicate_objects(r))


def test_countries_are_eu_authority_uris(g: Graph) -> None:
    used = values(g, "SELECT ?c WHERE { ?s coop:country ?c }")
    assert used <= {COUNTRY[c] for c in (
        "SWE", "FIN", "IRL", "CAN", "BGR", "GRC", "ITA", "ESP", "GBR", "CZE", "POL", "SVK", "NOR", "BEL")}
    assert not any(True for c in used for _ in g.predicate_objects(c))


def test_unnamed_partners(g: Graph) -> None:
    unnamed = values(g, "SELECT ?o WHERE { ?o coop:unnamed true }")
    assert len(unnamed) == 7 + 3 + 3
    for o in unnamed:
        assert len(set(g.objects(o, COOP.country))) == 1
        assert not list(g.objects(o, COOP.region))
        assert g.value(o, SKOS.prefLabel).language == "en"


def test_participations_are_well_formed(g: Graph) -> None:
    parts = set(g.subjects(RDF.type, COOP.Participation))
    assert len(parts) == 8 + 6 + 4 + 8 + 13 + 7
    slug = re.compile(r"^https://w3id\.org/coopgraph/id/participation/([a-z0-9-]+)/([a-z0-9-]+)$")
    for p in parts:
        for prop in (COOP.project, COOP.organisation, COOP.role):
            assert len(list(g.objects(p, prop))) == 1, (p, prop)
        m = slug.match(str(p))
        assert m, p
        assert str(g.value(p, COOP.project)) == str(ID[f"project/{m.group(1)}"])
        assert str(g.value(p, COOP.organisation)) == str(ID[f"organisation/{m.group(2)}"])


def test_data_iris_follow_the_conventions(seed: Graph) -> None:
    pattern = re.compile(r"^https://w3id\.org/coopgraph/id/(project|organisation|participation|programme|fund"
                         r"|event|theme|work-package|document)/[a-z0-9_-]+(/[a-z0-9_-]+)?$")
    subjects = {s for s in seed.subjects() if isinstance(s, URIRef)}
    assert subjects and all(pattern.match(str(s)) for s in subjects), \
        sorted(str(s) for s in subjects if not pattern.match(str(s)))


def test_only_ontology_terms_are_used(seed: Graph, ontology: Graph) -> None:
    defined = set(ontology.subjects())
    ours = ("https://w3id.org/coopgraph/ontology#", "https://w3id.org/coopgraph/role/",
            "https://w3id.org/coopgraph/organisation-type/")
    used = {t for triple in seed for t in triple if isinstance(t, URIRef) and str(t).startswith(ours)}
    assert used and used <= defined, used - defined


def test_dates_have_the_right_precision(g: Graph) -> None:
    for s, p, o in g.triples((None, None, None)):
        if p in (COOP.startDate, COOP.endDate, COOP.date):
            assert o.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear), (s, p, o)
            length = {XSD.date: 10, XSD.gYearMonth: 7, XSD.gYear: 4}[o.datatype]
            assert len(str(o)) == length, (s, p, o)


# ---------------------------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------------------------


def test_no_phone_numbers_or_email_addresses(seed: Graph) -> None:
    phone = re.compile(r"\d{3}-\d{3} ?\d{2} ?\d{2}|\+\d{2} ?\d")
    texts = [str(t) for triple in seed for t in triple if isinstance(t, Literal)]
    assert texts
    assert [t for t in texts if phone.search(t)] == []
    assert [t for t in texts if "@" in t or "mailto:" in t] == []


def _name_hash(word: str) -> str:
    return hashlib.sha256(word.lower().encode()).hexdigest()[:16]


@pytest.mark.shared
def test_the_name_hashes_are_of_words_in_the_source_pages(shared_data) -> None:
    pages = " ".join(path.read_text(encoding="utf-8") for path in (shared_data.parent / "seeds").glob("*.txt"))
    assert PERSON_NAME_HASHES <= {_name_hash(word) for word in re.findall(r"\w+", pages)}


def test_no_person_names(seed: Graph) -> None:
    words = {word for triple in seed for term in triple for word in re.findall(r"\w+", str(term))}
    assert {word for word in words if _name_hash(word) in PERSON_NAME_HASHES} == set()
    persons = {URIRef("http://xmlns.com/foaf/0.1/Person"), URIRef("https://schema.org/Person"),
               URIRef("http://www.w3.org/ns/prov#Person")}
    assert not [s for s, o in seed.subject_objects(RDF.type) if o in persons]


# ---------------------------------------------------------------------------------------------
# SHACL shapes
# ---------------------------------------------------------------------------------------------


def validate(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return bool(conforms), results


def result_rows(results: Graph) -> list[tuple]:
    """(focus, path, value, constraint component) of every validation result."""
    return [(results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.value),
             results.value(r, SH.sourceConstraintComponent))
            for r in results.subjects(RDF.type, SH.ValidationResult)]


def test_seed_conforms_with_ontology(g: Graph, shapes: Graph) -> None:
    conforms, results = validate(g, shapes)
    assert result_rows(results) == [] and conforms


def test_seed_conforms_without_ontology(seed: Graph, shapes: Graph) -> None:
    # the sh:or over the organisation classes makes subclass instances pass without rdfs:subClassOf
    conforms, results = validate(seed, shapes)
    assert result_rows(results) == [] and conforms


def test_shapes_check_every_participation_of_the_seed(g: Graph, shapes: Graph) -> None:
    """Break one participation of the seed: the shapes must notice, with and without the ontology."""
    victim = ID["participation/innocap-pre-study/ernact"]
    for base in (g, g - Graph().parse(ONTOLOGY, format="turtle")):
        data = Graph()
        data += base
        data.remove((victim, COOP.role, None))
        data.add((victim, COOP.role, ORGTYPE.municipality))          # not a role
        data.add((victim, COOP.organisation, project("pike")))      # second organisation, not an organisation
        conforms, results = validate(data, shapes)
        assert not conforms
        got = {(f, p, c) for f, p, _, c in result_rows(results)}
        assert (victim, COOP.role, SH.InConstraintComponent) in got
        assert (victim, COOP.organisation, SH.MaxCountConstraintComponent) in got
        assert (victim, COOP.organisation, SH.OrConstraintComponent) in got


@pytest.fixture(scope="module")
def broken_results(ontology: Graph, shapes: Graph) -> tuple[bool, list[tuple], Graph]:
    data = Graph()
    data += ontology
    data += Graph().parse(BROKEN, format="turtle")
    conforms, results = validate(data, shapes)
    return conforms, result_rows(results), data


def test_broken_does_not_conform(broken_results) -> None:
    conforms, found, _ = broken_results
    assert not conforms and found


def test_broken_participation_two_projects_no_role(broken_results) -> None:
    _, found, _ = broken_results
    part = ID["participation/broken-alpha-beta"]
    got = {(p, c) for f, p, _, c in found if f == part}
    assert (COOP.project, SH.MaxCountConstraintComponent) in got
    assert (COOP.role, SH.MinCountConstraintComponent) in got


def test_broken_project_without_title_or_acronym(broken_results) -> None:
    _, found, _ = broken_results
    assert (project("broken-untitled"), None, project("broken-untitled"), SH.OrConstraintComponent) in found
    assert (project("broken-empty-title"), COOP.title, Literal(""), SH.MinLengthConstraintComponent) in found


def test_an_acronym_names_a_project_as_well_as_a_title(shapes: Graph) -> None:
    data = Graph().parse(data="""@prefix coop: <https://w3id.org/coopgraph/ontology#> .
        <https://example.org/p> a coop:Project ; coop:acronym "HELIOS" .""", format="turtle")
    conforms, results = validate(data, shapes)
    assert conforms and result_rows(results) == []


def test_broken_amount_without_currency(broken_results) -> None:
    _, found, data = broken_results
    assert (project("broken-alpha"), None, project("broken-alpha"), SH.OrConstraintComponent) in found
    assert (project("broken-alpha"), COOP.euContribution, None) in data


def test_a_participations_amounts_are_in_its_projects_currency(shapes: Graph) -> None:
    data = Graph().parse(data="""@prefix coop: <https://w3id.org/coopgraph/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/p> coop:currency "EUR" .
        <https://example.org/a> coop:project <https://example.org/p> ; coop:euContribution "10"^^xsd:decimal .
        <https://example.org/b> coop:project <https://example.org/q> ; coop:euContribution "20"^^xsd:decimal .""",
                         format="turtle")
    conforms, results = validate(data, shapes)
    assert not conforms
    assert [f for f, _, _, c in result_rows(results) if c == SH.OrConstraintComponent] == [
        URIRef("https://example.org/b")]  # (both lack an organisation and a role, which other shapes report)


def test_broken_date_as_plain_string(broken_results) -> None:
    _, found, _ = broken_results
    assert (project("broken-beta"), COOP.startDate, Literal("spring 2008"), SH.OrConstraintComponent) in found


def test_broken_region_not_nuts(broken_results) -> None:
    _, found, _ = broken_results
    bad = URIRef("http://example.org/region/Västernorrland")
    assert (org("broken-org"), COOP.region, bad, SH.PatternConstraintComponent) in found


def test_broken_end_before_start(broken_results) -> None:
    _, found, _ = broken_results
    hits = [(f, v) for f, _, v, c in found if c == SH.SPARQLConstraintComponent]
    assert hits == [(project("broken-reversed"), Literal("2011", datatype=XSD.gYear))]


def test_an_empty_title_is_no_title(shapes: Graph) -> None:
    data = Graph().parse(data="""@prefix coop: <https://w3id.org/coopgraph/ontology#> .
        <https://example.org/p> a coop:Project ; coop:title "" .""", format="turtle")
    conforms, results = validate(data, shapes)
    assert not conforms
    assert [(f, p, c) for f, p, _, c in result_rows(results)] == [
        (URIRef("https://example.org/p"), COOP.title, SH.MinLengthConstraintComponent)]


def test_broken_has_no_stray_violations(broken_results) -> None:
    _, found, _ = broken_results
    assert len(found) == 8  # 2 participation + no name + empty title + currency + date + region + reversed dates
