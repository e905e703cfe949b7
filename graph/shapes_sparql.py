"""The SHACL shapes as SPARQL queries, run by Oxigraph on the whole store.

pySHACL over the CORDIS store needed the store copied into an rdflib graph and took minutes and gigabytes
(measured: 3 min 56 s, 2.2 GB; on one chunk of 20,000 focus nodes pySHACL alone took 68 s). Each constraint of
``ontology/shapes.ttl`` becomes one SELECT of its violations instead, evaluated where the data is. Only the
constraint components the shapes use are translated; any other one is refused, so a new shape cannot be skipped
in silence. ``tests/test_validation.py`` checks that the queries find exactly what pySHACL finds on the seed
graph, on the broken fixture and on an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph.store.terms import sparql_term

_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
_TYPE = f"<{RDF.type}>/{_SUBCLASS_OF}"
_NODE_KINDS = {SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
               SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))"}
#: Parameters that only accompany another one, or that say what a shape is rather than what it demands.
_NOT_CONSTRAINTS = {RDF.type, SH.path, SH.message, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.property, SH.name, SH.description, SH.maxCount, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")}


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a query whose rows (``?this``, ``?value``, ...) are its violations."""

    shape: Node          #: the node shape (a property shape's is the node shape holding it)
    path: Node | None
    message: str         #: may hold ``{?name}`` placeholders, filled from a row (sh:sparql)
    sparql: str


def _term(node: Node) -> str:
    return sparql_term(node)


def _path(shapes: Graph, path: Node) -> str:
    """A SHACL path in SPARQL's syntax: a property, or a sequence of them (an RDF list, as
    ``( coop:project coop:currency )``); any other kind of path is refused rather than misread."""
    if isinstance(path, URIRef):
        return _term(path)
    if shapes.value(path, RDF.first) is not None:
        return "/".join(_path(shapes, step) for step in Collection(shapes, path))
    raise ValueError(f"the path {path} is neither a property nor a sequence of properties")


def _instance(v: str, cls: Node) -> str:
    """``v`` is an instance of the class or of a subclass (as pySHACL reads sh:class), its types looked up first:
    Oxigraph would otherwise list all instances of the class for each value (8.6 s instead of 2 s here)."""
    return f"EXISTS {{ {v} <{RDF.type}> ?type . ?type {_SUBCLASS_OF} {_term(cls)} }}"


def _targets(shapes: Graph, shape: Node) -> str:
    """A group pattern binding ``?this`` to each focus node of the shape, once."""
    branches = [f"?this {_TYPE} {_term(c)} ." for c in shapes.objects(shape, SH.targetClass)]
    branches += [f"?this {_term(p)} [] ." for p in shapes.objects(shape, SH.targetSubjectsOf)]
    branches += [f"[] {_term(p)} ?this ." for p in shapes.objects(shape, SH.targetObjectsOf)]
    if not branches:
        raise ValueError(f"shape {shape} has no target that coopgraph translates")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {b} }}" for b in branches) + " } }"


def _datatype(datatype: Node, v: str) -> str:
    """The value is a literal of the datatype, and a well-formed one (a cast of its text succeeds)."""
    typed = f"(isLiteral({v}) && DATATYPE({v}) = {_term(datatype)})"
    if str(datatype).startswith("http://www.w3.org/2001/XMLSchema#") and not str(datatype).endswith("#string"):
        return f"({typed} && COALESCE(isLiteral({_term(datatype)}(STR({v}))), false))"
    return typed


def _conforms(shapes: Graph, shape: Node, v: str) -> str:
    """An expression true when the node ``v`` conforms to a member shape (without a path) of an ``sh:or``."""
    tests = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter == RDF.type:
            continue
        if parameter == SH["class"]:
            tests.append(_instance(v, value))
        elif parameter == SH.datatype:
            tests.append(_datatype(value, v))
        else:
            raise ValueError(f"sh:or member with {parameter} = {value} is not translated")
    return "(" + " && ".join(tests or ["true"]) + ")"


def _holds(shapes: Graph, shape: Node) -> str:
    """A graph pattern matching each ``?this`` that conforms to a member shape (with a path) of a node's ``sh:or``."""
    path = _path(shapes, shapes.value(shape, SH.path))
    patterns = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter in (SH.path, RDF.type):
            continue
        if parameter == SH.hasValue:
            patterns.append(f"?this {path} {_term(value)} .")
        elif parameter == SH.minCount and int(value) == 1:
            patterns.append(f"?this {path} [] .")
        else:
            raise ValueError(f"sh:or member with {parameter} = {value} is not translated")
    return " ".join(patterns)


