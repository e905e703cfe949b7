"""Benchmark: the collaboration networks of the full CORDIS Horizon Europe table, beside pandas in the same run.

    python tests/benchmarks/bench_networks.py

Builds a store once in a temporary directory (``coopgraph import cordis organization.csv.gz --topics ...
--legal-basis ...``, then ``coopgraph remove seed`` so that only CORDIS counts; about 20 s), then times,
each :data:`REPEATS` times after one warm-up run, and reports the median and the minimum:

- ``region_graph(kg, level=2)`` in this process, on a store opened once: the NUTS 2 network with all
  four weights, SPARQL reads included;
- ``organisation_graph(kg)`` in this process: the organisation network (about 23,000 nodes);
- ``coopgraph regions top --level 2 --top 20 --weight projects --format csv`` end to end, in a process
  of its own (Python start-up included).

Baselines, measured in the same run: pandas reading ``organization.csv.gz`` (and the NUTS 2021 code
list) and counting the same pairs with a vectorised self-merge on the project: NUTS 2 pairs (full
counting, once per project per pair of distinct NUTS 2 regions; the NUTS 2 region of a participation is
the first four characters of its own ``nutsCode`` when they are a NUTS 2021 code) and
organisation pairs (distinct ``organisationID`` pairs per project). Each is timed with the CSV read
("with read") and from the table already in memory ("counting only"). The ratio ``x pandas`` divides
the median of coopgraph by the median of pandas *with read*, since coopgraph too reads its data (from
the store); for ``regions top`` the baseline is a pandas script printing the same top 20 in a process of
its own. The counts are checked to agree pair by pair, so both sides do the same work.

Budgets (issue, speed section), on the median: NUTS 2 network at most 3 s, organisation network at most
15 s, ``regions top`` at most 5 s. A measurement over budget prints an ``OVER BUDGET`` line; the exit
code stays 0. Needs ../shared/data; skipped with a message without it.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED / "cordis-horizon-europe"
NUTS_2021 = SHARED / "nuts" / "nuts2021.csv"
REPEATS = 5
TOP = 20
BUDGETS = {"regions": 3.0, "organisations": 15.0, "top": 5.0}
COOPGRAPH = [sys.executable, "-m", "coopgraph"]
TOP_ARGUMENTS = ["regions", "top", "--level", "2", "--top", str(TOP), "--weight", "projects", "--format", "csv"]


# -- the pandas baseline ---------------------------------------------------------------------------------------------

def read_sources() -> tuple[pd.DataFrame, set[str]]:
    """The participations (the three columns needed) and the NUTS 2021 codes."""
    table = pd.read_csv(DATA / "organization.csv.gz", sep=";", dtype=str, keep_default_na=False,
                        usecols=["projectID", "organisationID", "nutsCode"])
    nuts = pd.read_csv(NUTS_2021, dtype=str, keep_default_na=False, usecols=["nuts_code"])
    return table, set(nuts.nuts_code)


def nuts2_rows(table: pd.DataFrame, nuts_2021: set[str]) -> pd.DataFrame:
    """Participations whose own code lies in a NUTS 2021 region of level 2, with that region in ``region`` (the UK's
    own 2021 codes, UKN0C, count at their parent, as in coopgraph; this table has no other codes to convert)."""
    located = table[table.nutsCode.str.len().ge(4) & table.nutsCode.str[:4].isin(nuts_2021)]
    return located.assign(region=located.nutsCode.str[:4])


def pair_counts(rows: pd.DataFrame, column: str) -> pd.Series:
    """Full counting: for each pair a < b of distinct ``column`` values, the projects they share.

    Vectorised: the distinct (project, value) rows merged with themselves on the project.
    """
    distinct = rows[["projectID", column]].drop_duplicates()
    values, names = pd.factorize(distinct[column], sort=True)  # sorted: code order is the values' order
    members = pd.DataFrame({"project": pd.factorize(distinct["projectID"])[0], "node": values})
    pairs = members.merge(members, on="project", suffixes=("_a", "_b"))
    counts = pairs[pairs.node_a < pairs.node_b].groupby(["node_a", "node_b"]).size()
    index = pd.MultiIndex.from_arrays([names.take(counts.index.get_level_values(level)) for level in (0, 1)],
                                      names=["a", "b"])
    return pd.Series(counts.to_numpy(), index=index, name="projects")


def region_pairs(table: pd.DataFrame, nuts_2021: set[str]) -> pd.Series:
    return pair_counts(nuts2_rows(table, nuts_2021), "region")


def organisation_pairs(table: pd.DataFrame) -> pd.Series:
    return pair_counts(table, "organisationID")


def print_pandas_top(n: int = TOP) -> None:
    """The end-to-end baseline of ``regions top``: the ``n`` NUTS 2 pairs sharing most projects, as CSV."""
    counts = region_pairs(*read_sources()).reset_index()
    top = counts.sort_values(["projects", "a", "b"], ascending=[False, True, True]).head(n)
    top.to_csv(sys.stdout, index=False)


# -- measuring -------------------------------------------------------------------------------------------------------

def timed(function: Callable[[], object], repeats: int = REPEATS) -> list[float]:
    """Wall seconds of ``repeats`` calls; results are dropped, and garbage collected, outside the timing."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
        del result
        gc.collect()
    return seconds


