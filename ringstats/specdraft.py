"""A first ring specification drafted from the data, and a spec explained in words.

:func:`draft_spec` reads a survey and proposes what a researcher would otherwise type by
hand: the response scale of each group of columns (the observed integer range snapped to a
common scale), candidate missing-value codes, a candidate outcome, item groups from the
column names refined by a quick exploratory factor analysis, reverse-keyed candidates and
the role columns. What only the researcher can decide, the ring of each construct, is
left as ``ring: TODO``. ``ringstats spec draft survey.csv > spec.yaml`` prints it.

:func:`explain_spec` is ``ringstats spec show spec.yaml``: the spec in sentences.

Heuristics (each one leaves a comment in the YAML so the researcher can check it):

* **scales**: a column is an item when its values, missing codes aside, are whole numbers
  spanning 3 to 11 points between 0 and 10; a group's observed range is snapped to the
  smallest of 1-5, 1-7, 1-10 and 0-10 that holds it (within two points), else kept as is.
* **missing codes**: negative values (-1, -9, -99, ...) and values of 77 or more beside
  answers of at most 10; 9 beside an otherwise 1-5 or 1-7 item (no 8); 0 beside an
  otherwise 1-5 or 1-7 item.
* **outcome**: a column named like *recommend*, *ltr*, *nps*, *aanbevelen*, *likely*,
  else the only 0-10 column; loyalty items from a group named like *loyal*, *cusl*, *loy*.
* **groups**: column names with their trailing number or letter removed (``q1_a`` ->
  ``q1``, ``PERQ3`` -> ``PERQ``); an EFA with one factor per group splits a group whose
  items fall on two factors, flags items that load elsewhere or weakly, and proposes items
  with a negative loading as reverse-keyed. Without name groups the EFA (factors by
  parallel analysis) forms them.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._data import checked_frame
from ._kernels.results import ResultMixin, Summary
from .errors import RingstatsError, RingstatsWarning, warn
from .spec import RING_LABELS, RingSpec

__all__ = ["draft_spec", "SpecDraft", "explain_spec"]

#: Common response scales, in the order a group's observed range is snapped to them.
COMMON_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (1, 10), (0, 10))
_SCALE_NAMES = {(1, 3): "three_point", (1, 4): "four_point", (1, 5): "five_point",
                (1, 6): "six_point", (1, 7): "seven_point", (1, 10): "ten_point",
                (0, 10): "eleven_point"}
_OUTCOME = re.compile(r"recommend|aanbevel|(^|[^a-z])ltr([^a-z]|$)|(^|[^a-z])nps|likely|"
                      r"likelihood|promot", re.I)
_LOYALTY = re.compile(r"^(cusl|loy|loyal|trouw)", re.I)
_BEHAVIOUR = re.compile(r"repurchas|churn|renew|retain|retention|bought|herhaal", re.I)
_ROLES = {
    "segment": re.compile(r"segment|servicetype|customer_?type|klanttype", re.I),
    "moment": re.compile(r"moment|touchpoint|journey|occasion", re.I),
    "team": re.compile(r"^team|store|branch|filiaal|vestiging|agent", re.I),
}
_SUFFIX = re.compile(r"^(.+?)(?:[_\-. ]?\d+[a-z]?|[_\-. ][a-z])$", re.I)
_TODO = "ring: TODO  # 1 core, 2 execution, 3 connection"


@dataclass(frozen=True)
class SpecDraft(ResultMixin):
    """A drafted specification: the YAML text and the reasoning per column.

    Attributes
    ----------
    yaml : str
        The draft (``ring: TODO`` for every construct; comments explain each guess).
    table : DataFrame
        One row per column: ``role`` (item, ltr, loyalty, behaviour, segment, moment, team,
        unused), ``group``, ``scale``, ``observed`` (range), ``missing`` (candidate codes)
        and ``note``.
    missing_codes : dict
        Candidate missing codes -> number of answers carrying them.
    outcome : str or None
        The candidate LTR column.
    efa_notes : tuple of str
    """

    yaml: str
    table: pd.DataFrame
    missing_codes: dict
    outcome: str | None
    efa_notes: tuple[str, ...]

    def to_yaml(self) -> str:
        return self.yaml

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> Summary:
        s = Summary("Draft ring specification")
        s.add_table(self.table, "Columns")
        s.add_note(list(self.efa_notes) or "EFA: nothing to flag.")
        return s


# ----------------------------------------------------------------------------------------
# columns
# ----------------------------------------------------------------------------------------
@dataclass
class _Col:
    name: str
    role: str = "unused"
    lo: int | None = None
    hi: int | None = None
    codes: tuple[float, ...] = ()
    note: str = ""
    group: str | None = None


def _plain(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def _split_codes(vals: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Observed distinct values -> (answers, candidate missing codes)."""
    odd = [v for v in vals if v < 0 or v >= 77]
    rest = np.array([v for v in vals if v not in odd])
    codes: list[float] = []
    if odd and len(rest) and rest.min() >= 0 and rest.max() <= 10:
        codes += [float(v) for v in odd]
    else:  # negative or large values on a wide or signed scale are answers
        rest = np.asarray(vals, dtype=float)
    if 9 in rest and 8 not in rest and len(rest) > 2:
        core = rest[rest != 9]
        if core.min() >= 0 and core.max() <= 7:
            codes.append(9.0)
            rest = core
    if 0 in rest:
        core = rest[rest != 0]
        if len(core) >= 3 and core.min() == 1 and core.max() in (5, 7):
            codes.append(0.0)
            rest = core
    return rest, sorted(codes)


