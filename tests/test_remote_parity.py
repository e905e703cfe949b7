"""The same answers from every store: embedded Oxigraph, Oxigraph's server and Virtuoso.

Each store is given the same content through the command line (``init``, two imports, a load of Turtle with
hostile strings and blank nodes); then every named query, ``regions top`` for each weight and level (the
servers count these themselves), the networks, ``stats``, ``sources`` and ``validate`` must answer exactly as the
embedded store does, and so must the stores after ``remove``. The servers run on 127.0.0.1 (see ``tests/servers.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from test_validation import MORE_BROKEN, counted

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.network import WEIGHTS, Filters, network
from coopgraph.network.build import described
from coopgraph.sparql import catalogue
from coopgraph.store import PASSWORD_VARIABLE, USER_VARIABLE

SERVERS = [pytest.param("oxigraph_server", marks=pytest.mark.remote, id="oxigraph"),
           pytest.param("virtuoso_server", marks=[pytest.mark.remote, pytest.mark.virtuoso], id="virtuoso")]
NETWORK = FIXTURES / "network"
#: What the stores are given, command by command.
CONTENT = [
    ("init",),
    ("import", "cordis", str(FIXTURES / "cordis" / "organization.csv"), "--topics",
     str(FIXTURES / "cordis" / "topics.csv"), "--legal-basis", str(FIXTURES / "cordis" / "legalBasis.csv")),
    ("import", "interreg-se", str(NETWORK / "partners.csv")),
    ("import", "keep", str(FIXTURES / "keep" / "projects.csv"), str(FIXTURES / "keep" / "partners.csv")),
    ("load", str(FIXTURES / "hostile.ttl"), str(FIXTURES / "extra-project.ttl")),
]
#: Values for the parameters that have no default, by query.
VALUES = {"resolve-project": {"name": "PIKE"}, "resolve-organisation": {"name": "kommunforbundet-vasternorrland"}}
#: Rows per page on a server, small on purpose: the bulk reads of places (2,000 regions and countries) are paged.
PAGE_ROWS = 1000


def _environment(server) -> dict[str, str]:
    return {USER_VARIABLE: server.user, PASSWORD_VARIABLE: server.password} if server.user else {}


def _give_content(store: str, environment: dict[str, str], tmp_path: Path) -> None:
    for command in CONTENT:
        reports = ("--reports", str(tmp_path / "reports")) if command[0] == "import" else ()
        run_cli(*command, *reports, store=store, env=environment, check=True)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> str:
    """The embedded store on disk, given the content."""
    folder = tmp_path_factory.mktemp("parity")
    _give_content(str(folder / "store"), {}, folder)
    return str(folder / "store")


@pytest.fixture(scope="module", params=SERVERS)
def server(request, tmp_path_factory):
    """A server, emptied and given the content; its query endpoint is the store's location."""
    running = request.getfixturevalue(request.param)
    running.clear()
    _give_content(running.query_url, _environment(running), tmp_path_factory.mktemp("reports"))
    return running


@pytest.fixture
def both(embedded, server, monkeypatch):
    """The knowledge graph in the embedded store and on the server, opened from Python."""
    for name, value in _environment(server).items():
        monkeypatch.setenv(name, value)
    local, remote = coopgraph.open(embedded), coopgraph.open(server.query_url)
    remote.store.page_rows = PAGE_ROWS
    yield local, remote
    local.close()
    remote.close()


def _answer(kg, name: str):
    """A named query's answer, blank nodes anonymised: a multiset of rows, a set of triples, or a boolean."""
    query = catalogue()[name]
    result = kg.result(name, **{p.name: VALUES[name][p.name] for p in query.parameters if p.default is None})
    if result.type == "ASK":
        return result.askAnswer
    if result.type != "SELECT":
        return {tuple("_:" if isinstance(term, BNode) else term for term in triple) for triple in result.graph}
    rows = [tuple("_:" if isinstance(term, BNode) else term for term in row) for row in result]
    if name == "network-project-places":  # GROUP_CONCAT's order is the engine's
        rows = [(project, frozenset(places.split())) for project, places in rows]
    return Counter(rows)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_answers_the_same(both, name):
    local, remote = both
    expected = _answer(local, name)
    assert expected, f"{name} answers nothing here: the parity would prove nothing"
    assert _answer(remote, name) == expected


def test_blank_nodes_in_an_answer_are_read_as_such(both):
    """Blank nodes come back as blank nodes, one per node (Virtuoso names them ``nodeID://b10014`` in JSON results,
    a name no parser takes)."""
    query = "SELECT ?why ?justification WHERE { ?why coop:justification ?justification FILTER(isBlank(?why)) }"

    def inferences(kg) -> tuple[int, list]:
        rows = list(kg.query(query))
        assert all(isinstance(row.why, BNode) for row in rows)
        return len({row.why for row in rows}), sorted(row.justification for row in rows)

    local, remote = both
    assert inferences(local)[0] >= 2
    assert inferences(remote) == inferences(local)


def test_a_sorted_query_is_read_whole_in_its_order(both):
    """Read once, as it is: not re-sorted in pages, nor asked for a first page bigger than Virtuoso sorts for a
    ``LIMIT`` (10,000 rows), as a page of 50,000 rows was; and sorted alike (Virtuoso sorted LCASE's result, and a
    year beside a date, otherwise)."""
    local, remote = both
    remote.store.page_rows = 20_000
    for name in ("projects", "organisation-projects"):
        expected = local.rows(name)
        assert len(expected) > 1
        assert remote.rows(name) == expected


