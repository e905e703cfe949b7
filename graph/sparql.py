"""Named SPARQL queries and safe parameter binding.

A named query is a ``.rq`` file in ``queries/`` whose leading comment says what it is::

    # title: Partners of a project
    # description: One row per participation: organisation, role, country and region codes.
    # internal: no
    # param: project (string, default PIKE): acronym or title of the project, any case
    # param: level (integer 0-3, default 2): NUTS level
    # param: project (project, default PIKE): acronym, title, IRI or identifier of one project

``internal: yes`` marks a query that coopgraph's own networks and pages read, rather than one meant
for people: listings leave those out. Parameters are turned into RDF terms (a string literal, an
``xsd:integer`` within its declared range, an IRI; a ``project`` or ``organisation`` is a name that
:mod:`coopgraph.resolver` first resolves to the IRI of the one thing it names) and bound with a
one-row ``VALUES`` block at the top of the query's ``WHERE`` group and of each sub-query's, the
SPARQL 1.1 way of binding that every engine and remote endpoint understands: a parameter means the
same wherever its variable appears, and a sub-query can use it to cut its work early. A value is
never spliced into the query as text: Oxigraph serialises it as a term, so ``"} DROP ALL #`` stays a
harmless string.

Examples
--------
>>> query = NamedQuery.parse("demo", "# param: n (integer 1-9, default 1): how many\\nSELECT ?n WHERE { }")
>>> query.bind({"n": "2"}).splitlines()[-1]
'SELECT ?n WHERE { VALUES (?n) { ("2"^^<http://www.w3.org/2001/XMLSchema#integer>) } }'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from coopgraph.store.terms import is_absolute_iri, sparql_term

QUERY_PACKAGE = "coopgraph.queries"
#: Kinds of things a parameter may name: ``coopgraph.resolver`` turns the name into the one IRI it means.
THING_TYPES = ("project", "organisation")
PARAMETER_TYPES = ("string", "integer", "iri", *THING_TYPES)


class QueryError(Exception):
    """A query cannot be found, parsed or bound; the message says why in one line."""


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter: its name, type (and range), default and meaning."""

    name: str
    type: str = "string"
    default: str | None = None
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def term(self, value: object) -> Identifier:
        """Convert a value (from the command line or Python) to the RDF term of this type."""
        if value is None:
            raise QueryError(f"parameter {self.name} has no value")
        if self.type == "integer":
            return self._integer(value)
        if self.type == "iri" or self.type in THING_TYPES:  # a thing's name arrives resolved to its IRI
            if isinstance(value, Identifier) and not isinstance(value, URIRef):
                raise QueryError(f"parameter {self.name} must be an IRI, not {value!r}")
            return _iri(self.name, str(value).removeprefix("<").removesuffix(">"))
        if isinstance(value, Identifier) and not isinstance(value, Literal):
            raise QueryError(f"parameter {self.name} must be a string, not {value!r}")
        return value if isinstance(value, Literal) else Literal(str(value))

    def _integer(self, value: object) -> Literal:
        try:
            number = int(value.toPython() if isinstance(value, Literal) else str(value))
        except (TypeError, ValueError):
            raise QueryError(f"parameter {self.name} must be an integer, not {str(value)!r}") from None
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise QueryError(f"parameter {self.name} must be from {self.minimum} to {self.maximum}, not {number}")
        return Literal(number, datatype=XSD.integer)


def _iri(name: str, text: str) -> URIRef:
    if not is_absolute_iri(text):
        raise QueryError(f"parameter {name} must be an absolute IRI, not {text!r}")
    return URIRef(text)


def _undeclared_term(name: str, value: object) -> Identifier:
    """Best guess for a parameter no header declares: IRI in <>, integer, else string."""
    if isinstance(value, Identifier):
        return value
    if isinstance(value, (int, float, bool)):
        return Literal(value)
    text = str(value)
    if text.startswith("<") and text.endswith(">"):
        return _iri(name, text[1:-1])
    if re.fullmatch(r"[+-]?\d+", text):
        return Literal(int(text), datatype=XSD.integer)
    return Literal(text)


