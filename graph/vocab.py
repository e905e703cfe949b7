"""Closed Python vocabularies of the coopgraph ontology.

rdflib's ``DefinedNamespace`` refuses unknown terms, so ``COOP.Projcet`` fails when it is used
instead of silently minting a new IRI; a test keeps these classes in step with
``ontology/coopgraph.ttl``.

Examples
--------
>>> from coopgraph.vocab import COOP, ROLE
>>> COOP.Participation
rdflib.term.URIRef('https://w3id.org/coopgraph/ontology#Participation')
>>> ROLE.leadPartner
rdflib.term.URIRef('https://w3id.org/coopgraph/role/leadPartner')
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

#: IRIs of things described by coopgraph itself (projects, organisations, documents...).
ID = Namespace("https://w3id.org/coopgraph/id/")
#: IRIs of the named graphs of the store, one per source.
GRAPH = Namespace("https://w3id.org/coopgraph/graph/")
#: EU NUTS region URIs, e.g. ``NUTS["SE321"]``.
NUTS = Namespace("http://data.europa.eu/nuts/code/")
#: EU Publications Office country authority URIs, e.g. ``COUNTRY["SWE"]``.
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
#: W3C Basic Geo (WGS84) vocabulary: ``geo:lat`` and ``geo:long`` of a place.
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
#: The EU's NUTS concept schemes by version, e.g. ``NUTS_SCHEME["2021"]``.
NUTS_SCHEME = Namespace("http://data.europa.eu/nuts/scheme/")
#: The statistical regions of EFTA and candidate countries, published with NUTS 2021 but not part of it.
STATISTICAL_REGIONS_SCHEME = ID["scheme/statistical-regions-2021"]


class COOP(DefinedNamespace):
    """Classes and properties of the coopgraph ontology."""

    _NS = Namespace("https://w3id.org/coopgraph/ontology#")
    _fail = True

    # classes
    Project: URIRef
    WorkPackage: URIRef
    Organisation: URIRef
    OrganisationalUnit: URIRef
    Network: URIRef
    Participation: URIRef
    Role: URIRef
    OrganisationType: URIRef
    Region: URIRef
    Country: URIRef
    Programme: URIRef
    Fund: URIRef
    Event: URIRef
    Theme: URIRef
    Topic: URIRef
    SourceDocument: URIRef
    Source: URIRef
    Inference: URIRef
    # descriptive properties
    acronym: URIRef
    title: URIRef
    description: URIRef
    startDate: URIRef
    endDate: URIRef
    date: URIRef
    place: URIRef
    participantCount: URIRef
    number: URIRef
    unnamed: URIRef
    # projects, programmes, funds
    programme: URIRef
    fund: URIRef
    theme: URIRef
    topic: URIRef
    continues: URIRef
    partOf: URIRef
    eventOf: URIRef
    budget: URIRef
    euContribution: URIRef
    currency: URIRef
    # participation
    project: URIRef
    participation: URIRef
    organisation: URIRef
    role: URIRef
    partnerNumber: URIRef
    # organisations, networks, places
    organisationType: URIRef
    pic: URIRef
    vatNumber: URIRef
    locality: URIRef
    homepage: URIRef
    unitOf: URIRef
    hasMember: URIRef
    region: URIRef
    regionAsGiven: URIRef
    country: URIRef
    nutsLevel: URIRef
    isoCode: URIRef
    iso3Code: URIRef
    euCode: URIRef
    # provenance
    fileName: URIRef
    importer: URIRef
    mapping: URIRef
    inputDigest: URIRef
    rowsRead: URIRef
    rowsImported: URIRef
    rowsRejected: URIRef
    sha256: URIRef
    sourceName: URIRef
    graph: URIRef
    unpublishedGraph: URIRef
    justification: URIRef
    # matching
    nameMatch: URIRef


class ROLE(DefinedNamespace):
    """The participation role scheme (SKOS concepts)."""

    _NS = Namespace("https://w3id.org/coopgraph/role/")
    _fail = True

    scheme: URIRef
    leadPartner: URIRef
    partner: URIRef
    associatedPartner: URIRef
    coFinancier: URIRef
    coordinator: URIRef
    participant: URIRef
    thirdParty: URIRef


class ORGTYPE(DefinedNamespace):
    """The organisation type scheme (SKOS concepts)."""

    _NS = Namespace("https://w3id.org/coopgraph/organisation-type/")
    _fail = True

    scheme: URIRef
    municipality: URIRef
    regionalAuthority: URIRef
    associationOfLocalAuthorities: URIRef
    publicAgency: URIRef
    university: URIRef
    researchOrganisation: URIRef
    association: URIRef
    network: URIRef
    company: URIRef
    other: URIRef


#: Prefixes bound in every store, so ad-hoc SPARQL may use them without PREFIX lines.
PREFIXES = {
    "coop": COOP._NS,
    "role": ROLE._NS,
    "orgtype": ORGTYPE._NS,
    "id": ID,
    "nuts": NUTS,
    "country": COUNTRY,
    "geo": GEO,
    "skos": Namespace("http://www.w3.org/2004/02/skos/core#"),
    "prov": Namespace("http://www.w3.org/ns/prov#"),
    "graph": GRAPH,
    "dcterms": Namespace("http://purl.org/dc/terms/"),
    "org": Namespace("http://www.w3.org/ns/org#"),
    "schema": Namespace("https://schema.org/"),
    "xsd": Namespace("http://www.w3.org/2001/XMLSchema#"),
    "rdfs": Namespace("http://www.w3.org/2000/01/rdf-schema#"),
    "rdf": Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    "owl": Namespace("http://www.w3.org/2002/07/owl#"),
}
