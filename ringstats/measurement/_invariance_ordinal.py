"""Measurement invariance of ordered items (WLSMV): the Wu & Estabrook (2016) ladder.

For Likert items the invariance ladder is climbed on the latent responses behind the
answers (:mod:`ringstats.measurement._wls._groups`):

configural -> thresholds -> metric (+ loadings) -> scalar (+ intercepts) -> strict
(+ residual variances),

each model fitted by DWLS to every group's thresholds and polychoric correlations
(the core :func:`ringstats.measurement._wls._dwls.dwls_fit`), with robust standard errors and the
scaled-shifted (WLSMV) test, as ``lavaan::cfa(..., ordered = TRUE, estimator = "WLSMV",
group =)`` on the syntax of ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")``.
Neighbouring levels are compared by Satorra's (2000) scaled-shifted difference test
(lavaan's ``lavTestLRT`` default for WLSMV) and by the changes in the scaled CFI and RMSEA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConvergenceError, InsufficientDataError, ValidationError
from ._wls import OrdinalMoments
from ._wls._dwls import DWLSFit, satorra_2000
from ._wls._groups import ORDINAL_LEVELS, OrdinalGroupModel

#: Largest number of categories for which ``estimator="auto"`` treats items as ordinal
#: (the rule of :func:`cfa`): with 5 or fewer categories, normal-theory ML on the item scores
#: is biased (Rhemtulla, Brosseau-Liard & Savalei 2012).
_KIND = {"thresholds": "thresholds", "metric": "loadings", "scalar": "intercepts",
         "strict": "residuals"}
_TEST = ("Satorra (2000) scaled-shifted chi-square difference (lavaan lavTestLRT default "
         "for WLSMV)")


@dataclass(frozen=True)
class _Fit:
    """One rung of the ladder: the model and its DWLS fit."""

    model: OrdinalGroupModel
    res: DWLSFit


def _check_categories(x: np.ndarray, items: Sequence[str], gcol: np.ndarray,
                      labels: Sequence, group: str) -> None:
    """Integer codes, >= 3 categories per item and every category seen in every group."""
    bad = [it for j, it in enumerate(items) if np.any(x[:, j] != np.round(x[:, j]))]
    if bad:
        raise ValidationError([f"ordinal (WLSMV) invariance needs integer-coded items; "
                               f"{bad} hold non-integer values. Use estimator='ML' for "
                               "continuous scores."])
    few = [it for j, it in enumerate(items) if np.unique(x[:, j]).size < 3]
    if few:
        raise InsufficientDataError(f"items {few} have fewer than 3 categories; the Wu & Estabrook ladder "
                        "implemented here needs at least 3 (binary items are not supported). "
                        "Drop them or use estimator='ML'.")
    problems = []
    for j, it in enumerate(items):
        cats = np.unique(x[:, j])
        for lab in labels:
            xg = x[gcol == lab, j]
            counts = {float(c): int(np.sum(xg == c)) for c in cats}
            empty = [c for c, n in counts.items() if n == 0]
            if empty:
                problems.append(f"item `{it}` has no answers in categor"
                                f"{'y' if len(empty) == 1 else 'ies'} "
                                f"{', '.join(f'{c:g}' for c in empty)} in group {lab!r} of "
                                f"`{group}` (counts {', '.join(f'{c:g}: {n}' for c, n in counts.items())})")
    if problems:
        raise InsufficientDataError(
            "thresholds cannot be compared across groups when a category is empty in some "
            "group: " + "; ".join(problems) + ". Collapse the empty category with its "
            "neighbour (e.g. merge it with the next answer) in every group, or drop the "
            "item, or use estimator='ML'.")


def _fmt(model: OrdinalGroupModel, f: tuple[str, int]) -> str:
    kind, j = f
    it = model.items[j]
    if kind == "thresholds":
        return ", ".join(f"{it}|t{k + 1}" for k in range(model.nth[j]))
    if kind == "loadings":
        return f"{model.factors[model.f[j]]}=~{it}"
    return f"{it}~1" if kind == "intercepts" else f"{it}~~{it}"


def _row(level: str, fit: pd.Series, ref: pd.Series | None, diff: dict | None, freed: list,
         model: OrdinalGroupModel, holds: bool) -> dict:
    out = {"level": level, "chisq": fit["chisq"], "chisq_scaled": fit["chisq_scaled"],
           "df": float(fit["df"]), "p_val": fit["p_val_scaled"], "cfi": fit["cfi_scaled"],
           "tli": fit["tli_scaled"], "rmsea": fit["rmsea_scaled"],
           "rmsea_ci_low": fit["rmsea_scaled_ci_low"],
           "rmsea_ci_high": fit["rmsea_scaled_ci_high"], "srmr": fit["srmr"], "aic": np.nan,
           "bic": np.nan}
    if ref is None or diff is None:
        out.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan, delta_cfi=np.nan,
                   delta_rmsea=np.nan)
    else:
        out.update(delta_chisq=diff["chisq_diff"], delta_df=float(diff["df_diff"]),
                   p_delta=diff["p_diff"],
                   delta_cfi=fit["cfi_scaled"] - ref["cfi_scaled"],
                   delta_rmsea=fit["rmsea_scaled"] - ref["rmsea_scaled"])
    out["freed"] = ", ".join(_fmt(model, f) for f in freed) if freed else ""
    out["holds"] = bool(holds)
    return out


def latent_means_table(theta: np.ndarray, vcov: np.ndarray, positions: Sequence[np.ndarray],
                       factors: Sequence[str], labels: Sequence,
                       ref_var: np.ndarray) -> pd.DataFrame:
    """Latent means of groups 2..G against the reference group (mean 0): estimate, SE, z,
    p, 95% Wald CI and ``d`` (the mean in reference-group SDs, ``ref_var`` its factor
    variances). ``positions[g - 1][k]`` is the index in ``theta`` of group g's mean of
    factor k. Shared by the ML and the ordinal ladder."""
    z = stats.norm.ppf(0.975)
    rows = []
    for g, pos in enumerate(positions, start=1):
        for k, fac in enumerate(factors):
            i = pos[k]
            est, se = float(theta[i]), float(np.sqrt(vcov[i, i]))
            rows.append({"group": labels[g], "construct": fac, "estimate": est, "se": se,
                         "z": est / se, "p_val": float(2 * stats.norm.sf(abs(est / se))),
                         "ci_low": est - z * se, "ci_high": est + z * se,
                         "d": est / float(np.sqrt(ref_var[k]))})
    return pd.DataFrame(rows)


def _latent_means(fitted: _Fit, labels: Sequence) -> pd.DataFrame:
    model, theta = fitted.model, fitted.res.theta
    return latent_means_table(theta, fitted.res.vcov,
                              [model.idx[g]["al"] for g in range(1, model.G)], model.factors,
                              labels, np.diag(model.unpack(theta, 0)["Psi"]))


def ordinal_ladder(x: np.ndarray, gcol: np.ndarray, *, items: Sequence[str],
                   factors: Sequence[str], factor_of: Sequence[int], group: str,
                   partial: bool, criterion: str, max_free: int | None, alpha: float,
                   parameterization: str, dcfi: float, drmsea: float) -> dict:
    """Climb the Wu & Estabrook ladder on complete rows ``x`` (items) grouped by ``gcol``.

    Returns the pieces of an :class:`~ringstats.measurement._invariance.InvarianceResult`.
    """
    from ._wls._stats import ordinal_moments_by

    labels = tuple(pd.unique(gcol))
    _check_categories(x, items, gcol, labels, group)
    frame = pd.DataFrame(x, columns=list(items))
    by = ordinal_moments_by(frame, np.asarray(gcol, dtype=object))
    moments: list[OrdinalMoments] = [by[lab] for lab in labels]
    nth = [len(t) for t in moments[0].thresholds]
    p = len(items)
    max_free = p // 2 if max_free is None else max_free
    fo = np.asarray(factor_of)

    def build(level: str, freed: Sequence, param: str) -> OrdinalGroupModel:
        return OrdinalGroupModel(items, factors, factor_of, nth, len(labels), level, freed,
                                 param)

    def fit(level: str, freed: Sequence, param: str, warm: _Fit | None = None) -> _Fit:
        model = build(level, freed, param)
        start = None
        if warm is not None and warm.model.param == param:
            start = model.start_from(warm.model, warm.res.theta)
        try:
            return _Fit(model, model.fit(moments, start))
        except ConvergenceError:
            if start is None:
                raise
            return _Fit(model, model.fit(moments))

    def diff_test(less: _Fit, more: _Fit) -> dict:
        return satorra_2000(moments, less.res, more.res)

    def holds(new: pd.Series, old: pd.Series, diff: dict) -> bool:
        if criterion == "chisq":
            return bool(not np.isfinite(diff["p_diff"]) or diff["p_diff"] >= alpha)
        return bool(new["cfi_scaled"] - old["cfi_scaled"] >= dcfi
                    and new["rmsea_scaled"] - old["rmsea_scaled"] <= drmsea)

    def anchors_left(kind: str, j: int, freed: list) -> bool:
        """Keep one item per factor under every equality (it identifies the scale)."""
        others = [i for i in np.flatnonzero(fo == fo[j]) if i != j]
        return any(all(ii != i for _, ii in freed) for i in others)

    param0 = parameterization
    rows, fits = [], {}
    freed: list[tuple[str, int]] = []
    notes: list[str] = []
    accepted = fit("configural", [], param0)
    fits["configural"] = accepted.res.fit
    rows.append(_row("configural", accepted.res.fit, None, None, [], accepted.model, True))
    highest = "configural"
    broke = False
    for level in ORDINAL_LEVELS[1:]:
        param = param0
        base = accepted
        if level == "strict" and param0 == "delta":
            # residual variances are parameters only under the theta parameterisation; the
            # accepted model has the same fit there (Wu & Estabrook 2016)
            param = "theta"
            base = fit(accepted.model.level, freed, "theta")
        cur = fit(level, freed, param, base)
        diff = diff_test(base, cur)
        name = f"partial {level}" if freed else level
        fits[name] = cur.res.fit
        ok_level = holds(cur.res.fit, base.res.fit, diff)
        rows.append(_row(name, cur.res.fit, base.res.fit, diff, freed, cur.model, ok_level))
        kind = _KIND[level]
        n_new = 0
        while not ok_level and partial and n_new < max_free:
            best = None
            for j in range(p):
                if any(ii == j for _, ii in freed) or not anchors_left(kind, j, freed):
                    continue
                try:
                    fj = fit(level, freed + [(kind, j)], param, cur)
                except ConvergenceError:
                    continue
                if best is None or fj.res.fit["chisq"] < best[1].res.fit["chisq"]:
                    best = (j, fj)
            if best is None:
                break
            freed.append((kind, best[0]))
            n_new += 1
            cur = best[1]
            diff = diff_test(base, cur)
            ok_level = holds(cur.res.fit, base.res.fit, diff)
            name = f"partial {level} ({len(freed)} freed)"
            fits[name] = cur.res.fit
            rows.append(_row(name, cur.res.fit, base.res.fit, diff, freed, cur.model,
                             ok_level))
        if not ok_level:
            broke = True
            break
        highest = f"partial {level}" if freed else level
        accepted = cur
    if not broke and param0 == "delta" and accepted.model.level == "strict":
        notes.append("The strict level is fitted in the theta parameterisation (residual "
                     "variances are parameters only there); the lower levels in the delta "
                     "parameterisation, which fits identically.")
    means_from = accepted
    if accepted.model.level in ("scalar", "strict") and accepted.model.param != param0:
        means_from = fit("scalar", [f for f in freed if f[0] != "residuals"], param0)
    lm = pd.DataFrame()
    if means_from.model.level in ("scalar", "strict"):
        lm = _latent_means(means_from, labels)
    return {"table": pd.DataFrame(rows).set_index("level"), "fits": fits, "highest": highest,
            "freed": tuple(_fmt(accepted.model, f) for f in freed), "latent_means": lm,
            "groups": labels,
            "n_per_group": pd.Series([m.n for m in moments], index=list(labels), name="n"),
            "notes": notes, "accepted": accepted}
