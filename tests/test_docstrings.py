"""The Examples sections of the package's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import ringstats

matplotlib.use("Agg")
MODULES = sorted(m.name for m in pkgutil.walk_packages(ringstats.__path__, "ringstats."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.setenv("RINGSTATS_QUIET", "1")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    finder = doctest.DocTestFinder()
    n = sum(len(t.examples) for m in MODULES for t in finder.find(importlib.import_module(m)))
    assert n > 150  # 229 example lines when this test was written
