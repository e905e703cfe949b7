"""The ``coopgraph`` command: build the knowledge graph and ask it questions."""

from __future__ import annotations

import atexit
import csv
import errno
import gc
import json
import logging
import socket
import sys
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rdflib import BNode
from rich.console import Console
from rich.text import Text

import coopgraph
from coopgraph.importers import IMPORTERS
from coopgraph.importers.mapping import MappingError
from coopgraph.importers.pipeline import ImportFailed, SourceReport, reports_folder, run
from coopgraph.importers.tables import TableError
from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.network import PAIR_COLUMNS, ROLE_GROUPS, ROLES, WEIGHTS, Filters, NetworkError, network, top_pairs
from coopgraph.network import region_profile as profile_of_region
from coopgraph.network.analysis import analyse
from coopgraph.network.export import FORMATS as NETWORK_FORMATS
from coopgraph.network.export import write as write_network
from coopgraph.resolver import AmbiguousName
from coopgraph.results import RESULTS_MEDIA_TYPES, as_listing, cell
from coopgraph.sparql import QueryError, catalogue
from coopgraph.store import (
    DEFAULT_LOCATION,
    GRAPH_STORE_VARIABLE,
    LOCATION_VARIABLE,
    PASSWORD_VARIABLE,
    UPDATE_VARIABLE,
    USER_VARIABLE,
    StoreError,
)
from coopgraph.terminal import DEFAULT_LIMIT, Listing, numeric_columns, prefixed
from coopgraph.web.workers import DEFAULT_QUEUE, DEFAULT_WORKERS

#: -h as well as --help, on every command.
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    help="A knowledge graph of European cooperation networks: projects, organisations, regions and "
    "programmes as RDF, asked with SPARQL.",
    context_settings=HELP_OPTIONS,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Data and user input are shown as they are: no rich markup, emoji codes or highlighting.
out = Console(markup=False, emoji=False, highlight=False)
err = Console(stderr=True, markup=False, emoji=False, highlight=False)


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"


class ExportFormat(str, Enum):
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    nquads = "nquads"
    trig = "trig"


class StatsFormat(str, Enum):
    table = "table"
    json = "json"


class RankingFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


Weight = Enum("Weight", {name: name for name in WEIGHTS}, type=str)
NetworkKind = Enum("NetworkKind", {name: name for name in ("organisations", "regions", "countries", "bipartite")},
                   type=str)
NetworkFormat = Enum("NetworkFormat", {name: name for name in NETWORK_FORMATS}, type=str)


def _say(message: str | Text) -> None:
    """A notice to stderr: on a terminal wrapped between words, else one line (for logs and programs)."""
    err.print(message, soft_wrap=not err.is_terminal)


def _fail(message: str) -> typer.Exit:
    _say(Text.assemble(("error: ", "bold red"), message))
    return typer.Exit(1)


def _print(listing: Listing) -> None:
    """A listing as a table as wide as the terminal (else ``COLUMNS``, else 80), then how many rows it has."""
    footer = listing.footer()
    sys.stdout.write("\n".join([*listing.lines(out.width), *([footer] if footer else [])]) + "\n")
    sys.stdout.flush()


def _as_given(term, kg: KnowledgeGraph) -> str:
    """A value as the data wrote it, datatype included (``"abc"^^xsd:integer``: often the problem itself)."""
    return "" if term is None else term.n3(kg.namespaces)


def _row_limit(limit: int | None) -> int | None:
    """The rows a table shows: ``--limit`` (0: all), else :data:`DEFAULT_LIMIT`."""
    return DEFAULT_LIMIT if limit is None else limit or None


def _check_output(path: Path | None) -> None:
    """Before any slow work: the folder the user named for a file exists, and the name is no folder."""
    if path is None:
        return
    folder = path.parent
    if not folder.is_dir():
        raise _fail(f"cannot write {path}: there is no folder {folder}")
    if path.is_dir():
        raise _fail(f"cannot write {path}: it is a folder; give a file name")


LimitOption = Annotated[Optional[int], typer.Option(
    "--limit", min=0, help=f"Rows a table shows (0: all). [default: {DEFAULT_LIMIT}; csv and json give every row]")]


