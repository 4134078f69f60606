"""The RingSpec: constructs, rings, roles and validation."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .._kernels.validation import check_dataframe
from ..errors import RingstatsWarning, SpecError, ValidationError
from ._columns import _as_float, _binary_column, _column_problems
from ._scales import (
    _OUTCOME_RESERVED,
    LTR_SCALE,
    OutcomeSpec,
    Scale,
    _codes,
    _column_missing,
    _examples,
    _outcome_from,
    _outcome_to,
    _plain,
    _scale_from,
)

RING_LABELS: dict[int, str] = {
    1: "Ring 1: core proposition",
    2: "Ring 2: operational execution",
    3: "Ring 3: connection and meaning",
}

#: Names of the ring scores (``ring_scores`` columns) accepted wherever a driver is named.
RING_TOKENS = ("ring1", "ring2", "ring3")

_REVERSED_ATTR = "ringstats_reversed"


@dataclass(frozen=True)
class Construct:
    """A latent construct measured by several items, in ring 1, 2 or 3."""

    name: str
    ring: int
    items: tuple[str, ...]
    scale: str
    label: str | None = None

    def __post_init__(self) -> None:
        if self.ring not in (1, 2, 3) or isinstance(self.ring, bool):
            raise SpecError(
                f"construct `{self.name}`: `ring` must be one of {{1, 2, 3}}; got {self.ring!r}."
            )
        if not self.items or not all(isinstance(i, str) and i for i in self.items):
            raise SpecError(
                f"construct `{self.name}`: `items` must be a non-empty list of column names; "
                f"got {list(self.items)!r}."
            )


@dataclass(frozen=True)
class RingSpec:
    """Measurement model and column roles of a three-ring survey.

    Parameters
    ----------
    constructs : tuple of Construct
        The constructs, each with its ring and item columns.
    scales : dict of str to Scale
        Named response scales referred to by constructs and loyalty items.
    ltr : str, optional
        Column with likelihood-to-recommend.
    ltr_scale : Scale
        Its scale; the standard NPS needs 0-10 (the default).
    loyalty : tuple of str, optional
        Items of a multi-item loyalty measure.
    loyalty_scale : str, optional
        Scale name of the loyalty items (default: ``default_scale``).
    behaviour : str, optional
        A 0/1 behavioural outcome column (repurchase or churn).
    missing_codes : tuple of float
        Values that mean "missing" in every column (for example -99); turned into NaN.
        Codes of one scale go on the scale (``scales: {five: {min: 1, max: 5, missing: [0]}}``),
        codes of one column in ``column_missing``.
    column_missing : dict of str to tuple of float
        Missing-value codes per column.
    outcome_defs : tuple of OutcomeSpec
        Every declared outcome with its kind, scale and NPS rule (``outcome_spec`` reads them;
        the plain ``ltr``/``behaviour`` fields stay in step).
    default_outcome : str, optional
        Name of the outcome analyses use when ``outcome=`` is not given (default: ``ltr``).
    reverse_keyed : tuple of str
        Items recoded as ``min + max - x`` on their scale.
    segment, moment, team : str, optional
        Columns with a customer segment, a moment type and a team id.
    name : str
        A label for the spec.

    Examples
    --------
    >>> import ringstats as rs
    >>> spec = rs.RingSpec.from_dict({
    ...     "scales": {"likert5": {"min": 1, "max": 5}},
    ...     "default_scale": "likert5",
    ...     "constructs": {
    ...         "price": {"ring": 1, "items": ["p1", "p2", "p3"]},
    ...         "trust": {"ring": 3, "items": ["t1", "t2", "t3"]},
    ...     },
    ...     "outcomes": {"ltr": "ltr"},
    ... })
    >>> spec.rings
    {1: ['price'], 2: [], 3: ['trust']}
    """

    constructs: tuple[Construct, ...]
    scales: dict[str, Scale] = field(default_factory=dict)
    ltr: str | None = None
    ltr_scale: Scale = LTR_SCALE
    loyalty: tuple[str, ...] | None = None
    loyalty_scale: str | None = None
    behaviour: str | None = None
    missing_codes: tuple[float, ...] = ()
    reverse_keyed: tuple[str, ...] = ()
    segment: str | None = None
    moment: str | None = None
    team: str | None = None
    name: str = "ringspec"
    default_scale: str | None = None
    column_missing: dict[str, tuple[float, ...]] = field(default_factory=dict)
    outcome_defs: tuple[OutcomeSpec, ...] = ()
    default_outcome: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing_codes", _codes(tuple(self.missing_codes), "`missing_codes`"))
        problems = []
        names = [c.name for c in self.constructs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            problems.append(f"construct name(s) used twice: {', '.join(dup)}")
        for c in self.constructs:
            if c.scale not in self.scales:
                problems.append(
                    f"construct `{c.name}` uses scale `{c.scale}`, which is not among the "
                    f"declared scales ({', '.join(self.scales) or 'none'})"
                )
        if self.loyalty and self.loyalty_scale not in self.scales:
            problems.append(
                f"`loyalty_scale` must name a declared scale; got {self.loyalty_scale!r}"
            )
        rk_unknown = [i for i in self.reverse_keyed if i not in self._scaled_items()]
        if rk_unknown:
            problems.append(
                "`reverse_keyed` names item(s) that are not construct or loyalty items: "
                + ", ".join(rk_unknown)
            )
        if problems:
            raise SpecError("invalid RingSpec:\n" + "\n".join(f"  - {p}" for p in problems))

    # ------------------------------------------------------------------ I/O
    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> RingSpec:
        """Build a spec from a plain dict (the YAML structure shown in the module docstring)."""
        if not isinstance(spec, dict):
            raise SpecError(f"`spec` must be a dict; got {type(spec).__name__}.")
        known = {
            "name", "scales", "default_scale", "constructs", "outcomes", "missing_codes",
            "reverse_keyed", "segment", "moment", "team", "column_missing",
        }
        unknown = sorted(set(spec) - known)
        if unknown:
            raise SpecError(
                f"unknown key(s) in spec: {', '.join(unknown)}; allowed: {', '.join(sorted(known))}."
            )
        raw_scales = spec.get("scales") or {}
        if not isinstance(raw_scales, dict):
            raise SpecError(f"`scales` must be a mapping of name to {{min, max}}; got {raw_scales!r}.")
        scales = {}
        for sname, s in raw_scales.items():
            if not isinstance(s, dict) or set(s) - {"min", "max", "missing"} \
                    or not {"min", "max"} <= set(s):
                raise SpecError(f"scale `{sname}` must be a mapping with `min`, `max` and "
                                f"optionally `missing`; got {s!r}.")
            scales[str(sname)] = Scale(str(sname), s["min"], s["max"], s.get("missing") or ())
        default_scale = spec.get("default_scale")
        if default_scale is None and len(scales) == 1:
            default_scale = next(iter(scales))
        raw_constructs = spec.get("constructs")
        if not isinstance(raw_constructs, dict) or not raw_constructs:
            raise SpecError(
                "`constructs` must be a non-empty mapping of construct name to "
                f"{{ring, items}}; got {raw_constructs!r}."
            )
        constructs = []
        for cname, c in raw_constructs.items():
            if not isinstance(c, dict) or "ring" not in c or "items" not in c:
                raise SpecError(f"construct `{cname}` must be a mapping with `ring` and `items`; got {c!r}.")
            extra = set(c) - {"ring", "items", "scale", "label"}
            if extra:
                raise SpecError(f"construct `{cname}` has unknown key(s): {', '.join(sorted(extra))}.")
            items = c["items"]
            if isinstance(items, str) or not isinstance(items, (list, tuple)):
                raise SpecError(f"construct `{cname}`: `items` must be a list; got {items!r}.")
            scale = c.get("scale", default_scale)
            if scale is None:
                raise SpecError(
                    f"construct `{cname}` has no `scale` and the spec has no `default_scale`."
                )
            constructs.append(Construct(str(cname), c["ring"], tuple(items), str(scale), c.get("label")))
        outcomes = spec.get("outcomes") or {}
        if not isinstance(outcomes, dict):
            raise SpecError(f"`outcomes` must be a mapping; got {outcomes!r}.")
        ltr_scale = LTR_SCALE
        if "ltr_scale" in outcomes:
            ltr_scale = _scale_from(outcomes["ltr_scale"], "ltr", "`outcomes.ltr_scale`")
        defs: list[OutcomeSpec] = []
        default_outcome = outcomes.get("default")
        for oname, raw in outcomes.items():
            if oname in _OUTCOME_RESERVED:
                continue
            defs.append(_outcome_from(str(oname), raw, ltr_scale, scales))
        names_ = [d.name for d in defs]
        if default_outcome is not None and default_outcome not in names_:
            raise SpecError(f"`outcomes.default` must name a declared outcome ({', '.join(names_)}); "
                            f"got {default_outcome!r}.")
        by_name = {d.name: d for d in defs}
        ltr_def = by_name.get("ltr")
        if ltr_def is not None and ltr_def.scale is not None:
            ltr_scale = ltr_def.scale
        loyalty = outcomes.get("loyalty")
        if loyalty is not None:
            if isinstance(loyalty, str) or not isinstance(loyalty, (list, tuple)):
                raise SpecError(f"`outcomes.loyalty` must be a list of items; got {loyalty!r}.")
            loyalty = tuple(loyalty)
        return cls(
            constructs=tuple(constructs),
            scales=scales,
            ltr=ltr_def.column if ltr_def is not None else None,
            ltr_scale=ltr_scale,
            loyalty=loyalty,
            loyalty_scale=outcomes.get("loyalty_scale", default_scale) if loyalty else None,
            behaviour=by_name["behaviour"].column if "behaviour" in by_name else None,
            missing_codes=_codes(spec.get("missing_codes") or (), "`missing_codes`"),
            column_missing=_column_missing(spec.get("column_missing")),
            outcome_defs=tuple(defs),
            default_outcome=default_outcome,
            reverse_keyed=tuple(spec.get("reverse_keyed") or ()),
            segment=spec.get("segment"),
            moment=spec.get("moment"),
            team=spec.get("team"),
            name=str(spec.get("name", "ringspec")),
            default_scale=default_scale,
        )

    @classmethod
    def from_yaml(cls, source: str | Path) -> RingSpec:
        """Read a spec from a YAML file path or a YAML string."""
        text: str
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                         and source.endswith((".yml", ".yaml"))):
            path = Path(source)
            if not path.exists():
                raise SpecError(f"`source` must be an existing YAML file or YAML text; no file {path}.")
            text = path.read_text(encoding="utf-8")
        elif isinstance(source, str):
            text = source
        else:
            raise SpecError(f"`source` must be a path or YAML text; got {type(source).__name__}.")
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"`source` is not valid YAML: {exc}") from None
        return cls.from_dict(loaded)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a plain dict; ``RingSpec.from_dict(spec.to_dict()) == spec``."""
        out: dict[str, Any] = {"name": self.name}
        out["scales"] = {k: v.to_dict() for k, v in self.scales.items()}
        if self.default_scale is not None:
            out["default_scale"] = self.default_scale
        out["constructs"] = {}
        for c in self.constructs:
            d: dict[str, Any] = {"ring": int(c.ring), "items": list(c.items), "scale": c.scale}
            if c.label:
                d["label"] = c.label
            out["constructs"][c.name] = d
        outcomes: dict[str, Any] = {}
        declared = {d.name for d in self.outcome_defs}
        if self.ltr is not None and "ltr" not in declared:
            outcomes["ltr"] = self.ltr
        if self.ltr is not None and (self.ltr_scale.min, self.ltr_scale.max, self.ltr_scale.missing) \
                != (0, 10, ()):
            outcomes["ltr_scale"] = self.ltr_scale.to_dict()
        if self.loyalty:
            outcomes["loyalty"] = list(self.loyalty)
            outcomes["loyalty_scale"] = self.loyalty_scale
        if self.behaviour is not None and "behaviour" not in declared:
            outcomes["behaviour"] = self.behaviour
        for d in self.outcome_defs:
            outcomes[d.name] = _outcome_to(d, self)
        if self.default_outcome is not None:
            outcomes["default"] = self.default_outcome
        out["outcomes"] = outcomes
        if self.missing_codes:
            out["missing_codes"] = [_plain(v) for v in self.missing_codes]
        if self.column_missing:
            out["column_missing"] = {k: [_plain(v) for v in vs] for k, vs in self.column_missing.items()}
        if self.reverse_keyed:
            out["reverse_keyed"] = list(self.reverse_keyed)
        for role in ("segment", "moment", "team"):
            if getattr(self, role) is not None:
                out[role] = getattr(self, role)
        return out

    def to_yaml(self, path: str | Path | None = None) -> str:
        """Write the spec as YAML; return the text (and write it to ``path`` if given)."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ----------------------------------------------------------- accessors
    @property
    def construct_names(self) -> list[str]:
        return [c.name for c in self.constructs]

    @property
    def items(self) -> list[str]:
        """All construct items, in spec order."""
        return [i for c in self.constructs for i in c.items]

    @property
    def rings(self) -> dict[int, list[str]]:
        """Construct names per ring (rings without constructs map to an empty list)."""
        return {r: [c.name for c in self.constructs if c.ring == r] for r in (1, 2, 3)}

    @property
    def outcomes(self) -> list[str]:
        """Outcome columns: LTR, loyalty items and behaviour, as present."""
        out = [self.ltr] if self.ltr else []
        out += list(self.loyalty or ())
        if self.behaviour:
            out.append(self.behaviour)
        out += [d.column for d in self.outcome_defs if d.column not in out]
        return out

    def outcome_spec(self, outcome: str | None = None) -> OutcomeSpec | None:
        """The declared outcome named (by role or column) ``outcome``; None: the default one.

        Returns None for a column that the spec does not declare as an outcome (an
        analysis then treats it as continuous and names that choice).
        """
        if outcome is None:
            outcome = self.default_outcome or self.ltr or self.behaviour
            if outcome is None:
                return None
        for d in self.outcome_defs:
            if outcome in (d.name, d.column):
                return d
        if outcome in ("ltr", self.ltr) and self.ltr is not None:
            return OutcomeSpec("ltr", self.ltr, "continuous", self.ltr_scale)
        if outcome in ("behaviour", self.behaviour) and self.behaviour is not None:
            return OutcomeSpec("behaviour", self.behaviour, "binary", Scale("behaviour", 0, 1))
        if self.loyalty and outcome in self.loyalty:
            return OutcomeSpec(outcome, outcome, "continuous", self.scales[self.loyalty_scale])
        return None

    def missing_for(self, column: str) -> tuple[float, ...]:
        """Every missing-value code that applies to ``column``: global, its scale's, its own."""
        codes = list(self.missing_codes)
        scale = self._scale_or_none(column)
        if scale is not None:
            codes += scale.missing
        codes += self.column_missing.get(column, ())
        od = self.outcome_spec(column) if column in self.outcomes else None
        if od is not None:
            codes += od.missing
        return tuple(dict.fromkeys(codes))

    def _scale_or_none(self, column: str) -> Scale | None:
        try:
            return self.scale_of(column)
        except SpecError:
            return None

    def construct(self, name: str) -> Construct:
        for c in self.constructs:
            if c.name == name:
                return c
        raise SpecError(
            f"`name` must be a construct of this spec ({', '.join(self.construct_names)}); got {name!r}."
        )

    def ring_of(self, construct: str) -> int:
        return self.construct(construct).ring

    def item_map(self) -> dict[str, str]:
        """Item -> construct name."""
        return {i: c.name for c in self.constructs for i in c.items}

    def scale_of(self, item: str) -> Scale:
        for c in self.constructs:
            if item in c.items:
                return self.scales[c.scale]
        if self.loyalty and item in self.loyalty:
            return self.scales[self.loyalty_scale]  # type: ignore[index]
        if item == self.ltr:
            return self.ltr_scale
        for d in self.outcome_defs:
            if item == d.column and d.scale is not None:
                return d.scale
        if item == self.behaviour:
            return Scale("behaviour", 0, 1)
        raise SpecError(f"`item` must be an item of this spec; got {item!r}.")

    def subset(self, constructs: list[str]) -> RingSpec:
        """A spec with only the named constructs (outcomes and roles kept)."""
        keep = [self.construct(n) for n in constructs]
        kept_items = {i for c in keep for i in c.items} | set(self.loyalty or ())
        return replace(self, constructs=tuple(keep),
                       reverse_keyed=tuple(i for i in self.reverse_keyed if i in kept_items))

    def _scaled_items(self) -> list[str]:
        return self.items + list(self.loyalty or ())

    def role_columns(self) -> list[str]:
        return [c for c in (self.segment, self.moment, self.team) if c is not None]

    def columns(self) -> list[str]:
        """Every column the spec refers to, without duplicates, in spec order."""
        cols = self.items + self.outcomes + self.role_columns()
        return list(dict.fromkeys(cols))

    # ----------------------------------------------------------- validate
    def structure_problems(self) -> tuple[list[str], list[str]]:
        """Problems and warnings of the spec itself, independent of data."""
        problems: list[str] = []
        warns: list[str] = []
        seen: dict[str, str] = {}
        for c in self.constructs:
            for item in c.items:
                if item in seen and seen[item] != c.name:
                    problems.append(f"item in two constructs: `{item}` is listed under "
                                    f"`{seen[item]}` and `{c.name}`")
                elif item in seen:
                    problems.append(f"item `{item}` is listed twice under `{c.name}`")
                seen.setdefault(item, c.name)
        for o in self.outcomes:
            if o in seen:
                problems.append(f"column `{o}` is both an outcome and an item of `{seen[o]}`")
        for c in self.constructs:
            if len(c.items) == 1:
                problems.append(
                    f"construct with a single item: `{c.name}` has only `{c.items[0]}`; "
                    "a latent construct needs at least 2 items (3 or more recommended)"
                )
            elif len(c.items) == 2:
                warns.append(f"construct `{c.name}` has 2 items; 3 or more are recommended "
                             "for reliable measurement and an identified one-factor model")
        if not self.ltr and not self.loyalty and not self.outcome_defs:
            # a measurement-only spec is legal; analyses of an outcome refuse without one
            warns.append("no outcome: the spec names neither `outcomes.ltr` nor "
                         "`outcomes.loyalty` (nor another named outcome); measurement "
                         "analyses run, driver, NPS and shape analyses need `outcome=` "
                         "(`--outcome`)")
        for code in self.missing_codes:
            legal = sorted({name for name, sc in self._all_scales() if sc.min <= code <= sc.max})
            if legal:
                warns.append(
                    f"global missing code {_plain(code)} is a legal answer on scale(s) "
                    f"{', '.join(legal)}: it is treated as missing there too; declare it on "
                    "the scale that uses it (`scales: {name: {min, max, missing: "
                    f"[{_plain(code)}]}}}}`) instead"
                )
        return problems, warns

    def _all_scales(self) -> list[tuple[str, Scale]]:
        out = [(n, sc) for n, sc in self.scales.items()
               if any(c.scale == n for c in self.constructs) or n == self.loyalty_scale]
        if self.ltr:
            out.append((f"ltr ({self.ltr})", self.ltr_scale))
        return out

    def validate(self, data: pd.DataFrame, *, whole: bool = True) -> pd.DataFrame:
        """Check ``data`` against the spec and return a cleaned copy.

        The copy has missing-value codes replaced by NaN (the global codes, those of
        each column's scale and those of the column itself), item and outcome
        columns as float (a binary outcome with a text label as 1/0), and
        reverse-keyed items recoded as ``min + max - x``. Reverse keying is
        recorded in ``DataFrame.attrs`` so validating an already validated frame
        does not recode twice. ``whole=False`` says ``data`` is one chunk of a larger
        survey (:func:`ringstats.summarize`): the checks that need every row (constant
        column, an outcome never observed) are left to the caller.

        Raises
        ------
        ValidationError
            Listing every problem found: unknown column, duplicated column names,
            item in two constructs, value outside its scale (with a hint when the
            same value looks like a missing code across a scale), non-numeric text,
            constant item, construct with a single item, an outcome column with no
            observed value, a binary outcome that is not 0/1 or lacks its positive label.

        Warns
        -----
        RingstatsWarning
            For a construct with fewer than three items, a global missing code that is
            a legal answer of some column, and a spec that names no outcome (a
            measurement-only spec).
        """
        check_dataframe(data)
        problems, warns = self.structure_problems()
        frame_problems = _column_problems(data)
        if frame_problems:  # columns cannot be read one by one: stop here
            raise ValidationError(list(dict.fromkeys(problems + frame_problems)))
        present = set(data.columns)
        for col in self.columns():
            if col not in present:
                role = self._role(col)
                problems.append(f"unknown column: `{col}` ({role}) is not in the data")
        cols = [c for c in dict.fromkeys(self._scaled_items() + self.outcomes) if c in present]
        out = self.clean(data, cols, problems=problems, constant=whole)
        if (whole and self.ltr and self.ltr in present and out[self.ltr].isna().all()
                and not self.loyalty):
            problems.append(f"missing outcome: `{self.ltr}` has no observed values")
        if problems:
            raise ValidationError(list(dict.fromkeys(problems)))
        for w in warns:
            warnings.warn(w, RingstatsWarning, stacklevel=2)
        return out

    def clean(self, data: pd.DataFrame, columns: Sequence[str], *,
              problems: list[str] | None = None, constant: bool = False) -> pd.DataFrame:
        """The spec's rules for ``columns``, on a copy of ``data``: the one home of them.

        Numeric conversion (nullable, categorical and boolean dtypes included), missing
        codes (:meth:`missing_for`), scale checks, binary labels and reverse keying
        (recorded in ``attrs``, never applied twice). Columns not named are copied
        unchanged. When ``problems`` is given, problems are appended to it; otherwise
        a :class:`~ringstats.errors.ValidationError` lists them. ``constant=True`` also
        reports columns without variation (as :meth:`validate` does; analyses report
        those in their own terms).
        """
        raise_now = problems is None
        problems = [] if problems is None else problems
        already = tuple(data.attrs.get(_REVERSED_ATTR, ()))
        hint: dict[tuple[str, float], list[str]] = {}
        hint_at: dict[tuple[str, float], int] = {}
        scale_by: dict[str, Scale] = {}
        cleaned: dict[str, np.ndarray] = {}  # set on the copy at once (one block, no per-column iset)
        for col in columns:
            od = self.outcome_spec(col) if col in self.outcomes else None
            series = data[col]
            codes = self.missing_for(col)
            if od is not None and od.kind == "binary":
                cleaned[col] = _binary_column(series, od, codes, problems).to_numpy()
                continue
            arr = _as_float(series, col, problems).to_numpy(dtype=float, copy=True)
            if codes:
                arr[np.isin(arr, codes)] = np.nan
            cleaned[col] = arr
            scale = self._scale_or_none(col)
            vals = arr[~np.isnan(arr)]
            if scale is not None:
                bad = vals[(vals < scale.min) | (vals > scale.max) | (vals != np.round(vals))]
                if len(bad):
                    problems.append(
                        f"value outside its scale: `{col}` must hold whole numbers "
                        f"{scale.min}..{scale.max} (scale `{scale.name}`); found {len(bad)} "
                        f"value(s) such as {_examples(bad)}"
                    )
                    for v in pd.unique(bad):
                        hint.setdefault((scale.name, float(v)), []).append(col)
                        hint_at.setdefault((scale.name, float(v)), len(problems) - 1)
                        scale_by[scale.name] = scale
            if constant and (vals.size == 0 or np.all(vals == vals[0])):
                what = "all missing" if vals.size == 0 else f"every value is {_plain(vals[0])}"
                kind = "constant outcome" if col in self.outcomes else "constant item"
                problems.append(f"{kind}: `{col}` has no variation ({what})")
        for (sname, v), cols in hint.items():
            sc = scale_by[sname]
            if (v < sc.min and v <= 0) or (v > sc.max and v in (9, 97, 98, 99, 999, 9999)):
                where = (f"declare `missing: [{_plain(v)}]` on that scale" if sname in self.scales
                         else f"declare it for the column (`column_missing: {{{cols[0]}: "
                         f"[{_plain(v)}]}}`)")
                problems[hint_at[(sname, v)]] += (
                    f". Hint: {_plain(v)} found in {len(cols)} column(s) on the "
                    f"{scale_by[sname].min}-{scale_by[sname].max} scale `{sname}` "
                    f"({', '.join(cols[:5])}{' ...' if len(cols) > 5 else ''}): if "
                    f"{_plain(v)} means 'not applicable' or 'don't know', {where}"
                )
        if raise_now and problems:
            raise ValidationError(list(dict.fromkeys(problems)))
        todo = [i for i in self.reverse_keyed if i in columns and i not in already]
        for item in todo:
            sc = self.scale_of(item)
            cleaned[item] = sc.min + sc.max - cleaned[item]
        keep = [c for c in data.columns if c not in cleaned]
        out = (pd.concat([data[keep], pd.DataFrame(cleaned, index=data.index)], axis=1)
               [list(data.columns)] if cleaned else data.copy())
        out.attrs = dict(data.attrs)
        out.attrs[_REVERSED_ATTR] = tuple(dict.fromkeys(already + tuple(todo)))
        return out

    def _role(self, col: str) -> str:
        imap = self.item_map()
        if col in imap:
            return f"item of construct `{imap[col]}`"
        if col == self.ltr:
            return "outcome ltr"
        if self.loyalty and col in self.loyalty:
            return "loyalty item"
        if col == self.behaviour:
            return "behavioural outcome"
        for role in ("segment", "moment", "team"):
            if getattr(self, role) == col:
                return f"{role} column"
        return "column"


def blocks_of(spec: RingSpec | Mapping[str, Sequence[str]], param: str = "spec") -> dict[str, list[str]]:
    """Construct -> item list from a RingSpec or a plain mapping of construct to items.

    The one place where a measurement model is read from either form; every estimator
    (reliability, CFA, HTMT, scores) goes through it.

    Raises
    ------
    SpecError
        When ``spec`` is neither, is empty, or maps a construct to something other than
        a non-empty list of column names.
    """
    if isinstance(spec, RingSpec):
        return {c.name: list(c.items) for c in spec.constructs}
    if isinstance(spec, Mapping) and spec:
        out: dict[str, list[str]] = {}
        for name, items in spec.items():
            if isinstance(items, str) or not isinstance(items, Sequence) or not items:
                raise SpecError(
                    f"`{param}` must map each construct to a non-empty list of item columns; "
                    f"got {items!r} for {name!r}."
                )
            out[str(name)] = list(items)
        return out
    raise SpecError(
        f"`{param}` must be a RingSpec or a dict of construct -> item columns; "
        f"got {type(spec).__name__ if not isinstance(spec, Mapping) else 'an empty dict'}."
    )
