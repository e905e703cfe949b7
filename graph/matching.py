"""Finding the organisations that several sources describe, and linking them (``owl:sameAs``, ``coop:nameMatch``).

Each source mints its own IRIs (CORDIS by PIC, an Interreg list by country and name, the seed by
slug), so one university may be three nodes. :func:`match_organisations` finds them, strongest
evidence first:

1. the same PIC (EU participant identification code), between any two IRIs;
2. the same VAT number (upper case, without spaces or punctuation; a value without a digit other
   than 0, such as ``N/A`` or ``MD0000``, is no number);
3. the same :func:`~coopgraph.importers.values.name_key` of any ``skos:prefLabel`` or
   ``skos:altLabel``, in the same country and NUTS region. Two regions agree when one is the other
   or lies within it, so ``SE331`` agrees with ``SE331``, ``SE33`` and ``SE`` but not ``SE332``: the
   names are compared at the coarsest level both give. An organisation without a region is
   compared at country level. Organisations marked ``coop:unnamed`` have no name to match.

VAT numbers and names link only organisations of *different* sources. A source that lists two
organisations separately means two organisations: in CORDIS a shared VAT number marks VAT groups
and the institutes or departments of one legal person (University of Bristol and NCC Operations
Ltd, the Bavarian state agencies), not one organisation. For the same reason a match is refused,
and reported as ambiguous, when the other side's source has several organisations that fit (two
CORDIS PICs with one name in one region: which is the Interreg partner?), and when a link would
make two organisations of one source the same by way of a third.

Matches are not merged into one node, so every source keeps its own facts and can be replaced on
its own: they are published as the source ``matches``, in which each organisation of a group of
matched ones links to one canonical member (the one with a PIC, else the first IRI in alphabetical
order; the canonical member itself has no link). The link says how strong the evidence is: ``owl:sameAs``
where a shared identifier (PIC, VAT number) joins the two, ``coop:nameMatch`` (a sub-property of
``skos:closeMatch``) where only a name does, since a name is a guess that an OWL reasoner must not
treat as identity. So ``?org owl:sameAs|coop:nameMatch ?canonical`` is one hop, and
``COALESCE(?canonical, ?org)`` counts an organisation once. Each match is also a ``coop:Inference``
(a reified ``rdf:Statement`` ``subject owl:sameAs object`` or ``subject coop:nameMatch object``) whose
``coop:justification`` says how it was made, e.g. "same PIC 999822263".
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from coopgraph.importers.values import name_key
from coopgraph.provenance import source_provenance
from coopgraph.vocab import COOP, NUTS

#: The name of the source that holds the links.
SOURCE = "matches"
#: Methods in the order they are tried: identifiers first, then names.
METHODS = ("pic", "vat", "name")

_ORGANISATIONS = """
SELECT ?g ?org ?label ?country ?region ?pic ?vat ?unnamed WHERE {
  GRAPH ?g {
    ?org a ?type .
    OPTIONAL { ?org skos:prefLabel|skos:altLabel ?label }
    OPTIONAL { ?org coop:country ?country }
    OPTIONAL { ?org coop:region ?region }
    OPTIONAL { ?org coop:pic ?pic }
    OPTIONAL { ?org coop:vatNumber ?vat }
    OPTIONAL { ?org coop:unnamed ?unnamed }
  }
  ?type rdfs:subClassOf* coop:Organisation
}"""
_SOURCES = "SELECT ?g ?name WHERE { ?source coop:sourceName ?name ; coop:graph ?g }"
_REGION_PARENTS = "SELECT ?region ?parent WHERE { GRAPH ?g { ?region a coop:Region ; skos:broader ?parent } }"


@dataclass
class Organisation:
    """What matching uses of one organisation IRI, gathered over every source that describes it."""

    iri: URIRef
    sources: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    countries: set[URIRef] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)    # NUTS codes
    pics: set[str] = field(default_factory=set)
    vats: set[str] = field(default_factory=set)       # normalised with vat_key
    unnamed: bool = False

    def label(self, key: str | None = None) -> str:
        """The label whose name key is ``key`` (the first label when none is), for showing a match."""
        labels = sorted(self.labels)
        return next((label for label in labels if name_key(label) == key), labels[0] if labels else "")


@dataclass(frozen=True)
class Match:
    """Two IRIs found to be one organisation, how (``pic``, ``vat`` or ``name``) and on what key.

    ``scope`` is, for a name match, the NUTS region (or the country) the names were compared in.
    """

    left: URIRef
    right: URIRef
    method: str
    key: str
    scope: URIRef | None = None

    @property
    def justification(self) -> str:
        """How the match was made, in words: the ``coop:justification`` of its inference node."""
        if self.method == "pic":
            return f"same PIC {self.key}"
        if self.method == "vat":
            return f"same VAT number {self.key}"
        kind = "NUTS region" if self.scope.startswith(NUTS) else "country (no region on one side)"
        return f"same name key '{self.key}' in {kind} {_code(self.scope)}"


@dataclass(frozen=True)
class Ambiguity:
    """A match refused: a source has several organisations that fit, or the link would join two of one source."""

    method: str
    key: str
    scope: URIRef | None
    organisations: tuple[URIRef, ...]
    reason: str


@dataclass
class MatchReport:
    """The matches, the refused ambiguous ones, and the graph of links that records them."""

    matches: list[Match]
    ambiguous: list[Ambiguity]
    organisations: dict[URIRef, Organisation]
    graph: Graph
    seconds: float

    def counts(self) -> Counter:
        """Matches per method."""
        return Counter({method: sum(m.method == method for m in self.matches) for method in METHODS})

    def describe(self, match: Match) -> str:
        """Both sides of a match on one line: labels, sources, country and region, so it can be judged."""
        sides = []
        for iri in (match.left, match.right):
            org = self.organisations[iri]
            place = ",".join(sorted(_code(c) for c in org.countries) + sorted(org.regions)) or "-"
            sides.append(f"{org.label(match.key if match.method == 'name' else None)!r} "
                         f"[{'+'.join(sorted(org.sources))}; {place}]")
        return f"{match.method} {match.key!r}: {sides[0]}  ==  {sides[1]}"


def vat_key(text: str) -> str | None:
    """A VAT number reduced for comparison, or None for a placeholder (no digit other than 0).

    >>> vat_key("se 202100-3164 01"), vat_key("N/A"), vat_key("MD0000")
    ('SE202100316401', None, None)
    """
    key = "".join(c for c in text.upper() if c.isascii() and c.isalnum())
    return key if any(c in "123456789" for c in key) else None


def _code(iri: URIRef) -> str:
    """The last segment of a region or country IRI: ``SE331``, ``SWE``."""
    return str(iri).rsplit("/", 1)[-1]


def _organisations(kg) -> dict[URIRef, Organisation]:
    """Every organisation of every source, from one query (and one for the source names)."""
    sources = {row.g: str(row.name) for row in kg.query(_SOURCES)}
    organisations: dict[URIRef, Organisation] = {}
    for row in kg.query(_ORGANISATIONS):
        org = organisations.get(row.org) or organisations.setdefault(row.org, Organisation(row.org))
        org.sources.add(sources[row.g])
        if row.label is not None:
            org.labels.add(str(row.label))
        if row.country is not None:
            org.countries.add(row.country)
        if row.region is not None:
            org.regions.add(_code(row.region))
        if row.pic is not None:
            org.pics.add(str(row.pic).strip())
        if row.vat is not None and (key := vat_key(str(row.vat))):
            org.vats.add(key)
        org.unnamed |= row.unnamed is not None and row.unnamed.toPython() is True
    return organisations


def _region_ancestors(kg) -> dict[str, set[str]]:
    """Each NUTS code with the codes of the regions it lies in, itself included."""
    parents = {_code(row.region): _code(row.parent) for row in kg.query(_REGION_PARENTS)}
    ancestors = {}
    for code in parents:
        chain, current = {code}, code
        while current in parents:
            current = parents[current]
            chain.add(current)
        ancestors[code] = chain
    return ancestors


class _Groups:
    """Union-find over IRIs, remembering the sources of each group, and the matches that joined them."""

    def __init__(self, organisations: dict[URIRef, Organisation]) -> None:
        self.organisations = organisations
        self.parent: dict[URIRef, URIRef] = {}
        self.sources: dict[URIRef, set[str]] = {}

    def find(self, iri: URIRef) -> URIRef:
        root = iri
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while iri != root:  # path compression
            self.parent[iri], iri = root, self.parent[iri]
        return root

    def sources_of(self, iri: URIRef) -> set[str]:
        root = self.find(iri)
        return self.sources.get(root) or self.organisations[root].sources

    def join(self, a: URIRef, b: URIRef) -> None:
        sources = self.sources_of(a) | self.sources_of(b)
        root_a, root_b = self.find(a), self.find(b)
        self.parent[root_a] = self.parent[root_b] = root_a
        self.sources[root_a] = sources

    def members(self) -> dict[URIRef, list[URIRef]]:
        groups = defaultdict(list)
        for iri in self.parent:
            groups[self.find(iri)].append(iri)
        return groups


def _link_by_pic(organisations: dict[URIRef, Organisation], groups: _Groups) -> list[Match]:
    """A PIC names one registrant: every IRI carrying it is linked, whatever its source."""
    by_pic = defaultdict(set)
    for org in organisations.values():
        for pic in org.pics:
            by_pic[pic].add(org.iri)
    matches = []
    for pic, iris in sorted(by_pic.items()):
        first, *others = sorted(iris)
        for other in others:
            if groups.find(first) != groups.find(other):
                matches.append(Match(first, other, "pic", pic))
                groups.join(first, other)
    return matches


def _link_across_sources(method: str, candidates: dict[tuple, list[Organisation]], groups: _Groups,
                         scope: Callable[[Organisation, Organisation], URIRef | None | bool]
                         ) -> tuple[list[Match], list[Ambiguity]]:
    """Link organisations of different sources that share a key, unless another one fits as well.

    ``candidates`` maps ``(key, ...)`` to the organisations bearing it; ``scope(a, b)`` is False
    when the two may not be compared (regions apart), else what they were compared in.
    """
    matches, ambiguous = [], {}
    for group_key, members in sorted(candidates.items()):
        key = group_key[0]
        members = sorted(members, key=lambda org: org.iri)
        for a, b in combinations(members, 2):
            where = scope(a, b)
            if a.sources & b.sources or where is False or groups.find(a.iri) == groups.find(b.iri):
                continue
            rivals = [x for x in members if x is not a and x is not b and (
                (x.sources & b.sources and scope(a, x) is not False and groups.find(x.iri) != groups.find(b.iri))
                or (x.sources & a.sources and scope(b, x) is not False and groups.find(x.iri) != groups.find(a.iri)))]
            if rivals:
                iris = tuple(sorted(org.iri for org in (a, b, *rivals)))
                ambiguous[(method, key, iris)] = Ambiguity(
                    method, key, where, iris, "one source has several organisations that fit")
            elif groups.sources_of(a.iri) & groups.sources_of(b.iri):
                ambiguous[(method, key, (a.iri, b.iri))] = Ambiguity(
                    method, key, where, (a.iri, b.iri),
                    "would make two organisations of one source the same")
            else:
                matches.append(Match(a.iri, b.iri, method, key, where))
                groups.join(a.iri, b.iri)
    return matches, list(ambiguous.values())


def _name_scope(ancestors: dict[str, set[str]]) -> Callable[[Organisation, Organisation], URIRef | bool]:
    """The region two organisations' names are compared in (the coarser of two nested ones), or False."""

    def scope(a: Organisation, b: Organisation) -> URIRef | bool:
        countries = a.countries & b.countries
        if not countries:
            return False
        if not a.regions or not b.regions:
            return min(countries)
        shared = [ra if ra in ancestors.get(rb, {rb}) else rb
                  for ra in a.regions for rb in b.regions
                  if ra in ancestors.get(rb, {rb}) or rb in ancestors.get(ra, {ra})]
        return NUTS[max(shared, key=len)] if shared else False

    return scope


