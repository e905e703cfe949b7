"""SHACL validation of coopgraph data against ``ontology/shapes.ttl``: files with pySHACL, the store with the shapes
translated to SPARQL (:mod:`coopgraph.shapes_sparql`), which finds the same violations at full size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Callable

from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.query import Result
from rdflib.term import Node

from coopgraph.shapes_sparql import checks


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
    shape: Node | None = None  #: the node shape (for a property shape's constraint, the node shape holding it)


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]


def _node_shape(shape: Node | None) -> Node | None:
    """The node shape a result came from: a property shape's is the node shape that holds it."""
    return shapes().value(predicate=SH.property, object=shape) or shape


def _report(violations: list[Violation]) -> ValidationReport:
    violations.sort(key=lambda v: (str(v.focus), str(v.path), v.message))
    return ValidationReport(not any(v.severity == "Violation" for v in violations), tuple(violations))


def validate(data: Graph) -> ValidationReport:
    """Validate ``data`` with pySHACL (``data`` should include the ontology, for its subclass axioms)."""
    import pyshacl  # here: its import takes a fifth of a second that every other command would pay

    _, results, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none", allow_warnings=True)
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
            shape=_node_shape(results.value(result, SH.sourceShape)),
        ))
    return _report(violations)


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def validate_by_queries(run: Callable[[str], Result]) -> ValidationReport:
    """Validate whatever ``run`` queries (the store) with each constraint as one SPARQL query of its violations."""
    violations = []
    for check in checks(shapes()):
        for row in run(check.sparql):
            found = row.asdict()
            message = _PLACEHOLDER.sub(lambda m, found=found: str(found.get(m[1], m[0])), check.message)
            violations.append(Violation(found["this"], check.path, found.get("value"), message, "Violation",
                                        check.shape))
    return _report(violations)