_HEADER = re.compile(r"^#\s*(title|description|param|internal)\s*:\s*(.*?)\s*$")
_PARAMETER = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?:\s+(?P<minimum>-?\d+)-(?P<maximum>-?\d+))?"
    r"(?:\s*,\s*default\s+(?P<default>[^)]*?))?\s*\)\s*:?\s*(?P<description>.*)$"
)
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with the title, description and parameters its header declares."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = field(default=())
    internal: bool = False  # read by coopgraph's networks and pages, not meant for people

    @classmethod
    def parse(cls, name: str, text: str) -> NamedQuery:
        """Read the header comment of a query; lines that are not header fields are ignored."""
        fields: dict[str, str] = {}
        parameters = []
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                break  # the header ends at the first line of SPARQL
            match = _HEADER.match(line)
            if not match:
                continue
            key, value = match.groups()
            if key != "param":
                fields[key] = value
                continue
            declared = _PARAMETER.match(value)
            if not declared or declared["type"] not in PARAMETER_TYPES:
                raise QueryError(f"query {name}: cannot read parameter line {value!r}")
            bounds = [int(declared[b]) if declared[b] else None for b in ("minimum", "maximum")]
            parameters.append(Parameter(declared["name"], declared["type"], declared["default"],
                                        declared["description"], *bounds))
        internal = fields.get("internal", "no").lower()
        if internal not in ("yes", "no"):
            raise QueryError(f"query {name}: internal must be yes or no, not {internal!r}")
        return cls(name, text, fields.get("title", ""), fields.get("description", ""), tuple(parameters),
                   internal == "yes")

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(f"query {self.name} has no parameter {name!r} (parameters: {known})")

    def terms(self, values: Mapping[str, object]) -> dict[str, Identifier]:
        """The RDF terms to bind: given values, then defaults; missing required ones fail."""
        if not self.parameters:
            return self._undeclared_terms(values)
        terms = {name: self.parameter(name).term(value) for name, value in values.items()}
        for parameter in self.parameters:
            if parameter.name in terms:
                continue
            if parameter.default is None:
                raise QueryError(f"query {self.name} needs parameter {parameter.name}: {parameter.description}")
            terms[parameter.name] = parameter.term(parameter.default)
        return terms

    def _undeclared_terms(self, values: Mapping[str, object]) -> dict[str, Identifier]:
        terms = {}
        for name, value in values.items():
            if not re.search(rf"[?$]{re.escape(name)}\b", self.text):
                raise QueryError(f"the query has no variable ?{name} to bind")
            terms[name] = _undeclared_term(name, value)
        return terms

    def bind(self, values: Mapping[str, object]) -> str:
        """The query text with the parameters bound as RDF terms."""
        return bind_values(self.text, self.terms(values))


def bind_values(text: str, terms: Mapping[str, Identifier]) -> str:
    """Bind variables to RDF terms with a ``VALUES`` block opening each WHERE group (sub-queries too)."""
    if not terms:
        return text
    for name in terms:
        if not _VARIABLE_NAME.fullmatch(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(_sparql_value(name, term) for name, term in terms.items())
    block = f" VALUES ({names}) {{ ({row}) }}"
    for at in reversed(_where_groups(text)):
        text = f"{text[:at]}{block}{text[at:]}"
    return text


def _sparql_value(name: str, term: Identifier) -> str:
    try:
        str(term).encode("utf-8")
        return sparql_term(term)
    except UnicodeEncodeError:
        raise QueryError(f"parameter {name} is not valid Unicode text") from None
    except ValueError as error:
        raise QueryError(f"parameter {name} cannot be bound: {error}") from None


# Tokens that may contain braces or the word WHERE without being syntax. A string never closed runs to the end of
# its line (or of the text): the scan consumes what it read, so a text of unclosed quotes is read once, not once
# per quote (which took hours for a megabyte).
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'(?:[^'\\\n]|\\.)*'?"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
)
_WHERE = re.compile(r"(?<![\w:?$])where(?![\w:])", re.IGNORECASE)
_CONSTRUCT = re.compile(r"(?<![\w:?$])construct(?![\w:])", re.IGNORECASE)


