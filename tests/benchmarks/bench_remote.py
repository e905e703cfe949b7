"""Benchmark: the embedded store, Oxigraph's server and Virtuoso at 1, 3 and 10 times the CORDIS table.

    python tests/benchmarks/bench_remote.py [--scales 1 3 10] [--stores embedded oxigraph virtuoso]

The CORDIS Horizon Europe participations (``organization.csv.gz``) are written again ``scale`` times, each copy
with new project and organisation identifiers. For each store, started fresh on 127.0.0.1 and initialised first,
times end to end, each command in a process of its own as a user runs it: ``coopgraph import cordis`` of the
replicated table, then ``coopgraph regions top --level 2`` (on a server, the server counts the pairs). Baseline in
the same run: the embedded store at 1x; growth is against each store's own 1x. The servers run as the tests start
them (``tests/servers.py``), Virtuoso with its default of 100,000 rows per answer and no time limit; a ranking the
server does not answer within the client's limit (600 s) is reported as such, and the run goes on. Needs
../shared/data and the servers (``pip install oxigraph``, ``apt-get install virtuoso-opensource``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import os
import sys
import tempfile
from pathlib import Path

from bench_import_cordis import DATA, CommandFailed, measure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the servers the tests start
from coopgraph.store import PASSWORD_VARIABLE, USER_VARIABLE  # noqa: E402
from servers import oxigraph, virtuoso  # noqa: E402

COOPGRAPH = [sys.executable, "-m", "coopgraph", "--store"]
STORES = ("embedded", "oxigraph", "virtuoso")


def replicate(scale: int, folder: Path) -> Path:
    """The CORDIS table ``scale`` times, copy ``n`` with ``-n`` after its project and organisation identifiers."""
    path = folder / f"organization-x{scale}.csv.gz"
    with gzip.open(DATA / "organization.csv.gz", "rt", encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source, delimiter=";"))
    with gzip.open(path, "wt", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for copy in range(scale):
            suffix = f"-{copy}" if copy else ""
            for row in rows:
                writer.writerow({**row, "projectID": row["projectID"] + suffix,
                                 "organisationID": row["organisationID"] + suffix})
    return path


@contextlib.contextmanager
def store(kind: str, folder: Path):
    """A fresh store of ``kind``: its location, with the credentials it needs in the environment."""
    if kind == "embedded":
        yield str(folder / "store")
        return
    start = oxigraph(folder, timeout_s=3600) if kind == "oxigraph" else \
        virtuoso(folder, max_rows=100_000, timeout_s=0)
    with start as server:
        if server.user:
            os.environ[USER_VARIABLE], os.environ[PASSWORD_VARIABLE] = server.user, server.password
        try:
            yield server.query_url
        finally:
            os.environ.pop(USER_VARIABLE, None)
            os.environ.pop(PASSWORD_VARIABLE, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    chosen = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    figures: dict[tuple[str, int], tuple[float, float | None, float]] = {}
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for scale in chosen.scales:
            table = replicate(scale, work)
            for kind in chosen.stores:
                folder = work / f"{kind}-{scale}"
                folder.mkdir()
                with store(kind, folder) as location:
                    measure([*COOPGRAPH, location, "init"], folder)
                    imported = measure([*COOPGRAPH, location, "import", "cordis", str(table)], folder)
                    try:
                        top = measure([*COOPGRAPH, location, "regions", "top", "--level", "2", "-n", "20"], folder)
                    except CommandFailed as failure:
                        top = (None, 0.0)
                        print(f"  {kind} x{scale}: regions top {str(failure.code).strip().splitlines()[-1]}")
                figures[kind, scale] = (imported[0], top[0], max(imported[1], top[1]))
                print(f"  {kind} x{scale}: import {imported[0]:.1f} s, regions top {_seconds(top[0])} (load average "
                      f"{os.getloadavg()[0]:.2f})", flush=True)
            table.unlink()
    baseline = figures.get(("embedded", chosen.scales[0]))
    print(f"\nCORDIS Horizon Europe x scale ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    print(f"{'store':9} {'scale':>5} {'import s':>9} {'growth':>7} {'top s':>7} {'growth':>7} {'client MB':>9}"
          f" {'import x base':>13}")
    for (kind, scale), (seconds, top, peak) in figures.items():
        first = figures[kind, chosen.scales[0]]
        against = f"{seconds / baseline[0]:13.1f}" if baseline else ""
        growth = f"{top / first[1]:7.1f}" if top and first[1] else f"{'-':>7}"
        ranking = f"{top:7.1f}" if top is not None else f"{'failed':>7}"
        print(f"{kind:9} {scale:>5} {seconds:9.1f} {seconds / first[0]:7.1f} {ranking} {growth}"
              f" {peak:9.0f} {against}")


def _seconds(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds:.1f} s"


if __name__ == "__main__":
    main()
