"""The numbers of a report: every section computed from (data, spec), nothing rendered.

Each section is a :class:`SectionData` with its result objects, its flags and, when it
cannot be computed, the reason (a code with parameters, worded by ``_text``). No
matplotlib and no HTML here.
"""

from __future__ import annotations

import hashlib
import platform
import re
import warnings
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec

__all__ = ["SECTIONS", "Flag", "SectionData", "Readings", "compute"]

#: Sections in report order (methods, references and the footer are always added).
SECTIONS = ("data", "measurement", "drivers", "ipma", "nps", "plateau", "asymmetry")

#: Packages whose versions the reproducibility footer lists.
PACKAGES = ("ringstats", "numpy", "scipy", "pandas", "statsmodels", "scikit-learn",
            "factor-analyzer", "pingouin", "matplotlib", "pyyaml")

#: Data-check thresholds (shares).
MISSING_FLAG = 0.20
CEILING_FLAG = 0.50
SMALL_N = 200
#: Measurement-model thresholds for flags.
LATENT_R_FLAG = 0.95
HTMT_FLAG = 0.90


@dataclass(frozen=True)
class Flag:
    """One problem worth telling the reader: ``code`` plus parameters (worded by ``_text``);
    ``text`` holds a library message passed through verbatim (code ``"note"``)."""

    code: str
    params: dict = field(default_factory=dict)
    text: str = ""


@dataclass
class SectionData:
    key: str
    available: bool = True
    reason: Flag | None = None
    results: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)


@dataclass(frozen=True)
class Readings:
    """All computed sections plus what the reproducibility footer needs."""

    sections: dict[str, SectionData]
    n: int
    spec: RingSpec
    seed: int | None
    n_boot: int
    spec_sha256: str
    data_sha256: str
    versions: dict[str, str]


