"""Model structure of a structural equation model: spec + paths -> LISREL-style matrices.

The model is the "all-y" LISREL form lavaan uses internally,

.. math:: \\Sigma(\\theta) = \\Lambda (I-B)^{-1} \\Psi (I-B)^{-\\top} \\Lambda^\\top + \\Theta,

with loadings :math:`\\Lambda` (items x latents), regressions among latents :math:`B`
(``B[k, l]`` is the effect of ``l`` on ``k``), latent (residual) covariances :math:`\\Psi` and
diagonal residual variances :math:`\\Theta`. An observed variable that appears in a regression
(e.g. the LTR outcome) becomes a single-indicator "phantom" latent with loading 1 and
residual variance 0, as in lavaan, so its residual variance lives in :math:`\\Psi`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import SpecError
from ._cfa._model import start_blocks

__all__ = ["SEMStructure", "parse_paths"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def parse_paths(paths: str | Mapping[str, Sequence[str] | str]) -> list[tuple[str, str]]:
    """Regression paths as (outcome, predictor) pairs, from lavaan syntax or a dict.

    ``"SAT ~ QUAL + VAL"`` (lines separated by newlines or ``;``; ``#`` starts a comment;
    lavaan labels such as ``a*QUAL`` are accepted and ignored) or ``{"SAT": ["QUAL", "VAL"]}``.
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(paths, str):
        for raw in re.split(r"[;\n]", paths):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if "=~" in line or "~~" in line or ":=" in line or line.count("~") != 1:
                raise SpecError(
                    "`paths` takes regression lines of the form 'outcome ~ a + b' (the "
                    f"measurement model comes from `spec`); got {line!r}."
                )
            lhs, rhs = (part.strip() for part in line.split("~"))
            for term in rhs.split("+"):
                term = term.strip().split("*")[-1].strip()
                pairs.append((lhs, term))
    elif isinstance(paths, Mapping) and paths:
        for lhs, rhs in paths.items():
            preds = [rhs] if isinstance(rhs, str) else rhs
            if not isinstance(preds, Sequence) or not preds:
                raise SpecError(f"`paths` must map each outcome to a list of predictors; got "
                                f"{rhs!r} for {lhs!r}.")
            pairs += [(str(lhs), str(p)) for p in preds]
    else:
        raise SpecError("`paths` must be lavaan-style text ('SAT ~ QUAL + VAL') or a dict "
                        f"{{outcome: [predictors]}}; got {type(paths).__name__}.")
    for lhs, rhs in pairs:
        for name in (lhs, rhs):
            if not _NAME.match(name):
                raise SpecError(f"`paths` has an invalid variable name {name!r}.")
        if lhs == rhs:
            raise SpecError(f"`paths` regresses `{lhs}` on itself.")
    if len(set(pairs)) != len(pairs):
        dup = sorted({p for p in pairs if pairs.count(p) > 1})
        raise SpecError(f"`paths` lists a path twice: {dup[0][0]} ~ {dup[0][1]}.")
    return pairs


