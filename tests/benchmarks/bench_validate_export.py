"""Benchmark: validating and exporting the full CORDIS Horizon Europe store, and a name that several projects share.

    python tests/benchmarks/bench_validate_export.py

Imports the full table into a scratch store, then times, each in its own process (Python start-up included) with
its peak memory (max RSS): ``coopgraph validate``, ``coopgraph export --format nquads`` (the whole store, its named
graphs and the catalog), and ``coopgraph query partners -p project=HELIOS`` (refused: six projects). Baseline in the
same run: ``coopgraph query counts``, one small query end to end. Budgets (issue 13): validate at most 60 s and
1.5 GB, export at most 600 MB. Needs ../shared/data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_import_cordis import DATA, measure

BUDGETS = {"validate": (60.0, 1536), "export --format nquads": (None, 600)}


def main() -> None:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    coopgraph = [sys.executable, "-m", "coopgraph", "--store", "store"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        subprocess.run([*coopgraph, "import", "cordis", str(DATA / "organization.csv.gz"), "--topics",
                        str(DATA / "topics.csv.gz"), "--legal-basis", str(DATA / "legalBasis.csv.gz")],
                       cwd=work, check=True, capture_output=True)
        runs = {
            "baseline: query counts": measure([*coopgraph, "query", "counts"], work),
            "validate": measure([*coopgraph, "validate", "--details", "details.csv"], work),
            "export --format nquads": measure([*coopgraph, "export", "--format", "nquads", "--out", "all.nq"], work),
            "query partners -p project=HELIOS": measure([*coopgraph, "query", "partners", "-p", "project=HELIOS"],
                                                        work, expect=1),
        }
        size = (work / "all.nq").stat().st_size
    baseline = runs["baseline: query counts"][0]
    print(f"CORDIS Horizon Europe store ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    print(f"{'coopgraph ...':36} {'seconds':>8} {'peak MB':>8} {'x baseline':>11}  budget")
    for label, (seconds, peak) in runs.items():
        limit_s, limit_mb = BUDGETS.get(label, (None, None))
        within = (limit_s is None or seconds <= limit_s) and (limit_mb is None or peak <= limit_mb)
        budget = "" if limit_mb is None else f"{limit_s or '-'} s, {limit_mb} MB: {'within' if within else 'OVER'}"
        print(f"{label:36} {seconds:8.1f} {peak:8.0f} {seconds / baseline:11.1f}  {budget}")
    print(f"\nN-Quads written: {size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
