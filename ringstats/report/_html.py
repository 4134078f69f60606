"""One self-contained HTML page: inline CSS (with print rules), inline SVG, no external URL."""

from __future__ import annotations

import html

from ._compute import Readings
from ._figures import figures
from ._i18n import T, flag_text
from ._readings import reading
from ._tables import tables

__all__ = ["render", "CSS"]

CSS = """
.rs-report{font-family:"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1d1f;line-height:1.45;
  max-width:1100px;margin:0 auto;padding:1.5rem 2rem;font-size:15px;background:#fff}
.rs-report h1{font-size:1.8rem;margin:0 0 .2rem 0;color:#0b3d5c}
.rs-report .rs-sub{color:#555;margin:0 0 1rem 0}
.rs-report h2{font-size:1.3rem;margin:2rem 0 .6rem 0;padding-bottom:.2rem;
  border-bottom:2px solid #0072B2;color:#0b3d5c}
.rs-report h3{font-size:1rem;margin:1rem 0 .4rem 0;color:#333}
.rs-report nav ol{columns:2;margin:.3rem 0 1rem 1.2rem;padding:0}
.rs-report nav a{color:#0072B2;text-decoration:none}
.rs-report .rs-reading{background:#f3f8fb;border-left:4px solid #0072B2;padding:.6rem .9rem;
  margin:.6rem 0 1rem 0}
.rs-report .rs-reading p{margin:.25rem 0}
.rs-report .rs-refused{background:#fff6e5;border-left:4px solid #E69F00;padding:.6rem .9rem}
.rs-report .rs-flags{background:#fdf0ec;border-left:4px solid #D55E00;padding:.5rem .9rem;
  margin:.6rem 0 1rem 0}
.rs-report .rs-flags ul{margin:.2rem 0 .2rem 1.1rem;padding:0}
.rs-report .rs-flags li{margin:.15rem 0}
.rs-report .rs-noflags{color:#555;font-style:italic}
.rs-report table{border-collapse:collapse;margin:.3rem 0 1rem 0;font-size:.85rem;
  font-variant-numeric:tabular-nums}
.rs-report th,.rs-report td{padding:.2rem .55rem;border-bottom:1px solid #ddd;text-align:right}
.rs-report th:first-child,.rs-report td:first-child{text-align:left}
.rs-report tbody th{font-weight:600}
.rs-report thead th{background:#eef3f7;border-bottom:2px solid #bbb}
.rs-report .rs-tablewrap{overflow-x:auto}
.rs-report figure{margin:.5rem 0 1.2rem 0}
.rs-report svg.rs-fig{max-width:100%;height:auto;display:block}
.rs-report figcaption{font-size:.85rem;color:#444;margin-top:.2rem}
.rs-report .rs-methods p,.rs-report .rs-refs li{font-size:.9rem}
.rs-report footer{margin-top:2rem;padding-top:.6rem;border-top:1px solid #ccc;font-size:.8rem;
  color:#444}
.rs-report footer code{font-size:.75rem;word-break:break-all}
.rs-report footer table{font-size:.78rem}
@media print{
  @page{size:A4;margin:14mm}
  .rs-report{max-width:none;padding:0;font-size:10.5pt}
  .rs-report nav{display:none}
  .rs-report h2{break-after:avoid;page-break-after:avoid}
  .rs-report h3{break-after:avoid}
  .rs-report figure,.rs-report table,.rs-report .rs-reading,.rs-report .rs-flags{
    break-inside:avoid;page-break-inside:avoid}
  .rs-report section{break-before:auto}
  .rs-report .rs-reading,.rs-report .rs-flags,.rs-report thead th{
    -webkit-print-color-adjust:exact;print-color-adjust:exact}
  .rs-report .rs-tablewrap{overflow:visible}
}
"""

