"""Running an import: table rows -> mapping -> N-Triples -> one new named graph per source file.

Each file's rows are converted as the store reads their N-Triples, so Oxigraph writes while rows are
still read; all files of one ``coopgraph import`` are then published at once, so an import that fails,
is refused or is interrupted changes nothing (see :meth:`~coopgraph.store.Store.publish`). A file whose
inputs (the file, its companion tables, the mapping, the importer version) are exactly those of
the source already in the store is skipped: importing the same file twice changes nothing.
Rows that cannot be used are written, with file, line and reason, to ``rejects.csv`` beside a
``report.json`` in the report directory; ``strict`` imports nothing if any row fails.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Generator, Iterator

from rdflib import Graph, Literal
from rdflib.namespace import XSD

from coopgraph.importers.converter import Conversion, Converter
from coopgraph.importers.mapping import Mapping
from coopgraph.importers.tables import Row, Table
from coopgraph.provenance import file_digest, source_provenance
from coopgraph.store import MadeTriples, source_iri
from coopgraph.vocab import COOP

#: ``progress(source, rows, done, total)``: how far the reading of a source has got (rows; bytes or rows).
Progress = Callable[[str, int, int, int], None]


class ImportFailed(Exception):
    """An import that changed nothing; the message says why, the reports say which rows."""

    def __init__(self, message: str, reports: list[SourceReport] | None = None) -> None:
        super().__init__(message)
        self.reports = reports or []


@dataclass
class Job:
    """One source file to import, with everything needed to read and map it."""

    source: str                                     # the source's name in the store: importer/file
    importer: str
    table: Table
    mapping: Mapping
    inputs: list[Path]                              # every file read, for the digest and provenance
    enrich: Callable[[Row], Row] | None = None      # joins companion tables onto each row
    extra_columns: tuple[str, ...] = ()             # the columns ``enrich`` adds

    def columns(self) -> list[str]:
        """The columns a mapping may use: the table's header and what joining adds."""
        return [*self.table.header(), *self.extra_columns]

    def rows(self, progress: Callable[[int, int, int], None]) -> Iterator[Row]:
        rows = self.table.rows(progress)
        return map(self.enrich, rows) if self.enrich else rows

    def digest(self, file_digests: dict[Path, str]) -> str:
        """Everything that decides the triples: importer code, mapping, every input file."""
        digest = hashlib.sha256(f"{self.importer} {_code_digest()}\n{self.mapping.text}".encode())
        for path in self.inputs:
            digest.update(file_digests[path].encode())
        return digest.hexdigest()


@dataclass
class SourceReport:
    """What an import did with one source file."""

    source: str
    file: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    triples: int = 0
    seconds: float = 0.0
    unchanged: bool = False
    warnings: dict[str, dict] = field(default_factory=dict)   # message -> {"rows": n, "first line": l}
    data_quality: dict = field(default_factory=dict)          # see converter.Quality.summary
    quality_notes: list[str] = field(default_factory=list)    # the same, as phrases for a terminal
    rejects: str | None = None                                # path of rejects.csv, if any row failed


@cache
def _code_digest() -> str:
    """SHA-256 of the importers' own code: a new version may turn the same input into other triples."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")) + sorted(Path(__file__).parent.glob("mappings/*.toml")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _current_digests(kg) -> dict[str, tuple[str, int]]:
    """Input digest and rejected rows of each imported source in the store."""
    rows = kg.query("SELECT ?name ?digest ?rejected WHERE { ?s coop:sourceName ?name ; coop:inputDigest ?digest ; "
                    "coop:rowsRejected ?rejected }")
    return {str(row.name): (str(row.digest), int(row.rejected)) for row in rows}


def convert(job: Job, progress: Progress | None = None) -> Generator[bytes, None, Conversion]:
    """Map every row of a job's table to N-Triples, yielded a few megabytes at a time as they are asked for (a store
    writes them while the next rows are read); returns how the rows were converted."""
    if progress:
        progress(job.source, 0, 0, job.table.size)  # the job starts: its clock starts
    made: list[bytes] = []
    converter = Converter(job.mapping, SimpleNamespace(write=made.append))
    for row in job.rows(lambda count, done, total: progress(job.source, count, done, total) if progress else None):
        converter.add(row)
        if made:
            yield from made
            made.clear()
    conversion = converter.finish()
    yield from made
    return conversion


def _spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, @, or - before a non-number), quoted."""
    if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not cell[1:2].isdigit()):
        return "'" + cell
    return cell


