"""Declarative table mappings: which columns say what, so that a new source needs a TOML file, not code.

A mapping has a section per kind of thing a row describes (see the README for every key)::

    [source]
    prefix = "interreg-se"          # minted IRIs: id:project/interreg-se/...
    [project]
    id = ["program", "projektnamn"] # a column, or columns that together identify the project
    title = "projektnamn"
    start = "startdatum"
    [organisation]
    name = "organisationsnamn"
    country = "land"
    region_name = ["nuts3", "nuts2"]  # first column that resolves wins
    [participation]
    role = "organisationsroll"
    role_values = { LP = "leadPartner", PP = "partner", AP = "associatedPartner" }

The rows are turned into triples by :mod:`coopgraph.importers.converter`.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from coopgraph.importers import nuts_versions, values
from coopgraph.importers.tables import ENCODING
from coopgraph.vocab import ORGTYPE, ROLE

SECTIONS = {
    "source": {"prefix", "delimiter", "sheet", "encoding", "date_formats", "currency", "na_values", "decimal",
               "thousands", "nuts_version"},
    "project": {"id", "acronym", "title", "start", "end", "programme", "programme_title", "topic", "topic_title",
                "theme", "budget", "eu_contribution"},
    "organisation": {"id", "id_scheme", "name", "short_name", "pic", "vat", "country", "nuts", "nuts_version",
                     "region_name", "city", "homepage", "type", "type_values", "geolocation", "latitude",
                     "longitude"},
    "participation": {"id", "role", "role_values", "default_role", "budget", "eu_contribution"},
}
REQUIRED = {("source", "prefix"), ("project", "id"), ("organisation", "name")}
#: Cells that mean "no value" unless the mapping says otherwise (pandas' defaults, less ``NaN`` and more).
NA_VALUES = frozenset({"", "NA", "N/A", "n/a", "-", "--", "null", "NULL", "None", "#N/A", "."})
#: The marks a number may use: decimal marks, and thousands separators.
DECIMAL_MARKS, THOUSANDS_MARKS = (".", ","), (".", ",", " ", "'", "\u2019")


class MappingError(Exception):
    """A mapping file is wrong; the message says where."""


def _columns(value, where: str) -> tuple[str, ...]:
    """A field's column or columns; anything else is a mistake in the mapping."""
    columns = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise MappingError(f"{where} must be a column name or a list of column names, not {value!r}")
    return columns


def _text(value, where: str, pattern: str = r".+") -> str:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise MappingError(f"{where} must be text{'' if pattern == '.+' else ' like ' + pattern}, not {value!r}")
    return value