def _version(asked: bool) -> None:
    if asked:
        out.print(f"coopgraph {coopgraph.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[Optional[str], typer.Option(
        "--store", envvar=LOCATION_VARIABLE, show_envvar=True,
        help=f"Store directory, :memory: for a throw-away store, or the http(s) URL of a SPARQL 1.1 server's query "
             f"endpoint (credentials: ${USER_VARIABLE}, ${PASSWORD_VARIABLE}).",
        show_default=f"./{DEFAULT_LOCATION}")] = None,
    update_endpoint: Annotated[Optional[str], typer.Option(
        "--update-endpoint", envvar=UPDATE_VARIABLE, show_envvar=True, metavar="URL",
        help="The server's SPARQL update endpoint.", show_default="guessed for Oxigraph, Virtuoso, Fuseki, GraphDB")
    ] = None,
    graph_store_endpoint: Annotated[Optional[str], typer.Option(
        "--graph-store-endpoint", envvar=GRAPH_STORE_VARIABLE, show_envvar=True, metavar="URL",
        help="The server's Graph Store Protocol endpoint, for loading in batches (none: by updates).",
        show_default="guessed likewise")] = None,
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version, help="Say which coopgraph this is, and stop.")] = False,
) -> None:
    # rdflib logs a traceback for every ill-typed literal it meets; the SHACL report says it better
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    ctx.obj = StoreOptions(store, update_endpoint, graph_store_endpoint)


@dataclass(frozen=True)
class StoreOptions:
    """Which store the command works on (the options every command shares)."""

    location: str | None
    update_endpoint: str | None
    graph_store_endpoint: str | None


def _run(ctx: typer.Context, action: Callable[[KnowledgeGraph], None], initialise: bool = True) -> None:
    """Open the store (initialising a new one, with a notice) and run ``action(kg)``.

    Expected errors become a one-line message and exit code 1, never a traceback.
    """
    try:
        kg = coopgraph.open(ctx.obj.location, initialise=initialise, update_endpoint=ctx.obj.update_endpoint,
                            graph_store_endpoint=ctx.obj.graph_store_endpoint,
                            on_init=lambda notice: _say(f"coopgraph: {notice}"))
    except StoreError as error:
        raise _fail(str(error)) from None
    try:
        action(kg)
    except AmbiguousName as error:  # the candidates as a table, to choose from
        _say(Text.assemble(("error: ", "bold red"), error.headline))
        details = list(error.candidates[0].details)
        listing = Listing(("identifier", *details), [(c.identifier, *c.details.values()) for c in error.candidates],
                          prose=frozenset({"title", "label"}), counted=False)  # what to give instead, whole
        sys.stderr.write("\n".join(listing.lines(err.width)) + "\n")
        raise typer.Exit(1) from None
    except (StoreError, QueryError, MappingError, TableError, NetworkError) as error:
        raise _fail(str(error)) from None
    except UnicodeError:
        raise _fail("a file name, parameter or file is not valid UTF-8") from None
    except BrokenPipeError:  # the reader stopped early (`| head`): click ends quietly
        raise
    except OSError as error:
        where = f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error)
        raise _fail(where) from None
    finally:
        kg.close()


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the store and (re)load the ontology, countries, NUTS 2021 regions and the seed graph."""

    def action(kg: KnowledgeGraph) -> None:
        with err.status("loading the ontology, countries, NUTS 2021 regions and the seed graph"):
            kg.init()
        stats = kg.stats()
        _say(f"store {kg.store} ready: {sum(stats.graphs.values()):,} triples in {len(stats.graphs)} sources; "
             f"{stats.counts['projects']} projects, {stats.counts['organisations']} organisations")

    _run(ctx, action, initialise=False)


@app.command()
def load(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="RDF files: Turtle, N-Triples, JSON-LD or RDF/XML.")],
    format: Annotated[Optional[str], typer.Option(help="Format of all files (ttl, nt, jsonld, rdf) "
                                                    "when their suffix does not tell.")] = None,
) -> None:
    """Load RDF files, each as the source file/NAME (replacing an earlier load); all or none of them."""

    def action(kg: KnowledgeGraph) -> None:
        loading = f"loading {len(files)} file{'s' if len(files) != 1 else ''}"
        with err.status(loading) as status:
            if hasattr(kg.store, "progress"):  # a server: batches of triples, with how many are in
                kg.store.progress = lambda name, triples: status.update(f"{loading}: {name}: {triples:,} triples in")
            names = kg.load(files, format)
        for name in names:
            _say(f"loaded {name}")

    _run(ctx, action)


def _parse_params(params: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for param in params:
        name, equals, value = param.partition("=")
        name = name.strip()
        if not equals or not name:
            raise _fail(f"--param takes NAME=VALUE, not {param!r}")
        if name in values:
            raise _fail(f"parameter {name} is given twice")
        values[name] = value
    return values


@app.command()
def query(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A named query (see `coopgraph queries`), a .rq file, or SPARQL text.")],
    param: Annotated[Optional[list[str]], typer.Option(
        "--param", "-p", metavar="NAME=VALUE", help="Bind a parameter (repeatable); bound as an RDF term.")] = None,
    format: Annotated[QueryFormat, typer.Option("--format", "-f", help="table for people; csv, tsv, json "
                                                "and xml are the SPARQL 1.1 results formats.")] = QueryFormat.table,
    limit: LimitOption = None,
) -> None:
    """Run a SPARQL query over all sources and print the answer."""
    values = _parse_params(param or [])
    if limit is not None and format is not QueryFormat.table:
        raise _fail("--limit shortens tables; csv, tsv, json and xml give the whole answer (LIMIT in the "
                    "query shortens it)")

    def action(kg: KnowledgeGraph) -> None:
        if format is QueryFormat.table:
            with err.status("running the query"):
                rendered = as_listing(kg.result(query, **values), kg.namespaces, _row_limit(limit))
            if isinstance(rendered, str):  # Turtle or yes/no: as it is, never wrapped
                sys.stdout.write(rendered)
            else:
                _print(rendered)
            return
        solutions_type, graph_type = RESULTS_MEDIA_TYPES[format.value]
        with err.status("running the query"):
            _, answer = kg.serialized(query, solutions_type, graph_type, **values)
        sys.stdout.buffer.write(answer if answer.endswith(b"\n") else answer + b"\n")  # JSON ends without one
        sys.stdout.buffer.flush()

    _run(ctx, action)


@app.command("queries")
def list_queries(
    internal: Annotated[bool, typer.Option("--all", help="Also the queries coopgraph's own networks and pages read.")]
    = False,
) -> None:
    """List the named queries with their descriptions and parameters."""
    rows = []
    for name, named in catalogue().items():
        if named.internal and not internal:
            continue
        parameters = "\n".join(
            f"{p.name} ({p.type}{f' {p.minimum}-{p.maximum}' if p.minimum is not None else ''}"
            f"{', default ' + p.default if p.default is not None else ''}): {p.description}"
            for p in named.parameters)
        rows.append((name, (named.description or named.title) + (f"\n{parameters}" if parameters else "")))
    _print(Listing(("name", "description and parameters"), rows, prose=frozenset({"description and parameters"}),
                   more=""))


#: Focus nodes ``validate`` shows for each problem; ``--details FILE`` writes them all.
EXAMPLES = 3


def _write_violations(path: Path, violations, kg: KnowledgeGraph) -> None:
    """Every violation as a CSV row (shape, focus node, property, value as the data wrote it, problem)."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["severity", "shape", "focus", "property", "value", "problem"])
        writer.writerows([v.severity, _plain(v.shape), _plain(v.focus), _plain(v.path), _as_given(v.value, kg),
                          v.message] for v in violations)


