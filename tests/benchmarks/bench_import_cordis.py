"""Benchmark: importing the full CORDIS Horizon Europe table, beside two baselines from the same run.

    python tests/benchmarks/bench_import_cordis.py

Each measurement runs in a process of its own, timed by the wall clock, with its peak memory (max
RSS) read from the operating system:

- coopgraph: ``coopgraph import cordis organization.csv.gz --topics ... --legal-basis ...`` into an
  initialised embedded store, end to end as a user runs it (Python start-up included);
- baseline 1: pandas reading the same gzipped CSV (no RDF at all);
- baseline 2: rdflib's default in-memory store parsing the same triples as N-Triples (exported from
  the store after the import).

It also times the pair queries on the imported store beside pandas computing the same counts.
Budgets (issue 3): import at most 20 s, peak memory under 1.5 GB. Needs ../shared/data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "cordis-horizon-europe"
BUDGET_SECONDS, BUDGET_MB = 20.0, 1536


def measure(command: list[str], cwd: Path, expect: int = 0) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of a command run in its own process (which should exit with ``expect``)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != expect:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def main() -> None:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    coopgraph = [sys.executable, "-m", "coopgraph"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        subprocess.run([*coopgraph, "--store", "store", "init"], cwd=work, check=True, capture_output=True)
        files = [str(DATA / "organization.csv.gz"), "--topics", str(DATA / "topics.csv.gz"),
                 "--legal-basis", str(DATA / "legalBasis.csv.gz")]
        ours = measure([*coopgraph, "--store", "store", "import", "cordis", *files], work)
        pandas_read = measure(python(
            f"import pandas; pandas.read_csv({str(DATA / 'organization.csv.gz')!r}, sep=';', dtype=str, "
            "keep_default_na=False)"), work)
        subprocess.run([*coopgraph, "--store", "store", "export", "--graph", "cordis/organization.csv.gz",
                        "--format", "nt", "--out", "cordis.nt"], cwd=work, check=True, capture_output=True)
        triples = sum(1 for _ in open(work / "cordis.nt", "rb"))
        rdflib_parse = measure(python("import rdflib; rdflib.Graph().parse('cordis.nt', format='nt')"), work)

        subprocess.run([*coopgraph, "--store", "store", "remove", "seed"], cwd=work, check=True, capture_output=True)
        region_pairs = measure([*coopgraph, "--store", "store", "query", "region-pairs", "-p", "level=2", "-f", "csv"],
                               work)
        country_pairs = measure([*coopgraph, "--store", "store", "query", "country-pairs", "-f", "csv"], work)
        pandas_pairs = measure(python(
            "import itertools, collections, pandas\n"
            f"t = pandas.read_csv({str(DATA / 'organization.csv.gz')!r}, sep=';', dtype=str, keep_default_na=False)\n"
            "t = t[t.nutsCode.str.len().ge(4)].assign(r=lambda d: d.nutsCode.str[:4])\n"
            "c = collections.Counter(p for _, g in t.groupby('projectID').r "
            "for p in itertools.combinations(sorted(set(g)), 2))"), work)

    print(f"CORDIS Horizon Europe: 80,276 participations -> {triples:,} triples "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    print(f"{'':44} {'seconds':>8} {'peak MB':>8} {'x pandas':>9} {'x rdflib':>9}")
    for label, (seconds, peak) in (("coopgraph import (end to end)", ours),
                                   ("baseline: pandas reads the CSV", pandas_read),
                                   ("baseline: rdflib parses the N-Triples", rdflib_parse)):
        print(f"{label:44} {seconds:8.1f} {peak:8.0f} {seconds / pandas_read[0]:9.1f} "
              f"{seconds / rdflib_parse[0]:9.2f}")
    print(f"\nimport rate: {80_276 / ours[0]:,.0f} rows/s, {triples / ours[0]:,.0f} triples/s; "
          f"rdflib: {triples / rdflib_parse[0]:,.0f} triples/s")
    print(f"budget: {ours[0]:.1f} s of {BUDGET_SECONDS:.0f} s, {ours[1]:.0f} MB of {BUDGET_MB} MB -> "
          f"{'within' if ours[0] <= BUDGET_SECONDS and ours[1] < BUDGET_MB else 'OVER'}\n")
    print(f"{'pair counts (end to end)':44} {'seconds':>8} {'x pandas':>9}")
    for label, (seconds, _) in (("coopgraph query region-pairs -p level=2", region_pairs),
                                ("coopgraph query country-pairs", country_pairs),
                                ("baseline: pandas NUTS-2 pair counts", pandas_pairs)):
        print(f"{label:44} {seconds:8.1f} {seconds / pandas_pairs[0]:9.1f}")


if __name__ == "__main__":
    main()
