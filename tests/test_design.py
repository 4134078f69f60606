"""The one data path (issue 12): scales, outcome kinds, NPS rules, missing codes and
measurement flags, on real surveys and on constructed cases."""

import warnings

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.datasets import load
from ringstats.errors import RingstatsError, RingstatsWarning, ValidationError

CARD_RULE = {"promoters": [7], "detractors": [1, 2, 3, 4]}


@pytest.fixture(scope="module")
def corp():
    return load("corp_rep")


def _with_rule(spec, rule=CARD_RULE):
    d = spec.to_dict()
    d["outcomes"].pop("ltr_scale", None)
    d["outcomes"]["ltr"] = {"column": spec.ltr, "scale": {"min": 1, "max": 7}, "nps": rule}
    return rs.RingSpec.from_dict(d)


# ----------------------------------------------------------------------------- NPS rules
def test_corp_rep_nps_needs_a_rule(corp):
    with pytest.raises(RingstatsError, match=r"1\.\.7 scale: the Net Promoter Score is defined "
                                             r"on 0-10\. Declare an explicit rule"):
        rs.nps(corp.data, spec=corp.spec)
    with pytest.raises(RingstatsError, match="explicit rule"):
        rs.nps_by(corp.data, by="servicetype", spec=corp.spec)
    with pytest.raises(RingstatsError, match="explicit rule"):
        rs.nps_test(corp.data, by="servicetype", spec=corp.spec)


def test_corp_rep_nps_with_the_card_rule(corp):
    spec = _with_rule(corp.spec)
    assert rs.RingSpec.from_dict(spec.to_dict()) == spec
    with pytest.warns(RingstatsWarning, match="not a standard"):
        res = rs.nps(corp.data, spec=spec)
    # datasets/corp_rep.md: "promoters = 7, detractors = 1-4" gives NPS -6.2 (341 valid)
    assert round(res.nps, 1) == -6.2 and res.n == 341 and res.n_missing == 3
    assert not res.standard
    text = res.summary().as_text()
    assert "Non-standard NPS: rule from the spec (promoters 7; detractors 1, 2, 3, 4)" in text
    with pytest.warns(RingstatsWarning):
        tab = rs.nps_by(corp.data, by="servicetype", spec=spec)
    assert tab.attrs["standard"] is False and tab.attrs["notes"]
    assert tab["n"].sum() == 341


def test_rule_outside_scale_is_a_spec_error(corp):
    with pytest.raises(rs.SpecError, match=r"outside the scale 1\.\.7"):
        _with_rule(corp.spec, {"promoters": [9, 10], "detractors": [0, 1]})


def test_standard_nps_unchanged_with_spec():
    w = rs.simulate.draw("base", n=600, seed=3)
    d = w.spec.validate(w.customers)
    a, b = rs.nps(d), rs.nps(d, spec=w.spec)
    assert a.nps == b.nps and b.standard and b.notes == a.notes


def test_short_scale_without_spec_warns():
    ltr = np.repeat([1, 4, 6, 7], 20)
    with pytest.warns(RingstatsWarning, match="no answer above 7 among 80"):
        rs.nps(ltr)


def test_cli_nps_on_corp_rep_refuses_with_the_fix(corp, tmp_path, capsys):
    from ringstats.cli import main

    csv, yml = tmp_path / "corp.csv", tmp_path / "corp.yaml"
    corp.data.to_csv(csv, index=False)
    corp.spec.to_yaml(yml)
    code = main(["nps", str(csv), "--spec", str(yml)])
    err = capsys.readouterr().err
    assert code == 2 and "Declare an explicit rule" in err and "Traceback" not in err
    _with_rule(corp.spec).to_yaml(yml)
    assert main(["nps", str(csv), "--spec", str(yml)]) == 0
    out = capsys.readouterr().out
    assert "-6.16" in out and "Non-standard NPS" in out


# ---------------------------------------------------------------- binary text-label outcome
@pytest.fixture(scope="module")
def airline_like(corp):
    """corp_rep with its satisfaction item turned into the airline survey's label."""
    data = corp.data.copy()
    data["satisfaction"] = np.where(data["cusa"] >= 6, "satisfied",
                                    np.where(data["cusa"] == -99, None, "neutral or dissatisfied"))
    d = corp.spec.to_dict()
    d["outcomes"]["satisfied"] = {"column": "satisfaction", "kind": "binary",
                                  "positive": "satisfied"}
    d["outcomes"]["default"] = "satisfied"
    return data, rs.RingSpec.from_dict(d)


