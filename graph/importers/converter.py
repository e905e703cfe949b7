"""Rows to N-Triples with a mapping: one participation per row, its project and organisation once.

Each row becomes the triples of one participation, and of its project and organisation the first
time they are met. A row is rejected whole, with the reason, only when it cannot say who took part
in what under which role (no project id, no organisation name, a role the mapping does not know);
a value that cannot be read or resolved (an impossible date, a garbled or ambiguous amount, an
unknown NUTS code) is left out and reported as a warning, so that no partnership is lost over it.
Cells that mean "no value" (``NA``, ``-``...: the mapping's ``na_values``) are empty, counted once.

Each participation keeps the place its own row gives (sources give the address at the time, and
organisations move and have several sites); an organisation's place is the one most of its rows
give, written once all rows are read, and organisations whose rows disagree are counted. A region
read from another NUTS version, or from a parent code, keeps the code as given and says why.
Triples are streamed as N-Triples text into a file, which Oxigraph bulk-loads far faster than it
takes rdflib objects, and without holding a million lines in memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from itertools import pairwise
from operator import itemgetter
from typing import IO, Callable, NamedTuple, Sequence
from urllib.parse import quote

from rdflib.namespace import RDF, SKOS, XSD

from coopgraph.importers import values
from coopgraph.importers.countries import country_iri, find_country, nuts_country_code
from coopgraph.importers.mapping import SECTIONS, Mapping
from coopgraph.importers.nuts import Found, find_region, find_region_by_name
from coopgraph.importers.tables import Row
from coopgraph.vocab import COOP, GEO, ID, ORGTYPE, ROLE


class RowRejected(Exception):
    """A row that cannot be imported; the message is the reason."""


# Written by hand rather than with coopgraph.terms.sparql_term: a million literals an import, and
# N-Triples needs only these four characters escaped in a string.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPE = f"<{RDF.type}>"
_DECIMAL, _ANY_URI = str(XSD.decimal), str(XSD.anyURI)  # an rdflib namespace's attributes are slow to look up


def _literal(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def _typed(text: str, datatype: str) -> str:
    return f"{_literal(text)}^^<{datatype}>"


@cache
def _p(term) -> str:
    """A vocabulary term as N-Triples (cached: the same few terms are written a million times)."""
    return f"<{term}>"


#: :func:`values.coordinates`, remembered: an organisation's rows repeat its geolocation.
_coordinates = lru_cache(maxsize=65536)(values.coordinates)


@cache
def _quoted(part: str) -> str:
    return quote(part, safe="")


def _code(term: str) -> str:
    """``<http://data.europa.eu/nuts/code/SE331>`` -> ``SE331``: the code at the end of a place's IRI."""
    return term[1:-1].rsplit("/", 1)[-1]


def _mint(kind: str, *parts: str) -> str:
    return f"<{ID}{kind}/{'/'.join(map(_quoted, parts))}>"


@lru_cache(maxsize=65536)
def _decimal(text: str, decimal: str | None, thousands: str | None) -> tuple[Decimal, str]:
    """An amount and its ``xsd:decimal`` literal (remembered: a table repeats half its amounts)."""
    amount = values.amount(text, decimal, thousands)
    return amount, _typed(format(amount, "f"), _DECIMAL)


@cache
def _role_term(role: str) -> str:
    return _p(ROLE[role])


#: A row's mapped cells, tidied, in the order of :attr:`Converter.columns`: read by position, which is faster than by
#: name, through the readers below (made once per mapping).
Cells = list[str]


def _all(keys: Sequence) -> Callable[[Cells | dict[str, str]], tuple[str, ...]]:
    """The cells at ``keys`` (positions in :data:`Cells`, or a row's column names), as a tuple: a key of several
    columns."""
    if len(keys) == 1:
        key = keys[0]
        return lambda cells: (cells[key],)
    return itemgetter(*keys) if keys else lambda cells: ()


def _first(positions: list[int]) -> Callable[[Cells], str]:
    """The first non-empty cell at ``positions`` ('' when none): the columns a mapping lists for a field are tried
    in order."""
    if not positions:
        return lambda cells: ""
    if len(positions) == 1:
        return itemgetter(positions[0])
    pick = _all(positions)
    return lambda cells: next(filter(None, pick(cells)), "")


