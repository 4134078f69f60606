"""The ``ringstats`` command line.

Examples
--------
::

    ringstats spec draft survey.csv > spec.yaml       # a first spec; fill in the ring TODOs
    ringstats spec show spec.yaml                     # the spec in words
    ringstats validate survey.csv --spec spec.yaml
    ringstats measure survey.csv --spec spec.yaml
    ringstats drivers survey.csv --spec spec.yaml --n-boot 1000 --seed 1 --out results/
    ringstats plateau survey.csv --spec spec.yaml --scores mean --sesoi 0.5
    ringstats nps survey.csv --spec spec.yaml --format json
    ringstats asymmetry survey.csv --spec spec.yaml --low 2 --high 4
    ringstats report survey.csv --spec spec.yaml -o report.html --lang nl
    ringstats simulate --world base -n 5000 --seed 1 -o survey.csv

Every command takes ``--out DIR`` (tidy CSV tables and a JSON document of the result;
``--figures`` adds PNG figures), ``--format text|json|csv`` for standard output and
``--quiet`` (no progress bar; it is also off when standard error is not a terminal).
Warnings are printed on standard error as one line each, ``warning: <message>``.

Exit codes
----------
0
    done.
1
    an unexpected internal error (a bug: please report it; ``RINGSTATS_DEBUG=1`` shows the
    traceback).
2
    bad input: an unreadable or missing file, a malformed spec, data that do not fit the
    spec (every problem is listed on standard error), an option out of range.
3
    a model did not converge (no estimates are reported).

The JSON layout of ``--format json`` and of the ``--out`` document is described by the
JSON Schema shipped as ``ringstats/cli_schema.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ._table import COMMANDS, FLAGS, OUTPUT, Command

__all__ = ["main", "build_parser", "COMMANDS", "EXIT_OK", "EXIT_INPUT", "EXIT_CONVERGENCE"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_CONVERGENCE = 0, 1, 2, 3

_EPILOG = ("exit codes: 0 done, 2 bad input (file, spec, data or option), 3 did not "
           "converge, 1 internal error")


def _add_flags(p: argparse.ArgumentParser, cmd: Command) -> None:
    for name in cmd.flags + OUTPUT:
        flag = FLAGS[name]
        kwargs = dict(flag.kwargs)
        if flag.names[0].startswith("-") and "dest" not in kwargs:
            kwargs["dest"] = name
        default = cmd.defaults.get(name)
        if default is not None and "help" in kwargs:
            kwargs["help"] += f" (default {default})"
        p.add_argument(*flag.names, **kwargs)
    p.set_defaults(_command=cmd)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, built from :data:`COMMANDS` (no analysis module imported)."""
    parser = argparse.ArgumentParser(
        prog="ringstats",
        description="Measure, test and explain the three rings of customer experience.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version of ringstats and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for cmd in COMMANDS:
        head, _, tail = cmd.name.partition(" ")
        if tail:
            if head not in groups:
                g = sub.add_parser(head, help=f"{head} commands ({head} --help lists them)",
                                   epilog=_EPILOG)
                groups[head] = g.add_subparsers(dest="subcommand", required=True,
                                                metavar="SUBCOMMAND")
            p = groups[head].add_parser(tail, help=cmd.help, description=cmd.help,
                                        epilog=_EPILOG)
        else:
            p = sub.add_parser(head, help=cmd.help, description=cmd.help, epilog=_EPILOG)
        _add_flags(p, cmd)
    return parser


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (start-up stays quick)."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ARG002
        parser.exit(message=f"ringstats {_version()}\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ringstats")
    except PackageNotFoundError:  # pragma: no cover - source tree
        return "0.0.0"


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def _execute(args: argparse.Namespace) -> int:
    from ._run import Context

    cmd: Command = args._command
    ctx = Context(command=cmd.name, args=args, defaults=cmd.defaults, flags=FLAGS)
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        text = _one_line(message)
        if text not in seen:
            seen.add(text)
            ctx.warnings.append(text)
            print(f"warning: {text}", file=sys.stderr)

    quiet_before = os.environ.get("RINGSTATS_QUIET")
    if not ctx.progress:  # every bar, also those deep inside an analysis, stays off
        os.environ["RINGSTATS_QUIET"] = "1"
    try:
        return _run_quietly(args, ctx, show)
    finally:
        if quiet_before is None:
            os.environ.pop("RINGSTATS_QUIET", None)
        else:
            os.environ["RINGSTATS_QUIET"] = quiet_before


def _run_quietly(args: argparse.Namespace, ctx: Any, show: Any) -> int:
    import importlib

    from ._run import render, write_out

    cmd: Command = args._command
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        for pattern in ("'force_all_finite' was renamed", ".*L-BFGS-B.*disp.*"):
            warnings.filterwarnings("ignore", message=pattern)  # third-party noise
        warnings.showwarning = show
        module, _, func = cmd.run.partition(":")
        output = getattr(importlib.import_module(module), func)(ctx)
        written = []
        if args.out:
            written = write_out(ctx, output, args.out, figures=args.figures)
        elif args.figures:
            from ..errors import RingstatsError

            raise RingstatsError("`--figures` needs `--out DIR` (where to write them).")
        text = render(ctx, output, args.format)
    sys.stdout.write(text)
    if args.format == "text":
        for p in written:
            print(f"wrote {p}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 2 bad input, 3 no convergence)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..errors import ConvergenceError, RingstatsError, ValidationError

    try:
        return _execute(args)
    except ValidationError as exc:
        print(f"invalid data: {len(exc.problems)} problem(s)", file=sys.stderr)
        for prob in exc.problems:
            print(f"  - {prob}", file=sys.stderr)
        return EXIT_INPUT
    except ConvergenceError as exc:
        print(f"did not converge: {_one_line(exc)}", file=sys.stderr)
        return EXIT_CONVERGENCE
    except RingstatsError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback on request
        if os.environ.get("RINGSTATS_DEBUG", "") not in ("", "0"):
            raise
        print(f"internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(a bug; RINGSTATS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
