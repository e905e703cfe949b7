"""Collaboration networks read from the knowledge graph: organisations, regions, countries, projects.

Every network is built from the same SPARQL answers (``queries/network-*.rq``): the participations
that pass the filters, the organisations in them and the NUTS regions and countries. Regions at
NUTS level 0-3 are found by walking each organisation's own region up the NUTS tree here, which
is 3 times faster than a ``skos:broader*`` path per participation in SPARQL. Organisations linked
by ``owl:sameAs`` or ``coop:nameMatch`` (``coopgraph match``) count as one node: the canonical one.

Examples
--------
>>> import coopgraph
>>> from coopgraph.network import Filters, region_graph
>>> kg = coopgraph.open(":memory:")
>>> graph = region_graph(kg, level=0, filters=Filters(programme="INTERREG IVC"))
>>> graph.nodes["http://data.europa.eu/nuts/code/SE"]["label"]
'Sweden'
>>> sorted(graph.nodes[n]["code"] for n in graph["http://data.europa.eu/nuts/code/SE"])
['BG', 'CZ', 'EL', 'ES', 'IE', 'IT', 'UK']
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import Callable, NamedTuple

import networkx as nx

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.network.weights import WEIGHTS, collaboration_graph
from coopgraph.vocab import ROLE

#: The networks there are, by what their nodes are.
KINDS = ("organisations", "regions", "countries")
#: Role names that stand for several roles.
ROLE_GROUPS = {"lead": ("lead-partner", "coordinator")}


def _notation(name: str) -> str:
    """``leadPartner`` -> ``lead-partner``: the ``skos:notation`` of a coopgraph scheme concept."""
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


#: The role names a filter accepts (the ``skos:notation`` of each role in the ontology).
ROLES = tuple(_notation(name) for name in ROLE.__annotations__ if name != "scheme")


class NetworkError(ValueError):
    """A network cannot be built as asked (unknown programme, role, source, level...)."""


@dataclass(frozen=True)
class Filters:
    """Which participations a network is built from, and which of its links it keeps.

    ``programme`` matches a programme's acronym or name in any letter case, and its parts
    (``HORIZON.2`` also takes ``HORIZON.2.5``, and ``coop:partOf`` children); ``first_year`` and
    ``last_year`` bound the project's start year (projects without a start date then drop out);
    ``roles`` are role names (:data:`ROLES`, or ``lead`` for lead partners and coordinators);
    ``source`` is a source name as ``coopgraph sources`` lists it. ``min_projects``, ``min_weight``
    and ``top`` keep only the links that share at least that many projects, that have at least
    that ``weight``, and the ``top`` strongest of them by ``weight``, with the nodes on them;
    weights are computed on the whole network first, so pruning never changes them.
    """

    programme: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    roles: tuple[str, ...] = ()
    source: str | None = None
    min_projects: int = 1
    min_weight: float | None = None
    top: int | None = None
    weight: str = "projects"

    def __post_init__(self) -> None:
        if self.weight not in WEIGHTS:
            raise NetworkError(f"unknown weight {self.weight!r}; weights: {', '.join(WEIGHTS)}")
        if self.top is not None and self.top < 1:
            raise NetworkError(f"top must be at least 1, not {self.top}")
        if self.min_projects < 1:
            raise NetworkError(f"min_projects must be at least 1, not {self.min_projects}")
        for year in (self.first_year, self.last_year):
            if year is not None and not 0 < year < 9999:
                raise NetworkError(f"a year must be from 1 to 9998, not {year}")
        if self.first_year and self.last_year and self.first_year > self.last_year:
            raise NetworkError(f"the period {self.first_year}-{self.last_year} is empty")
        for role in self.roles:
            if role not in ROLES and role not in ROLE_GROUPS:
                raise NetworkError(f"unknown role {role!r}; roles: {', '.join((*ROLES, *ROLE_GROUPS))}")

    def participations(self) -> tuple:
        """The filters that choose participations (the others choose links)."""
        return self.programme, self.first_year, self.last_year, self.roles, self.source


#: No filter: every participation, every link.
NO_FILTERS = Filters()


@dataclass(frozen=True)
class Place:
    """A NUTS region or a country as the networks see it."""

    iri: str
    code: str
    label: str  # in the Latin script: English for a country, Eurostat's transliteration of a Greek region...
    level: int | None  # None for a country
    parent: str | None
    country: str | None  # the country IRI of a region
    native: str = ""  # the region's own name, where it differs from the label


@dataclass(frozen=True)
class Organisation:
    """An organisation as the networks see it: where it lies, and (when asked for) its name, PIC and type."""

    iri: str
    country: str | None
    region: str | None
    label: str = ""
    code: str = ""
    type: str = ""


class Participation(NamedTuple):
    """One organisation in one project, and where this participation takes place (its country and region IRIs).

    The place is the one the participation's source gives for it; where it gives none, the organisation's.
    """

    project: str
    organisation: str
    country: str | None
    region: str | None


@dataclass
class Participations:
    """What the networks are built from: the filtered participations and their context."""

    rows: list[Participation]
    organisations: dict[str, Organisation]
    places: dict[str, Place]
    filters: Filters = NO_FILTERS
    same_as: dict[str, str] = field(default_factory=dict)  # organisation -> the one it counts as
    named: bool = False  # whether organisations carry their name, PIC and type
    _regions_at: dict = field(default_factory=dict, repr=False, compare=False)

    def members(self, node_of: Callable[[Participation], str | None]) -> dict[str, list]:
        """Each project's nodes, as ``node_of(participation)`` names them (None: left out)."""
        members: dict[str, list] = defaultdict(list)
        for row in self.rows:
            node = node_of(row)
            if node is not None:
                members[row.project].append(node)
        return members

    def region_at(self, located: Participation | Organisation, level: int) -> str | None:
        """The NUTS region at ``level`` a participation (or an organisation) lies in.

        None if its region is unknown or known only at a coarser level; at level 0 one whose region
        is unknown lies in its country's NUTS level-0 region, if its country has one.
        """
        key = (located.region, located.country, level)
        if key not in self._regions_at:  # 80,000 participations lie in a few thousand places
            region = self.places.get(located.region) if located.region else None
            while region is not None and region.level is not None and region.level > level:
                region = self.places.get(region.parent) if region.parent else None
            self._regions_at[key] = (region.iri if region is not None and region.level == level else
                                     self._country_regions.get(located.country) if level == 0 and region is None
                                     else None)
        return self._regions_at[key]

    @cached_property
    def _country_regions(self) -> dict[str | None, str]:
        return {place.country: place.iri for place in self.places.values() if place.level == 0}

    @cached_property
    def by_project(self) -> dict[str, list[Participation]]:
        """The participations of each project."""
        return _grouped(self.rows, lambda row: row.project)

    @cached_property
    def by_organisation(self) -> dict[str, list[Participation]]:
        """The participations of each organisation (the one it counts as after ``coopgraph match``)."""
        return _grouped(self.rows, lambda row: row.organisation)


