"""Shared by the benchmark scripts: write a result page and echo it."""

from __future__ import annotations

from pathlib import Path


def write_report(path: Path, lines: list[str]) -> int:
    """Write ``lines`` to ``path`` (creating ``results/``), print them, return exit code 0."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines)
    path.write_text(text + "\n")
    print(text)
    return 0
