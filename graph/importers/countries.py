"""Countries from ISO 3166 (pycountry), as EU authority URIs with English, Swedish and Polish names.

The EU institutions and NUTS write Greece as ``EL`` and the United Kingdom as ``UK`` where ISO
writes ``GR`` and ``GB``; every country carries both codes so data in either convention joins.
Kosovo has no ISO 3166 code; the EU country authority lists it as ``XKX``, and CORDIS and most
European data write it ``XK`` (the user-assigned code): it is a country here too.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from coopgraph.importers.values import name_key
from coopgraph.vocab import COOP, COUNTRY

#: ISO 3166-1 alpha-2 codes that EU sources write differently.
EU_CODE_OF_ISO = {"GR": "EL", "GB": "UK"}
ISO_CODE_OF_EU = {eu: iso for iso, eu in EU_CODE_OF_ISO.items()}
#: Languages of the country names besides English: those of the seed documents.
LANGUAGES = ("sv", "pl")


@dataclass(frozen=True)
class _Country:
    """A country pycountry lacks, in pycountry's shape, with its names in :data:`LANGUAGES`."""

    alpha_2: str
    alpha_3: str
    name: str
    names: dict[str, str]


#: Countries of the EU authority table that ISO 3166 (and so pycountry) lacks.
EXTRA_COUNTRIES = (_Country("XK", "XKX", "Kosovo", {"sv": "Kosovo", "pl": "Kosowo"}),)


def _all_countries() -> list:
    return [*pycountry.countries, *EXTRA_COUNTRIES]


def _country(code: str):
    code = ISO_CODE_OF_EU.get(code.upper(), code.upper())
    country = pycountry.countries.get(alpha_2=code) or next((c for c in EXTRA_COUNTRIES if c.alpha_2 == code), None)
    if country is None:
        raise KeyError(code)
    return country


def country_name(code: str) -> str:
    """English name of a country given its ISO or EU alpha-2 code; ``KeyError`` if unknown."""
    return _country(code).name


@cache
def country_iri(code: str) -> URIRef:
    """The EU authority URI of a country given its ISO or EU alpha-2 code (``SE``, ``EL``, ``UK``).

    Raises ``KeyError`` for a code that is not a country.

    Examples
    --------
    >>> country_iri("EL")
    rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/GRC')
    """
    return COUNTRY[_country(code).alpha_3]


@cache
def countries_graph() -> Graph:
    """All ISO 3166-1 countries, and Kosovo, as ``coop:Country`` resources."""
    translations = {
        language: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for language in LANGUAGES
    }
    graph = Graph()
    for country in _all_countries():
        iri = COUNTRY[country.alpha_3]
        graph.add((iri, RDF.type, COOP.Country))
        graph.add((iri, SKOS.prefLabel, Literal(country.name, lang="en")))
        for language, translation in translations.items():
            name = country.names[language] if isinstance(country, _Country) else translation.gettext(country.name)
            graph.add((iri, SKOS.prefLabel, Literal(name, lang=language)))
        if getattr(country, "common_name", None):
            graph.add((iri, SKOS.altLabel, Literal(country.common_name, lang="en")))
        graph.add((iri, COOP.isoCode, Literal(country.alpha_2)))
        graph.add((iri, COOP.iso3Code, Literal(country.alpha_3)))
        graph.add((iri, COOP.euCode, Literal(EU_CODE_OF_ISO.get(country.alpha_2, country.alpha_2))))
    return graph


@cache
def _countries_by_code_or_name() -> dict[str, URIRef]:
    graph = countries_graph()
    lookup: dict[str, URIRef] = {}
    for country in graph.subjects(RDF.type, COOP.Country):
        for name in (*graph.objects(country, SKOS.prefLabel), *graph.objects(country, SKOS.altLabel)):
            lookup[name_key(str(name))] = country
    for country in graph.subjects(RDF.type, COOP.Country):  # codes win over names
        for code in (graph.value(country, COOP.isoCode), graph.value(country, COOP.euCode),
                     graph.value(country, COOP.iso3Code)):
            lookup[name_key(str(code))] = country
    return lookup


@lru_cache(maxsize=4096)  # a table repeats a few spellings of its countries over its rows
def find_country(text: str) -> URIRef | None:
    """The country a cell means: an ISO or EU code (``SE``, ``EL``, ``SWE``) or a name in English,
    Swedish or Polish (``Sverige``, ``Szwecja``); None if it is none of them.

    Examples
    --------
    >>> find_country("Sverige") == find_country("se") == country_iri("SE")
    True
    >>> find_country("Atlantis") is None
    True
    >>> find_country("XK") == find_country("Kosowo") == country_iri("XK")
    True
    """
    return _countries_by_code_or_name().get(name_key(text))


@cache
def _nuts_codes() -> dict[str, str]:
    graph = countries_graph()
    return {str(country): str(code) for country, code in graph.subject_objects(COOP.euCode)}


def nuts_country_code(iri: str) -> str:
    """The code NUTS uses for a country given its authority IRI (``EL`` for Greece)."""
    return _nuts_codes()[str(iri)]