_METHODS = {
    "en": {
        "data": "The data were checked against the ring specification (spec.validate): "
                "missing-value codes set to missing, reverse-keyed items recoded, every value "
                "within its declared scale.",
        "measurement": "Measurement model: maximum-likelihood CFA of the spec's constructs "
                       "(lavaan parity), Cronbach's alpha, composite reliability (CR), average "
                       "variance extracted (AVE) and the heterotrait-monotrait ratio (HTMT) with "
                       "bootstrap percentile intervals. Rules of thumb: CFI/TLI ≥ .95, RMSEA ≤ "
                       ".06, SRMR ≤ .08 (Hu & Bentler 1999); alpha and CR ≥ .70, AVE ≥ .50 "
                       "(Fornell & Larcker 1981); HTMT below .85/.90 (Henseler, Ringle & "
                       "Sarstedt 2015).",
        "drivers": "Driver importance: each construct's mean score enters a linear model of the "
                   "recommend item; the R² is split over constructs (Shapley value, LMG; "
                   "Lindeman, Merenda & Gold 1980; Grömping 2007) and over rings (group "
                   "Shapley value). Intervals: BCa bootstrap (Efron 1987).",
        "ipma": "Importance-performance map (Ringle & Sarstedt 2016): importance is the "
                "construct's Shapley contribution to R²; performance is its mean score "
                "rescaled to 0–100, (mean − scale min)/(scale max − scale min)·100, with a t "
                "interval. An item's importance is its construct's importance divided by the "
                "number of items (its weight in the mean score).",
        "nps": "Net Promoter Score (Reichheld 2003): promoters (9–10) minus detractors (0–6) on "
               "a 0–10 recommend item, or the spec's explicit rule on another scale; "
               "adjusted-Wald interval (Rocks 2016); segments against the rest with Holm's "
               "correction (Holm 1979).",
        "plateau": "Plateau test per ring: latent-trait (EAP) ring scores, segmented regression "
                   "with the other rings as covariates (Muggeo 2003), Davies' test for a kink "
                   "(Davies 1987) and an equivalence test of the slope above the breakpoint "
                   "against half the slope below it.",
        "asymmetry": "Impact-asymmetry analysis (Mikulić & Prebežac 2008): dummy-coded low and "
                     "high levels of each construct's mean score, reward and penalty, the range "
                     "of impact and the asymmetry index with bootstrap intervals; a class is "
                     "given only when the whole interval lies in it. Kano classification "
                     "(Kano et al. 1984) needs its own question pairs.",
    },
    "nl": {
        "data": "De data zijn gecontroleerd tegen de ringspecificatie (spec.validate): codes "
                "voor 'ontbrekend' op ontbrekend gezet, omgekeerd geformuleerde items "
                "omgecodeerd, elke waarde binnen de opgegeven schaal.",
        "measurement": "Meetmodel: CFA met maximum likelihood van de constructen uit de "
                       "specificatie (gelijk aan lavaan), Cronbachs alpha, samengestelde "
                       "betrouwbaarheid (CR), gemiddelde verklaarde variantie (AVE) en de "
                       "heterotrait-monotrait-ratio (HTMT) met bootstrap-intervallen. "
                       "Vuistregels: CFI/TLI ≥ 0,95, RMSEA ≤ 0,06, SRMR ≤ 0,08 (Hu & Bentler "
                       "1999); alpha en CR ≥ 0,70, AVE ≥ 0,50 (Fornell & Larcker 1981); HTMT "
                       "onder 0,85/0,90 (Henseler, Ringle & Sarstedt 2015).",
        "drivers": "Belang van de drivers: de gemiddelde score van elk construct gaat in een "
                   "lineair model van de aanbevelingsvraag; de R² wordt verdeeld over de "
                   "constructen (Shapley-waarde, LMG; Lindeman, Merenda & Gold 1980; Grömping "
                   "2007) en over de ringen (Shapley-waarde per groep). Intervallen: "
                   "BCa-bootstrap (Efron 1987).",
        "ipma": "Prioriteitenkaart (importance-performance map; Ringle & Sarstedt 2016): het "
                "belang is de Shapley-bijdrage van het construct aan R²; de prestatie is de "
                "gemiddelde score herschaald naar 0–100, (gemiddelde − schaalminimum)/"
                "(schaalmaximum − schaalminimum)·100, met een t-interval. Het belang van een "
                "item is het belang van zijn construct gedeeld door het aantal items.",
        "nps": "Net Promoter Score (Reichheld 2003): promoters (9–10) min detractors (0–6) op "
               "een aanbevelingsvraag van 0 tot 10, of de eigen regel uit de specificatie op "
               "een andere schaal; aangepast Wald-interval (Rocks 2016); segmenten tegen de "
               "rest met Holm-correctie (Holm 1979).",
        "plateau": "Plateautoets per ring: latente (EAP-)scores per ring, gesegmenteerde "
                   "regressie met de andere ringen als covariaten (Muggeo 2003), de toets van "
                   "Davies op een knik (Davies 1987) en een equivalentietoets van de helling "
                   "boven het knikpunt tegen de helft van de helling eronder.",
        "asymmetry": "Impact-asymmetrie (Mikulić & Prebežac 2008): lage en hoge niveaus van de "
                     "gemiddelde score per construct als dummy's, beloning en straf, de "
                     "reikwijdte en de asymmetrie-index met bootstrap-intervallen; een klasse "
                     "wordt alleen gegeven als het hele interval erin valt. Een Kano-indeling "
                     "(Kano e.a. 1984) vraagt om eigen vraagparen.",
    },
}

