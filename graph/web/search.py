"""Search (``/search``): any spelling finds a thing, from an index built when the sources change.

Names are compared by their :func:`~coopgraph.importers.values.name_key`, so accents, case and
punctuation do not matter ("Umea", "Umeå" and "umeå UNIVERSITET" find CORDIS's "UMEA UNIVERSITET" and
the Swedish list's "Umeå universitet"). Hits rank exact names first, then names that start with the
text, then the others, and within each by how many projects the thing takes part in. The index is
built from one query (``search-index``) and the participations the networks read, once per state of
the store's catalog, so a request never scans the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coopgraph.importers.values import name_key
from coopgraph.web.networks import Explorer
from coopgraph.web.site import page_number, text_parameter

#: Hits per page.
PAGE_SIZE = 20
#: The kinds of thing, by class name, as a hit shows them.
KINDS = {"Project": "project", "Organisation": "organisation", "Network": "network",
         "OrganisationalUnit": "organisational unit", "Region": "region", "Country": "country",
         "Programme": "programme"}


@dataclass
class Entry:
    """One thing the search can find: its names (and their keys), what it is, where, from which sources."""

    iri: str
    kind: str
    name: str
    keys: set[str]
    sources: set[str]
    place: str = ""      # a country or region code: where an organisation lies, the country of a region
    projects: int = 0    # projects it takes part in (for a project: its partners)

    def rank(self, key: str) -> tuple:
        exact = any(k == key for k in self.keys)
        prefix = exact or any(k.startswith(key) for k in self.keys)
        return (0 if exact else 1 if prefix else 2, -self.projects, self.name.casefold(), self.iri)

    def as_hit(self) -> dict:
        return {"iri": self.iri, "kind": self.kind, "name": self.name, "place": self.place,
                "sources": sorted(self.sources), "projects": self.projects}


class SearchIndex:
    """The things of a store by the keys of their names; built once, again when the store changes (the
    :class:`.networks.Explorer` forgets what it read)."""

    def __init__(self, explorer: Explorer) -> None:
        self.explorer = explorer

    def search(self, text: str) -> list[Entry]:
        """Every thing one of whose names contains the text (compared by name key), best first."""
        key = name_key(text)
        if not key:
            return []
        found = [entry for entry in self.entries() if any(key in k for k in entry.keys)]
        return sorted(found, key=lambda entry: entry.rank(key))

    def entries(self) -> list[Entry]:
        return self.explorer.reads.get("search index", lambda: _build(self.explorer))


def _build(explorer: Explorer) -> list[Entry]:
    """The entries of the store: names from ``search-index``, places and project counts from the participations."""
    entries: dict[str, Entry] = {}
    for iri, cls, name, source in explorer.site.kg.rows("search-index"):
        kind = KINDS[cls.rsplit("#", 1)[-1]]
        entry = entries.get(iri)
        if entry is None:
            entry = entries[iri] = Entry(iri, kind, name, set(), set())
        elif kind == "network":  # a network is an organisation too: say what it most is
            entry.kind = kind
        entry.keys.add(name_key(name))
        entry.sources.add(source)
        if len(name) > len(entry.name) and kind != "region":  # the fullest name, the code of a region aside
            entry.name = name
    data = explorer.participations()
    projects: dict[str, set] = defaultdict(set)
    partners: dict[str, set] = defaultdict(set)
    for row in data.rows:
        partners[row.project].add(row.organisation)
        projects[row.organisation].add(row.project)
        if row.country:
            projects[row.country].add(row.project)
        place = data.places.get(row.region) if row.region else None
        while place is not None:  # a region and the regions it lies in
            projects[place.iri].add(row.project)
            place = data.places.get(place.parent) if place.parent else None
    counts = {iri: len(found) for iri, found in projects.items()} | explorer.programme_projects()
    for iri, entry in entries.items():  # a record matched to another counts the projects of the two, as one
        entry.projects = len(partners[iri]) if entry.kind == "project" else counts.get(data.same_as.get(iri, iri), 0)
        entry.place = _place(entry, data)
    return list(entries.values())


def _place(entry: Entry, data) -> str:
    """Where a hit lies, as a code: an organisation's region (else country), a region's country."""
    organisation = data.organisations.get(entry.iri)
    if organisation is not None:
        for iri in (organisation.region, organisation.country):
            if iri in data.places:
                return data.places[iri].code
    place = data.places.get(entry.iri)
    if place is not None and place.country in data.places and place.level:
        return data.places[place.country].code
    return ""


def search(index: SearchIndex, request: Request) -> Response:
    text = text_parameter(request, "q")
    number = page_number(request)
    hits = index.search(text) if text else []
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    if number > pages:
        raise HTTPException(404, f"there are {pages} page(s) of hits, not {number}")
    shown = [entry.as_hit() for entry in hits[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]]
    data = {"q": text or "", "hits": len(hits), "page": number, "pages": pages, "results": shown}
    return index.explorer.site.page(request, "search.html", data)


def routes(index: SearchIndex) -> list[Route]:
    return [Route("/search", partial(search, index)), Route("/search.json", partial(search, index))]