def _grouped(rows: list[Participation], key: Callable[[Participation], str]) -> dict[str, list[Participation]]:
    groups: dict[str, list[Participation]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(groups)


@cache
def _kebab(iri: str) -> str:
    """``.../role/leadPartner`` -> ``lead-partner``."""
    return _notation(iri.rsplit("/", 1)[-1])


def _role_iris(roles: tuple[str, ...]) -> str:
    names = [name for role in roles for name in ROLE_GROUPS.get(role, (role,))]
    return " ".join(sorted({str(ROLE[re.sub(r"-(\w)", lambda m: m[1].upper(), name)]) for name in names}))


def _programme_iris(kg: KnowledgeGraph, programme: str) -> str:
    """The programmes a name stands for: those with that acronym or name, their parts, and their parts' parts."""
    wanted = programme.strip().casefold()
    children: dict[str, set[str]] = defaultdict(set)
    found = set()
    for iri, name, part_of in kg.rows("programme-parts"):
        if part_of:
            children[part_of].add(iri)
        name = name.casefold()
        if name == wanted or name.startswith(f"{wanted}."):
            found.add(iri)
    if not found:
        raise NetworkError(f"no programme is named {programme!r}; `coopgraph query programmes` lists them")
    todo = list(found)
    while todo:
        for child in children[todo.pop()] - found:
            found.add(child)
            todo.append(child)
    return " ".join(sorted(found))


def filter_parameters(kg: KnowledgeGraph, filters: Filters) -> dict[str, str | int]:
    """The parameters of the queries that choose participations by ``filters`` (``network-*-filtered``,
    ``network-project-places``): an empty or default value leaves a filter out."""
    if filters.source is not None and filters.source not in kg.sources():
        raise NetworkError(f"no source named {filters.source!r}; `coopgraph sources` lists them")
    return {
        "programmes": _programme_iris(kg, filters.programme) if filters.programme else "",
        "first_year": filters.first_year or 0,
        "last_year": filters.last_year or 9999,
        "roles": _role_iris(filters.roles),
        "source_graph": kg.store.graph_of(filters.source) or "" if filters.source else "",
    }


def _participation_rows(kg: KnowledgeGraph, filters: Filters) -> list[tuple]:
    """(project, organisation, country, region) rows passing the filters; the filtered query only when a filter
    is set. Country and region are the participation's own, where its source gives them."""
    if filters.participations() == NO_FILTERS.participations():
        return kg.rows("network-participations")
    return kg.rows("network-participations-filtered", **filter_parameters(kg, filters))


def places(kg: KnowledgeGraph) -> dict[str, Place]:
    """The NUTS regions and countries of the store, by IRI (a quick read: checks of codes come first)."""
    return {iri: Place(iri, code, label or code, None if level is None else int(level), parent, country,
                       native if native and native != label else "")
            for iri, code, level, label, native, parent, country in kg.rows("network-places")}


def participations(kg: KnowledgeGraph, filters: Filters = NO_FILTERS, *, named: bool = False,
                   known_places: dict[str, Place] | None = None) -> Participations:
    """The participations passing ``filters``, with the organisations, regions and countries they involve.

    ``named`` also reads each organisation's name, PIC and type (the organisation network needs
    them; the region and country networks do not, and read 0.7 s less on 23,000 organisations).
    ``known_places``: the :func:`places` already read.
    """
    # The big queries run at once: Oxigraph evaluates them outside the GIL.
    with ThreadPoolExecutor(3) as pool:
        rows = pool.submit(_participation_rows, kg, filters)
        located = pool.submit(kg.rows, "network-organisations")
        names = pool.submit(kg.rows, "network-organisation-names") if named else None
        where = known_places if known_places is not None else places(kg)
        organisations, same_as = _organisations(located.result())
        if names is not None:
            organisations = _named(organisations, names.result())
        return Participations([_placed(row, organisations, where, same_as) for row in rows.result()],
                              organisations, where, filters, same_as, named)


def _placed(row: tuple, organisations: dict[str, Organisation], places: dict[str, Place],
            same_as: dict[str, str]) -> Participation:
    """A participation read from the store, placed where its source says, else where its organisation lies."""
    project, organisation, country, region = row
    if country is None and region is None:
        country, region = organisations[organisation].country, organisations[organisation].region
    elif country is None:
        country = places[region].country if region in places else None
    return Participation(project, same_as.get(organisation, organisation), country, region)


def _first_values(rows: list[tuple], names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """For each IRI in the first column, the smallest value of each other column (as ``network-project-places``
    chooses an organisation's place on the server)."""
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for iri, *found in rows:
        known = values[iri]  # an organisation without any value still gets its entry
        for key, value in zip(names, found, strict=True):
            if value is not None and (key not in known or value < known[key]):
                known[key] = value
    return values


def _organisations(located: list[tuple]) -> tuple[dict[str, Organisation], dict[str, str]]:
    """Organisations by IRI (where they lie), and the one each counts as after ``coopgraph match``."""
    places = _first_values(located, ("country", "region", "same_as"))
    organisations = {iri: Organisation(iri, where.get("country"), where.get("region")) for iri, where in places.items()}
    return organisations, {iri: where["same_as"] for iri, where in places.items()
                           if where.get("same_as") in organisations}  # the one it counts as takes part too


def _named(organisations: dict[str, Organisation], rows: list[tuple]) -> dict[str, Organisation]:
    """The organisations with their names, PICs and types (``network-organisation-names`` rows)."""
    names = _first_values(rows, ("label", "pic", "type"))
    named = {}
    for iri, organisation in organisations.items():
        about, tail = names.get(iri, {}), iri.rsplit("/", 1)[-1]
        named[iri] = replace(organisation, label=about.get("label", tail), code=about.get("pic", tail),
                             type=_kebab(about["type"]) if "type" in about else "")
    return named


def described(filters: Filters) -> dict[str, str | int | float]:
    """The filters that are set, as graph attributes every export format can hold."""
    unset = {("min_projects", 1)}
    if filters.min_weight is None and filters.top is None:
        unset.add(("weight", filters.weight))  # no link was dropped by weight
    return {f"filter_{key}": " ".join(value) if isinstance(value, tuple) else value
            for key, value in vars(filters).items() if value not in (None, ()) and (key, value) not in unset}


def _read(kg: KnowledgeGraph, filters: Filters, data: Participations | None, named: bool = False) -> Participations:
    """The participations a network is built from: ``data`` when given (read with the same filters), else read now.

    ``filters`` may add link filters (``min_projects``, ``min_weight``, ``top``) to ``data``'s.
    """
    if data is None:
        return participations(kg, filters, named=named)
    if filters.participations() != NO_FILTERS.participations() and filters.participations() != \
            data.filters.participations():
        raise NetworkError("the participations given were read with other filters; read them with these")
    links = {key: getattr(filters, key) for key in ("min_projects", "min_weight", "top", "weight")}
    data = replace(data, filters=replace(data.filters, **links))
    if named and not data.named:  # read the names only, not the participations again
        data = replace(data, organisations=_named(data.organisations, kg.rows("network-organisation-names")),
                       named=True)
    return data


def _finish(graph: nx.Graph, data: Participations, attributes: dict[str, dict], **about) -> nx.Graph:
    """Set node attributes and what the graph is, then keep the links the filters ask for."""
    for node, values in graph.nodes(data=True):
        values.update(attributes[node])
    graph.graph.update(about, **described(data.filters))
    return prune(graph, data.filters)


def prune(graph: nx.Graph, filters: Filters) -> nx.Graph:
    """Keep the links with ``min_projects`` and ``min_weight``, then the ``top`` strongest, and their nodes; the
    graph says which of these filters it was pruned by. ``graph`` itself is not changed: pruning a network kept
    whole (as the server does) costs a pass over its links, not a new build."""
    if filters.min_projects == 1 and filters.min_weight is None and filters.top is None:
        return graph
    edges = [(a, b) for a, b, values in graph.edges(data=True) if values["projects"] >= filters.min_projects
             and (filters.min_weight is None or values[filters.weight] >= filters.min_weight)]
    if filters.top is not None:
        edges = sorted(edges, key=lambda edge: (-graph.edges[edge][filters.weight], *sorted(edge)))[:filters.top]
    pruned = ordered_subgraph(graph, edges=edges)
    pruned.graph.update(described(filters))
    return pruned


def ordered_subgraph(graph: nx.Graph, nodes=None, edges=None) -> nx.Graph:
    """A copy of ``graph`` with only ``nodes`` (and their links), or only ``edges`` (and their ends), in
    ``graph``'s own order.

    NetworkX's subgraph views walk a small selection in the order of a Python set, which changes from
    run to run with the hash seed; layouts and seeded community detection depend on the order.
    """
    if edges is not None:
        wanted = {frozenset(edge) for edge in edges}
        links = [(a, b, values) for a, b, values in graph.edges(data=True) if frozenset((a, b)) in wanted]
        nodes = {node for a, b, _ in links for node in (a, b)}
    else:
        nodes = set(nodes)
        links = [(a, b, values) for a, b, values in graph.edges(data=True) if a in nodes and b in nodes]
    kept = nx.Graph(**graph.graph)
    kept.add_nodes_from((node, dict(values)) for node, values in graph.nodes(data=True) if node in nodes)
    kept.add_edges_from((a, b, dict(values)) for a, b, values in links)
    return kept


def place_attributes(place: Place, places: dict[str, Place]) -> dict:
    country = places.get(place.country) if place.country else None
    return {"label": place.label, "code": place.code, **({"native": place.native} if place.native else {}),
            "country": country.code if country else (place.code if place.level is None else "")}


def _organisation_attributes(organisation: Organisation, places: dict[str, Place]) -> dict[str, str]:
    country, region = places.get(organisation.country or ""), places.get(organisation.region or "")
    return {"label": organisation.label, "code": organisation.code, "country": country.code if country else "",
            "region": region.code if region else "", "type": organisation.type}


def organisation_graph(kg: KnowledgeGraph, filters: Filters = NO_FILTERS, *,
                       data: Participations | None = None) -> nx.Graph:
    """Organisations linked by the projects they share, with the four weights (see :mod:`.weights`).

    Nodes are organisation IRIs with ``label``, ``code`` (the PIC where known), ``country`` (ISO
    code), ``region`` (NUTS code), ``type``, ``projects`` and ``strength``. ``data`` reuses
    participations already read (see :func:`participations`); ``filters`` may then add link filters.
    """
    data = _read(kg, filters, data, named=True)
    graph = collaboration_graph(data.members(lambda row: row.organisation))
    attributes = {node: _organisation_attributes(data.organisations[node], data.places) for node in graph}
    return _finish(graph, data, attributes, kind="organisations")


def region_graph(kg: KnowledgeGraph, level: int = 2, filters: Filters = NO_FILTERS, *,
                 data: Participations | None = None) -> nx.Graph:
    """NUTS regions at ``level`` (0 = the NUTS country level, 1, 2 or 3) linked by shared projects.

    Nodes are NUTS URIs with ``label``, ``code``, ``country`` (ISO code), ``level``,
    ``organisations`` (how many of the network's organisations lie there), ``projects`` and
    ``strength``. Each participation counts in its own region (see :class:`Participation`);
    participations whose region is unknown, or known only at a coarser level, are left out, and
    ``graph.graph["unplaced"]`` counts them.
    """
    if level not in (0, 1, 2, 3):
        raise NetworkError(f"the NUTS level must be 0, 1, 2 or 3, not {level}")
    data = _read(kg, filters, data)
    return _place_graph(data, lambda row: data.region_at(row, level), kind="regions", level=level)


def _place_graph(data: Participations, place_of: Callable[[Participation], str | None], **about) -> nx.Graph:
    """Places (``place_of`` a participation) linked by shared projects, each with how many organisations
    take part there; ``unplaced`` counts the participations without a place."""
    graph = collaboration_graph(data.members(place_of))
    organisations: dict[str | None, set] = defaultdict(set)
    for row in data.rows:
        organisations[place_of(row)].add(row.organisation)
    attributes = {node: {**place_attributes(data.places[node], data.places),
                         **({"level": about["level"]} if "level" in about else {}),
                         "organisations": len(organisations[node])} for node in graph}
    unplaced = sum(1 for row in data.rows if place_of(row) is None)
    return _finish(graph, data, attributes, **about, unplaced=unplaced)


def country_graph(kg: KnowledgeGraph, filters: Filters = NO_FILTERS, *,
                  data: Participations | None = None) -> nx.Graph:
    """Countries linked by shared projects: each participation's country, inside Europe or not.

    Nodes are EU authority country URIs with ``label``, ``code`` (ISO 3166 alpha-2), ``country``
    (the same), ``organisations``, ``projects`` and ``strength``; ``graph.graph["unplaced"]``
    counts participations without a country.
    """
    data = _read(kg, filters, data)
    return _place_graph(data, lambda row: row.country, kind="countries")


def bipartite_graph(kg: KnowledgeGraph, filters: Filters = NO_FILTERS, *,
                    data: Participations | None = None) -> nx.Graph:
    """Projects and the organisations in them: ``bipartite`` is 0 for projects, 1 for organisations.

    Project nodes carry ``label`` (acronym, else title) and ``programme``; organisation nodes the
    attributes of :func:`organisation_graph`; each edge its ``role`` (several joined by ``, ``).
    ``min_weight`` and ``top`` do not apply: the edges have no weights.
    """
    data = _read(kg, filters, data, named=True)
    projects = {row[0]: row for row in kg.rows("projects")}  # project, acronym, title, programme, start, end
    graph = nx.Graph(kind="bipartite", **described(data.filters))
    roles: dict[tuple[str, str], set[str]] = {(row.project, row.organisation): set() for row in data.rows}
    wanted = set(_role_iris(data.filters.roles).split())
    for project, organisation, role in kg.rows("network-roles"):
        pair = (project, data.same_as.get(organisation, organisation))
        if pair in roles and (not wanted or role in wanted):
            roles[pair].add(_kebab(role))
    for project in {project for project, _ in roles}:
        _, acronym, title, programme, *_ = projects.get(project, (project, None, None, None))
        graph.add_node(project, bipartite=0, label=acronym or title or project, programme=programme or "")
    graph.add_nodes_from((organisation, {"bipartite": 1, **_organisation_attributes(
        data.organisations[organisation], data.places)}) for organisation in {o for _, o in roles})
    graph.add_edges_from((project, organisation, {"role": ", ".join(sorted(names))})
                         for (project, organisation), names in roles.items())
    return graph


def partner_graph(kg: KnowledgeGraph, region: str, filters: Filters = NO_FILTERS, *,
                  data: Participations | None = None) -> nx.Graph:
    """The partner network of a region: its organisations, every organisation they share a project with, and
    the links among all of them (see :func:`organisation_graph`).

    ``region`` is a NUTS code at any level (``SE33`` takes Västerbotten and Norrbotten); nodes get
    ``home`` (true for the region's own organisations). Weights are those of the whole organisation
    network, so a partner's link to another partner keeps its full weight.
    """
    data = _read(kg, filters, data, named=True)
    code = region.strip().upper()
    place = next((place for place in data.places.values() if place.code == code and place.level is not None), None)
    if place is None:
        raise NetworkError(f"{region!r} is not a NUTS 2021 region")
    whole = organisation_graph(kg, data=replace(data, filters=replace(data.filters, min_projects=1,
                                                                         min_weight=None, top=None)))
    home = {row.organisation for row in data.rows if data.region_at(row, place.level) == place.iri}
    if not home:
        raise NetworkError(f"no organisation in {place.code} ({place.label}) takes part in a project "
                           "that passes the filters")
    graph = ordered_subgraph(whole, home | {partner for node in home for partner in whole[node]})
    for node, values in graph.nodes(data=True):
        values["home"] = node in home
    graph.graph.update(kind="partners", region=place.code, region_label=place.label)
    return prune(graph, data.filters)


def neighbourhood_graph(data: Participations, organisation: str, size: int = 40) -> nx.Graph:
    """An organisation and its ``size - 1`` partners with the most projects shared with it, linked by the
    organisation's projects they share (the weights count only these): the drawing of an organisation's page.

    ``organisation`` is the IRI it counts as (after ``coopgraph match``); nodes carry the attributes of
    :func:`organisation_graph` (their names when ``data`` was read ``named``).
    """
    projects = sorted({row.project for row in data.by_organisation.get(organisation, ())})
    partners = Counter(row.organisation for project in projects for row in data.by_project[project]
                       if row.organisation != organisation)
    shown = {organisation, *(other for other, _ in partners.most_common(size - 1))}
    graph = collaboration_graph({project: [row.organisation for row in data.by_project[project]
                                           if row.organisation in shown] for project in projects})
    return _described_organisations(graph, data, kind="organisations", around=organisation)


def project_graph(data: Participations, project: str, lead: str) -> nx.Graph:
    """A project's partners, each linked to ``lead`` (the one leading it) by the projects the two share in the
    store, every project once: the drawing of a project's page, where ``lead`` takes the centre."""
    partners = {row.organisation for row in data.by_project.get(project, ())}
    projects = {iri: {row.project for row in data.by_organisation.get(iri, ())} for iri in partners | {lead}}
    # each shared project a link of its own between the two, so that every weight counts shared projects
    graph = collaboration_graph({(shared, other): [lead, other] for other in sorted(partners - {lead})
                                 for shared in sorted(projects[lead] & projects[other])})
    graph.add_nodes_from(sorted(partners | {lead}))
    return _described_organisations(graph, data, kind="project", around=project)


def _described_organisations(graph: nx.Graph, data: Participations, **about) -> nx.Graph:
    for node, values in graph.nodes(data=True):
        values.update(_organisation_attributes(data.organisations[node], data.places))
    graph.graph.update(about)
    return graph


def ego_graph(graph: nx.Graph, node, size: int, weight: str = "fractional") -> nx.Graph:
    """``node`` and its ``size - 1`` strongest partners by their link to it, with the links among them."""
    partners = sorted(graph[node], key=lambda other: (-graph.edges[node, other][weight], str(other)))[:size - 1]
    return ordered_subgraph(graph, {node, *partners})


def network(kg: KnowledgeGraph, of: str = "regions", level: int = 2, filters: Filters = NO_FILTERS, *,
            data: Participations | None = None) -> nx.Graph:
    """The network of ``of`` (one of :data:`KINDS`, or ``bipartite``), as the CLI and the web app ask for it;
    ``data`` reuses participations already read (see :func:`participations`)."""
    builders = {"organisations": organisation_graph, "countries": country_graph, "bipartite": bipartite_graph}
    if of == "regions":
        return region_graph(kg, level, filters, data=data)
    if of not in builders:
        raise NetworkError(f"no network of {of!r}; networks: {', '.join((*KINDS, 'bipartite'))}")
    return builders[of](kg, filters, data=data)