def _by_keys(organisations: Iterable[Organisation], keys: Callable[[Organisation], Iterable[tuple]]):
    """Organisations grouped by each of their keys, keeping only keys that more than one bears."""
    grouped = defaultdict(list)
    for org in organisations:
        for key in set(keys(org)):
            grouped[key].append(org)
    return {key: members for key, members in grouped.items() if len(members) > 1}


def _graph(matches: list[Match], groups: _Groups) -> Graph:
    """A link from each matched IRI to its group's canonical one, and a justified node per match.

    The link is ``owl:sameAs`` when identifier matches alone join the two IRIs, else ``coop:nameMatch``.
    """
    proven = _Groups(groups.organisations)
    for match in matches:
        if match.method != "name":
            proven.join(match.left, match.right)
    graph = Graph()
    for members in groups.members().values():
        canonical = min(members, key=lambda iri: (not groups.organisations[iri].pics, str(iri)))
        for iri in members:
            if iri != canonical:
                same = proven.find(iri) == proven.find(canonical)
                graph.add((iri, OWL.sameAs if same else COOP.nameMatch, canonical))
    for match in matches:
        node = BNode()
        graph.add((node, RDF.type, COOP.Inference))
        graph.add((node, RDF.subject, match.left))
        graph.add((node, RDF.predicate, COOP.nameMatch if match.method == "name" else OWL.sameAs))
        graph.add((node, RDF.object, match.right))
        graph.add((node, COOP.justification, Literal(match.justification, lang="en")))
    return graph


