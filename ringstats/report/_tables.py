"""Display tables of each section: formatted text cells, headings in the reader's language.

Every cell is a string: missing values are written as a dash, never as "nan", and a table
without rows is dropped rather than shown empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._compute import HTMT_FLAG, Readings, SectionData
from ._i18n import T, ci, col_label, fmt, pct, pval, signed
from ._readings import RULES, class_text, verdict_text

__all__ = ["tables"]


def _frame(rows: list[dict], lang: str, index: str | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    if index is not None:
        df = df.set_index(index)
        df.index.name = col_label(index, lang)
    df.columns = [col_label(c, lang) for c in df.columns]
    return df.fillna("–").astype(str)


def _data(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    tab = sec.results["table"]
    rows = []
    for col, r in tab.iterrows():
        rows.append({"column": col, "role": r["role"] if r["role"] != "outcome"
                     else col_label("outcome", lang), "scale": r["scale"], "n": str(r["n"]),
                     "missing": pct(r["missing"], lang, 1),
                     "coded_missing": str(r["coded_missing"]), "mean": fmt(r["mean"], lang),
                     "sd": fmt(r["sd"], lang), "floor": pct(r["floor"], lang),
                     "ceiling": pct(r["ceiling"], lang), "points_used": r["points_used"]})
    return [(T[lang]["items_table"], _frame(rows, lang, "column"))]


def _measurement(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    out = []
    cfa = sec.results.get("cfa")
    yes, no = T[lang]["yes"], T[lang]["no"]
    if cfa is not None:
        f = cfa.fit
        p = pval(f["p_val"], lang)
        rows = [{"index": "χ² (df)", "value": f"{fmt(f['chisq'], lang)} ({int(f['df'])}), "
                 f"p {p if p.startswith('<') else '= ' + p}", "rule": "–", "verdict": "–"}]
        from ..measurement._cfa import judged_fit

        j, version = judged_fit(f)
        tag = "" if version == "standard" else f" ({version})"
        for key, op, cut in RULES:
            v = j[key]
            ok = v >= cut if op == ">=" else v <= cut
            val = fmt(v, lang, 3)
            if key == "rmsea":
                val += " " + ci(j["rmsea_ci_low"], j["rmsea_ci_high"], lang, 3)
            rows.append({"index": key.upper() + (tag if key != "srmr" else ""), "value": val,
                         "rule": f"{'≥' if op == '>=' else '≤'} {fmt(cut, lang)}",
                         "verdict": T[lang]["meets"] if ok else T[lang]["misses"]})
        title = T[lang]["fit_table"] + f" ({getattr(cfa, 'estimator', 'ML')})"
        out.append((title, _frame(rows, lang, "index")))
    rep = sec.results.get("report")
    if rep is not None:
        rows = []
        for c, r in rep.checks.iterrows():
            rows.append({"construct": c, "ring": str(int(r["ring"])) if "ring" in r else "–",
                         "alpha": fmt(r["alpha"], lang), "cr": fmt(r["cr"], lang),
                         "ave": fmt(r["ave"], lang),
                         "min_loading": fmt(r["min_std_loading"], lang),
                         "max_htmt": fmt(r["max_htmt"], lang), "ok": yes if r["ok"] else no})
        out.append((T[lang]["checks_table"], _frame(rows, lang, "construct")))
    else:
        rel = sec.results["reliability"].table
        rows = [{"construct": c, "alpha": fmt(r.get("alpha"), lang), "cr": fmt(r.get("cr"), lang),
                 "ave": fmt(r.get("ave"), lang)} for c, r in rel.iterrows()]
        out.append((T[lang]["checks_table"], _frame(rows, lang, "construct")))
    pairs = sec.results["htmt"].pairs.sort_values("htmt", ascending=False)
    pairs = pairs[pairs["htmt"] >= 0.85] if (pairs["htmt"] >= 0.85).any() else pairs.head(3)
    rows = [{"pair": f"{p['construct_a']} – {p['construct_b']}", "HTMT": fmt(p["htmt"], lang),
             "ci": ci(p["ci_low"], p["ci_high"], lang),
             f"≥ {fmt(HTMT_FLAG, lang)}": yes if p["htmt"] >= HTMT_FLAG else no}
            for _, p in pairs.iterrows()]
    out.append((T[lang]["htmt_table"], _frame(rows, lang, "pair")))
    return out


def _drivers(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    d = sec.results["drivers"]
    rows = [{"construct": c, "ring": str(int(r["ring"])), "estimate": fmt(r["estimate"], lang, 3),
             "ci": ci(r["ci_low"], r["ci_high"], lang, 3), "share": pct(r["share"], lang)}
            for c, r in d.constructs.sort_values("estimate", ascending=False).iterrows()]
    out = [(T[lang]["constructs_table"], _frame(rows, lang, "construct"))]
    rows = [{"ring": str(i), "share": pct(r["share"], lang),
             "ci": ci(100 * r["ci_low"], 100 * r["ci_high"], lang, 0)}
            for i, r in d.rings.iterrows()]
    out.append((T[lang]["rings_table"], _frame(rows, lang, "ring")))
    if len(d.differences) and d.n_boot:
        rows = [{"difference": k.replace("ring", "ring "), "estimate": fmt(r["estimate"], lang),
                 "ci": ci(r["ci_low"], r["ci_high"], lang)} for k, r in d.differences.iterrows()]
        out.append((T[lang]["diff_table"], _frame(rows, lang, "difference")))
    return out


def _ipma_rows(tab: pd.DataFrame, lang: str, level: str) -> list[dict]:
    rows = []
    for name, r in tab.sort_values("performance").iterrows():
        row = {level: name}
        if level == "item":
            row["construct"] = r["construct"]
        row.update({"ring": str(int(r["ring"])), "importance": fmt(r["importance"], lang, 3),
                    "imp_ci": ci(r["importance_ci_low"], r["importance_ci_high"], lang, 3),
                    "performance": fmt(r["performance"], lang, 1),
                    "perf_ci": ci(r["performance_ci_low"], r["performance_ci_high"], lang, 1)})
        rows.append(row)
    return rows


def _ipma(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    res = sec.results["ipma"]
    return [(T[lang]["ipma_c_table"], _frame(_ipma_rows(res.constructs, lang, "construct"),
                                             lang, "construct")),
            (T[lang]["ipma_i_table"], _frame(_ipma_rows(res.items, lang, "item"), lang, "item"))]


def _nps_row(name: str, r, lang: str) -> dict:
    return {"": name, "n": str(int(r["n"])), "nps": signed(r["nps"], lang),
            "ci": ci(r["ci_low"], r["ci_high"], lang, 0, sign=True),
            "promoters": pct(r["promoters"] / 100, lang),
            "passives": pct(r["passives"] / 100, lang),
            "detractors": pct(r["detractors"] / 100, lang), "mean_ltr": fmt(r["mean_ltr"], lang)}


def _nps(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    o = sec.results["overall"].to_frame().iloc[0]
    out = [(T[lang]["nps_table"], _frame([_nps_row("NPS", o, lang)], lang, ""))]
    for role, (col, tab) in sec.results["by"].items():
        rows = []
        for lev, r in tab.iterrows():
            row = _nps_row(str(lev), r, lang)
            if "p_adj" in tab.columns:
                row["p_adj"] = pval(r["p_adj"], lang)
            rows.append(row)
        title = T[lang]["nps_by_table"].format(role=T[lang][role], column=col)
        if col == role:
            title = title.replace(f" ({col})", "")
        out.append((title, _frame(rows, lang, "")))
    return out


def _plateau(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    tab = sec.results["plateau"].table
    rows = []
    for key, r in tab.iterrows():
        bp = "–"
        if np.isfinite(r.get("bp_scale", np.nan)):
            bp = f"{fmt(r['bp_scale'], lang)} {ci(r['bp_scale_ci_low'], r['bp_scale_ci_high'], lang)}"
        rows.append({"ring": str(key).replace("ring", ""),
                     "verdict": verdict_text(str(r["verdict"]), lang).split(":")[0],
                     "breakpoint": bp, "slope_left": fmt(r["slope_left"], lang),
                     "slope_right": fmt(r["slope_right"], lang),
                     "n": f"{int(r['n'])}",
                     "n_needed": "–" if not np.isfinite(r["n_needed"]) else f"{r['n_needed']:,.0f}"
                     .replace(",", "." if lang == "nl" else ",")})
    return [(T[lang]["plateau_table"], _frame(rows, lang, "ring"))]


def _asymmetry(sec: SectionData, lang: str) -> list[tuple[str, pd.DataFrame]]:
    tab = sec.results["ia"].table
    rows = [{"construct": c, "ring": str(int(r["ring"])) if "ring" in r else "–",
             "ia": fmt(r["ia"], lang), "ci": ci(r["ia_ci_low"], r["ia_ci_high"], lang),
             "class": class_text(str(r["cls"]), lang).split(" (")[0]}
            for c, r in tab.iterrows()]
    return [(T[lang]["ia_table"], _frame(rows, lang, "construct"))]


_BUILDERS = {"data": _data, "measurement": _measurement, "drivers": _drivers, "ipma": _ipma,
             "nps": _nps, "plateau": _plateau, "asymmetry": _asymmetry}


def tables(key: str, sec: SectionData, rd: Readings, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """Titled display tables of a section; tables without rows are left out."""
    if not sec.available:
        return []
    return [(t, df) for t, df in _BUILDERS[key](sec, lang) if not df.empty]
