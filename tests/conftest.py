"""Shared fixtures: an in-memory knowledge graph, initialised stores on disk, the CLI, ../shared."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import coopgraph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def kg():
    """The seed knowledge graph in memory (shared by the tests that only read)."""
    graph = coopgraph.open(":memory:")
    yield graph
    graph.close()


@pytest.fixture
def fresh_kg():
    """A knowledge graph of one's own, for tests that write."""
    graph = coopgraph.open(":memory:")
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets beside the checkout; tests that need them skip on a fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (fresh clone): real-data test skipped")
    return SHARED_DATA


def run_cli(*args: str, store: Path | str | None = None, env: dict | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed ``coopgraph`` command as a user would, returning its output."""
    command = [sys.executable, "-m", "coopgraph", *args]
    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    if store is not None:
        command[3:3] = ["--store", str(store)]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    if check and completed.returncode != 0:
        raise AssertionError(f"coopgraph {' '.join(args)} failed:\n{completed.stderr}")
    return completed


@pytest.fixture(scope="session")
def initialised_store(tmp_path_factory) -> Path:
    """A store directory initialised once by ``coopgraph init`` (read-only use)."""
    path = tmp_path_factory.mktemp("stores") / "seed-store"
    run_cli("init", store=path, check=True)
    return path


@pytest.fixture
def store_copy(initialised_store, tmp_path) -> Path:
    """A private copy of the initialised store, for tests that write to it."""
    path = tmp_path / "store"
    shutil.copytree(initialised_store, path)
    return path