def _snap(lo: int, hi: int) -> tuple[int, int]:
    for a, b in COMMON_SCALES:
        if a <= lo and hi <= b and (b - a) - (hi - lo) <= 2:
            return a, b
    return lo, hi


#: Share of a text column's answers that must be numbers for it to be read as numeric.
_NUMERIC_SHARE = 0.8


def _numeric_view(data: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """``data`` with every number-like column as float64, and what was set aside.

    A categorical column with numeric categories, a nullable or boolean column, and a text
    column whose answers are mostly (80%) numbers become numbers, as the spec's cleaning
    would read them; stray text answers and infinite values become NaN here and are
    reported, because validation will refuse them until they are recoded.
    """
    out = data.copy()
    flags: dict[str, str] = {}
    for col in data.columns:
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_bool_dtype(s):
            continue
        if not pd.api.types.is_numeric_dtype(s):
            txt = s[s.notna()]
            num = pd.to_numeric(txt, errors="coerce")
            if len(num) == 0 or num.notna().mean() < _NUMERIC_SHARE or num.nunique() < 2:
                continue
            bad = txt[num.isna()]
            if len(bad):
                ex = ", ".join(repr(v) for v in pd.unique(bad.astype(str))[:3])
                flags[str(col)] = (f"{len(bad)} text answer(s) such as {ex} among numbers: "
                                   "recode them (e.g. to empty) or declare them missing "
                                   "before validating")
            s = pd.to_numeric(s, errors="coerce")
        v = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)
        inf = np.isinf(v.to_numpy())
        if inf.any():
            flags[str(col)] = (f"{int(inf.sum())} infinite value(s): not an answer; recode "
                               "them before validating")
            v = v.mask(inf)
        out[col] = v
    return out, flags


def _scan(data: pd.DataFrame) -> dict[str, _Col]:
    cols: dict[str, _Col] = {}
    n = len(data)
    for name in data.columns:
        c = _Col(str(name))
        cols[c.name] = c
        s = data[name]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            k = s.nunique()
            c.note = f"text, {k} levels"
            if 2 <= k <= 30:
                c.role = "category"
            continue
        v = s.dropna().to_numpy(dtype=float)
        if len(v) == 0:
            c.note = "empty"
            continue
        if not np.all(v == np.round(v)):
            c.note = "not whole numbers"
            continue
        vals = np.unique(v)
        if len(vals) == n and n > 20:
            c.note = "a different value in every row (an id?)"
            continue
        rest, codes = _split_codes(vals)
        if len(rest) < 2:
            c.note = "constant"
            continue
        c.lo, c.hi, c.codes = int(rest.min()), int(rest.max()), tuple(codes)
        if set(rest) <= {0.0, 1.0}:
            c.role, c.note = "binary", "0/1"
        elif c.lo >= 0 and c.hi <= 10 and 2 <= c.hi - c.lo <= 10:
            c.role = "rating"
        else:
            c.note = f"{len(rest)} values {c.lo}..{c.hi}"
            c.role = "count" if len(rest) > 2 else "category"
    return cols


