"""What a command receives (:class:`Context`) and returns (:class:`Output`), and how an
output is rendered: text, JSON (``cli_schema.json``), CSV, and the ``--out`` directory."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import inspect
import json
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RingstatsError

__all__ = ["Context", "Output", "render", "write_out", "to_json"]

#: Version of the JSON layout (``cli_schema.json``); raised on any incompatible change.
SCHEMA_VERSION = 1

#: Result fields left out of the JSON and CSV tables: bootstrap replicates and raw data.
_SKIP_FIELDS = frozenset({"boot", "data", "replicates"})


@dataclass
class Context:
    """Everything a command needs: parsed flags, the command's defaults, progress."""

    command: str
    args: argparse.Namespace
    defaults: Mapping[str, Any]
    flags: Mapping[str, Any]  # flag name -> Flag
    warnings: list[str] = field(default_factory=list)
    _input: dict[str, Any] = field(default_factory=dict)

    # options -------------------------------------------------------------------
    def given(self, name: str) -> bool:
        """Whether flag ``name`` was set on the command line."""
        return getattr(self.args, name, None) is not None

    def get(self, name: str, default: Any = None) -> Any:
        """Flag value, else the command's default, else ``default``."""
        val = getattr(self.args, name, None)
        if val is not None:
            return val
        return self.defaults.get(name, default)

    @property
    def progress(self) -> bool:
        """Progress bars on: not ``--quiet``, not machine output, stderr a terminal."""
        if getattr(self.args, "quiet", False) or getattr(self.args, "format", "text") != "text":
            return False
        return bool(getattr(sys.stderr, "isatty", lambda: False)())

    def kwargs(self, fn: Callable[..., Any], names: tuple[str, ...], **fixed: Any) -> dict:
        """Keyword arguments of ``fn`` from the flags ``names`` (by their API name).

        A flag given on the command line that ``fn`` does not accept is a clean error
        (exit 2) naming the flag; ``--jobs`` is ignored where there is nothing to run in
        parallel. ``progress`` is passed when ``fn`` takes it.
        """
        params = inspect.signature(fn).parameters
        out: dict[str, Any] = {}
        for name in names:
            flag = self.flags[name]
            val = self.get(name)
            if flag.api is None or val is None:
                continue
            if flag.api in params:
                out[flag.api] = val
            elif self.given(name) and name != "jobs":
                raise RingstatsError(
                    f"`{flag.names[0]}` is not an option of `ringstats {self.command}` "
                    f"({fn.__name__} has no `{flag.api}`).")
        if "progress" in params:
            out["progress"] = self.progress
        out.update(fixed)
        return out

    # input ---------------------------------------------------------------------
    def read_csv(self, path: str | None = None) -> Any:
        import pandas as pd

        p = Path(path if path is not None else self.args.data)
        if not p.is_file():
            raise RingstatsError(f"`data` must be an existing CSV file; no file {p}.")
        try:
            data = pd.read_csv(p)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError,
                OSError) as exc:
            raise RingstatsError(f"`data` could not be read as CSV ({p}): {exc}") from None
        self._input.update(data=str(path if path is not None else self.args.data),
                           n_rows=int(len(data)), data_sha256=_sha256(p))
        return data

    def read_spec(self, path: str | None = None) -> Any:
        from ..spec import RingSpec

        p = Path(path if path is not None else self.args.spec)
        if not p.is_file():
            raise RingstatsError(f"`spec` must be an existing YAML file; no file {p}.")
        spec = RingSpec.from_yaml(p)
        self._input.update(spec=str(path if path is not None else self.args.spec),
                           spec_sha256=_sha256(p))
        return spec

    def load(self) -> tuple[Any, Any]:
        """The survey, validated against the spec (a cleaned copy), and the spec.

        A Parquet file, a glob or ``--engine`` reads it with
        :func:`ringstats.sufficient.read_source`: survey moments (duckdb, dask) or a frame
        (pandas)."""
        spec = self.read_spec()
        from ..sufficient import is_moments, read_source, wants_moments

        engine = self.get("engine")
        if wants_moments(str(self.args.data), engine):
            by = list(dict.fromkeys([*(self.get("by") or []), *spec.role_columns()[:2]]))
            data = read_source(self.args.data, spec=spec, engine=engine, by=by or None,
                               n_boot=int(self.get("n_boot") or 0), seed=self.get("seed"))
            self._input.update(data=str(self.args.data),
                               n_rows=int(data.n if is_moments(data) else len(data)))
            return (data if is_moments(data) else spec.validate(data)), spec
        data = self.read_csv()
        return spec.validate(data), spec

    def outcome(self, spec: Any) -> str:
        out = self.get("outcome") or getattr(spec, "ltr", None)
        if not out:
            raise RingstatsError("The spec names no LTR column; pass `--outcome`.")
        return str(out)

    def options(self) -> dict[str, Any]:
        """The resolved options of this run (for the JSON record)."""
        skip = {"command", "subcommand", "data", "spec", "spec_file", "out", "format",
                "figures", "quiet", "output",
                "spec_out"}
        names = [n for n in vars(self.args) if n not in skip and not n.startswith("_")]
        opts = {n: self.get(n) for n in sorted(names)}
        return {k: v for k, v in opts.items() if v is not None}


