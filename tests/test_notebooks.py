"""Every companion notebook is committed without outputs and runs top to bottom."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    # nbformat 4.5 cell ids (a missing id will become an error in nbformat)
    no_id = [i for i, c in enumerate(nb["cells"]) if "id" not in c]
    assert not no_id, f"{path.name}: cells {no_id} have no id; run nbformat's normalize()"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv("RINGSTATS_QUIET", "1")
    # the kernel inherits the environment: use the inline backend there, not the tests' Agg
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # The per-cell timeout only stops a hung kernel; run time is reported by `make book`.
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    n_figures = sum("image/png" in o.get("data", {}) for o in outputs)
    assert n_figures >= 1, f"{path.name} draws no figure"