def _plain(term) -> str:
    """An IRI as it is, a blank node as ``_:id``, nothing as ''."""
    return "" if term is None else term.n3() if isinstance(term, BNode) else str(term)


def _example(term) -> str:
    """A term as an example shows it: a blank node's id, new at each reading of a file, says nothing."""
    return "a blank node" if isinstance(term, BNode) else str(cell(term))


def _by_shape(violations) -> Listing:
    """One row per shape and problem: how many violations, the problem and a few focus nodes (value when it differs)."""
    groups: dict[tuple, list] = {}
    for violation in violations:
        groups.setdefault((str(violation.shape).rsplit("#", 1)[-1], violation.message), []).append(violation)
    rows = []
    for (shape, message), found in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        examples = [_example(v.focus) + (f" ({_example(v.value)})" if v.value not in (None, v.focus) else "")
                    for v in found[:EXAMPLES]]
        rows.append((shape, len(found), f"{message}\ne.g. {', '.join(examples)}"
                     + (", …" if len(found) > EXAMPLES else "")))
    return Listing(("shape", "violations", "problem, with examples"), rows, frozenset({"violations"}),
                   frozenset({"problem, with examples"}), title="SHACL report by shape", counted=False)


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[Optional[list[Path]], typer.Argument(
        help="RDF files to check, with the ontology and what the store knows of the things they refer to; "
             "without files, the whole store is checked.")] = None,
    details: Annotated[Optional[Path], typer.Option(
        "--details", help="Write every violation to this CSV file (the terminal shows a summary by shape).")] = None,
) -> None:
    """Check data against the SHACL shapes; exit 1 when it does not conform."""
    _check_output(details)

    def action(kg: KnowledgeGraph) -> None:
        with err.status("checking against the SHACL shapes"):
            report = kg.validate(files or ())
        if details is not None:
            _write_violations(details, report.violations, kg)
        if report.conforms:
            out.print(f"conforms: no violations in {'the store' if not files else ', '.join(map(str, files))}")
            return
        _print(_by_shape(report.violations))
        count = sum(v.severity == "Violation" for v in report.violations)
        _say(f"does not conform: {count:,} violation(s); "
             + (f"all of them in {details}" if details else "--details FILE writes them all"))
        raise typer.Exit(1)

    _run(ctx, action)


