"""Running an import: table rows -> mapping -> N-Triples -> one new named graph per source file.

Every file of one ``coopgraph import`` is converted first; then all of them are published in one
store transaction, so an import that fails or is interrupted changes nothing. A file whose
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
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Callable, Iterator

from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, XSD

from coopgraph.importers.mapping import Conversion, Converter, Mapping
from coopgraph.importers.tables import Row, Table
from coopgraph.store import source_iri
from coopgraph.vocab import COOP

#: Bumped whenever an importer would turn the same input into different triples.
IMPORTER_VERSION = "1"

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

    def rows(self, progress: Callable[[int, int, int], None]) -> Iterator[Row]:
        rows = self.table.rows(progress)
        return map(self.enrich, rows) if self.enrich else rows

    def digest(self) -> str:
        digest = hashlib.sha256(f"{self.importer} {IMPORTER_VERSION}\n{self.mapping.text}".encode())
        for path in self.inputs:
            digest.update(_file_digest(path).encode())
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
    rejects: str | None = None                                # path of rejects.csv, if any row failed


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _current_digests(kg) -> dict[str, str]:
    rows = kg.query("SELECT ?name ?digest WHERE { ?s coop:sourceName ?name ; coop:inputDigest ?digest }")
    return {str(row.name): str(row.digest) for row in rows}


def convert(job: Job, sink: IO[bytes], progress: Progress | None = None) -> Conversion:
    """Map every row of a job's table to N-Triples written to ``sink``."""
    if progress:
        progress(job.source, 0, 0, job.table.size)  # the job starts: its clock starts
    rows = job.rows(lambda count, done, total: progress(job.source, count, done, total) if progress else None)
    first = next(rows, None)
    job.mapping.check_columns(job.table.columns if first is None else first.cells, job.table.path.name)
    converter = Converter(job.mapping, sink)
    if first is not None:
        converter.add(first)
        for row in rows:
            converter.add(row)
    return converter.finish()


def _write_report(report: SourceReport, conversion: Conversion, job: Job, report_dir: Path) -> None:
    folder = report_dir / report.source.replace("/", "--")
    folder.mkdir(parents=True, exist_ok=True)
    if conversion.rejects:
        columns = list(conversion.rejects[0][0].cells)
        path = folder / "rejects.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "line", "reason", *columns])
            for row, reason in conversion.rejects:
                writer.writerow([job.table.path.name, row.line, reason, *(row.cells.get(c, "") for c in columns)])
        report.rejects = str(path)
    (folder / "report.json").write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")


def _provenance(job: Job, report: SourceReport, digest: str) -> Graph:
    source = source_iri(job.source)
    graph = Graph()
    graph.add((source, RDF.type, COOP.Source))
    graph.add((source, COOP.importer, Literal(job.importer)))
    graph.add((source, COOP.mapping, Literal(job.mapping.name)))
    graph.add((source, COOP.fileName, Literal(job.table.path.name)))
    graph.add((source, COOP.sha256, Literal(_file_digest(job.table.path))))
    graph.add((source, COOP.inputDigest, Literal(digest)))
    graph.add((source, PROV.generatedAtTime, Literal(datetime.now(timezone.utc), datatype=XSD.dateTime)))
    for predicate, number in ((COOP.rowsRead, report.rows_read), (COOP.rowsImported, report.rows_imported),
                              (COOP.rowsRejected, report.rows_rejected)):
        graph.add((source, predicate, Literal(number, datatype=XSD.integer)))
    return graph


def run(kg, jobs: list[Job], *, strict: bool = False, report_dir: Path = Path("coopgraph-reports"),
        progress: Progress | None = None, on_publish: Callable[[], None] | None = None) -> list[SourceReport]:
    """Import the jobs' files into ``kg``, all or none of them; return a report per file."""
    names = [job.source for job in jobs]
    if len(set(names)) != len(names):
        raise ImportFailed("two files of this import have the same name; import them one by one")
    current = _current_digests(kg)
    reports, data, provenance = [], {}, Graph()
    with tempfile.TemporaryDirectory(prefix="coopgraph-import-") as scratch:
        for number, job in enumerate(jobs):
            started = time.perf_counter()
            report = SourceReport(job.source, str(job.table.path))
            reports.append(report)
            digest = job.digest()
            if current.get(job.source) == digest:
                report.unchanged = True
                continue
            triples = Path(scratch) / f"{number}.nt"
            with triples.open("wb") as sink:
                conversion = convert(job, sink, progress)
            report.rows_read, report.rows_imported = conversion.rows_read, conversion.rows_imported
            report.rows_rejected, report.triples = len(conversion.rejects), conversion.triples
            report.warnings = {message: {"rows": count, "first line": conversion.first_line_of_warning[message]}
                               for message, count in conversion.warnings.most_common()}
            report.seconds = round(time.perf_counter() - started, 2)
            _write_report(report, conversion, job, report_dir)
            data[job.source] = (triples, "application/n-triples")
            provenance += _provenance(job, report, digest)
        failed = [r for r in reports if r.rows_rejected]
        if strict and failed:
            raise ImportFailed(f"--strict: {sum(r.rows_rejected for r in failed)} row(s) rejected, nothing "
                               f"imported (see {', '.join(r.rejects for r in failed)})", reports)
        if data:
            if on_publish:
                on_publish()
            kg.store.publish(data, provenance)
    return reports
