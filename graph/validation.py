"""SHACL validation of coopgraph data against ``ontology/shapes.ttl`` (with pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node


@cache
def shapes() -> Graph:
    """The SHACL shapes shipped with coopgraph."""
    return Graph().parse(data=files("coopgraph.ontology").joinpath("shapes.ttl").read_text("utf-8"),
                         format="turtle")


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which node, which property, which value, and why."""

    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]


def validate(data: Graph) -> ValidationReport:
    """Validate ``data`` (which should include the ontology, for its subclass axioms)."""
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none",
                                            allow_warnings=True)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        violations.append(Violation(
            focus=results.value(result, SH.focusNode),
            path=results.value(result, SH.resultPath),
            value=results.value(result, SH.value),
            message="; ".join(messages),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        ))
    violations.sort(key=lambda v: (str(v.focus), str(v.path), v.message))
    return ValidationReport(bool(conforms), tuple(violations))
