"""Delta parameterisation of a covariance structure for ordered items (lavaan's default).

The items are cuts of latent responses ``y*`` with unit variance: the model implies the
thresholds (free parameters, one set per item) and the correlations of ``y*``, the
off-diagonal of :math:`\\Lambda\\Phi\\Lambda^\\top` (CFA) or
:math:`\\Lambda(I-B)^{-1}\\Psi(I-B)^{-\\top}\\Lambda^\\top` (SEM); the residual variances are
not free but derived, :math:`\\theta_{jj} = 1 - [\\Lambda\\Phi\\Lambda^\\top]_{jj}`, as lavaan
reports them (``parameterization = "delta"``, scale factors fixed to 1; Muthen 1984).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import OrdinalMoments

__all__ = ["DeltaModel", "stack_groups"]


class DeltaModel:
    """One group's ordinal model built on a covariance structure.

    ``st`` is a CFA ``_Structure`` or a ``SEMStructure`` whose items are all ordinal
    (``st.sigma``, ``st.dsigma``, ``st.start``, ``st.q``); ``resid`` lists the positions of
    the residual-variance parameters in ``st``'s vector and their item. The free vector of
    this model is ``[thresholds (item by item), structural parameters without residual
    variances]``.
    """

    def __init__(self, st: Any, m: OrdinalMoments, resid: Sequence[tuple[int, int]]):
        if tuple(st.items) != tuple(m.items):
            raise ValueError("structure and moments list the items in different orders")
        self.st = st
        self.m = m
        self.resid_pos = np.array([a for a, _ in resid], dtype=int)
        self.resid_item = np.array([b for _, b in resid], dtype=int)
        keep = np.ones(st.q, dtype=bool)
        keep[self.resid_pos] = False
        self.keep = np.flatnonzero(keep)
        self.n_th = m.n_thresholds
        self.q = self.n_th + len(self.keep)
        pr = m.pairs
        self._r, self._c = pr[:, 0], pr[:, 1]

    def full(self, theta: np.ndarray) -> np.ndarray:
        """The structure's parameter vector with the residual variances derived."""
        out = np.zeros(self.st.q)
        out[self.keep] = theta[self.n_th:]
        sig0 = self.st.sigma(out)
        out[self.resid_pos] = 1.0 - np.diag(sig0)[self.resid_item]
        return out

    def __call__(self, theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        full = self.full(theta)
        sig = self.st.sigma(full)
        ds = self.st.dsigma(full)[self.keep][:, self._r, self._c].T
        k = len(self.m.s)
        d = np.zeros((k, self.q))
        d[np.arange(self.n_th), np.arange(self.n_th)] = 1.0
        d[self.n_th:, self.n_th:] = ds
        return [np.concatenate([theta[:self.n_th], sig[self._r, self._c]])], [d]

    def full_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d(full structural vector)/d theta, for the delta-method covariance of the
        derived residual variances: ``(st.q, q)``."""
        full = self.full(theta)
        ds = self.st.dsigma(full)
        jac = np.zeros((self.st.q, self.q))
        jac[self.keep, self.n_th + np.arange(len(self.keep))] = 1.0
        jac[self.resid_pos, self.n_th:] = -ds[self.keep][:, self.resid_item,
                                                          self.resid_item].T
        return jac

    def start(self) -> np.ndarray:
        """Sample thresholds and the structure's start values on the polychorics.

        The structure's rule (``start_blocks`` in ``_cfa/_model.py``) orients each factor on
        its first item and keeps the signs of reverse-keyed items, so a construct with
        negatively keyed items starts near its solution.
        """
        s = self.st.start(self.m.corr)
        return np.concatenate([self.m.s[:self.n_th], s[self.keep]])


def stack_groups(models: Sequence[DeltaModel]):
    """A multi-group model with every parameter group-specific (configural): the free
    vector is the groups' vectors one after another."""
    sizes = [md.q for md in models]
    edges = np.concatenate([[0], np.cumsum(sizes)])

    def model(theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        sig, dl = [], []
        for g, md in enumerate(models):
            s_g, d_g = md(theta[edges[g]:edges[g + 1]])
            d = np.zeros((d_g[0].shape[0], edges[-1]))
            d[:, edges[g]:edges[g + 1]] = d_g[0]
            sig.append(s_g[0])
            dl.append(d)
        return sig, dl

    return model, edges
