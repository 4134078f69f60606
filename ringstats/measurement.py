"""Measuring beneath the surface: reliability, correlations, EFA, CFA, validity and scores.

The public face of the measurement domain. The estimators live in private modules
(``_cfa``, ...); this module re-exports them and bundles them in
:func:`measurement_report`.
"""

from __future__ import annotations

from ._cfa import CFAResult, cfa

__all__ = ["cfa", "CFAResult"]