class _Location(NamedTuple):
    """What the place cells of a row resolve to."""

    country: str | None                  # N-Triples term
    region: tuple[str, str] | None       # (region, its country), N-Triples terms
    region_text: str                     # the code or name the region was read from
    differs: bool                        # ... and it is not the region's own code (kept as coop:regionAsGiven)
    found: Found | None                  # how a code was read (None for a name)
    notes: list[str]                     # warnings


_COUNTRY = _p(COOP.country)
_CURRENCY = _p(COOP.currency)
_HOMEPAGE = _p(COOP.homepage)
_ORGANISATION_CLASS, _ORGANISATION_OF = _p(COOP.Organisation), _p(COOP.organisation)
_ORGANISATION_TYPE = _p(COOP.organisationType)
_PARTICIPATION_CLASS = _p(COOP.Participation)
_PROJECT_CLASS, _PROJECT_OF = _p(COOP.Project), _p(COOP.project)
_REGION, _REGION_AS_GIVEN = _p(COOP.region), _p(COOP.regionAsGiven)
_INFERENCE_CLASS, _JUSTIFICATION = _p(COOP.Inference), _p(COOP.justification)
_SUBJECT, _PREDICATE, _OBJECT = _p(RDF.subject), _p(RDF.predicate), _p(RDF.object)
_LATITUDE, _LONGITUDE = _p(GEO.lat), _p(GEO.long)
_ROLE = _p(COOP.role)
_PREF_LABEL, _ALT_LABEL = _p(SKOS.prefLabel), _p(SKOS.altLabel)

_DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
#: The amounts of a project or participation: the mapping's key, the predicate.
_AMOUNTS = (("budget", _p(COOP.budget)), ("eu_contribution", _p(COOP.euContribution)))
#: What the first row of an organisation says of it in a literal: the mapping's key, the predicate.
_ORGANISATION_LITERALS = (("short_name", _p(COOP.acronym)), ("pic", _p(COOP.pic)), ("vat", _p(COOP.vatNumber)),
                          ("city", _p(COOP.locality)))


@dataclass
class Quality:
    """What the data lacked or said in other words, counted over the whole table (the report's data quality)."""

    missing_cells: Counter = field(default_factory=Counter)      # a cell meaning "no value" ("NA", "-") -> cells
    rows_without_place: int = 0                                  # no country and no region
    rows_placed_by_organisation: int = 0                         # ... of which the organisation's other rows place
    rows_without_region: int = 0                                 # a country but no region
    rows_given_region_by_organisation: int = 0                   # ... of which the organisation's region is there
    regions_read: Counter = field(default_factory=Counter)       # "NUTS 2016", "parent"... -> rows
    ambiguous_amounts: int = 0
    zero_budgets: int = 0                                        # budgets of 0 beside a positive EU contribution
    organisations_disagreeing: int = 0                           # whose rows give more than one country or region
    disagreements: list[str] = field(default_factory=list)       # the first few, described

    def summary(self) -> dict:
        return {
            "cells read as missing": dict(self.missing_cells.most_common()),
            "rows without a place": {"rows": self.rows_without_place,
                                     "placed by their organisation's other rows": self.rows_placed_by_organisation},
            "rows with a country but no region": {
                "rows": self.rows_without_region,
                "given their organisation's region in that country": self.rows_given_region_by_organisation},
            "regions read from other codes": dict(self.regions_read.most_common()),
            "amounts left out as ambiguous": self.ambiguous_amounts,
            "budgets of 0 left out beside a positive EU contribution": self.zero_budgets,
            "organisations whose rows disagree on their place": {"organisations": self.organisations_disagreeing,
                                                                 "first": self.disagreements},
        }

    def described(self) -> list[str]:
        """What is worth a reader's attention, a phrase each (nothing when the data had none of it)."""
        phrases = []
        if self.missing_cells:
            phrases.append(f"{_count(sum(self.missing_cells.values()), 'cell')} read as missing ("
                           + ", ".join(f"{value!r} {n:,}" for value, n in self.missing_cells.most_common(4)) + ")")
        if self.rows_without_place:
            phrases.append(f"{_count(self.rows_without_place, 'row')} without a place "
                           f"({self.rows_placed_by_organisation:,} placed by their organisation's other rows)")
        if self.rows_without_region:
            phrases.append(f"{_count(self.rows_without_region, 'row')} with a country but no region "
                           f"({self.rows_given_region_by_organisation:,} given their organisation's region)")
        if self.regions_read:
            readings = ", ".join(f"{n:,} {_READ_AS.get(how, 'as ' + how)}" for how, n in
                                 self.regions_read.most_common())
            phrases.append(f"{_count(sum(self.regions_read.values()), 'region')} read from other codes ({readings})")
        if self.ambiguous_amounts:
            phrases.append(f"{_count(self.ambiguous_amounts, 'ambiguous amount')} left out (set decimal or thousands)")
        if self.zero_budgets:
            phrases.append(f"{_count(self.zero_budgets, 'budget')} of 0 left out beside a positive EU contribution")
        if self.organisations_disagreeing:
            phrases.append(f"{_count(self.organisations_disagreeing, 'organisation')} whose rows disagree on their "
                           "place")
        return phrases