@app.command()
def stats(
    ctx: typer.Context,
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.table,
) -> None:
    """Triples per source and counts of projects, organisations, regions and programmes."""

    def action(kg: KnowledgeGraph) -> None:
        with err.status("counting"):
            result = kg.stats()
        if format is StatsFormat.json:
            sys.stdout.write(json.dumps({"graphs": result.graphs, "counts": result.counts}, indent=2) + "\n")
            return
        _print(Listing(("source (named graph)", "triples"), list(result.graphs.items()), frozenset({"triples"}),
                       title="sources"))
        _print(Listing(("kind", "number"), list(result.counts.items()), frozenset({"number"}), title="counts"))

    _run(ctx, action)


@app.command()
def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.ttl,
    graph: Annotated[Optional[str], typer.Option(help="One source (e.g. seed, nuts-2021, file/x.ttl); "
                                                 "default: the union of all.")] = None,
    output: Annotated[Optional[Path], typer.Option("--out", "-o", help="File to write; default: stdout.")] = None,
) -> None:
    """Write the graph (or one source's named graph) as Turtle, N-Triples, JSON-LD, or with its named graphs and their
    provenance as N-Quads or TriG; streamed to the file."""
    _check_output(output)

    def action(kg: KnowledgeGraph) -> None:
        if graph is not None and graph not in kg.sources():
            raise StoreError(f"no source {graph!r}; `coopgraph stats` lists them")
        if output is None:
            kg.export(sys.stdout.buffer, format.value, graph)
            return
        with err.status(f"writing {output}"), open(output, "wb") as file:
            kg.export(file, format.value, graph)

    _run(ctx, action)


