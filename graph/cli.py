"""The ``coopgraph`` command: build the knowledge graph and ask it questions."""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.text import Text

import coopgraph
from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.results import MEDIA_TYPES, as_table, folding_table
from coopgraph.sparql import QueryError, catalogue
from coopgraph.store import DEFAULT_LOCATION, LOCATION_VARIABLE, StoreError

app = typer.Typer(
    help="A knowledge graph of European cooperation networks: projects, organisations, regions and "
    "programmes as RDF, asked with SPARQL.",
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


class StatsFormat(str, Enum):
    table = "table"
    json = "json"


def _say(message: str | Text) -> None:
    """One line to stderr, never wrapped: notices must stay one line in any terminal."""
    err.print(message, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _say(Text.assemble(("error: ", "bold red"), message))
    return typer.Exit(1)


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[Optional[str], typer.Option(
        "--store", envvar=LOCATION_VARIABLE, show_envvar=True,
        help=f"Store directory, or :memory: for a throw-away store. [default: ./{DEFAULT_LOCATION}]")] = None,
) -> None:
    # rdflib logs a traceback for every ill-typed literal it meets; the SHACL report says it better
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    ctx.obj = store


def _run(ctx: typer.Context, action: Callable[[KnowledgeGraph], None], initialise: bool = True) -> None:
    """Open the store (initialising a new one, with a notice) and run ``action(kg)``.

    Expected errors become a one-line message and exit code 1, never a traceback.
    """
    try:
        kg = coopgraph.open(ctx.obj, initialise=initialise, on_init=lambda notice: _say(f"coopgraph: {notice}"))
    except StoreError as error:
        raise _fail(str(error)) from None
    try:
        action(kg)
    except (StoreError, QueryError) as error:
        raise _fail(str(error)) from None
    except UnicodeError:
        raise _fail("a file name, parameter or file is not valid UTF-8") from None
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
        for name in kg.load(files, format):
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
) -> None:
    """Run a SPARQL query over all sources and print the answer."""
    values = _parse_params(param or [])

    def action(kg: KnowledgeGraph) -> None:
        if format is QueryFormat.table:
            rendered = as_table(kg.result(query, **values), kg.namespaces)
            if isinstance(rendered, str):  # Turtle or yes/no: as it is, never wrapped
                sys.stdout.write(rendered)
            else:
                out.print(rendered)
            return
        solutions_type, graph_type = MEDIA_TYPES[format.value]
        answer = kg.serialized(query, solutions_type, graph_type, **values)
        sys.stdout.buffer.write(answer if answer.endswith(b"\n") else answer + b"\n")  # JSON ends without one
        sys.stdout.buffer.flush()

    _run(ctx, action)


@app.command("queries")
def list_queries() -> None:
    """List the named queries with their descriptions and parameters."""
    table = folding_table("name", "description", "parameters")
    for name, named in catalogue().items():
        parameters = "\n".join(
            f"{p.name} ({p.type}{f' {p.minimum}-{p.maximum}' if p.minimum is not None else ''}"
            f"{', default ' + p.default if p.default is not None else ''}): {p.description}"
            for p in named.parameters)
        table.add_row(name, named.description or named.title, parameters)
    out.print(table)


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[Optional[list[Path]], typer.Argument(
        help="RDF files to check, with the ontology and what the store knows of the things they refer to; "
             "without files, the whole store is checked.")] = None,
) -> None:
    """Check data against the SHACL shapes; exit 1 when it does not conform."""

    def action(kg: KnowledgeGraph) -> None:
        report = kg.validate(files or ())
        if report.conforms:
            out.print(f"conforms: no violations in {'the store' if not files else ', '.join(map(str, files))}")
            return
        table = folding_table("severity", "focus node", "property", "value", "problem", title="SHACL report")
        for v in report.violations:
            cells = (t.n3(kg.namespaces) if t is not None else "" for t in (v.focus, v.path, v.value))
            table.add_row(v.severity, *cells, v.message)
        out.print(table)
        _say(f"does not conform: {sum(v.severity == 'Violation' for v in report.violations)} violation(s)")
        raise typer.Exit(1)

    _run(ctx, action)


@app.command()
def stats(
    ctx: typer.Context,
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.table,
) -> None:
    """Triples per source and counts of projects, organisations, regions and programmes."""

    def action(kg: KnowledgeGraph) -> None:
        result = kg.stats()
        if format is StatsFormat.json:
            sys.stdout.write(json.dumps({"graphs": result.graphs, "counts": result.counts}, indent=2) + "\n")
            return
        graphs = folding_table("source (named graph)", "triples", title="sources")
        for name, size in result.graphs.items():
            graphs.add_row(name, f"{size:,}")
        counts = folding_table("kind", "number", title="counts")
        for name, number in result.counts.items():
            counts.add_row(name, f"{number:,}")
        out.print(graphs, counts)

    _run(ctx, action)


@app.command()
def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.ttl,
    graph: Annotated[Optional[str], typer.Option(help="One source (e.g. seed, nuts-2021, file/x.ttl); "
                                                 "default: the union of all.")] = None,
    output: Annotated[Optional[Path], typer.Option("--out", "-o", help="File to write; default: stdout.")] = None,
) -> None:
    """Write the graph (or one source's named graph) as Turtle, N-Triples or JSON-LD."""

    def action(kg: KnowledgeGraph) -> None:
        if graph is not None and graph not in kg.sources():
            raise StoreError(f"no source {graph!r}; `coopgraph stats` lists them")
        if output is None:
            kg.export(sys.stdout.buffer, format.value, graph)
            return
        with open(output, "wb") as file:
            kg.export(file, format.value, graph)

    _run(ctx, action)
