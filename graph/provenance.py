"""What the catalog records about a source: which files it was read from (with checksums) and when."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

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
    """A ``coop:Source`` read now from ``files``: the first one's name and checksum on the source itself,
    each further one (companion tables, the other sheet) as a ``prov:used`` entity."""
    digests = digests or {}
    source = source_iri(name)
    graph = Graph()
    graph.add((source, RDF.type, COOP.Source))
    graph.add((source, PROV.generatedAtTime, Literal(datetime.now(timezone.utc), datatype=XSD.dateTime)))
    for number, path in enumerate(files):
        subject = source if number == 0 else URIRef(f"{source}#input-{number}")
        if number:
            graph.add((source, PROV.used, subject))
            graph.add((subject, RDF.type, PROV.Entity))
        graph.add((subject, COOP.fileName, Literal(path.name)))
        graph.add((subject, COOP.sha256, Literal(digests.get(path) or file_digest(path))))
    return graph