def _progress_bar():
    """A progress bar with rows per second, on a terminal only (nothing is printed per row)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TextColumn("{task.fields[rows]:>9,} rows"), TextColumn("{task.fields[speed]:>7,.0f} rows/s"),
                    TimeElapsedColumn(), console=err, disable=not err.is_terminal, transient=False)


def _show(reports: list[SourceReport]) -> None:
    numbers = ("rows read", "imported", "rejected", "triples", "reading s")
    _print(Listing(("source", *numbers), [(r.source, *((None,) * 5 if r.unchanged else (
        r.rows_read, r.rows_imported, r.rows_rejected, r.triples, round(r.seconds, 1)))) for r in reports],
        frozenset(numbers), title="import"))
    for r in reports:
        if r.unchanged:
            _say(f"{r.source}: unchanged: same input as the source in the store")
    for r in reports:
        if r.quality_notes:
            _say(f"data quality: {r.source}: " + "; ".join(r.quality_notes) + " (see its report.json)")
        for message, seen in list(r.warnings.items())[:10]:
            _say(f"warning: {r.source}: {message} ({seen['rows']:,} row(s), first at line {seen['first line']:,})")
        if len(r.warnings) > 10:
            _say(f"warning: {r.source}: {len(r.warnings) - 10} more kinds of warning in its report.json")
        if r.rejects:
            _say(f"{r.source}: {r.rows_rejected} row(s) rejected, listed with line and reason in {r.rejects}")


@app.command("import")
def import_(
    ctx: typer.Context,
    importer: Annotated[str, typer.Argument(
        metavar="FORMAT", help="; ".join(f"{name}: {i.description}" for name, i in IMPORTERS.items()))],
    files: Annotated[list[Path], typer.Argument(help="The files to import; each becomes its own source.")],
    mapping: Annotated[Optional[Path], typer.Option(help="table: the mapping file (TOML).")] = None,
    topics: Annotated[Optional[Path], typer.Option(help="cordis: the topics table (topics.csv[.gz]).")] = None,
    legal_basis: Annotated[Optional[Path], typer.Option(
        "--legal-basis", help="cordis: the legal basis table (legalBasis.csv[.gz]).")] = None,
    strict: Annotated[bool, typer.Option(help="Import nothing if any row is rejected.")] = False,
    report_dir: Annotated[Optional[Path], typer.Option(
        "--reports", "--report-dir", help="Folder for each source's report.json and rejects.csv. "
        "[default: reports in the store's folder]")] = None,
) -> None:
    """Import tables: each file becomes its own source (named graph) with provenance; all or none."""
    if importer not in IMPORTERS:
        raise _fail(f"no importer {importer!r}; importers: {', '.join(IMPORTERS)}")
    chosen = IMPORTERS[importer]
    given = {name: value for name, value in (("mapping", mapping), ("topics", topics),
                                              ("legal_basis", legal_basis)) if value is not None}
    unexpected, missing = sorted(set(given) - set(chosen.options)), sorted(set(chosen.required) - set(given))
    if unexpected:
        raise _fail(f"--{unexpected[0].replace('_', '-')} does not go with the {importer} importer")
    if missing:
        raise _fail(f"the {importer} importer needs --{missing[0].replace('_', '-')}")

    begun = time.perf_counter()  # the store is opened, the companion tables read: all counted

    def action(kg: KnowledgeGraph) -> None:
        jobs = chosen.jobs(files, **given)
        reports_to = report_dir or reports_folder(kg)
        with _progress_bar() as bar:
            tasks = {job.source: bar.add_task(job.source, total=None, rows=0, speed=0.0) for job in jobs}
            started: dict[str, float] = {}

            def progress(source: str, rows: int, done: int, total: int) -> None:
                started.setdefault(source, time.perf_counter())
                speed = rows / max(time.perf_counter() - started[source], 1e-6)
                bar.update(tasks[source], completed=done, total=total, rows=rows, speed=speed)

            writing = err.status("finishing the writing to the store")  # shown on a terminal only
            try:
                reports = run(kg, jobs, strict=strict, report_dir=reports_to, progress=progress,
                              on_read=writing.start)
            except ImportFailed as failure:
                if failure.reports:
                    _show(failure.reports)
                raise StoreError(str(failure)) from None
            finally:
                writing.stop()
        _show(reports)
        if not all(r.unchanged for r in reports):
            _say(f"imported and published in {time.perf_counter() - begun:.1f} s from start to end (the store writes "
                 f"while the files are read, so the \"reading s\" above is part of it); reports: {reports_to}")
            _matches_may_be_stale(kg)

    _run(ctx, action)


def _matches_may_be_stale(kg: KnowledgeGraph) -> None:
    if "matches" in kg.sources():
        _say("note: the matches source was made before this change; run `coopgraph match` again")


@app.command()
def match(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Find matches but do not publish them.")] = False,
    show: Annotated[bool, typer.Option("--show", help="List every match and ambiguous name.")] = False,
) -> None:
    """Link organisations that several sources name: owl:sameAs for the same PIC or VAT number, coop:nameMatch
    for the same name in the same NUTS region; published as the source `matches`."""
    from coopgraph.matching import match_organisations, publish_matches

    def action(kg: KnowledgeGraph) -> None:
        with err.status("matching organisations"):
            report = match_organisations(kg) if dry_run else publish_matches(kg)
        counts = report.counts()
        _say(f"{'found' if dry_run else 'matched'} {len(report.matches)} pairs of {len(report.organisations):,} "
             f"organisations in {report.seconds:.1f} s: {counts['pic']} by PIC, {counts['vat']} by VAT number, "
             f"{counts['name']} by name; {len(report.ambiguous)} ambiguous left unlinked")
        if show:
            for found in report.matches:
                out.print(report.describe(found), soft_wrap=True)
            for ambiguity in report.ambiguous:
                out.print(f"ambiguous {ambiguity.method} {ambiguity.key!r}: {ambiguity.reason}", soft_wrap=True)

    _run(ctx, action)


@app.command()
def sources(ctx: typer.Context) -> None:
    """List the sources in the store: rows read and imported, triples, date (the name says importer/file)."""

    def action(kg: KnowledgeGraph) -> None:
        rows = kg.query("""SELECT ?name ?read ?imported ?rejected ?time WHERE {
            ?s coop:sourceName ?name .
            OPTIONAL { ?s coop:rowsRead ?read } OPTIONAL { ?s coop:rowsImported ?imported }
            OPTIONAL { ?s coop:rowsRejected ?rejected } OPTIONAL { ?s coop:graph/prov:generatedAtTime ?time } }
            ORDER BY ?name""")
        sizes = kg.store.sizes()
        numbers = ("rows read", "imported", "rejected", "triples")
        listed = [(str(row.name), *(cell(row[c]) for c in ("read", "imported", "rejected")),
                   sizes.get(str(row.name), 0), str(row.time or "")[:10]) for row in rows]
        _print(Listing(("source", *numbers, "date"), listed, frozenset(numbers)))

    _run(ctx, action)


@app.command()
def remove(ctx: typer.Context,
           source: Annotated[str, typer.Argument(help="A source name, as `coopgraph sources` lists.")]) -> None:
    """Remove one source (its named graph and its provenance)."""

    def action(kg: KnowledgeGraph) -> None:
        if not kg.remove(source):
            raise StoreError(f"no source {source!r}; `coopgraph sources` lists them")
        _say(f"removed {source}")
        if source != "matches":
            _matches_may_be_stale(kg)

    _run(ctx, action)


# -- networks -----------------------------------------------------------------------------------

regions_app = typer.Typer(help="Which regions collaborate most: rankings of region pairs and region profiles.",
                          context_settings=HELP_OPTIONS, no_args_is_help=True)
app.add_typer(regions_app, name="regions")

# The filters every network command takes.
ProgrammeOption = Annotated[Optional[str], typer.Option(
    "--programme", help="Only projects of this programme or programme part, by acronym or name in any letter case "
    "(HORIZON.2 also takes HORIZON.2.5).", rich_help_panel="Filters")]
FromOption = Annotated[Optional[int], typer.Option(
    "--from", help="Only projects that started in or after this year.", rich_help_panel="Filters")]
ToOption = Annotated[Optional[int], typer.Option(
    "--to", help="Only projects that started in or before this year.", rich_help_panel="Filters")]
_ROLE_GROUPS_HELP = ", ".join(f"{group} ({' + '.join(roles)})" for group, roles in ROLE_GROUPS.items())
RoleOption = Annotated[Optional[list[str]], typer.Option(
    "--role", metavar="ROLE",
    help=f"Only participations in this role (repeatable): {', '.join(ROLES)}, or {_ROLE_GROUPS_HELP}.",
    rich_help_panel="Filters")]
SourceOption = Annotated[Optional[str], typer.Option(
    "--source", help="Only participations from this source, as `coopgraph sources` names it.",
    rich_help_panel="Filters")]
MinProjectsOption = Annotated[int, typer.Option(
    "--min-projects", min=1, help="Only pairs that share at least this many projects.", rich_help_panel="Filters")]
LevelOption = Annotated[int, typer.Option("--level", min=0, max=3, help="NUTS level: 0 (countries), 1, 2 or 3.")]
WeightOption = Annotated[Weight, typer.Option(
    "--weight", metavar="WEIGHT", help="projects: shared projects; fractional: each project adds 1/(k-1) to each of "
    "its pairs; association: observed over expected; jaccard: shared over all projects of the two.")]


def _filters(programme, first_year, last_year, roles, source, min_projects=1, **pruning) -> Filters:
    return Filters(programme=programme, first_year=first_year, last_year=last_year, roles=tuple(roles or ()),
                   source=source, min_projects=min_projects, **pruning)


def _print_rows(rows: list[dict], columns: tuple[str, ...] | list[str], format: RankingFormat,
                title: str | None = None) -> None:
    """Rows as a table for people, or CSV / JSON with full precision for programs."""
    if format is RankingFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif format is RankingFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _print(_listing(rows, columns, title))


def _listing(rows: list[dict], columns: tuple[str, ...] | list[str], title: str | None) -> Listing:
    """Rows for people: region pairs ranked (:func:`_pairs`); IRIs as prefixed names."""
    if tuple(columns) == PAIR_COLUMNS:
        return _pairs(rows, title)
    cells = [[prefixed(value) if isinstance(value, str) and value.startswith(("http:", "https:")) else value
              for value in (row[column] for column in columns)] for row in rows]
    return Listing(columns, cells, numeric_columns(columns, cells), title=title)


def _pairs(rows: list[dict], title: str | None, beside: str | None = None) -> Listing:
    """Region pairs ranked for people, each region by code and name; the pairs of the region ``beside`` (a code)
    by its partner alone."""
    def named(row: dict, side: str) -> str:
        return f"{row['region_' + side]} {row['name_' + side]}"

    def regions(row: dict) -> tuple[str, ...]:
        if beside is None:
            return named(row, "a"), named(row, "b")
        return (named(row, "b" if row["region_a"] == beside else "a"),)

    headers = ("#", "region A", "region B") if beside is None else ("#", "partner")
    return Listing((*headers, *WEIGHTS), [(rank, *regions(row), *(row[weight] for weight in WEIGHTS))
                                          for rank, row in enumerate(rows, start=1)],
                   frozenset({"#", *WEIGHTS}), title=title)


@regions_app.command("top")
def regions_top(
    ctx: typer.Context,
    level: LevelOption = 2,
    n: Annotated[int, typer.Option("--top", "-n", min=1, help="How many pairs to show.")] = 20,
    weight: WeightOption = Weight.fractional,
    programme: ProgrammeOption = None,
    first_year: FromOption = None,
    last_year: ToOption = None,
    role: RoleOption = None,
    source: SourceOption = None,
    min_projects: MinProjectsOption = 1,
    format: Annotated[RankingFormat, typer.Option("--format", "-f")] = RankingFormat.table,
) -> None:
    """The region pairs that collaborate most, ranked by a weight (region_a < region_b)."""
    if weight.value in ("association", "jaccard") and min_projects == 1 and format is RankingFormat.table:
        _say(f"note: {weight.value} ranks pairs of small regions first; --min-projects 10 keeps pairs that share "
             "at least 10 projects")

    def action(kg: KnowledgeGraph) -> None:
        filters = _filters(programme, first_year, last_year, role, source, min_projects)
        with err.status(f"building the NUTS {level} network"):
            rows = top_pairs(kg, level, weight.value, n, filters)
        _print_rows(rows, PAIR_COLUMNS, format, title=f"NUTS {level} region pairs, ranked by {weight.value}")

    _run(ctx, action)


@regions_app.command("profile")
def regions_profile(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="NUTS code of the region, e.g. SE33 (level 2) or SE332 (level 3).")],
    level: Annotated[Optional[int], typer.Option(
        "--level", min=0, max=3, help="NUTS level of the network; a finer code stands for its region at this "
        "level. [default: the code's level]")] = None,
    n: Annotated[int, typer.Option("--top", "-n", min=1, help="How many partners, projects and organisations.")
                 ] = 20,
    weight: WeightOption = Weight.fractional,
    programme: ProgrammeOption = None,
    first_year: FromOption = None,
    last_year: ToOption = None,
    role: RoleOption = None,
    source: SourceOption = None,
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.table,
) -> None:
    """A region's partners ranked, its projects and organisations, its centrality and community."""
    def action(kg: KnowledgeGraph) -> None:
        filters = _filters(programme, first_year, last_year, role, source)
        with err.status(f"measuring the network of {code}"):
            profile = profile_of_region(kg, code, level, weight.value, n, filters)
        if format is StatsFormat.json:
            sys.stdout.write(json.dumps(profile, ensure_ascii=False, indent=2) + "\n")
            return
        region, summary = profile["region"], profile["network"]
        facts = []
        for name, value in (("country", region["country"]), ("NUTS level", region["level"]),
                            ("organisations", region["organisations"]), ("projects", region["projects"]),
                            ("partner regions (degree)", region["degree"]),
                            (f"strength ({weight.value})", region["weighted_degree"]),
                            ("betweenness", f"{region['betweenness']:.4f} (rank {region['betweenness_rank']} of "
                                            f"{summary['nodes']})"),
                            ("broker (articulation point)", "yes" if region["articulation_point"] else "no"),
                            ("cross-border share", f"{region.get('cross_border_share', 0):.1%}"),
                            ("community", f"{region['community']} of {summary['communities']} "
                                          f"({summary['community_algorithm']}, modularity "
                                          f"{summary['modularity']:.3f})")):
            facts.append((name, value))
        _print(Listing(("measure", "value"), facts, prose=frozenset({"value"}),
                       title=f"{region['code']} {region['label']}", counted=False))
        _print(_pairs(profile["partners"], "partners", beside=region["code"]))
        _print_rows(profile["community"], ("code", "name", "country"), RankingFormat.table,
                    title="strongest regions of its community")
        _print_rows(profile["organisations"], ("name", "projects", "organisation"), RankingFormat.table,
                    title="organisations")
        _print_rows(profile["projects"], ("acronym", "title", "programme", "organisations"), RankingFormat.table,
                    title="projects (organisations of the region in each)")

    _run(ctx, action)


