"""The importers on the real data sets in ../shared/data (skipped on a fresh clone without them).

The region and country pair counts of the full CORDIS Horizon Europe table are checked, pair by pair,
against an independent pandas computation over the same CSV.
"""

import csv
import io
import itertools
from collections import Counter

import pandas
import pytest

import coopgraph
from conftest import run_cli
from coopgraph.network import organisation_graph, region_graph

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


def pair_counts(table: pandas.DataFrame, column: str) -> Counter:
    """Each unordered pair of distinct values within a project, counted once per project."""
    pairs = Counter()
    for values in table.groupby("projectID")[column]:
        for a, b in itertools.combinations(sorted(set(values[1])), 2):
            pairs[(a, b)] += 1
    return pairs


def query_counts(store, *args) -> Counter:
    result = run_cli("query", *args, "--format", "csv", store=store)
    assert result.returncode == 0, result.stderr
    return Counter({(row["region_a"], row["region_b"]): int(row["projects"])
                    for row in csv.DictReader(io.StringIO(result.stdout))})


def test_every_row_is_imported(cordis_store):
    result = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a coop:Participation }", "-f", "csv",
                     store=cordis_store)
    assert result.stdout.split()[1] == "80276"


def test_region_pairs_at_nuts_2_equal_pandas(cordis_store, cordis_table, shared_data):
    with open(shared_data / "nuts" / "nuts2021.csv", encoding="utf-8") as table:
        nuts_2021 = {row["nuts_code"] for row in csv.DictReader(table)}
    # organisations with a NUTS 2021 code of level 2 or 3 (not a bare country code, not one of the UK's
    # own 2021 codes that NUTS 2021 lacks), in the NUTS 2 region that the first four characters name
    located = cordis_table[cordis_table.nutsCode.str.len().ge(4) & cordis_table.nutsCode.isin(nuts_2021)]
    expected = pair_counts(located.assign(region=located.nutsCode.str[:4]), "region")
    ours = query_counts(cordis_store, "region-pairs", "--param", "level=2")
    assert len(expected) > 30_000
    assert ours == expected


def fractional_counts(table: pandas.DataFrame, column: str) -> Counter:
    """Newman's fractional counting: each project adds 1/(k-1) to each pair of its k distinct values."""
    pairs = Counter()
    for values in table.groupby("projectID")[column]:
        distinct = sorted(set(values[1]))
        for a, b in itertools.combinations(distinct, 2):
            pairs[(a, b)] += 1 / (len(distinct) - 1)
    return pairs


def test_networks_equal_pandas(cordis_store, cordis_table, shared_data):
    """The NUTS 2 and organisation networks, pair by pair, in full and fractional counts."""
    with open(shared_data / "nuts" / "nuts2021.csv", encoding="utf-8") as table:
        nuts_2021 = {row["nuts_code"] for row in csv.DictReader(table)}
    located = cordis_table[cordis_table.nutsCode.str.len().ge(4) & cordis_table.nutsCode.isin(nuts_2021)]
    located = located.assign(region=located.nutsCode.str[:4])
    with coopgraph.open(cordis_store) as kg:
        regions, organisations = region_graph(kg, 2), organisation_graph(kg)
    ours = {tuple(sorted((regions.nodes[a]["code"], regions.nodes[b]["code"]))): values
            for a, b, values in regions.edges(data=True)}
    assert {pair: values["projects"] for pair, values in ours.items()} == pair_counts(located, "region")
    fractional = fractional_counts(located, "region")
    assert all(ours[pair]["fractional"] == pytest.approx(value) for pair, value in fractional.items())
    by_pic = {tuple(sorted((organisations.nodes[a]["code"], organisations.nodes[b]["code"]))): values
              for a, b, values in organisations.edges(data=True)}
    assert organisations.number_of_nodes() == cordis_table.organisationID.nunique()
    assert {pair: values["projects"] for pair, values in by_pic.items()} == pair_counts(cordis_table, "organisationID")


def test_country_pairs_equal_pandas(cordis_store, cordis_table):
    iso = {"EL": "GR", "UK": "GB"}
    known = cordis_table[~cordis_table.country.isin(["", "XK"])]  # XK (Kosovo) has no ISO 3166 code
    expected = pair_counts(known.assign(iso=known.country.map(lambda code: iso.get(code, code))), "iso")
    assert query_counts(cordis_store, "country-pairs") == expected


def test_importing_the_same_file_again_changes_nothing(cordis_store, shared_data):
    before = run_cli("stats", "--format", "json", store=cordis_store).stdout
    folder = shared_data / "cordis-horizon-europe"
    again = run_cli("import", "cordis", str(folder / "organization.csv.gz"), "--topics", str(folder / "topics.csv.gz"),
                    "--legal-basis", str(folder / "legalBasis.csv.gz"), store=cordis_store)
    assert again.returncode == 0 and "unchanged" in again.stdout
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
