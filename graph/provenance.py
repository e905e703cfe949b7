"""What the catalog records about a source, in PROV-O terms.

A ``coop:Source`` is the import of a source into the store, a ``prov:Activity``: it ``prov:used`` the
files it read (each a ``prov:Entity`` with its name and checksum) and ``coop:graph`` (a ``prov:generated``)
names the graph it wrote, which the store stamps with ``prov:generatedAtTime``. Nothing is both
an entity and an activity, as PROV requires.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from coopgraph.store import source_iri
from coopgraph.vocab import COOP


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_provenance(name: str, files: list[Path], digests: dict[Path, str] | None = None) -> Graph:
    """The import ``name`` as a ``coop:Source`` that ``prov:used`` each of ``files``, with its name and checksum."""
    digests = digests or {}
    source = source_iri(name)
    graph = Graph()
    graph.add((source, RDF.type, COOP.Source))
    for number, path in enumerate(files):
        used = URIRef(f"{source}#input-{number}")  # the catalog drops it with the source
        graph.add((source, PROV.used, used))
        graph.add((used, RDF.type, PROV.Entity))
        graph.add((used, COOP.fileName, Literal(path.name)))
        graph.add((used, COOP.sha256, Literal(digests.get(path) or file_digest(path))))
    return graph
