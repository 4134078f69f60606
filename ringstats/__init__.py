"""ringstats: measure, test and explain the three rings of customer experience."""

from importlib.metadata import PackageNotFoundError, version

from . import plotting
from .errors import (
    ConvergenceError,
    InsufficientDataError,
    MissingExtraError,
    RingstatsError,
    RingstatsWarning,
    SpecError,
    ValidationError,
)
from .spec import Construct, RingSpec, Scale

try:
    __version__ = version("ringstats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "plotting",
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
