"""The README tells the truth: every command line it shows runs, and its counts are the code's.

The command lines of its ``sh`` blocks run in order, as a user would type them, in a folder holding small
fixtures under the file names the README uses, on a store of their own. Its tables of sources and named
queries, and the figures it gives of the seed graph, are compared with what the code says.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rdflib import RDF, Graph
from test_importers import keep_workbook

from conftest import FIXTURES, run_cli
from coopgraph.sparql import catalogue
from coopgraph.vocab import COOP

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
#: Commands the README shows that exit 1 here on purpose: the fixtures break the shapes and have rows to reject.
FAILING_ON_PURPOSE = {"coopgraph validate suspicious.ttl", "coopgraph import cordis organization.csv.gz --strict"}


def blocks(language: str) -> list[str]:
    return [body for found, body in BLOCK.findall(README) if found == language]


def command_lines() -> list[str]:
    """Every ``coopgraph`` command line of the README's shell blocks, without its comment."""
    lines = [line for body in blocks("sh") for line in body.splitlines() if line.startswith("coopgraph ")]
    return [shlex.join(shlex.split(line, comments=True)) for line in lines]


def section(heading: str) -> str:
    """The README from ``heading`` to the next heading of level 2 or 3 (a ``#`` comment in a block is none)."""
    start = README.index(heading)
    following = re.compile(r"^#{2,3} ", re.M).search(README, start + len(heading))
    return README[start:following.start() if following else None]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder with a fixture under each file name the README's command lines use."""
    folder = tmp_path_factory.mktemp("readme")
    for name in ("organization", "topics", "legalBasis"):
        with open(FIXTURES / "cordis" / f"{name}.csv", "rb") as plain, \
                gzip.open(folder / f"{name}.csv.gz", "wb") as packed:
            shutil.copyfileobj(plain, packed)
    keep_workbook(folder / "keep-export.xlsx")
    copies = {"interreg-se/partners.csv": "partners.csv", "table/twinning.csv": "my-table.csv",
              "table/twinning.toml": "my-mapping.toml", "new-partner.ttl": "partners.ttl",
              "extra-project.jsonld": "more.jsonld", "broken.ttl": "suspicious.ttl",
              "map/regions.geojson": "NUTS_RG_20M_2021_4326.geojson"}
    for source, name in copies.items():
        shutil.copy(FIXTURES / source, folder / name)
    (folder / "my-question.rq").write_text("SELECT ?project ?acronym WHERE { ?project coop:acronym ?acronym }\n")
    return folder


def test_the_readme_has_exactly_the_two_set_up_commands():
    set_up = section("## Set up")
    assert [body.strip() for found, body in BLOCK.findall(set_up)] == [
        "pip install -e . && coopgraph query projects --format csv", 'pip install -e ".[test]" && python -m pytest']


def test_every_command_line_of_the_readme_runs(workspace):
    """In the README's order, on one store; `serve` until it says it is serving."""
    lines = command_lines()
    assert len(lines) >= 30
    environment = {**os.environ, "COOPGRAPH_STORE": str(workspace / "store"), "COLUMNS": "80",
                   "BROWSER": "true"}  # serve --open: a browser that opens nothing
    for line in lines:
        arguments = [sys.executable, "-m", "coopgraph", *shlex.split(line)[1:]]
        if "serve" in shlex.split(line):
            assert serves(arguments + ["--port", "0"] if "--port" not in line else arguments, workspace,
                          environment), line
            continue
        done = subprocess.run(arguments, cwd=workspace, env=environment, capture_output=True, text=True,
                              timeout=600)
        expected = 1 if line in FAILING_ON_PURPOSE else 0
        assert done.returncode == expected, f"{line}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
    assert not (workspace / "coopgraph-reports").exists()  # reports go under the store
    assert (workspace / "store" / "reports").is_dir()


def serves(arguments: list[str], folder: Path, environment: dict) -> bool:
    """Whether ``coopgraph serve`` says it is serving within a minute; then it must stop within 30 s of Ctrl-C.

    Its error stream is read to the end (a full pipe would block the server); a server that does not stop is
    made to dump its threads' stacks (``SIGABRT`` with the fault handler on), which the failure shows."""
    server = subprocess.Popen(arguments, cwd=folder, env={**environment, "PYTHONFAULTHANDLER": "1"},
                              stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    serving = threading.Event()

    def read() -> None:
        for line in server.stderr:
            said.append(line)
            if "serving" in line:
                serving.set()
        serving.set()  # the stream ended: the server is gone

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    serving.wait(60)
    server.send_signal(signal.SIGINT)
    try:
        stopped = server.wait(timeout=30) is not None
    except subprocess.TimeoutExpired:
        stopped = False
        server.send_signal(signal.SIGABRT)
        server.wait(timeout=30)
    reader.join(10)
    assert stopped, "the server did not stop within 30 s of Ctrl-C:\n" + "".join(said)
    return any("serving" in line for line in said)


def test_the_sources_table_gives_the_triples_of_a_new_store(initialised_store):
    table = section("### The store: one named graph per source")
    stated = {name: int(count.replace(",", "")) for name, count in re.findall(
        r"^\| `([\w-]+)` \|.*\| ([\d,]+) \|$", table, re.M)}
    counted = json.loads(run_cli("stats", "--format", "json", store=initialised_store, check=True).stdout)["graphs"]
    assert stated == counted


def test_the_named_queries_table_lists_the_queries_for_people():
    table = section("### Named queries")
    listed = re.findall(r"^\| `([\w-]+)` \|", table, re.M)
    assert sorted(listed) == sorted(name for name, named in catalogue().items() if not named.internal)


def test_the_seed_figures_are_the_seed_graphs():
    seed = Graph().parse(ROOT / "graph" / "data" / "seed.ttl")
    text = section("### The seed graph")
    projects = len(set(seed.subjects(RDF.type, COOP.Project)))
    inferences = len(set(seed.subjects(RDF.type, COOP.Inference)))
    assert "eight projects" in text and projects == 8
    assert f"each of the {inferences} facts the curator inferred" in text
