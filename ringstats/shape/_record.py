"""A small base for the typed sub-results of the shape package.

Each sub-result (Davies test, segmented fit, breakpoint interval, spline test,
equivalence test, ...) is a frozen dataclass. :class:`Record` gives it the result
contract of the package: ``summary()`` (text and HTML) and a tidy ``to_frame()`` with one
row per scalar field (``name``, ``value``); arrays and nested fits stay attributes.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._kernels.results import ResultMixin, Summary

__all__ = ["Record"]


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str, np.floating, np.integer, np.bool_))


class Record(ResultMixin):
    """Mixin for frozen dataclass sub-results: ``summary()`` and ``to_frame()`` from fields."""

    _title: ClassVar[str] = "Result"

    def scalars(self) -> dict[str, Any]:
        """The scalar fields (numbers, flags, labels) as a dict, in field order."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, tuple) and len(v) == 2 and all(_scalar(e) for e in v):
                out[f"{f.name}_low"], out[f"{f.name}_high"] = v
            elif _scalar(v):
                out[f.name] = v.item() if isinstance(v, np.generic) else v
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per scalar field, columns ``name`` and ``value``."""
        s = self.scalars()
        return pd.DataFrame({"name": list(s), "value": list(s.values())})

    def summary(self) -> Summary:
        return Summary(self._title).add_dict(self.scalars())
