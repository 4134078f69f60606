"""Property-based fuzz test of every public function that takes a survey DataFrame (issue 12).

For each function in :data:`CALLS` (a fast call on a small simulated survey) Hypothesis
draws where a corruption goes and what it is: which column the function reads, which
rows, which bad value, which columns change dtype, which column order. Three properties:

1. **malformed input** (text in a numeric item, a value outside the item's scale, inf,
   an all-NaN item, a constant item, duplicated column names, one row, an empty frame,
   MultiIndex columns) raises only :class:`ringstats.errors.RingstatsError` subclasses,
   never a raw Python, pandas, numpy or scipy error; text, out-of-scale values, inf,
   duplicated names, MultiIndex columns and an empty frame never give a result. A
   constant or all-NaN item is decided per function (:attr:`Call.constant`,
   :attr:`Call.all_nan`): ``"raise"`` (a RingstatsError), ``"flag"`` (a RingstatsError
   or a result with a RingstatsWarning) or ``"ok"`` (a result is right: for example a
   mean score of a constant item).
2. **legal variants** (nullable ``Int64``/``Float64`` dtypes with ``pd.NA``, duplicate
   index labels, categorical item columns with numeric categories, a shuffled column
   order) give the same numbers as the plain input (tables, ``to_frame()`` and
   ``summary().as_text()``, tolerance 1e-10).
3. **inputs are never mutated** (values, dtypes, index, column order and ``attrs``).

Runs are reproducible (``derandomize=True``, no example database). The fast test draws a
few examples per function and corruption; ``-m slow`` runs many more.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import ringstats as rs
from ringstats.errors import RingstatsError, RingstatsWarning

# ----------------------------------------------------------------------------- the survey
WORLD = rs.draw("base", n=240, seed=12, n_teams=16, employees_per_team=4)
SPEC = WORLD.spec.subset(["product", "speed", "seen"])
_KEEP = [*SPEC.items, "ltr", "loy1", "loy2", "loy3", "sat", "repurchase", "failure", "recovered", "team", "segment",
         "moment", "channel"]
#: Raw survey as read from a file: int8 items with the spec's -99 missing code.
RAW = WORLD.customers[_KEEP].copy()
#: The same survey validated (float items, NaN for -99), plus a ring-3 mean score column.
CLEAN = WORLD.spec.validate(WORLD.customers)[_KEEP].copy()
CLEAN["ring3"] = CLEAN[list(SPEC.construct("seen").items)].mean(axis=1)
CLEAN.attrs = {}
EMP = WORLD.employees.copy()
ITEMS = list(SPEC.items)
PROD, SEEN = list(SPEC.construct("product").items), list(SPEC.construct("seen").items)
TWO = SPEC.subset(["product", "seen"])


def _kano_frame(n: int = 160, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.integers(1, 6, n) for c in ("f1", "d1", "f2", "d2")})


KANO = _kano_frame()

# bad values per scale: outside the range, or not a whole number
LIKERT_BAD = [99, 0, 6, -1, 2.5]
LTR_BAD = [11, 99, -1, 7.5]
BINARY_BAD = [2, -1, 0.5, 9]


@dataclass(frozen=True)
class Call:
    """One public function, called fast on one base frame.

    ``cols`` are the numeric columns the call reads (where corruptions go); ``scaled`` maps
    those whose scale the call knows (spec items, the 0-10 LTR of an NPS, 0/1 indicators,
    Kano answers) to values outside it. ``constant`` and ``all_nan`` say what a constant
    or all-NaN column in ``cols`` must give, ``outcome_policy`` the same for the outcome:
    ``"raise"`` a RingstatsError, ``"flag"`` a RingstatsError or a RingstatsWarning,
    ``"ok"`` anything but a foreign error. ``slow`` calls run only with ``-m slow``.
    """

    name: str
    fn: Callable[[pd.DataFrame], Any]
    base: pd.DataFrame
    cols: tuple[str, ...]
    scaled: dict[str, list[float]] = field(default_factory=dict)
    constant: str = "raise"
    all_nan: str = "raise"
    outcome: str | None = None
    outcome_policy: str = "raise"
    text: str | None = None  # None: refused (REFUSED); "flag" to allow a warning instead
    inf: str | None = None
    follows_column_order: bool = False  # output lists columns in the caller's order, by design
    slow: bool = False


def _likert(cols):
    return {c: LIKERT_BAD for c in cols}


def _spec_call(name, fn, cols=tuple(ITEMS), outcome=None, **kw):
    """A call on the raw survey with ``SPEC``: items on 1-5, the outcome LTR on 0-10.

    Item-level analyses (no ``outcome``) must refuse a constant or all-NaN item; analyses
    of construct mean scores may use the item's construct (its mean is over the answered
    items), and must refuse a constant or all-NaN outcome.
    """
    scaled = _likert(c for c in cols if c != outcome)
    if outcome == "ltr":
        scaled["ltr"] = LTR_BAD
    cols = tuple(cols) + ((outcome,) if outcome and outcome not in cols else ())
    if outcome is not None:
        kw = {"constant": "ok", "all_nan": "ok", **kw}
    return Call(name, fn, RAW, cols, scaled, outcome=outcome, **kw)


CALLS: list[Call] = [
    # measurement
    _spec_call("reliability", lambda d: rs.reliability(d, spec=SPEC)),
    Call("cronbach_alpha", lambda d: rs.cronbach_alpha(d, items=PROD), CLEAN, tuple(PROD)),
    _spec_call("polychoric", lambda d: rs.polychoric(d, spec=TWO), tuple(TWO.items)),
    _spec_call("correlation", lambda d: rs.correlation(d, spec=SPEC)),
    _spec_call("efa", lambda d: rs.efa(d, spec=TWO, n_factors=2), tuple(TWO.items)),
    _spec_call("parallel_analysis",
               lambda d: rs.parallel_analysis(d, spec=TWO, n_sim=20, seed=1), tuple(TWO.items)),
    _spec_call("kmo", lambda d: rs.kmo(d, spec=SPEC)),
    _spec_call("bartlett", lambda d: rs.bartlett(d, spec=SPEC)),
    _spec_call("cfa", lambda d: rs.cfa(d, spec=SPEC)),
    _spec_call("htmt", lambda d: rs.htmt(d, spec=SPEC)),
    _spec_call("fornell_larcker", lambda d: rs.fornell_larcker(d, spec=SPEC)),
    # a constant item shifts a mean score; an all-NaN one leaves the other items' mean
    _spec_call("scores", lambda d: rs.scores(d, spec=SPEC), constant="ok", all_nan="ok"),
    _spec_call("mean_scores", lambda d: rs.mean_scores(d, spec=SPEC), constant="ok",
               all_nan="ok"),
    _spec_call("ring_scores", lambda d: rs.ring_scores(d, spec=SPEC), constant="ok",
               all_nan="ok"),
    _spec_call("latent_scores", lambda d: rs.latent_scores(d, spec=TWO), tuple(TWO.items)),
    _spec_call("measurement_report", lambda d: rs.measurement_report(d, spec=SPEC, seed=1)),
    # drivers
    _spec_call("drivers", lambda d: rs.drivers(d, spec=SPEC, n_boot=0), outcome="ltr"),
    _spec_call("shapley", lambda d: rs.shapley(d, spec=SPEC), outcome="ltr"),
    _spec_call("dominance", lambda d: rs.dominance(d, spec=SPEC), outcome="ltr"),
    _spec_call("relative_weights", lambda d: rs.relative_weights(d, spec=SPEC), outcome="ltr"),
    _spec_call("regression", lambda d: rs.regression(d, spec=SPEC), outcome="ltr"),
    # NPS
    # a constant LTR is a legal NPS (all detractors): flagged; the adjusted-Wald
    # difference of two such groups is well defined (its pseudo-counts), so nps_test is "ok"
    Call("nps", lambda d: rs.nps(d, outcome="ltr"), CLEAN, ("ltr",), {"ltr": LTR_BAD},
         outcome="ltr", outcome_policy="flag"),
    Call("nps[spec]", lambda d: rs.nps(d, spec=SPEC), RAW, ("ltr",), {"ltr": LTR_BAD},
         outcome="ltr", outcome_policy="flag"),
    Call("nps_test", lambda d: rs.nps_test(d, by="segment", outcome="ltr"), CLEAN, ("ltr",),
         {"ltr": LTR_BAD}, outcome="ltr", outcome_policy="ok"),
    Call("nps_by", lambda d: rs.nps_by(d, by="segment", spec=SPEC), RAW, ("ltr",),
         {"ltr": LTR_BAD}, outcome="ltr", outcome_policy="flag"),
    # asymmetries
    _spec_call("asymmetry", lambda d: rs.asymmetry(d, outcome="ltr", spec=SPEC), outcome="ltr"),
    _spec_call("impact_asymmetry",
               lambda d: rs.impact_asymmetry(d, outcome="ltr", spec=SPEC, n_boot=50, seed=1,
                                             sensitivity=False), outcome="ltr"),
    Call("kano", lambda d: rs.kano(d, functional=["f1", "f2"], dysfunctional=["d1", "d2"]),
         KANO, ("f1", "d1", "f2", "d2"), {c: [0, 6, 99, 2.5] for c in ("f1", "d1", "f2", "d2")},
         constant="ok", all_nan="flag"),  # one answer for all is a legal Kano pattern
    # shape
    Call("plateau", lambda d: rs.plateau(d, outcome="ltr", driver="ring3", n_boot=20, seed=1,
                                         bp_ci="profile"), CLEAN, ("ring3", "ltr"),
         outcome="ltr"),
    _spec_call("plateau_table",
               lambda d: rs.plateau_table(d, spec=SPEC, scores="mean", levels=("ring",),
                                          n_boot=20, seed=1, bp_ci="profile"), outcome="ltr"),
    Call("marginal_effects",
         lambda d: rs.marginal_effects(d, outcome="ltr", driver="ring3", sesoi=0.2, n_sim=200),
         CLEAN, ("ring3", "ltr"), outcome="ltr"),
    _spec_call("what_if", lambda d: rs.what_if(d, spec=SPEC, n_boot=20, seed=1), outcome="ltr"),
    # moments and culture
    _spec_call("moderation",
               lambda d: rs.moderation(d, outcome="ltr", moderator="moment", spec=SPEC),
               outcome="ltr"),
    _spec_call("moment_share", lambda d: rs.moment_share(d, spec=SPEC, n_boot=20, seed=1),
               outcome="ltr"),
    Call("recovery_paradox", lambda d: rs.recovery_paradox(d, outcome="ltr"), CLEAN,
         ("ltr", "failure", "recovered"), {"failure": BINARY_BAD, "recovered": BINARY_BAD}),
    Call("icc", lambda d: rs.icc(d, outcome="ltr", team="team"), CLEAN, ("ltr",),
         outcome="ltr"),
    _spec_call("linkage", lambda d: rs.linkage(d, employees=EMP, spec=SPEC), outcome="ltr",
               slow=True),
    Call("linkage[employees]", lambda e: rs.linkage(RAW, employees=e, spec=SPEC), EMP,
         ("eng1", "eng2", "eng3", "mean1", "mean2", "mean3"), constant="ok", all_nan="ok",
         slow=True),
    _spec_call("mediation",
               lambda d: rs.mediation(d, employees=EMP, spec=SPEC, n_boot=20, seed=1),
               outcome="ltr"),
]
# added as they landed on main
_DRIVERS = rs.drivers(RAW, spec=SPEC, n_boot=0)
CALLS += [
    _spec_call("ipma", lambda d: rs.ipma(d, spec=SPEC, drivers_result=_DRIVERS),
               constant="ok", all_nan="ok"),  # performance = construct mean scores
    _spec_call("report", lambda d: rs.report(d, spec=SPEC, n_boot=0, seed=1, progress=False,
                                             sections=["data", "drivers"]), outcome="ltr"),
    _spec_call("sem", lambda d: rs.sem(d, spec=SPEC)),
    _spec_call("invariance", lambda d: rs.invariance(d, spec=TWO, group="segment"),
               tuple(TWO.items)),
    Call("draft_spec", lambda d: rs.draft_spec(d, seed=1), RAW, tuple(ITEMS), constant="ok",
         all_nan="ok", text="flag", inf="flag",  # a draft reads on and flags the column
         follows_column_order=True),  # roles/groups under shuffling: test_specdraft
    _spec_call("report[all]", lambda d: rs.report(d, spec=SPEC, n_boot=0, seed=1,
                                                  progress=False), outcome="ltr", slow=True),
]
BY_NAME = {c.name: c for c in CALLS}


# ----------------------------------------------------------------------------- corruptions
Draw = Callable[[st.SearchStrategy], Any]


def _rows(draw: Draw, n: int, most: int = 3) -> list[int]:
    return sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=most)))


def _set(df: pd.DataFrame, rows: list[int], col: str, value: Any) -> pd.DataFrame:
    out = df.copy()
    dtype = object if isinstance(value, str) else float
    out[col] = out[col].astype(dtype)
    out.iloc[rows, out.columns.get_loc(col)] = value
    return out


def _text(c: Call, draw: Draw):
    col = draw(st.sampled_from(c.cols))
    value = draw(st.sampled_from(["n/a", "five", "?", "3,5", "don't know", ""]))
    rows = _rows(draw, len(c.base))
    return _set(c.base, rows, col, value), f"text {value!r} in `{col}` rows {rows}"


def _out_of_scale(c: Call, draw: Draw):
    col = draw(st.sampled_from(sorted(c.scaled)))
    value = draw(st.sampled_from(c.scaled[col]))
    rows = _rows(draw, len(c.base))
    return _set(c.base, rows, col, value), f"{value} in `{col}` rows {rows}"


def _inf(c: Call, draw: Draw):
    col = draw(st.sampled_from(c.cols))
    value = draw(st.sampled_from([np.inf, -np.inf]))
    rows = _rows(draw, len(c.base))
    return _set(c.base, rows, col, value), f"{value} in `{col}` rows {rows}"


def _all_nan(c: Call, draw: Draw):
    col = draw(st.sampled_from(c.cols))
    out = c.base.copy()
    out[col] = np.nan
    return out, f"`{col}` all NaN"


def _constant(c: Call, draw: Draw):
    col = draw(st.sampled_from(c.cols))
    vals = pd.to_numeric(c.base[col], errors="coerce")
    vals = vals[vals.notna() & (vals != -99)]
    value = draw(st.sampled_from(sorted(vals.unique())[:4]))
    out = c.base.copy()
    out[col] = np.full(len(out), value, dtype=c.base[col].dtype)
    return out, f"`{col}` constant {value}"


def _duplicated(c: Call, draw: Draw):
    col = draw(st.sampled_from(c.cols))
    if draw(st.booleans()):
        return pd.concat([c.base, c.base[[col]]], axis=1), f"`{col}` appended twice"
    other = draw(st.sampled_from([x for x in c.base.columns if x != col]))
    out = c.base.copy()
    out.columns = [col if x == other else x for x in out.columns]
    return out, f"`{other}` renamed to `{col}`"


def _one_row(c: Call, draw: Draw):
    i = draw(st.integers(0, len(c.base) - 1))
    return c.base.iloc[[i]].copy(), f"only row {i}"


def _empty(c: Call, draw: Draw):
    return c.base.iloc[:0].copy(), "no rows"


def _multiindex(c: Call, draw: Draw):
    out = c.base.copy()
    cols = list(out.columns)
    if draw(st.booleans()):
        out.columns = pd.MultiIndex.from_arrays([cols, [""] * len(cols)])
        return out, "MultiIndex (name, '')"
    out.columns = pd.MultiIndex.from_arrays([["survey"] * len(cols), cols])
    return out, "MultiIndex ('survey', name)"


MALFORMED: dict[str, Callable] = {
    "text": _text, "out_of_scale": _out_of_scale, "inf": _inf, "all_nan": _all_nan,
    "constant": _constant, "duplicated": _duplicated, "one_row": _one_row, "empty": _empty,
    "multiindex": _multiindex,
}
#: Corruptions that must never give a result.
REFUSED = {"text", "out_of_scale", "inf", "duplicated", "empty", "multiindex"}


# --------------------------------------------------------------------------- legal variants
def _pick_cols(c: Call, draw: Draw) -> list[str]:
    cols = draw(st.sets(st.sampled_from(c.cols), min_size=1))
    return [x for x in c.cols if x in cols]


def _nullable(c: Call, draw: Draw):
    out = c.base.copy()
    cols = _pick_cols(c, draw)
    for col in cols:
        v = out[col].astype(float)
        whole = bool((v.dropna() == np.round(v.dropna())).all())
        dtype = draw(st.sampled_from(["Int64", "Float64"])) if whole else "Float64"
        out[col] = v.astype(dtype)
    return out, f"nullable {cols}"


def _dup_index(c: Call, draw: Draw):
    n = len(c.base)
    how = draw(st.sampled_from(["pairs", "constant", "strings"]))
    idx = {"pairs": np.repeat(np.arange(n), 2)[:n], "constant": np.zeros(n, dtype=int),
           "strings": np.array([f"r{i % 7}" for i in range(n)])}[how]
    return c.base.set_axis(idx, axis=0), f"duplicate index ({how})"


def _categorical(c: Call, draw: Draw):
    out = c.base.copy()
    cols = _pick_cols(c, draw)
    ordered = draw(st.booleans())
    for col in cols:
        out[col] = pd.Categorical(out[col], ordered=ordered)
    return out, f"categorical {cols} (ordered={ordered})"


def _shuffled(c: Call, draw: Draw):
    order = draw(st.permutations(list(c.base.columns)))
    return c.base[list(order)], "shuffled columns"


LEGAL: dict[str, Callable] = {
    "nullable": _nullable, "dup_index": _dup_index, "categorical": _categorical,
    "shuffled": _shuffled,
}


# ------------------------------------------------------------------------------- comparing
def _tables(res: Any, depth: int = 0) -> dict[str, Any]:
    """The numbers of a result: tables, arrays, scalars, ``to_frame()`` and summary text."""
    if isinstance(res, (pd.DataFrame, pd.Series, np.ndarray)) or np.isscalar(res):
        return {"": res}
    out: dict[str, Any] = {}
    if hasattr(res, "to_frame"):
        out["to_frame()"] = res.to_frame()
    if hasattr(res, "summary") and depth == 0:
        out["summary()"] = res.summary().as_text()
    if dataclasses.is_dataclass(res):
        for f in dataclasses.fields(res):
            if f.name.startswith("_") or f.name == "data_sha256":
                continue  # private caches; the input bytes' fingerprint changes with dtypes
            v = getattr(res, f.name)
            if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray, float, int, str, bool, tuple)):
                out[f.name] = v
            elif dataclasses.is_dataclass(v) and depth < 2:
                out.update({f"{f.name}.{k}": x for k, x in _tables(v, depth + 1).items()})
    return out


def _same(a: Any, b: Any, where: str, index: pd.Index) -> None:
    if isinstance(a, (pd.DataFrame, pd.Series)):
        if isinstance(b, type(a)) and len(a) == len(b) == len(index) and a.index.equals(index):
            a = a.set_axis(b.index, axis=0)  # per-respondent rows keep the caller's index
        opts = dict(check_dtype=False, check_exact=False, rtol=1e-10, atol=1e-10,
                    check_index_type=False, check_categorical=False)
        try:
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b, check_column_type=False, **opts)
            else:
                pd.testing.assert_series_equal(a, b, **opts)
        except AssertionError as e:
            raise AssertionError(f"{where} differs: {e}") from None
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(np.asarray(b, dtype=a.dtype) if a.dtype != object else b,
                                   a, rtol=1e-10, atol=1e-10, err_msg=where)
    elif isinstance(a, float):
        assert np.isclose(a, b, rtol=1e-10, atol=1e-10, equal_nan=True), f"{where}: {a} != {b}"
    elif isinstance(a, str):
        # a report's fingerprint of the input bytes changes with the dtypes, by design
        def keep(t: str) -> list[str]:
            return [line for line in t.splitlines() if "data_sha256" not in line]
        assert keep(a) == keep(b), f"{where} differs:\n{a}\n---\n{b}"
    else:
        assert a == b, f"{where} differs:\n{a}\n---\n{b}"


def _compare(base: Any, other: Any, index: pd.Index) -> None:
    ta, tb = _tables(base), _tables(other)
    assert ta.keys() == tb.keys()
    for k in ta:
        _same(ta[k], tb[k], k, index)


# ------------------------------------------------------------------------------ properties
def _frames(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return df.copy(deep=True), copy.deepcopy(df.attrs)


def _not_mutated(df: pd.DataFrame, before: tuple[pd.DataFrame, dict], what: str) -> None:
    pd.testing.assert_frame_equal(df, before[0], check_exact=True, obj=f"input ({what})")
    assert df.attrs == before[1], f"input attrs changed ({what})"


def _run(c: Call, df: pd.DataFrame) -> tuple[Any, BaseException | None, list]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return c.fn(df), None, caught
        except Exception as e:  # noqa: BLE001 - the property is about which errors escape
            return None, e, caught


def _is_flagged(err: BaseException | None, caught: list) -> bool:
    return isinstance(err, RingstatsError) or any(
        issubclass(w.category, RingstatsWarning) for w in caught)


def check_malformed(c: Call, kind: str, draw: Draw) -> None:
    df, desc = MALFORMED[kind](c, draw)
    before = _frames(df)
    res, err, caught = _run(c, df)
    _not_mutated(df, before, desc)
    if err is not None and not isinstance(err, RingstatsError):
        raise AssertionError(f"{c.name}: {desc} raised {type(err).__name__}: {err}") from err
    if err is None:
        col = desc.split("`")[1] if "`" in desc else None
        policy = (c.outcome_policy if col is not None and col == c.outcome
                  else getattr(c, kind, None))
        if policy == "raise" or (kind in REFUSED and policy is None):
            raise AssertionError(f"{c.name}: {desc} gave a result ({type(res).__name__}) "
                                 "instead of a RingstatsError")
        if policy == "flag":
            assert _is_flagged(err, caught), (
                f"{c.name}: {desc} gave a result without a RingstatsWarning")


def check_legal(c: Call, kind: str, draw: Draw) -> None:
    base = _base_result(c)
    df, desc = LEGAL[kind](c, draw)
    before = _frames(df)
    res, err, _ = _run(c, df)
    _not_mutated(df, before, desc)
    if err is not None:
        raise AssertionError(f"{c.name}: legal input ({desc}) raised {type(err).__name__}: "
                             f"{err}") from err
    try:
        _compare(base, res, c.base.index)
    except AssertionError as e:
        raise AssertionError(f"{c.name}: {desc} changed the result: {e}") from None


_BASE: dict[str, Any] = {}


def _base_result(c: Call) -> Any:
    if c.name not in _BASE:
        before = _frames(c.base)
        res, err, _ = _run(c, c.base)
        _not_mutated(c.base, before, "plain input")
        if err is not None:
            raise AssertionError(f"{c.name} fails on the plain input: {err!r}") from err
        _BASE[c.name] = res
    return _BASE[c.name]


# ----------------------------------------------------------------------------------- tests
_FAST = [c.name for c in CALLS if not c.slow]
# no shrinking: a corruption's place is already small, and shrinking replays slow calls
_SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))
#: examples per (function, corruption) in the fast run; location-free corruptions need one
_FAST_EXAMPLES = {"empty": 1, "one_row": 2, "multiindex": 2, "duplicated": 2,
                  "constant": 3, "all_nan": 3}


def _applies(c: Call, kind: str) -> bool:
    if kind == "shuffled" and c.follows_column_order:
        return False
    return kind != "out_of_scale" or bool(c.scaled)


#: (call, corruption) cases that still fail on main, in code another change is reworking;
#: strict, so the fix shows up as an XPASS failure and the entry must then go.
XFAIL: dict[tuple[str, str], str] = {}


def _cases(names: list[str], kinds: dict) -> list:
    return [pytest.param(n, k, id=f"{n}-{k}",
                         marks=[pytest.mark.xfail(strict=True, reason=XFAIL[n, k])]
                         if (n, k) in XFAIL else [])
            for n in names for k in kinds if _applies(BY_NAME[n], k)]


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """One BLAS thread: the small matrices here are slower with more (issue 12, point 8)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.mark.parametrize(("name", "kind"), _cases(_FAST, MALFORMED))
def test_malformed_input_raises_only_ringstats_errors(name, kind):
    c = BY_NAME[name]

    @settings(max_examples=_FAST_EXAMPLES.get(kind, 3), **_SETTINGS)
    @given(st.data())
    def run(data):
        check_malformed(c, kind, data.draw)

    run()


