"""Rows to N-Triples with a mapping: one participation per row, its project and organisation once.

Each row becomes the triples of one participation, and of its project and organisation the first
time they are met. A row is rejected whole, with the reason, only when it cannot say who took part
in what under which role (no project id, no organisation name, a role the mapping does not know);
a value that cannot be read or resolved (an impossible date, a garbled amount, an unknown NUTS code)
is left out and reported as a warning, so that no partnership is lost over it.
Triples are streamed as N-Triples text into a file, which Oxigraph bulk-loads far faster than it
takes rdflib objects, and without holding a million lines in memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import IO
from urllib.parse import quote

from rdflib.namespace import RDF, SKOS, XSD

from coopgraph.importers import values
from coopgraph.importers.countries import country_iri, find_country, nuts_country_code
from coopgraph.importers.mapping import Mapping
from coopgraph.importers.nuts import find_region, find_region_by_name
from coopgraph.importers.tables import Row
from coopgraph.vocab import COOP, ID, ORGTYPE, ROLE


class RowRejected(Exception):
    """A row that cannot be imported; the message is the reason."""


# Written by hand rather than with coopgraph.terms.sparql_term: a million literals an import, and
# N-Triples needs only these four characters escaped in a string.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPE = f"<{RDF.type}>"


def _literal(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def _typed(text: str, datatype: str) -> str:
    return f"{_literal(text)}^^<{datatype}>"


@cache
def _p(term) -> str:
    """A vocabulary term as N-Triples (cached: the same few terms are written a million times)."""
    return f"<{term}>"


@cache
def _quoted(part: str) -> str:
    return quote(part, safe="")


def _mint(kind: str, *parts: str) -> str:
    return f"<{ID}{kind}/{'/'.join(_quoted(part) for part in parts)}>"


_COUNTRY = _p(COOP.country)
_CURRENCY = _p(COOP.currency)
_HOMEPAGE = _p(COOP.homepage)
_MONETARY_AMOUNT_CLASS = _p(COOP.MonetaryAmount)
_ORGANISATION_CLASS, _ORGANISATION_OF = _p(COOP.Organisation), _p(COOP.organisation)
_ORGANISATION_TYPE = _p(COOP.organisationType)
_PARTICIPATION_CLASS = _p(COOP.Participation)
_PROJECT_CLASS, _PROJECT_OF = _p(COOP.Project), _p(COOP.project)
_REGION = _p(COOP.region)
_ROLE = _p(COOP.role)
_VALUE = _p(COOP.value)
_PREF_LABEL, _ALT_LABEL = _p(SKOS.prefLabel), _p(SKOS.altLabel)

_DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}


@dataclass
class Conversion:
    """How a table's rows were converted: counts, and what could not be used."""

    triples: int = 0
    rows_read: int = 0
    rows_imported: int = 0
    rejects: list[tuple[Row, str]] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    first_line_of_warning: dict[str, int] = field(default_factory=dict)


