"""Right answers from tables of other periods and dialects: NUTS versions, missing values, amounts, a place per row.

``tests/fixtures/messy`` is a small table of the 2014-2020 period as users bring them (NUTS 2016 codes, the
UK's own 2021 codes, ``NA`` / ``-`` / ``n/a`` for missing cells, English and French amounts, an organisation
that moved). Its region and country pair counts are compared with an independent pandas computation of the
rules the README states.
"""

import json
from collections import Counter
from decimal import Decimal

import pandas
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, graph_pairs, pair_counts, placed, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.mapping import NA_VALUES, Mapping, MappingError
from coopgraph.importers.nuts import find_region
from coopgraph.importers.pipeline import run
from coopgraph.importers.values import AmbiguousAmount, amount
from coopgraph.network import country_graph, region_graph

MESSY = FIXTURES / "messy"
#: What the JRC matrices and the NUTS tree say of the fixture's codes that are not NUTS 2021 regions:
#: HR041 (NUTS 2016) is all of HR050; UKN0C (the UK's own 2021 code) is in UKN0 (the parent rule).
OLD_CODES = {"HR041": "HR050", "UKN0C": "UKN0"}


def import_messy(kg, tmp_path, mapping_text=None):
    mapping = MESSY / "messy.toml"
    if mapping_text is not None:
        mapping = tmp_path / "messy.toml"
        mapping.write_text(mapping_text, encoding="utf-8")
    (report,) = run(kg, IMPORTERS["table"].jobs([MESSY / "participations.csv"], mapping=mapping),
                    report_dir=tmp_path)
    return report


@pytest.fixture(scope="module")
def messy_kg(tmp_path_factory):
    import coopgraph

    kg = coopgraph.open(":memory:")
    kg.remove("seed")  # only the table counts
    report = import_messy(kg, tmp_path_factory.mktemp("reports"))
    yield kg, report
    kg.close()


# -- the independent computation ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected() -> pandas.DataFrame:
    table = pandas.read_csv(MESSY / "participations.csv", dtype=str, keep_default_na=False,
                            na_values=sorted(NA_VALUES)).fillna("")
    return placed(table, lambda code: OLD_CODES.get(code, code) if len(code) > 2 else "", "pic", "nuts")


@pytest.mark.parametrize("level", [1, 2, 3])
def test_region_pairs_equal_pandas(messy_kg, expected, level):
    kg, _ = messy_kg
    at_level = expected.assign(region=expected.region.map(lambda code: code[:level + 2] if len(code) >= level + 2
                                                          else ""))
    graph = region_graph(kg, level)
    assert graph_pairs(graph) == pair_counts(at_level, "region", "project")
    fractional = pair_counts(at_level, "region", "project", fractional=True)
    assert graph_pairs(graph, "fractional") == pytest.approx(fractional)
    rows = kg.query("region-pairs", level=level)
    expected_pairs = pair_counts(at_level, "region", "project")
    assert Counter({(str(r.region_a), str(r.region_b)): int(r.projects) for r in rows}) == expected_pairs


def test_country_pairs_equal_pandas(messy_kg, expected):
    kg, _ = messy_kg
    graph = country_graph(kg)
    countries = pair_counts(expected, "country", "project")
    assert graph_pairs(graph) == countries
    assert graph_pairs(graph, "fractional") == pytest.approx(pair_counts(expected, "country", "project", True))
    rows = kg.query("country-pairs")
    assert Counter({(str(r.region_a), str(r.region_b)): int(r.projects) for r in rows}) == countries
    assert ("DE", "XK") in countries  # Kosovo counts


def test_each_participation_keeps_its_own_place(messy_kg):
    kg, _ = messy_kg
    rows = {(str(r.acronym), str(r.region or "")) for r in kg.query("""
        SELECT ?acronym ?region WHERE { ?p coop:organisation/coop:pic "4" ; coop:project/coop:acronym ?acronym .
                                        OPTIONAL { ?p coop:region/skos:notation ?region } }""")}
    # the organisation moved from Berlin (DE300) to Oberbayern (DE212); its row without a place takes DE212
    assert rows == {("BALT", "DE300"), ("CARPA", "DE212"), ("DANU", "DE212"), ("ELBE", "DE212")}
    (organisation,) = kg.query("SELECT ?region WHERE { ?o coop:pic '4' ; coop:region/skos:notation ?region }")
    assert str(organisation.region) == "DE212"
    (why,) = kg.query("""SELECT ?why WHERE { ?i rdf:subject ?p ; rdf:predicate coop:region ; coop:justification ?why .
                                             ?p coop:organisation/coop:pic "4" ; coop:project/coop:acronym "ELBE" }""")
    assert "no place" in str(why.why) and "DE212 on 2 row(s)" in str(why.why)


