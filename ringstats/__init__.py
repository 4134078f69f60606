"""ringstats: measure, test and explain the three rings of customer experience.

The package is flat: one module per domain, every public name importable from the top
level.

=====================  ==========================================================
module                 what it holds
=====================  ==========================================================
``spec``               :class:`RingSpec`: which items measure which construct in
                       which ring; ``validate`` cleans survey data
``simulate``           three-ring worlds with ground truth (:func:`draw`)
``datasets``           the registry of bundled and installed public data
``measurement``        reliability, polychoric, EFA, CFA, HTMT, construct scores
``importance``         driver importance per construct and per ring
``netpromoter``        NPS with confidence intervals, tests and sample sizes
``asymmetries``        penalty-reward, impact-asymmetry and Kano analysis
``shape``              plateau tests: is a ring "fine, but not special"?
``whatif``             what a ring improvement buys, with uncertainty
``moments``            moments-of-truth moderation and the recovery paradox
``culture``            employee-customer linkage: ICC, multilevel, mediation
``ipma``               importance-performance map (priority map)
``report``             the self-contained HTML report of a survey
``plotting``           every plot, on one ring palette
=====================  ==========================================================
"""

from importlib.metadata import PackageNotFoundError, version

from . import datasets, plotting, simulate
from .asymmetries import (
    AsymmetryResult,
    IAResult,
    KanoResult,
    asymmetry,
    impact_asymmetry,
    kano,
)
from .culture import LinkageResult, MediationResult, icc, linkage, mediation
from .errors import (
    ConvergenceError,
    InsufficientDataError,
    MissingExtraError,
    RingstatsError,
    RingstatsWarning,
    SpecError,
    ValidationError,
)
from .importance import (
    DominanceResult,
    DriverResult,
    RegressionResult,
    dominance,
    drivers,
    regression,
    relative_weights,
    shapley,
)
from .ipma import IPMAResult, ipma
from .measurement import (
    BartlettResult,
    CFAResult,
    EFAResult,
    HTMTResult,
    KMOResult,
    LatentScores,
    MeasurementReport,
    ParallelResult,
    PolychoricResult,
    ReliabilityResult,
    SEMResult,
    bartlett,
    cfa,
    correlation,
    cronbach_alpha,
    efa,
    fornell_larcker,
    htmt,
    kmo,
    latent_scores,
    mean_scores,
    measurement_report,
    nearest_pd,
    parallel_analysis,
    polychoric,
    reliability,
    ring_scores,
    scores,
    sem,
)
from .moments import (
    ModerationResult,
    MomentShareResult,
    RecoveryResult,
    moderation,
    moment_share,
    recovery_paradox,
)
from .netpromoter import NPSResult, NPSTestResult, nps, nps_by, nps_sample_size, nps_test
from .report import Report, report
from .shape import MarginalEffects, PlateauResult, PlateauTable, marginal_effects, plateau
from .simulate import draw
from .spec import Construct, RingSpec, Scale
from .whatif import WhatIfResult, what_if

try:
    __version__ = version("ringstats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    # modules
    "plotting", "datasets", "simulate",
    # specification and simulation
    "RingSpec", "Construct", "Scale", "draw",
    # measurement
    "reliability", "ReliabilityResult", "cronbach_alpha",
    "polychoric", "PolychoricResult", "correlation", "nearest_pd",
    "efa", "EFAResult", "parallel_analysis", "ParallelResult",
    "kmo", "KMOResult", "bartlett", "BartlettResult",
    "cfa", "CFAResult", "sem", "SEMResult", "htmt", "HTMTResult", "fornell_larcker",
    "scores", "mean_scores", "ring_scores", "latent_scores", "LatentScores",
    "measurement_report", "MeasurementReport",
    # drivers
    "drivers", "DriverResult", "shapley", "dominance", "DominanceResult",
    "relative_weights", "regression", "RegressionResult",
    # NPS and asymmetries
    "nps", "nps_test", "nps_by", "nps_sample_size", "NPSResult", "NPSTestResult",
    "asymmetry", "AsymmetryResult", "impact_asymmetry", "IAResult", "kano", "KanoResult",
    # shape
    "plateau", "PlateauResult", "PlateauTable", "marginal_effects", "MarginalEffects",
    "what_if", "WhatIfResult",
    # importance-performance map and the report
    "ipma", "IPMAResult", "report", "Report",
    # moments and culture
    "moderation", "ModerationResult", "moment_share", "MomentShareResult",
    "recovery_paradox", "RecoveryResult",
    "icc", "linkage", "LinkageResult", "mediation", "MediationResult",
    # errors
    "RingstatsError", "SpecError", "ValidationError", "ConvergenceError",
    "InsufficientDataError", "MissingExtraError", "RingstatsWarning",
]
