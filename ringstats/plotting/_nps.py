"""Figure for the Net Promoter Score: stacked detractor / passive / promoter bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import RingstatsError
from ._palette import NPS_COLORS, get_ax

__all__ = ["plot_nps"]

_NEEDED = ("promoters", "passives", "detractors", "nps", "ci_low", "ci_high")


def _signed(v: float) -> str:
    """Whole NPS points with a sign; never "-0"."""
    r = round(float(v))
    return f"{r:+d}" if r != 0 else "0"


def plot_nps(result_or_by_table, *, ax: Axes | None = None) -> Axes:
    """Stacked horizontal bars of detractors, passives and promoters with NPS and its CI.

    NPS is a vendor statistic (Bain & Company / Reichheld 2003); the bar shows the three
    shares it is built from so that the reader sees what the single number hides.

    Parameters
    ----------
    result_or_by_table : NPSResult or DataFrame
        Output of :func:`ringstats.netpromoter.nps` (one bar) or of
        :func:`ringstats.netpromoter.nps_by` with ``compare="rest"`` (one bar per segment).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.netpromoter import nps_by
    >>> w = draw("base", n=500, seed=1)
    >>> ax = plot_nps(nps_by(w.customers, by="segment"))
    """
    from ..netpromoter import NPSResult

    if isinstance(result_or_by_table, NPSResult):
        tab = result_or_by_table.to_frame()
        tab.index = pd.Index(["all"])
        n = [result_or_by_table.n]
        level = result_or_by_table.ci
    elif isinstance(result_or_by_table, pd.DataFrame):
        tab = result_or_by_table
        missing = [c for c in _NEEDED if c not in tab.columns]
        if missing:
            raise RingstatsError(
                "`result_or_by_table` must be an NPSResult or an nps_by() table "
                f"(compare='rest') with columns {list(_NEEDED)}; missing {missing}."
            )
        n = tab["n"].tolist() if "n" in tab.columns else [None] * len(tab)
        level = None
    else:
        raise RingstatsError(
            "`result_or_by_table` must be an NPSResult or an nps_by() DataFrame; "
            f"got {type(result_or_by_table).__name__}."
        )
    ax = get_ax(ax, (7.5, 1.2 + 0.55 * len(tab)))
    y = np.arange(len(tab))[::-1]
    left = np.zeros(len(tab))
    for key, col in (("detractor", "detractors"), ("passive", "passives"),
                     ("promoter", "promoters")):
        vals = tab[col].to_numpy(float)
        ax.barh(y, vals, left=left, color=NPS_COLORS[key], edgecolor="white", height=0.6,
                label=f"{key}s")
        for yi, li, v in zip(y, left, vals, strict=True):
            if v >= 6:
                ax.text(li + v / 2, yi, f"{v:.0f}%", ha="center", va="center", fontsize=8,
                        color="black" if key == "passive" else "white")
        left += vals
    for yi, (_, row), ni in zip(y, tab.iterrows(), n, strict=True):
        txt = (f"NPS {_signed(row['nps'])}  [{_signed(row['ci_low'])}, "
               f"{_signed(row['ci_high'])}]")
        if ni is not None:
            txt += f"  n={int(ni)}"
        ax.text(102, yi, txt, va="center", fontsize=9)
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in tab.index])
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("share of respondents (%)")
    ax.set_ylabel(str(tab.index.name) if tab.index.name else "")
    ci_txt = f"{100 * level:g}% CI" if level else "CI"
    ax.set_title(f"Net Promoter Score (vendor statistic) with {ci_txt}")
    ax.set_ylim(-1.1, len(tab) - 0.5)
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncols=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
