"""Plain-language readings generated from the numbers, never claiming more than the intervals.

Rules used everywhere: two estimates whose intervals overlap are "cannot be distinguished",
never ranked; a difference is claimed only when its own interval excludes zero (ring
shares) or a multiplicity-adjusted test rejects (NPS segments); thresholds are called
rules of thumb.
"""

from __future__ import annotations

import math

from ._compute import Readings, SectionData, indistinct_pairs
from ._i18n import T, ci, fmt, pct, pval, ring_label, signed

__all__ = ["reading"]


def _and(names: list[str], lang: str) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    word = " and " if lang == "en" else " en "
    return ", ".join(names[:-1]) + word + names[-1]


def _values(vals) -> str:
    return ", ".join(f"{float(v):g}" for v in vals)


def _overlap(lo1: float, hi1: float, lo2: float, hi2: float) -> bool:
    return not (lo1 > hi2 or lo2 > hi1)


def _L(lang: str, en: str, nl: str, **kw) -> str:
    return (en if lang == "en" else nl).format(**kw)


# ------------------------------------------------------------------------------ data
def _data(sec: SectionData, lang: str) -> list[str]:
    r = sec.results
    tab = r["table"]
    out = [_L(lang,
              "{n} respondents; {c} ({p}) answered every item of the {k} constructs "
              "({i} items).",
              "{n} respondenten; {c} ({p}) beantwoordden alle items van de {k} constructen "
              "({i} items).",
              n=r["n"], c=r["n_complete"], p=pct(r["n_complete"] / max(r["n"], 1), lang),
              k=r["n_constructs"], i=r["n_items"])]
    if r["n_coded_missing"]:
        out.append(_L(lang, "{m} answers carried a missing-value code and count as missing.",
                      "{m} antwoorden hadden een code voor 'ontbrekend' en tellen als "
                      "ontbrekend.", m=r["n_coded_missing"]))
    worst = tab["missing"].idxmax()
    out.append(_L(lang, "Most missing: {c} ({p}).", "Meest ontbrekend: {c} ({p}).",
                  c=worst, p=pct(tab.loc[worst, "missing"], lang, 1)))
    ceil = [c for c in tab.index if tab.loc[c, "ceiling"] >= 0.5]
    if ceil:
        out.append(_L(lang, "Half or more of the respondents give the top score on {c}: a "
                            "ceiling that hides differences among satisfied customers.",
                      "De helft of meer van de respondenten geeft de hoogste score op {c}: "
                      "een plafond dat verschillen tussen tevreden klanten verbergt.",
                      c=_and(ceil, lang)))
    else:
        top = tab["ceiling"].idxmax()
        out.append(_L(lang, "No item has half of its answers at the top of the scale "
                            "(highest: {c}, {p}).",
                      "Geen item heeft de helft van de antwoorden op de hoogste score "
                      "(hoogst: {c}, {p}).", c=top, p=pct(tab.loc[top, "ceiling"], lang)))
    return out


# ------------------------------------------------------------------------------ measurement
RULES = (("cfi", ">=", 0.95), ("tli", ">=", 0.95), ("rmsea", "<=", 0.06), ("srmr", "<=", 0.08))


def fit_judgements(fit) -> list[tuple[str, float, str, float, bool]]:
    """Each rule of thumb against the judged indices (robust ones under WLSMV:
    :func:`ringstats.measurement._cfa.judged_fit`)."""
    from ..measurement._cfa import judged_fit

    j, _ = judged_fit(fit)
    out = []
    for key, op, cut in RULES:
        v = j[key]
        ok = v >= cut if op == ">=" else v <= cut
        out.append((key, v, op, cut, ok))
    return out


