"""Derive ``nuts-versions.csv`` from the JRC NUTS converter matrices: run it again when they change.

For each code of each NUTS version but 2021 (levels 1-3), the NUTS 2021 region holding the largest share
of its population, and that share, wherever that is not the code itself with all of its population; see
:mod:`coopgraph.importers.nuts_versions` for how the table is read, and ``nuts-versions.md`` for the
source and licence. Usage::

    python graph/data/derive_nuts_versions.py ../shared/data/nuts-conversion > graph/data/nuts-versions.csv
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from coopgraph.importers.nuts_versions import TARGET, UK_TARGET, VERSIONS

#: A code whose largest part is itself with at least this share of its population is the same region: the
#: matrices' borders differ by slivers (99.9 % and more) where nothing changed.
SAME_REGION = 0.999
#: JRC's NUTS 2016 matrices give Northern Ireland's districts UKN10-UKN16 a level-2 region UKN1 of their own;
#: in Eurostat's table (and coopgraph) they belong to UKN0, which then is all of Northern Ireland.
UK_2016_ALIASES = {"UKN1": "UKN0"}
COLUMNS = ("version", "code", "code_2021", "share")


def _overlaps(folder: Path, level: int, old: int, new: int) -> list[tuple[str, str, float, float]]:
    """(code in ``old``, code in ``new``, population, area) of each overlap, from the matrix of the two versions."""
    with open(folder / f"n{level}_cm_v{old}_v{new}.csv", encoding="utf-8") as matrix:
        return [(row[f"code_v{old}"], row[f"code_v{new}"], float(row["pop21"] or 0), float(row["areaKm"] or 0))
                for row in csv.DictReader(matrix)]


def _largest_share(overlaps: list[tuple[str, float, float]]) -> tuple[str, float]:
    """The region holding the largest share of the population (of the area where nobody lives), and that share."""
    merged: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # a region met twice (an alias) is one
    for code, people, area in overlaps:
        merged[code][0] += people
        merged[code][1] += area
    overlaps = [(code, people, area) for code, (people, area) in merged.items()]
    population = sum(people for _, people, _ in overlaps)
    measure = 1 if population > 0 else 2
    total = sum(overlap[measure] for overlap in overlaps)
    code, *measures = max(overlaps, key=lambda overlap: (overlap[measure], overlap[3 - measure], overlap[0]))
    return code, (measures[measure - 1] / total if total > 0 else 1.0)


def derive(folder: Path) -> list[tuple[int, str, str, float]]:
    """(version, code, NUTS 2021 code, population share) for every code the matrices in ``folder`` read as
    another NUTS 2021 region, or as its own with less than :data:`SAME_REGION` of its population.

    A 2024 code is read backwards through the 2021-2024 matrix; UK codes older than 2016 through the
    matrix to 2016 (``UK_TARGET``); UK codes of 2021 and later are left to the caller (their parent).
    """
    rows = []
    for version in (v for v in VERSIONS if v != TARGET):
        for level in (1, 2, 3):
            parts: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
            if version < TARGET:
                for old, new, people, area in _overlaps(folder, level, version, TARGET):
                    if not old.startswith("UK"):
                        parts[old].append((new, people, area))
                if version < UK_TARGET:
                    for old, new, people, area in _overlaps(folder, level, version, UK_TARGET):
                        if old.startswith("UK"):
                            parts[old].append((UK_2016_ALIASES.get(new, new), people, area))
            else:
                for old, new, people, area in _overlaps(folder, level, TARGET, version):
                    parts[new].append((old, people, area))
            for code, overlaps in sorted(parts.items()):
                target, share = _largest_share(overlaps)
                if target != code or share < SAME_REGION:
                    rows.append((version, code, target, round(share, 4)))
    return rows


def main(arguments: list[str]) -> None:
    if len(arguments) != 1 or not Path(arguments[0]).is_dir():
        sys.exit("usage: python derive_nuts_versions.py FOLDER-OF-JRC-MATRICES > nuts-versions.csv")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(derive(Path(arguments[0])))


if __name__ == "__main__":
    main(sys.argv[1:])
