"""ringstats: measure, test and explain the three rings of customer experience."""

from importlib.metadata import PackageNotFoundError, version

from . import datasets, plotting, simulate
from .errors import (
    ConvergenceError,
    InsufficientDataError,
    MissingExtraError,
    RingstatsError,
    RingstatsWarning,
    SpecError,
    ValidationError,
)
from .measurement import cfa
from .simulate import draw
from .spec import Construct, RingSpec, Scale

try:
    __version__ = version("ringstats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "plotting",
    "datasets",
    "simulate",
    "draw",
    "cfa",
    "RingSpec",
    "Construct",
    "Scale",
    "RingstatsError",
    "SpecError",
    "ValidationError",
    "ConvergenceError",
    "InsufficientDataError",
    "MissingExtraError",
    "RingstatsWarning",
]
