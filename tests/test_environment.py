"""environment.yml names the same dependencies as pyproject.toml."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> str:
    return "".join(req.split()).lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    reqs = [r for r in pip if not r.startswith("-e")]
    assert sorted(map(_norm, reqs)) == sorted(map(_norm, project["dependencies"]))
    assert "-e .[test]" in pip  # the package itself with every extra used by make test/book
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_every_pin_has_a_reason():
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if ("<" in line or "==" in line) and line.strip().startswith('"'):
            assert lines[i - 1].strip().startswith("#"), f"pin without a reason: {line.strip()}"


def test_oldest_constraints_pin_the_lower_bounds():
    """constraints/oldest.txt (make test-oldest) pins every runtime dependency at its bound."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bounds = {}
    for dep in project["dependencies"]:
        req = Requirement(dep)
        lower = [s.version for s in req.specifier if s.operator in (">=", "==")]
        assert len(lower) == 1, f"{dep}: one lower bound expected"
        bounds[req.name.lower()] = Version(lower[0])
    pins = {}
    for line in (ROOT / "constraints" / "oldest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", line
            pins[req.name.lower()] = Version(spec.version)
    assert pins == bounds
