"""RingSpec: loading, round trips, and one test per validation rule (checking its message)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

import ringstats as rs
from ringstats.errors import RingstatsError, RingstatsWarning, SpecError, ValidationError

SPEC = {
    "name": "toy",
    "scales": {"likert5": {"min": 1, "max": 5}},
    "default_scale": "likert5",
    "constructs": {
        "product": {"ring": 1, "items": ["p1", "p2", "p3"]},
        "speed": {"ring": 2, "items": ["s1", "s2", "s3"]},
        "seen": {"ring": 3, "items": ["t1", "t2", "t3"]},
    },
    "outcomes": {"ltr": "ltr", "ltr_scale": {"min": 0, "max": 10}, "behaviour": "buy"},
    "missing_codes": [-99],
    "reverse_keyed": ["s3"],
    "segment": "seg",
}
ITEMS = ["p1", "p2", "p3", "s1", "s2", "s3", "t1", "t2", "t3"]


def make_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.integers(1, 6, size=(n, len(ITEMS))), columns=ITEMS)
    df["ltr"] = rng.integers(0, 11, n)
    df["buy"] = rng.integers(0, 2, n)
    df["seg"] = rng.choice(["a", "b"], n)
    return df


@pytest.fixture
def spec():
    return rs.RingSpec.from_dict(SPEC)


def problems_of(spec, df):
    with pytest.raises(ValidationError) as info:
        spec.validate(df)
    return info.value.problems


# ----------------------------------------------------------------------------- I/O
def test_yaml_round_trip(spec, tmp_path):
    path = tmp_path / "spec.yaml"
    spec.to_yaml(path)
    back = rs.RingSpec.from_yaml(path)
    assert back == spec
    assert back.rings == {1: ["product"], 2: ["speed"], 3: ["seen"]}
    assert back.to_dict() == spec.to_dict()


def test_dict_round_trip(spec):
    assert rs.RingSpec.from_dict(spec.to_dict()) == spec


def test_simulated_spec_round_trip():
    w = rs.draw("base", n=50, seed=3)
    assert rs.RingSpec.from_dict(w.spec.to_dict()) == w.spec


def test_unknown_key_in_spec_raises():
    bad = dict(SPEC, constructz={})
    with pytest.raises(SpecError, match="unknown key.*constructz"):
        rs.RingSpec.from_dict(bad)


def test_reverse_key_of_unknown_item_raises():
    with pytest.raises(SpecError, match="reverse_keyed.*zz"):
        rs.RingSpec.from_dict(dict(SPEC, reverse_keyed=["zz"]))


# ----------------------------------------------------------------------------- cleaning
def test_clean_copy_missing_codes_and_reverse_keys(spec):
    df = make_data()
    df.loc[0, "p1"] = -99
    before = df.copy()
    out = spec.validate(df)
    pd.testing.assert_frame_equal(df, before)  # caller's frame untouched
    assert np.isnan(out.loc[0, "p1"])
    np.testing.assert_array_equal(out["s3"], 6 - df["s3"])
    # idempotent: validating the cleaned copy does not reverse again
    again = spec.validate(out)
    pd.testing.assert_frame_equal(again, out)


# ----------------------------------------------------------------------------- one rule each
def test_rule_unknown_column(spec):
    df = make_data().drop(columns="p2")
    (msg,) = problems_of(spec, df)
    assert msg.startswith("unknown column: `p2`") and "construct `product`" in msg


def test_rule_item_in_two_constructs():
    bad = dict(SPEC, constructs=dict(SPEC["constructs"],
                                     seen={"ring": 3, "items": ["t1", "t2", "p1"]}))
    spec = rs.RingSpec.from_dict(bad)
    msgs = problems_of(spec, make_data())
    assert any(m.startswith("item in two constructs: `p1`") and "`product`" in m
               and "`seen`" in m for m in msgs)


def test_rule_value_outside_scale(spec):
    df = make_data()
    df.loc[3, "t2"] = 7
    df.loc[4, "ltr"] = 11
    msgs = problems_of(spec, df)
    assert any("value outside its scale: `t2` must hold whole numbers 1..5" in m
               and "7" in m for m in msgs)
    assert any("value outside its scale: `ltr` must hold whole numbers 0..10" in m for m in msgs)


def test_rule_non_numeric_text(spec):
    df = make_data().astype({"p3": object})
    df.loc[5, "p3"] = "agree"
    (msg,) = problems_of(spec, df)
    assert msg.startswith("non-numeric text in `p3`") and "'agree'" in msg


def test_rule_constant_item(spec):
    df = make_data()
    df["s2"] = 4
    (msg,) = problems_of(spec, df)
    assert msg == "constant item: `s2` has no variation (every value is 4)"


def test_rule_single_item_construct_is_error():
    bad = dict(SPEC, constructs=dict(SPEC["constructs"], seen={"ring": 3, "items": ["t1"]}),
               reverse_keyed=[])
    spec = rs.RingSpec.from_dict(bad)
    msgs = problems_of(spec, make_data())
    assert any(m.startswith("construct with a single item: `seen` has only `t1`") for m in msgs)


def test_rule_two_item_construct_warns():
    ok = dict(SPEC, constructs=dict(SPEC["constructs"], seen={"ring": 3, "items": ["t1", "t2"]}))
    spec = rs.RingSpec.from_dict(ok)
    with pytest.warns(RingstatsWarning, match="construct `seen` has 2 items; 3 or more"):
        spec.validate(make_data())


def test_rule_missing_outcome():
    """A measurement-only spec validates with a warning; outcome analyses then refuse."""
    bad = dict(SPEC, outcomes={})
    spec = rs.RingSpec.from_dict(bad)
    with pytest.warns(RingstatsWarning, match="no outcome: the spec names neither"):
        clean = spec.validate(make_data())
    assert rs.reliability(clean, spec=spec).to_frame().shape[0] > 0
    with pytest.raises(RingstatsError, match="outcome"):
        rs.drivers(clean, spec=spec, n_boot=0)


def test_rule_behaviour_not_binary(spec):
    df = make_data()
    df.loc[0, "buy"] = 2
    (msg,) = problems_of(spec, df)
    assert msg.startswith("value outside its scale: behaviour `buy` must be 0/1")


def test_all_problems_listed_in_one_error(spec):
    df = make_data().drop(columns="p2")
    df["s2"] = 4
    df.loc[1, "t1"] = 9
    with pytest.raises(ValidationError) as info:
        spec.validate(df)
    assert len(info.value.problems) == 3
    text = str(info.value)
    assert "unknown column" in text and "constant item" in text and "outside its scale" in text


def test_validate_rejects_non_dataframe(spec):
    with pytest.raises(rs.RingstatsError, match="`data` must be a pandas DataFrame; got list"):
        spec.validate([[1, 2]])


# ----------------------------------------------------------------------------- properties
likert = st.integers(1, 5)
frames = data_frames(
    [column(c, elements=likert, dtype=float) for c in ITEMS]
    + [column("ltr", elements=st.integers(0, 10), dtype=float),
       column("buy", elements=st.integers(0, 1), dtype=float),
       column("seg", elements=st.sampled_from(["a", "b"]))],
)


def _vary(df):
    # make sure every column varies so the frame is valid
    for j, c in enumerate(ITEMS + ["ltr"]):
        df.loc[df.index[0], c] = 1.0
        df.loc[df.index[1], c] = 2.0 if j % 2 else 3.0
    return df


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames.filter(lambda d: len(d) >= 2), st.booleans())
def test_validate_never_modifies_input(df, with_missing):
    spec = rs.RingSpec.from_dict(SPEC)
    df = _vary(df.reset_index(drop=True))
    if with_missing:
        df.loc[0, "t3"] = -99.0
    before = df.copy(deep=True)
    attrs = dict(df.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec.validate(df)
        except ValidationError:
            pass
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == attrs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames.filter(lambda d: len(d) >= 2))
def test_validate_is_idempotent_on_clean_data(df):
    spec = rs.RingSpec.from_dict(SPEC)
    df = _vary(df.reset_index(drop=True))
    once = spec.validate(df)
    twice = spec.validate(once)
    pd.testing.assert_frame_equal(once, twice)
