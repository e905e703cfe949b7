"""The ``keep`` importer: keep.eu's projects and partners sheets, joined into one row per partner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coopgraph.importers.mapped import shipped_mapping
from coopgraph.importers.pipeline import Job
from coopgraph.importers.tables import Row, Table, TableError

PROJECTS_SHEET = "Search results, projects"
PARTNERS_SHEET = "Search results, partners"
#: The columns that identify a project in both sheets.
JOIN = ("Programme", "Project acronym")
#: A column only the partners sheet has, to tell the two CSV files apart.
PARTNER_COLUMN = "Partner name"


def _tables(paths: list[Path]) -> tuple[Table, Table]:
    """(projects, partners) from one workbook or two CSV files in either order."""
    if len(paths) == 1:
        return Table(paths[0], sheet=PROJECTS_SHEET), Table(paths[0], sheet=PARTNERS_SHEET)
    if len(paths) == 2:
        first, second = (Table(path) for path in paths)
        next(first.rows(), None)  # reads the header
        return (second, first) if PARTNER_COLUMN in first.columns else (first, second)
    raise TableError("keep takes one workbook, or the projects and partners sheets as two CSV files")


def jobs(paths: list[Path]) -> list[Job]:
    """One job: the partners, each joined to its project."""
    projects_table, partners_table = _tables(paths)
    projects = {tuple(row.cells.get(c, "").strip() for c in JOIN): row.cells for row in projects_table.rows()}

    def enrich(row: Row) -> Row:
        project = projects.get(tuple(row.cells.get(c, "").strip() for c in JOIN), {})
        return replace(row, cells={**project, **row.cells})

    name = paths[0].name if len(paths) == 1 else partners_table.path.name
    return [Job(f"keep/{name}", "keep", partners_table, shipped_mapping("keep"), list(paths), enrich)]