def _measurement(sec: SectionData, lang: str) -> list[str]:
    r = sec.results
    out = []
    cfa = r.get("cfa")
    if cfa is not None:
        from ..measurement._cfa import judged_fit

        j = fit_judgements(cfa.fit)
        miss = [f"{k.upper()} {fmt(v, lang, 3)}" for k, v, _, _, ok in j if not ok]
        f, version = judged_fit(cfa.fit)
        est = getattr(cfa, "estimator", "ML")
        how = "" if version == "standard" else _L(
            lang, " ({e}, {v} indices)", " ({e}, {v} indices)", e=est,
            v=version if lang == "en" else {"robust": "robuuste", "scaled": "geschaalde"}[version])
        base = _L(lang, "CFA fit{how}: CFI {cfi}, TLI {tli}, RMSEA {rm} {rci}, SRMR {sr}.",
                  "CFA-fit{how}: CFI {cfi}, TLI {tli}, RMSEA {rm} {rci}, SRMR {sr}.", how=how,
                  cfi=fmt(f["cfi"], lang, 3), tli=fmt(f["tli"], lang, 3),
                  rm=fmt(f["rmsea"], lang, 3),
                  rci=ci(f["rmsea_ci_low"], f["rmsea_ci_high"], lang, 3),
                  sr=fmt(f["srmr"], lang, 3))
        if not miss:
            base += _L(lang, " All four meet the usual rules of thumb (Hu & Bentler 1999); "
                             "these are conventions, not tests.",
                       " Alle vier voldoen aan de gangbare vuistregels (Hu & Bentler 1999); "
                       "dat zijn afspraken, geen toetsen.")
        else:
            base += _L(lang, " Outside the usual rules of thumb: {m}.",
                       " Buiten de gangbare vuistregels: {m}.", m=_and(miss, lang))
        out.append(base)
    rep = r.get("report")
    if rep is not None:
        chk = rep.checks
        bad = []
        for c, row in chk.iterrows():
            why = []
            if row["alpha"] < 0.70:
                why.append(f"alpha {fmt(row['alpha'], lang)}")
            if row["cr"] < 0.70:
                why.append(f"CR {fmt(row['cr'], lang)}")
            if row["ave"] < 0.50:
                why.append(f"AVE {fmt(row['ave'], lang)}")
            if row["min_std_loading"] < 0.60:
                why.append(_L(lang, "a loading of {v}", "een lading van {v}",
                              v=fmt(row["min_std_loading"], lang)))
            if why:
                bad.append(f"{c} ({', '.join(why)})")
        if bad:
            out.append(_L(lang, "Below the usual reliability thresholds (alpha and CR ≥ .70, "
                                "AVE ≥ .50, loadings ≥ .60): {b}.",
                          "Onder de gangbare drempels voor betrouwbaarheid (alpha en CR ≥ "
                          "0,70, AVE ≥ 0,50, ladingen ≥ 0,60): {b}.", b="; ".join(bad)))
        else:
            out.append(_L(lang, "Every construct meets the usual reliability thresholds.",
                          "Elk construct haalt de gangbare drempels voor betrouwbaarheid."))
    pairs = indistinct_pairs(sec)
    if pairs:
        txt = _and([f"{a}–{b}" for a, b in pairs], lang)
        out.append(_L(lang, "Not empirically distinct (HTMT ≥ .90 or latent r ≥ .95): {p}. "
                            "Any result that compares these constructs with each other "
                            "(importance, priority) cannot separate them; consider merging them.",
                      "Empirisch niet te onderscheiden (HTMT ≥ 0,90 of latente r ≥ 0,95): "
                      "{p}. Elk resultaat dat deze constructen met elkaar vergelijkt (belang, "
                      "prioriteit) kan ze niet scheiden; overweeg ze samen te voegen.", p=txt))
    else:
        out.append(_L(lang, "Every construct pair has HTMT below .90: the constructs are "
                            "distinct by this criterion.",
                      "Elk paar constructen heeft een HTMT onder 0,90: volgens dit criterium "
                      "zijn de constructen te onderscheiden."))
    if any(f.code == "non_pd" for f in sec.flags):
        out.append(_L(lang, "The CFA solution is improper (non-positive-definite latent "
                            "covariance matrix): read its loadings and fit with caution.",
                      "De CFA-oplossing is ongeldig (latente covariantiematrix niet positief "
                      "definiet): lees ladingen en fit met voorzichtigheid."))
    return out


