"""The house rules of ARCHITECTURE.md, read from the code's own imports.

* no import cycle between ringstats modules (module-level or inside functions);
* no computation module imports matplotlib, seaborn or the plotting layer
  (only ``plotting/``, ``report/`` and ``cli/`` draw);
* the shared kernels import nothing above them (only the errors module);
* no module is longer than 700 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "ringstats"
DRAWING = ("ringstats.plotting", "ringstats.report", "ringstats.cli")
MAX_LINES = 700


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(current: str, is_pkg: bool, level: int, module: str | None) -> str:
    base = current.split(".") if is_pkg else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _imports(name: str, path: Path) -> set[str]:
    """Every module this one imports, anywhere in the file (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = (_resolve(name, is_pkg, node.level, node.module) if node.level
                      else node.module or "")
            if node.module is not None:  # `from . import x` names the submodule x only
                out.add(target)
            for a in node.names:
                out.add(f"{target}.{a.name}")
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph = {}
    for name, path in mods.items():
        deps = set()
        for imp in _imports(name, path):
            if imp in mods and imp != name:
                deps.add(imp)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles():
    """No loop at all, not even through a package's face or a function-level import."""
    assert _cycles(_graph()) == []


def test_computation_never_draws():
    bad = []
    for name, path in _modules().items():
        if name.startswith(DRAWING) or name == "ringstats":  # the public face exports plotting
            continue
        for imp in _imports(name, path):
            if imp.split(".")[0] in ("matplotlib", "seaborn") or imp.startswith("ringstats.plotting"):
                bad.append(f"{name} imports {imp}")
    assert bad == []


def test_kernels_import_nothing_above_them():
    bad = []
    for name, path in _modules().items():
        if not name.startswith("ringstats._kernels"):
            continue
        for imp in _imports(name, path):
            if imp.startswith("ringstats.") and not imp.startswith(("ringstats._kernels",
                                                                     "ringstats.errors")):
                bad.append(f"{name} imports {imp}")
    assert bad == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_module_over_700_lines(name):
    n = len(_modules()[name].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{name} has {n} lines; split it into a subpackage behind a facade"


def test_cycle_detector_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_progress_is_quiet_off_a_terminal(monkeypatch):
    import io
    import sys

    from ringstats._kernels.progress import progress_enabled

    monkeypatch.delenv("RINGSTATS_QUIET", raising=False)
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    if "ipykernel" not in sys.modules:
        assert progress_enabled(None) is False
    assert progress_enabled(True) is True
