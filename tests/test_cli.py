"""The `ringstats` command line: simulate, validate and the analysis commands."""

import subprocess
import sys

import pandas as pd
import pytest

import ringstats as rs
from ringstats.cli import main


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "survey.csv"
    assert main(["simulate", "--world", "base", "-n", "600", "--seed", "1", "-o", str(out)]) == 0
    return out


def test_simulate_writes_data_spec_and_employees(survey):
    spec_path = survey.with_name("survey.spec.yaml")
    emp_path = survey.with_name("survey_employees.csv")
    assert spec_path.exists() and emp_path.exists()
    data = pd.read_csv(survey)
    direct = rs.draw("base", n=600, seed=1)
    assert len(data) == 600
    assert (data["ltr"].to_numpy() == direct.customers["ltr"].to_numpy()).all()
    assert rs.RingSpec.from_yaml(spec_path) == direct.spec


def test_validate_ok(survey, capsys):
    assert main(["validate", str(survey), "--spec", str(survey.with_name("survey.spec.yaml"))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 600 rows, 6 constructs in rings [1, 2, 3]")


def test_validate_bad_data_exits_2_with_problem_list(survey, tmp_path, capsys):
    data = pd.read_csv(survey)
    data.loc[0, "prod1"] = 9
    data = data.drop(columns="trust2")
    bad = tmp_path / "bad.csv"
    data.to_csv(bad, index=False)
    code = main(["validate", str(bad), "--spec", str(survey.with_name("survey.spec.yaml"))])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("invalid data: 2 problem(s)")
    assert "  - unknown column: `trust2`" in err
    assert "  - value outside its scale: `prod1`" in err


def test_missing_file_is_a_clean_error(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "nope.csv"), "--spec", str(tmp_path / "s.yaml")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error:")


def test_console_script_entry_point(survey):
    res = subprocess.run(
        [sys.executable, "-m", "ringstats.cli", "validate", str(survey), "--spec",
         str(survey.with_name("survey.spec.yaml"))], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("OK:")


def _spec(survey):
    return str(survey.with_name("survey.spec.yaml"))


@pytest.mark.parametrize("command, expected", [
    ("drivers", ["Rings", "ring3 - ring2"]),
    ("plateau", ["ring1", "verdict"]),
    ("nps", ["vendor statistic", "NPS by segment", "p_adj"]),
    ("asymmetry", ["Split coding", "Impact-asymmetry"]),
])
def test_analysis_commands_print_their_summary(survey, capsys, command, expected):
    assert main([command, str(survey), "--spec", _spec(survey)]) == 0
    text = capsys.readouterr().out
    for word in expected:
        assert word.lower() in text.lower(), word