def test_older_codes_keep_what_the_source_said(messy_kg):
    kg, _ = messy_kg
    given = {(str(r.given), str(r.region), str(r.why)) for r in kg.query("""
        SELECT DISTINCT ?given ?region ?why WHERE { ?p coop:regionAsGiven ?given ; coop:region/skos:notation ?region .
            ?i a coop:Inference ; rdf:subject ?p ; rdf:predicate coop:region ; coop:justification ?why }""")}
    assert given == {
        ("HR041", "HR050", "NUTS 2016 code HR041 read as NUTS 2021 HR050, the region holding all of its population "
                           "(JRC NUTS converter)"),
        ("UKN0C", "UKN0", "UKN0C is not a NUTS 2006-2024 code; read as its parent UKN0"),
    }


def test_the_report_has_a_data_quality_section(messy_kg, tmp_path):
    _, report = messy_kg
    quality = report.data_quality
    assert quality["cells read as missing"] == {"NA": 3, "-": 3, "n/a": 1}
    assert quality["rows without a place"] == {"rows": 3, "placed by their organisation's other rows": 2}
    assert quality["rows with a country but no region"] == {
        "rows": 2, "given their organisation's region in that country": 1}  # Luleå's "-"; Kosovo has no NUTS
    assert quality["regions read from other codes"] == {"NUTS 2016": 3, "parent": 2}
    assert quality["amounts left out as ambiguous"] == 2  # 125,000 and 2.500
    assert quality["organisations whose rows disagree on their place"]["organisations"] == 1
    assert "DE212 on 2 row(s), DE300 on 1 row(s)" in quality["organisations whose rows disagree on their place"][
        "first"][0]
    assert not any("NA" in message or "'-'" in message for message in report.warnings)  # missing is not a warning


def test_the_terminal_summary_names_the_data_quality(store_copy, tmp_path):
    result = run_cli("import", "table", str(MESSY / "participations.csv"), "--mapping", str(MESSY / "messy.toml"),
                     "--report-dir", str(tmp_path), store=store_copy)
    assert result.returncode == 0, result.stderr
    summary = " ".join(result.stderr.split())
    assert "data quality: table/participations.csv: 7 cells read as missing" in summary
    assert "2 ambiguous amounts left out" in summary and "1 organisation whose rows disagree" in summary
    saved = json.loads((tmp_path / "table--participations.csv" / "report.json").read_text(encoding="utf-8"))
    assert saved["data_quality"]["amounts left out as ambiguous"] == 2


def test_na_values_per_column_let_na_mean_namibia(fresh_kg, tmp_path):
    text = (MESSY / "messy.toml").read_text(encoding="utf-8").replace(
        'currency = "EUR"', 'currency = "EUR"\nna_values = { country = ["", "-"] }')
    import_messy(fresh_kg, tmp_path, text)
    countries = {str(r.name): str(r.country) for r in fresh_kg.query("""
        SELECT ?name ?country WHERE { ?o coop:pic ?pic ; skos:prefLabel ?name ; coop:country/coop:isoCode ?country .
                                      FILTER(?pic IN ("2", "8")) }""")}
    # Namibia is Namibia; Grad Zagreb's "NA" row is now Namibia too, as the mapping asked (its HR row ties)
    assert countries["Namibia University of Science and Technology"] == "NA"
    assert countries["Grad Zagreb"] == "NA"


def test_decimal_and_thousands_settle_ambiguous_amounts(fresh_kg, tmp_path):
    text = (MESSY / "messy.toml").read_text(encoding="utf-8")
    report = import_messy(fresh_kg, tmp_path, text.replace('currency = "EUR"', 'currency = "EUR"\nthousands = ","'))
    assert report.data_quality["amounts left out as ambiguous"] == 0
    budgets = {str(r.acronym): r.value.toPython() for r in fresh_kg.query("""
        SELECT ?acronym ?value WHERE { ?p coop:budget ?value ; coop:project/coop:acronym ?acronym ;
                                       coop:organisation/coop:pic ?pic FILTER(?pic IN ("3", "6")) }""")}
    assert budgets == {"ADRIA": Decimal("125000"), "BALT": Decimal("2.5")}  # "2.500": "." is the decimal mark


