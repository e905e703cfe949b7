"""Answers of SPARQL queries as a terminal table or in the SPARQL 1.1 results formats."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result
from rich.table import Table

#: Output formats of ``coopgraph query``: media type for SELECT/ASK answers, then for graphs.
RESULTS_MEDIA_TYPES = {
    "csv": ("text/csv", "application/n-triples"),
    "tsv": ("text/tab-separated-values", "application/n-triples"),
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
}


def readable(value: object) -> str:
    """A value as people read it in a table or a tooltip: thousands separated, fractions to three decimals."""
    return f"{value:,.3f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def folding_table(*headers: str, title: str | None = None) -> Table:
    """A rich table whose cells wrap rather than being cut with an ellipsis: no value is hidden."""
    table = Table(title=title)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _cell(term, namespaces: NamespaceManager) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return term.n3(namespaces)
    if isinstance(term, Literal):
        return str(term)
    return term.n3()


def as_table(result: Result, namespaces: NamespaceManager) -> Table | str:
    """A rich table of a SELECT answer (IRIs shortened with ``namespaces``); Turtle for a graph; yes/no for ASK."""
    if result.type == "ASK":
        return "yes\n" if result.askAnswer else "no\n"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        for prefix, namespace in namespaces.namespaces():
            result.graph.bind(prefix, namespace, override=True)
        return result.graph.serialize(format="turtle")
    table = folding_table(*[str(v) for v in result.vars])
    rows = 0
    for row in result:
        table.add_row(*[_cell(term, namespaces) for term in row])
        rows += 1
    table.caption = f"{rows} row{'s' if rows != 1 else ''}"
    return table