def _prefix(name: str) -> str:
    m = _SUFFIX.match(name)
    return m.group(1).rstrip("_-. ") if m else name


# ----------------------------------------------------------------------------------------
# the draft
# ----------------------------------------------------------------------------------------
def draft_spec(data: pd.DataFrame, *, name: str = "survey", efa: bool = True,
               seed: int | None = 0) -> SpecDraft:
    """Draft a ring specification from survey data.

    Parameters
    ----------
    data : DataFrame
        The raw survey (missing codes still in it), one row per respondent.
    name : str, default "survey"
        The spec's ``name``.
    efa : bool, default True
        Refine the name groups with an exploratory factor analysis (:func:`ringstats.efa`,
        minres, oblimin, one factor per group); ``False`` groups by name only.
    seed : int, optional
        Seed of the parallel analysis used when no name groups exist.

    Returns
    -------
    SpecDraft
        ``.yaml`` is the draft; fill in every ``ring: TODO`` and check the comments.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=400, seed=1)
    >>> draft = draft_spec(w.customers, name="base")
    >>> "ring: TODO" in draft.yaml and draft.outcome
    'ltr'
    >>> filled = draft.yaml.replace("ring: TODO", "ring: 1")
    >>> rs.RingSpec.from_yaml(filled).validate(w.customers).shape == w.customers.shape
    True
    """
    data = checked_frame(data)  # unique, flat column names
    if not isinstance(name, str) or not name:
        raise RingstatsError(f"`name` must be a non-empty string; got {name!r}.")
    data, flags = _numeric_view(data)
    cols = _scan(data)
    for col, msg in flags.items():
        cols[col].note = "; ".join(x for x in (cols[col].note, msg) if x)
        warn(f"`{col}`: {msg}.")
    ltr = _pick_outcome(cols)
    if ltr is not None:
        cols[ltr].role = "ltr"
    for c in cols.values():
        if c.role == "binary" and _BEHAVIOUR.search(c.name):
            c.role = "behaviour"
            break
    roles = {}
    for role, pat in _ROLES.items():
        for c in cols.values():
            if c.role in ("category", "count", "unused", "binary") and pat.search(c.name) \
                    and c.name not in roles.values():
                roles[role] = c.name
                c.role = role
                break
    groups = _name_groups(cols)
    loyalty = [g for g in groups if _LOYALTY.search(g)]
    loyalty_group = loyalty[0] if loyalty else None
    efa_notes: list[str] = []
    reverse: list[str] = []
    if efa:
        groups, efa_notes, reverse = _refine(data, cols, groups, loyalty_group, seed)
    for g, items in groups.items():
        for i in items:
            cols[i].group = g
            cols[i].role = "loyalty" if g == loyalty_group else "item"
    yaml_text, missing = _write(name, data, cols, groups, loyalty_group, ltr, roles, reverse,
                                efa_notes)
    table = pd.DataFrame([{
        "column": c.name, "role": c.role, "group": c.group,
        "observed": f"{c.lo}..{c.hi}" if c.lo is not None else "",
        "missing": " ".join(str(_plain(x)) for x in c.codes), "note": c.note,
    } for c in cols.values()]).set_index("column")
    return SpecDraft(yaml=yaml_text, table=table, missing_codes=missing, outcome=ltr,
                     efa_notes=tuple(efa_notes))


def _pick_outcome(cols: Mapping[str, _Col]) -> str | None:
    named = [c for c in cols.values() if c.role == "rating" and _OUTCOME.search(c.name)]
    if named:
        named.sort(key=lambda c: (c.hi - c.lo) if c.lo is not None else 0, reverse=True)
        named[0].note = "recommend-like name"
        return named[0].name
    eleven = [c for c in cols.values() if c.role == "rating" and c.lo == 0 and c.hi == 10]
    if len(eleven) == 1:
        eleven[0].note = "the only 0..10 column"
        return eleven[0].name
    return None


