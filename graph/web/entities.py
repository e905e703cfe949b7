"""The pages of things (``/entity?iri=``): a region, a country, an organisation, a project or a programme.

Each kind of thing answers its own questions: a region who its partners are (ranked, with the
projects each pair shares), which of its organisations take part and in what; an organisation what it
did, with whom and where; a project who took part, in which role, where and for how much. Each view
is one function over named queries and the participations the networks read (kept in memory by the
:class:`~coopgraph.web.networks.Explorer`), and its page and its JSON twin are made from the same
dict. What the graph says statement by statement stays at the foot of every page, collapsed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from functools import partial
from typing import Callable
from urllib.parse import urlencode

import networkx as nx
from markupsafe import Markup
from rdflib import URIRef
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coopgraph.network import country_graph, ego_graph, neighbourhood_graph, project_graph
from coopgraph.network.build import NO_FILTERS, Participation, Participations
from coopgraph.network.html import embed, view
from coopgraph.sparql import QueryError
from coopgraph.web.map import map_html
from coopgraph.web.networks import Explorer
from coopgraph.web.site import entity_url

#: The most nodes the drawing of a page shows (the strongest partners first).
DRAWING_NODES = 40
#: The most partners a project's drawing shows: all of them, as rings keep hundreds readable.
PROJECT_NODES = 1000
#: The most rows a list of a page shows (its JSON has as many; the counts say how many there are).
LISTED = 50
#: The most statements the describe query returns (its LIMIT).
DESCRIBE_LIMIT = 500
#: Roles that lead a project: its drawing has that partner in the centre.
LEAD_ROLES = ("coordinator", "lead-partner")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _short(kg, iri: str) -> str:
    """An IRI as a prefixed name where a prefix fits (coop:title), else whole."""
    return URIRef(iri).n3(kg.namespaces).strip("<>")


def _number(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


def _year(date: str | None) -> str:
    return (date or "")[:4]


def _statements(kg, rows: list[tuple]) -> list[dict]:
    """The describe rows as the foot of a page shows them: labelled, a blank node by its label, never its id."""
    return [{"direction": direction, "property": _short(kg, predicate), "predicate": predicate,
             "value": value if kind != "blank" else "", "kind": kind,
             "label": label or ("(an unnamed node)" if kind == "blank" else _short(kg, value) if kind == "iri"
                                else value), "source": source}
            for direction, predicate, value, label, source, kind in rows]


def entity(explorer: Explorer, request: Request) -> Response:
    """The page of a thing: the view of its kind, else what the graph says about it. Built on its first visit
    and kept (the store does not change while the server runs)."""
    iri = request.query_params.get("iri", "")
    template, data, drawings = explorer.pages.get(iri, lambda: _about(explorer, iri))
    context = {name: html for name, (html, _) in drawings.items()}
    data = {**data, **{name: shown for name, (_, shown) in drawings.items()}}
    return explorer.site.page(request, template, data, **context,
                              json_url=entity_url(iri).replace("/entity?", "/entity.json?"))


def _about(explorer: Explorer, iri: str) -> tuple[str, dict, dict]:
    """A thing's page: its template, what it shows and its drawings (the view of its kind over what the graph
    says of it)."""
    kg = explorer.site.kg
    try:
        rows = kg.rows("describe", iri=iri)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    if not rows:
        raise HTTPException(404, f"the graph says nothing about {iri}")
    statements = _statements(kg, rows)
    kinds = sorted({row["value"].rsplit("#", 1)[-1] for row in statements
                    if row["direction"] == "out" and row["predicate"] == _RDF_TYPE})
    names = [row["value"] for row in statements if row["direction"] == "out" and row["property"] in
             ("skos:prefLabel", "coop:acronym", "coop:title")]
    data = {"iri": iri, "label": names[0] if names else iri, "kinds": kinds, "statements": statements,
            "truncated": len(rows) >= DESCRIBE_LIMIT}
    kind, build, template = next(((kind, build, template) for kind, build, template in VIEWS if kind in kinds),
                                 ("Thing", None, "thing.html"))
    found, drawings = build(explorer, iri, data) if build is not None else ({}, {})
    return template, {**data, **found, "kind": kind}, drawings


# -- places: regions and countries -------------------------------------------------------------------


def _place(explorer: Explorer, iri: str, about: dict) -> tuple[dict, dict]:
    """A region (or a country): card, counts, ranked partners, organisations, projects, ego drawing and map."""
    data = explorer.participations()
    place = data.places.get(iri)
    if place is None:
        return {}, {}
    country = place.level is None
    level = place.level or 0
    graph = explorer.network("countries" if country else "regions", level, NO_FILTERS)
    inside = [row for row in data.rows if (row.country == iri if country else data.region_at(row, level) == iri)]
    projects_of: dict[str, set] = defaultdict(set)
    members_of: dict[str, set] = defaultdict(set)
    for row in inside:
        projects_of[row.organisation].add(row.project)
        members_of[row.project].add(row.organisation)
    partners = _partners(graph, iri) if iri in graph else []
    found = {
        "card": {"code": place.code, "name": place.label, "native": place.native, "level": place.level,
                 "country": _place_link(data, place.country), "parent": _place_link(data, place.parent)},
        "counts": {"organisations": len(projects_of), "projects": len(members_of), "partners": len(partners)},
        "partners": partners,
        "organisations": _organisations(data, projects_of),
        "projects": _projects(explorer, members_of),
    }
    drawings = {}
    if partners:
        drawings["drawing"] = _drawing(ego_graph(graph, iri, DRAWING_NODES), layout="ego", centre=iri)
        if not country:
            drawings["map"] = _map(explorer, graph, level, [iri, *(row["iri"] for row in partners)], highlight=iri)
    return found, drawings


def _place_link(data: Participations, iri: str | None) -> dict | None:
    place = data.places.get(iri) if iri else None
    return {"iri": iri, "code": place.code, "name": place.label} if place else None


def _partners(graph: nx.Graph, iri: str) -> list[dict]:
    """The places linked to ``iri``, strongest first by fractional counting, each with the link's weights."""
    rows = []
    for other in graph[iri]:
        values, node = graph.edges[iri, other], graph.nodes[other]
        rows.append({"iri": other, "code": node["code"], "name": node["label"], "country": node.get("country", ""),
                     "projects": values["projects"], "fractional": values["fractional"],
                     "association": values["association"], "jaccard": values["jaccard"],
                     "shared": "/shared?" + urlencode({"a": iri, "b": other})})
    rows.sort(key=lambda row: (-row["fractional"], -row["projects"], row["code"]))
    return rows