def import_table(kg, tmp_path, table: str, mapping: str):
    """Import a table written here with its mapping; the report."""
    (tmp_path / "table.csv").write_text(table, encoding="utf-8")
    (tmp_path / "table.toml").write_text(mapping, encoding="utf-8")
    (report,) = run(kg, IMPORTERS["table"].jobs([tmp_path / "table.csv"], mapping=tmp_path / "table.toml"),
                    report_dir=tmp_path)
    return report


ROLES = '[participation]\nrole = "role"\nrole_values = { lead = "leadPartner", partner = "partner" }\n'


def test_a_nuts_cell_holding_a_country_code_gives_no_region(fresh_kg, tmp_path):
    # PT and FR are NUTS regions of level 0 too: read as regions, they kept Porto's row from its region PT11
    report = import_table(fresh_kg, tmp_path, "project,pic,name,country,nuts,role\nP1,1,Porto,PT,PT11,lead\n"
                          "P1,2,Kiel,DE,DEF02,partner\nP2,1,Porto,PT,PT,lead\nP2,2,Kiel,DE,DEF02,partner\n"
                          "P2,3,Grenoble,FR,FR,partner\n",
                          '[source]\nprefix = "cc"\n[project]\nid = "project"\n[organisation]\nid = "pic"\n'
                          'name = "name"\ncountry = "country"\nnuts = "nuts"\n' + ROLES)
    assert report.data_quality["rows with a country but no region"] == {
        "rows": 2, "given their organisation's region in that country": 1}  # Porto's PT row takes PT11
    regions = {str(r.region) for r in fresh_kg.query("SELECT DISTINCT ?region WHERE { ?p coop:project ?project ; "
                                                     "coop:region/skos:notation ?region }")}
    assert not regions & {"PT", "FR"}
    pairs = {(str(r.region_a), str(r.region_b)): int(r.projects) for r in fresh_kg.query("region-pairs", level=2)}
    assert pairs[("DEF0", "PT11")] == 2  # P1 and P2


ZERO_BUDGETS = """project,project_budget,project_eu,pic,name,country,role,budget,eu
P1,0,1000,1,Umeå universitet,SE,lead,0,500
P1,0,1000,2,Grad Zagreb,HR,partner,"0,00","12,5"
P1,0,1000,3,Turun yliopisto,FI,partner,0,0
P2,2000,1000,1,Umeå universitet,SE,lead,0,
P2,2000,1000,4,Stadt Wanderer,DE,partner,100,50
P2,2000,1000,5,Queen's University Belfast,UK,partner,0,NA
"""


def test_a_budget_of_0_beside_a_positive_eu_contribution_is_left_out(fresh_kg, tmp_path):
    report = import_table(fresh_kg, tmp_path, ZERO_BUDGETS, """[source]\nprefix = "zero"\ncurrency = "EUR"
[project]\nid = "project"\nbudget = "project_budget"\neu_contribution = "project_eu"
[organisation]\nid = "pic"\npic = "pic"\nname = "name"\ncountry = "country"
""" + ROLES + 'budget = "budget"\neu_contribution = "eu"\n')
    table = pandas.read_csv(tmp_path / "table.csv", dtype=str, keep_default_na=False)
    number = lambda column: pandas.to_numeric(table[column].str.replace(",", "."), errors="coerce")  # noqa: E731
    left_out = (number("budget") == 0) & (number("eu") > 0)
    expected = {(row.project, row.pic) for row in table[(table.budget != "") & ~left_out].itertuples()}
    budgets = {(str(r.project), str(r.pic)) for r in fresh_kg.query("""
        SELECT ?project ?pic WHERE { ?p coop:budget ?b ; coop:project/coop:acronym ?project ;
                                     coop:organisation/coop:pic ?pic }""")}
    assert budgets == expected and len(expected) == 4  # a 0 without a contribution, or beside 0, stays
    projects = {str(r.project): r.budget and r.budget.toPython() for r in fresh_kg.query("""
        SELECT ?project ?budget WHERE { VALUES ?project { "P1" "P2" } ?p a coop:Project ; coop:acronym ?project
                                        OPTIONAL { ?p coop:budget ?budget } }""")}
    assert projects == {"P1": None, "P2": Decimal("2000")}
    assert report.data_quality["budgets of 0 left out beside a positive EU contribution"] == left_out.sum() + 1
    assert report.warnings["participation budget of 0 left out beside a positive EU contribution (a budget holds "
                           "its contribution: the source gives none)"] == {"rows": 2, "first line": 2}


