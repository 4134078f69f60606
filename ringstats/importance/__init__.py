"""Driver analysis: which constructs and which rings move the outcome.

Exact Shapley / LMG decomposition of R^2 (general dominance), dominance
designations, Johnson relative weights (for comparison only), standardised
regression with robust standard errors, and :func:`drivers`, the main entry:
construct- and ring-level importance with bootstrap confidence intervals,
pairwise ring differences and rank reproducibility, for a continuous, a
top-box (promoter) or an ordinal outcome.

The numerical core lives in :mod:`ringstats._kernels.shapley`: the R^2 of all
2**p subsets of predictors comes from one vectorised Schur-complement
recursion over the correlation matrix, so bootstrap replicates are batched;
:func:`shapley` streams the subsets in blocks (exact up to 26 drivers in flat
memory) and beyond that samples orderings in antithetic pairs with a Monte
Carlo standard error."""

from __future__ import annotations

from ._drivers import DriverResult, drivers
from ._inputs import CI_METHODS, KINDS, MAX_GLM_DRIVERS, SHAPLEY_METHODS
from ._linear import (
    DominanceResult,
    RegressionResult,
    dominance,
    regression,
    relative_weights,
    shapley,
)

__all__ = [
    "regression", "shapley", "dominance", "relative_weights", "drivers", "RegressionResult",
    "DominanceResult", "DriverResult", "KINDS", "SHAPLEY_METHODS", "CI_METHODS", "MAX_GLM_DRIVERS",
]