def test_more_rows_than_an_answer_holds_with_long_values_are_read_whole(both, tmp_path):
    """Read in pages, sorted: by values longer than Virtuoso sorts by too (1,900 bytes, as the places of a project
    at 10 times CORDIS)."""
    turtle = tmp_path / "long.ttl"
    turtle.write_text("".join(f'<http://example.org/long/{n}> <http://example.org/text> "{n} {part} {"x" * 300}" .\n'
                              for n in range(PAGE_ROWS + 200) for part in range(8)), encoding="utf-8")
    query = ('SELECT ?thing (GROUP_CONCAT(?text; SEPARATOR=" ") AS ?texts) WHERE { ?thing <http://example.org/text> '
             '?text } GROUP BY ?thing')
    local, remote = both
    for kg in both:
        kg.load(turtle)
    try:
        expected = {thing: sorted(texts.split()) for thing, texts in local.rows(query)}
        assert len(expected) == PAGE_ROWS + 200 and min(map(len, expected.values())) == 8 * 3
        assert {thing: sorted(texts.split()) for thing, texts in remote.rows(query)} == expected
    finally:
        for kg in both:
            kg.remove("file/long.ttl")


def test_validating_finds_the_same_violations(both, tmp_path):
    """The shapes' queries (sets taken away with ``MINUS``, subclasses, casts, counts) run on the server as here: the
    same violations of broken data, blank nodes compared as blank."""
    broken = tmp_path / "more-broken.ttl"
    broken.write_text(MORE_BROKEN, encoding="utf-8")
    files = [FIXTURES / "broken.ttl", broken]
    local, remote = both
    for kg in both:
        kg.load(files)
    try:
        expected = counted(local.validate().violations)
        assert sum(expected.values()) >= 38
        assert counted(remote.validate().violations) == expected
    finally:
        for kg in both:
            for path in files:
                kg.remove(f"file/{path.name}")


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_regions_top_prints_the_same_for_each_weight(embedded, server, level):
    environment = _environment(server)
    for weight in WEIGHTS:
        command = ("regions", "top", "--level", str(level), "--weight", weight, "-n", "1000", "-f", "csv")
        expected = run_cli(*command, store=embedded, check=True).stdout
        assert expected.count("\n") > 1, f"no pairs at level {level}"
        assert run_cli(*command, store=server.query_url, env=environment, check=True).stdout == expected


@pytest.mark.parametrize("filters", [Filters(programme="HORIZON"), Filters(roles=("lead", "partner")),
                                     Filters(first_year=2021, last_year=2024), Filters(source="keep/partners.csv")],
                         ids=lambda filters: ",".join(f"{k}={v}" for k, v in described(filters).items()))
def test_filtered_rankings_are_the_same(both, server, filters):
    from coopgraph.network import top_pairs

    local, remote = both
    for level in (0, 2):
        expected = top_pairs(local, level, "association", None, filters)
        assert expected
        assert _close(top_pairs(remote, level, "association", None, filters), expected)


@pytest.mark.parametrize("of, level", [("organisations", 2), ("regions", 2), ("regions", 3), ("countries", 0)])
def test_networks_are_the_same(both, of, level):
    local, remote = both
    expected, got = network(local, of, level), network(remote, of, level)
    assert expected.number_of_edges() > 0
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert got.graph == expected.graph
    assert _close({frozenset(e): v for *e, v in got.edges(data=True)},
                  {frozenset(e): v for *e, v in expected.edges(data=True)})


@pytest.mark.parametrize("command", [("stats",), ("sources",)], ids=" ".join)
def test_the_command_prints_the_same(embedded, server, command):
    expected = run_cli(*command, store=embedded, check=True).stdout
    assert run_cli(*command, store=server.query_url, env=_environment(server), check=True).stdout == expected


def test_an_export_gives_the_same_triples(embedded, server):
    """A source with hostile strings and blank nodes, written out by each store: the same graph."""
    command = ("export", "-f", "nt", "--graph", "file/hostile.ttl")
    expected = Graph().parse(data=run_cli(*command, store=embedded, check=True).stdout, format="nt")
    got = run_cli(*command, store=server.query_url, env=_environment(server), check=True).stdout
    assert len(expected) > 5
    assert isomorphic(Graph().parse(data=got, format="nt"), expected)


def test_removing_a_source_leaves_the_same(embedded, server, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(embedded, copy)
    environment = _environment(server)
    for store, env in ((str(copy), {}), (server.query_url, environment)):
        run_cli("remove", "interreg-se/partners.csv", store=store, env=env, check=True)
    for command in (("stats",), ("regions", "top", "--level", "2", "-f", "csv")):
        assert run_cli(*command, store=server.query_url, env=environment, check=True).stdout == \
            run_cli(*command, store=str(copy), check=True).stdout
    # and back, so that the other tests of this server see its content
    run_cli("import", "interreg-se", str(NETWORK / "partners.csv"), "--reports", str(tmp_path / "reports"),
            store=server.query_url, env=environment, check=True)


def _close(got, expected) -> bool:
    """Equal, numbers to 12 significant digits (a server may sum in another order)."""
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(_close(got[key], expected[key]) for key in expected)
    if isinstance(expected, list):
        return len(got) == len(expected) and all(_close(a, b) for a, b in zip(got, expected, strict=True))
    if isinstance(expected, float):
        return math.isclose(got, expected, rel_tol=1e-12)
    return got == expected