def _organisations(data: Participations, projects_of: dict[str, set]) -> list[dict]:
    rows = [{"iri": iri, "name": data.organisations[iri].label or iri.rsplit("/", 1)[-1], "projects": len(found)}
            for iri, found in projects_of.items()]
    return sorted(rows, key=lambda row: (-row["projects"], row["name"]))


def _projects(explorer: Explorer, members_of: dict[str, set]) -> list[dict]:
    """Projects with the number of organisations of the place in each, the most first, then the newest."""
    described = explorer.projects()
    rows = []
    for project, members in members_of.items():
        _, acronym, title, programme, start, _end = described.get(project, (project, None, None, None, None, None))
        rows.append({"iri": project, "acronym": acronym or "", "title": title or "", "programme": programme or "",
                     "start": _year(start), "organisations": len(members)})
    return sorted(rows, key=lambda row: (-row["organisations"], -int(row["start"] or 0),
                                         row["acronym"] or row["title"]))


def shared(explorer: Explorer, request: Request) -> Response:
    """The projects two regions (or countries) share, with the organisations of each in them."""
    data = explorer.participations()
    a, b = (data.places.get(request.query_params.get(name, "")) for name in ("a", "b"))
    if a is None or b is None or a.level != b.level:
        raise HTTPException(400, "a and b must be two regions of one NUTS level, or two countries")

    def place_of(row: Participation) -> str | None:
        return row.country if a.level is None else data.region_at(row, a.level)

    sides: dict[str, dict[str, set]] = {a.iri: defaultdict(set), b.iri: defaultdict(set)}
    for row in data.rows:
        where = place_of(row)
        if where in sides:
            sides[where][row.project].add(row.organisation)
    common = set(sides[a.iri]) & set(sides[b.iri])
    projects = _projects(explorer, {project: sides[a.iri][project] | sides[b.iri][project] for project in common})
    for row in projects:
        for side, key in ((a, "from_a"), (b, "from_b")):
            row[key] = sorted((data.organisations[o].label for o in sides[side.iri][row["iri"]]), key=str.casefold)
    found = {"a": _place_link(data, a.iri), "b": _place_link(data, b.iri), "projects": projects}
    return explorer.site.page(request, "shared.html", found)


# -- organisations and networks ------------------------------------------------------------------------