def _write_report(report: SourceReport, conversion: Conversion, job: Job, report_dir: Path) -> None:
    folder = report_dir / report.source.replace("/", "--")
    folder.mkdir(parents=True, exist_ok=True)
    rejects = folder / "rejects.csv"
    rejects.unlink(missing_ok=True)  # from an earlier import of this source
    if conversion.rejects:
        columns = job.table.columns  # the file's own columns, not what joining added
        with rejects.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "line", "reason", *columns])
            for row, reason in conversion.rejects:
                writer.writerow([job.table.path.name, row.line, reason,
                                 *(_spreadsheet_safe(row.cells.get(c, "")) for c in columns)])
        report.rejects = str(rejects)
    (folder / "report.json").write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")


def _provenance(job: Job, report: SourceReport, digest: str, file_digests: dict[Path, str]) -> Graph:
    files = [job.table.path, *(path for path in job.inputs if path != job.table.path)]
    graph = source_provenance(job.source, files, file_digests)
    source = source_iri(job.source)
    graph.add((source, COOP.importer, Literal(job.importer)))
    graph.add((source, COOP.mapping, Literal(job.mapping.name)))
    graph.add((source, COOP.inputDigest, Literal(digest)))
    for predicate, number in ((COOP.rowsRead, report.rows_read), (COOP.rowsImported, report.rows_imported),
                              (COOP.rowsRejected, report.rows_rejected)):
        graph.add((source, predicate, Literal(number, datatype=XSD.integer)))
    return graph


def reports_folder(kg) -> Path:
    """Where an import's reports go unless told: under the store (``STORE/reports``), never the current folder
    by surprise; for a store in memory or on a server, the system's folder for temporary files."""
    location = getattr(kg.store, "path", None)
    return (location / "reports") if location is not None else Path(tempfile.gettempdir()) / "coopgraph-reports"


def run(kg, jobs: list[Job], *, strict: bool = False, report_dir: Path | None = None,
        progress: Progress | None = None, on_read: Callable[[], None] | None = None) -> list[SourceReport]:
    """Import the jobs' files into ``kg``, all or none of them; return a report per file (written to
    ``report_dir``, by default :func:`reports_folder`).

    The rows are converted as the store reads them, so reading and writing overlap; ``on_read`` is called once
    every row is read, while the store may still be writing. Nothing is published before every file is written
    and, with ``strict``, none had a row rejected.
    """
    report_dir = reports_folder(kg) if report_dir is None else report_dir
    names = [job.source for job in jobs]
    if len(set(names)) != len(names):
        raise ImportFailed("two files of this import have the same name; import them one by one")
    current = _current_digests(kg)
    reports, data, inputs = [], {}, []
    for job in jobs:
        report = SourceReport(job.source, str(job.table.path))
        reports.append(report)
        file_digests = {path: file_digest(path) for path in job.inputs}
        digest = job.digest(file_digests)
        if current.get(job.source, ("",))[0] == digest:
            report.unchanged = True
            report.rows_rejected = current[job.source][1]  # as imported before, for --strict
            continue
        job.mapping.check_columns(job.columns(), job.table.describe(), job.table.header())  # before any writing
        inputs.append((job, report, digest, file_digests))
    for number, (job, report, _, _) in enumerate(inputs):
        last = number == len(inputs) - 1
        triples = _reported(job, report, report_dir, progress, on_read if last else None)
        data[job.source] = (MadeTriples(triples), "application/n-triples")

    def provenance() -> Graph:
        """Once every file is written: refuse them all (--strict) or say where each came from."""
        failed = [r for r in reports if r.rows_rejected]
        if strict and failed:
            raise ImportFailed(f"--strict: {sum(r.rows_rejected for r in failed)} row(s) rejected, nothing "
                               f"imported (see the reports in {report_dir})", reports)
        graph = Graph()
        for job, report, digest, file_digests in inputs:
            graph += _provenance(job, report, digest, file_digests)
        return graph

    if data:
        kg.store.publish(data, provenance)
    else:
        provenance()
    return reports


def _reported(job: Job, report: SourceReport, report_dir: Path, progress: Progress | None,
              on_read: Callable[[], None] | None) -> Iterator[bytes]:
    """The N-Triples of a job as :func:`convert` makes them; at their end, the job's report is filled in and written."""
    started = time.perf_counter()
    conversion = yield from convert(job, progress)
    report.rows_read, report.rows_imported = conversion.rows_read, conversion.rows_imported
    report.rows_rejected, report.triples = len(conversion.rejects), conversion.triples
    report.warnings = {message: {"rows": count, "first line": conversion.first_line_of_warning[message]}
                       for message, count in conversion.warnings.most_common()}
    report.data_quality = conversion.quality.summary()
    report.quality_notes = conversion.quality.described()
    report.seconds = round(time.perf_counter() - started, 2)
    _write_report(report, conversion, job, report_dir)
    if on_read:
        on_read()
