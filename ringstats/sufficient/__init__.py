"""Ring analyses from sufficient statistics: surveys larger than memory.

:func:`summarize` reads a survey once (a DataFrame, Parquet/CSV files through DuckDB, or a
Dask DataFrame), cleans each chunk with the spec and returns :class:`SurveyMoments`:
means and centred cross-products, pairwise contingency tables, LTR counts and
Poisson-multiplier bootstrap replicates, per group, mergeable with ``+``. The analyses
that need only these accept the moments in place of ``data`` (:func:`dispatch` at the
top of each); those that need rows raise a clear error.

Modules: ``_blocks`` (Chan merges), ``_multipliers`` (counter-based Poisson draws),
``_moments`` (the result objects), ``_accumulate`` (one chunk), ``_sources`` (engines),
``_measure`` and ``_drivers`` (the analyses from moments). DuckDB and Dask are imported
only when a source needs them.
"""

from __future__ import annotations

from typing import Any

from ._moments import GroupMoments, Layout, SurveyMoments
from ._sources import ENGINES, read_source, summarize, wants_moments

__all__ = ["summarize", "SurveyMoments", "GroupMoments", "Layout", "read_source",
           "is_moments", "dispatch", "needs_rows", "wants_moments", "ENGINES"]


def is_moments(obj: Any) -> bool:
    """True when ``obj`` is a :class:`SurveyMoments` (the dispatch test)."""
    return isinstance(obj, SurveyMoments)


def dispatch(name: str, data: SurveyMoments, **kwargs: Any) -> Any:
    """Run analysis ``name`` from moments (called at the top of the public functions)."""
    from . import _drivers, _measure

    for mod in (_measure, _drivers):
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn(data, **kwargs)
    raise needs_rows(name)


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