def _organisation(explorer: Explorer, iri: str, about: dict) -> tuple[dict, dict]:
    """An organisation (or a network of them): card, projects, top partner organisations and regions, drawing."""
    kg = explorer.site.kg
    data = explorer.participations()
    canonical = data.same_as.get(iri, iri)
    own = {row.project for row in data.by_organisation.get(canonical, ())}
    partners: Counter = Counter()
    regions: Counter = Counter()
    for project in own:
        partners.update({row.organisation for row in data.by_project[project]} - {canonical})
        regions.update({data.region_at(row, 2) for row in data.by_project[project]
                        if row.organisation != canonical} - {None})
    out = [row for row in about["statements"] if row["direction"] == "out"]
    matched = sorted({row["value"] for row in about["statements"]
                      if row["property"] in ("owl:sameAs", "coop:nameMatch")} - {iri})
    projects = [{"iri": project, "acronym": acronym or "", "title": title or "", "programme": programme or "",
                 "start": _year(start), "role": role or "", "eu_contribution": _number(contribution)}
                for project, acronym, title, programme, start, role, contribution
                in kg.rows("organisation-projects", iri=iri)]
    organisation = data.organisations.get(canonical)
    members = [{"iri": row["value"], "name": row["label"]} for row in out if row["property"] == "coop:hasMember"]
    found = {
        "card": {
            "names": sorted({row["value"] for row in out if row["property"] in ("skos:prefLabel", "skos:altLabel")}),
            "acronyms": sorted({row["value"] for row in out if row["property"] == "coop:acronym"}),
            "type": next((row["label"] for row in out if row["property"] == "coop:organisationType"), ""),
            "country": _place_link(data, organisation.country) if organisation else None,
            "region": _place_link(data, organisation.region) if organisation else None,
            "identifiers": sorted({(row["property"].split(":", 1)[-1], row["value"]) for row in out
                                   if row["property"] in ("coop:pic", "coop:vatNumber")}),
            "homepage": next((row["value"] for row in out if row["property"] == "coop:homepage"), ""),
            "sources": sorted({row["source"] for row in about["statements"]}),
            "matched": [{"iri": other, "record": _short(kg, other), "name": data.organisations[other].label
                         if other in data.organisations else other} for other in matched],
        },
        "counts": {"projects": len({row["iri"] for row in projects}), "partners": len(partners),
                   "regions": len(regions)},
        "projects": projects,
        "partners": [{"iri": other, "name": data.organisations[other].label, "country": _code(
            data, data.organisations[other].country), "projects": count} for other, count in partners.most_common()],
        "regions": [{"iri": region, "code": data.places[region].code, "name": data.places[region].label,
                     "projects": count} for region, count in regions.most_common()],
        "members": members,
        "member_countries": [{"iri": country, "code": _code(data, country), "name": data.places[country].label,
                              "members": count} for country, count in Counter(
            data.organisations[member["iri"]].country for member in members
            if member["iri"] in data.organisations).most_common() if country in data.places],
    }
    drawings = {}
    if partners:
        drawings["drawing"] = _drawing(neighbourhood_graph(data, canonical, DRAWING_NODES), layout="ego",
                                       centre=canonical)
    return found, drawings


def _code(data: Participations, iri: str | None) -> str:
    return data.places[iri].code if iri in data.places else ""


# -- projects ------------------------------------------------------------------------------------------


def _amount(name: str, own: str | None, partners_sum: str | None, partners_giving: str | None) -> dict:
    """A project's amount: its own, else the sum of its partners' with how many gave one (``NAME_summed_over``;
    None for the project's own), so that a sum over some of them is not read as the whole."""
    if own:
        return {name: _number(own), f"{name}_summed_over": None}
    giving = int(partners_giving or 0)
    return {name: _number(partners_sum) if giving else None, f"{name}_summed_over": giving or None}


def _project(explorer: Explorer, iri: str, about: dict) -> tuple[dict, dict]:
    """A project: card, partners with role, place and amounts, its parts and follow-ups, and its drawing."""
    kg = explorer.site.kg
    data = explorer.participations()
    (card,) = kg.rows("project-card", iri=iri) or [(None,) * 17]
    (acronym, title, programme, programme_name, start, end, budget, contribution, partner_budget, budgets,
     third_party_budgets, partner_contribution, contributions, currency, topic, description, documents) = card
    partners = []
    for _, organisation, name, role, country, region, own_budget, own_contribution in kg.rows(
            "project-partners", iri=iri):
        place = data.places.get(region) if region else None
        partners.append({"iri": data.same_as.get(organisation, organisation), "name": name or organisation,
                         "role": role or "", "country": country or "", "region": place.code if place else "",
                         "region_name": place.label if place else "", "budget": _number(own_budget),
                         "eu_contribution": _number(own_contribution)})
    partners.sort(key=lambda row: (row["role"] not in LEAD_ROLES, row["country"], row["name"].casefold()))
    found = {
        "card": {"acronym": acronym or "", "title": title or "", "start": start or "", "end": end or "",
                 "programme": {"iri": programme, "name": programme_name or programme} if programme else None,
                 **_amount("budget", budget, partner_budget, budgets),
                 "third_party_budgets_not_summed": 0 if budget else int(third_party_budgets or 0),
                 **_amount("eu_contribution", contribution, partner_contribution, contributions),
                 "currency": currency or "EUR", "topic": topic or "", "description": description or "",
                 "documents": (documents or "").split()},
        "counts": {"partners": len(partners), "countries": len({row["country"] for row in partners} - {""})},
        "partners": partners,
        "parts": [{"kind": kind, "iri": thing, "label": label or thing, "when": when or ""}
                  for kind, thing, label, when in kg.rows("project-parts", iri=iri)],
    }
    drawings = {}
    if len(partners) > 1 and iri in data.by_project:
        lead = next((row["iri"] for row in partners if row["role"] in LEAD_ROLES), partners[0]["iri"])
        drawings["drawing"] = _drawing(project_graph(data, iri, lead), max_nodes=PROJECT_NODES, layout="rings",
                                       centre=lead)
    return found, drawings


