"""Plotting: one ring palette for the package and the book.

Every plot function takes ``ax=`` (a new figure is made when it is ``None``) and
returns the :class:`matplotlib.axes.Axes`. No global style is changed on import.
Computation lives in the domain modules; these functions only draw their results.
matplotlib is imported on first use of a name of this module, not by ``import ringstats``.

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

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the private module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "RING_COLORS": "_palette", "RING_LABELS": "_palette", "OUTCOME_COLOR": "_palette",
    "NPS_COLORS": "_palette", "ring_color": "_palette", "get_ax": "_palette",
    "plot_loadings": "_measurement", "plot_scree": "_measurement", "plot_htmt": "_measurement",
    "plot_importance": "_drivers", "plot_ring_diagram": "_drivers", "plot_ipma": "_ipma",
    "plot_nps": "_nps",
    "plot_impact_asymmetry": "_asymmetry", "plot_kano": "_asymmetry",
    "plot_curve": "_shape", "plot_marginal": "_shape", "plot_what_if": "_shape",
    "plot_simple_slopes": "_moments", "plot_johnson_neyman": "_moments",
    "plot_caterpillar": "_linkage", "plot_linkage_scatter": "_linkage",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    """Import a plot function (and matplotlib) on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'ringstats.plotting' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
