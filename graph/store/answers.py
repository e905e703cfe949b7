"""Query answers as coopgraph hands them on: rdflib results, rows of strings, or bytes in a chosen format.

Both stores hold answers as Oxigraph objects: the embedded one from its engine, the remote one parsed
from the server's reply by Oxigraph's parsers. So an answer reads and serialises the same way, byte
for byte, whichever store it came from.
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result

from coopgraph.store import StoreError
from coopgraph.store.terms import from_ox


def one_line(error: Exception) -> str:
    """An error's message on one line."""
    return " ".join(str(error).split())


def as_result(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
    """An answer as an rdflib ``Result``."""
    try:
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            result = Result("SELECT")
            result.vars = [Variable(v.value) for v in answer.variables]
            result.bindings = [
                {var: from_ox(value) for var, value in zip(result.vars, solution, strict=True) if value is not None}
                for solution in answer]
        else:
            result = Result("CONSTRUCT")
            result.graph = Graph()
            result.graph += (from_ox(triple) for triple in answer)
    except OSError as error:  # evaluation failed, e.g. a SERVICE that cannot be reached
        raise StoreError(f"the query failed: {one_line(error)}") from error
    return result


def as_rows(answer) -> list[tuple[str | None, ...]]:
    """The solutions of a SELECT as plain strings (an IRI, a literal's lexical form; None if unbound)."""
    if not isinstance(answer, ox.QuerySolutions):
        raise StoreError("rows() needs a SELECT query")
    try:
        return [tuple(None if term is None else term.value for term in solution) for solution in answer]
    except OSError as error:
        raise StoreError(f"the query failed: {one_line(error)}") from error


def write(answer, solutions_type: str, graph_type: str, output: IO[bytes]) -> str:
    """Serialise an answer to ``output`` as it comes (``solutions_type`` for SELECT and ASK, ``graph_type`` for
    CONSTRUCT and DESCRIBE); return the media type used."""
    try:
        if isinstance(answer, ox.QueryTriples):
            answer.serialize(output, format=ox.RdfFormat.from_media_type(graph_type))
            return graph_type
        answer.serialize(output, format=ox.QueryResultsFormat.from_media_type(solutions_type))
        return solutions_type
    except OSError as error:
        raise StoreError(f"the query failed: {one_line(error)}") from error


def parse_json(body: bytes) -> bool | tuple[list[str], list[tuple]]:
    """A SPARQL 1.1 JSON results document: the boolean of an ASK, or (variables, rows of rdflib terms, None where
    unbound; a quoted triple as a tuple of three terms)."""
    answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    return ([variable.value for variable in answer.variables],
            [tuple(None if term is None else from_ox(term) for term in row) for row in answer])
