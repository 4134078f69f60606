"""A three-ring world simulator with known ground truth.

Every later method in ringstats proves on these worlds that it recovers the
truth when it is there and does not invent it when it is not. The generator
follows the ground-truth table in section (b) of the project's evidence review
(``shared/research/evidence-and-methods.md``); the anchor for each parameter is
given in :data:`PARAMETER_SOURCES`.

Model
-----
For customer *i* in team *j*:

* Ring latents ``R1, R2, R3 ~ N(0, 1)`` with correlations .5 (R1-R2), .4
  (R1-R3), .5 (R2-R3). A share of the variance of R2 and R3 (0.20) lies
  between teams; the team parts of R2 and R3 are driven by the team's employee
  engagement and meaning with strength ``gamma`` (Harter et al. 2002; Whitman
  et al. 2010: unit-level rho about .3).
* Two constructs per ring, ``eta = sqrt(0.8) R + sqrt(0.2) u``; each measured by
  3-4 five-point items with standardised loadings drawn once per world from
  U(.70, .90) and skewed thresholds (-1.8, -1.0, -0.2, 0.8).
* Latent loyalty ``y* = f1(R1) + f2(R2) + f3(R3) + moment terms + failure terms
  + segment shift + e``, ``e ~ N(0, 0.62^2)``; ``f_r`` is piecewise linear with
  known knots and slopes (base: hinge at 0 with slopes .30 then .08 (R1) and
  .10 (R2); R3 linear .22 (Mittal et al. 1998; Anderson & Mittal 2000)).
* Emotional or complex moments (share 0.20) double the R3 slope (+.22) and add
  a penalty of .15 per unit of negative R2 (McKinsey 2006 [vendor]).
* ``LTR = clip(round(7.9 + 1.9 z(y*) + shift), 0, 10)`` with a US-like shift 0
  or a Dutch-like shift -0.45 (SurveyMonkey [vendor]); ``z`` standardises with
  the population mean and SD of ``y*`` (computed once per parameter set by a
  fixed-seed Monte Carlo, so the mapping does not depend on ``n``).
* Behaviour: ``logit P(repurchase) = 0.8 + 0.8 z + 0.5 max(z - 0.5, 0)`` for
  80% of customers and a flat ``0.8`` for the 20% unresponsive (Mittal &
  Kamakura 2001).
* 8% of customers meet a service failure (-0.40 on y*); 60% of those are
  recovered (+0.40 on y*, restoring intention) and recovery raises
  satisfaction by a further 0.30 (recovery paradox on satisfaction only, De
  Matos et al. 2007).

Everything is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed
order, so the same seed gives identical data on any machine."""

from __future__ import annotations

from ._draw import draw
from ._parquet import write_parquet
from ._truth import GroundTruth, SimulatedWorld
from ._worlds import (
    BASE,
    CONSTRUCT_LABELS,
    CONSTRUCTS,
    EMPLOYEE_ITEMS,
    LOYALTY_ITEMS,
    PARAMETER_SOURCES,
    REVERSE_KEYED,
    WORLD_DESCRIPTIONS,
    WORLDS,
    piecewise,
    world_params,
)

__all__ = [
    "draw", "write_parquet", "WORLDS", "world_params", "GroundTruth", "SimulatedWorld",
    "PARAMETER_SOURCES", "WORLD_DESCRIPTIONS", "CONSTRUCTS", "CONSTRUCT_LABELS", "LOYALTY_ITEMS",
    "EMPLOYEE_ITEMS", "REVERSE_KEYED", "BASE", "piecewise",
]
