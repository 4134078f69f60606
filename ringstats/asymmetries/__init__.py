"""Asymmetric effects of attribute performance: split coding, PRCA, impact-asymmetry, Kano.

The three-ring argument says that the functional rings (1 and 2) behave like *basic*
factors: poor performance costs a lot, good performance earns little. This module gives the
standard tools to check that claim and to see how fragile the answer is:

* :func:`asymmetry` -- split coding around a neutral point with ``beta-`` and ``beta+`` per
  driver in one regression and a Wald test of ``beta- = beta+`` (Mittal, Ross & Baldasare
  1998), plus penalty-reward contrast analysis (PRCA; Brandt 1987) with low/high dummies.
* :func:`impact_asymmetry` -- reward and penalty from the dummy regression, the range of
  impact and the impact-asymmetry index (Mikulic & Prebezac 2008) with bootstrap intervals,
  a CI-aware basic / performance / excitement classification and a cut-off sensitivity grid
  (Albayrak & Caber 2013 show that classes change with cut-offs).
* :func:`kano` -- the Kano questionnaire (Kano et al. 1984) with the standard evaluation table
  and Berger et al.'s (1993) Better/Worse coefficients.
"""

from __future__ import annotations

from ._impact import IAResult, impact_asymmetry
from ._kano import ANSWERS, CLASS_NAMES, CLASSES, KANO_TABLE, KanoResult, kano
from ._prepare import MIN_CELL
from ._split import AsymmetryResult, asymmetry

__all__ = [
    "asymmetry",
    "impact_asymmetry",
    "kano",
    "AsymmetryResult",
    "IAResult",
    "KanoResult",
    "KANO_TABLE",
    "ANSWERS",
    "CLASSES",
    "CLASS_NAMES",
    "MIN_CELL",
]