@dataclass(frozen=True)
class SEMStructure:
    """Free and fixed parameters of a SEM; the interface the ML/FIML cores use.

    Attributes ``items`` (observed variables, in Sigma order), ``latents`` (in B order),
    ``phantom`` (latents standing for an observed variable), and the free parameters as
    (kind, row, col) with kind in ``lam``, ``beta``, ``psi``, ``theta``.
    """

    items: tuple[str, ...]
    latents: tuple[str, ...]
    phantom: tuple[bool, ...]
    std_lv: bool
    free: tuple[tuple[str, int, int], ...]
    fixed_lambda: tuple[tuple[int, int], ...]
    fixed_psi: tuple[int, ...]

    @classmethod
    def build(cls, blocks: Mapping[str, Sequence[str]], pairs: list[tuple[str, str]],
              observed: Sequence[str], std_lv: bool) -> SEMStructure:
        """``blocks``: latent -> items; ``pairs``: (outcome, predictor); ``observed``: columns."""
        latents = list(blocks)
        items: list[str] = [it for f in latents for it in blocks[f]]
        phantom = [False] * len(latents)
        for lhs, rhs in pairs:
            for name in (lhs, rhs):
                if name in latents:
                    continue
                if name in items:
                    raise SpecError(
                        f"`paths` uses `{name}`, an indicator of construct "
                        f"`{next(f for f in latents if name in blocks[f])}`; regress on the "
                        "construct instead."
                    )
                if name not in observed:
                    raise SpecError(
                        f"`paths` names `{name}`, which is neither a construct of `spec` "
                        f"({', '.join(latents)}) nor a column of `data`."
                    )
                latents.append(name)
                items.append(name)
                phantom.append(True)
        m, p = len(latents), len(items)
        pos = {f: k for k, f in enumerate(latents)}
        ipos = {it: j for j, it in enumerate(items)}
        free: list[tuple[str, int, int]] = []
        fixed_l: list[tuple[int, int]] = []
        for k, f in enumerate(latents):
            if phantom[k]:
                fixed_l.append((ipos[f], k))
                continue
            for n, it in enumerate(blocks[f]):
                if n == 0 and not std_lv:
                    fixed_l.append((ipos[it], k))
                else:
                    free.append(("lam", ipos[it], k))
        beta = [(pos[lhs], pos[rhs]) for lhs, rhs in pairs]
        free += [("beta", k, l_) for k, l_ in beta]
        endo = {k for k, _ in beta}
        exo = [k for k in range(m) if k not in endo]
        fixed_psi = []
        for k in range(m):
            if std_lv and not phantom[k]:
                fixed_psi.append(k)
            else:
                free.append(("psi", k, k))
        free += [("psi", a, b) for i, a in enumerate(exo) for b in exo[:i]]
        free += [("theta", j, j) for j in range(p)
                 if not (items[j] in pos and phantom[pos[items[j]]])]
        if beta:
            bpat = np.zeros((m, m))
            bpat[tuple(np.array(beta).T)] = 1.0
            # a recursive (acyclic) path pattern is nilpotent
            if np.any(np.linalg.matrix_power(bpat, m) != 0):
                raise SpecError("`paths` contain a feedback loop (a cycle of regressions); "
                                "only recursive models are supported.")
        st = cls(tuple(items), tuple(latents), tuple(phantom), std_lv, tuple(free),
                 tuple(fixed_l), tuple(fixed_psi))
        return st

    # ------------------------------------------------------------------ sizes and indices
    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def m(self) -> int:
        return len(self.latents)

    @property
    def q(self) -> int:
        return len(self.free)

    @cached_property
    def _idx(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        out = {}
        for kind in ("lam", "beta", "psi", "theta"):
            sel = [(n, r, c) for n, (k, r, c) in enumerate(self.free) if k == kind]
            arr = np.array(sel, dtype=int).reshape(-1, 3)
            out[kind] = (arr[:, 0], arr[:, 1], arr[:, 2])
        return out

    @cached_property
    def endogenous(self) -> tuple[int, ...]:
        _, k, _ = self._idx["beta"]
        return tuple(sorted(set(k.tolist())))

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        """Lambda, B, Psi, diag(Theta) from the free-parameter vector."""
        lam = np.zeros((self.p, self.m))
        for j, k in self.fixed_lambda:
            lam[j, k] = 1.0
        n, r, c = self._idx["lam"]
        lam[r, c] = theta[n]
        b = np.zeros((self.m, self.m))
        n, r, c = self._idx["beta"]
        b[r, c] = theta[n]
        psi = np.zeros((self.m, self.m))
        psi[list(self.fixed_psi), list(self.fixed_psi)] = 1.0
        n, r, c = self._idx["psi"]
        psi[r, c] = theta[n]
        psi[c, r] = theta[n]
        th = np.zeros(self.p)
        n, r, _ = self._idx["theta"]
        th[r] = theta[n]
        return lam, b, psi, th

    def _parts(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        lam, b, psi, th = self.unpack(theta)
        a = np.linalg.inv(np.eye(self.m) - b)
        lo = lam @ a  # p x m: items on latent "total" scores
        mo = a @ psi @ lo.T  # m x p
        return lam, b, psi, th, a, lo, mo

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        lam, b, psi, th = self.unpack(theta)
        lo = lam @ np.linalg.inv(np.eye(self.m) - b)
        out = lo @ psi @ lo.T
        out[np.diag_indices(self.p)] += th
        return out

    def latent_cov(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of the latents, (I-B)^-1 Psi (I-B)^-T."""
        _, b, psi, _ = self.unpack(theta)
        a = np.linalg.inv(np.eye(self.m) - b)
        return a @ psi @ a.T

    def grad_from_g(self, g: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Chain rule: given symmetric G with dF = tr(G dSigma), return dF/dtheta."""
        _, _, _, _, _, lo, mo = self._parts(theta)
        out = np.empty(self.q)
        n, r, c = self._idx["lam"]
        out[n] = (2.0 * g @ mo.T)[r, c]
        n, r, c = self._idx["beta"]
        out[n] = (2.0 * lo.T @ g @ mo.T)[r, c]
        n, r, c = self._idx["psi"]
        out[n] = (lo.T @ g @ lo)[r, c] * np.where(r == c, 1.0, 2.0)
        n, r, _ = self._idx["theta"]
        out[n] = np.diag(g)[r]
        return out

    def dsigma(self, theta: np.ndarray) -> np.ndarray:
        """Derivatives dSigma/dtheta_i as a (q, p, p) array."""
        _, _, _, _, _, lo, mo = self._parts(theta)
        out = np.zeros((self.q, self.p, self.p))
        n, r, c = self._idx["lam"]
        out[n, r, :] += mo[c, :]
        out[n, :, r] += mo[c, :]
        n, r, c = self._idx["beta"]
        if n.size:
            o = lo[:, r].T[:, :, None] * mo[c, :][:, None, :]
            out[n] = o + o.transpose(0, 2, 1)
        n, r, c = self._idx["psi"]
        if n.size:
            o = lo[:, r].T[:, :, None] * lo[:, c].T[:, None, :]
            out[n] = np.where((r == c)[:, None, None], o, o + o.transpose(0, 2, 1))
        n, r, _ = self._idx["theta"]
        out[n, r, r] = 1.0
        return out

    # ------------------------------------------------------------------ labels and start
    def labels(self) -> list[tuple[str, str, str]]:
        out = []
        for kind, r, c in self.free:
            if kind == "lam":
                out.append((self.latents[c], "=~", self.items[r]))
            elif kind == "beta":
                out.append((self.latents[r], "~", self.latents[c]))
            elif kind == "psi":
                out.append((self.latents[c], "~~", self.latents[r]) if r != c
                           else (self.latents[r], "~~", self.latents[r]))
            else:
                out.append((self.items[r], "~~", self.items[r]))
        return out

    def start(self, s: np.ndarray) -> np.ndarray:
        """Start values: :func:`~._cfa._model.start_blocks` (signed one-factor loadings per
        block, composite correlations), then regressions among the latents from those."""
        m = self.m
        pat = np.zeros((self.p, m), dtype=bool)
        for j, k in self.fixed_lambda:
            pat[j, k] = True
        _, rr, cc = self._idx["lam"]
        pat[rr, cc] = True
        lam, phi, resid = start_blocks(s, pat, self.fixed_lambda, unit=self.phantom)
        b = np.zeros((m, m))
        psi = phi.copy()
        _, br, bc = self._idx["beta"]
        for k in self.endogenous:
            preds = bc[br == k]
            coef = np.linalg.lstsq(phi[np.ix_(preds, preds)], phi[preds, k], rcond=None)[0]
            b[k, preds] = coef
            psi[k, k] = max(phi[k, k] - phi[k, preds] @ coef, 0.1 * phi[k, k])
        theta = np.empty(self.q)
        for n, (kind, i, j) in enumerate(self.free):
            if kind == "lam":
                theta[n] = lam[i, j]
            elif kind == "beta":
                theta[n] = b[i, j]
            elif kind == "psi":
                theta[n] = (1.0 if self.std_lv and not self.phantom[i] and i == j
                            else psi[i, j])
            else:
                theta[n] = resid[i]
        return theta
