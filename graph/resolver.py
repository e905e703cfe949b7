"""Name parameters resolved to the one thing they name, or refused with the candidates.

A name is not an identity: 407 acronyms of the CORDIS Horizon Europe table each name several projects
(HELIOS six), and a query that matched names would silently merge their answers. So a parameter whose type
is a kind of thing (``project``, ``organisation``) is resolved before binding, once for every query, by the
internal query ``queries/resolve-KIND.rq`` (the name bound as a term like any parameter): an IRI or an
identifier (the IRI's last part, ``cordis/101057519``, or only ``101057519``) names one thing; an acronym,
title or name, in any letter case, must name exactly one. No match, or several, is an error that lists the
candidates and says how to choose. The query then gets the thing's IRI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from rdflib import URIRef

from coopgraph.sparql import THING_TYPES, NamedQuery, Parameter, QueryError
from coopgraph.vocab import ID, PREFIXES

if TYPE_CHECKING:
    from coopgraph.knowledge_graph import KnowledgeGraph


@dataclass(frozen=True)
class Candidate:
    """A thing a name may mean: its IRI, its identifier, and what tells it apart (acronym, programme, start...)."""

    iri: str
    identifier: str
    details: dict[str, str]  #: the same keys for every candidate of a kind, "" where unknown

    def line(self) -> str:
        shown = ", ".join(f"{key} {value or 'unknown'}" for key, value in self.details.items())
        return f"{self.identifier} ({shown}): <{self.iri}>"


class UnknownName(QueryError):
    """A name parameter names nothing in the store."""


class AmbiguousName(QueryError):
    """A name parameter names several things; ``candidates`` are they."""

    def __init__(self, parameter: str, value: str, kind: str, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        #: the message's first line; the others list the candidates
        self.headline = (f"{parameter} {value!r} names {len(candidates)} {kind}s: give one of their IRIs or "
                         f"identifiers instead, e.g. {parameter}={candidates[0].identifier}")
        super().__init__("\n".join([self.headline, *(f"  {candidate.line()}" for candidate in candidates)]))


def identifier(iri: str, kind: str) -> str:
    """The part of a minted IRI after ``id:KIND/`` (``cordis/101057519``); another IRI is its own identifier."""
    minted = f"{ID}{kind}/"
    return iri[len(minted):] if iri.startswith(minted) else iri


def _expanded(text: str) -> str:
    """``<IRI>`` without its brackets, ``id:project/pike`` (a prefixed name, as tables show IRIs) in full."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return f"{PREFIXES[prefix]}{local}"
    return text


def candidates(kg: KnowledgeGraph, kind: str, value: object) -> list[Candidate]:
    """What ``value`` may mean among the things of ``kind``: the IRI or identifier matches if any, else the names."""
    rows = kg.query(f"resolve-{kind}", name=_expanded(str(value)))
    exact = [row for row in rows if str(row.match) == "identifier"] or rows
    skipped = {"iri", "match"}
    return [Candidate(str(row.iri), identifier(str(row.iri), kind),
                      {key: "" if row[key] is None else str(row[key]) for key in row.labels if key not in skipped})
            for row in exact]


def resolve(kg: KnowledgeGraph, parameter: Parameter, value: object) -> URIRef:
    """The IRI of the one thing of the parameter's kind that ``value`` names; else UnknownName or AmbiguousName."""
    found = candidates(kg, parameter.type, value)
    if len(found) == 1:
        return URIRef(found[0].iri)
    if not found:
        raise UnknownName(f"{parameter.name} {str(value)!r} names no {parameter.type} in the store: give its "
                          f"acronym, title or name (any letter case), IRI or identifier")
    raise AmbiguousName(parameter.name, str(value), parameter.type, found)


def resolve_parameters(kg: KnowledgeGraph, query: NamedQuery, values: Mapping[str, object]) -> dict[str, object]:
    """The values with each name parameter (given, or its default) replaced by the IRI it resolves to."""
    resolved = dict(values)
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if parameter.type in THING_TYPES and value is not None:
            resolved[parameter.name] = resolve(kg, parameter, value)
    return resolved