# ------------------------------------------------------------------------------ drivers
def _drivers(sec: SectionData, lang: str, meas: SectionData | None) -> list[str]:
    d = sec.results["drivers"]
    out = [_L(lang, "The constructs together explain R² = {r} {c} of {o}.",
              "Samen verklaren de constructen R² = {r} {c} van {o}.",
              r=fmt(d.r2, lang), c=ci(d.r2_ci_low, d.r2_ci_high, lang), o=d.outcome)]
    rings = d.rings.sort_values("share", ascending=False)
    shares = "; ".join(f"{ring_label(int(i), lang)} {pct(row['share'], lang)} "
                       f"{ci(100 * row['ci_low'], 100 * row['ci_high'], lang, 0)}"
                       for i, row in rings.iterrows())
    out.append(_L(lang, "Ring shares of the explained variance: {s}.",
                  "Aandeel per ring in de verklaarde variantie: {s}.", s=shares))
    if not d.n_boot:
        out.append(_L(lang, "Without bootstrap intervals the rings are not ranked.",
                      "Zonder bootstrap-intervallen worden de ringen niet gerangschikt."))
    else:
        same, diff = [], []
        for name, row in d.differences.iterrows():
            a, b = name.replace("ring", "").split(" - ")
            if row["ci_low"] > 0 or row["ci_high"] < 0:
                hi_, lo_ = (a, b) if row["estimate"] > 0 else (b, a)
                diff.append(_L(lang, "ring {h} has a larger share than ring {l} "
                                     "(difference {e} {c})",
                               "ring {h} heeft een groter aandeel dan ring {l} (verschil {e} {c})",
                               h=hi_, l=lo_, e=fmt(abs(row["estimate"]), lang),
                               c=ci(*sorted((abs(row["ci_low"]), abs(row["ci_high"]))), lang)))
            else:
                same.append(_L(lang, "rings {a} and {b}", "ringen {a} en {b}", a=a, b=b))
        if diff:
            out.append(_L(lang, "The intervals support: {d}.", "De intervallen laten zien: {d}.",
                          d="; ".join(diff)))
        if same:
            out.append(_L(lang, "Cannot be distinguished (the interval of the difference "
                                "includes zero): {s}.",
                          "Niet te onderscheiden (het interval van het verschil bevat nul): "
                          "{s}.", s=_and(same, lang)))
    c = d.constructs.sort_values("estimate", ascending=False)
    top = c.index[0]
    if d.n_boot and c["ci_low"].notna().all():
        tl, th = c.loc[top, "ci_low"], c.loc[top, "ci_high"]
        tied = [n for n in c.index[1:] if _overlap(tl, th, c.loc[n, "ci_low"], c.loc[n, "ci_high"])]
        if tied:
            out.append(_L(lang, "The largest construct contribution is {t} ({e} {c}), but its "
                                "interval overlaps that of {o}: these cannot be distinguished.",
                          "De grootste bijdrage per construct heeft {t} ({e} {c}), maar het "
                          "interval overlapt met dat van {o}: die zijn niet te onderscheiden.",
                          t=top, e=fmt(c.loc[top, "estimate"], lang, 3),
                          c=ci(tl, th, lang, 3), o=_and(tied, lang)))
        else:
            out.append(_L(lang, "{t} contributes most ({e} {c}); its interval does not overlap "
                                "any other construct's.",
                          "{t} draagt het meest bij ({e} {c}); het interval overlapt met dat "
                          "van geen enkel ander construct.", t=top,
                          e=fmt(c.loc[top, "estimate"], lang, 3), c=ci(tl, th, lang, 3)))
    pairs = indistinct_pairs(meas)
    if pairs:
        out.append(_L(lang, "Caution: {p} are not empirically distinct (section 2); how the "
                            "importance is split between them is arbitrary.",
                      "Let op: {p} zijn empirisch niet te onderscheiden (sectie 2); hoe het "
                      "belang over hen wordt verdeeld, is willekeurig.",
                      p=_and([f"{a}–{b}" for a, b in pairs], lang)))
    return out


# ------------------------------------------------------------------------------ IPMA
def _ipma(sec: SectionData, lang: str) -> list[str]:
    res = sec.results["ipma"]
    c = res.constructs
    mi, mp = float(c["importance"].mean()), float(c["performance"].mean())
    prio = c[(c["importance"] >= mi) & (c["performance"] < mp)]
    out = []
    if len(prio):
        parts = []
        for name, row in prio.iterrows():
            firm = (row["importance_ci_low"] > mi if math.isfinite(row["importance_ci_low"])
                    else False) and row["performance_ci_high"] < mp
            parts.append(_L(lang, "{n} (importance {i}, performance {p} {c}{f})",
                            "{n} (belang {i}, prestatie {p} {c}{f})", n=name,
                            i=fmt(row["importance"], lang, 3),
                            p=fmt(row["performance"], lang, 0),
                            c=ci(row["performance_ci_low"], row["performance_ci_high"], lang, 0),
                            f="" if firm else _L(lang, "; its intervals cross the average "
                                                       "lines, so the placement is not firm",
                                                 "; de intervallen kruisen de gemiddelde lijnen,"
                                                 " de plaats is dus niet zeker")))
        out.append(_L(lang, "Priority candidates (above-average importance, below-average "
                            "performance): {p}.",
                      "Kandidaten voor prioriteit (bovengemiddeld belang, ondergemiddelde "
                      "prestatie): {p}.", p="; ".join(parts)))
    else:
        out.append(_L(lang, "No construct combines above-average importance with "
                            "below-average performance.",
                      "Geen construct combineert bovengemiddeld belang met ondergemiddelde "
                      "prestatie."))
    it = res.items.sort_values("performance")
    low = it.index[0]
    lo_hi = it.loc[low, "performance_ci_high"]
    tied = [n for n in it.index[1:] if it.loc[n, "performance_ci_low"] <= lo_hi]
    txt = _L(lang, "Lowest-performing item: {i} ({c}, {p} {ci}).",
             "Item met de laagste prestatie: {i} ({c}, {p} {ci}).", i=low,
             c=it.loc[low, "construct"], p=fmt(it.loc[low, "performance"], lang, 0),
             ci=ci(it.loc[low, "performance_ci_low"], lo_hi, lang, 0))
    if tied:
        txt += _L(lang, " It cannot be distinguished from {t}.",
                  " Het is niet te onderscheiden van {t}.", t=_and(tied[:5], lang)
                  + (" …" if len(tied) > 5 else ""))
    out.append(txt)
    return out


