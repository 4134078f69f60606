"""Exceptions and warnings raised by ringstats.

Every error a user can trigger with bad input is a :class:`RingstatsError`
(a ``ValueError`` subclass, so ``except ValueError`` still works). Messages
name the argument, what is allowed and what was received.
"""

from __future__ import annotations

__all__ = [
    "RingstatsError",
    "SpecError",
    "ValidationError",
    "ConvergenceError",
    "InsufficientDataError",
    "MissingExtraError",
    "RingstatsWarning",
]


class RingstatsError(ValueError):
    """Base class for every error ringstats raises on bad input or failed fits."""


class SpecError(RingstatsError):
    """A :class:`~ringstats.RingSpec` is malformed (before any data is seen)."""


class ValidationError(RingstatsError):
    """Data do not match a :class:`~ringstats.RingSpec` or what an analysis needs.

    Attributes
    ----------
    problems : list of str
        Every problem found, one line each (validation does not stop at the
        first problem).
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"data failed validation ({n} problem{'s' if n != 1 else ''}):"
        super().__init__("\n".join([head] + [f"  - {p}" for p in self.problems]))


class ConvergenceError(RingstatsError):
    """An optimiser did not converge; no estimates are returned."""


class InsufficientDataError(RingstatsError):
    """Too few rows, categories, teams or distinct values for the requested analysis."""


class MissingExtraError(RingstatsError, ImportError):
    """An optional package needed for this call is not installed."""


class RingstatsWarning(UserWarning):
    """A recoverable statistical issue (few items, smoothing applied, small cells, ...)."""


def warn(message: str, category: type[Warning] = RingstatsWarning) -> None:
    """Warn with the caller's line: the first frame outside the ringstats package.

    Deep call chains (public function -> data path -> kernel) would otherwise point the
    warning at ringstats' own code.
    """
    import sys
    import warnings
    from pathlib import Path

    pkg = str(Path(__file__).resolve().parent)
    frame = sys._getframe(1)
    level = 2
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(pkg):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