def _none_holds(shapes: Graph, members: Node, targets: str) -> str:
    """The focus nodes that conform to no member of a node's ``sh:or`` whose members all have a path, found as a set:
    the members as ``FILTER(!EXISTS ...)`` on each node took Oxigraph 7 minutes over the CORDIS store for
    ``( coop:project coop:currency )``, and ``MINUS`` 1.6 s."""
    minus = " ".join(f"MINUS {{ {_holds(shapes, member)} }}" for member in Collection(shapes, members))
    return f"SELECT ?this ?value WHERE {{ {targets} {minus} BIND(?this AS ?value) }}"


def _value_test(shapes: Graph, parameter: Node, value: Node, v: str) -> str | None:
    """The expression a value node must satisfy under one constraint, or None if it is no per-value constraint."""
    if parameter == SH["class"]:
        return _instance(v, value)
    if parameter == SH.datatype:
        return _datatype(value, v)
    if parameter == SH.nodeKind:
        return _NODE_KINDS[value].format(v=v)
    if parameter == SH.pattern:
        return f"(!isBlank({v}) && REGEX(STR({v}), {_term(Literal(str(value)))}))"
    if parameter == SH.minLength:
        return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(value)})"
    if parameter == SH["in"]:
        return f"({v} IN ({', '.join(_term(member) for member in Collection(shapes, value))}))"
    if parameter == SH.minInclusive:
        return f"COALESCE({v} >= {_term(value)}, false)"
    if parameter == SH["or"]:
        return "(" + " || ".join(_conforms(shapes, member, v) for member in Collection(shapes, value)) + ")"
    return None


def _message(shapes: Graph, shape: Node) -> str:
    return "; ".join(sorted(str(m) for m in shapes.objects(shape, SH.message)))


def _checks_of(shapes: Graph, node_shape: Node, shape: Node, targets: str) -> list[Check]:
    path = shapes.value(shape, SH.path)
    steps = _path(shapes, path) if path is not None else None
    message = _message(shapes, shape)
    values = f"?this {steps} ?value ." if path is not None else "BIND(?this AS ?value)"
    checks = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter in _NOT_CONSTRAINTS:
            continue
        if parameter == SH["or"] and path is None and all(
                shapes.value(member, SH.path) is not None for member in Collection(shapes, value)):
            checks.append(Check(node_shape, path, message, _none_holds(shapes, value, targets)))
            continue
        test = _value_test(shapes, parameter, value, "?value")
        if test is not None:
            sparql = f"SELECT ?this ?value WHERE {{ {targets} {values} FILTER(!{test}) }}"
        elif parameter == SH.minCount:
            maximum = shapes.value(shape, SH.maxCount)
            having = f"?n < {int(value)}" + (f" || ?n > {int(maximum)}" if maximum is not None else "")
            sparql = (f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {steps} ?v }} }} "
                      f"GROUP BY ?this HAVING ({having.replace('?n', '(COUNT(?v))')})")
        elif parameter == SH.uniqueLang and value == Literal(True):
            sparql = (f"SELECT DISTINCT ?this WHERE {{ {targets} ?this {steps} ?a, ?b . "
                      "FILTER(!sameTerm(?a, ?b) && LANG(?a) != '' && LANG(?a) = LANG(?b)) }")
        elif parameter == SH.sparql:
            select = str(shapes.value(value, SH.select)).replace("$this", "?this")
            message = _message(shapes, value)
            sparql = f"SELECT * WHERE {{ {targets} {{ {select} }} }}"
        else:
            raise ValueError(f"shape {shape}: {parameter} is not translated to SPARQL")
        checks.append(Check(node_shape, path, message, sparql))
    if shapes.value(shape, SH.maxCount) is not None and shapes.value(shape, SH.minCount) is None:
        maximum = int(shapes.value(shape, SH.maxCount))
        checks.append(Check(node_shape, path, message, f"SELECT ?this WHERE {{ {targets} ?this {steps} ?v }} "
                                                       f"GROUP BY ?this HAVING (COUNT(?v) > {maximum})"))
    return checks


@cache
def checks(shapes: Graph) -> tuple[Check, ...]:
    """Every constraint of every node shape (and of its property shapes) as a query of its violations."""
    found = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = _targets(shapes, shape)
        found += _checks_of(shapes, shape, shape, targets)
        for property_shape in shapes.objects(shape, SH.property):
            if not isinstance(property_shape, BNode | URIRef):
                raise ValueError(f"shape {shape}: a property shape must be a node")
            found += _checks_of(shapes, shape, property_shape, targets)
    return tuple(found)
