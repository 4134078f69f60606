"""Shape of a driver -> outcome curve: does functional optimisation plateau?

:func:`plateau` tests one driver and names the curve's shape ("plateau", "diminishing",
"decline", "dip", "linear", "increasing" or "inconclusive"); :func:`plateau_table` does so
for every ring and construct of a spec; :func:`marginal_effects` gives the slope curve of
the spline fit with a simultaneous band. The building blocks are public too:
:func:`segmented_fit`, :func:`davies_test` and :func:`breakpoint_ci` (R ``segmented``
parity), each with a typed result.

The package is organised as

- ``_data``: the data prelude (one function, :func:`resolve_plateau_data`);
- ``_segmented``: segmented regression, the Davies test, breakpoint intervals;
- ``_fit``: one plateau test from checked arrays and a typed options object;
- ``_verdict``: equivalence tests (TOST), the verdict rules, the sample size to decide;
- ``_results``: the typed results; ``_marginal``: marginal effects;
- ``_api``: the public functions.
"""

from .._kernels.regression import harrell_knots, rcs_basis
from ._api import plateau, plateau_table
from ._data import DriverData, resolve_plateau_data
from ._fit import DEFAULT_SESOI_RATIO, PlateauOptions
from ._marginal import MarginalEffects, marginal_effects
from ._results import (
    Breakpoint,
    Ceiling,
    EquivalenceTest,
    PlateauData,
    PlateauResult,
    PlateauTable,
    SplineTest,
)
from ._segmented import (
    BreakpointCI,
    ConcaveFit,
    DaviesTest,
    SegmentedFit,
    breakpoint_ci,
    davies_test,
    segmented_fit,
)
from ._verdict import VERDICTS

__all__ = [
    "plateau",
    "plateau_table",
    "marginal_effects",
    "rcs_basis",
    "harrell_knots",
    "davies_test",
    "segmented_fit",
    "breakpoint_ci",
    "resolve_plateau_data",
    "PlateauResult",
    "PlateauTable",
    "PlateauOptions",
    "MarginalEffects",
    "DaviesTest",
    "SegmentedFit",
    "BreakpointCI",
    "ConcaveFit",
    "SplineTest",
    "Breakpoint",
    "EquivalenceTest",
    "Ceiling",
    "PlateauData",
    "DriverData",
    "VERDICTS",
    "DEFAULT_SESOI_RATIO",
]
