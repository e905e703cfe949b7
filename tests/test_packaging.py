"""The wheel carries the ontology, seed graph and named queries, read with importlib.resources.

Builds the wheel from a copy of the tree, installs it into a fresh virtual environment and runs a
query there, from a directory where the source tree is not importable. The dependencies come from
the test run's own environment (a ``.pth`` file points at its site-packages); the project itself
comes only from the wheel.
"""

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tree = tmp_path_factory.mktemp("tree") / "coopgraph"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", "coopgraph-store"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(tree)],
                   check=True, capture_output=True)
    (built,) = out.glob("coopgraph-*.whl")
    return built


def test_wheel_contains_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("coopgraph/ontology/coopgraph.ttl", "coopgraph/ontology/shapes.ttl", "coopgraph/data/seed.ttl",
                     "coopgraph/queries/projects.rq", "coopgraph/queries/region-pairs.rq", "coopgraph/cli.py",
                     "coopgraph/data/nuts-versions.csv", "coopgraph/data/nuts-versions.md",
                     "coopgraph/data/derive_nuts_versions.py", "coopgraph/web/static/world-atlas/countries-50m.json",
                     "coopgraph/web/static/world-atlas/LICENSE", "coopgraph/web/templates/place.html"):
        assert expected in names
    assert not any(name.startswith(("graph/", "ontology/", "queries/", "tests/")) for name in names)


def test_installed_wheel_runs_a_named_query(wheel, tmp_path):
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    (site,) = (environment / "lib").glob("python3*/site-packages")
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "--quiet", str(wheel)], check=True, capture_output=True)
    where = subprocess.run([python, "-c", "import coopgraph; print(coopgraph.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(environment)), f"imported {where}, not the wheel"
    result = subprocess.run([environment / "bin" / "coopgraph", "--store", ":memory:", "query", "projects",
                             "--format", "csv"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "PIKE" in result.stdout and result.stdout.startswith("project,acronym,title")
    read = subprocess.run([python, "-c", "from coopgraph.importers.nuts import find_region; "
                           "print(find_region('HR041').region.code)"], cwd=tmp_path, capture_output=True, text=True)
    assert read.stdout.strip() == "HR050", read.stderr  # the NUTS versions table, read from the wheel