def match_organisations(kg) -> MatchReport:
    """Find the organisations that several IRIs name: by PIC, then VAT number, then name in a region.

    Reads the store with three SPARQL queries; writes nothing (see :func:`publish_matches`).
    """
    started = time.perf_counter()
    organisations = _organisations(kg)
    groups = _Groups(organisations)
    matches = _link_by_pic(organisations, groups)
    by_vat = _by_keys(organisations.values(), lambda org: ((vat,) for vat in org.vats))
    vat_matches, ambiguous = _link_across_sources("vat", by_vat, groups, lambda a, b: None)
    named = (org for org in organisations.values() if not org.unnamed)
    by_name = _by_keys(named, lambda org: ((key, country) for label in org.labels if (key := name_key(label))
                                           for country in org.countries))
    name_matches, name_ambiguous = _link_across_sources("name", by_name, groups, _name_scope(_region_ancestors(kg)))
    matches += vat_matches + name_matches
    return MatchReport(matches, ambiguous + name_ambiguous, organisations, _graph(matches, groups),
                       time.perf_counter() - started)


def publish_matches(kg) -> MatchReport:
    """Match the organisations and publish the links as the source ``matches``, replacing earlier ones."""
    report = match_organisations(kg)
    kg.store.publish({SOURCE: report.graph}, source_provenance(SOURCE, []))
    return report


def sample(report: MatchReport, method: str = "name", size: int = 40, seed: int = 2024) -> list[Match]:
    """A reproducible random sample of one method's matches, for judging precision by hand."""
    matches = sorted((m for m in report.matches if m.method == method), key=lambda m: (m.left, m.right))
    return random.Random(seed).sample(matches, min(size, len(matches)))
