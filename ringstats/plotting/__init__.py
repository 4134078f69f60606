"""Plotting: one ring palette for the package and the book.

Every plot function takes ``ax=`` (a new figure is made when it is ``None``) and
returns the :class:`matplotlib.axes.Axes`. No global style is changed on import.
Computation lives in the domain modules; these functions only draw their results.

=============================  ===================================================
function                       draws
=============================  ===================================================
``plot_loadings``              standardised loadings heatmap, grouped by ring
``plot_scree``                 eigenvalues with the parallel-analysis line
``plot_htmt``                  HTMT heatmap, pairs above the threshold in bold
``plot_importance``            construct or ring importance with CIs
``plot_ring_diagram``          three concentric rings shaded by importance share
``plot_ipma``                  importance against 0-100 performance (priority map)
``plot_nps``                   detractor / passive / promoter bars with NPS CIs
``plot_impact_asymmetry``      impact asymmetry against range of impact
``plot_kano``                  Kano Better against Worse, four quadrants
``plot_curve``                 driver -> outcome: binned means, spline, breakpoint
``plot_marginal``              slope along the driver, simultaneous band, sesoi
``plot_what_if``               predicted NPS or LTR per ring shift, with CIs
``plot_simple_slopes``         predicted outcome per moderator level, with CIs
``plot_johnson_neyman``        conditional slope across a continuous moderator
``plot_caterpillar``           teams sorted by customer outcome, with intervals
``plot_linkage_scatter``       team engagement vs team customer outcome
=============================  ===================================================
"""

from ._asymmetry import plot_impact_asymmetry, plot_kano
from ._drivers import plot_importance, plot_ring_diagram
from ._ipma import plot_ipma
from ._linkage import plot_caterpillar, plot_linkage_scatter
from ._measurement import plot_htmt, plot_loadings, plot_scree
from ._moments import plot_johnson_neyman, plot_simple_slopes
from ._nps import plot_nps
from ._palette import NPS_COLORS, OUTCOME_COLOR, RING_COLORS, RING_LABELS, get_ax, ring_color
from ._shape import plot_curve, plot_marginal, plot_what_if

__all__ = [
    "RING_COLORS", "RING_LABELS", "OUTCOME_COLOR", "NPS_COLORS", "ring_color", "get_ax",
    "plot_loadings", "plot_scree", "plot_htmt",
    "plot_importance", "plot_ring_diagram", "plot_ipma",
    "plot_nps", "plot_impact_asymmetry", "plot_kano",
    "plot_curve", "plot_marginal", "plot_what_if",
    "plot_simple_slopes", "plot_johnson_neyman",
    "plot_caterpillar", "plot_linkage_scatter",
]
