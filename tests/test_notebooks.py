"""The notebooks run from top to bottom, and are committed without outputs."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

pytestmark = pytest.mark.slow
NOTEBOOK = ROOT / "notebooks" / "01-quickstart.ipynb"


def test_quickstart_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in notebook.cells if cell.cell_type == "code")


def test_quickstart_runs_and_shows_the_seed(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(output.get("data", {}).get("text/plain", "") for cell in notebook.cells
                     if cell.cell_type == "code" for output in cell.outputs)
    assert "'projects': 8" in text
    assert "Kommunförbundet Västernorrland" in text        # partners of PIKE
    assert "NO07" in text and "SK04" in text                # region pairs at level 2
    assert "Sundsvall" in text                              # an event
    assert "000_64c9dda7ea82cb2e.txt" in text               # provenance
    assert not list(tmp_path.iterdir())                     # nothing written to disk
