"""The ``keep`` importer: keep.eu's projects and partners sheets, joined into one row per partner."""

from __future__ import annotations

from pathlib import Path

from coopgraph.importers.mapped import shipped_mapping
from coopgraph.importers.pipeline import Job
from coopgraph.importers.tables import Row, Table, TableError

PROJECTS_SHEET = "Search results, projects"
PARTNERS_SHEET = "Search results, partners"
#: The columns that identify a project in both sheets; Period too when both sheets have it (an acronym
#: is unique only within a programme and period, and some programmes keep their name across periods).
JOIN = ("Programme", "Project acronym")
PERIOD = "Period"
#: A column only the partners sheet has, to tell the two CSV files apart.
PARTNER_COLUMN = "Partner name"


def _tables(paths: list[Path]) -> tuple[Table, Table]:
    """(projects, partners) from one workbook or two CSV files in either order."""
    if len(paths) == 1 and Table(paths[0]).kind == "xlsx":
        return Table(paths[0], sheet=PROJECTS_SHEET), Table(paths[0], sheet=PARTNERS_SHEET)
    if len(paths) == 2:
        first, second = (Table(path) for path in paths)
        return (second, first) if PARTNER_COLUMN in first.header() else (first, second)
    raise TableError("keep takes one keep.eu workbook, or its projects and partners sheets as two CSV files")


def jobs(paths: list[Path]) -> list[Job]:
    """One job: the partners, each joined to its project."""
    projects_table, partners_table = _tables(paths)
    project_columns = projects_table.header()
    join = (*JOIN, PERIOD) if PERIOD in project_columns and PERIOD in partners_table.header() else JOIN
    projects = {tuple(row.cells.get(c, "").strip() for c in join): row.cells for row in projects_table.rows()}

    def enrich(row: Row) -> Row:
        key = tuple(row.cells.get(c, "").strip() for c in join)
        if key not in projects:
            return row._replace(problem=f"no row for this project ({', '.join(join)}) in {projects_table.path.name}")
        return row._replace(cells={**projects[key], **row.cells})

    name = paths[0].name if len(paths) == 1 else partners_table.path.name
    return [Job(f"keep/{name}", "keep", partners_table, shipped_mapping("keep"), list(paths), enrich,
                tuple(c for c in project_columns if c not in partners_table.header()))]
