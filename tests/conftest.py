"""Shared test set-up: a non-interactive plotting backend, quiet progress, closed figures."""

import os

os.environ.setdefault("RINGSTATS_QUIET", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
