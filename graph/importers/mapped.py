"""The ``table`` importer: any CSV or XLSX file with a mapping; ``interreg-se`` is one with a shipped mapping."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from coopgraph.importers.mapping import Mapping
from coopgraph.importers.pipeline import Job
from coopgraph.importers.tables import Table


def shipped_mapping(name: str) -> Mapping:
    """A mapping that ships with coopgraph (``cordis``, ``interreg-se``, ``keep``)."""
    text = files("coopgraph.importers.mappings").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return Mapping.parse(text, f"{name}.toml")


def jobs(importer: str, paths: list[Path], mapping: Mapping) -> list[Job]:
    """One job per file, each read with the same mapping."""
    return [Job(f"{importer}/{path.name}", importer,
                Table(path, delimiter=mapping.delimiter, sheet=mapping.sheet, encoding=mapping.encoding),
                mapping, [path]) for path in paths]


def table_jobs(paths: list[Path], mapping: Path) -> list[Job]:
    return jobs("table", paths, Mapping.load(mapping))


def interreg_se_jobs(paths: list[Path]) -> list[Job]:
    return jobs("interreg-se", paths, shipped_mapping("interreg-se"))