def run(command: list[str], cwd: Path) -> str:
    """Run ``command``, stop the benchmark if it fails, and return its standard output."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr}")
    return done.stdout


def timed_command(command: list[str], cwd: Path, repeats: int = REPEATS) -> tuple[list[float], str]:
    """Wall seconds of ``repeats`` runs of ``command`` after one warm-up run, and the warm-up's output."""
    output = run(command, cwd)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run(command, cwd)
        seconds.append(time.perf_counter() - started)
    return seconds, output


def build_store(work: Path) -> Path:
    """A store with the full CORDIS table imported and the seed removed."""
    store = work / "store"
    run([*COOPGRAPH, "--store", str(store), "import", "cordis", str(DATA / "organization.csv.gz"),
         "--topics", str(DATA / "topics.csv.gz"), "--legal-basis", str(DATA / "legalBasis.csv.gz")], work)
    run([*COOPGRAPH, "--store", str(store), "remove", "seed"], work)
    return store


def graph_pairs(graph) -> dict[tuple[str, str], int]:
    """Each link's ``projects``, keyed by its ends' codes in order (NUTS codes, or PICs for organisations)."""
    codes = dict(graph.nodes(data="code"))
    return {tuple(sorted((codes[a], codes[b]))): count for a, b, count in graph.edges(data="projects")}


def agreement(ours: dict[tuple[str, str], int], theirs: pd.Series) -> str:
    """How the pair counts of a graph compare with pandas', pair by pair."""
    expected = {key: int(count) for key, count in theirs.items()}
    differing = sum(1 for key in ours.keys() | expected.keys() if ours.get(key) != expected.get(key))
    verdict = "match, pair by pair" if differing == 0 else f"DIFFER on {differing:,} pairs"
    return f"{len(ours):,} pairs in coopgraph, {len(expected):,} in pandas: {verdict}"


def top_agreement(coopgraph_csv: str, pandas_csv: str) -> str:
    ours = [(row["region_a"], row["region_b"], int(row["projects"]))
            for row in csv.DictReader(io.StringIO(coopgraph_csv))]
    theirs = [(row["a"], row["b"], int(row["projects"])) for row in csv.DictReader(io.StringIO(pandas_csv))]
    verdict = "same pairs, order and counts" if ours == theirs else "DIFFER"
    return f"{len(ours)} rows in coopgraph, {len(theirs)} in pandas: {verdict}"


# -- reporting -------------------------------------------------------------------------------------------------------

def median(seconds: list[float]) -> float:
    return statistics.median(seconds)


def print_table(rows: list[tuple], baselines: dict[str, list[float]]) -> list[str]:
    """The coopgraph measurements beside their budgets and baselines; returns the OVER BUDGET lines."""
    print(f"{'measurement':52} {'median s':>8} {'min s':>7} {'budget':>7} {'within':>6} "
          f"{'x pandas':>8} {'x counting':>10}")
    over = []
    for label, seconds, budget, baseline, counting in rows:
        within = median(seconds) <= budget
        ratio = median(seconds) / median(baselines[baseline])
        counting_ratio = f"{median(seconds) / median(baselines[counting]):10.1f}" if counting else f"{'-':>10}"
        print(f"{label:52} {median(seconds):8.2f} {min(seconds):7.2f} {budget:7.1f} {'yes' if within else 'no':>6} "
              f"{ratio:8.1f} {counting_ratio}")
        if not within:
            over.append(f"OVER BUDGET: {label}: median {median(seconds):.2f} s > {budget:.1f} s")
    return over


