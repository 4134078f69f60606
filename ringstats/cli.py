"""The ``ringstats`` command line.

Examples
--------
::

    ringstats simulate --world base -n 5000 --seed 1 -o survey.csv
    ringstats validate survey.csv --spec survey.spec.yaml
    ringstats measure survey.csv --spec survey.spec.yaml
    ringstats drivers survey.csv --spec survey.spec.yaml --outcome ltr [--scores latent]
    ringstats plateau survey.csv --spec survey.spec.yaml --outcome ltr [--scores mean]
    ringstats nps survey.csv --spec survey.spec.yaml
    ringstats asymmetry survey.csv --spec survey.spec.yaml

Exit codes: 0 success, 2 invalid input or data (the problem list is printed on
standard error).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .errors import RingstatsError, ValidationError
from .spec import RingSpec

__all__ = ["main"]

#: Commands with a ``--scores`` option and the default of the function they call.
SCORE_DEFAULTS = {"drivers": "mean", "plateau": "latent"}


def _read_csv(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise RingstatsError(f"`data` must be an existing CSV file; no file {p}.")
    try:
        return pd.read_csv(p)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise RingstatsError(f"`data` could not be read as CSV ({p}): {exc}") from None


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import draw

    world = draw(args.world, n=args.n, seed=args.seed)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    world.customers.to_csv(out, index=False)
    spec_path = Path(args.spec_out) if args.spec_out else out.with_suffix(".spec.yaml")
    world.spec.to_yaml(spec_path)
    emp_path = out.with_name(out.stem + "_employees.csv")
    world.employees.to_csv(emp_path, index=False)
    print(f"wrote {len(world.customers):,} customers to {out}")
    print(f"wrote {len(world.employees):,} employees to {emp_path}")
    print(f"wrote the RingSpec to {spec_path}")
    print(f"world '{args.world}': population NPS {world.truth.population_nps:+.1f}")
    return 0


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, RingSpec]:
    spec = RingSpec.from_yaml(Path(args.spec))
    data = _read_csv(args.data)
    return data, spec


def _cmd_validate(args: argparse.Namespace) -> int:
    data, spec = _load(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean = spec.validate(data)
    n_missing = int(clean[spec.items].isna().sum().sum())
    print(f"OK: {len(clean):,} rows, {len(spec.constructs)} constructs in rings "
          f"{sorted({c.ring for c in spec.constructs})}, {len(spec.items)} items "
          f"({n_missing:,} missing item values).")
    for w in caught:
        print(f"warning: {w.message}")
    return 0


def _analysis(module: str, func: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        data, spec = _load(args)
        data = spec.validate(data)
        fn = getattr(importlib.import_module(f"ringstats.{module}"), func)
        kwargs = {"spec": spec}
        if getattr(args, "outcome", None):
            kwargs["outcome"] = args.outcome
        if getattr(args, "scores", None):
            kwargs["scores"] = args.scores
        print(fn(data, **kwargs))
        return 0

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ringstats",
        description="Measure, test and explain the three rings of customer experience.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"ringstats {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    from .simulate import WORLDS

    p = sub.add_parser("simulate", help="draw a simulated three-ring world to CSV")
    p.add_argument("--world", default="base", choices=sorted(WORLDS))
    p.add_argument("-n", type=int, default=7200, help="number of customers (default 7200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True, help="customer CSV to write")
    p.add_argument("--spec-out", default=None,
                   help="where to write the spec YAML (default: OUTPUT with .spec.yaml)")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("validate", help="check a survey CSV against a RingSpec YAML")
    p.add_argument("data")
    p.add_argument("--spec", required=True)
    p.set_defaults(func=_cmd_validate)

    for name, module, func, helptext, outcome in (
        ("measure", "measurement", "measurement_cli", "reliability, CFA fit and validity", False),
        ("drivers", "importance", "drivers_cli", "construct and ring importance", True),
        ("plateau", "shape", "plateau_cli", "plateau verdict per ring and construct", True),
        ("nps", "netpromoter", "nps_cli", "NPS with CIs, per segment and moment", True),
        ("asymmetry", "asymmetries", "asymmetry_cli", "penalty-reward and impact asymmetry", True),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("data")
        p.add_argument("--spec", required=True)
        if outcome:
            p.add_argument("--outcome", default=None, help="outcome column (default: spec's LTR)")
        if name in SCORE_DEFAULTS:
            p.add_argument("--scores", default=None, choices=["mean", "latent"],
                           help="construct scores: item means or latent-trait (EAP) scores "
                                f"(default: {SCORE_DEFAULTS[name]})")
        p.set_defaults(func=_analysis(module, func))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        print(f"invalid data: {len(exc.problems)} problem(s)", file=sys.stderr)
        for prob in exc.problems:
            print(f"  - {prob}", file=sys.stderr)
        return 2
    except RingstatsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
