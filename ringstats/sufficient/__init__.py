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

from ._moments import GroupMoments, Layout, SurveyMoments
from ._sources import ENGINES, read_source, summarize, wants_moments

__all__ = ["summarize", "SurveyMoments", "GroupMoments", "Layout", "read_source",
           "is_moments", "dispatch", "needs_rows", "wants_moments", "ENGINES"]


from .._kernels.dispatch import dispatch, is_moments, needs_rows, register, register_type
from . import _drivers, _measure

register_type(SurveyMoments)
for _mod in (_measure, _drivers):
    for _name in getattr(_mod, "ANALYSES", ()):
        register(_name, getattr(_mod, _name))
