"""Benchmark: importing the full CORDIS Horizon Europe table, beside two baselines from the same run.

    python tests/benchmarks/bench_import_cordis.py [--repeats 3] [--import-only]

Each measurement runs in a process of its own, timed by the wall clock, with its peak memory (max
RSS) read from the operating system:

- coopgraph: ``coopgraph import cordis organization.csv.gz --topics ... --legal-basis ...`` into a fresh
  initialised store on disk, end to end as a user runs it (Python start-up included, until published);
- baseline 1: pandas reading the same gzipped CSV (no RDF at all), run right after each import;
- baseline 2: rdflib's default in-memory store parsing the same triples as N-Triples (exported from
  the store after the import);
- floor: the embedded store writing those same N-Triples, read from a file, into a fresh store (Python start-up
  included): what the import costs with rows converted for free.

The import and pandas run ``--repeats`` times each, in turns; budgets apply to the medians. It also times
the pair queries on the imported store beside pandas computing the same counts (``--import-only`` skips
those and rdflib). Budgets (issue 11): the import at most 12 s and 10 times pandas reading the CSV, peak
memory under 1.5 GB; the exit code is 1 when one is missed. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "cordis-horizon-europe"
BUDGET_SECONDS, BUDGET_X_PANDAS, BUDGET_MB = 12.0, 10.0, 1536


class CommandFailed(SystemExit):
    """A measured command that did not exit as expected: unless caught, the benchmark ends with its message."""


def measure(command: list[str], cwd: Path, expect: int = 0) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of a command run in its own process (which should exit with ``expect``)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != expect:
        raise CommandFailed(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in runs), statistics.median(mb for _, mb in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="imports and pandas reads, in turns (default 3)")
    parser.add_argument("--import-only", action="store_true", help="skip rdflib and the pair queries")
    options = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    coopgraph = [sys.executable, "-m", "coopgraph"]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        subprocess.run([*coopgraph, "--store", "initialised", "init"], cwd=work, check=True, capture_output=True)
        files = [str(DATA / "organization.csv.gz"), "--topics", str(DATA / "topics.csv.gz"),
                 "--legal-basis", str(DATA / "legalBasis.csv.gz")]
        imports, pandas_reads = [], []
        for _ in range(options.repeats):
            shutil.rmtree(work / "store", ignore_errors=True)
            shutil.copytree(work / "initialised", work / "store")  # a fresh store each time, initialising untimed
            imports.append(measure([*coopgraph, "--store", "store", "import", "cordis", *files], work))
            pandas_reads.append(measure(python(
                f"import pandas; pandas.read_csv({str(DATA / 'organization.csv.gz')!r}, sep=';', dtype=str, "
                "keep_default_na=False)"), work))
        ours, pandas_read = medians(imports), medians(pandas_reads)
        subprocess.run([*coopgraph, "--store", "store", "export", "--graph", "cordis/organization.csv.gz",
                        "--format", "nt", "--out", "cordis.nt"], cwd=work, check=True, capture_output=True)
        triples = sum(1 for _ in open(work / "cordis.nt", "rb"))
        writing = measure(python(  # the same triples, read from a file: the store's writing alone
            "from pathlib import Path\nfrom coopgraph.store import MadeTriples, open_store\n"
            "with open('cordis.nt', 'rb') as file:\n"
            "    pieces = iter(lambda: file.read(1 << 20), b'')\n"
            "    open_store(Path('alone')).publish({'cordis': (MadeTriples(pieces), 'application/n-triples')})"), work)
        if not options.import_only:
            rdflib_parse = measure(python("import rdflib; rdflib.Graph().parse('cordis.nt', format='nt')"), work)
            subprocess.run([*coopgraph, "--store", "store", "remove", "seed"], cwd=work, check=True,
                           capture_output=True)
            region_pairs = measure([*coopgraph, "--store", "store", "query", "region-pairs", "-p", "level=2", "-f",
                                    "csv"], work)
            country_pairs = measure([*coopgraph, "--store", "store", "query", "country-pairs", "-f", "csv"], work)
            pandas_pairs = measure(python(
                "import itertools, collections, pandas\n"
                f"t = pandas.read_csv({str(DATA / 'organization.csv.gz')!r}, sep=';', dtype=str, "
                "keep_default_na=False)\n"
                "t = t[t.nutsCode.str.len().ge(4)].assign(r=lambda d: d.nutsCode.str[:4])\n"
                "c = collections.Counter(p for _, g in t.groupby('projectID').r "
                "for p in itertools.combinations(sorted(set(g)), 2))"), work)

    print(f"CORDIS Horizon Europe: 80,276 participations -> {triples:,} triples "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after")
    print(f"imports: {', '.join(f'{s:.1f}' for s, _ in imports)} s; pandas: "
          f"{', '.join(f'{s:.2f}' for s, _ in pandas_reads)} s (medians below)\n")
    rows = [("coopgraph import (end to end)", ours), ("baseline: pandas reads the CSV", pandas_read),
            ("floor: the store writing the triples alone", writing)]
    rdflib = None if options.import_only else rdflib_parse[0]
    if rdflib:
        rows.append(("baseline: rdflib parses the N-Triples", rdflib_parse))
    print(f"{'':44} {'seconds':>8} {'peak MB':>8} {'x pandas':>9}" + (f" {'x rdflib':>9}" if rdflib else ""))
    for label, (seconds, peak) in rows:
        print(f"{label:44} {seconds:8.1f} {peak:8.0f} {seconds / pandas_read[0]:9.1f}"
              + (f" {seconds / rdflib:9.2f}" if rdflib else ""))
    print(f"\nthe store writing alone takes {writing[0] / ours[0]:.0%} of the import: on its own it is "
          f"{writing[0] / pandas_read[0]:.1f} x pandas")
    print(f"import rate: {80_276 / ours[0]:,.0f} rows/s, {triples / ours[0]:,.0f} triples/s"
          + (f"; rdflib: {triples / rdflib:,.0f} triples/s" if rdflib else ""))
    over = [f"OVER BUDGET: {what}" for what, missed in (
        (f"import {ours[0]:.1f} s > {BUDGET_SECONDS:.0f} s", ours[0] > BUDGET_SECONDS),
        (f"import {ours[0] / pandas_read[0]:.1f} x pandas > {BUDGET_X_PANDAS:.0f}",
         ours[0] > BUDGET_X_PANDAS * pandas_read[0]),
        (f"import peak {ours[1]:.0f} MB >= {BUDGET_MB} MB", ours[1] >= BUDGET_MB)) if missed]
    print(f"budget: {ours[0]:.1f} s of {BUDGET_SECONDS:.0f} s, {ours[0] / pandas_read[0]:.1f} x pandas of "
          f"{BUDGET_X_PANDAS:.0f}, {ours[1]:.0f} MB of {BUDGET_MB} MB -> {'OVER' if over else 'within'}")
    if rdflib:
        print(f"\n{'pair counts (end to end)':44} {'seconds':>8} {'x pandas':>9}")
        for label, (seconds, _) in (("coopgraph query region-pairs -p level=2", region_pairs),
                                    ("coopgraph query country-pairs", country_pairs),
                                    ("baseline: pandas NUTS-2 pair counts", pandas_pairs)):
            print(f"{label:44} {seconds:8.1f} {seconds / pandas_pairs[0]:9.1f}")
    if over:
        print("\n" + "\n".join(over))
        sys.exit(1)


if __name__ == "__main__":
    main()