def print_baselines(baselines: dict[str, list[float]]) -> None:
    print(f"\n{'baseline (pandas, same run)':56} {'median s':>8} {'min s':>7}")
    for label, seconds in baselines.items():
        print(f"{label:56} {median(seconds):8.3f} {min(seconds):7.3f}")


# -- the benchmark ---------------------------------------------------------------------------------------------------

def main() -> None:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    import coopgraph
    from coopgraph.network import analyse, organisation_graph, region_graph

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        store = build_store(work)
        import_seconds = time.perf_counter() - started

        kg = coopgraph.open(store)
        try:
            regions = region_graph(kg, level=2)  # the warm-up run, kept for the check
            region_edges, region_nodes = graph_pairs(regions), regions.number_of_nodes()
            started = time.perf_counter()
            analysed = analyse(regions, "fractional")
            analyse_seconds = time.perf_counter() - started
            del regions
            region_seconds = timed(lambda: region_graph(kg, level=2))
            organisations = organisation_graph(kg)
            organisation_edges, organisation_nodes = graph_pairs(organisations), organisations.number_of_nodes()
            del organisations
            gc.collect()
            organisation_seconds = timed(lambda: organisation_graph(kg))
        finally:
            kg.close()
        top_seconds, top_csv = timed_command([*COOPGRAPH, "--store", str(store), *TOP_ARGUMENTS], work)

        table, nuts_2021 = read_sources()
        expected_regions, expected_organisations = region_pairs(table, nuts_2021), organisation_pairs(table)
        baselines = {
            "read organization.csv.gz (3 columns) and NUTS 2021": timed(read_sources),
            "NUTS 2 pair counts, counting only": timed(lambda: region_pairs(table, nuts_2021)),
            "NUTS 2 pair counts, with read": timed(lambda: region_pairs(*read_sources())),
            "organisation pair counts, counting only": timed(lambda: organisation_pairs(table)),
            "organisation pair counts, with read": timed(lambda: organisation_pairs(read_sources()[0])),
        }
        pandas_top_seconds, pandas_top_csv = timed_command(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); "
             "import bench_networks; bench_networks.print_pandas_top()"], work)
        baselines[f"NUTS 2 top {TOP}, end to end (own process, Python start-up)"] = pandas_top_seconds

    print(f"CORDIS Horizon Europe: {len(table):,} participations; store built in {import_seconds:.1f} s; "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after")
    print(f"{REPEATS} timed repeats each, after one warm-up run; budgets apply to the median\n")
    over = print_table([
        (f"region_graph(kg, level=2): {region_nodes} nodes, 4 weights", region_seconds, BUDGETS["regions"],
         "NUTS 2 pair counts, with read", "NUTS 2 pair counts, counting only"),
        (f"organisation_graph(kg): {organisation_nodes:,} nodes", organisation_seconds, BUDGETS["organisations"],
         "organisation pair counts, with read", "organisation pair counts, counting only"),
        (f"coopgraph regions top (end to end, n={TOP})", top_seconds, BUDGETS["top"],
         f"NUTS 2 top {TOP}, end to end (own process, Python start-up)", None),
    ], baselines)
    print("\nx pandas: coopgraph's median / pandas' median with the CSV read (for regions top: the pandas script run "
          "end to end);\nx counting: / pandas counting pairs in a table already read")
    print_baselines(baselines)
    print("\nchecks (the same work on both sides):")
    print(f"  NUTS 2 pairs ('projects' of region_graph vs pandas): {agreement(region_edges, expected_regions)}")
    print(f"  organisation pairs (by PIC = organisationID): {agreement(organisation_edges, expected_organisations)}")
    print(f"  regions top {TOP} by projects vs pandas top {TOP}: {top_agreement(top_csv, pandas_top_csv)}")
    print(f"\nanalyse(NUTS 2 network, 'fractional'), once: {analyse_seconds:.1f} s (betweenness "
          f"{'exact' if not analysed['betweenness_sources'] else 'from %d sources' % analysed['betweenness_sources']}, "
          f"{analysed['community_algorithm']})")
    print()
    print("\n".join(over) if over else "all measurements within budget")


if __name__ == "__main__":
    main()