@pytest.mark.parametrize("text, settings, value", [
    ("491873,75", {}, "491873.75"), ("1.087.963,75", {}, "1087963.75"), ("1,250,000.50", {}, "1250000.50"),
    ("125000", {}, "125000"), ("12 500,00", {}, "12500.00"), ("-1.5", {}, "-1.5"),
    ("125,000", {"thousands": ","}, "125000"), ("125,000", {"decimal": ","}, "125.000"),
    ("2.500", {"decimal": ","}, "2500"), ("2.500", {"thousands": ","}, "2.500"),
    ("1'250'000.5", {"thousands": "'"}, "1250000.5"), ("1 250 000,5", {"thousands": " ", "decimal": ","}, "1250000.5"),
])
def test_amounts(text, settings, value):
    assert amount(text, **settings) == Decimal(value)


@given(st.integers(0, 999_999), st.integers(0, 999), st.sampled_from([",", "."]), st.sampled_from(["", "-", "+"]))
def test_an_ambiguous_amount_is_never_guessed(whole, thousandths, mark, sign):
    text = f"{sign}{whole}{mark}{thousandths:03d}"
    with pytest.raises(AmbiguousAmount):
        amount(text)
    # either key settles it, each its own way
    assert amount(text, decimal=mark) == Decimal(f"{sign}{whole}.{thousandths:03d}")
    if whole < 1000:
        assert amount(text, thousands=mark) == Decimal(f"{sign}{whole}{thousandths:03d}")
    else:  # 1000,000: a thousands mark after four digits is no thousands mark
        with pytest.raises(ValueError, match="not between groups of three digits"):
            amount(text, thousands=mark)


@pytest.mark.parametrize("text, settings", [
    ("125000.5", {"decimal": ","}), ("1250000.5", {"thousands": "."}), ("1.5.2020", {}), ("1,25,000", {}),
    ("1.234,5.6", {"decimal": ","}), ("12,50.000", {}),
])
def test_thousands_marks_out_of_place_are_refused_not_dropped(text, settings):
    with pytest.raises(ValueError, match="not between groups of three digits"):
        amount(text, **settings)


@given(st.integers(0, 10**9), st.integers(0, 99), st.sampled_from([",", "."]))
def test_unambiguous_amounts_are_read(whole, cents, mark):
    other = "," if mark == "." else "."
    grouped = f"{whole:,}".replace(",", other)
    assert amount(f"{grouped}{mark}{cents:02d}") == Decimal(f"{whole}.{cents:02d}")


@pytest.mark.parametrize("code, version, region, reading", [
    ("SE331", None, "SE331", None), ("HR041", None, "HR050", "NUTS 2016"), ("HR041", 2013, "HR050", "NUTS 2013"),
    ("BE221", 2016, "BE224", "NUTS 2016"), ("NL361", None, "NL332", "NUTS 2024"), ("UKN0C", None, "UKN0", "parent"),
    ("UKK24", None, "UKK2", "parent"), ("DEG06", 2024, "DEG06", "NUTS 2024"), ("UA", None, None, None),
])
def test_codes_of_every_version(code, version, region, reading):
    found = find_region(code, version)
    assert (found.region.code if found.region else None, found.reading) == (region, reading)


def test_a_pinned_version_says_the_share():
    assert "96.1 % of its population" in find_region("DEG06", 2024).justification  # Thuringia's 2024 reform
    assert find_region("XX999").justification == "XX999 is not a NUTS code of any version from 2006 to 2024"