class Converter:
    """Turns rows into N-Triples written to ``sink``; remembers which projects and organisations it has written."""

    def __init__(self, mapping: Mapping, sink: IO[bytes]) -> None:
        self.mapping = mapping
        self.sink = sink
        self.result = Conversion()
        self._pending: list[str] = []
        self._written: set[str] = set()
        self._participations: set[str] = set()
        self._labels: dict[str, list[str]] = {}  # organisation -> its spellings, first seen first

    def add(self, row: Row) -> None:
        self.result.rows_read += 1
        try:
            if row.problem:
                raise RowRejected(row.problem)
            lines, warnings, written, labels = self._convert(row)
        except RowRejected as reason:
            self.result.rejects.append((row, str(reason)))
            return
        participation = lines[0].split(" ", 1)[0]
        if participation in self._participations:
            warnings.append("the same project, organisation and role as an earlier row: one participation "
                            "(give the mapping a [participation] id to tell them apart)")
        self._participations.add(participation)
        self._emit(lines)
        self.result.rows_imported += 1
        self._written |= written
        for iri, label in labels:
            spellings = self._labels.setdefault(iri, [])
            if label not in spellings:
                spellings.append(label)
        for warning in warnings:
            self.result.warnings[warning] += 1
            self.result.first_line_of_warning.setdefault(warning, row.line)

    def finish(self) -> Conversion:
        """Write each organisation's first spelling as its name and the others as variants; flush."""
        for iri, (first, *others) in self._labels.items():
            self._emit([f"{iri} {_PREF_LABEL} {_literal(first)} .\n",
                        *(f"{iri} {_ALT_LABEL} {_literal(label)} .\n" for label in others)])
        self._flush()
        return self.result

    def _emit(self, lines: list[str]) -> None:
        self._pending += lines
        if len(self._pending) >= 20_000:
            self._flush()

    def _flush(self) -> None:
        self.sink.write("".join(self._pending).encode("utf-8"))
        self.result.triples += len(self._pending)
        self._pending.clear()

    # -- one row ----------------------------------------------------------------------------------

    def _get(self, row: Row, section: str, key: str) -> str:
        """The first non-empty cell of the field's columns, tidied; '' when none."""
        for column in self.mapping.fields.get((section, key), ()):
            value = values.tidy(row.cells.get(column, ""))
            if value:
                return value
        return ""

    def _key(self, row: Row, section: str) -> list[str]:
        return [values.tidy(row.cells.get(c, "")) for c in self.mapping.fields.get((section, "id"), ())]

    def _convert(self, row: Row) -> tuple[list[str], list[str], set[str], list[tuple[str, str]]]:
        prefix = self.mapping.prefix
        lines: list[str] = []
        warnings: list[str] = []
        written: set[str] = set()
        labels: list[tuple[str, str]] = []

        project_key = self._key(row, "project")
        if not all(project_key):
            raise RowRejected(f"no project id ({' + '.join(self.mapping.fields[('project', 'id')])} empty)")
        project = _mint("project", prefix, *project_key)

        name = self._get(row, "organisation", "name")
        if not name:
            raise RowRejected(f"no organisation name ({', '.join(self.mapping.fields[('organisation', 'name')])} "
                              "empty)")
        country, country_warning = self._country(row)
        warnings += country_warning
        region, region_warnings = self._region(row, country)
        warnings += region_warnings
        if country is None and region is not None:
            country = region[1]
        organisation = self._organisation_iri(row, name, country)

        role = self._role(row)
        own_key = self._key(row, "participation")
        if own_key and all(own_key):  # the source numbers its participations (CORDIS: order)
            participation = _mint("participation", prefix, *project_key, *own_key)
        else:
            who = organisation[len(f"<{ID}organisation/"):-1]  # already IRI-safe
            participation = f"{_mint('participation', prefix, *project_key)[:-1]}/{who}/{role}>"
        lines += [f"{participation} {_TYPE} {_PARTICIPATION_CLASS} .\n",
                  f"{participation} {_PROJECT_OF} {project} .\n",
                  f"{participation} {_ORGANISATION_OF} {organisation} .\n",
                  f"{participation} {_ROLE} {_p(ROLE[role])} .\n"]
        lines += self._amounts(row, "participation", participation, warnings)

        if project not in self._written:
            lines += self._project(row, project, written, warnings)
            written.add(project)
        if organisation not in self._written:
            lines += self._organisation(row, organisation, country, region)
            written.add(organisation)
        labels.append((organisation, name))
        return lines, warnings, written, labels

    def _country(self, row: Row) -> tuple[str | None, list[str]]:
        text = self._get(row, "organisation", "country")
        if not text:
            return None, []
        country = find_country(text)
        if country is None:
            return None, [f"unknown country {text!r}: left out"]
        return _p(country), []

    def _region(self, row: Row, country: str | None) -> tuple[tuple[str, str] | None, list[str]]:
        """(region, its country) as N-Triples terms, and notes: the first NUTS code, then region name, that resolves."""
        notes, unresolved, region = [], [], None
        for column in self.mapping.fields.get(("organisation", "nuts"), ()):
            code = row.cells.get(column, "").strip()
            if code:
                region, note = find_region(code)
                if region is not None:
                    notes += [note] if note else []
                    break
                if note:
                    unresolved.append(note)
        if region is None and country is not None:
            for column in self.mapping.fields.get(("organisation", "region_name"), ()):
                text = values.tidy(row.cells.get(column, ""))
                if text:
                    region = find_region_by_name(text, nuts_country_code(country[1:-1]))
                    if region is not None:
                        break
                    unresolved.append(f"no NUTS 2021 region named {text!r}")
        if region is None:
            return None, notes + [f"{failed}: region left out" for failed in unresolved]
        notes += [f"{failed}: used {region.code} instead" for failed in unresolved]
        return (_p(region.iri), _p(country_iri(region.country_code))), notes

    def _organisation_iri(self, row: Row, name: str, country: str | None) -> str:
        key = self._key(row, "organisation")
        if key and all(key):
            return _mint("organisation", self.mapping.id_scheme or self.mapping.prefix, *key)
        place = country[1:-1].rsplit("/", 1)[-1] if country else "unknown-country"
        return _mint("organisation", self.mapping.prefix, place, values.name_key(name))

    def _role(self, row: Row) -> str:
        text = self._get(row, "participation", "role")
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

    def _amounts(self, row: Row, section: str, subject: str, warnings: list[str]) -> list[str]:
        lines = []
        for key, predicate, fragment in (("budget", COOP.budget, "budget"),
                                         ("eu_contribution", COOP.euContribution, "eu-contribution")):
            text = self._get(row, section, key)
            if not text:
                continue
            try:
                number: Decimal = values.amount(text)
            except ValueError as error:
                warnings.append(f"{section} {key} left out: {error}")
                continue
            node = f"{subject[:-1]}#{fragment}>"
            lines += [f"{subject} {_p(predicate)} {node} .\n",
                      f"{node} {_TYPE} {_MONETARY_AMOUNT_CLASS} .\n",
                      f"{node} {_VALUE} {_typed(format(number, 'f'), XSD.decimal)} .\n",
                      f"{node} {_CURRENCY} {_literal(self.mapping.currency)} .\n"]
        return lines

    def _project(self, row: Row, project: str, written: set[str], warnings: list[str]) -> list[str]:
        prefix = self.mapping.prefix
        lines = [f"{project} {_TYPE} {_PROJECT_CLASS} .\n"]
        for key, predicate in (("acronym", COOP.acronym), ("title", COOP.title)):
            text = self._get(row, "project", key)
            if text:
                lines.append(f"{project} {_p(predicate)} {_literal(text)} .\n")
        for key, predicate in (("start", COOP.startDate), ("end", COOP.endDate)):
            text = self._get(row, "project", key)
            if text:
                try:
                    iso = values.date(text, self.mapping.date_formats)
                except ValueError as error:
                    warnings.append(f"project {key} left out: {error}")
                    continue
                lines.append(f"{project} {_p(predicate)} {_typed(iso, _DATE_TYPES[len(iso)])} .\n")
        for key, kind, cls, predicate in (("programme", "programme", COOP.Programme, COOP.programme),
                                          ("topic", "topic", COOP.Topic, COOP.topic)):
            code = self._get(row, "project", key)
            if not code:
                continue
            node = _mint(kind, prefix, code)
            lines.append(f"{project} {_p(predicate)} {node} .\n")
            if node not in self._written and node not in written:
                title = self._get(row, "project", f"{key}_title") or code
                lines += [f"{node} {_TYPE} {_p(cls)} .\n",
                          f"{node} {_p(SKOS.prefLabel)} {_literal(title)} .\n",
                          f"{node} {_p(COOP.acronym if key == 'programme' else SKOS.notation)} {_literal(code)} .\n"]
                written.add(node)
        for theme in (t.strip() for t in self._get(row, "project", "theme").split(";")):
            if theme:
                node = _mint("theme", prefix, theme)
                lines.append(f"{project} {_p(COOP.theme)} {node} .\n")
                if node not in self._written and node not in written:
                    lines += [f"{node} {_TYPE} {_p(COOP.Theme)} .\n", f"{node} {_PREF_LABEL} {_literal(theme)} .\n"]
                    written.add(node)
        lines += self._amounts(row, "project", project, warnings)
        return lines

    def _organisation(self, row: Row, organisation: str, country: str | None,
                      region: tuple[str, str] | None) -> list[str]:
        lines = [f"{organisation} {_TYPE} {_ORGANISATION_CLASS} .\n"]
        for key, predicate in (("short_name", COOP.acronym), ("pic", COOP.pic), ("vat", COOP.vatNumber),
                               ("city", COOP.locality)):
            text = self._get(row, "organisation", key)
            if text:
                lines.append(f"{organisation} {_p(predicate)} {_literal(text)} .\n")
        homepage = self._get(row, "organisation", "homepage")
        if homepage:
            lines.append(f"{organisation} {_HOMEPAGE} {_typed(homepage, XSD.anyURI)} .\n")
        kind = self.mapping.type_values.get(self._get(row, "organisation", "type").casefold())
        if kind:
            lines.append(f"{organisation} {_ORGANISATION_TYPE} {_p(ORGTYPE[kind])} .\n")
        if country:
            lines.append(f"{organisation} {_COUNTRY} {country} .\n")
        if region:
            lines.append(f"{organisation} {_REGION} {region[0]} .\n")
        return lines