@pytest.mark.parametrize(("name", "kind"), _cases(_FAST, LEGAL))
def test_legal_variants_give_the_same_numbers(name, kind):
    c = BY_NAME[name]

    @settings(max_examples=1, **_SETTINGS)
    @given(st.data())
    def run(data):
        check_legal(c, kind, data.draw)

    run()


@pytest.fixture
def _slow_selected(request):
    """The many-example runs take minutes: only when ``-m slow`` selects them."""
    expr = request.config.getoption("markexpr") or ""
    if "slow" not in expr.replace("not slow", ""):
        pytest.skip("many-example fuzz: run with -m slow")


@pytest.mark.slow
@pytest.mark.usefixtures("_slow_selected")
@pytest.mark.parametrize(("name", "kind"), _cases(list(BY_NAME), MALFORMED))
def test_malformed_input_many_examples(name, kind):
    c = BY_NAME[name]

    @settings(max_examples=4 if c.slow else 12, **_SETTINGS)
    @given(st.data())
    def run(data):
        check_malformed(c, kind, data.draw)

    run()


@pytest.mark.slow
@pytest.mark.usefixtures("_slow_selected")
@pytest.mark.parametrize(("name", "kind"), _cases(list(BY_NAME), LEGAL))
def test_legal_variants_many_examples(name, kind):
    c = BY_NAME[name]

    @settings(max_examples=2 if c.slow else 6, **_SETTINGS)
    @given(st.data())
    def run(data):
        check_legal(c, kind, data.draw)

    run()


def test_registry_covers_every_public_data_function():
    """Every public function whose first argument is a survey DataFrame is fuzzed."""
    import inspect

    def takes_data(fn) -> bool:
        first = next(iter(inspect.signature(fn).parameters), None)
        return first in {"data", "plateau_or_data", "a"}

    public = {n for n in rs.__all__
              if inspect.isfunction(getattr(rs, n)) and takes_data(getattr(rs, n))}
    covered = {n.split("[")[0] for n in BY_NAME}
    assert public <= covered, f"not fuzzed: {sorted(public - covered)}"
