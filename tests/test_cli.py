"""The `ringstats` command line: simulate, validate and the analysis commands."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml

import ringstats as rs
import ringstats.cli
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


# ----------------------------------------------------------------------------------------
# output: --format json|csv, --out, the JSON schema, reproducibility
# ----------------------------------------------------------------------------------------
SCHEMA = json.loads((Path(ringstats.cli.__file__).parents[1] / "cli_schema.json").read_text())


def _json(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    doc = json.loads(text)
    jsonschema.validate(doc, SCHEMA)
    for res in doc["results"].values():
        for tab in res["tables"].values():
            assert all(len(row) == len(tab["columns"]) for row in tab["rows"])
    return text, doc


FAST = {"drivers": ["--n-boot", "50"], "plateau": ["--n-boot", "20", "--scores", "mean"],
        "nps": [], "asymmetry": ["--n-boot", "50"], "measure": [], "validate": []}


@pytest.mark.parametrize("command", sorted(FAST))
def test_format_json_follows_the_schema(survey, capsys, command):
    _, doc = _json(capsys, [command, str(survey), "--spec", _spec(survey), "--format", "json",
                            *FAST[command]])
    assert doc["command"] == command and doc["results"]
    assert doc["input"]["n_rows"] == 600 and len(doc["input"]["data_sha256"]) == 64


def test_spec_and_simulate_json_follow_the_schema(survey, tmp_path, capsys):
    _, doc = _json(capsys, ["spec", "draft", str(survey), "--format", "json", "--no-efa"])
    assert doc["results"]["spec_draft"]["values"]["outcome"] == "ltr"
    _, doc = _json(capsys, ["spec", "show", _spec(survey), "--format", "json"])
    assert doc["results"]["spec"]["tables"]["table"]["columns"][0] == "construct"
    _, doc = _json(capsys, ["simulate", "-n", "200", "-o", str(tmp_path / "s.csv"),
                            "--format", "json"])
    assert len(doc["files"]) == 3


def test_seed_gives_byte_identical_json(survey, capsys):
    argv = ["drivers", str(survey), "--spec", _spec(survey), "--format", "json",
            "--n-boot", "60"]
    a, _ = _json(capsys, argv + ["--seed", "7"])
    b, _ = _json(capsys, argv + ["--seed", "7"])
    c, _ = _json(capsys, argv + ["--seed", "8"])
    assert a == b and a != c


def test_out_writes_csv_and_json_that_read_back(survey, tmp_path, capsys):
    out = tmp_path / "res"
    argv = ["drivers", str(survey), "--spec", _spec(survey), "--n-boot", "50", "--seed", "3",
            "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    doc = json.loads((out / "drivers.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert sorted(doc["files"]) == sorted(p.name for p in out.iterdir())
    assert all(f"wrote {out / name}" in err for name in doc["files"])
    cons = pd.read_csv(out / "drivers_constructs.csv").set_index("construct")
    direct = rs.drivers(rs.RingSpec.from_yaml(_spec(survey)).validate(pd.read_csv(survey)),
                        spec=rs.RingSpec.from_yaml(_spec(survey)), n_boot=50, seed=3,
                        progress=False)
    np.testing.assert_allclose(cons["estimate"], direct.constructs["estimate"], rtol=1e-12)
    np.testing.assert_allclose(cons["ci_low"], direct.constructs["ci_low"], rtol=1e-12)
    tab = doc["results"]["drivers"]["tables"]["rings"]
    assert tab["columns"][0] == "ring" and len(tab["rows"]) == 3


def test_figures_are_written_only_when_asked(survey, tmp_path, capsys):
    out = tmp_path / "fig"
    assert main(["nps", str(survey), "--spec", _spec(survey), "--out", str(out),
                 "--figures"]) == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["nps_nps.png", "nps_nps_by_moment.png", "nps_nps_by_segment.png"]
    assert all((out / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)
    capsys.readouterr()
    assert main(["nps", str(survey), "--spec", _spec(survey), "--figures"]) == 2
    assert "`--figures` needs `--out DIR`" in capsys.readouterr().err


def test_format_csv_prints_the_main_table(survey, capsys):
    assert main(["drivers", str(survey), "--spec", _spec(survey), "--format", "csv",
                 "--n-boot", "50"]) == 0
    tab = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(tab["construct"]) == rs.RingSpec.from_yaml(_spec(survey)).construct_names


def test_analysis_options_reach_the_python_api(survey, capsys):
    _, doc = _json(capsys, ["asymmetry", str(survey), "--spec", _spec(survey), "--format",
                            "json", "--low", "2", "--high", "4", "--n-boot", "50",
                            "--threshold", "0.3"])
    assert doc["options"]["low"] == 2 and doc["options"]["threshold"] == 0.3
    assert doc["results"]["impact_asymmetry"]["values"]["threshold"] == 0.3
    _, doc = _json(capsys, ["plateau", str(survey), "--spec", _spec(survey), "--format",
                            "json", "--n-boot", "20", "--scores", "mean", "--sesoi", "0.4"])
    rows = doc["results"]["plateau"]["tables"]["table"]
    sesoi = rows["columns"].index("sesoi")
    assert {r[sesoi] for r in rows["rows"]} == {0.4}


# ----------------------------------------------------------------------------------------
# exit codes, warnings and progress: never a traceback on bad input
# ----------------------------------------------------------------------------------------
def _run(*argv, **kw):
    return subprocess.run([sys.executable, "-m", "ringstats.cli", *map(str, argv)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "RINGSTATS_QUIET": "", **kw.get("env", {})})


def test_bad_input_exits_2_without_a_traceback(survey, tmp_path):
    spec = _spec(survey)
    (tmp_path / "bad.yaml").write_text("constructs: [1, 2\n")
    (tmp_path / "unknown.yaml").write_text("colour: red\n")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81" * 50)
    (tmp_path / "empty.csv").write_text("")
    cases = [
        ("validate", tmp_path / "nope.csv", "--spec", spec),
        ("validate", survey, "--spec", tmp_path / "nope.yaml"),
        ("validate", survey, "--spec", tmp_path / "bad.yaml"),
        ("validate", survey, "--spec", tmp_path / "unknown.yaml"),
        ("validate", tmp_path / "bin.csv", "--spec", spec),
        ("validate", tmp_path / "empty.csv", "--spec", spec),
        ("validate", tmp_path, "--spec", spec),
        ("drivers", survey, "--spec", spec, "--n-boot", "-5"),
        ("drivers", survey, "--spec", spec, "--outcome", "nope"),
        ("plateau", survey, "--spec", spec, "--kind", "binary"),
        ("drivers", survey, "--spec", spec, "--format", "xml"),
        ("drivers", survey, "--spec", spec, "--n-boot", "many"),
        ("spec", "draft", tmp_path / "nope.csv"),
        ("spec", "show", tmp_path / "bad.yaml"),
        ("simulate", "--world", "mars", "-o", tmp_path / "x.csv"),
    ]
    for argv in cases:
        res = _run(*argv)
        assert res.returncode == 2, (argv, res.stderr)
        assert "Traceback" not in res.stderr and res.stderr.strip(), (argv, res.stderr)
        assert res.stdout == "", argv


def test_convergence_failure_exits_3(survey, monkeypatch, capsys):
    from ringstats.cli import _commands

    def fail(ctx):
        raise rs.ConvergenceError("the optimiser stopped after 500 iterations.")

    monkeypatch.setattr(_commands, "drivers", fail)
    assert main(["drivers", str(survey), "--spec", _spec(survey)]) == 3
    assert capsys.readouterr().err == (
        "did not converge: the optimiser stopped after 500 iterations.\n")


def test_warnings_are_one_clean_line(survey, tmp_path):
    spec = rs.RingSpec.from_yaml(_spec(survey)).to_dict()
    spec["constructs"]["trust"]["items"] = ["trust1", "trust2"]  # two items: a warning
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = _run("validate", survey, "--spec", path)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.strip().splitlines()
    assert lines == ["warning: construct `trust` has 2 items; 3 or more are recommended for "
                     "reliable measurement and an identified one-factor model"]
    res = _run("validate", survey, "--spec", path, "--format", "json")
    assert json.loads(res.stdout)["warnings"] == [lines[0].removeprefix("warning: ")]


def test_no_progress_bar_when_stderr_is_not_a_terminal(survey):
    for cmd in ("drivers", "measure"):  # measure: the HTMT bootstrap deep inside has a bar
        res = _run(cmd, survey, "--spec", _spec(survey), "--n-boot", "50")
        assert res.returncode == 0 and "it/s" not in res.stderr and "%|" not in res.stderr
    before = os.environ.get("RINGSTATS_QUIET")  # main() restores the caller's environment
    assert main(["validate", str(survey), "--spec", _spec(survey)]) == 0
    assert os.environ.get("RINGSTATS_QUIET") == before


def test_help_lists_every_command_and_the_exit_codes():
    res = _run("--help")
    for cmd in ("simulate", "validate", "measure", "drivers", "plateau", "nps", "asymmetry",
                "spec"):
        assert cmd in res.stdout
    assert "exit codes: 0 done, 2 bad input" in res.stdout
    res = _run("drivers", "--help")
    for flag in ("--out", "--format", "--seed", "--n-boot", "--jobs", "--kind", "--scores",
                 "--quiet", "--figures", "--ci", "--outcome"):
        assert flag in res.stdout, flag


def test_measure_estimator_flag_reaches_the_cfa(survey, capsys):
    """`--estimator` is passed to the report's CFA (the simulator's items are 5-point:
    auto is WLSMV; ML on request)."""
    spec = str(survey.with_name("survey.spec.yaml"))
    for flag, expect in ((["--estimator", "ML"], "CFA fit (ML)"), ([], "CFA fit (WLSMV)"),
                         (["--estimator", "WLSMV"], "CFA fit (WLSMV)")):
        assert main(["measure", str(survey), "--spec", spec, "--quiet", *flag]) == 0
        assert expect in capsys.readouterr().out
