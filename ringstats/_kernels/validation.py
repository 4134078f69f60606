"""Argument checks shared by every public function.

Each check raises :class:`~ringstats.errors.RingstatsError` with a message of
the form "`param` must be ...; got ...". No ``assert`` is used for user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, RingstatsError

__all__: list[str] = []


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _public_caller() -> str:
    """Name of the outermost public ringstats function on the call stack (the one called)."""
    import sys

    public = set(getattr(sys.modules.get("ringstats"), "__all__", ()))
    name = "this analysis"
    f = sys._getframe(2)
    while f is not None:
        if (f.f_code.co_name in public
                and str(f.f_globals.get("__name__", "")).startswith("ringstats")):
            name = f.f_code.co_name
        f = f.f_back
    return name


def check_dataframe(data: Any, param: str = "data", *, min_rows: int = 1) -> pd.DataFrame:
    """Return ``data`` if it is a non-empty DataFrame, else raise."""
    rows_error = getattr(type(data), "rows_error", None)  # survey moments: no rows here
    if rows_error is not None:
        raise rows_error(_public_caller())
    if not isinstance(data, pd.DataFrame):
        raise RingstatsError(
            f"`{param}` must be a pandas DataFrame; got {type(data).__name__}."
        )
    if len(data) < min_rows:
        raise InsufficientDataError(
            f"`{param}` must have at least {min_rows} row{'s' if min_rows != 1 else ''}; "
            f"got {len(data)}."
        )
    return data


def check_columns(data: pd.DataFrame, columns: Iterable[str] | str, param: str) -> list[str]:
    """Check that every name in ``columns`` is a column of ``data``; return them as a list."""
    if isinstance(columns, str):
        columns = [columns]
    try:
        cols = list(columns)
    except TypeError:
        raise RingstatsError(
            f"`{param}` must be a column name or a list of column names; got {_show(columns)}."
        ) from None
    if not cols:
        raise RingstatsError(f"`{param}` must name at least one column; got an empty list.")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        avail = ", ".join(map(str, list(data.columns)[:12]))
        more = " ..." if data.shape[1] > 12 else ""
        raise RingstatsError(
            f"`{param}` names column(s) not in `data`: {', '.join(map(str, missing))}. "
            f"Available columns: {avail}{more}."
        )
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise RingstatsError(f"`{param}` lists column(s) more than once: {', '.join(map(str, dup))}.")
    return cols


def check_numeric(data: pd.DataFrame, columns: Sequence[str], param: str) -> None:
    """Raise if any of ``columns`` is not numeric (bool counts as numeric)."""
    bad = [c for c in columns if not (pd.api.types.is_numeric_dtype(data[c]))]
    if bad:
        kinds = ", ".join(f"{c} ({data[c].dtype})" for c in bad)
        raise RingstatsError(
            f"`{param}` must name numeric columns; these are not: {kinds}. "
            "Run `spec.validate(data)` to convert and check them."
        )


def check_option(value: Any, param: str, options: Iterable[Any]) -> Any:
    """Raise unless ``value`` is one of ``options``."""
    opts = list(options)
    if isinstance(value, str):
        if value in opts:
            return value
    elif any(value is o or (type(value) is type(o) and value == o) for o in opts):
        return value
    raise RingstatsError(
        f"`{param}` must be one of {{{', '.join(map(repr, opts))}}}; got {_show(value)}."
    )


def check_probability(value: Any, param: str, *, open_interval: bool = True) -> float:
    """Raise unless ``value`` is a float in (0, 1) (or [0, 1] if not ``open_interval``)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok:
        ok = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not ok:
        rng = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise RingstatsError(f"`{param}` must be a number {rng}; got {_show(value)}.")
    return float(value)


def check_int(
    value: Any, param: str, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """Raise unless ``value`` is an integer within the given bounds."""
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise RingstatsError(f"`{param}` must be an integer; got {_show(value)}.")
    if min_value is not None and value < min_value:
        raise RingstatsError(f"`{param}` must be at least {min_value}; got {value}.")
    if max_value is not None and value > max_value:
        raise RingstatsError(f"`{param}` must be at most {max_value}; got {value}.")
    return int(value)


def check_real(
    value: Any,
    param: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    inclusive: bool = True,
) -> float:
    """Raise unless ``value`` is a finite real number within the given bounds."""
    if not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value):
        raise RingstatsError(f"`{param}` must be a finite number; got {_show(value)}.")
    lo_bad = min_value is not None and (value < min_value if inclusive else value <= min_value)
    hi_bad = max_value is not None and (value > max_value if inclusive else value >= max_value)
    if lo_bad or hi_bad:
        op = ("<=", ">=") if inclusive else ("<", ">")
        parts = []
        if min_value is not None:
            parts.append(f"{op[1]} {min_value}")
        if max_value is not None:
            parts.append(f"{op[0]} {max_value}")
        raise RingstatsError(f"`{param}` must be {' and '.join(parts)}; got {value}.")
    return float(value)


def check_seed(seed: Any, param: str = "seed") -> int | None:
    """Accept ``None`` or a non-negative integer seed."""
    if seed is None:
        return None
    return check_int(seed, param, min_value=0)


def check_bool(value: Any, param: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise RingstatsError(f"`{param}` must be True or False; got {_show(value)}.")
    return bool(value)


def renamed(**old_to_new: str):
    """Keep an old keyword name working for one release, with a FutureWarning.

    ``@renamed(ltr="outcome")`` lets ``f(..., ltr=x)`` run as ``f(..., outcome=x)``; giving
    both names is an error. The wrapped function keeps its signature (``__wrapped__``).
    """
    import functools
    import warnings

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise RingstatsError(
                            f"give `{new}` only; `{old}` is its deprecated name; got both.")
                    warnings.warn(
                        f"`{old}=` is deprecated and will be removed in the next release; "
                        f"use `{new}=`.", FutureWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        wrapper.renamed = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper

    return deco
