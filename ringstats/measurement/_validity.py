"""Discriminant validity: HTMT / HTMT2 with bootstrap intervals, and the Fornell-Larcker table."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._data import items_frame
from .._kernels.bootstrap import percentile_interval
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.linalg import pairwise_corr as _corr_batch
from .._kernels.progress import progress_iter
from .._kernels.results import ResultMixin, Summary, as_result
from .._kernels.validation import (
    check_bool,
    check_columns,
    check_int,
    check_numeric,
    check_option,
    check_probability,
    check_seed,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec, blocks_of

__all__ = ["htmt", "HTMTResult", "fornell_larcker"]

_NAN_POLICIES = ("listwise", "pairwise")
_BATCH = 64


def _htmt_from_corr(r: np.ndarray, memb: np.ndarray, version: int, absolute: bool
                    ) -> np.ndarray:
    """HTMT matrices (B, k, k) from correlation matrices (B, p, p) and membership (p, k)."""
    p = r.shape[-1]
    off = ~np.eye(p, dtype=bool)
    a = np.abs(r) if absolute else r.copy()
    sizes = memb.sum(axis=0)
    if version == 1:
        a = np.where(off, a, 0.0)
        s = np.einsum("ia,bij,jc->bac", memb, a, memb)
        cnt = np.outer(sizes, sizes) - np.diag(sizes)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s / cnt
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            lg = np.where(off, np.log(a), 0.0)
        s = np.einsum("ia,bij,jc->bac", memb, lg, memb)
        cnt = np.outer(sizes, sizes) - np.diag(sizes)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.exp(s / cnt)
    mono = np.diagonal(mean, axis1=1, axis2=2)  # B, k
    with np.errstate(divide="ignore", invalid="ignore"):
        out = mean / np.sqrt(mono[:, :, None] * mono[:, None, :])
    k = memb.shape[1]
    out[:, np.arange(k), np.arange(k)] = 1.0
    return out


def htmt_items(blocks: Mapping[str, Sequence[str]]) -> tuple[list[str], list[str]]:
    """Construct names and their items for HTMT: at least two constructs, disjoint items."""
    if len(blocks) < 2:
        raise RingstatsError(f"`spec` must have at least two constructs for HTMT; got "
                             f"{len(blocks)}.")
    items: list[str] = []
    for nm, its in blocks.items():
        for it in its:
            if it in items:
                raise RingstatsError(f"item `{it}` appears in more than one construct "
                                     f"(second: `{nm}`); HTMT needs disjoint item sets.")
            items.append(it)
    return list(blocks), items


def htmt_membership(blocks: Mapping[str, Sequence[str]], names: list[str], items: list[str]
                    ) -> tuple[np.ndarray, list[str]]:
    """Item x construct membership matrix and the note for one-item constructs."""
    memb = np.zeros((len(items), len(names)))
    for a, nm in enumerate(names):
        for it in blocks[nm]:
            memb[items.index(it), a] = 1.0
    notes: list[str] = []
    single = [nm for nm in names if len(blocks[nm]) < 2]
    if single:
        notes.append("one-item construct(s) " + ", ".join(f"`{s}`" for s in single)
                     + ": no monotrait correlation, HTMT is NaN.")
    return memb, notes


def htmt_matrix(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """HTMT point estimates (pairwise-complete correlations) for cleaned ``data``; no checks.

    The kernel behind :func:`htmt` for callers that have resolved their data already
    (the driver analyses' check for indistinguishable constructs).
    """
    names = list(blocks)
    items = [i for its in blocks.values() for i in its]
    x = data[items].to_numpy(dtype=float, copy=True)
    m = (~np.isnan(x)).astype(float)
    x = np.where(m > 0, x, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _corr_batch(x[None], m[None])
    memb = np.zeros((len(items), len(names)))
    j = 0
    for k, nm in enumerate(names):
        for _ in blocks[nm]:
            memb[j, k] = 1.0
            j += 1
    mat = _htmt_from_corr(r, memb, 1, True)[0]
    return pd.DataFrame(mat, index=names, columns=names)


@dataclass(frozen=True)
class HTMTResult(ResultMixin):
    """Result of :func:`htmt`.

    Attributes
    ----------
    matrix : DataFrame
        Construct x construct HTMT (1 on the diagonal).
    pairs : DataFrame
        One row per pair of constructs: ``construct_a``, ``construct_b``, ``htmt``,
        ``ci_low``, ``ci_high`` (NaN without bootstrap), ``above_085``, ``above_090``
        (point estimate above the threshold) and, with a bootstrap, ``ci_above_085`` /
        ``ci_above_090`` (upper bound above the threshold: discriminant validity not shown).
    version : int
        1 = HTMT (arithmetic means), 2 = HTMT2 (geometric means).
    n : int
        Rows used.
    n_boot : int
        Bootstrap resamples (0: none).
    ci : float
        Confidence level.
    boot_failed : int
        Resamples where some HTMT was undefined (dropped from the interval).
    notes : tuple of str
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    version: int
    n: int
    n_boot: int
    ci: float
    boot_failed: int = 0
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        name = "HTMT" if self.version == 1 else "HTMT2"
        s = Summary(f"Discriminant validity: {name} (n = {self.n})")
        s.add_table(self.matrix, f"{name} matrix")
        s.add_table(self.pairs.set_index(["construct_a", "construct_b"]), "Pairs")
        s.add_note("Thresholds: 0.85 (conservative) and 0.90 (Henseler, Ringle & Sarstedt "
                   "2015); with a bootstrap, judge by whether the upper CI bound stays below.")
        if self.n_boot:
            s.add_note(f"{self.n_boot} bootstrap resamples, percentile {self.ci:.0%} intervals"
                       + (f"; {self.boot_failed} resamples had undefined values"
                          if self.boot_failed else "") + ".")
        for n in self.notes:
            s.add_note(n)
        return s


def htmt(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    version: int = 1,
    n_boot: int = 0,
    ci: float = 0.95,
    seed: int | None = None,
    progress: bool | None = None,
    nan_policy: str = "listwise",
    absolute: bool = True,
) -> HTMTResult:
    """Heterotrait-monotrait ratio of correlations (HTMT or HTMT2) with bootstrap intervals.

    Parameters
    ----------
    data : DataFrame
        Item responses (reverse-keyed items recoded).
    spec : RingSpec or dict
        Constructs and their items (at least two constructs).
    version : {1, 2}
        1: HTMT with arithmetic means (Henseler, Ringle & Sarstedt 2015); 2: HTMT2 with
        geometric means (Roemer, Schuberth & Henseler 2021).
    n_boot : int
        Bootstrap resamples for percentile intervals (0 = none).
    ci : float
        Confidence level.
    seed : int, optional
        Seed of the bootstrap (``numpy.random.default_rng``).
    progress : bool, optional
        Progress bar for the bootstrap (None: automatic).
    nan_policy : {"listwise", "pairwise"}
        Correlations from complete rows (semTools' default) or pairwise-complete rows.
    absolute : bool
        Use absolute correlations (semTools' default ``absolute = TRUE``).

    Returns
    -------
    HTMTResult

    Raises
    ------
    RingstatsError
        Fewer than two constructs, or an item in two constructs.
    InsufficientDataError
        A constant item or too few rows.

    Notes
    -----
    With :math:`\\bar r_{ab}` the mean of the correlations between the items of constructs
    *a* and *b* (heterotrait-heteromethod) and :math:`\\bar r_{aa}` the mean of the
    correlations among the items of *a* (monotrait-heteromethod),
    :math:`HTMT_{ab} = \\bar r_{ab} / \\sqrt{\\bar r_{aa}\\bar r_{bb}}`; HTMT2 replaces every
    arithmetic mean by a geometric mean. Matches ``semTools::htmt`` (0.5.6, Pearson,
    ``missing = "listwise"``, ``absolute = TRUE``) to 1e-10 on the ECSI mobi data (tests).
    A one-item construct has no monotrait correlation: its HTMT is NaN (with a warning).
    The bootstrap resamples rows and recomputes all correlation matrices in vectorised
    batches; intervals are percentile intervals.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *Journal of the
    Academy of Marketing Science* 43, 115-135. Roemer, E., Schuberth, F., & Henseler, J.
    (2021). HTMT2 - an improved criterion for assessing discriminant validity in structural
    equation modeling. *Industrial Management & Data Systems* 121(12), 2637-2650.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement._validity import htmt
    >>> w = draw("base", n=500, seed=1)
    >>> df = w.spec.validate(w.customers)
    >>> res = htmt(df, spec=w.spec, n_boot=50, seed=1, progress=False)
    >>> res.matrix.shape
    (6, 6)
    """
    if is_moments(data):
        return dispatch("htmt", data, spec=spec, version=version, n_boot=n_boot, ci=ci,
                        seed=seed, nan_policy=nan_policy, absolute=absolute, progress=progress)
    data, blocks = items_frame(data, spec)
    version = check_option(version, "version", (1, 2))
    check_int(n_boot, "n_boot", min_value=0)
    check_probability(ci, "ci")
    seed = check_seed(seed)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_bool(absolute, "absolute")
    if progress is not None:
        check_bool(progress, "progress")
    names, items = htmt_items(blocks)
    check_columns(data, items, "spec")
    check_numeric(data, items, "spec")
    x = data[items].to_numpy(dtype=float, copy=True)
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n = x.shape[0]
    if n < 3:
        raise InsufficientDataError(f"HTMT needs at least 3 usable rows; got {n}.")
    for j, it in enumerate(items):
        col = x[:, j][~np.isnan(x[:, j])]
        if col.size < 2 or np.all(col == col[0]):
            raise InsufficientDataError(f"item `{it}` is constant (or nearly unanswered); its "
                                        "correlations are undefined.")
    memb, notes = htmt_membership(blocks, names, items)
    mask = (~np.isnan(x)).astype(float)
    xz = np.nan_to_num(x)
    r = _corr_batch(xz[None], mask[None])
    offd = r[0][~np.eye(len(items), dtype=bool)]
    if version == 2 and np.any((np.abs(offd) if absolute else offd) <= 0):
        notes.append("HTMT2 needs positive correlations (geometric means); some are zero or "
                     "negative, so some values are NaN. Consider absolute=True.")
    est = _htmt_from_corr(r, memb, version, absolute)[0]
    k = len(names)
    ia, ib = np.triu_indices(k, 1)
    ci_low = np.full(ia.size, np.nan)
    ci_high = np.full(ia.size, np.nan)
    failed = 0
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        boots = np.empty((n_boot, ia.size))
        starts = range(0, n_boot, _BATCH)
        for s0 in progress_iter(starts, total=len(starts), desc="HTMT bootstrap",
                                enabled=progress):
            b = min(_BATCH, n_boot - s0)
            idx = rng.integers(0, n, size=(b, n))
            rb = _corr_batch(xz[idx], mask[idx])
            hb = _htmt_from_corr(rb, memb, version, absolute)
            boots[s0:s0 + b] = hb[:, ia, ib]
        defined = np.isfinite(est[ia, ib])
        bad = ~np.isfinite(boots[:, defined]).all(axis=1)
        failed = int(bad.sum())
        ok = boots[~bad] if failed < n_boot else boots
        ci_low, ci_high = percentile_interval(ok, ci)
        if failed:
            notes.append(f"{failed} of {n_boot} bootstrap resamples gave an undefined HTMT "
                         "and were dropped.")
    vals = est[ia, ib]
    pairs = pd.DataFrame({
        "construct_a": [names[i] for i in ia], "construct_b": [names[j] for j in ib],
        "htmt": vals, "ci_low": ci_low, "ci_high": ci_high,
        "above_085": vals > 0.85, "above_090": vals > 0.90,
    })
    if n_boot > 0:
        pairs["ci_above_085"] = ci_high > 0.85
        pairs["ci_above_090"] = ci_high > 0.90
    if isinstance(spec, RingSpec):
        pairs.insert(2, "ring_a", [spec.ring_of(names[i]) for i in ia])
        pairs.insert(3, "ring_b", [spec.ring_of(names[j]) for j in ib])
    for nt in notes:
        warnings.warn(nt, RingstatsWarning, stacklevel=2)
    return HTMTResult(matrix=pd.DataFrame(est, index=names, columns=names), pairs=pairs,
                      version=int(version), n=int(n), n_boot=int(n_boot), ci=float(ci),
                      boot_failed=failed, notes=tuple(notes))


def fornell_larcker(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    nan_policy: str = "listwise",
    fitted: Any = None,
) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations off it.

    Parameters
    ----------
    data : DataFrame
        Item responses.
    spec : RingSpec or dict
        Constructs and items (each construct needs 2+ items; the CFA needs 2+ constructs or
        one construct with 3+ items).
    nan_policy : {"listwise", "pairwise"}
        Missing-data handling of the CFA (:func:`ringstats.cfa`).
    fitted : CFAResult, optional
        A CFA of the same model already fitted (``measurement_report`` passes its own, so
        the joint model is fitted once).

    Returns
    -------
    DataFrame
        Construct x construct matrix plus ``sqrt_ave``, ``max_corr`` (largest absolute latent
        correlation with another construct) and ``pass`` (``sqrt_ave > max_corr``).

    Notes
    -----
    AVE is the mean squared standardised loading of ringstats' ML CFA (lavaan ``std.all``);
    latent correlations are that CFA's factor correlations. The criterion (Fornell & Larcker
    1981) holds for a construct when :math:`\\sqrt{AVE}` exceeds every correlation with
    another construct. Henseler et al. (2015) show it often misses discriminant-validity
    problems; read it beside :func:`htmt`.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research* 18(1), 39-50.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement._validity import fornell_larcker
    >>> w = draw("base", n=500, seed=1)
    >>> df = w.spec.validate(w.customers)
    >>> fl = fornell_larcker(df, spec=w.spec)
    >>> "pass" in fl.columns
    True
    """
    from ._cfa import cfa

    if is_moments(data):  # the joint CFA runs from survey moments; the rest is arithmetic
        blocks = blocks_of(spec)
    else:
        data, blocks = items_frame(data, spec)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    res = fitted if fitted is not None else cfa(data, spec=blocks, nan_policy=nan_policy,
                                                     estimator="ML")
    lam = res.loadings["std_estimate"].astype(float)
    names = list(blocks)
    sq = pd.Series({nm: float(np.sqrt(np.mean(lam.loc[list(its)].to_numpy() ** 2)))
                    for nm, its in blocks.items()})
    corr = res.factor_correlations.loc[names, names].to_numpy(dtype=float, copy=True)
    np.fill_diagonal(corr, sq.to_numpy())
    out = pd.DataFrame(corr, index=pd.Index(names, name="construct"), columns=names)
    offd = np.abs(res.factor_correlations.loc[names, names].to_numpy(dtype=float))
    np.fill_diagonal(offd, -np.inf)
    mx = offd.max(axis=1) if len(names) > 1 else np.array([np.nan])
    out["sqrt_ave"] = sq.to_numpy()
    out["max_corr"] = mx
    out["pass"] = sq.to_numpy() > mx
    return as_result(out, "Fornell-Larcker criterion (sqrt AVE on the diagonal)")