@app.command("network")
def network_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    of: Annotated[NetworkKind, typer.Option(
        "--of", metavar="KIND", help="What the nodes are: organisations, regions (NUTS), countries, or projects "
        "and organisations (bipartite).")] = NetworkKind.regions,
    level: LevelOption = 2,
    format: Annotated[Optional[NetworkFormat], typer.Option(
        "--format", "-f", metavar="FORMAT", help="graphml (NetworkX, yEd), gexf (Gephi, with sizes and colours), "
        "csv (edge list), json (node-link), html (a page drawing the network by --weight; opens offline). "
        "[default: from the file name]")] = None,
    programme: ProgrammeOption = None,
    first_year: FromOption = None,
    last_year: ToOption = None,
    role: RoleOption = None,
    source: SourceOption = None,
    min_projects: MinProjectsOption = 1,
    weight: WeightOption = Weight.fractional,
    min_weight: Annotated[Optional[float], typer.Option(
        "--min-weight", help="Only links with at least this --weight.", rich_help_panel="Filters")] = None,
    top: Annotated[Optional[int], typer.Option(
        "--top", "-n", min=1, help="Only the strongest links by --weight, this many.", rich_help_panel="Filters")
    ] = None,
    measures: Annotated[bool, typer.Option(
        "--measures", help="Add degree, betweenness, community, broker and cross-border share to every node "
        "(by --weight; minutes for a network of many thousand organisations).")] = False,
) -> None:
    """Write a collaboration network for Gephi, NetworkX, a spreadsheet or a browser."""
    _check_output(output)
    chosen = format.value if format else output.suffix.lstrip(".").lower()
    if chosen not in NETWORK_FORMATS:
        raise _fail(f"cannot tell the format from {output.name!r}; give --format ({', '.join(NETWORK_FORMATS)})")
    if chosen == "html" and of is NetworkKind.bipartite:
        raise _fail("a page draws networks of organisations, regions or countries, not the bipartite one")
    def action(kg: KnowledgeGraph) -> None:
        filters = _filters(programme, first_year, last_year, role, source, min_projects, min_weight=min_weight,
                           top=top, weight=weight.value)
        with err.status(f"building the network of {of.value}"):
            graph = network(kg, of.value, level, filters)
        if measures and of is not NetworkKind.bipartite:
            with err.status(f"measuring {graph.number_of_nodes():,} nodes"):
                analyse(graph, weight.value)
        write_network(graph, output, chosen, weight.value)
        _say(f"wrote {output}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} links ({chosen})")

    _run(ctx, action)


