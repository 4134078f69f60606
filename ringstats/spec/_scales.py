"""Scales, outcomes and NPS rules of a ring specification, and their YAML forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SpecError


def _codes(values: Any, where: str) -> tuple[float, ...]:
    if values is None:
        return ()
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, set, np.ndarray)):
        raise SpecError(f"{where} must be a list of numbers; got {values!r}.")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise SpecError(f"{where} must be a list of numbers; got {v!r} in {list(values)!r}.")
        out.append(float(v))
    return tuple(out)


@dataclass(frozen=True)
class Scale:
    """An integer response scale from ``min`` to ``max`` inclusive."""

    name: str
    min: int
    max: int
    missing: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", _codes(self.missing, f"scale `{self.name}`: `missing`"))
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"min": int(self.min), "max": int(self.max)}
        if self.missing:
            out["missing"] = [_plain(v) for v in self.missing]
        return out

    def describe(self) -> str:
        return f"{self.min}..{self.max}"


#: The standard 0-10 likelihood-to-recommend scale.
LTR_SCALE = Scale("ltr", 0, 10)

#: Outcome kinds; each analysis chooses its model from the kind.
OUTCOME_KINDS = ("continuous", "binary", "ordinal")


@dataclass(frozen=True)
class NPSRule:
    """Which answers count as promoters and detractors.

    The standard Net Promoter rule (Reichheld 2003; a vendor statistic of Bain & Company)
    is 9-10 promoters and 0-6 detractors on the 0-10 scale. Any other rule, and any other
    scale, gives a *non-standard* NPS that must not be compared with NPS benchmarks.
    """

    promoters: tuple[float, ...]
    detractors: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "promoters", _codes(self.promoters, "`nps.promoters`"))
        object.__setattr__(self, "detractors", _codes(self.detractors, "`nps.detractors`"))
        if not self.promoters or not self.detractors:
            raise SpecError("`nps` must list at least one promoter and one detractor value; "
                            f"got promoters={list(self.promoters)}, detractors={list(self.detractors)}.")
        both = sorted(set(self.promoters) & set(self.detractors))
        if both:
            raise SpecError(f"`nps` lists value(s) {[_plain(v) for v in both]} as both promoter "
                            "and detractor.")

    @property
    def standard(self) -> bool:
        return (set(self.promoters) == {9.0, 10.0}
                and set(self.detractors) == {float(v) for v in range(7)})

    def as_mapping(self) -> dict[str, list[float]]:
        return {"promoter": list(self.promoters), "detractor": list(self.detractors)}

    def to_dict(self) -> dict[str, list[Any]]:
        return {"promoters": [_plain(v) for v in self.promoters],
                "detractors": [_plain(v) for v in self.detractors]}

    def describe(self) -> str:
        return (f"promoters {', '.join(str(_plain(v)) for v in self.promoters)}; "
                f"detractors {', '.join(str(_plain(v)) for v in self.detractors)}")


#: The standard NPS rule on the 0-10 scale.
STANDARD_NPS = NPSRule(promoters=(9, 10), detractors=tuple(range(7)))


@dataclass(frozen=True)
class OutcomeSpec:
    """An outcome column with its kind, scale and, for LTR, its NPS rule.

    Parameters
    ----------
    name : str
        Role name in the spec (``ltr``, ``behaviour`` or a name of the researcher's choice).
    column : str
        Column in the data.
    kind : {"continuous", "binary", "ordinal"}
        Chooses the model of every analysis (linear, logistic, cumulative logit).
    scale : Scale, optional
        Answer scale (numeric outcomes); values outside it are validation errors.
    positive : optional
        For a binary outcome: the value that counts as 1 (for example ``"satisfied"``);
        default 1 (the column then holds 0/1).
    missing : tuple of float
        Missing-value codes of this column only.
    nps : NPSRule, optional
        Promoter and detractor values. Implied (standard) on a 0-10 LTR; on any other scale
        NPS is computed only with an explicit rule, and labelled non-standard.
    """

    name: str
    column: str
    kind: str = "continuous"
    scale: Scale | None = None
    positive: Any = None
    missing: tuple[float, ...] = ()
    nps: NPSRule | None = None

    def __post_init__(self) -> None:
        if self.kind not in OUTCOME_KINDS:
            raise SpecError(f"outcome `{self.name}`: `kind` must be one of "
                            f"{{{', '.join(OUTCOME_KINDS)}}}; got {self.kind!r}.")
        if self.positive is not None and self.kind != "binary":
            raise SpecError(f"outcome `{self.name}`: `positive` needs `kind: binary`; got "
                            f"kind {self.kind!r}.")
        if self.nps is not None and self.kind == "binary":
            raise SpecError(f"outcome `{self.name}`: an NPS rule needs a rating outcome, not a "
                            "binary one.")
        object.__setattr__(self, "missing", _codes(self.missing, f"outcome `{self.name}`: `missing`"))

    @property
    def nps_rule(self) -> NPSRule | None:
        """The rule NPS uses: the declared one, the standard one on 0-10, else None."""
        if self.nps is not None:
            return self.nps
        if self.kind != "binary" and self.scale is not None and \
                (self.scale.min, self.scale.max) == (0, 10):
            return STANDARD_NPS
        return None

    @property
    def nps_standard(self) -> bool:
        rule = self.nps_rule
        return (rule is not None and rule.standard and self.scale is not None
                and (self.scale.min, self.scale.max) == (0, 10))

    @property
    def positive_value(self) -> Any:
        return 1 if self.positive is None else self.positive

    def describe(self) -> str:
        parts = [f"`{self.column}`", self.kind]
        if self.scale is not None and self.kind != "binary":
            parts.append(f"scale {self.scale.describe()}")
        if self.kind == "binary":
            parts.append(f"positive = {self.positive_value!r}")
        return ", ".join(parts)


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, float)) and float(v).is_integer():
        return int(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _examples(values: pd.Series, k: int = 3) -> str:
    uniq = pd.unique(values)[:k]
    return ", ".join(str(_plain(v)) for v in uniq)


_OUTCOME_RESERVED = {"ltr_scale", "loyalty", "loyalty_scale", "default"}
_OUTCOME_KEYS = {"column", "kind", "scale", "positive", "missing", "nps"}


def _scale_from(raw: Any, name: str, where: str, scales: Mapping[str, Scale] | None = None) -> Scale:
    if isinstance(raw, str) and scales is not None and raw in scales:
        return scales[raw]
    if not isinstance(raw, dict) or not {"min", "max"} <= set(raw) or set(raw) - {"min", "max", "missing"}:
        raise SpecError(f"{where} must be a mapping with `min` and `max` (and optionally "
                        f"`missing`) or the name of a declared scale; got {raw!r}.")
    return Scale(name, raw["min"], raw["max"], raw.get("missing") or ())


def _outcome_from(name: str, raw: Any, ltr_scale: Scale, scales: Mapping[str, Scale]) -> OutcomeSpec:
    default_kind = "binary" if name == "behaviour" else "continuous"
    default_scale = ltr_scale if name == "ltr" else (
        Scale("behaviour", 0, 1) if name == "behaviour" else None)
    if isinstance(raw, str) and raw:
        return OutcomeSpec(name, raw, default_kind, default_scale)
    if not isinstance(raw, dict):
        raise SpecError(f"`outcomes.{name}` must be a column name or a mapping with keys "
                        f"{', '.join(sorted(_OUTCOME_KEYS))}; got {raw!r}.")
    extra = set(raw) - _OUTCOME_KEYS
    if extra:
        raise SpecError(f"`outcomes.{name}` has unknown key(s) {', '.join(sorted(extra))}; "
                        f"allowed: {', '.join(sorted(_OUTCOME_KEYS))}.")
    column = raw.get("column", name)
    if not isinstance(column, str) or not column:
        raise SpecError(f"`outcomes.{name}.column` must be a column name; got {column!r}.")
    kind = raw.get("kind", "binary" if "positive" in raw else default_kind)
    scale = default_scale if kind != "binary" else None
    if "scale" in raw:
        scale = _scale_from(raw["scale"], name, f"`outcomes.{name}.scale`", scales)
    nps = None
    if "nps" in raw:
        r = raw["nps"]
        if not isinstance(r, dict) or set(r) != {"promoters", "detractors"}:
            raise SpecError(f"`outcomes.{name}.nps` must be a mapping with `promoters` and "
                            f"`detractors` (lists of scale values); got {r!r}.")
        nps = NPSRule(r["promoters"], r["detractors"])
        if scale is not None:
            outside = [v for v in nps.promoters + nps.detractors if not scale.min <= v <= scale.max]
            if outside:
                raise SpecError(f"`outcomes.{name}.nps` lists value(s) "
                                f"{[_plain(v) for v in outside]} outside the scale "
                                f"{scale.describe()}.")
    return OutcomeSpec(name, column, kind, scale, raw.get("positive"), raw.get("missing") or (), nps)


def _outcome_to(d: OutcomeSpec, spec: Any) -> Any:
    default_kind = "binary" if d.name == "behaviour" else "continuous"
    default_scale = spec.ltr_scale if d.name == "ltr" else (
        Scale("behaviour", 0, 1) if d.name == "behaviour" else None)
    if d.kind == "binary" and d.name != "behaviour":
        default_scale = None
    simple = (d.kind == default_kind and d.positive is None and not d.missing and d.nps is None
              and d.scale == default_scale)
    if simple:
        return d.column
    out: dict[str, Any] = {"column": d.column, "kind": d.kind}
    if d.scale is not None and d.scale != default_scale:
        out["scale"] = d.scale.to_dict()
    if d.positive is not None:
        out["positive"] = _plain(d.positive)
    if d.missing:
        out["missing"] = [_plain(v) for v in d.missing]
    if d.nps is not None:
        out["nps"] = d.nps.to_dict()
    return out


def _column_missing(raw: Any) -> dict[str, tuple[float, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError(f"`column_missing` must map column names to lists of codes; got {raw!r}.")
    return {str(k): _codes(v, f"`column_missing.{k}`") for k, v in raw.items()}
