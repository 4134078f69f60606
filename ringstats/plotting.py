"""Plotting: one ring palette for the package and the book.

Every plot function takes ``ax=`` (a new figure is made when it is ``None``)
and returns the :class:`matplotlib.axes.Axes`. No global style is changed on
import. Computation lives in the domain modules; these functions only draw.
"""

from ._palette import NPS_COLORS, OUTCOME_COLOR, RING_COLORS, RING_LABELS, get_ax, ring_color

__all__ = ["RING_COLORS", "RING_LABELS", "OUTCOME_COLOR", "NPS_COLORS", "ring_color", "get_ax"]