#: How a region was read from another code, as the summary line says it.
_READ_AS = {"parent": "at the parent of a code no version has"}


def _count(number: int, thing: str) -> str:
    """``1 row``, ``2 rows``: a count with its noun."""
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


@dataclass
class Conversion:
    """How a table's rows were converted: counts, and what could not be used."""

    triples: int = 0
    rows_read: int = 0
    rows_imported: int = 0
    rejects: list[tuple[Row, str]] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    first_line_of_warning: dict[str, int] = field(default_factory=dict)
    quality: Quality = field(default_factory=Quality)


@dataclass
class _Place:
    """Where an organisation's rows place it: countries and regions, each with its number of rows, and the
    participations whose rows give no place, or a country without a region."""

    countries: dict[str, int] = field(default_factory=dict)
    regions: dict[tuple[str, str], int] = field(default_factory=dict)   # (region, its country) -> rows
    unplaced: list[str] = field(default_factory=list)
    regionless: dict[str, list[str]] = field(default_factory=dict)      # country -> participations
    points: dict[tuple, int] = field(default_factory=dict)              # (region or country, (lat, long)) -> rows


def _most(counts: dict) -> object | None:
    """The key with the highest count, the first of equals (as ``Counter.most_common(1)``); None when empty."""
    return max(counts, key=counts.__getitem__) if counts else None


#: How many organisations with disagreeing rows the report describes.
DISAGREEMENTS_SHOWN = 10


