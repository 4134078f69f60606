"""Net Promoter Score statistics: estimate, intervals, tests, segments and sample size.

The Net Promoter Score (NPS) is a **vendor statistic** (Reichheld 2003, "The one number you
need to grow", *Harvard Business Review* 81(12); Bain & Company, Satmetrix). It is reported
here because customer programmes use it, not because it is a better loyalty measure: the
peer-reviewed comparisons (Keiningham et al. 2007; van Doorn, Leeflang & Tijs 2013) find it no
better than mean satisfaction. Every function therefore also reports the mean
likelihood-to-recommend (LTR) with its t interval.

Coding (0-10 LTR): promoters 9-10, passives 7-8, detractors 0-6;
``NPS = 100 * (share of promoters - share of detractors)``, on the -100..100 scale.

Sampling variance (multinomial; cybaea 2016 and the worked example of Market Strategies):
``Var(NPS/100) = (p + d - (p - d)^2) / n``. The adjusted-Wald interval of Rocks (2016,
"Interval estimation for the net promoter score", *The American Statistician* 70(4),
arXiv:1601.07235) adds 3/4 to the promoter and detractor counts and 3 to n (so 3/2 to the
passives) before using the Wald formula; it keeps close to nominal coverage at small n.
Lewis & Sauro (MeasuringU, "Evaluating NPS confidence intervals with real-world data", 2021)
describe the same adjustment and confirm its performance on real data; our own coverage
study is ``benchmarks/coverage_nps.py``."""

from __future__ import annotations

from ._compare import NPSTestResult, nps_by, nps_test
from ._input import METHODS, P_ADJUST, SMALL_N
from ._one import NPSResult, nps
from ._plan import nps_sample_size

__all__ = ["nps", "nps_test", "nps_by", "nps_sample_size", "NPSResult", "NPSTestResult",
           "METHODS", "P_ADJUST", "SMALL_N"]
