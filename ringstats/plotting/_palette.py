"""The ring colour palette shared by every figure of the package and the book."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from ..errors import RingstatsError
from ..spec import RING_LABELS

__all__ = ["RING_COLORS", "RING_LABELS", "OUTCOME_COLOR", "NPS_COLORS", "ring_color", "get_ax"]

#: One colour per ring, used by every figure of the package and the book
#: (colour-blind safe: Okabe-Ito blue, orange, bluish green).
RING_COLORS: dict[int, str] = {1: "#0072B2", 2: "#E69F00", 3: "#009E73"}
OUTCOME_COLOR = "#555555"
NPS_COLORS: dict[str, str] = {"detractor": "#D55E00", "passive": "#BBBBBB", "promoter": "#009E73"}


def ring_color(ring: int) -> str:
    """Return the palette colour of ring 1, 2 or 3."""
    if ring not in RING_COLORS:
        raise RingstatsError(f"`ring` must be one of {{1, 2, 3}}; got {ring!r}.")
    return RING_COLORS[ring]


def get_ax(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.2)) -> Axes:
    """Return ``ax`` or a fresh Axes on a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    elif not isinstance(ax, Axes):
        raise RingstatsError(f"`ax` must be a matplotlib Axes or None; got {type(ax).__name__}.")
    return ax
