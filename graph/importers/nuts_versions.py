"""NUTS codes of the versions 2006 to 2024 read as NUTS 2021 regions, by where their population lives.

Sources of other periods use the NUTS version of their time: Horizon 2020 and Interreg 2014-2020 data
carry NUTS 2013 and 2016 codes, newer data NUTS 2024. The JRC NUTS converter matrices give, for every
pair of versions, how the regions of one overlap those of the other, with the population of each
overlap. ``coopgraph/data/derive_nuts_versions.py`` turns them into the small table the package ships
(``coopgraph/data/nuts-versions.csv``; source and licence in ``nuts-versions.md``): for each code of
each version that is not the same NUTS 2021 region, the NUTS 2021 region holding the largest share
of its population, and that share. The United
Kingdom left NUTS with the 2021 version; coopgraph keeps its NUTS 2016 regions (Eurostat's "NUTS 2018"
table of the UK), so older UK codes are read as those.

Examples
--------
>>> reading("HR041")
Reading(code='HR050', version=2016, share=1.0)
>>> reading("BE221").code, reading("BE221").share < 1
('BE224', True)
>>> reading("SE331", version=2016) is None  # the same region in NUTS 2016 and 2021
True
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

#: The NUTS versions there are, oldest first; 2021 is the one coopgraph's regions follow.
VERSIONS = (2006, 2010, 2013, 2016, 2021, 2024)
TARGET = 2021
#: The version of the United Kingdom's regions in coopgraph (the last before it left NUTS).
UK_TARGET = 2016
#: Without a version given, a code that NUTS 2021 lacks is looked for in these versions, in this order:
#: the newest first, as a code that several versions share means its latest area.
LOOKUP_ORDER = (2024, 2016, 2013, 2010, 2006)
_TABLE = files("coopgraph.data").joinpath("nuts-versions.csv")


@dataclass(frozen=True)
class Reading:
    """How a code of another NUTS version is read: the NUTS 2021 region ``code`` holds ``share`` of its population."""

    code: str
    version: int
    share: float


@cache
def _table() -> dict[int, dict[str, Reading]]:
    readings: dict[int, dict[str, Reading]] = defaultdict(dict)
    with _TABLE.open(encoding="utf-8") as table:
        for row in csv.DictReader(table):
            version = int(row["version"])
            readings[version][row["code"]] = Reading(row["code_2021"], version, float(row["share"]))
    return readings


def reading(code: str, version: int | None = None) -> Reading | None:
    """The NUTS 2021 region a NUTS code of ``version`` (or of any version but 2021) stands for.

    None when the code needs no reading: it is the same region in NUTS 2021, or no version has it.
    With ``version`` None the versions are tried in :data:`LOOKUP_ORDER`; the caller first checks
    whether the code is a NUTS 2021 region, which then wins.
    """
    if version is not None and version not in VERSIONS:
        raise ValueError(f"NUTS version {version} does not exist (versions: {', '.join(map(str, VERSIONS))})")
    table = _table()
    for candidate in (version,) if version is not None else LOOKUP_ORDER:
        found = table.get(candidate, {}).get(code)
        if found is not None:
            return found
    return None
