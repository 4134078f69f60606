"""Culture and the service-profit chain: employees, teams and customers.

* :func:`icc` -- ICC(1) and ICC(2) from one-way ANOVA with unequal team sizes (Bliese 2000),
  F-based intervals, and REML variance components from statsmodels ``MixedLM``.
* :func:`linkage` -- team engagement and meaning (employee survey) -> customer LTR and ring-3
  score in a random-intercept model (Raudenbush & Bryk 2002), with the unit-level correlation,
  a reliability-corrected standardised link and an explicit convergence flag.
* :func:`mediation` -- meaning (team) -> ring-3 score -> loyalty in a 2-1-1 design with a
  cluster bootstrap over teams (Preacher & Hayes 2008; Zhang, Zyphur & Preacher 2009)."""

from __future__ import annotations

from ._icc import icc
from ._linkage import LinkageResult, linkage
from ._mediation import MediationResult, mediation

__all__ = ["icc", "linkage", "mediation", "LinkageResult", "MediationResult"]