def _name_groups(cols: Mapping[str, _Col]) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for c in cols.values():
        if c.role == "rating":
            by.setdefault(_prefix(c.name), []).append(c.name)
    out = {}
    for g, items in by.items():
        if len(items) >= 2:
            out[_key(g, out)] = items
        else:
            cols[items[0]].note = cols[items[0]].note or "single item (no group)"
    return out


def _key(g: str, taken: Mapping[str, Any]) -> str:
    base = re.sub(r"\W+", "_", g).strip("_").lower() or "group"
    if base[0].isdigit():
        base = "c" + base
    key, k = base, 2
    while key in taken:
        key, k = f"{base}_{k}", k + 1
    return key


def _refine(data: pd.DataFrame, cols: Mapping[str, _Col], groups: dict[str, list[str]],
            loyalty_group: str | None, seed: int | None
            ) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Split, flag and reverse-key the name groups with one EFA."""
    from .measurement import efa as run_efa

    construct_groups = {g: v for g, v in groups.items() if g != loyalty_group}
    if construct_groups:
        items = [i for v in construct_groups.values() for i in v]
    else:  # no name groups: the EFA forms them from every rating column
        items = [c.name for c in cols.values() if c.role == "rating"]
    if len(items) < 4:
        return groups, [], []
    x = data[items].astype(float)
    for i in items:
        codes = cols[i].codes
        if codes:
            x[i] = x[i].mask(x[i].isin(codes))
    k = len(construct_groups) if len(construct_groups) >= 2 else None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = run_efa(x, n_factors=k, seed=seed)
    except (RingstatsError, np.linalg.LinAlgError, ValueError) as exc:
        return groups, [f"EFA not run: {' '.join(str(exc).split())}"], []
    lam = res.loadings
    notes = [f"EFA: {' '.join(str(w.message).split())}" for w in caught
             if issubclass(w.category, RingstatsWarning)]
    if not construct_groups:
        new: dict[str, list[str]] = {}
        for i in items:
            f = str(lam.loc[i].abs().idxmax())
            new.setdefault(f"factor{f.lstrip('F')}", []).append(i)
        out = {g: v for g, v in new.items() if len(v) >= 2}
        notes.append(f"EFA: no name groups; {len(out)} groups from {res.n_factors} factors "
                     "(parallel analysis). Name the constructs.")
        if loyalty_group:
            out[loyalty_group] = groups[loyalty_group]
        return out, notes, _negative(lam, out)
    out = {}
    for g, v in groups.items():
        if g == loyalty_group:
            out[g] = v
            continue
        own = str(lam.loc[v].abs().sum().idxmax())
        primary = {i: str(lam.loc[i].abs().idxmax()) for i in v}
        parts: dict[str, list[str]] = {}
        for i in v:
            if abs(lam.loc[i, primary[i]]) >= 0.40:
                parts.setdefault(primary[i], []).append(i)
        big = {f: p for f, p in parts.items() if len(p) >= 2}
        if len(big) >= 2:
            rest = [i for i in v if not any(i in p for p in big.values())]
            for j, (_f, p) in enumerate(sorted(big.items(), key=lambda t: -len(t[1]))):
                key = _key(f"{g}_{chr(ord('a') + j)}", out)
                out[key] = [i for i in v if i in p or (j == 0 and i in rest)]
            notes.append(f"EFA: `{g}` split into {len(big)} groups (its items load on "
                         f"{len(big)} factors).")
            continue
        out[g] = v
        for i in v:
            if primary[i] != own and abs(lam.loc[i, primary[i]]) >= 0.40 \
                    and abs(lam.loc[i, own]) < 0.30:
                other = [h for h, w in construct_groups.items() if h != g and
                         str(lam.loc[w].abs().sum().idxmax()) == primary[i]]
                where = f"with `{other[0]}`" if other else "on a factor of its own"
                notes.append(f"EFA: `{i}` loads {where} ({lam.loc[i, primary[i]]:.2f}) more "
                             f"than with `{g}` ({lam.loc[i, own]:.2f}).")
            elif lam.loc[i].abs().max() < 0.30:
                notes.append(f"EFA: `{i}` loads weakly everywhere (< .30).")
    owners: dict[str, list[str]] = {}
    for g, v in out.items():
        if g != loyalty_group:
            owners.setdefault(str(lam.loc[v].abs().sum().idxmax()), []).append(g)
    for share in owners.values():
        if len(share) > 1:
            notes.append(f"EFA: {', '.join(f'`{g}`' for g in share)} load on one factor "
                         "(one construct, or hard to tell apart).")
    return out, notes, _negative(lam, {g: v for g, v in out.items() if g != loyalty_group})


def _negative(lam: pd.DataFrame, groups: Mapping[str, list[str]]) -> list[str]:
    """Items loading negatively (<= -.30) on their group's factor: reverse-keyed candidates."""
    out = []
    for v in groups.values():
        f = str(lam.loc[v].abs().sum().idxmax())
        out += [i for i in v if lam.loc[i, f] <= -0.30]
    return out


