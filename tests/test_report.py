"""The HTML report on two real surveys and a simulated world, read back with html.parser.

Checks the issue-13 promises: no external URL, every figure present, no "nan" and no empty
table, every flag of the measurement model in the text, NPS refused on non-0-10 scales, a
Dutch build, reproducibility footer, and the CLI.
"""

from __future__ import annotations

import hashlib
import html
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.errors import RingstatsError, ValidationError
from ringstats.report import SECTIONS, Report
from ringstats.report._compute import HTMT_FLAG, LATENT_R_FLAG, Flag, covered, data_hash
from ringstats.report._i18n import _FLAGS, LANGS, flag_text, plain_note

N_BOOT = 20
BUILDS = {"ecsi_mobi": {}, "corp_rep": {}, "sim_base": {"n": 1500, "seed": 3}}


class Page(HTMLParser):
    """Collects what the tests look at: URLs, visible text, figures, tables."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.text: list[str] = []
        self.figures: dict[str, int] = {}
        self.tables: list[list[list[str]]] = []
        self._skip = 0  # inside <style> or <svg>
        self._figure: str | None = None
        self._cell: list[str] | None = None
        self._in_tbody = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "poster") and v:
                self.urls.append(v)
            if k == "style" and v:
                self.urls += re.findall(r"url\(([^)]*)\)", v)
        if tag in ("style", "svg", "script"):
            self._skip += 1
        if tag == "figure":
            self._figure = a.get("data-figure")
        if tag == "svg" and self._figure:
            self.figures[self._figure] = self.figures.get(self._figure, 0) + 1
        if tag == "table":
            self.tables.append([])
        if tag == "tbody":
            self._in_tbody = True
        if tag == "tr" and self._in_tbody:
            self.tables[-1].append([])
        if tag in ("td", "th") and self._in_tbody:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "svg", "script"):
            self._skip -= 1
        if tag == "figure":
            self._figure = None
        if tag == "tbody":
            self._in_tbody = False
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._skip == 0:
            self.text.append(data)
        else:  # CSS: url() would fetch
            self.urls += re.findall(r"url\(([^)#][^)]*)\)", data)


def parse(doc: str) -> Page:
    p = Page()
    p.feed(doc)
    p.close()
    p.plain = html.unescape(" ".join(" ".join(p.text).split()))
    return p


@pytest.fixture(scope="module")
def built():
    out = {}
    for name, kw in BUILDS.items():
        ds = rs.datasets.load(name, **kw)
        rep = rs.report(ds.data, spec=ds.spec, n_boot=N_BOOT, seed=1)
        out[name] = (ds, rep, parse(rep.html))
    return out


NAMES = list(BUILDS)


@pytest.mark.parametrize("name", NAMES)
def test_no_external_url(built, name):
    _, rep, page = built[name]
    assert page.urls, "the table of contents links to the sections"
    for u in page.urls:
        assert u.startswith("#") or u.startswith("data:"), u
    assert not re.search(r"https?://", rep.html)
    assert "@import" not in rep.html and "@font-face" not in rep.html


EXPECTED_FIGURES = {"measurement": 2, "drivers": 1, "ipma": 1, "nps": 1, "plateau": 1,
                    "asymmetry": 1}


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_present(built, name):
    _, rep, page = built[name]
    expected = []
    for key, sec in rep.readings.sections.items():
        if not sec.available or key not in EXPECTED_FIGURES:
            continue
        n = EXPECTED_FIGURES[key] - (key == "measurement" and sec.results["cfa"] is None)
        expected += [f"{key}-{i}" for i in range(1, n + 1)]
    assert sorted(page.figures) == sorted(expected)
    assert all(v == 1 for v in page.figures.values())
    for svg in re.findall(r"<svg.*?</svg>", rep.html, re.S):
        assert svg.count("<path") > 20  # drawn, not an empty canvas
    # element ids are unique across the inline figures
    ids = re.findall(r'\bid="([^"]+)"', rep.html)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", NAMES)
def test_no_nan_and_no_empty_table(built, name):
    _, rep, page = built[name]
    assert not re.search(r"\bnan\b", page.plain, re.I), re.search(r".{40}\bnan\b.{40}",
                                                                 page.plain, re.I)
    assert "None" not in page.plain.split()
    assert page.tables
    for tab in page.tables:
        assert tab and all(row for row in tab)
        assert all(cell != "" for row in tab for cell in row)


def _expected_flags(ds) -> tuple[list[str], list[tuple[str, str]], bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = ds.spec.validate(ds.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = rs.measurement_report(clean, spec=ds.spec, n_boot=N_BOOT, seed=1)
    messages = list(m.notes) + list(m.cfa.warnings)
    pairs = [(p.construct_a, p.construct_b) for p in m.htmt.pairs.itertuples()
             if p.htmt >= HTMT_FLAG]
    r = m.cfa.factor_correlations
    names = list(r.index)
    pairs += [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
              if abs(r.loc[a, b]) >= LATENT_R_FLAG]
    non_pd = bool(np.linalg.eigvalsh(m.cfa.factor_cov.to_numpy()).min() <= 0)
    return messages + [f"Heywood case: item {i}" for i in m.cfa.heywood], pairs, non_pd


@pytest.mark.parametrize("name", NAMES)
def test_every_measurement_flag_in_text(built, name):
    ds, rep, page = built[name]
    messages, pairs, non_pd = _expected_flags(ds)
    flags = rep.readings.sections["measurement"].flags
    for msg in messages:
        bare = msg[5:] if msg.startswith("CFA: ") else msg
        # said verbatim, or by the report's own flag for the same constructs
        assert plain_note(bare) in page.plain or covered(bare, flags), msg
    for a, b in pairs:
        assert f"between {a} and {b}" in page.plain, (a, b)
    if non_pd:
        assert "Non-positive-definite latent covariance matrix" in page.plain
    if name == "corp_rep":  # the known improper solution and HTMT problems of corp_rep
        assert non_pd and pairs
    if name == "ecsi_mobi":
        assert ("service", "connection") in pairs


def test_nps_refused_on_other_scales_and_computed_on_0_10(built):
    for name in ("ecsi_mobi", "corp_rep"):
        ds, rep, page = built[name]
        sec = rep.readings.sections["nps"]
        assert not sec.available and sec.reason.code == "nps_scale"
        assert f"is on {ds.spec.ltr_scale.min}–{ds.spec.ltr_scale.max}, not 0–10" in page.plain
        assert "promoters" not in " ".join(r for t in page.tables for row in t for r in row)
    ds, rep, page = built["sim_base"]
    sec = rep.readings.sections["nps"]
    assert sec.available and set(sec.results["by"]) == {"segment", "moment"}
    assert "NPS by segment" in page.plain and "NPS by moment" in page.plain


def test_readings_do_not_rank_overlapping_intervals(built):
    for _, rep, page in built.values():
        d = rep.readings.sections["drivers"].results["drivers"]
        c = d.constructs.sort_values("estimate", ascending=False)
        top = c.iloc[0]
        overlap = [n for n, r in c.iloc[1:].iterrows()
                   if not (r["ci_high"] < top["ci_low"] or r["ci_low"] > top["ci_high"])]
        if overlap:
            assert "cannot be distinguished" in page.plain
            assert f"{c.index[0]} contributes most" not in page.plain
        for k, r in d.differences.iterrows():
            a, b = k.replace("ring", "").split(" - ")
            if r["ci_low"] <= 0 <= r["ci_high"]:
                assert f"rings {a} and {b}" in page.plain


def test_ipma_performance_formula(built):
    ds, rep, _ = built["corp_rep"]
    res = rep.readings.sections["ipma"].results["ipma"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two-item constructs warn by design
        clean = ds.spec.validate(ds.data)
    item = ds.spec.constructs[0].items[0]
    sc = ds.spec.scale_of(item)
    want = (clean[item].mean() - sc.min) / (sc.max - sc.min) * 100
    assert res.items.loc[item, "performance"] == pytest.approx(want)
    k = len(ds.spec.constructs[0].items)
    name = ds.spec.constructs[0].name
    assert res.items.loc[item, "importance"] == pytest.approx(
        res.constructs.loc[name, "importance"] / k)
    assert (res.constructs["performance_ci_low"] < res.constructs["performance"]).all()


def test_footer_hashes_versions_and_seed(built):
    ds, rep, page = built["ecsi_mobi"]
    rd = rep.readings
    assert rd.spec_sha256 == hashlib.sha256(ds.spec.to_yaml().encode()).hexdigest()
    assert rd.data_sha256 == data_hash(ds.data)
    assert rd.spec_sha256 in rep.html and rd.data_sha256 in rep.html
    for pkg in ("ringstats", "numpy", "scipy", "pandas", "statsmodels", "matplotlib"):
        assert f"{pkg} {rd.versions[pkg]}" in page.plain
    assert "Seed: 1" in page.plain
    assert "@media print" in rep.html


def test_same_seed_same_bytes_and_data_untouched():
    ds = rs.datasets.load("ecsi_mobi")
    before = ds.data.copy()
    a = rs.report(ds.data, spec=ds.spec, n_boot=10, seed=5, sections=["drivers", "ipma"])
    b = rs.report(ds.data, spec=ds.spec, n_boot=10, seed=5, sections=["drivers", "ipma"])
    assert a.html == b.html
    pd.testing.assert_frame_equal(ds.data, before)
    assert list(a.readings.sections) == ["drivers", "ipma"]


def test_dutch_build(built):
    ds, _, _ = built["corp_rep"]
    rep = rs.report(ds.data, spec=ds.spec, n_boot=N_BOOT, seed=1, lang="nl")
    page = parse(rep.html)
    assert "<html lang='nl'>" in rep.html
    for heading in ("Controle van de data", "Kwaliteit van de meting", "Belang van de drivers",
                    "Prioriteitenkaart", "Plateaus per ring", "Methoden", "Literatuur",
                    "Reproduceerbaarheid"):
        assert heading in page.plain
    for english in ("Data check", "Reading", "Driver importance", "cannot be distinguished"):
        assert english not in page.plain
    assert "Geen NPS: de aanbevelingsvraag cusl_1 loopt van 1 tot 7" in page.plain
    assert re.search(r"\d,\d\d", page.plain)  # decimal comma
    assert "latente covariantiematrix is niet positief definiet" in page.plain
    assert not re.search(r"\bnan\b", page.plain, re.I)
    assert not re.search(r"https?://", rep.html)
    assert "Ring 1: kernpropositie" in rep.readings.spec.name or "kernpropositie" in page.plain


@pytest.mark.parametrize("lang", LANGS)
def test_every_flag_code_has_words(lang):
    params = {"n": 10, "limit": 200, "column": "x", "share": 0.3, "rings": [3], "min": 1,
              "max": 7, "min_eigen": -0.01, "item": "q1", "r": 0.97, "a": "A", "b": "B",
              "htmt": 0.93, "ci_low": 0.9, "ci_high": 1.0, "role": "segment",
              "pairs": "A–B"}
    for code in _FLAGS[lang]:
        text = flag_text(Flag(code, params), lang)
        assert text and "{" not in text
    assert flag_text(Flag("note", text="as is"), lang) == "as is"
    assert "NaN" not in flag_text(Flag("note", text="omega is undefined (NaN)."), lang)


def test_summary_to_frame_and_notebook_display(built):
    _, rep, _ = built["sim_base"]
    assert isinstance(rep, Report)
    tab = rep.to_frame()
    assert list(tab.columns) == ["section", "name", "quantity", "estimate", "ci_low", "ci_high"]
    assert set(tab["section"]) >= {"data", "measurement", "drivers", "ipma", "nps", "asymmetry"}
    assert tab["estimate"].notna().all()
    text = str(rep.summary())
    assert "Driver importance" in text and "data_sha256" in text
    frag = rep._repr_html_()
    assert frag.startswith("<style>") and "<html" not in frag and ".rs-report" in frag
    assert "body{" not in frag.replace(" ", "")  # CSS scoped to the report


def test_bad_input_is_refused():
    ds = rs.datasets.load("sim_base", n=300)
    with pytest.raises(RingstatsError, match="`lang`"):
        rs.report(ds.data, spec=ds.spec, lang="fr")
    with pytest.raises(RingstatsError, match="`sections`"):
        rs.report(ds.data, spec=ds.spec, sections=["nope"])
    with pytest.raises(RingstatsError, match="`spec`"):
        rs.report(ds.data, spec={"a": ["x"]})
    with pytest.raises(RingstatsError, match="`n_boot`"):
        rs.report(ds.data, spec=ds.spec, n_boot=-1)
    bad = ds.data.copy()
    bad.loc[bad.index[0], ds.spec.items[0]] = 99
    with pytest.raises(ValidationError):
        rs.report(bad, spec=ds.spec)
    assert set(SECTIONS) == {"data", "measurement", "drivers", "ipma", "nps", "plateau",
                             "asymmetry"}


def test_cli_report(tmp_path, capsys):
    from ringstats.cli import main

    ds = rs.datasets.load("sim_base", n=600, seed=2)
    csv, yml, out = tmp_path / "s.csv", tmp_path / "s.yaml", tmp_path / "r" / "report.html"
    ds.data.to_csv(csv, index=False)
    ds.spec.to_yaml(yml)
    code = main(["report", str(csv), "--spec", str(yml), "-o", str(out), "--n-boot", "10",
                 "--seed", "3", "--lang", "nl", "--quiet"])
    assert code == 0 and out.exists()
    assert capsys.readouterr().out.startswith(f"wrote {out}")
    assert "Rapport drie-ringenonderzoek" in out.read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "missing.csv"), "--spec", str(yml), "-o",
                 str(out)]) == 2


def test_cli_report_json_record(tmp_path, capsys):
    import json

    from ringstats.cli import main

    ds = rs.datasets.load("ecsi_mobi")
    csv, yml, out = tmp_path / "e.csv", tmp_path / "e.yaml", tmp_path / "e.html"
    ds.data.to_csv(csv, index=False)
    ds.spec.to_yaml(yml)
    assert main(["report", str(csv), "--spec", str(yml), "-o", str(out), "--n-boot", "10",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "report" and doc["files"] == [str(out)]
    res = doc["results"]["report"]
    assert res["type"] == "Report" and "html" not in res["values"]
    assert res["tables"]["table"]["columns"][:3] == ["section", "name", "quantity"]


def test_nps_with_the_spec_rule_is_labelled_non_standard(built):
    ds, _, _ = built["corp_rep"]
    d = ds.spec.to_dict()
    d["outcomes"].pop("ltr_scale", None)
    d["outcomes"]["ltr"] = {"column": ds.spec.ltr, "scale": {"min": 1, "max": 7},
                            "nps": {"promoters": [7], "detractors": [1, 2, 3, 4]}}
    spec = rs.RingSpec.from_dict(d)
    rep = rs.report(ds.data, spec=spec, n_boot=N_BOOT, seed=1, sections=["nps"])
    sec = rep.readings.sections["nps"]
    assert sec.available and round(sec.results["overall"].nps, 1) == -6.2  # the dataset card
    page = parse(rep.html)
    assert "NPS −6 [" in page.plain
    assert "the spec's own rule (promoters 7, detractors 1, 2, 3, 4): not a standard" in page.plain
    assert "segment" in sec.results["by"] and "nps-1" in page.figures


def test_binary_outcome_has_no_ceiling_flag(built):
    _, rep, page = built["sim_base"]
    tab = rep.readings.sections["data"].results["table"]
    assert "repurchase" in tab.index and np.isnan(tab.loc["repurchase", "ceiling"])
    assert "give repurchase the top" not in page.plain
