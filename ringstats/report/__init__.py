"""A report a researcher can hand on: one self-contained HTML file from (data, spec).

:func:`report` validates the data against the spec, computes every section the spec allows
(data check, measurement quality, driver importance, importance-performance map, NPS,
plateaus, asymmetry) and returns a :class:`Report`, which saves one HTML file (inline CSS
and SVG figures, nothing fetched from the network, print rules for PDF) and displays itself
in a notebook. ``ringstats report survey.csv --spec spec.yaml -o report.html`` is the same
from the shell.

==================  ===========================================================
module              what it holds
==================  ===========================================================
``_compute``        the numbers of every section and the reproducibility data
``_readings``       plain-language readings generated from the numbers
``_tables``         formatted display tables
``_figures``        inline SVG figures (matplotlib imported only here)
``_html``           page layout, CSS, methods and references
``_i18n``           English and Dutch words and number formats
==================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import check_dataframe, check_int, check_option, check_seed
from ..errors import RingstatsError
from ..spec import RingSpec
from ._compute import SECTIONS, Readings, compute
from ._i18n import LANGS, T, flag_text

__all__ = ["report", "Report", "report_cli", "SECTIONS"]


@dataclass(frozen=True)
class Report(ResultMixin):
    """A built report (see :func:`report`).

    Attributes
    ----------
    html : str
        The full, self-contained HTML document (a property).
    fragment : str
        The same report as a ``<style>`` plus ``<div>`` fragment (CSS scoped to the div), shown
        by ``_repr_html_`` in a notebook (a property).
    readings : Readings
        Every computed section (result objects, flags, reasons) and the reproducibility data
        (``seed``, ``n_boot``, ``spec_sha256``, ``data_sha256``, ``versions``).
    lang : str
    """

    readings: Readings
    lang: str
    _html: str = field(repr=False, default="")
    _fragment: str = field(repr=False, default="")

    @property
    def html(self) -> str:
        return self._html

    @property
    def fragment(self) -> str:
        return self._fragment

    def save(self, path: str | Path) -> Path:
        """Write the HTML file (UTF-8); return its path."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.html, encoding="utf-8")
        return p

    def _repr_html_(self) -> str:
        return self.fragment

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of the headline numbers: one row per section and quantity.

        Columns ``section``, ``name``, ``quantity``, ``estimate``, ``ci_low``, ``ci_high``
        (NaN where a quantity has no interval).
        """
        rows: list[dict] = []

        def add(section, name, quantity, est, lo=float("nan"), hi=float("nan")):
            rows.append({"section": section, "name": str(name), "quantity": quantity,
                         "estimate": float(est), "ci_low": float(lo), "ci_high": float(hi)})

        s = self.readings.sections
        if "data" in s and s["data"].available:
            for col, r in s["data"].results["table"].iterrows():
                add("data", col, "missing_share", r["missing"])
                if pd.notna(r["ceiling"]):  # none for a 0/1 outcome
                    add("data", col, "ceiling_share", r["ceiling"])
        m = s.get("measurement")
        if m is not None and m.available and m.results.get("cfa") is not None:
            from ..measurement._cfa import judged_fit

            f, version = judged_fit(m.results["cfa"].fit)
            for k in ("cfi", "tli", "rmsea", "srmr"):
                lo, hi = (f["rmsea_ci_low"], f["rmsea_ci_high"]) if k == "rmsea" else (
                    float("nan"), float("nan"))
                name = k if version == "standard" or k == "srmr" else f"{k}_{version}"
                add("measurement", "cfa", name, f[k], lo, hi)
        if m is not None and m.available:
            for _, p in m.results["htmt"].pairs.iterrows():
                add("measurement", f"{p['construct_a']}-{p['construct_b']}", "htmt", p["htmt"],
                    p["ci_low"], p["ci_high"])
        d = s.get("drivers")
        if d is not None and d.available:
            res = d.results["drivers"]
            add("drivers", res.outcome, "r2", res.r2, res.r2_ci_low, res.r2_ci_high)
            for c, r in res.constructs.iterrows():
                add("drivers", c, "importance", r["estimate"], r["ci_low"], r["ci_high"])
            for i, r in res.rings.iterrows():
                add("drivers", f"ring{i}", "share", r["share"], r["ci_low"], r["ci_high"])
        ip = s.get("ipma")
        if ip is not None and ip.available:
            res = ip.results["ipma"]
            for tab in (res.constructs, res.items):
                for n, r in tab.iterrows():
                    add("ipma", n, "performance", r["performance"], r["performance_ci_low"],
                        r["performance_ci_high"])
        n = s.get("nps")
        if n is not None and n.available:
            o = n.results["overall"]
            add("nps", "overall", "nps", o.nps, o.ci_low, o.ci_high)
            for _role, (_col, tab) in n.results["by"].items():
                for lev, r in tab.iterrows():
                    add("nps", lev, "nps", r["nps"], r["ci_low"], r["ci_high"])
        a = s.get("asymmetry")
        if a is not None and a.available:
            for c, r in a.results["ia"].table.iterrows():
                add("asymmetry", c, "ia", r["ia"], r["ia_ci_low"], r["ia_ci_high"])
        return pd.DataFrame(rows, columns=["section", "name", "quantity", "estimate", "ci_low",
                                           "ci_high"])

    def summary(self) -> Summary:
        """The readings and flags of every section as text (or HTML in a notebook)."""
        from ._readings import reading

        rd = self.readings
        t = T[self.lang]
        s = Summary(f"{t['title']}: {rd.spec.name} (n = {rd.n})")
        for key, sec in rd.sections.items():
            s.add_note(f"[{t[key]}]")
            if not sec.available:
                s.add_note(f"{t['not_available']}: {flag_text(sec.reason, self.lang)}")
            s.add_note(reading(key, sec, rd, self.lang))
            s.add_note([f"{t['flags']}: {flag_text(f, self.lang)}" for f in sec.flags])
        s.add_dict({"seed": str(rd.seed), "n_boot": rd.n_boot, "spec_sha256": rd.spec_sha256,
                    "data_sha256": rd.data_sha256}, t["repro"])
        return s


def report(
    data: pd.DataFrame,
    *,
    spec: RingSpec | str | Path,
    seed: int | None = 0,
    n_boot: int = 500,
    lang: str = "en",
    sections: Sequence[str] | None = None,
    progress: bool | None = None,
) -> Report:
    """Build a self-contained HTML report of a three-ring survey.

    Parameters
    ----------
    data : DataFrame
        The survey as collected (missing-value codes and reverse-keyed items as in the raw
        file); it is validated against ``spec`` and never modified.
    spec : RingSpec, or path to its YAML file
        Constructs, rings, scales and the recommend outcome. Sections adapt to it: NPS only
        for a 0-10 recommend item (or an explicit rule in the spec), NPS by segment and
        moment only when the spec names those columns.
    seed : int, optional
        Seed of every bootstrap (default 0, so a report is reproducible).
    n_boot : int, default 500
        Bootstrap replicates for driver importance, HTMT, plateau breakpoints and impact
        asymmetry (plateau uses at least 20, impact asymmetry at least 50).
    lang : {"en", "nl"}
        Language of headings, readings, tables and figure labels.
    sections : sequence of str, optional
        A subset of :data:`SECTIONS` (default all). Methods, references and the
        reproducibility footer are always included.
    progress : bool, optional
        Progress bars of the bootstraps (None: automatic).

    Returns
    -------
    Report
        ``.save(path)`` writes the HTML file; ``summary()`` and ``to_frame()`` give the
        readings as text and the headline numbers as a tidy table.

    Raises
    ------
    ValidationError
        When the data do not fit the spec (every problem listed).

    Notes
    -----
    Readings never claim more than the intervals: drivers or rings whose intervals overlap
    are "cannot be distinguished", NPS segments differ only at Holm-adjusted p < .05, and
    every flag of the measurement model (non-positive-definite latent covariance, Heywood
    cases, latent r ≥ .95, HTMT ≥ .90) is listed. The footer records the versions of
    ringstats and its dependencies, the seed, and SHA-256 hashes of the spec's YAML and of
    the data (``pandas.util.hash_pandas_object``).

    Examples
    --------
    >>> import ringstats as rs
    >>> data, spec = rs.datasets.load("sim_base", n=400)
    >>> rep = rs.report(data, spec=spec, n_boot=20, seed=1, sections=["data", "nps"])
    >>> "<svg" in rep.html and "http" not in rep.html
    True
    """
    check_dataframe(data)
    if isinstance(spec, (str, Path)):
        spec = RingSpec.from_yaml(Path(spec) if not isinstance(spec, Path) else spec)
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or a path to its YAML file; got "
                             f"{type(spec).__name__}.")
    seed = check_seed(seed)
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    check_option(lang, "lang", LANGS)
    if sections is None:
        keys = SECTIONS
    else:
        if isinstance(sections, str) or not all(isinstance(k, str) for k in sections):
            raise RingstatsError(f"`sections` must be a list of section names from {SECTIONS}; "
                                 f"got {sections!r}.")
        bad = [k for k in sections if k not in SECTIONS]
        if bad or not sections:
            raise RingstatsError(f"`sections` must name sections from {SECTIONS}; got "
                                 f"{list(sections)!r}.")
        keys = tuple(k for k in SECTIONS if k in sections)
    rd = compute(data, spec, seed=seed, n_boot=n_boot, sections=keys, progress=progress)
    from ._html import render

    doc, frag = render(rd, lang)
    return Report(readings=rd, lang=lang, _html=doc, _fragment=frag)


# --------------------------------------------------------------------------------- CLI
def report_cli(ctx):
    """``ringstats report survey.csv --spec spec.yaml -o report.html [--lang nl] [--seed N]
    [--n-boot N] [--quiet]`` (an entry of ``ringstats.cli._table.COMMANDS``)."""
    from ..cli._run import Output

    spec = ctx.read_spec()
    data = ctx.read_csv()
    rep = report(data, spec=spec, seed=ctx.get("seed"), n_boot=ctx.get("n_boot"),
                 lang=ctx.get("lang", "en"), progress=ctx.progress)
    path = rep.save(ctx.get("html", "report.html"))
    text = (f"wrote {path} ({len(rep.html) / 1024:.0f} kB): {rep.readings.n:,} respondents, "
            f"{sum(s.available for s in rep.readings.sections.values())} of "
            f"{len(rep.readings.sections)} sections computed")
    return Output(text, {"report": rep}, files=[str(path)])
