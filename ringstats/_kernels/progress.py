"""Progress bars for long work: on in terminals and notebooks, quiet in tests and when
standard error is not a terminal (a file, a pipe, a CI log).

Set the environment variable ``RINGSTATS_QUIET=1`` to silence every bar.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

__all__: list[str] = []


def progress_enabled(enabled: bool | None = None) -> bool:
    """Resolve a ``progress`` argument: ``None`` means automatic."""
    if enabled is not None:
        return bool(enabled)
    if os.environ.get("RINGSTATS_QUIET", "") not in ("", "0"):
        return False
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    if "ipykernel" in sys.modules:  # a notebook: tqdm.auto draws a widget
        return True
    try:  # a terminal; quiet when stderr goes to a file or a pipe
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_iter(
    iterable: Iterable[T], total: int | None = None, desc: str | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar when progress is enabled (``tqdm.auto``: widget in
    notebooks when ipywidgets is installed, text on stderr otherwise)."""
    if not progress_enabled(enabled):
        yield from iterable
        return
    try:  # tqdm.auto wants ipywidgets in a notebook and warns without it
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    yield from tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False)
