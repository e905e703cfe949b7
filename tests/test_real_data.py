"""The importers on the real data sets in ../shared/data (skipped on a fresh clone without them).

The region and country pair counts of the full CORDIS Horizon Europe table are checked, pair by pair,
against an independent pandas computation over the same CSV.
"""

import csv
import io
import json
from collections import Counter

import pandas
import pytest

import coopgraph
from conftest import graph_pairs, pair_counts, placed, run_cli
from coopgraph.network import country_graph, organisation_graph, participations, region_graph

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def cordis_store(shared_data, tmp_path_factory):
    """A store with the full CORDIS table imported, and the seed removed so that only CORDIS counts."""
    store = tmp_path_factory.mktemp("cordis") / "store"
    folder = shared_data / "cordis-horizon-europe"
    result = run_cli("import", "cordis", str(folder / "organization.csv.gz"), "--topics", str(folder / "topics.csv.gz"),
                     "--legal-basis", str(folder / "legalBasis.csv.gz"),
                     "--report-dir", str(store.parent / "reports"), store=store)
    assert result.returncode == 0, result.stderr
    assert run_cli("remove", "seed", store=store).returncode == 0
    return store


@pytest.fixture(scope="module")
def cordis_table(shared_data) -> pandas.DataFrame:
    return pandas.read_csv(shared_data / "cordis-horizon-europe" / "organization.csv.gz", sep=";", dtype=str,
                           keep_default_na=False)


class Nuts2021:
    """NUTS codes of any version read as NUTS 2021, computed here from Eurostat's flat table and the raw JRC
    matrices with pandas (independently of the table coopgraph ships): a NUTS 2021 code is itself; another
    version's code (2024 first, then 2016 back to 2006) is the region of the matrix holding the largest share
    of its population; else its parent, as far as one resolves."""

    def __init__(self, shared_data):
        with open(shared_data / "nuts" / "nuts2021.csv", encoding="utf-8") as table:
            self.codes = {row["nuts_code"] for row in csv.DictReader(table)}
        self.readings = {}
        folder = shared_data / "nuts-conversion"
        for version in (2006, 2010, 2013, 2016, 2024):  # the later versions overwrite: looked up first
            for level in (1, 2, 3):
                old, new = (f"code_v{version}", "code_v2021") if version < 2021 else ("code_v2024", "code_v2021")
                name = f"n{level}_cm_v{min(version, 2021)}_v{max(version, 2021)}.csv"
                matrix = pandas.read_csv(folder / name, dtype={old: str, new: str})
                largest = matrix.sort_values("pop21", ascending=False).drop_duplicates(old)
                for code, target in zip(largest[old], largest[new], strict=True):
                    if code not in self.codes and target in self.codes:
                        self.readings[code] = target

    def __call__(self, code: str) -> str:
        """The NUTS 2021 code, or "" for none (a bare country code, an unknown code)."""
        while len(code) > 2:
            if code in self.codes:
                return code
            if code in self.readings:
                return self.readings[code]
            code = code[:-1]
        return ""


@pytest.fixture(scope="module")
def nuts_2021(shared_data) -> Nuts2021:
    return Nuts2021(shared_data)


def at_level(table: pandas.DataFrame, level: int) -> pandas.DataFrame:
    """Rows whose region is known at ``level`` or finer, with their region at that level (NUTS codes nest)."""
    known = table[table.region.str.len() >= level + 2]
    return known.assign(region=known.region.str[:level + 2])


def query_counts(store, *args) -> Counter:
    result = run_cli("query", *args, "--format", "csv", store=store)
    assert result.returncode == 0, result.stderr
    return Counter({(row["region_a"], row["region_b"]): int(row["projects"])
                    for row in csv.DictReader(io.StringIO(result.stdout))})


def assert_same_pairs(ours: Counter, expected: Counter, fractional: bool = False) -> None:
    assert set(ours) == set(expected)
    if fractional:
        assert all(ours[pair] == pytest.approx(value) for pair, value in expected.items())
    else:
        assert ours == expected


def test_every_row_is_imported(cordis_store):
    result = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a coop:Participation }", "-f", "csv",
                     store=cordis_store)
    assert result.stdout.split()[1] == "80276"


