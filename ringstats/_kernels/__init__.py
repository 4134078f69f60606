"""Shared kernels: the one home of each piece every domain module needs.

Nothing here knows a :class:`~ringstats.RingSpec` or a survey: argument checks
(``validation``), result rendering (``results``), progress bars (``progress``), regression
(``regression``), bootstrap intervals and seeds (``bootstrap``), small linear-algebra
routines (``linalg``) and the all-subsets R^2 engine of Shapley/LMG (``shapley``).
Modules import them directly (``from .._kernels.regression import ols``); this package
exports nothing itself.
"""
