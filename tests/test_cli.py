"""The ``coopgraph`` command as a user runs it: a real process on a real store directory."""

import csv
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

import pytest
from rdflib import Graph, Literal, URIRef

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.sparql import catalogue
from coopgraph.store import CATALOG
from coopgraph.vocab import COOP, ID

COMMANDS = ("init", "load", "query", "queries", "validate", "stats", "export")


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert "COOPGRAPH_STORE" in result.stdout
    query_help = run_cli("query", "--help").stdout
    assert "--param" in query_help and "NAME=VALUE" in query_help and "csv" in query_help


def test_a_command_on_a_missing_store_initialises_it_with_a_notice(tmp_path):
    store = tmp_path / "new-store"
    result = run_cli("query", "projects", "--format", "csv", store=store)
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notices) == 1 and "initialising" in notices[0]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["project", "acronym", "title", "programme", "start", "end"]
    with coopgraph.open(store) as kg:
        assert len(rows) == len(kg.query("projects"))
    again = run_cli("query", "projects", "--format", "csv", store=store)
    assert again.stderr == ""  # initialised once


def test_store_location_from_the_environment(tmp_path):
    store = tmp_path / "env-store"
    result = run_cli("stats", "--format", "json", env={"COOPGRAPH_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    assert (store).is_dir()


def test_results_formats_parse_back(initialised_store):
    def run(fmt):
        result = run_cli("query", "partners", "--param", "project=PIKE", "--format", fmt, store=initialised_store)
        assert result.returncode == 0, result.stderr
        return result.stdout

    rows = list(csv.DictReader(io.StringIO(run("csv"))))
    assert list(rows[0]) == ["project", "organisation", "name", "role", "country", "region"]
    answer = json.loads(run("json"))
    assert answer["head"]["vars"] == ["project", "organisation", "name", "role", "country", "region"]
    assert len(answer["results"]["bindings"]) == len(rows)
    tsv = run("tsv").splitlines()
    assert tsv[0].split("\t") == ["?project", "?organisation", "?name", "?role", "?country", "?region"]
    assert len(tsv) == len(rows) + 1
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    results = ElementTree.fromstring(run("xml")).find(f"{namespace}results")
    assert len(results) == len(rows)
    table = run("table")
    assert f"{len(rows)} rows" in table
    assert "Kommunförbundet Västernorrland" in table


def test_construct_answers_are_rdf(initialised_store):
    result = run_cli("query", "CONSTRUCT { ?p a coop:Project } WHERE { ?p a coop:Project }", "--format", "json",
                     store=initialised_store)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format="json-ld")
    with coopgraph.open(initialised_store) as kg:
        assert len(graph) == kg.stats().counts["projects"]


@pytest.mark.parametrize("args, message", [
    (("query", "SELECT * WHERE { ?s ?p }"), "bad SPARQL"),
    (("query", "projets"), "no named query 'projets'"),
    (("query", "missing.rq"), "cannot read query file missing.rq"),
    (("query", "partners", "--param", "acronym=PIKE"), "has no parameter 'acronym'"),
    (("query", "partners", "--param", "PIKE"), "--param takes NAME=VALUE"),
    (("query", "region-pairs", "-p", "level=two"), "must be an integer"),
    (("load", "no-such-file.ttl"), "no such file"),
    (("load", str(FIXTURES / "not-turtle.ttl")), "cannot load"),
    (("validate", "no-such-file.ttl"), "cannot read"),
    (("export", "--graph", "nope"), "no source 'nope'"),
    (("export", "--out", "/no/such/dir/x.ttl"), "cannot write /no/such/dir/x.ttl: there is no folder /no/such/dir"),
    (("network", "--out", "nodir/x.csv"), "cannot write nodir/x.csv: there is no folder nodir"),
    (("query", "projects", "-f", "csv", "--limit", "3"), "--limit shortens tables"),
    (("regions", "profile", "SE999"), "SE999 is not a NUTS 2021 region"),
    (("query", "SELECT * WHERE { ?s foo:bar ?o }"), "bad SPARQL"),
    (("query", "CONSTRUCT WHERE { ?s ?p ?o }", "-p", "o=1"), "short form CONSTRUCT WHERE"),
    (("query", "region-pairs", "-p", "level=7"), "must be from 0 to 3, not 7"),
    (("query", "partners", "-p", "project=a", "-p", "project=b"), "parameter project is given twice"),
    (("query", "missing[/x] :100:.rq"), "cannot read query file missing[/x] :100:.rq"),
    (("query", "latin1.rq"), "not UTF-8"),
    (("validate", str(FIXTURES / "not-turtle.ttl")), "cannot read"),
    (("load", str(FIXTURES / "extra-project.ttl"), "copy/extra-project.ttl"), "two files are named extra-project.ttl"),
])
def test_errors_are_one_line_without_traceback(store_copy, args, message, tmp_path, monkeypatch):
    (tmp_path / "latin1.rq").write_bytes("# title: Malmö\nSELECT * WHERE { ?s ?p 'Malmö' }".encode("latin-1"))
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "extra-project.ttl").write_bytes((FIXTURES / "extra-project.ttl").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args, store=store_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_text_from_data_is_shown_as_it_is(store_copy, tmp_path):
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text('<https://example.org/o> <http://www.w3.org/2004/02/skos/core#prefLabel> '
                       '"Org [/x] [red]hidden[/red] :100:" .\n', encoding="utf-8")
    run_cli("load", str(hostile), store=store_copy, check=True)
    result = run_cli("query", "SELECT ?l WHERE { ?o skos:prefLabel ?l FILTER(CONTAINS(?l, 'Org')) }",
                     store=store_copy)
    assert result.returncode == 0, result.stderr
    assert "Org [/x] [red]hidden[/red] :100:" in result.stdout


def test_graph_answers_in_table_format_are_turtle(initialised_store):
    result = run_cli("query", "DESCRIBE <https://w3id.org/coopgraph/id/project/pike>", store=initialised_store,
                     env={"COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    title = Literal("Promoting Innovation and the Knowledge Economy", lang="en")
    assert (URIRef(f"{ID}project/pike"), COOP.title, title) in graph
    assert "coop:acronym" in result.stdout and "^^xsd:string" not in result.stdout


def test_init_loads_once(tmp_path):
    result = run_cli("init", store=tmp_path / "store")
    assert result.returncode == 0, result.stderr
    assert "initialising" not in result.stderr and "ready" in result.stderr


def test_one_option_vocabulary_help_and_version():
    for command in (("regions", "top"), ("regions", "profile"), ("network",)):
        usage = run_cli(*command, "-h")
        assert usage.returncode == 0 and "--top" in usage.stdout and "-n" in usage.stdout, command
        assert "--n " not in usage.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"coopgraph {coopgraph.__version__}"
    assert run_cli("-h").stdout == run_cli("--help").stdout


def test_a_region_that_is_no_region_fails_before_the_participations_are_read(initialised_store, monkeypatch):
    from coopgraph.network import NetworkError, region_profile

    kg = coopgraph.open(initialised_store)
    run = []
    rows = kg.rows
    monkeypatch.setattr(kg, "rows", lambda query, **params: (run.append(query), rows(query, **params))[1])
    try:
        with pytest.raises(NetworkError, match="SE999 is not a NUTS 2021 region"):
            region_profile(kg, "SE999")
    finally:
        kg.close()
    assert run == ["network-places"]


def test_serve_says_serving_once_it_listens_and_names_a_port_in_use(initialised_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("serve", "--port", str(port), store=initialised_store)
    assert busy.returncode == 1 and "serving" not in busy.stderr
    assert busy.stderr.strip() == (f"error: cannot listen on 127.0.0.1 port {port}: another program listens there; "
                                   "--port chooses another")
    server = subprocess.Popen([sys.executable, "-m", "coopgraph", "--store", str(initialised_store), "serve",
                               "--port", "0"], stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, server.kill)  # a server that never says a word does not hang the tests
    watchdog.start()
    try:
        said = next(line for line in server.stderr if "serving" in line)
        url = re.search(r"at (http://127\.0\.0\.1:\d+/) ", said).group(1)
        with urllib.request.urlopen(url + "static/style.css", timeout=30) as answer:  # listening when it said so
            assert answer.status == 200
        rebound = urllib.request.Request(url, headers={"Host": "rebound.example"})  # DNS rebinding
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound, timeout=30)
        assert refused.value.code == 400
    finally:
        watchdog.cancel()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_imports_write_their_reports_under_the_store(store_copy, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    done = run_cli("import", "interreg-se", str(FIXTURES / "interreg-se" / "partners.csv"), store=store_copy,
                   check=True)
    assert (store_copy / "reports" / "interreg-se--partners.csv" / "report.json").is_file()
    assert f"reports: {store_copy / 'reports'}" in done.stderr
    assert list(here.iterdir()) == []  # nothing in the current folder
    elsewhere = tmp_path.parent / f"{tmp_path.name}-reports"
    run_cli("import", "interreg-se", str(FIXTURES / "interreg-se" / "partners.csv"), "--reports", str(elsewhere),
            store=tmp_path.parent / f"{tmp_path.name}-store", check=True)
    assert (elsewhere / "interreg-se--partners.csv" / "report.json").is_file()


def test_plumbing_queries_are_listed_only_when_asked_for():
    internal = sorted(name for name, named in catalogue().items() if named.internal)
    meant = sorted(name for name, named in catalogue().items() if not named.internal)
    assert "network-participations" in internal and "describe" in internal and "projects" in meant

    def names(*arguments: str) -> list[str]:
        listing = run_cli("queries", *arguments, env={"COLUMNS": "200"}, check=True).stdout.splitlines()[2:-1]
        return sorted(line.split()[0] for line in listing if line and not line.startswith(" "))

    assert names() == meant and names("--all") == sorted(internal + meant)
    unknown = run_cli("query", "projets", store=":memory:")
    assert unknown.stderr.strip().endswith("lists them: " + ", ".join(meant))


def test_queries_lists_names_descriptions_and_parameters():
    result = run_cli("queries")
    assert result.returncode == 0
    for name in ("projects", "partners", "region-pairs", "partners-of-partners"):
        assert name in result.stdout
    assert "level (integer 0-3, default 2)" in result.stdout


def test_validate_passes_on_the_store_and_fails_on_a_broken_file(initialised_store):
    good = run_cli("validate", store=initialised_store)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "conforms" in good.stdout
    bad = run_cli("validate", str(FIXTURES / "broken.ttl"), store=initialised_store)
    assert bad.returncode == 1
    assert "does not conform" in bad.stderr
    assert "coop:currency" in bad.stdout and "coop:title" in bad.stdout and "coop:region" in bad.stdout


def test_stats_counts_graphs_and_things(initialised_store):
    result = run_cli("stats", "--format", "json", store=initialised_store)
    stats = json.loads(result.stdout)
    assert set(stats["graphs"]) == {"ontology", "countries", "nuts-2021", "seed"}
    with coopgraph.open(initialised_store) as kg:
        (counts,) = kg.query("counts")
        assert stats["counts"] == {name: int(counts[name]) for name in counts.labels}
    assert {"projects", "organisations", "regions", "programmes"} <= set(stats["counts"])
    assert "nuts-2021" in run_cli("stats", store=initialised_store).stdout


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_export_parses_back_to_the_same_graph(initialised_store, tmp_path, fmt, rdflib_format):
    target = tmp_path / f"seed.{fmt}"
    result = run_cli("export", "--graph", "seed", "--format", fmt, "--out", str(target), store=initialised_store)
    assert result.returncode == 0, result.stderr
    exported = Graph().parse(target, format=rdflib_format)
    with coopgraph.open(initialised_store) as kg:
        assert len(exported) == kg.store.sizes()["seed"]


def test_export_of_the_union_to_stdout(initialised_store):
    result = run_cli("export", "--format", "nt", store=initialised_store)
    with coopgraph.open(initialised_store) as kg:
        (catalog,) = kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CATALOG}> {{ ?s ?p ?o }} }}")
        total = sum(kg.store.sizes().values()) + int(catalog.n)
    assert len(result.stdout.splitlines()) == total  # the sources share no triple


def test_load_then_query_the_union(store_copy):
    result = run_cli("load", str(FIXTURES / "extra-project.jsonld"), store=store_copy)
    assert result.returncode == 0 and "file/extra-project.jsonld" in result.stderr
    partners = run_cli("query", "partners", "-p", "project=arctic-bridge", "-f", "csv", store=store_copy)
    assert sorted(row["country"] for row in csv.DictReader(io.StringIO(partners.stdout))) == ["FI", "NO", "SE"]
