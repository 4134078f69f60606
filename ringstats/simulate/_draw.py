"""draw(): one simulated survey (customers, employees, spec and truth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from .._kernels.validation import check_int, check_seed
from ..spec import RingSpec
from ._truth import (
    GroundTruth,
    SimulatedWorld,
    _cut,
    _latent_block,
    _params_key,
    _population,
    _ring_cov,
    _true_loadings,
)
from ._worlds import (
    CONSTRUCT_LABELS,
    CONSTRUCTS,
    EMPLOYEE_ITEMS,
    LOYALTY_ITEMS,
    REVERSE_KEYED,
    piecewise,
    world_params,
)


def _spec(p: dict[str, Any], world: str) -> RingSpec:
    return RingSpec.from_dict({
        "name": f"simulated_{world}",
        "scales": {"likert5": {"min": 1, "max": 5}},
        "default_scale": "likert5",
        "constructs": {
            name: {"ring": ring, "items": list(items), "label": CONSTRUCT_LABELS[name]}
            for name, (ring, items) in CONSTRUCTS.items()
        },
        "outcomes": {"ltr": "ltr", "loyalty": list(LOYALTY_ITEMS), "behaviour": "repurchase"},
        "missing_codes": [p["missing_code"]],
        "reverse_keyed": list(REVERSE_KEYED),
        "segment": "segment",
        "moment": "moment",
        "team": "team",
    })


def draw(world: str = "base", *, n: int = 7200, seed: int | None = 0,
         **overrides: Any) -> SimulatedWorld:
    """Draw customers and employees from a named three-ring world.

    Parameters
    ----------
    world : str
        One of ``base``, ``linear``, ``no_ring3``, ``no_moments``,
        ``no_linkage``, ``convex``, ``inverse_s``, ``inverted_u``, ``u_shape``,
        ``dutch``, ``null``
        (see :data:`WORLD_DESCRIPTIONS`).
    n : int
        Number of customers (spread at random over ``n_teams`` teams).
    seed : int
        Seed of the PCG64 generator; the same seed gives identical data on any
        machine.
    **overrides
        Any generator parameter (see :func:`world_params`), for example
        ``gamma=0.3``, ``moment_share=0.35`` or ``slopes={3: (0.35,)}``.

    Returns
    -------
    SimulatedWorld
        ``customers``, ``employees``, ``spec`` (a :class:`RingSpec`) and
        ``truth`` (a :class:`GroundTruth`); unpacks as a 4-tuple.

    Examples
    --------
    >>> import ringstats as rs
    >>> customers, employees, spec, truth = rs.draw("base", n=1000, seed=1)
    >>> customers.shape[0], round(truth.population_nps) in range(5, 30)
    (1000, True)
    >>> clean = spec.validate(customers)   # -99 codes to NaN, ease4 reversed
    """
    n = check_int(n, "n", min_value=1)
    seed = check_seed(seed)
    p = world_params(world, **overrides)
    pop = _population(_params_key(p))
    rng = np.random.default_rng(seed)
    J = p["n_teams"]
    team = rng.integers(0, J, n)
    b = _latent_block(rng, p, n, team)
    lam = _true_loadings(p)
    thr = np.asarray(p["thresholds"], dtype=float)
    cols: dict[str, Any] = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "team": (team + 1).astype(np.int32),
        "segment": pd.Categorical(np.where(b["business"], "business", "private"),
                                  categories=["private", "business"]),
        "moment": pd.Categorical(np.where(b["emotional"], "emotional", "routine"),
                                 categories=["routine", "emotional"]),
        "channel": pd.Categorical(np.where(b["human"], "human", "digital"),
                                  categories=["digital", "human"]),
        "failure": b["failure"].astype(np.int8),
        "recovered": b["recovered"].astype(np.int8),
    }
    item_names = []
    for k, (_name, (_, items)) in enumerate(CONSTRUCTS.items()):
        eta = b["eta"][:, k]
        for item in items:
            lk = lam[item]
            x = lk * eta + np.sqrt(1 - lk * lk) * rng.standard_normal(n)
            cat = _cut(x, thr)
            if item in REVERSE_KEYED:
                cat = (6 - cat).astype(np.int8)
            cols[item] = cat
            item_names.append(item)
    z = (b["y"] - pop["y_mean"]) / pop["y_sd"]
    cols["ltr"] = np.clip(np.round(p["ltr_center"] + p["ltr_scale"] * z + p["ltr_shift"]),
                          0, 10).astype(np.int8)
    ll = p["loyalty_loading"]
    for item in LOYALTY_ITEMS:
        cols[item] = _cut(ll * z + np.sqrt(1 - ll * ll) * rng.standard_normal(n), thr)
    responsive = rng.random(n) >= p["behaviour_unresponsive"]
    eta_b = p["behaviour_intercept"] + responsive * (
        p["behaviour_slope"] * z
        + p["behaviour_hinge_slope"] * np.maximum(z - p["behaviour_hinge"], 0.0))
    cols["repurchase"] = (rng.random(n) < expit(eta_b)).astype(np.int8)
    zs = (b["sat"] - pop["sat_mean"]) / pop["sat_sd"]
    cols["sat"] = np.clip(np.round(p["sat_center"] + p["sat_scale"] * zs + p["ltr_shift"]),
                          0, 10).astype(np.int8)
    # item nonresponse coded with the missing code
    if p["missing_rate"] > 0:
        for item in item_names + list(LOYALTY_ITEMS):
            miss = rng.random(n) < p["missing_rate"]
            arr = cols[item].copy()
            arr[miss] = p["missing_code"]
            cols[item] = arr
    customers = pd.DataFrame(cols)

    # employee survey
    m = p["employees_per_team"]
    e_team = np.repeat(np.arange(J), m)
    icc = p["employee_icc"]
    el = p["employee_loading"]
    ethr = np.asarray(p["employee_thresholds"], dtype=float)
    emp: dict[str, Any] = {"team": (e_team + 1).astype(np.int32),
                           "employee_id": np.arange(1, J * m + 1, dtype=np.int64)}
    for latent_name, team_values in (("engagement", b["engagement"]), ("meaning", b["meaning"])):
        e = np.sqrt(icc) * team_values[e_team] + np.sqrt(1 - icc) * rng.standard_normal(J * m)
        for item in EMPLOYEE_ITEMS[latent_name]:
            emp[item] = _cut(el * e + np.sqrt(1 - el * el) * rng.standard_normal(J * m), ethr)
    employees = pd.DataFrame(emp)

    # ground truth
    latent = pd.DataFrame(b["R"], columns=["R1", "R2", "R3"])
    for k, name in enumerate(CONSTRUCTS):
        latent[name] = b["eta"][:, k]
    latent["y_star"] = b["y"]
    latent["sat_star"] = b["sat"]
    s = np.array([p["team_share"][r] for r in (1, 2, 3)])
    team_df = pd.DataFrame({
        "team": np.arange(1, J + 1, dtype=np.int32),
        "engagement": b["engagement"], "meaning": b["meaning"],
        "effect_R1": np.sqrt(s[0]) * b["T"][:, 0],
        "effect_R2": np.sqrt(s[1]) * b["T"][:, 1],
        "effect_R3": np.sqrt(s[2]) * b["T"][:, 2],
    })
    P = _ring_cov(p)
    ring_names = ["R1", "R2", "R3"]
    cc = p["construct_corr"]
    names = list(CONSTRUCTS)
    rings = [CONSTRUCTS[c][0] for c in names]
    ccm = np.array([[1.0 if a == b_ else (cc if ra == rb else cc * P[ra - 1, rb - 1])
                     for b_, rb in zip(names, rings, strict=True)]
                    for a, ra in zip(names, rings, strict=True)])
    truth = GroundTruth(
        world=world,
        params=p,
        loadings=lam,
        latent_corr=pd.DataFrame(P, index=ring_names, columns=ring_names),
        construct_corr=pd.DataFrame(ccm, index=names, columns=names),
        latent=latent,
        team=team_df,
        curves={r: piecewise(p["slopes"][r], p["knots"][r]) for r in (1, 2, 3)},
        breakpoints={r: tuple(p["knots"][r]) for r in (1, 2, 3)},
        slopes={r: tuple(p["slopes"][r]) for r in (1, 2, 3)},
        moment_effects={"ring3_extra": p["moment_ring3_extra"],
                        "ring2_penalty": p["moment_ring2_penalty"]},
        gamma=float(p["gamma"]),
        population_nps=pop["nps"],
        population_promoters=pop["promoters"],
        population_detractors=pop["detractors"],
        ring_shares=pd.Series(pop["ring_shares"], index=[1, 2, 3], name="ring_share"),
        y_mean=pop["y_mean"],
        y_sd=pop["y_sd"],
        ring_shares_ltr=pd.Series(pop["ring_shares_ltr"], index=[1, 2, 3],
                                  name="ring_share_ltr"),
    )
    return SimulatedWorld(world=world, customers=customers, employees=employees,
                          spec=_spec(p, world), truth=truth)
