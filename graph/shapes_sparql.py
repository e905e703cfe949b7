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

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph.store.terms import sparql_term

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


def _instance(v: str, cls: Node, number: int) -> str:
    """A pattern matching ``v`` when it is an instance of the class or of a subclass (as pySHACL reads sh:class);
    ``number`` keeps the pattern's own variable apart from another's in the same group. The class itself is matched
    apart, not as the zero steps of ``rdfs:subClassOf*``: Virtuoso finds no zero-step match for a class that is in no
    ``rdfs:subClassOf`` triple, and reported each participation as lacking its type."""
    return (f"{{ {v} <{RDF.type}> {_term(cls)} }} UNION "
            f"{{ {v} <{RDF.type}> ?type{number} . ?type{number} <{RDFS.subClassOf}>+ {_term(cls)} }}")


def _targets(shapes: Graph, shape: Node) -> str:
    """A group pattern binding ``?this`` to each focus node of the shape, once."""
    branches = [_instance("?this", c, 0) for c in shapes.objects(shape, SH.targetClass)]
    branches += [f"?this {_term(p)} [] ." for p in shapes.objects(shape, SH.targetSubjectsOf)]
    branches += [f"[] {_term(p)} ?this ." for p in shapes.objects(shape, SH.targetObjectsOf)]
    if not branches:
        raise ValueError(f"shape {shape} has no target that coopgraph translates")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {b} }}" for b in branches) + " } }"


def _datatype(datatype: Node, v: str) -> str:
    """The value is a literal of the datatype, and a well-formed one (a cast of its text gives some text: Virtuoso
    calls what a failed cast gives a literal, so ``isLiteral`` of the cast let "2012-13-45"^^xsd:date pass)."""
    typed = f"(isLiteral({v}) && DATATYPE({v}) = {_term(datatype)})"
    if str(datatype).startswith("http://www.w3.org/2001/XMLSchema#") and not str(datatype).endswith("#string"):
        return f"({typed} && COALESCE(STRLEN(STR({_term(datatype)}(STR({v})))) > 0, false))"
    return typed


def _conforms(shapes: Graph, shape: Node, v: str) -> str:
    """An expression true when the value ``v`` conforms to a member shape of an ``sh:or`` of datatypes."""
    tests = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter == RDF.type:
            continue
        if parameter == SH.datatype:
            tests.append(_datatype(value, v))
        else:
            raise ValueError(f"sh:or member with {parameter} = {value} is not translated")
    return "(" + " && ".join(tests or ["true"]) + ")"


def _pattern(shapes: Graph, shape: Node, v: str) -> str | None:
    """A graph pattern matching the node ``v`` when it conforms to a member shape of an ``sh:or``, or None where a
    member tests the node itself (sh:datatype), which only a FILTER can."""
    path = shapes.value(shape, SH.path)
    patterns = []
    for number, (parameter, value) in enumerate(shapes.predicate_objects(shape)):
        if parameter in (SH.path, RDF.type):
            continue
        if parameter == SH["class"] and path is None:
            patterns.append(_instance(v, value, number))
        elif parameter == SH.hasValue and path is not None:
            patterns.append(f"{v} {_path(shapes, path)} {_term(value)} .")
        elif parameter == SH.minCount and path is not None and int(value) == 1:
            patterns.append(f"{v} {_path(shapes, path)} [] .")
        else:
            return None
    return " ".join(patterns) or None


def _alternatives(shapes: Graph, parameter: Node, value: Node, v: str) -> list[str] | None:
    """The graph patterns of which the node ``v`` must match one to meet a constraint (sh:class, or an ``sh:or`` of
    such members), or None where the constraint is no such pattern. A check then takes from its nodes or values those
    that match (``MINUS``), as a set: testing each value with ``FILTER(EXISTS ...)`` took Oxigraph 7 minutes over
    the CORDIS store for an amount's currency ``( coop:project coop:currency )``, 1.7 s as a set, and 3 to 5 s
    against 0.5 s for a participation's class and its organisation's."""
    if parameter == SH["class"]:
        return [_instance(v, value, 0)]
    if parameter == SH["or"]:
        patterns = [_pattern(shapes, member, v) for member in Collection(shapes, value)]
        return None if None in patterns else patterns
    return None


def _value_test(shapes: Graph, parameter: Node, value: Node, v: str) -> str | None:
    """The expression a value node must satisfy under one constraint, or None if it is no per-value constraint."""
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
    # Where the shape targets the subjects of the path, a node with a value along it is a focus node: matching the
    # targets as well only slows a check of the values (coop:region over the CORDIS store: 2.7 s against 0.45 s).
    scope = "" if path in set(shapes.objects(node_shape, SH.targetSubjectsOf)) else targets
    checks = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter in _NOT_CONSTRAINTS:
            continue
        alternatives = _alternatives(shapes, parameter, value, "?value" if path is not None else "?this")
        if alternatives is not None:
            minus = " ".join(f"MINUS {{ {pattern} }}" for pattern in alternatives)
            sparql = f"SELECT ?this ?value WHERE {{ {scope} {values} {minus} }}" if path is not None else \
                f"SELECT ?this ?value WHERE {{ {targets} {minus} {values} }}"
        elif (test := _value_test(shapes, parameter, value, "?value")) is not None:
            sparql = f"SELECT ?this ?value WHERE {{ {scope} {values} FILTER(!{test}) }}"
        elif parameter == SH.minCount:
            maximum = shapes.value(shape, SH.maxCount)
            having = f"?n < {int(value)}" + (f" || ?n > {int(maximum)}" if maximum is not None else "")
            sparql = (f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {steps} ?v }} }} "
                      f"GROUP BY ?this HAVING ({having.replace('?n', '(COUNT(?v))')})")
        elif parameter == SH.uniqueLang and value == Literal(True):
            sparql = (f"SELECT DISTINCT ?this WHERE {{ {scope} ?this {steps} ?a, ?b . "
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
        checks.append(Check(node_shape, path, message, f"SELECT ?this WHERE {{ {scope} ?this {steps} ?v }} "
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