def has_keyword(text: str, *keywords: str) -> bool:
    """Whether one of the SPARQL keywords (``SERVICE``, ``INSERT``...) occurs as syntax, outside strings, IRIs and
    comments, as any engine may read the text.

    One regular expression scans the text once: at each position a string, IRI or comment is skipped whole, so a
    keyword matches only outside them. SPARQL 1.1 lets an engine decode ``\\u0053``-style escapes before it
    parses (Oxigraph does not, other servers may): the text is scanned as written and as decoded.
    """
    words = "|".join(map(re.escape, keywords))
    scanner = re.compile(rf"{_SKIPPED.pattern}|(?P<keyword>(?<![\w:?$-])(?:{words})(?![\w:-]))", re.IGNORECASE)
    return any(match.lastgroup == "keyword" for version in {text, _ESCAPE.sub(_decoded, text)}
               for match in scanner.finditer(version))


_FORM = re.compile(r"(?<![\w:?$-])(select|ask|construct|describe)(?![\w:-])", re.IGNORECASE)


def query_form(text: str) -> str | None:
    """The form of a query: ``select``, ``ask``, ``construct`` or ``describe`` (the first of these words as syntax,
    outside strings, IRIs and comments), or None if there is none."""
    scanner = re.compile(rf"{_SKIPPED.pattern}|(?P<form>{_FORM.pattern})", re.IGNORECASE)
    for match in scanner.finditer(text):
        if match.lastgroup == "form":
            return match["form"].lower()
    return None


#: The operations of SPARQL 1.1 Update: none of these words is syntax in a query.
UPDATE_KEYWORDS = ("insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decoded(match: re.Match) -> str:
    code = int(match[1] or match[2], 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match[0]


_BRACKETS = re.compile(rf"{_SKIPPED.pattern}|(?P<open>[{{(\[])|(?P<close>[}})\]])")


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether brackets (``{ ( [`` outside strings, IRIs and comments) nest more than ``limit`` deep. Oxigraph's
    parser recurses on them and overflows its stack (the process dies) somewhere past 2,000."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.lastgroup == "open":
            depth += 1
            if depth > limit:
                return True
        elif match.lastgroup == "close":
            depth -= 1
    return False


def _where_groups(text: str) -> list[int]:
    """Indexes just after the ``{`` of the query's WHERE group and of each sub-query's."""
    depth, position, construct, outer_where = 0, 0, False, False
    after_where: set[int] = set()  # depths at which a WHERE keyword waits for its brace
    first_brace, groups = None, []
    while position < len(text):
        skipped = _SKIPPED.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        char = text[position]
        if depth == 0 and _CONSTRUCT.match(text, position):
            construct = True
        if _WHERE.match(text, position):
            if depth == 0 and construct and first_brace is None:
                raise QueryError("parameters cannot be bound in the short form CONSTRUCT WHERE { }; "
                                 "write CONSTRUCT { template } WHERE { pattern }")
            after_where.add(depth)
            outer_where = outer_where or depth == 0
            position += len("where")
            continue
        if char == "{":
            if depth in after_where:
                after_where.discard(depth)
                groups.append(position + 1)
            elif depth == 0 and first_brace is None:
                first_brace = position + 1
            depth += 1
        elif char == "}":
            depth -= 1
        position += 1
    if not outer_where and first_brace is not None:
        groups.append(first_brace)  # SELECT/ASK without the optional WHERE keyword
    if not groups:
        raise QueryError("the query has no WHERE clause to bind parameters in")
    return sorted(groups)


def catalogue() -> dict[str, NamedQuery]:
    """The named queries shipped in ``queries/``, by name (file name without ``.rq``)."""
    queries = {}
    for resource in files(QUERY_PACKAGE).iterdir():
        if resource.name.endswith(".rq"):
            name = resource.name.removesuffix(".rq")
            queries[name] = NamedQuery.parse(name, resource.read_text(encoding="utf-8"))
    return dict(sorted(queries.items()))


def resolve(query: str) -> NamedQuery:
    """A query given as a catalogue name, a path to a ``.rq`` file, or SPARQL text."""
    named = catalogue()
    if query in named:
        return named[query]
    if query.endswith(".rq"):
        path = Path(query)
        try:
            return NamedQuery.parse(path.stem, path.read_text(encoding="utf-8"))
        except OSError as error:
            raise QueryError(f"cannot read query file {query}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise QueryError(f"cannot read query file {query}: it is not UTF-8 text") from None
    if re.fullmatch(r"[\w-]+", query):
        meant = ", ".join(name for name, known in named.items() if not known.internal)
        raise QueryError(f"no named query {query!r}; `coopgraph queries` lists them: {meant}")
    return NamedQuery.parse("the query", query)
