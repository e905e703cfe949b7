"""Importers: each turns one kind of source into the triples of one named graph per file.

``IMPORTERS`` names them (``coopgraph import NAME FILE...``), with the options each takes; the
reference graphs (countries, NUTS) are built by :mod:`~coopgraph.importers.countries` and
:mod:`~coopgraph.importers.nuts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from coopgraph.importers import cordis, keep, mapped


@dataclass(frozen=True)
class Importer:
    """A named importer: what it reads, how it makes jobs, and which options it takes (and needs)."""

    description: str
    jobs: Callable[..., list]
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


IMPORTERS = {
    "cordis": Importer("CORDIS participations (organization.csv[.gz]), with --topics and --legal-basis tables",
                       cordis.jobs, ("topics", "legal_basis")),
    "keep": Importer("keep.eu export: one XLSX with the projects and partners sheets, or the two sheets as CSV",
                     keep.jobs),
    "interreg-se": Importer("Swedish Interreg 2021-2027 partner list (Tillväxtverket)", mapped.interreg_se_jobs),
    "table": Importer("any CSV or XLSX table, with --mapping MAPPING.toml", mapped.table_jobs, ("mapping",),
                      ("mapping",)),
}