def test_region_and_country_pairs_equal_pandas(cordis_store, cordis_table, nuts_2021):
    """Each participation at its own row's place: the UK's own 2021 codes at their parent, Kosovo a country,
    rows that give only a NUTS 2 code counted at level 2 and above; the named queries and the networks."""
    expected = placed(cordis_table, nuts_2021, "organisationID", "nutsCode")
    assert (expected.country == "XK").sum() == 13 and expected.nutsCode.isin(["UKN0C", "UKK24"]).sum() == 15
    nuts_2_pairs = pair_counts(at_level(expected, 2), "region", "projectID")
    assert len(nuts_2_pairs) > 30_000
    assert query_counts(cordis_store, "region-pairs", "--param", "level=2") == nuts_2_pairs
    assert query_counts(cordis_store, "country-pairs") == pair_counts(expected, "country", "projectID")
    with coopgraph.open(cordis_store) as kg:
        data = participations(kg)
        graphs = {level: region_graph(kg, level, data=data) for level in (1, 2, 3)}
        countries = country_graph(kg, data=data)
    for level, graph in graphs.items():
        for fractional in (False, True):
            expected_pairs = pair_counts(at_level(expected, level), "region", "projectID", fractional)
            assert_same_pairs(graph_pairs(graph, "fractional" if fractional else "projects"), expected_pairs,
                              fractional)
    for fractional in (False, True):
        assert_same_pairs(graph_pairs(countries, "fractional" if fractional else "projects"),
                          pair_counts(expected, "country", "projectID", fractional), fractional)


def test_organisation_network_equals_pandas(cordis_store, cordis_table):
    with coopgraph.open(cordis_store) as kg:
        organisations = organisation_graph(kg)
    assert organisations.number_of_nodes() == cordis_table.organisationID.nunique()
    assert graph_pairs(organisations, "projects") == pair_counts(cordis_table, "organisationID", "projectID")


def test_amounts_equal_pandas_without_budgets_of_0_beside_a_contribution(cordis_store, cordis_table):
    """Each participation's amounts as its row gives them (its own EU contribution, netEcContribution), but a
    totalCost of 0 beside a positive contribution (which a total cost always holds) is left out: summed, such
    zeros made 5,705 projects' budget 0."""
    amount = {column: cordis_table[column].str.replace(",", ".").map(lambda text: float(text) if text else None)
              for column in ("totalCost", "netEcContribution")}
    zero = (amount["totalCost"] == 0) & (amount["netEcContribution"] > 0)
    assert zero.sum() > 10_000
    with coopgraph.open(cordis_store) as kg:
        for predicate, column, kept in (("budget", "totalCost", ~zero),
                                        ("euContribution", "netEcContribution", slice(None))):
            rows = kg.rows(f"SELECT (COUNT(?v) AS ?n) (SUM(?v) AS ?total) WHERE {{ ?p coop:{predicate} ?v }}")
            expected = amount[column][kept].dropna()
            assert int(rows[0][0]) == len(expected), predicate
            assert float(rows[0][1]) == pytest.approx(expected.sum()), predicate


def test_importing_the_same_file_again_changes_nothing(cordis_store, shared_data):
    before = run_cli("stats", "--format", "json", store=cordis_store).stdout
    folder = shared_data / "cordis-horizon-europe"
    again = run_cli("import", "cordis", str(folder / "organization.csv.gz"), "--topics", str(folder / "topics.csv.gz"),
                    "--legal-basis", str(folder / "legalBasis.csv.gz"), store=cordis_store)
    assert again.returncode == 0 and "cordis/organization.csv.gz: unchanged: same input as the source in the store" in \
        again.stderr
    assert run_cli("stats", "--format", "json", store=cordis_store).stdout == before


def test_swedish_interreg_partners(fresh_kg, shared_data, tmp_path):
    from coopgraph.importers import IMPORTERS
    from coopgraph.importers.pipeline import run

    (report,) = run(fresh_kg, IMPORTERS["interreg-se"].jobs([shared_data / "interreg-sweden-2021-2027" /
                                                             "partners.csv"]), report_dir=tmp_path)
    # 17 rows name no organisation; impossible end dates (2026-09-31, 2027-02-31) are left out, not the rows
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (1196, 1179, 17)
    assert sum(seen["rows"] for message, seen in report.warnings.items() if "not a date" in message) > 0
    rows = fresh_kg.query("""SELECT ?level (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?p coop:organisation/coop:region/coop:nutsLevel ?level ; coop:project ?project .
        FILTER(STRSTARTS(STR(?project), "https://w3id.org/coopgraph/id/project/interreg-se/")) } GROUP BY ?level""")
    by_level = {int(row.level): int(row.n) for row in rows}
    print("participations by NUTS level of the organisation's region:", by_level)
    assert sum(by_level.values()) > 1170 and set(by_level) <= {2, 3}


OTHER_PERIOD_MAPPING = """
[source]
prefix = "h2020-like"
delimiter = ","
thousands = ","
[project]
id = "projectID"
acronym = "projectAcronym"
[organisation]
id = "organisationID"
id_scheme = "test-pic"
name = "name"
country = "country"
nuts = "nutsCode"
[participation]
id = ["organisationID", "order"]
role = "role"
role_values.coordinator = "coordinator"
role_values.participant = "participant"
role_values.associatedPartner = "associatedPartner"
role_values.thirdParty = "thirdParty"
budget = "totalCost"
"""