# -- programmes ----------------------------------------------------------------------------------------


def _programme(explorer: Explorer, iri: str, about: dict) -> tuple[dict, dict]:
    """A programme: card, its projects, the countries and regions its projects cover, and their network."""
    kg = explorer.site.kg
    data = explorer.participations()
    projects = [{"iri": project, "acronym": acronym or "", "title": title or "", "start": _year(start),
                 "part": part or ""} for project, acronym, title, start, part in kg.rows("programme-projects", iri=iri)]
    rows = [row for project in {row["iri"] for row in projects} for row in data.by_project.get(project, ())]
    countries = Counter({country: len(found) for country, found in _projects_by(rows, lambda row: row.country).items()})
    regions = Counter({region: len(found) for region, found in
                       _projects_by(rows, lambda row: data.region_at(row, 2)).items()})
    out = [row for row in about["statements"] if row["direction"] == "out"]
    found = {
        "card": {"names": sorted({row["value"] for row in out if row["property"] == "skos:prefLabel"}),
                 "acronym": next((row["value"] for row in out if row["property"] == "coop:acronym"), ""),
                 "funds": sorted({row["label"] for row in out if row["property"] == "coop:fund"}),
                 "part_of": [{"iri": row["value"], "name": row["label"]} for row in out
                             if row["property"] == "coop:partOf"]},
        "counts": {"projects": len(projects), "countries": len(countries), "regions": len(regions)},
        "projects": projects,
        "countries": [{"iri": country, "code": _code(data, country), "name": data.places[country].label,
                       "projects": count} for country, count in countries.most_common() if country in data.places],
        "regions": [{"iri": region, "code": data.places[region].code, "name": data.places[region].label,
                     "projects": count} for region, count in regions.most_common()],
    }
    drawings = {}
    graph = country_graph(kg, data=replace(data, rows=rows)) if rows else None
    if graph is not None and graph.number_of_edges():
        drawings["drawing"] = _drawing(graph, layout="spring")
    return found, drawings


def _projects_by(rows: list[Participation], place_of: Callable[[Participation], str | None]) -> dict[str, set]:
    found: dict[str, set] = defaultdict(set)
    for row in rows:
        where = place_of(row)
        if where is not None:
            found[where].add(row.project)
    return found


# -- drawings and maps ---------------------------------------------------------------------------------


def _drawing(graph: nx.Graph, max_nodes: int = DRAWING_NODES, **layout) -> tuple[Markup, dict]:
    """The HTML that draws a small network, and what its JSON says of it (each node's place and size)."""
    shown = view(graph, "fractional", link=entity_url, max_nodes=max_nodes, **layout)
    return embed(shown), shown["network"]


def _map(explorer: Explorer, graph: nx.Graph, level: int, codes: list[str], highlight: str) -> tuple[Markup, dict]:
    """A map of a region and its strongest partners (``codes``, the region first), linked as in ``graph``."""
    found = explorer.map(graph, level, [(highlight, other) for other in codes[1:DRAWING_NODES]], "fractional",
                         highlight=frozenset({highlight}))
    return map_html(found), found


#: The view and template of each kind of thing, the first kind a thing has that is here deciding.
VIEWS: list[tuple[str, Callable[[Explorer, str, dict], tuple[dict, dict]], str]] = [
    ("Region", _place, "place.html"), ("Country", _place, "place.html"), ("Project", _project, "project.html"),
    ("Network", _organisation, "organisation.html"), ("Organisation", _organisation, "organisation.html"),
    ("OrganisationalUnit", _organisation, "organisation.html"), ("Programme", _programme, "programme.html")]


def routes(explorer: Explorer) -> list[Route]:
    # plain functions: Starlette runs them in its thread pool, so a query never blocks the other requests
    return [Route("/entity", partial(entity, explorer)), Route("/entity.json", partial(entity, explorer)),
            Route("/shared", partial(shared, explorer)), Route("/shared.json", partial(shared, explorer))]