REFERENCES = [
    "Davies, R. B. (1987). Hypothesis testing when a nuisance parameter is present only under "
    "the alternative. Biometrika, 74(1), 33–43.",
    "Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American "
    "Statistical Association, 82(397), 171–185.",
    "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with "
    "unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39–50.",
    "Grömping, U. (2007). Estimators of relative importance in linear regression based on "
    "variance decomposition. The American Statistician, 61(2), 139–147.",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing "
    "discriminant validity in variance-based structural equation modeling. Journal of the "
    "Academy of Marketing Science, 43(1), 115–135.",
    "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian "
    "Journal of Statistics, 6(2), 65–70.",
    "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure "
    "analysis. Structural Equation Modeling, 6(1), 1–55.",
    "Kano, N., Seraku, N., Takahashi, F., & Tsuji, S. (1984). Attractive quality and must-be "
    "quality. Journal of the Japanese Society for Quality Control, 14(2), 39–48.",
    "Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). Introduction to bivariate and "
    "multivariate analysis. Scott, Foresman.",
    "Mikulić, J., & Prebežac, D. (2008). Prioritizing improvement of service attributes using "
    "impact range-performance analysis and impact-asymmetry analysis. Managing Service "
    "Quality, 18(6), 559–576.",
    "Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points. "
    "Statistics in Medicine, 22(19), 3055–3071.",
    "Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review, "
    "81(12), 46–54.",
    "Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The "
    "importance-performance map analysis. Industrial Management & Data Systems, 116(9), "
    "1865–1886.",
    "Rocks, B. (2016). Interval estimation for the net promoter score. The American "
    "Statistician, 70(4), 365–372.",
    "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of "
    "Statistical Software, 48(2), 1–36.",
]

e = html.escape


def _table(title: str, df) -> str:
    head = [df.index.name or ""] + [str(c) for c in df.columns]
    rows = "".join("<tr><th scope='row'>" + e(str(idx)) + "</th>"
                   + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>"
                   for idx, row in zip(df.index, df.itertuples(index=False), strict=True))
    thead = "".join(f"<th scope='col'>{e(h)}</th>" for h in head)
    return (f"<h3>{e(title)}</h3><div class='rs-tablewrap'><table><thead><tr>{thead}</tr>"
            f"</thead><tbody>{rows}</tbody></table></div>")


