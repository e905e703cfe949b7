r"""RDF terms between rdflib (what coopgraph's callers see) and Oxigraph (where the triples live).

Oxigraph also writes terms into SPARQL text for us: its N-Triples serialisation escapes every
character that could end a string or an IRI, which rdflib's ``n3()`` does not always do.

Examples
--------
>>> from rdflib import Literal
>>> print(sparql_term(Literal('say "hi"\nbye\\')))
"say \"hi\"\nbye\\"
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

_XSD_STRING = str(XSD.string)


def to_ox(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term; ``ValueError`` for an IRI or language tag that is not valid."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise ValueError(f"not an RDF term: {term!r}")


def from_ox(term) -> Identifier | tuple:
    """An Oxigraph term (or triple) as rdflib; ``xsd:string`` literals become plain literals."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.Triple):
        return from_ox(term.subject), from_ox(term.predicate), from_ox(term.object)
    raise ValueError(f"not an Oxigraph term: {term!r}")


def sparql_term(term: Identifier) -> str:
    """A term written for a SPARQL query, safely escaped (N-Triples syntax is valid SPARQL)."""
    return str(to_ox(term))


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (Oxigraph's IRI parser says)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
