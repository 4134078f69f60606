"""Start-up stays light: `import ringstats` and the command line load heavy libraries only
when an analysis needs them (timings: benchmarks/bench_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import ringstats as rs

HEAVY = ("matplotlib", "seaborn", "statsmodels", "pingouin", "factor_analyzer", "sklearn",
         "scipy.stats", "scipy.optimize")


def _loaded(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return set(json.loads(res.stdout.strip().splitlines()[-1]))


def _heavy(mods: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in mods)


def test_import_ringstats_loads_no_heavy_library():
    mods = _loaded("import ringstats")
    assert _heavy(mods) == []
    assert "pandas" not in mods and "ringstats.plotting" not in mods


def test_cli_help_and_validate_load_no_heavy_library(tmp_path):
    help_mods = _loaded("import sys\nfrom ringstats.cli import main\n"
                        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _heavy(help_mods) == [] and "pandas" not in help_mods
    w = rs.draw("base", n=200, seed=1)
    csv, spec = tmp_path / "s.csv", tmp_path / "s.yaml"
    w.customers.to_csv(csv, index=False)
    w.spec.to_yaml(spec)
    mods = _loaded(f"from ringstats.cli import main\nmain(['validate', {str(csv)!r}, "
                   f"'--spec', {str(spec)!r}])")
    assert _heavy(mods) == []


def test_lazy_names_resolve_and_list():
    for name in rs.__all__:
        assert getattr(rs, name) is not None, name
    assert set(rs.__all__) <= set(dir(rs))
    import ringstats.plotting as p

    for name in p.__all__:
        assert callable(getattr(p, name)) or name.isupper(), name
    assert rs.drivers.__module__.startswith("ringstats.importance")
    try:
        rs.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_star_import_gives_every_public_name():
    ns: dict = {}
    exec("from ringstats import *", ns)
    assert {"drivers", "RingSpec", "plotting", "report", "draft_spec"} <= set(ns)


def test_functions_named_like_their_module_stay_functions():
    import ringstats.ipma
    import ringstats.report  # noqa: F401  (binds the submodule on an eager package)

    assert callable(rs.report) and rs.report.__name__ == "report"
    assert callable(rs.ipma) and rs.ipma.__name__ == "ipma"
    from ringstats import report

    assert report is rs.report
