"""The static command table of the ``ringstats`` command line and its flag vocabulary.

Nothing here imports a domain module: building the parser (``ringstats --help``) costs
only ``argparse``. A command's function is named as ``"module:function"`` and imported
when the command runs.

Adding a command is one entry in :data:`COMMANDS`: its name (``"spec draft"`` makes a
nested sub-command), the function that runs it, one line of help, the flags it takes
(names from :data:`FLAGS`) and its defaults. The function receives a
:class:`ringstats.cli._run.Context` and returns a :class:`ringstats.cli._run.Output`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Command", "COMMANDS", "FLAGS", "ANALYSIS", "OUTPUT", "KINDS"]

#: Outcome kinds (``--kind``), as in :func:`ringstats.drivers`.
KINDS = ("continuous", "binary", "ordinal")


@dataclass(frozen=True)
class Flag:
    """One command-line flag: its spellings and the keyword arguments of ``add_argument``.

    ``api`` names the keyword of the Python function the flag is passed to (``None``:
    the flag is for the command line only, e.g. ``--out``).
    """

    names: tuple[str, ...]
    kwargs: dict[str, Any]
    api: str | None = None


def _f(*names: str, api: str | None = None, **kwargs: Any) -> Flag:
    return Flag(names, kwargs, api)


#: Every flag a command can take, by name. Defaults are ``None`` so an explicit value can
#: be told from the command's own default (:attr:`Command.defaults`).
FLAGS: dict[str, Flag] = {
    # input
    "data": _f("data", metavar="DATA",
               help="survey CSV or Parquet file, or a glob of them (one row per respondent)"),
    "engine": _f("--engine", choices=("duckdb", "dask", "pandas", "spark"), default=None,
                 help="how DATA is read: duckdb (default for Parquet or a glob), dask or "
                      "spark stream it into survey moments (ringstats.summarize); pandas "
                      "reads it into memory"),
    "spec": _f("--spec", required=True, metavar="YAML", help="ring specification (YAML)"),
    "estimator": _f("--estimator", choices=("auto", "ML", "WLSMV"), default=None,
                    api="estimator",
                    help="CFA estimator: auto (default: WLSMV when every item has at most 5 "
                         "categories, else ML), ML or WLSMV (ordered items)"),
    "spec_file": _f("spec_file", metavar="YAML", help="ring specification (YAML)"),
    # output (every command)
    "out": _f("--out", metavar="DIR", default=None,
              help="write the result as tidy CSV tables and JSON into DIR"),
    "format": _f("--format", choices=("text", "json", "csv"), default="text",
                 help="standard output: text (default), json (see the schema) or csv "
                      "(the main table)"),
    "figures": _f("--figures", action="store_true",
                  help="with --out: also write PNG figures (needs matplotlib)"),
    "quiet": _f("--quiet", "-q", action="store_true",
                help="no progress bar (it is also off when standard error is not a terminal)"),
    # analysis options (same names as the Python API)
    "outcome": _f("--outcome", default=None, api="outcome", metavar="COLUMN",
                  help="outcome column (default: the spec's LTR)"),
    "kind": _f("--kind", choices=KINDS, default=None, api="kind",
               help="outcome kind (default: the spec's, else continuous)"),
    "seed": _f("--seed", type=int, default=None, api="seed",
               help="random seed; the same seed gives byte-identical JSON"),
    "n_boot": _f("--n-boot", type=int, default=None, api="n_boot", metavar="N",
                 help="bootstrap replicates"),
    "jobs": _f("--jobs", "-j", type=int, default=None, api="n_jobs", metavar="N",
               help="parallel workers (default 1)"),
    "ci": _f("--ci", type=float, default=None, api="ci", metavar="LEVEL",
             help="confidence level (default 0.95)"),
    "scores": _f("--scores", choices=("mean", "latent"), default=None, api="scores",
                 help="construct scores: item means or latent-trait (EAP) scores"),
    "sesoi": _f("--sesoi", type=float, default=None, api="sesoi", metavar="SLOPE",
                help="smallest slope of interest (outcome points per scale point); "
                     "default: --sesoi-ratio times the left slope"),
    "sesoi_ratio": _f("--sesoi-ratio", type=float, default=None, api="sesoi_ratio",
                      metavar="R", help="relative SESOI (default 0.5)"),
    "driver": _f("--driver", default=None, api="driver", metavar="COLUMN",
                 help="one driver column instead of every ring and construct of the spec"),
    "low": _f("--low", type=float, default=None, api="low", metavar="X",
              help="cut-off: driver scores at or below X are 'low' "
                   "(default: lower third of the scale)"),
    "high": _f("--high", type=float, default=None, api="high", metavar="X",
               help="cut-off: driver scores at or above X are 'high' "
                    "(default: upper third of the scale)"),
    "neutral": _f("--neutral", type=float, default=None, api="neutral", metavar="X",
                  help="split-coding neutral point (default: the scale midpoint)"),
    "threshold": _f("--threshold", type=float, default=None, api="threshold", metavar="T",
                    help="impact-asymmetry class threshold (default 0.2)"),
    "by": _f("--by", action="append", default=None, metavar="COLUMN",
             help="NPS per level of COLUMN (repeatable; default: the spec's segment and "
                  "moment)"),
    # simulate
    "world": _f("--world", default="base", help="simulated world (default base)"),
    "n": _f("-n", type=int, default=7200, help="number of customers (default 7200)"),
    "output": _f("-o", "--output", required=True, metavar="FILE",
                 help="customer CSV to write (.parquet: Parquet, written in chunks)"),
    "chunk_size": _f("--chunk-size", type=int, default=None, metavar="N",
                     help="with a .parquet output: customers drawn and written per chunk "
                          "(default 500000)"),
    "spec_out": _f("--spec-out", default=None, metavar="YAML",
                   help="where to write the spec YAML (default: OUTPUT with .spec.yaml)"),
    # report
    "html": _f("-o", "--output", dest="html", default=None, metavar="HTML",
               help="HTML file to write"),
    "lang": _f("--lang", choices=("en", "nl"), default=None, api="lang",
               help="language of the report"),
    # spec draft
    "efa": _f("--no-efa", dest="efa", action="store_false",
              help="group items by name only (no exploratory factor analysis)"),
}

#: Flags shared by every command that analyses a survey against a spec.
ANALYSIS = ("data", "spec", "outcome", "kind", "seed", "n_boot", "jobs", "ci")
#: Output flags every command takes.
OUTPUT = ("out", "format", "figures", "quiet")


@dataclass(frozen=True)
class Command:
    """One entry of the command table."""

    name: str
    run: str
    help: str
    flags: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)


_C = "ringstats.cli._commands"

#: The command table (static: the parser is built from it without importing any analysis).
COMMANDS: tuple[Command, ...] = (
    Command("simulate", f"{_C}:simulate", "draw a simulated three-ring world to CSV",
            ("world", "n", "seed", "output", "spec_out", "chunk_size"), {"seed": 0}),
    Command("validate", f"{_C}:validate", "check a survey CSV against a ring specification",
            ("data", "spec")),
    Command("measure", f"{_C}:measure", "reliability, CFA fit and validity",
            ("data", "spec", "seed", "n_boot", "jobs", "engine", "estimator"), {"seed": 0}),
    Command("drivers", f"{_C}:drivers", "construct and ring importance (Shapley shares, CIs)",
            ANALYSIS + ("scores", "engine"), {"seed": 0, "n_boot": 200, "scores": "mean"}),
    Command("plateau", f"{_C}:plateau", "plateau verdict per ring and construct",
            ANALYSIS + ("scores", "sesoi", "sesoi_ratio", "driver"),
            {"seed": 0, "n_boot": 200, "scores": "latent"}),
    Command("nps", f"{_C}:nps", "NPS with CIs, per segment and moment",
            ANALYSIS + ("by", "engine"), {"seed": 0}),
    Command("asymmetry", f"{_C}:asymmetry", "penalty-reward and impact asymmetry",
            ANALYSIS + ("low", "high", "neutral", "threshold"), {"seed": 0, "n_boot": 200}),
    Command("spec draft", f"{_C}:spec_draft",
            "draft a ring specification from a survey CSV (ring assignments left as TODO)",
            ("data", "efa", "seed")),
    Command("spec show", f"{_C}:spec_show", "explain a ring specification in words",
            ("spec_file",)),
    Command("report", "ringstats.report:report_cli",
            "a self-contained HTML report: data check, measurement, drivers, priority map, "
            "NPS, plateaus, asymmetry", ("data", "spec", "seed", "n_boot", "lang", "html"),
            {"seed": 0, "n_boot": 200, "lang": "en", "html": "report.html"}),
)