class Converter:
    """Turns rows into N-Triples written to ``sink``; remembers which projects and organisations it has written."""

    def __init__(self, mapping: Mapping, sink: IO[bytes]) -> None:
        self.mapping = mapping
        self.sink = sink
        self.result = Conversion()
        self._pending: list[str] = []
        self._written: set[str] = set()
        self._participations: set[str] = set()
        self._priced: set[str] = set()  # the projects whose currency is written
        self._labels: dict[str, list[str]] = {}  # organisation -> its spellings, first seen first
        self._places: dict[str, _Place] = defaultdict(_Place)  # organisation -> where its rows place it
        self._deferred: list[tuple[Row, Cells]] = []  # rows to convert once every row is read (see add)
        self._countries_of_name: dict[str, Counter] = defaultdict(Counter)  # name key -> countries of its rows
        # Compiled once: the columns the mapping reads, their "no value" cells, and a reader per field.
        self.columns = tuple(dict.fromkeys(column for columns in mapping.fields.values() for column in columns))
        self._given = _all(self.columns)
        self._missing = [mapping.missing_values(column) - {""} for column in self.columns]
        self._read = {(section, key): _first(self._positions(section, key))
                      for section, keys in SECTIONS.items() for key in keys}
        self._keys = {section: _all(self._positions(section, "id")) for section in SECTIONS}
        self._amounts_of = {section: [(key, predicate, self._read[section, key]) for key, predicate in _AMOUNTS
                                      if (section, key) in mapping.fields] for section in ("project", "participation")}
        self._named_only = not mapping.fields.get(("organisation", "id"))
        # A table repeats a few thousand spellings of its places, organisations and projects over its rows: each is
        # resolved once (a place's cells -> what they resolve to; a key -> its IRI).
        self._place_cells = _all([position for key in ("country", "nuts", "region_name")
                                  for position in self._positions("organisation", key)])
        self._locations: dict[tuple[str, ...], _Location] = {}
        self._organisations: dict[tuple, str] = {}         # IRI by the parts it is minted from
        self._projects: dict[tuple, tuple[str, str]] = {}  # (IRI, its participations' IRIs' start) by key
        self._currency = _literal(mapping.currency)

    def add(self, row: Row) -> None:
        """Convert one row; a row that names its organisation only by a name and no place waits for the others."""
        self.result.rows_read += 1
        if row.problem:
            self.result.rejects.append((row, row.problem))
            return
        cells = self._tidied(row.cells)
        if self._named_only and not any(self._place_cells(cells)):
            # without an id, an organisation is its name in its country: the country comes from its other rows
            self._deferred.append((row, cells))
            return
        self._add(row, cells)

    def finish(self) -> Conversion:
        """Convert the rows that waited; write each organisation's place, names and spellings; flush."""
        for row, cells in self._deferred:
            countries = self._countries_of_name.get(values.name_key(self._read["organisation", "name"](cells)), {})
            self._add(row, cells, country_of_name=_most(countries))
        for organisation, place in self._places.items():
            self._emit(self._organisation_place(organisation, place))
        for iri, (first, *others) in self._labels.items():
            self._emit([f"{iri} {_PREF_LABEL} {_literal(first)} .\n",
                        *(f"{iri} {_ALT_LABEL} {_literal(label)} .\n" for label in others)])
        self._flush()
        return self.result

    def _positions(self, section: str, key: str) -> list[int]:
        """Where the columns of a field are in :data:`Cells`."""
        return [self.columns.index(column) for column in self.mapping.fields.get((section, key), ())]

    def _tidied(self, cells: dict[str, str]) -> Cells:
        """The mapped cells, tidied (:func:`values.tidy`), those that mean "no value" emptied and counted; written
        for speed (twenty cells a row): a Python loop only for a row with a "no value" cell."""
        try:
            given = self._given(cells)
        except KeyError:  # a row shorter than the header
            given = [cells.get(column, "") for column in self.columns]
        tidied = list(map(values.tidy, given))
        if any(map(frozenset.__contains__, self._missing, tidied)):
            for position, (value, missing) in enumerate(zip(tidied, self._missing, strict=True)):
                if value in missing:
                    self.result.quality.missing_cells[value] += 1
                    tidied[position] = ""
        return tidied

    def _add(self, row: Row, cells: Cells, country_of_name: str | None = None) -> None:
        try:
            project_key, name, role = self._identity(cells)
        except RowRejected as reason:
            self.result.rejects.append((row, str(reason)))
            return
        warnings: list[str] = []
        participation = self._convert(cells, project_key, name, role, country_of_name, warnings)
        if participation in self._participations:
            warnings.append("the same project, organisation and role as an earlier row: one participation "
                            "(give the mapping a [participation] id to tell them apart)")
        self._participations.add(participation)
        self.result.rows_imported += 1
        for warning in warnings:
            self.result.warnings[warning] += 1
            first = self.result.first_line_of_warning
            first[warning] = min(first.get(warning, row.line), row.line)

    def _emit(self, lines: list[str]) -> None:
        self._pending += lines
        if len(self._pending) >= 20_000:
            self._flush()

    def _flush(self) -> None:
        self.sink.write("".join(self._pending).encode("utf-8"))
        self.result.triples += len(self._pending)
        self._pending.clear()

    # -- one row ----------------------------------------------------------------------------------

    def _identity(self, cells: Cells) -> tuple[tuple[str, ...], str, str]:
        """(project key, organisation name, role): what a row must say to be imported."""
        project_key = self._keys["project"](cells)
        if not all(project_key):
            raise RowRejected(f"no project id ({' + '.join(self.mapping.fields[('project', 'id')])} empty)")
        name = self._read["organisation", "name"](cells)
        if not name:
            raise RowRejected(f"no organisation name ({', '.join(self.mapping.fields[('organisation', 'name')])} "
                              "empty)")
        return project_key, name, self._role(cells)

    def _convert(self, cells: Cells, project_key: tuple[str, ...], name: str, role: str,
                 country_of_name: str | None, warnings: list[str]) -> str:
        """Write a row's participation (and its project and organisation, if new); return the participation."""
        project, of_project = self._project_iris(project_key)
        location = self._location(cells)
        warnings += location.notes
        country = location.country
        organisation = self._organisation_iri(cells, name, country or country_of_name)
        if country and self._named_only:
            self._countries_of_name[values.name_key(name)][country] += 1
        own_key = self._keys["participation"](cells)
        if own_key and all(own_key):  # the source numbers its participations (CORDIS: order)
            participation = f"{of_project}/{'/'.join(map(_quoted, own_key))}>"
        else:
            who = organisation[len(f"<{ID}organisation/"):-1]  # already IRI-safe
            participation = f"{of_project}/{who}/{role}>"
        lines = [f"{participation} {_TYPE} {_PARTICIPATION_CLASS} .\n",
                 f"{participation} {_PROJECT_OF} {project} .\n",
                 f"{participation} {_ORGANISATION_OF} {organisation} .\n",
                 f"{participation} {_ROLE} {_role_term(role)} .\n"]
        lines += self._place(participation, organisation, location)
        self._point(cells, organisation, location.region[0] if location.region else country, warnings)
        lines += self._amounts(cells, "participation", participation, project, warnings)
        if project not in self._written:
            lines += self._project(cells, project_key, project, warnings)
            self._written.add(project)
        if organisation not in self._written:
            lines += self._organisation(cells, organisation, name)
            self._written.add(organisation)
        spellings = self._labels.setdefault(organisation, [])
        if name not in spellings:
            spellings.append(name)
        self._emit(lines)
        return participation

    def _location(self, cells: Cells) -> _Location:
        """What a row's place cells resolve to."""
        given = self._place_cells(cells)
        location = self._locations.get(given)
        if location is None:
            country, warnings = self._country(cells)
            region, region_text, found, region_warnings = self._region(cells, country)
            if country is None and region is not None:
                country = region[1]
            location = self._locations[given] = _Location(
                country, region, region_text, region is not None and region_text.upper() != _code(region[0]),
                found, warnings + region_warnings)
        return location

    def _project_iris(self, key: tuple[str, ...]) -> tuple[str, str]:
        """A project's IRI, and the start of its participations' IRIs (remembered: a project has many rows)."""
        iris = self._projects.get(key)
        if iris is None:
            prefix = self.mapping.prefix
            iris = self._projects[key] = (_mint("project", prefix, *key), _mint("participation", prefix, *key)[:-1])
        return iris

    def _country(self, cells: Cells) -> tuple[str | None, list[str]]:
        text = self._read["organisation", "country"](cells)
        if not text:
            return None, []
        country = find_country(text)
        if country is None:
            return None, [f"unknown country {text!r}: left out"]
        return _p(country), []

    def _region(self, cells: Cells, country: str | None) \
            -> tuple[tuple[str, str] | None, str, Found | None, list[str]]:
        """(region, its country) as N-Triples terms, the text it was read from, how it was read (None for a
        name), and notes: the first NUTS code, then region name, that resolves."""
        notes, unresolved = [], []
        for position in self._positions("organisation", "nuts"):
            code = cells[position]
            if code:
                found = find_region(code, self.mapping.nuts_version)
                if found.region is not None:
                    notes += [f"{failed}: used {found.region.code} instead" for failed in unresolved]
                    return self._terms(found.region), code, found, notes
                if found.justification:
                    unresolved.append(found.justification)
        if country is not None:
            for position in self._positions("organisation", "region_name"):
                text = cells[position]
                if text:
                    region = find_region_by_name(text, nuts_country_code(country[1:-1]))
                    if region is not None:
                        notes += [f"{failed}: used {region.code} instead" for failed in unresolved]
                        return self._terms(region), text, None, notes
                    unresolved.append(f"no NUTS 2021 region named {text!r}")
        return None, "", None, [f"{failed}: region left out" for failed in unresolved]

    def _point(self, cells: Cells, organisation: str, place: str | None, warnings: list[str]) -> None:
        """Remember where the row geolocates the organisation (``geolocation`` "lat,lon", or two columns)."""
        latitude = self._read["organisation", "latitude"](cells)
        longitude = self._read["organisation", "longitude"](cells)
        if not latitude and not longitude:
            latitude, _, longitude = self._read["organisation", "geolocation"](cells).partition(",")
        if not latitude and not longitude:
            return
        try:
            point = (place, _coordinates(latitude, longitude))
        except ValueError:
            warnings.append("geolocation left out where it is no place (such as 0,0)")
            return
        points = self._places[organisation].points
        points[point] = points.get(point, 0) + 1

    @staticmethod
    def _terms(region) -> tuple[str, str]:
        return _p(region.iri), _p(country_iri(region.country_code))

    def _place(self, participation: str, organisation: str, location: _Location) -> list[str]:
        """The participation's own place, as its row gives it, and the reading of a code given otherwise."""
        place, lines = self._places[organisation], []
        country, region, found = location.country, location.region, location.found
        quality = self.result.quality
        if country:
            lines.append(f"{participation} {_COUNTRY} {country} .\n")
            place.countries[country] = place.countries.get(country, 0) + 1
        if region:
            lines.append(f"{participation} {_REGION} {region[0]} .\n")
            place.regions[region] = place.regions.get(region, 0) + 1
            if location.differs:
                lines.append(f"{participation} {_REGION_AS_GIVEN} {_literal(location.region_text)} .\n")
            if found is not None and found.reading:
                quality.regions_read[found.reading] += 1
                lines += self._inferred(participation, _REGION, region[0], found.justification)
        elif country:
            place.regionless.setdefault(country, []).append(participation)
        else:
            place.unplaced.append(participation)
        return lines

    def _organisation_place(self, organisation: str, place: _Place) -> list[str]:
        """The organisation's place: the country most of its rows give, and the region most of its rows in that
        country give (the first of equals).

        Its participations whose rows give no place take it, those whose rows give its country but no
        region take its region, each as an inference; rows that disagree are counted, and the choice of
        the organisation's place is written down as an inference too.
        """
        quality = self.result.quality
        country = _most(place.countries)
        region = _most({region: rows for region, rows in place.regions.items() if region[1] == country})
        lines = [f"{organisation} {_COUNTRY} {country} .\n"] if country else []
        lines += [f"{organisation} {_REGION} {region[0]} .\n"] if region else []
        there = region[0] if region else country
        point = _most({point: rows for (where, point), rows in place.points.items() if where == there})
        if point:  # where the rows that give its place geolocate it
            latitude, longitude = point
            lines += [f"{organisation} {_LATITUDE} {_typed(str(latitude), _DECIMAL)} .\n",
                      f"{organisation} {_LONGITUDE} {_typed(str(longitude), _DECIMAL)} .\n"]
        given = ", ".join(f"{_code(term)} on {n} row(s)" for term, n in
                          [*([(region[0], place.regions[region])] if region else ()),
                           *([(country, place.countries[country])] if country in place.countries else ())]) \
            if place.unplaced or place.regionless else ""
        quality.rows_without_place += len(place.unplaced)
        if country:
            quality.rows_placed_by_organisation += len(place.unplaced)
            why = f"The row gives no place; the organisation's other rows in this source give {given}."
            for participation in place.unplaced:
                lines += [f"{participation} {_COUNTRY} {country} .\n",
                          *self._inferred(participation, _COUNTRY, country, why)]
                if region:
                    lines += [f"{participation} {_REGION} {region[0]} .\n",
                              *self._inferred(participation, _REGION, region[0], why)]
        quality.rows_without_region += sum(len(participations) for participations in place.regionless.values())
        if region and region[1] in place.regionless:
            quality.rows_given_region_by_organisation += len(place.regionless[region[1]])
            why = f"The row gives the country but no region; the organisation's other rows in this source give {given}."
            for participation in place.regionless[region[1]]:
                lines += [f"{participation} {_REGION} {region[0]} .\n",
                          *self._inferred(participation, _REGION, region[0], why)]
        codes = sorted(_code(region[0]) for region in place.regions)
        nested = all(longer.startswith(shorter) for shorter, longer in pairwise(codes))
        if len(place.countries) > 1 or not nested:  # SE32 and SE322 agree: one holds the other
            quality.organisations_disagreeing += 1
            counts = ", ".join(f"{_code(term[0] if isinstance(term, tuple) else term)} on {n} row(s)"
                               for term, n in [*Counter(place.regions).most_common(),
                                               *Counter(place.countries).most_common()])
            if len(quality.disagreements) < DISAGREEMENTS_SHOWN:
                quality.disagreements.append(f"{organisation[1:-1]}: {counts}")
            for predicate, chosen in (("region", region and region[0]), ("country", country)):
                if chosen:
                    # a blank node: an organisation's IRI (its PIC) is shared by sources, its inferences are not
                    lines += self._inferred(organisation, _p(COOP[predicate]), chosen, "The place most of its rows "
                                            f"give, where they disagree: {counts}.",
                                            f"_:{predicate}{quality.organisations_disagreeing}")
        return lines

    @staticmethod
    def _inferred(subject: str, predicate: str, value: str, justification: str, node: str | None = None) -> list[str]:
        """The ``coop:Inference`` (``node``, else ``subject#predicate``) saying why ``subject predicate value``."""
        node = node or f"{subject[:-1]}#{predicate[1:-1].rsplit('#', 1)[-1]}>"
        return [f"{node} {_TYPE} {_INFERENCE_CLASS} .\n",
                f"{node} {_SUBJECT} {subject} .\n",
                f"{node} {_PREDICATE} {predicate} .\n",
                f"{node} {_OBJECT} {value} .\n",
                f"{node} {_JUSTIFICATION} {_literal(justification)}@en .\n"]

    def _organisation_iri(self, cells: Cells, name: str, country: str | None) -> str:
        """By its id in the mapping's scheme, else by its name in its country (remembered: it has many rows)."""
        key = self._keys["organisation"](cells)
        if key and all(key):
            parts = (self.mapping.id_scheme or self.mapping.prefix, *key)
        else:
            place = country[1:-1].rsplit("/", 1)[-1] if country else "unknown-country"
            parts = (self.mapping.prefix, place, values.name_key(name))
        iri = self._organisations.get(parts)
        if iri is None:
            iri = self._organisations[parts] = _mint("organisation", *parts)
        return iri

    def _role(self, cells: Cells) -> str:
        text = self._read["participation", "role"](cells)
        if not text:
            if self.mapping.default_role:
                return self.mapping.default_role
            raise RowRejected("no role")
        role = self.mapping.role_values.get(text.casefold())
        if role is None:
            if text in ROLE.__annotations__ and text != "scheme":
                return text
            raise RowRejected(f"unknown role {text!r} (the mapping knows: {self.mapping.role_names or 'none'})")
        return role

    def _amounts(self, cells: Cells, section: str, subject: str, project: str, warnings: list[str]) -> list[str]:
        """The numbers of a project's or participation's amounts, and the first time its project has any, the project's
        currency (the mapping's): a participation's amounts are in its project's currency (72,304 triples of the
        CORDIS table said it again on each participation).

        A budget holds its EU contribution, so a budget of 0 beside a positive contribution says that the source
        gives none (13,537 CORDIS rows, where a project's partners then summed to a budget of 0): it is left out.
        """
        amounts: dict[str, tuple[Decimal, str]] = {}  # key -> (amount, its line)
        for key, predicate, read in self._amounts_of[section]:
            text = read(cells)
            if not text:
                continue
            try:
                amount, literal = _decimal(text, self.mapping.decimal, self.mapping.thousands)
            except values.AmbiguousAmount:
                self.result.quality.ambiguous_amounts += 1
                warnings.append(f"{section} {key} left out where ambiguous (one mark and three digits, like "
                                "'125,000': thousands or decimals?): set decimal or thousands in the mapping's "
                                "[source]")
                continue
            except ValueError as error:
                warnings.append(f"{section} {key} left out: {error}")
                continue
            amounts[key] = amount, f"{subject} {predicate} {literal} .\n"
        if "budget" in amounts and amounts["budget"][0] == 0 < amounts.get("eu_contribution", (0,))[0]:
            del amounts["budget"]
            self.result.quality.zero_budgets += 1
            warnings.append(f"{section} budget of 0 left out beside a positive EU contribution (a budget holds its "
                            "contribution: the source gives none)")
        lines = [line for _, line in amounts.values()]
        if lines and project not in self._priced:
            lines.append(f"{project} {_CURRENCY} {self._currency} .\n")
            self._priced.add(project)
        return lines

    def _project(self, cells: Cells, project_key: tuple[str, ...], project: str, warnings: list[str]) \
            -> list[str]:
        prefix = self.mapping.prefix
        lines = [f"{project} {_TYPE} {_PROJECT_CLASS} .\n"]
        named = False
        for key, predicate in (("acronym", COOP.acronym), ("title", COOP.title)):
            text = self._read["project", key](cells)
            if text:
                lines.append(f"{project} {_p(predicate)} {_literal(text)} .\n")
                named = True
        if not named:  # the shapes want a title or an acronym: the source's own identifier is the one name it gives
            identifier = _literal(" ".join(project_key))
            lines += [f"{project} {_p(COOP.acronym)} {identifier} .\n",
                      *self._inferred(project, _p(COOP.acronym), identifier,
                                      "The source gives no acronym or title; the project is named by its identifier.")]
        for key, predicate in (("start", COOP.startDate), ("end", COOP.endDate)):
            text = self._read["project", key](cells)
            if text:
                try:
                    iso = values.date(text, self.mapping.date_formats)
                except ValueError as error:
                    warnings.append(f"project {key} left out: {error}")
                    continue
                lines.append(f"{project} {_p(predicate)} {_typed(iso, _DATE_TYPES[len(iso)])} .\n")
        for key, kind, cls, predicate in (("programme", "programme", COOP.Programme, COOP.programme),
                                          ("topic", "topic", COOP.Topic, COOP.topic)):
            code = self._read["project", key](cells)
            if not code:
                continue
            node = _mint(kind, prefix, code)
            lines.append(f"{project} {_p(predicate)} {node} .\n")
            if node not in self._written:
                title = self._read["project", f"{key}_title"](cells) or code
                lines += [f"{node} {_TYPE} {_p(cls)} .\n",
                          f"{node} {_p(SKOS.prefLabel)} {_literal(title)} .\n",
                          f"{node} {_p(COOP.acronym if key == 'programme' else SKOS.notation)} {_literal(code)} .\n"]
                self._written.add(node)
        for theme in (t.strip() for t in self._read["project", "theme"](cells).split(";")):
            if theme:
                node = _mint("theme", prefix, theme)
                lines.append(f"{project} {_p(COOP.theme)} {node} .\n")
                if node not in self._written:
                    lines += [f"{node} {_TYPE} {_p(COOP.Theme)} .\n", f"{node} {_PREF_LABEL} {_literal(theme)} .\n"]
                    self._written.add(node)
        lines += self._amounts(cells, "project", project, project, warnings)
        return lines

    def _organisation(self, cells: Cells, organisation: str, name: str) -> list[str]:
        """What the first row of an organisation says of it (its place comes once all rows are read).

        A short name that is the name itself (1,604 CORDIS organisations) is not written: the name, the
        organisation's ``skos:prefLabel``, already says it to every query and page.
        """
        lines = [f"{organisation} {_TYPE} {_ORGANISATION_CLASS} .\n"]
        for key, predicate in _ORGANISATION_LITERALS:
            text = self._read["organisation", key](cells)
            if text and not (key == "short_name" and text == name):
                lines.append(f"{organisation} {predicate} {_literal(text)} .\n")
        homepage = self._read["organisation", "homepage"](cells)
        if homepage:
            lines.append(f"{organisation} {_HOMEPAGE} {_typed(homepage, _ANY_URI)} .\n")
        kind = self.mapping.type_values.get(self._read["organisation", "type"](cells).casefold())
        if kind:
            lines.append(f"{organisation} {_ORGANISATION_TYPE} {_p(ORGTYPE[kind])} .\n")
        return lines

