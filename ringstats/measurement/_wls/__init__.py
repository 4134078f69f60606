"""Ordinal (limited-information) estimation: sample statistics of ordered items and DWLS.

The estimator lavaan calls ``WLSMV`` runs in three stages (Muthen 1984; Muthen, du Toit &
Spisic 1997):

1. thresholds of every item from its marginal proportions, polychoric correlations of every
   pair given those thresholds (``_stats``), and the asymptotic covariance matrix of the
   stacked statistics from casewise scores (``_stats``);
2. diagonally weighted least squares on those statistics (``_dwls``);
3. standard errors and the mean-and-variance-adjusted test from the full asymptotic
   covariance (``_dwls``).

This module holds the one container that passes stage 1 to stages 2 and 3.

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. *Psychometrika* 49, 115-132.
Muthen, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished manuscript.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OrdinalMoments:
    """Sample statistics of ordered items for one group, in lavaan's order.

    Attributes
    ----------
    items : tuple of str
        Item names, in model order.
    n : int
        Rows used (listwise complete).
    thresholds : tuple of ndarray
        Thresholds of each item (``len = categories - 1``), increasing.
    corr : ndarray, shape (p, p)
        Polychoric correlation matrix, unit diagonal.
    s : ndarray
        The stacked statistics: all thresholds item by item, then the polychoric
        correlations below the diagonal taken column by column (lavaan's
        ``c(TH, vech(R, diagonal = FALSE))``).
    gamma : ndarray, shape (len(s), len(s))
        Asymptotic covariance of ``sqrt(n) * s`` (lavaan's ``NACOV``): the sampling
        covariance of ``s`` is ``gamma / n``.
    categories : tuple of tuple
        The observed category values of each item, in order (code ``k`` means the
        ``k``-th of them).
    """

    items: tuple[str, ...]
    n: int
    thresholds: tuple[np.ndarray, ...]
    corr: np.ndarray
    s: np.ndarray
    gamma: np.ndarray
    categories: tuple[tuple[float, ...], ...]

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def n_thresholds(self) -> int:
        return int(sum(len(t) for t in self.thresholds))

    @property
    def th_item(self) -> np.ndarray:
        """The item (0-based) each threshold in ``s`` belongs to."""
        return np.repeat(np.arange(self.p), [len(t) for t in self.thresholds])

    @property
    def w_diag(self) -> np.ndarray:
        """The DWLS weights: ``1 / diag(gamma)`` (lavaan's ``WLS.V`` for DWLS)."""
        return 1.0 / np.diag(self.gamma)

    @property
    def pairs(self) -> np.ndarray:
        """Row/column (0-based) of each correlation in ``s``, in vech order, shape (k, 2)."""
        r, c = np.tril_indices(self.p, -1)
        order = np.lexsort((r, c))
        return np.column_stack([r[order], c[order]])