def test_text_label_outcome_in_python(airline_like):
    data, spec = airline_like
    before = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        res = rs.drivers(data, spec=spec, n_boot=0)
    pd.testing.assert_frame_equal(data, before)
    assert res.kind == "binary" and res.model == "logistic model"
    assert res.measure == "McFadden pseudo-R2"
    assert "satisfaction = 'satisfied'" in res.outcome_label
    assert "logistic model" in res.summary().as_text()
    assert res.n == int((data["cusa"] != -99).sum() - 0) - int(
        spec.validate(data)[list(spec.items)].isna().any(axis=1)[data["cusa"] != -99].sum())
    clean = spec.validate(data)
    assert set(clean["satisfaction"].dropna().unique()) == {0.0, 1.0}


def test_text_label_outcome_in_cli(airline_like, tmp_path, capsys):
    import json

    from ringstats.cli import main

    data, spec = airline_like
    csv, yml = tmp_path / "air.csv", tmp_path / "air.yaml"
    data.to_csv(csv, index=False)
    spec.to_yaml(yml)
    code = main(["drivers", str(csv), "--spec", str(yml), "--n-boot", "0", "--format", "json",
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "logistic" in out and "satisfied" in out
    json.loads(out)


def test_binary_positive_label_missing_is_reported(airline_like):
    data, spec = airline_like
    d = spec.to_dict()
    d["outcomes"]["satisfied"]["positive"] = "Satisfied"
    with pytest.raises(ValidationError, match="positive value 'Satisfied' does not occur"):
        rs.RingSpec.from_dict(d).validate(data)


def test_undeclared_01_outcome_is_not_fitted_as_continuous(corp):
    data = corp.data.assign(loyal=(corp.data["cusl_2"] >= 6).astype(int))
    with pytest.warns(RingstatsWarning, match="holds only 0 and 1: modelled as binary"):
        res = rs.dominance(data, spec=corp.spec, outcome="loyal",
                           drivers=["offer", "belonging"])
    assert res.general.shape[0] == 2
    with pytest.raises(RingstatsError, match="is binary .* linear decomposition"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RingstatsWarning)
            rs.shapley(data, spec=corp.spec, outcome="loyal", drivers=["offer", "belonging"])


def test_binary_kind_on_a_rating_without_rule_refuses(corp):
    with pytest.raises(RingstatsError, match="needs a 0/1 column, a text label"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RingstatsWarning)
            rs.drivers(corp.data, spec=corp.spec, kind="binary", n_boot=0)


# --------------------------------------------------------------------------- missing codes
SMALL = {
    "scales": {"five": {"min": 1, "max": 5, "missing": [0]}},
    "default_scale": "five",
    "constructs": {"a": {"ring": 1, "items": ["a1", "a2", "a3"]},
                   "b": {"ring": 3, "items": ["b1", "b2", "b3"]}},
    "outcomes": {"ltr": "ltr"},
}


def _small(n=200, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    cols = {}
    for k, c in enumerate("ab"):
        for j in range(3):
            cols[f"{c}{j + 1}"] = np.clip(np.round(3 + f[:, k] + rng.normal(0, .6, n)), 1, 5)
    df = pd.DataFrame(cols)
    df["ltr"] = np.clip(np.round(5 + 1.5 * f.sum(1) + rng.normal(0, 1, n)), 0, 10)
    df.loc[:9, "a1"] = 0  # "not applicable"
    return df


def test_scale_missing_codes_leave_outcome_zeros():
    df = _small()
    assert (df["ltr"] == 0).sum() > 0
    spec = rs.RingSpec.from_dict(SMALL)
    clean = spec.validate(df)
    assert clean["a1"].isna().sum() == 10
    assert (clean["ltr"] == 0).sum() == (df["ltr"] == 0).sum()
    res = rs.drivers(df, spec=spec, n_boot=0)
    assert res.n == 200  # mean scores average the items answered


def test_global_code_that_is_a_legal_answer_warns():
    d = dict(SMALL, missing_codes=[0])
    with pytest.warns(RingstatsWarning, match="global missing code 0 is a legal answer"):
        rs.RingSpec.from_dict(d).validate(_small())


def test_undeclared_code_gets_a_hint():
    d = dict(SMALL, scales={"five": {"min": 1, "max": 5}})
    df = _small()
    df.loc[:4, "b2"] = 0
    with pytest.raises(ValidationError) as info:
        rs.RingSpec.from_dict(d).validate(df)
    text = str(info.value)
    assert ("0 found in 2 column(s) on the 1-5 scale `five` (a1, b2): if 0 means "
            "'not applicable'") in text
    assert "declare `missing: [0]` on that scale" in text


def test_column_missing_codes():
    d = dict(SMALL, scales={"five": {"min": 1, "max": 5}}, column_missing={"a1": [0]})
    spec = rs.RingSpec.from_dict(d)
    assert spec.missing_for("a1") == (0.0,) and spec.missing_for("a2") == ()
    assert spec.validate(_small())["a1"].isna().sum() == 10
    assert rs.RingSpec.from_dict(spec.to_dict()) == spec


# ------------------------------------------------------- every spec-taking function checks
def _spec_calls(spec):
    return {
        "reliability": lambda d: rs.reliability(d, spec=spec),
        "htmt": lambda d: rs.htmt(d, spec=spec),
        "fornell_larcker": lambda d: rs.fornell_larcker(d, spec=spec),
        "scores": lambda d: rs.scores(d, spec=spec),
        "mean_scores": lambda d: rs.mean_scores(d, spec=spec),
        "ring_scores": lambda d: rs.ring_scores(d, spec=spec),
        "latent_scores": lambda d: rs.latent_scores(d, spec=spec),
        "cfa": lambda d: rs.cfa(d, spec=spec),
        "polychoric": lambda d: rs.polychoric(d, spec=spec),
        "measurement_report": lambda d: rs.measurement_report(d, spec=spec),
        "drivers": lambda d: rs.drivers(d, spec=spec, n_boot=0),
        "dominance": lambda d: rs.dominance(d, spec=spec),
        "shapley": lambda d: rs.shapley(d, spec=spec),
        "regression": lambda d: rs.regression(d, spec=spec),
        "relative_weights": lambda d: rs.relative_weights(d, spec=spec),
    }


@pytest.mark.parametrize("name", list(_spec_calls(None)))
def test_every_spec_function_rejects_99_on_a_1_to_5_item(name):
    spec = rs.RingSpec.from_dict(dict(SMALL, scales={"five": {"min": 1, "max": 5}}))
    df = _small()
    df.loc[:9, "a1"] = 3
    df.loc[17, "b3"] = 99
    before = df.copy()
    with pytest.raises(ValidationError, match=r"`b3` must hold whole numbers 1\.\.5 \(scale `five`\)"
                                              r"; found 1 value\(s\) such as 99"):
        _spec_calls(spec)[name](df)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("name", list(_spec_calls(None)))
def test_every_spec_function_rejects_duplicated_columns(name):
    spec = rs.RingSpec.from_dict(SMALL)
    df = _small()
    df = pd.concat([df, df[["b2"]]], axis=1)
    with pytest.raises(ValidationError, match=r"duplicated column name\(s\): b2"):
        _spec_calls(spec)[name](df)


def test_legal_variants_give_the_same_numbers():
    spec = rs.RingSpec.from_dict(SMALL)
    df = _small()
    base = rs.drivers(df, spec=spec, n_boot=0).constructs
    nullable = df.astype("Int64")
    cat = df.assign(**{c: df[c].astype("category") for c in ("a2", "b1")})
    dup_index = df.set_axis(np.repeat(np.arange(len(df) // 2), 2))
    for variant in (nullable, cat, dup_index):
        out = rs.drivers(variant, spec=spec, n_boot=0).constructs
        pd.testing.assert_frame_equal(out, base)


# --------------------------------------------------------------- measurement flags forward
def test_corp_rep_flags_reach_report_and_drivers(corp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        rep = rs.measurement_report(corp.data, spec=corp.spec)
    text = rep.summary().as_text()
    assert "not positive definite" in text
    assert "latent correlation 1.009 between `offer` and `reliability`" in text
    assert "HTMT 0.99 >= .90 between `reliability` and `care`" in text
    with pytest.warns(RingstatsWarning, match="`reliability` and `care` are empirically "
                                              "indistinguishable .* consider merging"):
        res = rs.drivers(corp.data, spec=corp.spec, n_boot=0)
    assert any("`offer` and `reliability`" in n for n in res.notes)
    assert "indistinguishable" in res.summary().as_text()