# -- the web app ---------------------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, so that "serving" is said only once it is true; a port in use (or an
    address this machine does not have) is a one-line error."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
        listening.listen(128)
    except OSError as error:
        reason = "another program listens there; --port chooses another" if error.errno == errno.EADDRINUSE else \
            error.strerror or str(error)
        raise _fail(f"cannot listen on {host} port {port}: {reason}") from None
    return listening


def _served(kg: KnowledgeGraph, keep_seconds: float):
    """What a server shows (:meth:`.ServedGraph.of`), with the store's lock let go, so that imports can run while
    the server does."""
    from coopgraph.web.served import ServedGraph

    served = ServedGraph.of(kg, keep_seconds)
    if served.kg is not kg:
        kg.close()
    return served


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the server to this machine.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the home page in a browser.")] = False,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds a SPARQL query or a page may take.")] = 30.0,
    max_result_mb: Annotated[float, typer.Option(min=0.001, help="Largest SPARQL answer sent, in MB.")] = 50.0,
    workers: Annotated[int, typer.Option(min=1, max=64, show_default="the number of cores", help=(
        "SPARQL queries run at once, each in a process of its own."))] = DEFAULT_WORKERS,
    queue: Annotated[int, typer.Option(min=0, max=1000, help="SPARQL queries that may wait for a worker; "
                                       "more are refused (503).")] = DEFAULT_QUEUE,
    allow_service: Annotated[bool, typer.Option(
        "--allow-service", help="Let SPARQL queries use SERVICE, which makes the server fetch other hosts.")] = False,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", help="An origin (https://example.org) whose pages may query the endpoint (repeatable).")
    ] = None,
    outlines: Annotated[Optional[Path], typer.Option(
        help="NUTS region outlines for the maps: a GISCO NUTS_RG_*_4326.geojson or Nuts2json file you downloaded.")
    ] = None,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", metavar="NAME", help="A name browsers reach the server by (repeatable); requests naming "
        "another host get 400. [default: the --host address; on 127.0.0.1 also localhost]")] = None,
) -> None:
    """Explore the knowledge graph in the browser; SPARQL endpoint at /sparql (read-only)."""
    listening = _listen(host, port)  # a port in use fails before the store is opened

    def action(kg: KnowledgeGraph) -> None:
        import threading
        import webbrowser

        import uvicorn

        from coopgraph.web import Limits, create_app
        from coopgraph.web.guard import allowed_hosts
        from coopgraph.web.map import load_outlines

        limits = Limits(timeout=timeout, max_result_bytes=int(max_result_mb * 1_000_000), workers=workers,
                        queue=queue, allow_service=allow_service)
        try:
            regions = load_outlines(outlines) if outlines else None
        except (OSError, ValueError) as error:
            raise _fail(f"cannot read outlines {outlines}: {error}") from None
        served = _served(kg, keep_seconds=timeout + 60)  # queries end by then; pages almost always
        url = f"http://{host if ':' not in host else f'[{host}]'}:{listening.getsockname()[1]}/"

        def ready() -> None:
            """Said once the server stops on Ctrl-C: said before, a Ctrl-C might come before it listens for it."""
            _say(f"serving {kg.store} at {url} (Ctrl-C stops)")
            if open_browser:
                threading.Timer(1.0, webbrowser.open, [url]).start()

        try:
            application = create_app(served, limits, tuple(cors_origin or ()), outlines=regions,
                                     hosts=allowed_hosts(host, tuple(allow_host or ())), on_ready=ready)
            if host not in ("127.0.0.1", "localhost", "::1"):
                _say(f"warning: listening on {host}: other machines can reach this server")
            uvicorn.Server(uvicorn.Config(application, log_level="warning")).run(sockets=[listening])
        finally:
            served.close()

    _run(ctx, action)


def command_line() -> None:
    """The ``coopgraph`` program, run as a process of its own.

    Once a command is done, the objects left are frozen out of the garbage collector: the interpreter's exit would
    otherwise walk them all (0.6 s after importing the CORDIS table) to free memory that goes with the process.
    """
    atexit.register(gc.freeze)
    app(prog_name="coopgraph")
