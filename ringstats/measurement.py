"""Measuring beneath the surface: reliability, correlations, EFA, CFA, validity and scores.

The public face of the measurement domain. The estimators live in private modules
(``_cfa``, ``_efa``, ...); this module re-exports them and bundles them in
:func:`measurement_report`.
"""

from __future__ import annotations

from ._cfa import CFAResult, cfa
from ._efa import (
    BartlettResult,
    EFAResult,
    KMOResult,
    ParallelResult,
    bartlett,
    efa,
    kmo,
    parallel_analysis,
)
from ._scores import scores

__all__ = ["cfa", "CFAResult", "efa", "EFAResult", "parallel_analysis", "ParallelResult",
           "kmo", "KMOResult", "bartlett", "BartlettResult", "scores"]