# ------------------------------------------------------------------------------ NPS
def _nps(sec: SectionData, lang: str) -> list[str]:
    r = sec.results
    o = r["overall"]
    out = [_L(lang, "NPS {v} {c} (n = {n}): promoters {p}, passives {pa}, detractors {d}. "
                    "Mean likelihood to recommend {m} {mc}.",
              "NPS {v} {c} (n = {n}): promoters {p}, passives {pa}, detractors {d}. "
              "Gemiddelde aanbevelingsscore {m} {mc}.",
              v=signed(o.nps, lang), c=ci(o.ci_low, o.ci_high, lang, 0, sign=True), n=o.n,
              p=pct(o.promoters / 100, lang), pa=pct(o.passives / 100, lang),
              d=pct(o.detractors / 100, lang), m=fmt(o.mean_ltr, lang),
              mc=ci(o.mean_ci_low, o.mean_ci_high, lang))]
    if r["rule"] is not None:
        out.append(_L(lang, "Computed with the spec's own rule (promoters {p}, detractors {d}): "
                            "not a standard 0–10 NPS, not comparable with benchmarks.",
                      "Berekend met de eigen regel uit de specificatie (promoters {p}, "
                      "detractors {d}): geen standaard-NPS op 0–10, niet vergelijkbaar met "
                      "benchmarks.", p=_values(r["rule"]["promoter"]),
                      d=_values(r["rule"]["detractor"])))
    for role, (_col, tab) in r["by"].items():
        label = T[lang][role]
        if "p_adj" in tab.columns:
            sig = tab[tab["p_adj"] < 0.05]
            if len(sig):
                parts = [f"{i} (NPS {signed(row['nps'], lang)} "
                         f"{ci(row['ci_low'], row['ci_high'], lang, 0, sign=True)}, p "
                         f"{'' if row['p_adj'] < 0.001 else '= '}{pval(row['p_adj'], lang)})"
                         for i, row in sig.iterrows()]
                many = len(parts) > 1
                out.append(_L(lang, "By {r}: {p} {v} from the rest (Holm-adjusted p < .05).",
                              "Per {r}: {p} {v} af van de rest (p < 0,05 na Holm-correctie).",
                              r=label, p=_and(parts, lang),
                              v=("differ" if many else "differs") if lang == "en"
                              else ("wijken" if many else "wijkt")))
            else:
                out.append(_L(lang, "By {r}: no {r} can be distinguished from the rest "
                                    "(Holm-adjusted p ≥ .05 for all).",
                              "Per {r}: geen enkel {r} is te onderscheiden van de rest "
                              "(p ≥ 0,05 na Holm-correctie).", r=label))
        else:
            lo, hi = tab["ci_low"], tab["ci_high"]
            apart = bool(lo.max() > hi.min())
            out.append(_L(lang, "By {r}: the intervals {w}.", "Per {r}: de intervallen {w}.",
                          r=label, w=_L(lang, "do not all overlap", "overlappen niet allemaal")
                          if apart else _L(lang, "all overlap: no {r} can be distinguished",
                                           "overlappen allemaal: geen {r} is te onderscheiden",
                                           r=label)))
    out.append(_L(lang, "The NPS is a vendor statistic (Bain & Company); the mean likelihood "
                        "to recommend uses all the information in the answers.",
                  "De NPS is een commerciële maatstaf (Bain & Company); de gemiddelde "
                  "aanbevelingsscore gebruikt alle informatie in de antwoorden."))
    return out