def older_codes(shared_data, version: int) -> dict[str, str]:
    """For each NUTS 2021 code, a code of ``version`` that the JRC matrix reads as it, where that differs."""
    older = {}
    for level in (1, 2, 3):
        matrix = pandas.read_csv(shared_data / "nuts-conversion" / f"n{level}_cm_v{version}_v2021.csv", dtype=str)
        matrix = matrix.assign(pop21=matrix.pop21.astype(float)).sort_values("pop21", ascending=False)
        largest = matrix.drop_duplicates(f"code_v{version}")
        for old, new in zip(largest[f"code_v{version}"], largest.code_v2021, strict=True):
            if old != new and not old.startswith("UK"):
                older.setdefault(new, old)
    return older


@pytest.fixture(scope="module")
def nuts_2013_codes(shared_data) -> dict[str, str]:
    return older_codes(shared_data, 2013)


@pytest.fixture(scope="module")
def other_period_table(cordis_table, nuts_2013_codes, tmp_path_factory) -> tuple[pandas.DataFrame, object]:
    """The CORDIS table as a table of 2014-2020 looks: NUTS 2013 codes, missing cells written NA, - or n/a,
    organisations that moved on some rows, English thousands separators, "," as separator."""
    table = cordis_table.copy()
    table["nutsCode"] = table.nutsCode.map(lambda code: nuts_2013_codes.get(code, code))
    rows_of = table.groupby("organisationID").cumcount()
    counts = table.organisationID.map(table.organisationID.value_counts())
    missing = (counts >= 3) & (rows_of % 5 == 1)  # a row without a place: its organisation's other rows say it
    table.loc[missing, "country"] = ["NA", "-", "n/a"] * (missing.sum() // 3) + ["NA"] * (missing.sum() % 3)
    table.loc[missing, "nutsCode"] = ""
    elsewhere = table[["country", "nutsCode"]].shift(1)  # another organisation's place
    moved = (counts >= 4) & (rows_of == 3) & ~missing & (elsewhere.nutsCode.str.len() == 5)  # on one row
    table.loc[moved, ["country", "nutsCode"]] = elsewhere[moved]
    whole = table.totalCost.str.replace(",", ".").map(lambda text: float(text) if text else None)
    table["totalCost"] = whole.map(lambda value: "" if value is None else f"{value:,.2f}")
    path = tmp_path_factory.mktemp("other-period") / "h2020-like.csv"
    table.to_csv(path, index=False)
    return table, path


def test_a_table_of_another_period_and_dialect_equals_pandas(other_period_table, nuts_2013_codes, nuts_2021,
                                                             tmp_path):
    from coopgraph.importers.mapping import NA_VALUES

    table, path = other_period_table
    assert table.nutsCode.isin(set(nuts_2013_codes.values())).sum() > 1000  # many NUTS 2013 codes
    mapping = tmp_path / "h2020-like.toml"
    mapping.write_text(OTHER_PERIOD_MAPPING, encoding="utf-8")
    store = tmp_path / "store"
    result = run_cli("import", "table", str(path), "--mapping", str(mapping), "--report-dir", str(tmp_path),
                     store=store)
    assert result.returncode == 0, result.stderr
    assert run_cli("remove", "seed", store=store).returncode == 0
    read = pandas.read_csv(path, dtype=str, keep_default_na=False, na_values=sorted(NA_VALUES)).fillna("")
    expected = placed(read, nuts_2021, "organisationID", "nutsCode")
    with coopgraph.open(store) as kg:
        data = participations(kg)
        for level in (2, 3):
            ours = graph_pairs(region_graph(kg, level, data=data), "projects")
            assert ours == pair_counts(at_level(expected, level), "region", "projectID"), f"NUTS {level}"
        assert graph_pairs(country_graph(kg, data=data), "projects") == pair_counts(expected, "country", "projectID")
        (budget,) = kg.query("SELECT (SUM(?v) AS ?total) WHERE { ?p coop:budget ?v }")
    assert float(budget.total) == pytest.approx(read.totalCost.str.replace(",", "").replace("", "0").astype(
        float).sum())
    report = json.loads((tmp_path / "table--h2020-like.csv" / "report.json").read_text(encoding="utf-8"))
    quality = report["data_quality"]
    assert quality["regions read from other codes"]["NUTS 2013"] > 1000
    assert quality["rows without a place"]["placed by their organisation's other rows"] > 1000
    assert quality["organisations whose rows disagree on their place"]["organisations"] > 100
    assert quality["amounts left out as ambiguous"] == 0