def _section(key: str, rd: Readings, lang: str) -> str:
    sec = rd.sections[key]
    t = T[lang]
    parts = [f"<section id='rs-{key}'><h2>{e(t[key])}</h2>"]
    if not sec.available:
        parts.append(f"<div class='rs-refused'><p><b>{e(t['not_available'])}.</b> "
                     f"{e(flag_text(sec.reason, lang))}</p></div>")
    else:
        paras = reading(key, sec, rd, lang)
        parts.append(f"<div class='rs-reading'><h3>{e(t['reading'])}</h3>"
                     + "".join(f"<p>{e(p)}</p>" for p in paras) + "</div>")
    if key == "asymmetry":
        parts.append(f"<div class='rs-refused'><p><b>Kano.</b> {e(t['kano_reason'])}</p></div>")
    if sec.flags:
        items = "".join(f"<li>{e(flag_text(f, lang))}</li>" for f in sec.flags)
        parts.append(f"<div class='rs-flags'><h3>{e(t['flags'])}</h3><ul>{items}</ul></div>")
    elif sec.available:
        parts.append(f"<p class='rs-noflags'>{e(t['no_flags'])}</p>")
    for i, (cap, svg) in enumerate(figures(key, sec, rd, lang), 1):
        parts.append(f"<figure data-figure='{key}-{i}'>{svg}<figcaption>{e(cap)}</figcaption>"
                     "</figure>")
    for title, df in tables(key, sec, rd, lang):
        parts.append(_table(title, df))
    parts.append("</section>")
    return "\n".join(parts)


def _footer(rd: Readings, lang: str) -> str:
    t = T[lang]
    vers = " · ".join(f"{e(k)} {e(v)}" for k, v in rd.versions.items())
    return (
        f"<footer id='rs-repro'><h2>{e(t['repro'])}</h2>"
        f"<p>{e(t['seed'])}: <code>{e(str(rd.seed))}</code> · {e(t['n_boot'])}: "
        f"<code>{rd.n_boot}</code></p>"
        f"<p>{e(t['spec_hash'])}: <code>{rd.spec_sha256}</code><br>"
        f"{e(t['data_hash'])}: <code>{rd.data_sha256}</code></p>"
        f"<p>{e(t['versions'])}: {vers}</p>"
        f"<p>{e(t['generated'].format(version=rd.versions.get('ringstats', '?')))}</p></footer>")


def body(rd: Readings, lang: str) -> str:
    """The report as one ``<div class="rs-report">`` (CSS scoped to it)."""
    t = T[lang]
    spec = rd.spec
    keys = list(rd.sections)
    nav = "".join(f"<li><a href='#rs-{k}'>{e(t[k].split('. ', 1)[-1])}</a></li>" for k in keys)
    nav += (f"<li><a href='#rs-methods'>{e(t['methods'])}</a></li>"
            f"<li><a href='#rs-repro'>{e(t['repro'])}</a></li>")
    head = (f"<h1>{e(t['title'])}</h1><p class='rs-sub'>"
            + e(t["subtitle"].format(name=spec.name, n=rd.n, k=len(spec.constructs),
                                     ltr=spec.ltr or "–")) + "</p>"
            f"<nav><h3>{e(t['toc'])}</h3><ol>{nav}</ol></nav>")
    sections = "\n".join(_section(k, rd, lang) for k in keys)
    methods = "".join(f"<p>{e(_METHODS[lang][k])}</p>" for k in keys)
    refs = "".join(f"<li>{e(r)}</li>" for r in REFERENCES)
    tail = (f"<section id='rs-methods' class='rs-methods'><h2>{e(t['methods'])}</h2>{methods}"
            f"</section><section class='rs-refs'><h2>{e(t['references'])}</h2><ul>{refs}</ul>"
            "</section>")
    return (f"<div class='rs-report' lang='{lang}'>{head}{sections}{tail}"
            f"{_footer(rd, lang)}</div>")


def render(rd: Readings, lang: str) -> tuple[str, str]:
    """(full HTML document, notebook fragment with scoped CSS)."""
    b = body(rd, lang)
    frag = f"<style>{CSS}</style>{b}"
    doc = (f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
           "<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>{e(T[lang]['title'])}: {e(rd.spec.name)}</title><style>{CSS}</style>"
           f"</head><body>{b}</body></html>\n")
    return doc, frag
