"""ringstats: measure, test and explain the three rings of customer experience.

Every public name is importable from the top level (``rs.drivers``, ``rs.RingSpec``, ...);
it is imported on first use, so ``import ringstats`` is quick and a command that only
validates a survey never loads plotting or model-fitting libraries.

=====================  ==========================================================
module                 what it holds
=====================  ==========================================================
``spec``               :class:`RingSpec`: which items measure which construct in
                       which ring; ``validate`` cleans survey data
``specdraft``          a first spec drafted from the data; a spec in words
``simulate``           three-ring worlds with ground truth (:func:`draw`)
``datasets``           the registry of bundled and installed public data
``measurement``        reliability, polychoric, EFA, CFA, SEM, invariance, HTMT, scores
``importance``         driver importance per construct and per ring
``netpromoter``        NPS with confidence intervals, tests and sample sizes
``asymmetries``        penalty-reward, impact-asymmetry and Kano analysis
``shape``              plateau tests: is a ring "fine, but not special"?
``whatif``             what a ring improvement buys, with uncertainty
``moments``            moments-of-truth moderation and the recovery paradox
``culture``            employee-customer linkage: ICC, multilevel, mediation
``ipma``               importance-performance map (priority map)
``report``             the self-contained HTML report of a survey
``sufficient``         survey moments (:func:`summarize`): analyses beyond memory
``plotting``           every plot, on one ring palette
``cli``                the ``ringstats`` command line
=====================  ==========================================================
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from .errors import (
    ConvergenceError,
    InsufficientDataError,
    MissingExtraError,
    RingstatsError,
    RingstatsWarning,
    SpecError,
    ValidationError,
)

#: Module -> the public names it defines; each is imported on first access (PEP 562).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "spec": ("Construct", "RingSpec", "Scale"),
    "simulate": ("draw",),
    "specdraft": ("SpecDraft", "draft_spec", "explain_spec"),
    "asymmetries": ("AsymmetryResult", "IAResult", "KanoResult", "asymmetry",
                    "impact_asymmetry", "kano"),
    "culture": ("LinkageResult", "MediationResult", "icc", "linkage", "mediation"),
    "importance": ("DominanceResult", "DriverResult", "RegressionResult", "dominance",
                   "drivers", "regression", "relative_weights", "shapley"),
    "ipma": ("IPMAResult", "ipma"),
    "measurement": (
        "BartlettResult", "CFAResult", "EFAResult", "HTMTResult", "KMOResult", "LatentScores",
        "MeasurementReport", "ParallelResult", "PolychoricResult", "ReliabilityResult",
        "SEMResult", "sem", "InvarianceResult", "invariance",
        "bartlett", "cfa", "correlation", "cronbach_alpha", "efa", "fornell_larcker", "htmt",
        "kmo", "latent_scores", "mean_scores", "measurement_report", "nearest_pd",
        "parallel_analysis", "polychoric", "reliability", "ring_scores", "scores",
    ),
    "moments": ("ModerationResult", "MomentShareResult", "RecoveryResult", "moderation",
                "moment_share", "recovery_paradox"),
    "netpromoter": ("NPSResult", "NPSTestResult", "nps", "nps_by", "nps_sample_size",
                    "nps_test"),
    "report": ("Report", "report"),
    "shape": ("MarginalEffects", "PlateauResult", "PlateauTable", "marginal_effects",
              "plateau", "plateau_table"),
    "whatif": ("WhatIfResult", "what_if"),
    "sufficient": ("SurveyMoments", "summarize"),
}
_LAZY: dict[str, str] = {name: mod for mod, names in _EXPORTS.items() for name in names}

#: Submodules reachable as attributes (``rs.plotting``, ``rs.datasets``, ...).
_SUBMODULES = frozenset({"plotting", "datasets", "cli", "errors", *_EXPORTS})

__all__ = [
    "__version__",
    # modules
    "plotting", "datasets", "simulate",
    # specification and simulation
    "RingSpec", "Construct", "Scale", "draw", "draft_spec", "explain_spec", "SpecDraft",
    # measurement
    "reliability", "ReliabilityResult", "cronbach_alpha",
    "polychoric", "PolychoricResult", "correlation", "nearest_pd",
    "efa", "EFAResult", "parallel_analysis", "ParallelResult",
    "kmo", "KMOResult", "bartlett", "BartlettResult",
    "cfa", "CFAResult", "sem", "SEMResult", "invariance", "InvarianceResult",
    "htmt", "HTMTResult", "fornell_larcker",
    "scores", "mean_scores", "ring_scores", "latent_scores", "LatentScores",
    "measurement_report", "MeasurementReport",
    # drivers
    "drivers", "DriverResult", "shapley", "dominance", "DominanceResult",
    "relative_weights", "regression", "RegressionResult",
    # NPS and asymmetries
    "nps", "nps_test", "nps_by", "nps_sample_size", "NPSResult", "NPSTestResult",
    "asymmetry", "AsymmetryResult", "impact_asymmetry", "IAResult", "kano", "KanoResult",
    # shape
    "plateau", "plateau_table", "PlateauResult", "PlateauTable", "marginal_effects",
    "MarginalEffects",
    "what_if", "WhatIfResult",
    # importance-performance map and the report
    "ipma", "IPMAResult", "report", "Report",
    # moments and culture
    "moderation", "ModerationResult", "moment_share", "MomentShareResult",
    "recovery_paradox", "RecoveryResult",
    "icc", "linkage", "LinkageResult", "mediation", "MediationResult",
    # surveys beyond memory
    "summarize", "SurveyMoments",
    # errors
    "RingstatsError", "SpecError", "ValidationError", "ConvergenceError",
    "InsufficientDataError", "MissingExtraError", "RingstatsWarning",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562) and keep it in the module namespace."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("ringstats")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
    else:
        raise AttributeError(f"module 'ringstats' has no attribute {name!r}")
    globals()[name] = value
    return value


#: Functions named like their module (``rs.report``, ``rs.ipma``): the name is the function.
_SHADOWED = frozenset(name for name in _LAZY if name in _EXPORTS)


class _Package(types.ModuleType):
    """The package module: importing ``ringstats.report`` (the submodule) must not rebind
    ``ringstats.report`` (the function), as an eager ``from .report import report`` did."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable through sys.modules and `import`
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
