"""Analyses that also run from data summaries: a registry below every estimator.

Estimators call :func:`is_moments` and :func:`dispatch` at their top. The summary layer
(:mod:`ringstats.sufficient`) registers its type and its implementations when it is
imported, which it always is before a summary object can exist; so the estimators never
import the summary layer, and the summary layer may import the estimators (no cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register_type", "register", "is_moments", "dispatch", "needs_rows"]

_TYPES: list[type] = []
_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {}


def register_type(cls: type) -> type:
    """Declare ``cls`` a data summary that analyses may receive in place of ``data``."""
    if cls not in _TYPES:
        _TYPES.append(cls)
    return cls


def register(name: str, fn: Callable[..., Any]) -> None:
    """Register the summary implementation of the public analysis ``name``."""
    _IMPLEMENTATIONS[name] = fn


def is_moments(obj: Any) -> bool:
    """True when ``obj`` is a registered data summary (a ``SurveyMoments``)."""
    return bool(_TYPES) and isinstance(obj, tuple(_TYPES))


def dispatch(name: str, data: Any, **kwargs: Any) -> Any:
    """Run analysis ``name`` from a data summary, or refuse: it needs the rows."""
    fn = _IMPLEMENTATIONS.get(name)
    if fn is None:
        raise needs_rows(name)
    return fn(data, **kwargs)


def needs_rows(name: str, what: str = "") -> Exception:
    """The error for an analysis that needs raw rows."""
    from ..errors import RingstatsError

    why = f" ({what})" if what else ""
    return RingstatsError(
        f"`{name}` needs the survey's rows{why}; a SurveyMoments holds only means, "
        "cross-products, tables and counts. Draw a sample of rows instead (for example "
        "`duckdb.sql(\"SELECT * FROM 'survey.parquet' USING SAMPLE 100000\").df()` or "
        "`ddf.sample(frac=...)` in Dask), clean it with `spec.validate` and pass the "
        "DataFrame.")
