"""Rendering for result objects: one :class:`Summary` that prints as text in a
terminal and as HTML tables in a notebook or the companion book."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = ["Summary", "ResultMixin", "ResultFrame", "ResultSeries", "as_result"]


class Summary:
    """A titled stack of tables and notes.

    Build one with :meth:`add_table`, :meth:`add_dict` and :meth:`add_note`;
    ``str(summary)`` gives plain text, ``summary._repr_html_()`` gives HTML so
    the object renders as tables when it is the last expression of a cell.
    """

    def __init__(self, title: str):
        self.title = title
        self._blocks: list[tuple[str, Any, Any]] = []

    def add_table(self, table: pd.DataFrame | pd.Series, title: str | None = None,
                  *, float_format: str = "{:.3f}") -> Summary:
        if isinstance(table, pd.Series):
            table = table.to_frame()
        self._blocks.append(("table", title, (table, float_format)))
        return self

    def add_dict(self, values: Mapping[str, Any], title: str | None = None,
                 *, float_format: str = "{:.3f}") -> Summary:
        frame = pd.DataFrame({"value": [_fmt(v, float_format) for v in values.values()]},
                             index=pd.Index(list(values.keys()), name=""))
        self._blocks.append(("table", title, (frame, float_format)))
        return self

    def add_note(self, text: str | Sequence[str]) -> Summary:
        lines = [text] if isinstance(text, str) else list(text)
        for line in lines:
            self._blocks.append(("note", None, line))
        return self

    # rendering -----------------------------------------------------------
    def as_text(self) -> str:
        out = [self.title, "=" * len(self.title)]
        for kind, title, payload in self._blocks:
            if kind == "table":
                table, ff = payload
                if title:
                    out += ["", title, "-" * len(title)]
                else:
                    out.append("")
                out.append(_format_frame(table, ff).to_string())
            else:
                out.append(f"Note: {payload}")
        return "\n".join(out)

    def as_html(self) -> str:
        parts = [f"<div class='ringstats-summary'><h4>{html.escape(self.title)}</h4>"]
        for kind, title, payload in self._blocks:
            if kind == "table":
                table, ff = payload
                if title:
                    parts.append(f"<p><b>{html.escape(title)}</b></p>")
                parts.append(_format_frame(table, ff).to_html(border=0, na_rep=""))
            else:
                parts.append(f"<p><i>Note:</i> {html.escape(str(payload))}</p>")
        parts.append("</div>")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def _fmt(value: Any, float_format: str) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return float_format.format(value)
    return value


def _format_frame(frame: pd.DataFrame, float_format: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else float_format.format(v))
    return out


class ResultMixin:
    """Give a frozen result dataclass a notebook representation from ``summary()``."""

    def summary(self) -> Summary:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        return self.summary().as_text()

    def to_frame(self) -> pd.DataFrame:
        """One tidy table of the result.

        Result classes with a natural table define their own; this default returns the
        first DataFrame field (its index as columns); else the first Series field with the
        scalar fields as constant columns; else one row of the scalar fields.
        """
        import dataclasses

        fields = [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        for _, value in fields:
            if isinstance(value, pd.DataFrame):
                return value.reset_index() if _named_index(value) else value.copy()
        scalars = {k: v for k, v in fields
                   if isinstance(v, (int, float, str, bool)) or (hasattr(v, "dtype") and v.ndim == 0)}
        series = [(k, v) for k, v in fields if isinstance(v, pd.Series)]
        if series:
            name, value = series[0]
            out = value.rename(value.name or name).to_frame().reset_index()
            for k, v in scalars.items():
                out[k] = v
            return out
        return pd.DataFrame([scalars])


def _named_index(frame: pd.DataFrame) -> bool:
    return any(n is not None for n in frame.index.names)


class ResultFrame(pd.DataFrame):
    """A result that is a table: a DataFrame with ``summary()`` and ``to_frame()``.

    Analyses whose answer is one table (Shapley values, segment NPS, ICCs, ...) return
    this subclass, so they keep the DataFrame interface and the result contract. The
    title and notes travel in ``attrs`` (``"title"``, ``"notes"``).
    """

    @property
    def _constructor(self):  # derived frames stay plain DataFrames
        return pd.DataFrame

    def summary(self) -> Summary:
        s = Summary(str(self.attrs.get("title", "Result")))
        s.add_table(pd.DataFrame(self))
        for note in self.attrs.get("notes", ()):
            s.add_note(str(note))
        return s

    def to_frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self).copy()
        return out.reset_index() if _named_index(out) else out


class ResultSeries(pd.Series):
    """A result that is one row of named values: a Series with ``summary()`` and ``to_frame()``."""

    @property
    def _constructor(self):
        return pd.Series

    @property
    def _constructor_expanddim(self):
        return pd.DataFrame

    def summary(self) -> Summary:
        s = Summary(str(self.attrs.get("title", self.name or "Result")))
        s.add_dict({str(k): v for k, v in self.items()})
        for note in self.attrs.get("notes", ()):
            s.add_note(str(note))
        return s

    # to_frame(): pandas.Series.to_frame, one column of named values (tidy as it is).


def as_result(table: pd.DataFrame | pd.Series, title: str,
              notes: Sequence[str] = ()) -> ResultFrame | ResultSeries:
    """Wrap a table answer in the result contract (``summary()``, ``to_frame()``)."""
    cls = ResultFrame if isinstance(table, pd.DataFrame) else ResultSeries
    out = cls(table)
    out.attrs.update(table.attrs)
    out.attrs["title"] = title
    if notes:
        out.attrs["notes"] = list(out.attrs.get("notes", [])) + list(notes)
    return out