# ------------------------------------------------------------------------------ helpers
def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def data_hash(data: pd.DataFrame) -> str:
    """SHA-256 of the data: column names, dtypes and ``pd.util.hash_pandas_object`` rows."""
    h = hashlib.sha256()
    h.update("\x1f".join(f"{c}:{t}" for c, t in zip(map(str, data.columns),
                                                     map(str, data.dtypes), strict=True)).encode())
    h.update(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    return h.hexdigest()


def spec_hash(spec: RingSpec) -> str:
    """SHA-256 of the spec's YAML (``spec.to_yaml()``, a canonical form)."""
    return hashlib.sha256(spec.to_yaml().encode("utf-8")).hexdigest()


def _caught(fn, *args, **kwargs) -> tuple[Any, list[str]]:
    """Run ``fn`` recording RingstatsWarnings (returned as text, in order, no duplicates)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", RingstatsWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        out = fn(*args, **kwargs)
    msgs: list[str] = []
    for w in rec:
        m = str(w.message)
        if issubclass(w.category, RingstatsWarning) and m not in msgs:
            msgs.append(m)
    return out, msgs


def _failed(sec: SectionData, exc: Exception) -> SectionData:
    sec.available = False
    sec.reason = Flag("error", {"error": type(exc).__name__}, text=str(exc))
    return sec


# ------------------------------------------------------------------------------ sections
def _data_check(raw: pd.DataFrame, clean: pd.DataFrame, spec: RingSpec,
                validate_notes: list[str]) -> SectionData:
    sec = SectionData("data")
    cols = [c for c in spec.items + spec.outcomes if c in clean.columns]
    codes = [float(v) for v in spec.missing_codes]
    rows = []
    for col in cols:
        v = pd.to_numeric(clean[col], errors="coerce") if not \
            pd.api.types.is_numeric_dtype(clean[col]) else clean[col]
        v = v.mask(clean[col].isna())
        obs = v.dropna()
        osp = spec.outcome_spec(col) if col not in spec.item_map() else None
        binary = col == spec.behaviour or (osp is not None and osp.kind == "binary")
        if binary:
            lo, hi, npts, sname = 0, 1, 2, "0/1"
        else:
            sc = spec.scale_of(col)
            lo, hi, npts, sname = sc.min, sc.max, sc.n_points, f"{sc.min}-{sc.max}"
        raw_num = pd.to_numeric(raw[col], errors="coerce")
        rows.append({
            "column": col,
            "role": spec.item_map().get(col, "outcome"),
            "scale": sname,
            "n": int(obs.size),
            "missing": float(v.isna().mean()),
            "coded_missing": int(raw_num.isin(codes).sum()) if codes else 0,
            "mean": float(obs.mean()) if obs.size else np.nan,
            "sd": float(obs.std(ddof=1)) if obs.size > 1 else np.nan,
            # floor and ceiling mean nothing for a 0/1 outcome
            "floor": float((obs == lo).mean()) if obs.size and not binary else np.nan,
            "ceiling": float((obs == hi).mean()) if obs.size and not binary else np.nan,
            "points_used": f"{int(obs.nunique())}/{npts}",
        })
    table = pd.DataFrame(rows).set_index("column")
    items = spec.items
    complete = int(clean[items].notna().all(axis=1).sum())
    sec.results.update(table=table, n=len(clean), n_complete=complete, n_items=len(items),
                       n_constructs=len(spec.constructs),
                       rings={r: list(v) for r, v in spec.rings.items()},
                       n_coded_missing=int(table["coded_missing"].sum()))
    for m in validate_notes:
        sec.flags.append(Flag("note", text=m))
    if len(clean) < SMALL_N:
        sec.flags.append(Flag("small_n", {"n": len(clean), "limit": SMALL_N}))
    for col, row in table.iterrows():
        if row["missing"] > MISSING_FLAG:
            sec.flags.append(Flag("missing", {"column": col, "share": row["missing"]}))
        if row["ceiling"] >= CEILING_FLAG:
            sec.flags.append(Flag("ceiling", {"column": col, "share": row["ceiling"]}))
    empty = [r for r, v in spec.rings.items() if not v]
    if empty:
        sec.flags.append(Flag("ring_missing", {"rings": empty}))
    if spec.ltr and not _nps_ok(spec)[0]:
        sec.flags.append(Flag("ltr_scale", {"column": spec.ltr, "min": spec.ltr_scale.min,
                                            "max": spec.ltr_scale.max}))
    return sec


def _measurement(clean: pd.DataFrame, spec: RingSpec, n_boot: int, seed: int | None,
                 ) -> SectionData:
    from ..measurement import htmt, measurement_report, reliability

    sec = SectionData("measurement")
    if len(spec.constructs) < 2:
        sec.available = False
        sec.reason = Flag("one_construct")
        return sec
    try:
        rep, notes = _caught(measurement_report, clean, spec=spec, n_boot=n_boot, seed=seed)
    except RingstatsError as exc:  # CFA failed: keep reliability and HTMT, flag the failure
        sec.flags.append(Flag("cfa_failed", text=str(exc)))
        try:
            rel, n1 = _caught(reliability, clean, spec=spec)
            ht, n2 = _caught(htmt, clean, spec=spec, n_boot=n_boot, seed=seed, progress=False)
        except RingstatsError as exc2:
            return _failed(sec, exc2)
        sec.results.update(report=None, reliability=rel, htmt=ht, cfa=None)
        notes = n1 + n2
    else:
        sec.results.update(report=rep, reliability=rep.reliability, htmt=rep.htmt, cfa=rep.cfa)
        notes = list(dict.fromkeys(notes + list(rep.notes)))
    cfa = sec.results["cfa"]
    if cfa is not None:
        phi = cfa.factor_cov.to_numpy(float)
        if np.linalg.eigvalsh(phi).min() <= 0:
            sec.flags.append(Flag("non_pd", {"min_eigen": float(np.linalg.eigvalsh(phi).min())}))
        for item in cfa.heywood:
            sec.flags.append(Flag("heywood", {"item": item}))
        r = cfa.factor_correlations
        names = list(r.index)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                v = float(r.loc[a, b])
                if abs(v) >= LATENT_R_FLAG:
                    sec.flags.append(Flag("latent_r", {"a": a, "b": b, "r": v}))
        notes = list(dict.fromkeys(list(cfa.warnings) + notes))
    pairs = sec.results["htmt"].pairs
    for _, p in pairs.iterrows():
        if np.isfinite(p["htmt"]) and p["htmt"] >= HTMT_FLAG:
            sec.flags.append(Flag("htmt", {"a": p["construct_a"], "b": p["construct_b"],
                                           "htmt": float(p["htmt"]),
                                           "ci_low": float(p["ci_low"]),
                                           "ci_high": float(p["ci_high"])}))
    seen: set[str] = set()
    for m in notes:
        bare = m[5:] if m.startswith("CFA: ") else m
        if bare in seen or covered(bare, sec.flags):
            continue
        seen.add(bare)
        sec.flags.append(Flag("note", text=bare))
    return sec


_LATENT_NOTE = re.compile(r"latent correlation [-\d.]+ between `(.+?)` and `(.+?)`")
_HTMT_NOTE = re.compile(r"HTMT [\d.]+ >= \.90 between `(.+?)` and `(.+?)`")
_INDISTINCT_NOTE = re.compile(r"constructs `(.+?)` and `(.+?)` are empirically indistinguishable")


def covered(message: str, flags: list[Flag]) -> bool:
    """Whether a library message says what a structured flag already says (latent r >= .95,
    HTMT >= .90 or a non-positive-definite latent covariance for the same constructs)."""
    for pat, code in ((_LATENT_NOTE, "latent_r"), (_HTMT_NOTE, "htmt")):
        m = pat.search(message)
        if m and any(f.code == code and {f.params["a"], f.params["b"]} == set(m.groups())
                     for f in flags):
            return True
    return ("factor covariance matrix is not positive definite" in message
            and any(f.code == "non_pd" for f in flags))


def _collapse_indistinct(sec: SectionData) -> None:
    """One flag naming every indistinct pair instead of one library warning per pair."""
    pairs, keep = [], []
    for f in sec.flags:
        m = _INDISTINCT_NOTE.search(f.text) if f.code == "note" else None
        if m:
            pairs.append(f"{m.group(1)}–{m.group(2)}")
        else:
            keep.append(f)
    if pairs:
        keep.append(Flag("indistinct", {"pairs": ", ".join(dict.fromkeys(pairs))}))
    sec.flags = keep


def indistinct_pairs(meas: SectionData | None) -> list[tuple[str, str]]:
    """Construct pairs the measurement section found empirically indistinct."""
    if meas is None or not meas.available:
        return []
    out = []
    for f in meas.flags:
        if f.code in ("latent_r", "htmt"):
            pair = (f.params["a"], f.params["b"])
            if pair not in out:
                out.append(pair)
    return out


def _drivers(clean: pd.DataFrame, spec: RingSpec, n_boot: int, seed: int | None,
             progress: bool | None) -> SectionData:
    from ..importance import drivers

    sec = SectionData("drivers")
    if spec.ltr is None:
        sec.available = False
        sec.reason = Flag("no_ltr")
        return sec
    try:
        res, notes = _caught(drivers, clean, spec=spec, n_boot=n_boot, seed=seed,
                             progress=progress)
    except RingstatsError as exc:
        return _failed(sec, exc)
    sec.results["drivers"] = res
    sec.flags += [Flag("note", text=m) for m in notes]
    return sec


def _ipma(clean: pd.DataFrame, spec: RingSpec, drv: SectionData) -> SectionData:
    from ..ipma import ipma

    sec = SectionData("ipma")
    if not drv.available:
        sec.available = False
        sec.reason = Flag("needs_drivers")
        return sec
    try:
        sec.results["ipma"] = ipma(clean, spec=spec, drivers_result=drv.results["drivers"])
    except RingstatsError as exc:
        return _failed(sec, exc)
    return sec


def _nps_ok(spec: RingSpec) -> tuple[bool, dict | None]:
    """(NPS computable, non-standard rule or None) for the spec's recommend item: standard on
    0-10, otherwise only with the promoter/detractor rule the spec declares."""
    osp = spec.outcome_spec(spec.ltr) if spec.ltr else None
    if osp is None:
        return False, None
    rule = osp.nps_rule
    if rule is None:
        return False, None
    return True, (None if osp.nps_standard else rule.as_mapping())


def _nps(clean: pd.DataFrame, spec: RingSpec) -> SectionData:
    from ..netpromoter import nps, nps_by

    sec = SectionData("nps")
    if spec.ltr is None:
        sec.available = False
        sec.reason = Flag("no_ltr")
        return sec
    osp = spec.outcome_spec(spec.ltr)
    if osp is not None and osp.kind == "binary":
        sec.available = False
        sec.reason = Flag("nps_binary", {"column": spec.ltr})
        return sec
    ok, rule = _nps_ok(spec)
    if not ok:
        sec.available = False
        sec.reason = Flag("nps_scale", {"column": spec.ltr, "min": spec.ltr_scale.min,
                                        "max": spec.ltr_scale.max})
        return sec
    try:
        overall, notes = _caught(nps, clean, outcome=spec.ltr, scale=rule)
    except RingstatsError as exc:
        return _failed(sec, exc)
    sec.results.update(overall=overall, rule=rule, by={})
    sec.flags += [Flag("note", text=m) for m in notes]
    for role in ("segment", "moment"):
        col = getattr(spec, role)
        if not col or col not in clean.columns:
            continue
        if clean[col].dropna().nunique() < 2:
            sec.flags.append(Flag("one_level", {"role": role, "column": col}))
            continue
        try:
            tab, notes = _caught(nps_by, clean, by=col, outcome=spec.ltr, scale=rule)
        except RingstatsError as exc:
            sec.flags.append(Flag("by_failed", {"role": role, "column": col}, text=str(exc)))
            continue
        sec.results["by"][role] = (col, tab)
        for m in notes:
            if all(f.text != m for f in sec.flags):
                sec.flags.append(Flag("note", text=m))
    return sec


def _plateau(clean: pd.DataFrame, spec: RingSpec, n_boot: int, seed: int | None,
             progress: bool | None) -> SectionData:
    from ..shape import plateau_table

    sec = SectionData("plateau")
    if spec.ltr is None:
        sec.available = False
        sec.reason = Flag("no_ltr")
        return sec
    try:
        res, notes = _caught(plateau_table, clean, spec=spec, levels=("ring",), seed=seed,
                             n_boot=max(n_boot, 20), progress=progress)
    except RingstatsError as exc:
        return _failed(sec, exc)
    sec.results["plateau"] = res
    sec.flags += [Flag("note", text=m) for m in notes]
    return sec


def _asymmetry(clean: pd.DataFrame, spec: RingSpec, n_boot: int, seed: int | None,
               progress: bool | None) -> SectionData:
    from ..asymmetries import impact_asymmetry

    sec = SectionData("asymmetry")
    sec.results["kano"] = None  # the spec format has no Kano question pairs
    if spec.ltr is None:
        sec.available = False
        sec.reason = Flag("no_ltr")
        return sec
    try:
        res, notes = _caught(impact_asymmetry, clean, outcome=spec.ltr, spec=spec,
                             n_boot=max(n_boot, 50), seed=seed, progress=progress)
    except InsufficientDataError as exc:
        sec.available = False
        sec.reason = Flag("asym_data", text=str(exc))
        return sec
    except RingstatsError as exc:
        return _failed(sec, exc)
    sec.results["ia"] = res
    sec.flags += [Flag("note", text=m) for m in notes]
    return sec


# ------------------------------------------------------------------------------ entry
def compute(data: pd.DataFrame, spec: RingSpec, *, seed: int | None, n_boot: int,
            sections: tuple[str, ...], progress: bool | None = None) -> Readings:
    """Validate ``data`` against ``spec`` and compute every requested section."""
    clean, vnotes = _caught(spec.validate, data)
    out: dict[str, SectionData] = {}
    if "data" in sections:
        out["data"] = _data_check(data, clean, spec, vnotes)
    if "measurement" in sections:
        out["measurement"] = _measurement(clean, spec, n_boot, seed)
    drv = None
    if "drivers" in sections or "ipma" in sections:
        drv = _drivers(clean, spec, n_boot, seed, progress)
        if "drivers" in sections:
            out["drivers"] = drv
    if "ipma" in sections:
        out["ipma"] = _ipma(clean, spec, drv)
    if "nps" in sections:
        out["nps"] = _nps(clean, spec)
    if "plateau" in sections:
        out["plateau"] = _plateau(clean, spec, n_boot, seed, progress)
    if "asymmetry" in sections:
        out["asymmetry"] = _asymmetry(clean, spec, n_boot, seed, progress)
    for key, sec in out.items():
        if key != "measurement":
            _collapse_indistinct(sec)
    return Readings(sections=out, n=len(clean), spec=spec, seed=seed, n_boot=n_boot,
                    spec_sha256=spec_hash(spec), data_sha256=data_hash(data),
                    versions=_versions())
