"""Confirmatory factor analysis by maximum likelihood, with the fit report lavaan users expect.

The estimator is ringstats' own (it does not call factor-analyzer's CFA, which returns
numbers after a failed optimisation). It fits the congeneric measurement model

.. math:: \\Sigma(\\theta) = \\Lambda \\Phi \\Lambda^\\top + \\Theta

with a diagonal :math:`\\Theta`, free factor covariances and, by default, marker-variable
identification (first loading of every construct fixed to 1), as ``lavaan::cfa()`` does by
default. Complete data are fitted on the covariance matrix with the normal-theory ML
discrepancy; with ``nan_policy="fiml"`` the casewise (full-information) likelihood is
maximised over the model and a saturated mean vector.
"""

from __future__ import annotations

from ._fit import CFAResult, cfa, judged_fit

__all__ = ["cfa", "CFAResult", "judged_fit"]
