"""Answers of SPARQL queries: a listing for the terminal, or one of the SPARQL 1.1 results formats."""

from __future__ import annotations

from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result

from coopgraph.terminal import Listing, limited, numeric_columns, prefixed

#: Output formats of ``coopgraph query``: media type for SELECT/ASK answers, then for graphs.
RESULTS_MEDIA_TYPES = {
    "csv": ("text/csv", "application/n-triples"),
    "tsv": ("text/tab-separated-values", "application/n-triples"),
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
}


def cell(term) -> object:
    """A term as a table shows it: an IRI prefixed, a number as a number, a blank node by its id."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return prefixed(str(term))
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(term)
    return term.n3() if isinstance(term, BNode) else str(term)


def as_listing(result: Result, namespaces: NamespaceManager, limit: int | None) -> Listing | str:
    """The first ``limit`` rows of a SELECT answer as a :class:`~coopgraph.terminal.Listing`; Turtle for a
    graph (IRIs shortened with ``namespaces``); yes/no for ASK."""
    if result.type == "ASK":
        return "yes\n" if result.askAnswer else "no\n"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        for prefix, namespace in namespaces.namespaces():
            result.graph.bind(prefix, namespace, override=True)
        return result.graph.serialize(format="turtle")
    headers = [str(variable) for variable in result.vars]
    rows, total = limited(([cell(term) for term in row] for row in result), limit)
    return Listing(headers, rows, numeric_columns(headers, rows), total=total)
