"""`ringstats spec draft` and `spec show`: a first spec from the data, a spec in words."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.cli import main
from ringstats.errors import RingstatsError
from ringstats.specdraft import draft_spec, explain_spec


def _fill(yaml_text: str) -> str:
    """Give the constructs rings 1, 2, 3, 1, 2, 3, ... (what the researcher would do)."""
    counter = iter(range(10_000))
    return re.sub(r"ring: TODO[^\n]*", lambda m: f"ring: {next(counter) % 3 + 1}", yaml_text)


def _survey(name: str) -> pd.DataFrame:
    if name == "simulated":
        return rs.draw("base", n=600, seed=3).customers
    data, _ = rs.datasets.load(name)
    if name == "bfi":  # a personality inventory without an outcome: add a 0..10 one
        rng = np.random.default_rng(1)
        data = data.assign(likely_recommend=rng.integers(0, 11, len(data)))
    return data


@pytest.mark.parametrize("name", ["ecsi_mobi", "corp_rep", "bfi", "simulated"])
def test_draft_validates_once_rings_are_filled(name, tmp_path, capsys):
    csv = tmp_path / f"{name}.csv"
    _survey(name).to_csv(csv, index=False)
    assert main(["spec", "draft", str(csv)]) == 0
    draft = capsys.readouterr().out
    n_todo = draft.count("ring: TODO  # 1 core, 2 execution, 3 connection")
    assert n_todo >= 2 and "ring: 1" not in draft
    unfilled = tmp_path / "draft.yaml"
    unfilled.write_text(draft)
    assert main(["validate", str(csv), "--spec", str(unfilled)]) == 2
    assert "`ring` must be one of {1, 2, 3}; got 'TODO'" in capsys.readouterr().err
    filled = tmp_path / "spec.yaml"
    filled.write_text(_fill(draft))
    assert main(["validate", str(csv), "--spec", str(filled)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("OK:")
    spec = rs.RingSpec.from_yaml(filled)
    assert len(spec.constructs) == n_todo
    assert main(["spec", "show", str(filled)]) == 0
    assert f"{len(spec.constructs)} constructs" in capsys.readouterr().out


def test_draft_of_the_simulated_world_recovers_its_spec():
    w = rs.draw("base", n=800, seed=2)
    d = draft_spec(w.customers, name="base")
    spec = rs.RingSpec.from_yaml(_fill(d.yaml))
    assert [sorted(c.items) for c in spec.constructs] == \
        [sorted(c.items) for c in w.spec.constructs]
    assert spec.ltr == "ltr" and spec.loyalty == w.spec.loyalty
    assert spec.behaviour == "repurchase" and spec.missing_codes == (-99,)
    assert spec.reverse_keyed == ("ease4",)
    assert (spec.segment, spec.moment, spec.team) == ("segment", "moment", "team")
    assert d.table.loc["customer_id", "role"] == "unused"


def test_bfi_groups_scale_and_reverse_keyed_items():
    data, _ = rs.datasets.load("bfi")
    d = draft_spec(data)
    assert "six_point" in d.yaml or "points_1_6" in d.yaml  # 1..6 used end to end: kept
    assert "ltr: TODO" in d.yaml  # no outcome found: said so
    rk = re.search(r"reverse_keyed: \[(.*)\]", d.yaml).group(1).split(", ")
    assert set(rk) == {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}  # the bfi keys (psych)


def _codes_frame(rng, n=300):
    likert = rng.integers(1, 6, (n, 6))
    df = pd.DataFrame(likert, columns=["q1_a", "q1_b", "q1_c", "PERQ1", "PERQ2", "PERQ3"])
    df.loc[:9, "q1_a"] = 0          # 0 on an otherwise 1-5 item
    df.loc[10:14, "q1_b"] = 9       # 9 on 1-5
    df.loc[15:19, "PERQ1"] = -99
    df.loc[20:24, "PERQ2"] = 99
    df["recommend"] = rng.integers(0, 11, n)
    return df


def test_missing_codes_prefix_groups_and_outcome():
    df = _codes_frame(np.random.default_rng(0))
    d = draft_spec(df, efa=False)
    assert d.outcome == "recommend"
    assert set(d.missing_codes) == {0, 9, -99, 99}
    assert "q1:" in d.yaml and "perq:" in d.yaml
    assert "missing_codes: [-99, 99]" in d.yaml
    # 0 and 9 are answers of the 0..10 outcome: never a code for every column
    spec = rs.RingSpec.from_yaml(_fill(d.yaml))
    assert 0 not in spec.missing_codes and 9 not in spec.missing_codes
    assert d.table.loc["q1_a", "missing"] == "0"
    assert "five_point: {min: 1, max: 5, missing: [0, 9]}" in d.yaml  # codes of that scale
    clean = spec.validate(df)
    assert clean["q1_a"].isna().sum() == 10 and clean["recommend"].notna().all()


def test_no_name_groups_the_efa_forms_them():
    w = rs.draw("base", n=600, seed=4)
    items = [i for c in w.spec.constructs for i in c.items][:10]
    clean = w.spec.validate(w.customers)[items].round()
    renamed = clean.rename(columns=dict(zip(items, ["apple", "pear", "plum", "fig", "kiwi",
                                                    "lime", "date", "sloe", "yuzu", "quince"],
                                            strict=True)))
    d = draft_spec(renamed.fillna(3))
    assert "factor1:" in d.yaml and "no name groups" in d.yaml


def test_explain_spec_words():
    w = rs.draw("base", n=100, seed=1)
    text = explain_spec(w.spec)
    for part in ("Ring 1: core proposition (2 constructs):", "ease4", "-99",
                 "`ltr` on 0..10", "segment = `segment`"):
        assert part in text, part
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec"):
        explain_spec({"constructs": {}})


def test_bad_input():
    with pytest.raises(RingstatsError, match="`name` must be"):
        draft_spec(pd.DataFrame({"a": [1, 2]}), name="")
    d = draft_spec(pd.DataFrame({"x": ["a", "b", "c"], "y": [1.5, 2.5, 3.5]}))
    assert "TODO: no rating items found" in d.yaml


def test_stray_text_inf_and_categorical_columns():
    """A rating column with a few text answers or an inf is drafted as a rating and flagged
    (validation refuses those values until they are recoded); a categorical column with
    numeric categories is read as its numbers; column order only orders the output."""
    w = rs.draw("base", n=600, seed=3)
    base = draft_spec(w.customers, name="base", seed=1)
    messy = w.customers.copy()
    messy["seen2"] = messy["seen2"].astype(object)
    messy.loc[[3, 40, 41], "seen2"] = ["n/a", "?", "n/a"]
    messy["spd1"] = messy["spd1"].astype(float)
    messy.loc[7, "spd1"] = np.inf
    messy["prod1"] = pd.Categorical(messy["prod1"], ordered=True)
    with pytest.warns(rs.RingstatsWarning) as rec:
        d = draft_spec(messy, name="base", seed=1)
    text = " ".join(str(r.message) for r in rec)
    assert "`seen2`: 3 text answer(s) such as 'n/a', '?'" in text
    assert "`spd1`: 1 infinite value(s)" in text
    assert d.table.loc["seen2", "role"] == d.table.loc["spd1", "role"] == "item"
    assert "text answer" in d.table.loc["seen2", "note"]
    assert d.table.loc["prod1", "role"] == "item"
    assert d.yaml == base.yaml
    assert messy.loc[3, "seen2"] == "n/a"  # the caller's frame is untouched
    shuffled = draft_spec(w.customers[w.customers.columns[::-1]], name="base", seed=1)
    pd.testing.assert_frame_equal(shuffled.table.sort_index(), base.table.sort_index())
