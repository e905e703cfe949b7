"""The ``cordis`` importer: CORDIS participations, with each project's main programme part and topic."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coopgraph.importers.mapped import jobs as mapped_jobs
from coopgraph.importers.mapped import shipped_mapping
from coopgraph.importers.pipeline import Job
from coopgraph.importers.tables import Row, Table, TableError

#: The columns the importer adds to each row from the companion tables.
COMPANION_COLUMNS = ("topic", "topicTitle", "legalBasis", "legalBasisTitle")


def _by_project(path: Path | None, code: str, keep=lambda cells: True) -> dict[str, tuple[str, str]]:
    """projectID -> (code, title) from a CORDIS companion table."""
    if path is None:
        return {}
    table = Table(path)
    missing = {"projectID", code, "title"} - set(table.header())
    if missing:
        raise TableError(f"{path.name} is not a CORDIS {code} table: it lacks {', '.join(sorted(missing))}")
    return {row.cells["projectID"]: (row.cells[code], row.cells["title"]) for row in table.rows() if keep(row.cells)}


def jobs(paths: list[Path], topics: Path | None = None, legal_basis: Path | None = None) -> list[Job]:
    """One job per participations file; ``topics`` and ``legal_basis`` are joined on projectID."""
    by_topic = _by_project(topics, "topic")
    by_programme = _by_project(legal_basis, "legalBasis", lambda cells: cells.get("uniqueProgrammePart") == "true")

    def enrich(row: Row) -> Row:
        project = row.cells.get("projectID", "")
        topic, topic_title = by_topic.get(project, ("", ""))
        programme, programme_title = by_programme.get(project, ("", ""))
        return Row(row.line, {**row.cells, "topic": topic, "topicTitle": topic_title, "legalBasis": programme,
                              "legalBasisTitle": programme_title}, row.problem)  # (dataclasses.replace: 5 x slower)

    companions = [path for path in (topics, legal_basis) if path is not None]
    return [replace(job, enrich=enrich, inputs=[*job.inputs, *companions], extra_columns=COMPANION_COLUMNS)
            for job in mapped_jobs("cordis", paths, shipped_mapping("cordis"))]
