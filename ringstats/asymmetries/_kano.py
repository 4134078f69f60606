"""The Kano questionnaire (Kano et al. 1984) with Berger et al.'s (1993) Better/Worse."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._data import checked_frame
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import check_columns
from ..errors import RingstatsError, warn

ANSWERS = ("like", "expect", "neutral", "live_with", "dislike")
#: Kano evaluation table (Kano et al. 1984; Berger et al. 1993): rows = functional answer,
#: columns = dysfunctional answer, both in the order of ``ANSWERS``.
KANO_TABLE = pd.DataFrame(
    [["Q", "A", "A", "A", "O"],
     ["R", "I", "I", "I", "M"],
     ["R", "I", "I", "I", "M"],
     ["R", "I", "I", "I", "M"],
     ["R", "R", "R", "R", "Q"]],
    index=pd.Index(ANSWERS, name="functional"), columns=pd.Index(ANSWERS, name="dysfunctional"),
)
CLASSES = ("A", "O", "M", "I", "R", "Q")
CLASS_NAMES = {"A": "attractive", "O": "one-dimensional", "M": "must-be", "I": "indifferent",
               "R": "reverse", "Q": "questionable"}


@dataclass(frozen=True)
class KanoResult(ResultMixin):
    """Kano classification: per-respondent classes, counts and Better/Worse per feature."""

    classes: pd.DataFrame
    table: pd.DataFrame

    def summary(self) -> Summary:
        s = Summary("Kano questionnaire evaluation")
        s.add_table(self.table, "Class counts, majority category and Better/Worse")
        weak = self.table[~self.table["significant"]]
        if len(weak):
            s.add_note("No category (Fong's test, the majority class does not beat the runner-up "
                       "at the 10% level): " + ", ".join(f"{f} {r['label']}"
                                                         for f, r in weak.iterrows()) + ".")
        s.add_note("A attractive, O one-dimensional, M must-be, I indifferent, R reverse, "
                   "Q questionable (Kano et al. 1984). Better = (A+O)/(A+O+M+I), "
                   "Worse = -(O+M)/(A+O+M+I) (Berger et al. 1993).")
        return s


def _answer_map(answers: Any) -> dict[Any, str]:
    if answers is None:
        return {1: "like", 2: "expect", 3: "neutral", 4: "live_with", 5: "dislike",
                **{a: a for a in ANSWERS}}
    if isinstance(answers, Mapping):
        bad = sorted({str(v) for v in answers.values() if v not in ANSWERS})
        if bad:
            raise RingstatsError(f"`answers` must map codes to {list(ANSWERS)}; got {bad}.")
        return dict(answers)
    if isinstance(answers, Sequence) and not isinstance(answers, str) and len(answers) == 5:
        return dict(zip(answers, ANSWERS, strict=True))
    raise RingstatsError(
        "`answers` must be None, a dict code -> one of "
        f"{list(ANSWERS)}, or a list of the 5 codes in that order; got {answers!r}."
    )


def kano(
    data: pd.DataFrame,
    *,
    functional: Sequence[str] | Mapping[str, str],
    dysfunctional: Sequence[str] | Mapping[str, str],
    answers: Mapping[Any, str] | Sequence[Any] | None = None,
) -> KanoResult:
    """Evaluate a Kano questionnaire: A/O/M/I/R/Q per respondent and feature, Better/Worse.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    functional, dysfunctional : list of str or dict
        Columns with the answers to the functional ("if the feature is present") and
        dysfunctional ("if it is absent") question, in the same feature order. A dict maps
        feature name -> column (same keys in both); with lists the feature is named by the
        functional column.
    answers : dict or list, optional
        How the data code the five answers. Default: 1 = like, 2 = expect (must be),
        3 = neutral, 4 = live with, 5 = dislike, and the strings ``"like"``, ``"expect"``,
        ``"neutral"``, ``"live_with"``, ``"dislike"``. A list gives the five codes in that
        order. Missing answers (NaN) give a missing class.

    Returns
    -------
    KanoResult
        ``classes``: respondents x features (A, O, M, I, R, Q or missing). ``table`` per
        feature: counts ``A, O, M, I, R, Q``, ``n``, ``category`` (most frequent class, ties
        joined with "/"), ``significant`` (Fong's test of the most frequent against the next
        class), ``label`` (the category when significant, else "not significant (X vs Y)"),
        ``better``, ``worse``. A category without significance is descriptive only.

    Raises
    ------
    RingstatsError
        An answer outside the coded set; the message names the feature and the bad values.

    Notes
    -----
    Evaluation table: see :data:`KANO_TABLE` (Kano, Seraku, Takahashi & Tsuji 1984; Berger et
    al. 1993). ``Better = (A + O) / (A + O + M + I)``, ``Worse = -(O + M) / (A + O + M + I)``
    (Berger et al. 1993). Classes are known to drift over a product's life (attractive ->
    one-dimensional -> must-be). A feature gets a category (``label``) only when the most
    frequent class beats the runner-up in Fong's test (Fong, D. 1996, Using the self-stated
    importance questionnaire to interpret Kano questionnaire results, *Center for Quality of
    Management Journal* 5(3), 21-24): ``|a - b| > 1.65 sqrt((a + b)(2n - a - b) / (2n))``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"f": [1, 2, 1], "d": [5, 5, 3]})
    >>> kano(df, functional=["f"], dysfunctional=["d"]).table["category"].iloc[0]
    'A/M/O'
    """
    frame = checked_frame(data)
    if isinstance(functional, Mapping) != isinstance(dysfunctional, Mapping):
        raise RingstatsError("`functional` and `dysfunctional` must both be lists or both dicts.")
    if isinstance(functional, Mapping):
        if list(functional) != list(dysfunctional):
            raise RingstatsError("`functional` and `dysfunctional` must have the same feature "
                                 f"keys in the same order; got {list(functional)} and "
                                 f"{list(dysfunctional)}.")
        feats = [str(k) for k in functional]
        fcols = check_columns(frame, list(functional.values()), "functional")
        dcols = check_columns(frame, list(dysfunctional.values()), "dysfunctional")
    else:
        fcols = check_columns(frame, functional, "functional")
        dcols = check_columns(frame, dysfunctional, "dysfunctional")
        if len(fcols) != len(dcols):
            raise RingstatsError(f"`functional` and `dysfunctional` must have the same length; "
                                 f"got {len(fcols)} and {len(dcols)}.")
        feats = list(fcols)
    amap = _answer_map(answers)
    classes = {}
    for feat, fc, dc in zip(feats, fcols, dcols, strict=True):
        coded = []
        for col, role in ((fc, "functional"), (dc, "dysfunctional")):
            raw = frame[col]
            mapped = raw.map(lambda v: amap.get(v, amap.get(_num(v), None)) if pd.notna(v) else np.nan)
            bad = raw[raw.notna() & mapped.isna()].unique()
            if len(bad):
                raise RingstatsError(
                    f"Feature {feat!r} ({role} column {col!r}) has answers outside the coded set: "
                    f"{[_num(b) for b in bad][:8]}. Allowed: {sorted(map(str, amap))}."
                )
            coded.append(mapped)
        f_ans, d_ans = coded
        cls = [KANO_TABLE.loc[a, b] if isinstance(a, str) and isinstance(b, str) else np.nan
               for a, b in zip(f_ans, d_ans, strict=True)]
        classes[feat] = pd.Series(cls, index=frame.index, dtype=object)
    cdf = pd.DataFrame(classes)
    rows = []
    for feat in feats:
        cnt = cdf[feat].value_counts().reindex(list(CLASSES), fill_value=0)
        tot = int(cnt.sum())
        base = cnt["A"] + cnt["O"] + cnt["M"] + cnt["I"]
        if tot:
            top = cnt[cnt == cnt.max()].index.tolist()
            category = "/".join(sorted(top))
        else:
            category = "none"
        row = {c: int(cnt[c]) for c in CLASSES}
        sig, label = _fong(cnt, tot, category)
        row.update({"n": tot, "category": category, "significant": sig, "label": label,
                    "better": (cnt["A"] + cnt["O"]) / base if base else np.nan,
                    "worse": -(cnt["O"] + cnt["M"]) / base if base else np.nan})
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(feats, name="feature"))
    empty = [f for f in feats if table.loc[f, "n"] == 0]
    if empty:
        warn(f"Kano feature(s) {', '.join(map(repr, empty))} have no respondent with both "
             "answers: no category, Better or Worse (category 'none').")
    return KanoResult(classes=cdf, table=table)


def _fong(cnt: pd.Series, n: int, category: str) -> tuple[bool, str]:
    """Fong's (1996) test: is the most frequent class more frequent than the runner-up?

    ``|a - b| > 1.65 sqrt((a + b)(2n - a - b) / (2n))`` (a, b the two largest counts, level
    0.10). Returns (significant, label): the category, or "not significant (X vs Y)".
    """
    if not n:
        return False, "none"
    srt = cnt.sort_values(ascending=False, kind="stable")
    a, b = float(srt.iloc[0]), float(srt.iloc[1])
    q = 1.65 * np.sqrt((a + b) * (2 * n - a - b) / (2 * n))
    if abs(a - b) > q:
        return True, category
    second = "/".join(sorted(srt.index[srt == b])) if "/" not in category else ""
    return False, ("not significant (" + (category if not second else f"{category} vs {second}")
                   + ")")


def _num(v: Any) -> Any:
    """Map 1.0 -> 1 so float-coded answers match integer codes."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f