@dataclass
class Output:
    """What a command returns.

    ``text`` is printed by ``--format text``; ``results`` (name -> result object or
    DataFrame) give the tables and values of the JSON and CSV output; ``figures``
    (name -> function drawing one figure and returning its Axes or Figure) run only with
    ``--out DIR --figures``; ``files`` lists files the command itself wrote.
    """

    text: str
    results: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Callable[[], Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    main: str | None = None  # "result/table" printed by --format csv


# ----------------------------------------------------------------------------------------
# tables and values of a result
# ----------------------------------------------------------------------------------------
def _is_frame(obj: Any) -> bool:
    import pandas as pd

    return isinstance(obj, pd.DataFrame | pd.Series)


def _scalar(v: Any) -> Any:
    """JSON-ready scalar, or a sentinel when ``v`` is not one."""
    import numpy as np

    if v is None or isinstance(v, bool | str):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    return _NOT


_NOT = object()


def _value(v: Any) -> Any:
    s = _scalar(v)
    if s is not _NOT:
        return s
    if isinstance(v, list | tuple) and all(_scalar(x) is not _NOT for x in v):
        return [_scalar(x) for x in v]
    if isinstance(v, Mapping) and all(_scalar(x) is not _NOT for x in v.values()):
        return {str(k): _scalar(x) for k, x in v.items()}
    return _NOT


def tables_of(result: Any) -> dict[str, Any]:
    """Tidy tables of a result: ``to_frame()`` as ``"table"`` when the result has it,
    then every DataFrame field (bootstrap replicates and raw data left out)."""
    import pandas as pd

    if _is_frame(result):
        return {"table": result.to_frame() if isinstance(result, pd.Series) else result}
    out: dict[str, Any] = {}
    if callable(getattr(result, "to_frame", None)):
        out["table"] = result.to_frame()
    if dataclasses.is_dataclass(result):
        for f in dataclasses.fields(result):
            if f.name.startswith("_") or f.name in _SKIP_FIELDS:
                continue
            v = getattr(result, f.name)
            if _is_frame(v):
                out[f.name] = v.to_frame() if isinstance(v, pd.Series) else v
    return out


def values_of(result: Any) -> dict[str, Any]:
    """Scalar fields of a result (numbers, strings, flags; short lists and dicts of them)."""
    if _is_frame(result) or not dataclasses.is_dataclass(result):
        return {}
    out = {}
    for f in dataclasses.fields(result):
        if f.name.startswith("_") or f.name in _SKIP_FIELDS:
            continue
        v = _value(getattr(result, f.name))
        if v is not _NOT:
            out[f.name] = v
    return out


def _tidy(frame: Any) -> Any:
    """Index as columns (named ``index`` when unnamed), string column names."""
    df = frame.copy()
    if not (df.index.nlevels == 1 and df.index.name is None
            and df.index.equals(__import__("pandas").RangeIndex(len(df)))):
        names = [n if n is not None else ("index" if df.index.nlevels == 1 else f"index{i}")
                 for i, n in enumerate(df.index.names)]
        df.index = df.index.set_names(names)
        df = df.reset_index()
    df.columns = ["_".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in df.columns]
    return df


def _records(frame: Any) -> dict[str, Any]:
    df = _tidy(frame)
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return {"columns": list(df.columns), "rows": rows}


def _cell(v: Any) -> Any:
    s = _scalar(v)
    if s is not _NOT:
        return s
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


# ----------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------
def to_json(ctx: Context, output: Output) -> str:
    """The JSON document of a run (layout: ``ringstats/cli_schema.json``)."""
    from .. import __version__

    results = {}
    for name, res in output.results.items():
        results[name] = {
            "type": type(res).__name__,
            "values": values_of(res),
            "tables": {t: _records(df) for t, df in tables_of(res).items()},
        }
    doc = {
        "schema_version": SCHEMA_VERSION,
        "ringstats": __version__,
        "command": ctx.command,
        "options": {k: _value(v) if _value(v) is not _NOT else str(v)
                    for k, v in ctx.options().items()},
        "input": dict(ctx._input),
        "results": results,
        "files": list(output.files),
        "warnings": list(ctx.warnings),
    }
    return json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def _main_table(output: Output) -> Any:
    if output.main:
        rname, _, tname = output.main.partition("/")
        return tables_of(output.results[rname])[tname or "table"]
    for res in output.results.values():
        tabs = tables_of(res)
        if tabs:
            return next(iter(tabs.values()))
    return None


def render(ctx: Context, output: Output, fmt: str) -> str:
    """Standard output of a run in format ``fmt``."""
    if fmt == "json":
        return to_json(ctx, output)
    if fmt == "csv":
        table = _main_table(output)
        if table is None:
            raise RingstatsError(f"`ringstats {ctx.command}` has no table for `--format csv`; "
                                 "use text or json.")
        return _tidy(table).to_csv(index=False, lineterminator="\n")
    text = output.text
    return text if text.endswith("\n") else text + "\n"


def write_out(ctx: Context, output: Output, directory: str, *, figures: bool) -> list[Path]:
    """Write the tidy CSV tables, the JSON document and (``figures``) PNG figures."""
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RingstatsError(f"`--out` must be a writable directory; {d}: {exc}") from None
    stem = ctx.command.replace(" ", "_")
    written: list[Path] = []
    for rname, res in output.results.items():
        for tname, table in tables_of(res).items():
            p = d / f"{stem}_{rname}_{tname}.csv" if rname != stem else d / f"{stem}_{tname}.csv"
            _tidy(table).to_csv(p, index=False, lineterminator="\n")
            written.append(p)
    if figures and output.figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        for fname, draw in output.figures.items():
            obj = draw()
            fig = obj.get_figure() if hasattr(obj, "get_figure") else obj
            p = d / f"{stem}_{fname}.png"
            fig.savefig(p, dpi=150, bbox_inches="tight", metadata={"Software": None})
            plt.close(fig)
            written.append(p)
    jp = d / f"{stem}.json"
    output.files.extend(p.name for p in written)  # relative to DIR: the JSON stays identical
    output.files.append(jp.name)
    jp.write_text(to_json(ctx, output), encoding="utf-8")
    written.append(jp)
    return written


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()