# ------------------------------------------------------------------------------ plateau
_VERDICT = {
    "en": {"plateau": "plateau: the effect flattens above a breakpoint",
           "diminishing": "diminishing: the effect weakens but does not stop",
           "decline": "decline: the effect turns negative above a breakpoint (inverted U)",
           "dip": "dip: the effect is negative below a breakpoint, positive above (U shape)",
           "linear": "linear: no sign of a bend",
           "increasing": "increasing: the effect grows at higher levels",
           "inconclusive": "inconclusive: these data cannot decide"},
    "nl": {"plateau": "plateau: het effect vlakt af boven een knikpunt",
           "diminishing": "afnemend: het effect wordt zwakker maar stopt niet",
           "decline": "daling: boven een knikpunt wordt het effect negatief (omgekeerde U)",
           "dip": "dal: onder een knikpunt negatief, erboven positief (U-vorm)",
           "linear": "lineair: geen teken van een knik",
           "increasing": "toenemend: het effect wordt sterker bij hogere niveaus",
           "inconclusive": "onbeslist: deze data kunnen het niet zeggen"},
}


def verdict_text(v: str, lang: str) -> str:
    return _VERDICT[lang].get(v, v)


def _plateau(sec: SectionData, lang: str) -> list[str]:
    p = sec.results["plateau"]
    out = []
    for key, res in p.results.items():
        r = int(key.replace("ring", "")) if key.startswith("ring") else key
        line = f"{ring_label(r, lang) if isinstance(r, int) else r}: {verdict_text(res.verdict, lang)}"
        g = res.segmented
        if (res.verdict in ("plateau", "diminishing", "decline", "dip")
                and math.isfinite(g.psi_scale)):
            line += _L(lang, " (breakpoint at {b} scale points {c})",
                       " (knikpunt bij {b} schaalpunten {c})", b=fmt(g.psi_scale, lang),
                       c=ci(g.psi_scale_ci_low, g.psi_scale_ci_high, lang))
        if lang == "en" and res.reason:
            line += f". {res.reason[0].upper()}{res.reason[1:]}"
        out.append(line.rstrip(".") + ".")
    if any(res.verdict == "inconclusive" for res in p.results.values()):
        need = [res.n_needed for res in p.results.values() if res.verdict == "inconclusive"
                and math.isfinite(res.n_needed)]
        txt = _L(lang, "Inconclusive is not evidence against a plateau: the sample cannot "
                       "tell the shapes apart.",
                 "Onbeslist is geen bewijs tegen een plateau: de steekproef kan de vormen niet "
                 "uit elkaar houden.")
        if need:
            txt += _L(lang, " A decision would need roughly n = {n} respondents.",
                      " Een beslissing vraagt ruwweg n = {n} respondenten.",
                      n=f"{min(need):,.0f}".replace(",", "." if lang == "nl" else ","))
        out.append(txt)
    return out


# ------------------------------------------------------------------------------ asymmetry
_CLS = {"en": {"basic": "basic (losses weigh more than gains)",
               "excitement": "excitement (gains weigh more than losses)",
               "performance": "performance (symmetric)", "unclear": "unclear"},
        "nl": {"basic": "basis (verlies weegt zwaarder dan winst)",
               "excitement": "enthousiasme (winst weegt zwaarder dan verlies)",
               "performance": "prestatie (symmetrisch)", "unclear": "onduidelijk"}}


def class_text(c: str, lang: str) -> str:
    return _CLS[lang].get(c, c)


def _asymmetry(sec: SectionData, lang: str) -> list[str]:
    ia = sec.results["ia"]
    tab = ia.table
    out = []
    groups: dict[str, list[str]] = {}
    for name, row in tab.iterrows():
        groups.setdefault(str(row["cls"]), []).append(str(name))
    for cls, names in groups.items():
        if cls == "unclear":
            out.append(_L(lang, "No class for {n}: the interval of the asymmetry spans more "
                                "than one class (or the effect is not clearly positive).",
                          "Geen klasse voor {n}: het interval van de asymmetrie beslaat meer "
                          "dan één klasse (of het effect is niet duidelijk positief).",
                          n=_and(names, lang)))
        else:
            out.append(f"{class_text(cls, lang)}: {_and(names, lang)}.")
    return out


def reading(key: str, sec: SectionData, rd: Readings, lang: str) -> list[str]:
    """The reading of one computed section (empty when the section is not available)."""
    if not sec.available:
        return []
    if key == "data":
        return _data(sec, lang)
    if key == "measurement":
        return _measurement(sec, lang)
    if key == "drivers":
        return _drivers(sec, lang, rd.sections.get("measurement"))
    if key == "ipma":
        return _ipma(sec, lang)
    if key == "nps":
        return _nps(sec, lang)
    if key == "plateau":
        return _plateau(sec, lang)
    if key == "asymmetry":
        return _asymmetry(sec, lang)
    return []