@pytest.mark.parametrize("setting, message", [
    ('nuts_version = 2015', "nuts_version must be one of 2006, 2010, 2013, 2016, 2021, 2024, not 2015"),
    ('decimal = ";"', 'decimal must be "." or ",", not \';\''),
    ('decimal = ","\nthousands = ","', "decimal and thousands are both ','"),
    ('na_values = "NA"', None),  # one value is a list of one
    ('na_values = [3]', "na_values must be a list of cell values"),
    ('na_values = { country = 3 }', "na_values.country must be a list of cell values"),
])
def test_mapping_keys_are_checked(setting, message):
    text = (MESSY / "messy.toml").read_text(encoding="utf-8").replace('currency = "EUR"',
                                                                      f'currency = "EUR"\n{setting}')
    if message is None:
        assert Mapping.parse(text).na_values == {"", "NA"}
        return
    with pytest.raises(MappingError) as error:
        Mapping.parse(text, "m.toml")
    assert message in str(error.value)


def test_na_values_must_name_a_column_or_field(fresh_kg, tmp_path):
    text = (MESSY / "messy.toml").read_text(encoding="utf-8").replace(
        'currency = "EUR"', 'currency = "EUR"\nna_values = { contry = [""] }')
    with pytest.raises(MappingError, match="na_values names contry, neither a column"):
        import_messy(fresh_kg, tmp_path, text)


def test_the_shipped_nuts_table_is_what_the_jrc_matrices_give(shared_data, tmp_path):
    """graph/data/derive_nuts_versions.py, run on ../shared/data, writes exactly the table the package ships."""
    import subprocess
    import sys

    from conftest import ROOT

    derived = subprocess.run([sys.executable, str(ROOT / "graph" / "data" / "derive_nuts_versions.py"),
                              str(shared_data / "nuts-conversion")], capture_output=True, text=True, check=True)
    assert derived.stdout == (ROOT / "graph" / "data" / "nuts-versions.csv").read_text(encoding="utf-8")
    assert len(derived.stdout.splitlines()) > 1000


def test_organisations_are_geolocated_where_their_rows_place_them(fresh_kg, tmp_path):
    jobs = IMPORTERS["cordis"].jobs([FIXTURES / "cordis" / "organization.csv"])
    (report,) = run(fresh_kg, jobs, report_dir=tmp_path)
    points = {str(row.o).rsplit("/", 1)[-1]: (float(row.lat), float(row.long)) for row in fresh_kg.query(
        "SELECT ?o ?lat ?long WHERE { ?o geo:lat ?lat ; geo:long ?long }")}
    assert points["999000001"] == (50.0, 10.0) and len(points) == 9  # every organisation of an imported row
    text = (FIXTURES / "cordis" / "organization.csv").read_text(encoding="utf-8").replace('"50.0,10.0"', '"0.0,0.0"', 1)
    (tmp_path / "zero.csv").write_text(text, encoding="utf-8")
    (report,) = run(fresh_kg, IMPORTERS["cordis"].jobs([tmp_path / "zero.csv"]), report_dir=tmp_path)
    assert report.warnings["geolocation left out where it is no place (such as 0,0)"]["rows"] == 1


@pytest.mark.parametrize("pin, justification", [
    ("", None),  # a NUTS 2021 code is itself
    ("nuts_version = 2024", "NUTS 2024 code DEG06 read as NUTS 2021 DEG06, the region holding 96.1 % of its "
                            "population (JRC NUTS converter)"),  # Thuringia's 2024 borders: a part lies elsewhere
])
def test_a_mapping_pins_its_nuts_version(fresh_kg, tmp_path, pin, justification):
    (tmp_path / "t.csv").write_text("project,pic,name,country,nuts,role\nP1,1,Stadt Suhl,DE,DEG06,lead\n",
                                    encoding="utf-8")
    text = (MESSY / "messy.toml").read_text(encoding="utf-8").replace('currency = "EUR"', f'currency = "EUR"\n{pin}')
    (tmp_path / "m.toml").write_text(text.replace('acronym = "acronym"\nstart = "start"\n', "").replace(
        'budget = "budget"\n', ""), encoding="utf-8")
    (report,) = run(fresh_kg, IMPORTERS["table"].jobs([tmp_path / "t.csv"], mapping=tmp_path / "m.toml"),
                    report_dir=tmp_path)
    rows = fresh_kg.query("""SELECT ?region ?why WHERE { ?p coop:region/skos:notation ?region
        FILTER(STRSTARTS(STR(?p), "https://w3id.org/coopgraph/id/participation/messy/"))
        OPTIONAL { ?i rdf:subject ?p ; rdf:predicate coop:region ; coop:justification ?why } }""")
    assert {(str(row.region), row.why and str(row.why)) for row in rows} == {("DEG06", justification)}
