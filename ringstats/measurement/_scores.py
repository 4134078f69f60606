"""Construct and ring scores: the mean-score policy shared by every analysis module.

A construct's mean score is the mean of its answered items when at least
``min_items`` of them are answered (default: half the items, rounded up), and NaN
otherwise -- the "half rule" common in scale scoring (e.g. Newman 2014, *Missing data:
five practical guidelines*, Organizational Research Methods 17(4)). A ring score is the
mean of the ring's construct scores, NaN when one of them is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import ceil

import numpy as np
import pandas as pd

from .._data import items_frame
from .._kernels.validation import (
    check_columns,
    check_int,
    check_numeric,
    check_option,
)
from ..errors import RingstatsError
from ..spec import RingSpec, blocks_of
from ._ordinal import latent_scores

__all__ = ["scores", "mean_scores", "ring_scores", "spec_scores", "SCORE_TYPES"]


def mean_scores(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    min_items: int | None = None,
) -> pd.DataFrame:
    """Mean score per construct, aligned to ``data.index``.

    ``data`` should already be cleaned by ``spec.validate`` (missing codes NaN,
    reverse-keyed items recoded). Missing-data policy: a construct score is the mean of the
    answered items when at least ``min_items`` are answered (default: half the items,
    rounded up, the "half rule" of Newman 2014, *Organizational Research Methods* 17,
    372-411); otherwise it is NaN.

    Parameters
    ----------
    data : DataFrame
        Item responses.
    spec : RingSpec or dict of construct -> item columns
        Which items form which construct.
    min_items : int, optional
        Answered items needed for a score (default ``ceil(k / 2)``).

    Returns
    -------
    DataFrame
        One column per construct, index of ``data``.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=200, seed=1)
    >>> rs.mean_scores(w.customers, spec=w.spec).shape
    (200, 6)
    """
    data, blocks = items_frame(data, spec)
    out = {}
    for name, items in blocks.items():
        check_columns(data, items, "spec")
        check_numeric(data, items, "spec")
        need = ceil(len(items) / 2) if min_items is None else min_items
        if min_items is not None:
            check_int(min_items, "min_items", min_value=1)
        out[name] = score_block(data[items].to_numpy(dtype=float), need)
    return pd.DataFrame(out, index=data.index)


def score_block(x: np.ndarray, need: int) -> np.ndarray:
    """The mean-score rule on a cleaned (n, k) item block: the mean of the answered items
    where at least ``min(need, k)`` are answered, NaN elsewhere. The one arithmetic of
    :func:`mean_scores`, also used by ``summarize`` on chunks it has already cleaned."""
    obs = np.isfinite(x)
    cnt = obs.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(obs, x, 0.0).sum(axis=1) / cnt
    score[cnt < min(need, x.shape[1])] = np.nan
    return score


def ring_scores(
    data: pd.DataFrame, *, spec: RingSpec, min_items: int | None = None
) -> pd.DataFrame:
    """Ring scores: the mean of the construct mean scores within each ring.

    Each construct counts equally within its ring, whatever its number of items. A ring
    score is NaN when any of its construct scores is NaN (see :func:`mean_scores` for the
    half rule within a construct).

    Returns
    -------
    DataFrame
        Columns ``ring1``, ``ring2``, ``ring3`` (rings without constructs are left out),
        index of ``data``.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=200, seed=1)
    >>> list(rs.ring_scores(w.customers, spec=w.spec).columns)
    ['ring1', 'ring2', 'ring3']
    """
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    cs = mean_scores(data, spec=spec, min_items=min_items)
    return pd.DataFrame(
        {f"ring{r}": cs[names].mean(axis=1, skipna=False) for r, names in spec.rings.items() if names},
        index=data.index,
    )


_SCORE_METHODS = ("mean", "latent", "regression", "bartlett", "eap")
_SCORE_NAN = ("listwise", "pairwise")


def _score_weights(lam: np.ndarray, phi: np.ndarray, theta: np.ndarray, method: str
                   ) -> np.ndarray:
    """Weight matrix W (factors x items) so that scores = (x - mu) @ W.T."""
    if method == "regression":
        sigma = lam @ phi @ lam.T + theta
        return phi @ lam.T @ np.linalg.inv(sigma)
    tinv = np.linalg.inv(theta)
    a = lam.T @ tinv
    return np.linalg.solve(a @ lam, a)


def scores(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    method: str = "mean",
    min_items: int | None = None,
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    """Construct scores per respondent: mean scores or CFA factor scores.

    Parameters
    ----------
    data : DataFrame
        Item responses cleaned by ``spec.validate`` (missing codes NaN, reverse-keyed items
        recoded).
    spec : RingSpec or dict
        Constructs and their items; one output column per construct.
    method : {"mean", "latent", "regression", "bartlett"}
        ``"mean"``: the package's mean-score policy (:func:`mean_scores`, half rule).
        ``"regression"``: Thurstone's regression scores; ``"bartlett"``: Bartlett's weighted
        least-squares scores; both from a maximum-likelihood CFA of ``spec`` fitted by
        :func:`ringstats.cfa` with factor variances fixed to 1 (``std_lv=True``).
        ``"latent"`` (formerly ``"eap"``, a deprecated alias; the vocabulary of ``scores=``
        in :func:`ringstats.drivers` and :func:`ringstats.plateau`): EAP latent-trait scores of a one-factor normal-ogive model per construct
        for ordinal items (:func:`ringstats.latent_scores`; half rule as ``"mean"``).
    min_items : int, optional
        Minimum answered items per construct. Used by ``"mean"`` (default: half the
        construct's items, rounded up) and by factor scores under ``nan_policy="pairwise"``.
    nan_policy : {"listwise", "pairwise"}
        For factor scores. ``"listwise"`` (default): the CFA is fitted on complete rows and a
        row with any missing item gets NaN for every factor score. ``"pairwise"``: the CFA is
        fitted by FIML and each row is scored from the items it answered (the same formulas
        restricted to those items); a construct with fewer than ``min_items`` answered items
        is NaN. Ignored by ``"mean"``.

    Returns
    -------
    DataFrame
        One column per construct, aligned to ``data.index`` (rows are never dropped).

    Notes
    -----
    With loadings :math:`\\Lambda`, factor covariance :math:`\\Phi`, residual covariance
    :math:`\\Theta`, model-implied :math:`\\Sigma = \\Lambda\\Phi\\Lambda' + \\Theta` and item
    means :math:`\\mu`:

    - regression (Thurstone 1935): :math:`\\hat f = \\Phi\\Lambda'\\Sigma^{-1}(x - \\mu)`;
      shrunk towards 0, with the highest correlation with the true factor;
    - Bartlett (1937): :math:`\\hat f = (\\Lambda'\\Theta^{-1}\\Lambda)^{-1}
      \\Lambda'\\Theta^{-1}(x - \\mu)`; conditionally unbiased.

    Both as in DiStefano, Zhu & Mindrila (2009) and lavaan's ``lavPredict(method=
    "regression" | "Bartlett")``. Regression scores have variance below 1 (their
    determinacy); do not treat them as error-free.

    References
    ----------
    DiStefano, C., Zhu, M. & Mindrila, D. (2009). Understanding and using factor scores.
    *Practical Assessment, Research & Evaluation* 14(20). Skrondal, A. & Laake, P. (2001).
    Regression among factor scores. *Psychometrika* 66, 563-575.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> s = scores(d, spec=w.spec, method="regression")
    >>> list(s.columns) == list(w.spec.construct_names)
    True
    """
    data, _ = items_frame(data, spec)
    check_option(method, "method", _SCORE_METHODS)
    if method == "eap":
        import warnings

        warnings.warn("`method='eap'` is deprecated and will be removed in the next release; use "
                      "method='latent' (the scoring vocabulary of every ringstats function).",
                      FutureWarning, stacklevel=2)
        method = "latent"
    check_option(nan_policy, "nan_policy", _SCORE_NAN)
    if min_items is not None:
        check_int(min_items, "min_items", min_value=1)
    if method == "mean":
        return mean_scores(data, spec=spec, min_items=min_items)
    if method == "latent":
        return latent_scores(data, spec=spec, min_items=min_items).scores
    from ._cfa import cfa

    blocks = blocks_of(spec)
    items = [c for its in blocks.values() for c in its]
    check_columns(data, items, "spec")
    check_numeric(data, items, "spec")
    res = cfa(data, spec=blocks, std_lv=True,
              nan_policy="listwise" if nan_policy == "listwise" else "fiml", estimator="ML")
    names = list(blocks)
    lam = res.loading_matrix.loc[items, names].to_numpy(dtype=float)
    phi = res.factor_cov.loc[names, names].to_numpy(dtype=float)
    theta = res.residual_cov.loc[items, items].to_numpy(dtype=float)
    mu = res.item_means.loc[items].to_numpy(dtype=float)
    x = data[items].to_numpy(dtype=float) - mu
    out = np.full((len(data), len(names)), np.nan)
    ok = ~np.isnan(x)
    complete = ok.all(axis=1)
    w = _score_weights(lam, phi, theta, method)
    out[complete] = x[complete] @ w.T
    if nan_policy == "pairwise":
        need = {c: (ceil(len(its) / 2) if min_items is None else min(min_items, len(its)))
                for c, its in blocks.items()}
        pos = {c: [items.index(i) for i in its] for c, its in blocks.items()}
        partial = ~complete & ok.any(axis=1)
        pats, inv = np.unique(ok[partial], axis=0, return_inverse=True)
        rows = np.flatnonzero(partial)
        for k, pat in enumerate(pats):
            sel = rows[inv.ravel() == k]
            keep = np.flatnonzero(pat)
            wk = _score_weights(lam[keep], phi, theta[np.ix_(keep, keep)], "regression"
                                ) if method == "regression" else None
            if method == "bartlett":
                # Bartlett needs every factor identified by the answered items
                answered = [j for j, c in enumerate(names) if pat[pos[c]].sum() > 0]
                wk = np.full((len(names), len(keep)), np.nan)
                if answered:
                    wk[answered] = _score_weights(lam[np.ix_(keep, answered)],
                                                  phi[np.ix_(answered, answered)],
                                                  theta[np.ix_(keep, keep)], "bartlett")
            val = x[np.ix_(sel, keep)] @ wk.T
            for j, c in enumerate(names):
                if pat[pos[c]].sum() < need[c]:
                    val[:, j] = np.nan
            out[sel] = val
    return pd.DataFrame(out, index=data.index, columns=names)


#: Scoring policies accepted by the analysis modules' ``scores=`` argument.
SCORE_TYPES = ("mean", "latent")


def spec_scores(data: pd.DataFrame, *, spec: RingSpec, level: str, scores: str,
                constructs: Sequence[str] | None = None) -> pd.DataFrame:
    """Construct or ring scores under a ``scores=`` policy (shared by the analysis modules).

    ``"mean"``: :func:`ringstats.mean_scores` / :func:`ringstats.ring_scores` (scale points);
    ``"latent"``: :func:`ringstats.latent_scores` at that level (trait metric).
    """
    check_option(scores, "scores", SCORE_TYPES)
    sp = spec if constructs is None else spec.subset(list(constructs))
    if scores == "mean":
        return mean_scores(data, spec=sp) if level == "construct" else ring_scores(data, spec=sp)
    return latent_scores(data, spec=sp, level=level).scores