def _table(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise MappingError(f"{where} must be a table of values, like {{ LP = \"leadPartner\" }}, not {value!r}")
    return {str(k).strip().casefold(): v for k, v in value.items()}


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping: column names per field, value tables, and defaults."""

    name: str
    prefix: str
    fields: dict[tuple[str, str], tuple[str, ...]]
    role_values: dict[str, str] = field(default_factory=dict)   # case-folded source value -> role
    role_names: str = ""                                         # the source values, as the mapping writes them
    default_role: str | None = None
    type_values: dict[str, str] = field(default_factory=dict)
    id_scheme: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    encoding: str = ENCODING
    currency: str = "EUR"
    date_formats: tuple[str, ...] = values.DATE_FORMATS
    na_values: frozenset[str] = NA_VALUES                           # missing in every column not named below
    column_na_values: dict[str, frozenset[str]] = field(default_factory=dict)  # column or field -> its own
    decimal: str | None = None
    thousands: str | None = None
    nuts_version: int | None = None
    text: str = ""

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise MappingError(f"cannot read mapping {path}: {error.strerror}") from None
        return cls.parse(text, path.name)

    @classmethod
    def parse(cls, text: str, name: str = "mapping") -> Mapping:
        try:
            spec = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise MappingError(f"{name}: {error}") from None
        for section, keys in spec.items():
            if section not in SECTIONS:
                raise MappingError(f"{name}: unknown section [{section}] (sections: {', '.join(SECTIONS)})")
            unknown = set(keys) - SECTIONS[section]
            if unknown:
                raise MappingError(f"{name}: unknown key(s) {', '.join(sorted(unknown))} in [{section}]")
        for section, key in REQUIRED:
            if key not in spec.get(section, {}):
                raise MappingError(f"{name}: [{section}] needs {key}")
        tables = {"role_values", "type_values"}
        settings = {"id_scheme", "default_role", "prefix", "delimiter", "sheet", "encoding", "currency",
                    "date_formats", "na_values", "decimal", "thousands", "nuts_version"}
        fields = {(section, key): _columns(value, f"{name}: [{section}] {key}") for section, keys in spec.items()
                  if section != "source" for key, value in keys.items() if key not in tables | settings}
        participation, organisation, source = (spec.get(s, {}) for s in ("participation", "organisation", "source"))
        role_values = _table(participation.get("role_values", {}), f"{name}: [participation] role_values")
        type_values = _table(organisation.get("type_values", {}), f"{name}: [organisation] type_values")
        default_role = participation.get("default_role")
        prefix = _text(source["prefix"], f"{name}: [source] prefix", r"[A-Za-z0-9][A-Za-z0-9._-]*")
        if "id_scheme" in organisation:
            _text(organisation["id_scheme"], f"{name}: [organisation] id_scheme", r"[A-Za-z0-9][A-Za-z0-9._-]*")
        if "delimiter" in source:
            _text(source["delimiter"], f"{name}: [source] delimiter", r"[^\w\s\"]|\t")
        if "currency" in source:
            _text(source["currency"], f"{name}: [source] currency", r"[A-Z]{3}")
        if "encoding" in source:
            try:
                codecs.lookup(_text(source["encoding"], f"{name}: [source] encoding"))
            except LookupError:
                raise MappingError(f"{name}: [source] encoding {source['encoding']!r} is not an encoding") from None
        date_formats = source.get("date_formats", list(values.DATE_FORMATS))
        if not isinstance(date_formats, list) or not date_formats or not all(isinstance(f, str) for f in date_formats):
            raise MappingError(f"{name}: [source] date_formats must be a list of formats, like [\"%d/%m/%Y\"]")
        for concept in [*role_values.values(), *([default_role] if default_role else [])]:
            if concept not in ROLE.__annotations__ or concept == "scheme":
                raise MappingError(f"{name}: {concept!r} is not a role (roles: {_names(ROLE)})")
        for concept in type_values.values():
            if concept not in ORGTYPE.__annotations__ or concept == "scheme":
                raise MappingError(f"{name}: {concept!r} is not an organisation type (types: {_names(ORGTYPE)})")
        if ("participation", "role") not in fields and not default_role:
            raise MappingError(f"{name}: [participation] needs role or default_role")
        role_names = ", ".join(str(k) for k in participation.get("role_values", {}))
        na_values, column_na_values = _na_values(source.get("na_values", sorted(NA_VALUES)), name)
        decimal, thousands = _marks(source, name)
        return cls(name, prefix, fields, role_values, role_names, default_role, type_values,
                   organisation.get("id_scheme"), source.get("delimiter"), source.get("sheet"),
                   source.get("encoding", ENCODING), source.get("currency", "EUR"), tuple(date_formats),
                   na_values, column_na_values, decimal, thousands, _nuts_version(source, organisation, name), text)

    def check_columns(self, columns: Iterable[str], table: str, header: Iterable[str]) -> None:
        """Fail early, naming every column the mapping uses that the table lacks, and the ``header`` read."""
        columns = list(columns)
        missing = sorted({c for cols in self.fields.values() for c in cols} - set(columns))
        if missing:
            raise MappingError(f"{self.name}: {table} lacks column(s) {', '.join(missing)}; its header: "
                               f"{', '.join(map(repr, header))}")
        unknown = sorted(set(self.column_na_values) - set(columns) - {key for _, key in self.fields})
        if unknown:
            raise MappingError(f"{self.name}: [source] na_values names {', '.join(unknown)}, neither a column of "
                               f"{table} nor a field of the mapping")

    def missing_values(self, column: str) -> frozenset[str]:
        """The cells that mean "no value" in ``column``: its own list, its field's, or the mapping's."""
        if column in self.column_na_values:
            return self.column_na_values[column]
        for (_, key), columns in self.fields.items():
            if column in columns and key in self.column_na_values:
                return self.column_na_values[key]
        return self.na_values


def _na_values(value, name: str) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``na_values``: a list for every column, or a table of lists by column (or field) name."""
    def strings(items, where: str) -> frozenset[str]:
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise MappingError(f"{name}: [source] na_values{where} must be a list of cell values, like "
                               f"[\"\", \"NA\", \"-\"], not {items!r}")
        return frozenset({"", *(item.strip() for item in items)})

    if isinstance(value, dict):
        return NA_VALUES, {str(column): strings(items, f".{column}") for column, items in value.items()}
    return strings(value, ""), {}


def _marks(source: dict, name: str) -> tuple[str | None, str | None]:
    decimal, thousands = source.get("decimal"), source.get("thousands")
    if decimal is not None and decimal not in DECIMAL_MARKS:
        raise MappingError(f"{name}: [source] decimal must be \".\" or \",\", not {decimal!r}")
    if thousands is not None and thousands not in THOUSANDS_MARKS:
        raise MappingError(f"{name}: [source] thousands must be one of {', '.join(map(repr, THOUSANDS_MARKS))}, "
                           f"not {thousands!r}")
    if decimal is not None and decimal == thousands:
        raise MappingError(f"{name}: [source] decimal and thousands are both {decimal!r}")
    return decimal, thousands


def _nuts_version(source: dict, organisation: dict, name: str) -> int | None:
    """``nuts_version``, in [source] or beside the NUTS columns in [organisation]."""
    if "nuts_version" in source and "nuts_version" in organisation:
        raise MappingError(f"{name}: nuts_version is given twice, in [source] and [organisation]")
    version = source.get("nuts_version", organisation.get("nuts_version"))
    if version is not None and (isinstance(version, bool) or version not in nuts_versions.VERSIONS):
        raise MappingError(f"{name}: nuts_version must be one of "
                           f"{', '.join(map(str, nuts_versions.VERSIONS))}, not {version!r}")
    return version


def _names(namespace) -> str:
    return ", ".join(n for n in namespace.__annotations__ if n != "scheme")
