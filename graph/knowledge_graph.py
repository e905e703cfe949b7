"""The knowledge graph: a store plus what coopgraph knows how to put in it and ask of it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import IO, Callable, Iterable
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.query import Result, ResultRow
from rdflib.util import guess_format

from coopgraph.importers.countries import countries_graph
from coopgraph.importers.nuts import nuts_graph
from coopgraph.sparql import NamedQuery, resolve
from coopgraph.store import Store, StoreError, open_store, rdf_format
from coopgraph.validation import ValidationReport, validate
from coopgraph.vocab import GRAPH, PREFIXES


def _packaged_turtle(package: str, *path: str) -> Callable[[], Graph]:
    def read() -> Graph:
        text = files(package).joinpath(*path).read_text(encoding="utf-8")
        return Graph().parse(data=text, format="turtle")

    return read


#: The sources ``init`` loads, each into its own named graph, in load order.
BUILT_IN_SOURCES: dict[str, Callable[[], Graph]] = {
    "ontology": _packaged_turtle("coopgraph.ontology", "coopgraph.ttl"),
    "countries": countries_graph,
    "nuts-2021": nuts_graph,
    "seed": _packaged_turtle("coopgraph", "data", "seed.ttl"),
}


def graph_iri(name: str) -> URIRef:
    """The IRI of a named graph given its short name (``seed``, ``file/x.ttl``) or its full IRI."""
    return URIRef(name) if name.startswith(("http://", "https://", "urn:")) else GRAPH[name]


def graph_name(iri: URIRef) -> str:
    """The short name of a named graph of coopgraph's own, else its IRI."""
    return str(iri).removeprefix(str(GRAPH))


@dataclass(frozen=True)
class Stats:
    graphs: dict[str, int]
    counts: dict[str, int]


class KnowledgeGraph:
    """Cooperation projects, organisations, regions and programmes in one RDF dataset.

    Use :func:`coopgraph.open` to get one. Each source lives in its own named graph; queries see
    their union.

    Examples
    --------
    >>> import coopgraph
    >>> kg = coopgraph.open(":memory:")
    >>> [str(row.acronym) for row in kg.query("projects")][:2]
    ['BitStream I', 'INNOCAP']
    >>> kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a coop:Project }")[0].n.value
    8
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        for prefix, namespace in PREFIXES.items():
            store.dataset.bind(prefix, namespace, override=True)

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    @property
    def dataset(self):
        """The rdflib ``Dataset`` behind the graph (its default graph is the union of all sources)."""
        return self.store.dataset

    # -- building -----------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        """Whether ``init`` has run: the seed graph is in the store."""
        return GRAPH["seed"] in self.store.graph_sizes()

    def init(self) -> None:
        """(Re)load the ontology, countries, NUTS 2021 regions and the seed graph."""
        self.store.replace_graphs({GRAPH[name]: build() for name, build in BUILT_IN_SOURCES.items()})

    def load(self, paths: Iterable[str | os.PathLike], format: str | None = None) -> list[URIRef]:
        """Load RDF files, each into the named graph ``file/<file name>`` (replacing an earlier load).

        All files are parsed before any is published: if one fails, the store is left as it was.
        """
        sources = {}
        for path in map(Path, paths):
            if not path.is_file():
                raise StoreError(f"cannot read {path}: no such file")
            sources[GRAPH["file/" + quote(path.name, safe="")]] = (path, rdf_format(path, format))
        self.store.load_graphs(sources)
        return list(sources)

    def remove(self, name: str) -> bool:
        """Remove a named graph; return whether it existed."""
        return self.store.remove_graph(graph_iri(name))

    # -- asking -------------------------------------------------------------------------------

    def result(self, query: str | NamedQuery, **params: object) -> Result:
        """The rdflib ``Result`` of a named query, a ``.rq`` file or SPARQL text, parameters bound."""
        named = query if isinstance(query, NamedQuery) else resolve(query)
        sparql = named.bind(params)
        try:
            return self.store.query(sparql)
        except SyntaxError as error:
            raise StoreError(f"bad SPARQL in {named.name}: {error}") from error
        except (ValueError, OSError) as error:
            raise StoreError(f"{named.name} failed: {error}") from error

    def query(self, query: str | NamedQuery, **params: object) -> list[ResultRow] | Graph | bool:
        """Rows of a SELECT (``row.name`` or ``row["name"]``), a graph for CONSTRUCT, a bool for ASK."""
        result = self.result(query, **params)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph
        return list(result)

    def query_df(self, query: str | NamedQuery, **params: object):
        """A SELECT answer as a pandas DataFrame of Python values (IRIs as strings); needs pandas."""
        import pandas  # optional dependency: `pip install coopgraph[dataframe]`

        result = self.result(query, **params)
        columns = [str(v) for v in result.vars]
        rows = [[None if t is None else (str(t) if isinstance(t, URIRef) else t.toPython()) for t in row]
                for row in result]
        return pandas.DataFrame(rows, columns=columns)

    def serialized(self, query: str | NamedQuery, solutions_type: str, graph_type: str, **params) -> bytes:
        """A query's answer serialised in the given media types (see ``Store.query_serialized``)."""
        named = query if isinstance(query, NamedQuery) else resolve(query)
        return self.store.query_serialized(named.bind(params), solutions_type, graph_type)

    def stats(self) -> Stats:
        """Triples per named graph and counts of the main kinds of things."""
        sizes = {graph_name(iri): size for iri, size in sorted(self.store.graph_sizes().items())}
        row = self.query("counts")[0]
        return Stats(sizes, {str(name): int(row[name]) for name in row.labels})

    def export(self, output: IO[bytes], format: str = "ttl", graph: str | None = None) -> None:
        """Write one named graph, or the union of all, as Turtle, N-Triples or JSON-LD."""
        self.store.export(output, rdf_format(Path(f"export.{format}")), graph_iri(graph) if graph else None)

    def validate(self, paths: Iterable[str | os.PathLike] = ()) -> ValidationReport:
        """SHACL-validate RDF files (with the ontology), or the whole store when none are given."""
        data = BUILT_IN_SOURCES["ontology"]()
        paths = [Path(path) for path in paths]
        for path in paths:
            rdf_format(path)  # refuses a file whose format cannot be told, with a clear message
            try:
                data.parse(path, format=guess_format(str(path)))
            except (OSError, SyntaxError, ValueError) as error:
                raise StoreError(f"cannot read {path}: {error}") from error
        if not paths:
            data += self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return validate(data)


def open(store: str | os.PathLike | None = None, *, on_init: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """Open the knowledge graph in ``store`` (a directory, ``:memory:``, or the default).

    The default is ``$COOPGRAPH_STORE`` or ``./coopgraph-store``. A store that has not been
    initialised yet is initialised first; ``on_init`` is told so with a one-line notice.
    """
    kg = KnowledgeGraph(open_store(store))
    if not kg.is_initialised():
        if on_init is not None:
            on_init(f"initialising {kg.store} with the ontology, countries, NUTS 2021 and the seed graph")
        kg.init()
    return kg