# ----------------------------------------------------------------------------------------
# writing the YAML
# ----------------------------------------------------------------------------------------
def _q(value: Any) -> str:
    """A YAML scalar (quoted only when YAML needs it)."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text[:-4].strip() if text.endswith("\n...") or text.endswith(" ...") else text


def _flow(values: list[Any]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _scale_name(lo: int, hi: int) -> str:
    return _SCALE_NAMES.get((lo, hi), f"points_{lo}_{hi}".replace("-", "m"))


def _write(name: str, data: pd.DataFrame, cols: dict[str, _Col],
           groups: dict[str, list[str]], loyalty_group: str | None, ltr: str | None,
           roles: Mapping[str, str], reverse: list[str], efa_notes: list[str]
           ) -> tuple[str, dict]:
    from .spec import Scale

    per_scale_missing = "missing" in {f.name for f in dataclasses.fields(Scale)}
    # one scale per group: the union of its observed ranges, snapped
    gscale: dict[str, tuple[int, int]] = {}
    for g, items in groups.items():
        lo = min(cols[i].lo for i in items)  # type: ignore[type-var]
        hi = max(cols[i].hi for i in items)  # type: ignore[type-var]
        full = sum(cols[i].lo == lo and cols[i].hi == hi for i in items)
        # a range most items use end to end is the scale (bfi: 1..6); else snap
        gscale[g] = (lo, hi) if 2 * full >= len(items) and (hi - lo) >= 3 else _snap(lo, hi)
        for i in items:  # a "code" inside the group's scale is an answer after all
            cols[i].codes = tuple(c for c in cols[i].codes
                                  if not gscale[g][0] <= c <= gscale[g][1])
    ltr_range = None
    if ltr is not None:
        c = cols[ltr]
        ltr_range = (0, 10) if c.lo >= 0 and c.hi <= 10 and c.hi >= 9 else _snap(c.lo, c.hi)
        c.codes = tuple(x for x in c.codes if not ltr_range[0] <= x <= ltr_range[1])
    scales: dict[tuple[int, int], list[str]] = {}
    for g, r in gscale.items():
        scales.setdefault(r, []).append(g)
    used = [i for v in groups.values() for i in v] + ([ltr] if ltr else [])
    ranges = {i: gscale[g] for g, v in groups.items() for i in v}
    if ltr:
        ranges[ltr] = ltr_range  # type: ignore[assignment]
    counts: dict[float, int] = {}
    for i in used:
        for code in cols[i].codes:
            counts[code] = counts.get(code, 0) + int((data[i] == code).sum())
    global_codes, scale_codes, todo_codes = [], {}, []
    for code in sorted(counts):
        clash = [i for i in used if ranges[i][0] <= code <= ranges[i][1]]
        if not clash:
            global_codes.append(code)
            continue
        owners = {r for i in used if code in cols[i].codes and i != ltr
                  for r in [ranges[i]]}
        if per_scale_missing and ltr not in [i for i in used if code in cols[i].codes]:
            for r in owners:
                scale_codes.setdefault(r, []).append(code)
        else:
            todo_codes.append((code, clash))
    L = [f"# Draft ring specification for {name}, written by `ringstats spec draft`.",
         "# Check every line against the questionnaire. Give each construct its ring",
         "# (replace every `ring: TODO`), then run `ringstats validate DATA --spec THIS_FILE`.",
         f"name: {_q(name)}", "scales:"]
    default = None
    if scales:
        default = max(scales, key=lambda r: sum(len(groups[g]) for g in scales[r]))
    for r, gs in scales.items():
        n_items = sum(len(groups[g]) for g in gs)
        line = f"  {_scale_name(*r)}: {{min: {r[0]}, max: {r[1]}"
        if r in scale_codes:
            line += f", missing: {_flow([_plain(c) for c in scale_codes[r]])}"
        obs = sorted({(cols[i].lo, cols[i].hi) for g in gs for i in groups[g]})
        seen = ", ".join(f"{a}..{b}" for a, b in obs[:3]) + (", ..." if len(obs) > 3 else "")
        L.append(line + f"}}  # {n_items} items; observed {seen}")
    if not scales:
        L.append("  # TODO: no rating items found (whole numbers on 3 to 11 points)")
    if default is not None:
        L.append(f"default_scale: {_scale_name(*default)}")
    L.append("constructs:")
    for g, items in groups.items():
        if g == loyalty_group:
            continue
        L += [f"  {_q(g)}:", f"    {_TODO}", f"    items: {_flow(items)}"]
        if gscale[g] != default:
            L.append(f"    scale: {_scale_name(*gscale[g])}")
    if not [g for g in groups if g != loyalty_group]:
        L.append("  # TODO: no item groups found; list constructs as `name: {ring, items}`")
    L.append("outcomes:")
    if ltr is not None:
        L.append(f"  ltr: {_q(ltr)}  # {cols[ltr].note}; observed "
                 f"{cols[ltr].lo}..{cols[ltr].hi}")
        if ltr_range != (0, 10):
            L.append(f"  ltr_scale: {{min: {ltr_range[0]}, max: {ltr_range[1]}}}  "  # type: ignore[index]
                     "# not 0..10: NPS needs an explicit rule")
    elif not loyalty_group:
        L.append("  ltr: TODO  # no recommend-like or 0..10 column found: name the outcome "
                 "(or delete `outcomes:` for a measurement-only spec)")
    if loyalty_group:
        L.append(f"  loyalty: {_flow(groups[loyalty_group])}  # named like loyalty")
        L.append(f"  loyalty_scale: {_scale_name(*gscale[loyalty_group])}")
    beh = [c.name for c in cols.values() if c.role == "behaviour"]
    if beh:
        L.append(f"  behaviour: {_q(beh[0])}  # 0/1, named like a behaviour")
    if global_codes:
        shown = ", ".join(f"{_plain(c)}: {counts[c]:,} answers" for c in global_codes)
        L.append(f"missing_codes: {_flow([_plain(c) for c in global_codes])}  # {shown}")
    for code, clash in todo_codes:
        L.append(f"# TODO missing code {_plain(code)} ({counts[code]:,} answers) is a valid "
                 f"answer of {', '.join(clash[:3])}: declare it per scale or per column")
    if reverse:
        L.append(f"reverse_keyed: {_flow(reverse)}  # negative loading in their group: "
                 "check the wording")
    for role, col in roles.items():
        L.append(f"{role}: {_q(col)}  # named like a {role} ({cols[col].note or cols[col].role})")
    for note in efa_notes:
        L.append(f"# {note}")
    unused = [c for c in cols.values() if c.role not in
              ("item", "loyalty", "ltr", "behaviour", *roles) and c.name not in roles.values()]
    if unused:
        L.append("# Columns not used:")
        for c in unused:
            what = c.note or (f"{c.lo}..{c.hi}" if c.lo is not None else c.role)
            L.append(f"#   {c.name}: {what}")
    return "\n".join(L) + "\n", {_plain(c): n for c, n in counts.items()}


# ----------------------------------------------------------------------------------------
# a spec in words
# ----------------------------------------------------------------------------------------
def explain_spec(spec: RingSpec) -> str:
    """A ring specification in plain sentences (``ringstats spec show spec.yaml``).

    Examples
    --------
    >>> import ringstats as rs
    >>> text = explain_spec(rs.draw("base", n=100, seed=1).spec)
    >>> print(text.splitlines()[0])
    Spec `simulated_base`: 6 constructs measured by 21 items.
    """
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    items = spec.items
    out = [f"Spec `{spec.name}`: {len(spec.constructs)} constructs measured by "
           f"{len(items)} items."]
    for ring in (1, 2, 3):
        cs = [c for c in spec.constructs if c.ring == ring]
        out += ["", f"{RING_LABELS[ring]} ({len(cs) or 'no'} construct{'' if len(cs) == 1 else 's'})"
                + (":" if cs else ".")]
        for c in cs:
            s = spec.scales[c.scale]
            label = f" ({c.label})" if c.label else ""
            rev = [i for i in c.items if i in spec.reverse_keyed]
            out.append(f"  - {c.name}{label}: {len(c.items)} items ({', '.join(c.items)}) on "
                       f"{_describe_scale(s)}" + (f"; reverse-keyed: {', '.join(rev)}"
                                                  if rev else "") + ".")
    out += ["", "Outcomes:"]
    described = set()
    ltr_def = spec.outcome_spec("ltr") if spec.ltr else None
    if ltr_def is not None:
        rule = ltr_def.nps_rule
        scale = ltr_def.scale or spec.ltr_scale
        nps = ("standard NPS (promoters 9-10, detractors 0-6)" if ltr_def.nps_standard
               else f"non-standard NPS ({rule.describe()})" if rule is not None
               else "no NPS (not the 0..10 scale and no `nps` rule)")
        out.append(f"  - likelihood to recommend: `{spec.ltr}` on {_describe_scale(scale)}, "
                   f"{ltr_def.kind}; {nps}.")
        described.add(ltr_def.name)
    if spec.loyalty:
        out.append(f"  - loyalty: {len(spec.loyalty)} items ({', '.join(spec.loyalty)}) on "
                   f"{_describe_scale(spec.scales[spec.loyalty_scale])}.")
    for d in getattr(spec, "outcome_defs", ()) or ():
        if d.name not in described:
            out.append(f"  - {d.name}: {d.describe()}.")
            described.add(d.name)
    if spec.behaviour and "behaviour" not in described:
        out.append(f"  - behaviour: `{spec.behaviour}` (0/1).")
    if not spec.outcomes:
        out.append("  - none declared.")
    default = getattr(spec, "default_outcome", None)
    if default:
        out.append(f"  Analyses use `{default}` unless told otherwise.")
    out += ["", "Missing values:"]
    codes = [str(_plain(c)) for c in spec.missing_codes]
    out.append(f"  - in every column: {', '.join(codes)}." if codes
               else "  - no codes for every column (empty cells are missing).")
    for s in spec.scales.values():
        if getattr(s, "missing", ()):
            out.append(f"  - on scale `{s.name}`: {', '.join(str(_plain(c)) for c in s.missing)}.")
    for col, cs in (getattr(spec, "column_missing", None) or {}).items():
        out.append(f"  - in `{col}`: {', '.join(str(_plain(c)) for c in cs)}.")
    rk = list(spec.reverse_keyed)
    out += ["", "Reverse-keyed items (recoded as min + max - x by validate): "
            + (", ".join(rk) if rk else "none") + "."]
    roles = [f"{r} = `{getattr(spec, r)}`" for r in ("segment", "moment", "team")
             if getattr(spec, r)]
    out.append("Roles: " + ("; ".join(roles) if roles else "none (no segment, moment or "
                                                           "team column)") + ".")
    return "\n".join(out)


def _describe_scale(s: Any) -> str:
    return f"{s.min}..{s.max} ({s.max - s.min + 1} points, scale `{s.name}`)"


