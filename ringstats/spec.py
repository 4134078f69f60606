"""Ring specification: which survey items measure which construct in which ring.

A :class:`RingSpec` is declarative. It is read from YAML or a dict, written back
to YAML, and checks a survey DataFrame with :meth:`RingSpec.validate`, which
returns a cleaned copy (missing-value codes to NaN, reverse-keyed items
recoded) or raises one :class:`~ringstats.errors.ValidationError` listing every
problem found. The caller's DataFrame is never modified.

A minimal YAML file::

    name: my_survey
    scales:
      likert5: {min: 1, max: 5}
    default_scale: likert5
    constructs:
      product_quality: {ring: 1, items: [q1, q2, q3]}
      ease:            {ring: 2, items: [e1, e2, e3]}
      feeling_seen:    {ring: 3, items: [s1, s2, s3], scale: likert5}
    outcomes:
      ltr: recommend            # 0-10 likelihood to recommend
      loyalty: [loy1, loy2, loy3]
      behaviour: repurchased    # optional 0/1 column
    missing_codes: [-99]
    reverse_keyed: [e3]
    segment: segment            # optional
    moment: moment_type         # optional
    team: team_id               # optional
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ._kernels.validation import check_dataframe
from .errors import RingstatsWarning, SpecError, ValidationError

__all__ = ["Scale", "Construct", "RingSpec", "LTR_SCALE", "RING_LABELS", "blocks_of"]

#: Plain-language name of each ring, used in every table, report and figure.
RING_LABELS: dict[int, str] = {
    1: "Ring 1: core proposition",
    2: "Ring 2: operational execution",
    3: "Ring 3: connection and meaning",
}

_REVERSED_ATTR = "ringstats_reversed"


@dataclass(frozen=True)
class Scale:
    """An integer response scale from ``min`` to ``max`` inclusive."""

    name: str
    min: int
    max: int

    def __post_init__(self) -> None:
        for attr in ("min", "max"):
            v = getattr(self, attr)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                raise SpecError(f"scale `{self.name}`: `{attr}` must be an integer; got {v!r}.")
        if self.min >= self.max:
            raise SpecError(
                f"scale `{self.name}`: `min` must be below `max`; got min={self.min}, max={self.max}."
            )

    @property
    def n_points(self) -> int:
        return int(self.max - self.min + 1)

    def to_dict(self) -> dict[str, int]:
        return {"min": int(self.min), "max": int(self.max)}


#: The standard 0-10 likelihood-to-recommend scale.
LTR_SCALE = Scale("ltr", 0, 10)


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
        Values that mean "missing" (for example -99); turned into NaN.
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

    def __post_init__(self) -> None:
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
            "reverse_keyed", "segment", "moment", "team",
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
            if not isinstance(s, dict) or set(s) - {"min", "max"} or not {"min", "max"} <= set(s):
                raise SpecError(f"scale `{sname}` must be a mapping with `min` and `max`; got {s!r}.")
            scales[str(sname)] = Scale(str(sname), s["min"], s["max"])
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
        extra = set(outcomes) - {"ltr", "ltr_scale", "loyalty", "loyalty_scale", "behaviour"}
        if extra:
            raise SpecError(f"`outcomes` has unknown key(s): {', '.join(sorted(extra))}.")
        ltr_scale = LTR_SCALE
        if "ltr_scale" in outcomes:
            s = outcomes["ltr_scale"]
            if not isinstance(s, dict) or not {"min", "max"} <= set(s):
                raise SpecError(f"`outcomes.ltr_scale` must be a mapping with `min` and `max`; got {s!r}.")
            ltr_scale = Scale("ltr", s["min"], s["max"])
        loyalty = outcomes.get("loyalty")
        if loyalty is not None:
            if isinstance(loyalty, str) or not isinstance(loyalty, (list, tuple)):
                raise SpecError(f"`outcomes.loyalty` must be a list of items; got {loyalty!r}.")
            loyalty = tuple(loyalty)
        return cls(
            constructs=tuple(constructs),
            scales=scales,
            ltr=outcomes.get("ltr"),
            ltr_scale=ltr_scale,
            loyalty=loyalty,
            loyalty_scale=outcomes.get("loyalty_scale", default_scale) if loyalty else None,
            behaviour=outcomes.get("behaviour"),
            missing_codes=tuple(spec.get("missing_codes") or ()),
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
        if self.ltr is not None:
            outcomes["ltr"] = self.ltr
            if self.ltr_scale != LTR_SCALE:
                outcomes["ltr_scale"] = self.ltr_scale.to_dict()
        if self.loyalty:
            outcomes["loyalty"] = list(self.loyalty)
            outcomes["loyalty_scale"] = self.loyalty_scale
        if self.behaviour is not None:
            outcomes["behaviour"] = self.behaviour
        out["outcomes"] = outcomes
        if self.missing_codes:
            out["missing_codes"] = [_plain(v) for v in self.missing_codes]
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
        return out

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
        if not self.ltr and not self.loyalty:
            problems.append("missing outcome: the spec names neither `outcomes.ltr` nor "
                            "`outcomes.loyalty`")
        return problems, warns

    def validate(self, data: pd.DataFrame) -> pd.DataFrame:
        """Check ``data`` against the spec and return a cleaned copy.

        The copy has missing-value codes replaced by NaN, item and outcome
        columns as float, and reverse-keyed items recoded as ``min + max - x``.
        Reverse keying is recorded in ``DataFrame.attrs`` so validating an
        already validated frame does not recode twice.

        Raises
        ------
        ValidationError
            Listing every problem found: unknown column, item in two
            constructs, value outside its scale, non-numeric text, constant
            item, construct with a single item, missing outcome, a behaviour
            column that is not 0/1.

        Warns
        -----
        RingstatsWarning
            For a construct with fewer than three items.
        """
        check_dataframe(data)
        problems, warns = self.structure_problems()
        present = set(data.columns)
        for col in self.columns():
            if col not in present:
                role = self._role(col)
                problems.append(f"unknown column: `{col}` ({role}) is not in the data")
        out = data.copy()
        already = tuple(data.attrs.get(_REVERSED_ATTR, ()))
        numeric_cols = [c for c in dict.fromkeys(self._scaled_items() + self.outcomes) if c in present]
        codes = [float(v) for v in self.missing_codes]
        for col in numeric_cols:
            series = out[col]
            if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                converted = pd.to_numeric(series, errors="coerce")
                bad = series[converted.isna() & series.notna()]
                if len(bad):
                    examples = ", ".join(repr(v) for v in pd.unique(bad.astype(str))[:3])
                    problems.append(
                        f"non-numeric text in `{col}`: {len(bad)} value(s) such as {examples}"
                    )
                series = converted
            series = series.astype("float64")
            if codes:
                series = series.mask(series.isin(codes))
            out[col] = series
        for col in numeric_cols:
            series = out[col]
            if col == self.behaviour:
                bad = series.dropna()[~series.dropna().isin([0.0, 1.0])]
                if len(bad):
                    problems.append(f"value outside its scale: behaviour `{col}` must be 0/1; "
                                    f"found {_examples(bad)}")
                continue
            scale = self.scale_of(col)
            vals = series.dropna()
            bad = vals[(vals < scale.min) | (vals > scale.max) | (vals != np.round(vals))]
            if len(bad):
                problems.append(
                    f"value outside its scale: `{col}` must hold whole numbers "
                    f"{scale.min}..{scale.max} (scale `{scale.name}`); found {len(bad)} "
                    f"value(s) such as {_examples(bad)}"
                )
            if vals.nunique() <= 1 and col not in (self.behaviour,):
                what = "all missing" if vals.empty else f"every value is {_plain(vals.iloc[0])}"
                kind = "constant outcome" if col in self.outcomes else "constant item"
                problems.append(f"{kind}: `{col}` has no variation ({what})")
        if self.ltr and self.ltr in present and out[self.ltr].isna().all() and not self.loyalty:
            problems.append(f"missing outcome: `{self.ltr}` has no observed values")
        if problems:
            raise ValidationError(problems)
        for w in warns:
            warnings.warn(w, RingstatsWarning, stacklevel=2)
        todo = [i for i in self.reverse_keyed if i not in already]
        for item in todo:
            s = self.scale_of(item)
            out[item] = s.min + s.max - out[item]
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


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, float)) and float(v).is_integer():
        return int(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _examples(values: pd.Series, k: int = 3) -> str:
    uniq = pd.unique(values)[:k]
    return ", ".join(str(_plain(v)) for v in uniq)


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
