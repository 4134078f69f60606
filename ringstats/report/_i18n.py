"""Words of the report in English and Dutch: headings, column names, flags, number format."""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["LANGS", "T", "fmt", "pval", "pct", "signed", "ci", "flag_text", "col_label", "ring_label"]

LANGS = ("en", "nl")

T: dict[str, dict[str, str]] = {
    "en": {
        "title": "Three-ring survey report",
        "subtitle": "{name}: {n} respondents, {k} constructs, outcome {ltr}",
        "toc": "Contents",
        "data": "1. Data check",
        "measurement": "2. Measurement quality",
        "drivers": "3. Driver importance",
        "ipma": "4. Priority map (importance × performance)",
        "nps": "5. Net Promoter Score",
        "plateau": "6. Plateaus per ring",
        "asymmetry": "7. Asymmetry and Kano",
        "methods": "Methods",
        "references": "References",
        "repro": "Reproducibility",
        "reading": "Reading",
        "flags": "Flags",
        "no_flags": "No flags.",
        "not_available": "Not computed",
        "figure": "Figure",
        "ring": "Ring",
        "ring_labels": "1|Ring 1: core proposition|2|Ring 2: operational execution|3|"
                       "Ring 3: connection and meaning",
        "items_table": "Items and outcomes: missingness and scale use",
        "fit_table": "CFA fit against the usual rules of thumb",
        "checks_table": "Reliability and validity per construct",
        "htmt_table": "HTMT of the closest construct pairs",
        "constructs_table": "Construct importance (Shapley contribution to R²)",
        "rings_table": "Ring shares of the explained variance",
        "diff_table": "Differences between ring shares",
        "ipma_c_table": "Importance and performance per construct",
        "ipma_i_table": "Importance and performance per item",
        "nps_table": "NPS overall",
        "nps_by_table": "NPS by {role} ({column})",
        "plateau_table": "Plateau verdict per ring",
        "ia_table": "Impact asymmetry per construct",
        "segment": "segment", "moment": "moment",
        "kano_reason": "Kano classification needs pairs of functional and dysfunctional "
                       "questions (\"if the feature is present / absent\"); the spec declares "
                       "none, so there is no Kano analysis.",
        "versions": "Versions",
        "seed": "Seed", "n_boot": "Bootstrap replicates", "spec_hash": "SHA-256 of the spec YAML",
        "data_hash": "SHA-256 of the data (pandas hash_pandas_object)",
        "generated": "Made with ringstats {version}. Every number above can be recomputed with "
                     "the same data, spec, seed and versions.",
        "meets": "meets", "misses": "misses",
        "yes": "yes", "no": "no",
        "constructs": "Constructs", "items": "Items",
        "cap_loadings": "Standardised CFA loadings per item and construct (item labels "
                        "coloured by ring).",
        "cap_htmt": "HTMT between constructs; values at or above .90 in bold.",
        "cap_drivers": "Left: each construct's contribution to R² with its bootstrap interval. "
                       "Right: each ring's share of the explained variance.",
        "cap_ipma": "Importance (x) against performance on 0–100 (y), with intervals; dashed "
                    "lines at the averages. Bottom right: important but performing below "
                    "average.",
        "cap_nps": "Detractors, passives and promoters, with the NPS and its interval.",
        "cap_plateau": "Recommendation against each ring's latent score (other rings held "
                       "constant): binned means, spline with band, segmented fit and breakpoint.",
        "cap_ia": "Impact asymmetry (y) against range of impact (x) per construct, with "
                  "bootstrap intervals.",
    },
    "nl": {
        "title": "Rapport drie-ringenonderzoek",
        "subtitle": "{name}: {n} respondenten, {k} constructen, uitkomst {ltr}",
        "toc": "Inhoud",
        "data": "1. Controle van de data",
        "measurement": "2. Kwaliteit van de meting",
        "drivers": "3. Belang van de drivers",
        "ipma": "4. Prioriteitenkaart (belang × prestatie)",
        "nps": "5. Net Promoter Score",
        "plateau": "6. Plateaus per ring",
        "asymmetry": "7. Asymmetrie en Kano",
        "methods": "Methoden",
        "references": "Literatuur",
        "repro": "Reproduceerbaarheid",
        "reading": "Lezing",
        "flags": "Signalen",
        "no_flags": "Geen signalen.",
        "not_available": "Niet berekend",
        "figure": "Figuur",
        "ring": "Ring",
        "ring_labels": "1|Ring 1: kernpropositie|2|Ring 2: operationele uitvoering|3|"
                       "Ring 3: verbinding en betekenis",
        "items_table": "Items en uitkomsten: ontbrekende antwoorden en schaalgebruik",
        "fit_table": "CFA-fit tegen de gangbare vuistregels",
        "checks_table": "Betrouwbaarheid en validiteit per construct",
        "htmt_table": "HTMT van de construct-paren die het dichtst bij elkaar liggen",
        "constructs_table": "Belang per construct (Shapley-bijdrage aan R²)",
        "rings_table": "Aandeel van elke ring in de verklaarde variantie",
        "diff_table": "Verschillen tussen de ring-aandelen",
        "ipma_c_table": "Belang en prestatie per construct",
        "ipma_i_table": "Belang en prestatie per item",
        "nps_table": "NPS totaal",
        "nps_by_table": "NPS per {role} ({column})",
        "plateau_table": "Plateau-oordeel per ring",
        "ia_table": "Impact-asymmetrie per construct",
        "segment": "segment", "moment": "moment",
        "kano_reason": "Een Kano-indeling vraagt om paren functionele en disfunctionele vragen "
                       "(\"als de eigenschap er is / er niet is\"); de specificatie bevat die "
                       "niet, dus er is geen Kano-analyse.",
        "versions": "Versies",
        "seed": "Seed", "n_boot": "Bootstrap-herhalingen",
        "spec_hash": "SHA-256 van de specificatie (YAML)",
        "data_hash": "SHA-256 van de data (pandas hash_pandas_object)",
        "generated": "Gemaakt met ringstats {version}. Elk getal hierboven is opnieuw te "
                     "berekenen met dezelfde data, specificatie, seed en versies.",
        "meets": "voldoet", "misses": "voldoet niet",
        "yes": "ja", "no": "nee",
        "constructs": "Constructen", "items": "Items",
        "cap_loadings": "Gestandaardiseerde CFA-ladingen per item en construct (itemnamen "
                        "gekleurd per ring).",
        "cap_htmt": "HTMT tussen constructen; waarden van 0,90 of hoger vetgedrukt.",
        "cap_drivers": "Links: de bijdrage van elk construct aan R² met het bootstrap-interval. "
                       "Rechts: het aandeel van elke ring in de verklaarde variantie.",
        "cap_ipma": "Belang (x) tegen prestatie op 0–100 (y), met intervallen; stippellijnen "
                    "bij de gemiddelden. Rechtsonder: belangrijk maar onder het gemiddelde.",
        "cap_nps": "Detractors, passives en promoters, met de NPS en het interval.",
        "cap_plateau": "Aanbeveling tegen de latente score van elke ring (andere ringen "
                       "constant): gemiddelden per klasse, spline met band, gesegmenteerde fit "
                       "en knikpunt.",
        "cap_ia": "Impact-asymmetrie (y) tegen de reikwijdte (x) per construct, met "
                  "bootstrap-intervallen.",
    },
}

_COLS: dict[str, dict[str, str]] = {
    "en": {"ci": "95% CI", "imp_ci": "95% CI", "perf_ci": "95% CI", "points_used": "points used",
           "coded_missing": "coded missing", "mean_ltr": "mean LTR", "p_adj": "p (Holm)",
           "n_needed": "n needed", "min_loading": "min. loading", "max_htmt": "max. HTMT",
           "ave": "AVE", "cr": "CR", "nps": "NPS", "ia": "IA"},
    "nl": {"imp_ci": "95%-BI", "perf_ci": "95%-BI",
        "column": "kolom", "role": "rol", "scale": "schaal", "missing": "ontbrekend",
        "coded_missing": "code ontbrekend", "mean": "gemiddelde", "sd": "sd", "floor": "bodem",
        "ceiling": "plafond", "points_used": "punten gebruikt", "outcome": "uitkomst",
        "index": "fitmaat", "value": "waarde", "rule": "vuistregel", "verdict": "oordeel",
        "construct": "construct", "ring": "ring", "ok": "in orde", "estimate": "schatting",
        "ci": "95%-BI", "share": "aandeel", "difference": "verschil", "importance": "belang",
        "performance": "prestatie", "item": "item", "promoters": "promoters",
        "passives": "passives", "detractors": "detractors", "mean_ltr": "gem. LTR",
        "nps": "NPS", "p_adj": "p (Holm)", "breakpoint": "knikpunt",
        "slope_left": "helling links", "slope_right": "helling rechts", "class": "klasse",
        "ia": "IA", "pair": "paar", "max_htmt": "max. HTMT", "min_loading": "min. lading",
        "alpha": "alpha", "cr": "CR", "ave": "AVE", "n_needed": "n nodig",
    },
}


def col_label(key: str, lang: str) -> str:
    return _COLS[lang].get(key, key.replace("_", " "))


def ring_label(r: int, lang: str) -> str:
    parts = T[lang]["ring_labels"].split("|")
    return dict(zip(parts[::2], parts[1::2], strict=True)).get(str(r), f"Ring {r}")


# --------------------------------------------------------------------------- numbers
def fmt(x: Any, lang: str, digits: int = 2) -> str:
    """A number in the reader's convention (Dutch: decimal comma); '–' for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{float(x):.{digits}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    s = s.replace("-", "−")
    return s.replace(".", ",") if lang == "nl" else s


def pval(p: Any, lang: str) -> str:
    """A p value: three decimals, or '< 0.001'."""
    if p is None or not math.isfinite(float(p)):
        return "–"
    return ("< " + fmt(0.001, lang, 3)) if float(p) < 0.001 else fmt(p, lang, 3)


def pct(x: Any, lang: str, digits: int = 0) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    return fmt(100 * float(x), lang, digits) + "%"


def signed(x: Any, lang: str, digits: int = 0) -> str:
    s = fmt(x, lang, digits)
    if s.startswith("−") or s == "–" or float(s.replace(",", ".")) == 0:
        return s
    return "+" + s


def ci(lo: Any, hi: Any, lang: str, digits: int = 2, sign: bool = False) -> str:
    f = signed if sign else fmt
    if lo is None or hi is None or not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return "[–]"
    return f"[{f(lo, lang, digits)}; {f(hi, lang, digits)}]" if lang == "nl" else \
        f"[{f(lo, lang, digits)}, {f(hi, lang, digits)}]"


# --------------------------------------------------------------------------- flags
_FLAGS: dict[str, dict[str, str]] = {
    "en": {
        "small_n": "Small sample: n = {n} (below {limit}); intervals are wide and small "
                   "effects cannot be detected.",
        "missing": "High missingness: {column} is missing for {share} of respondents.",
        "ceiling": "Ceiling: {share} of respondents give {column} the top of its scale; "
                   "differences among satisfied customers are compressed.",
        "ring_missing": "No constructs declared for ring(s) {rings}: these rings are not "
                        "measured.",
        "ltr_scale": "The recommend item {column} is on {min}–{max}, not 0–10: no standard NPS.",
        "non_pd": "Non-positive-definite latent covariance matrix (smallest eigenvalue {min_eigen}):"
                  " a latent correlation is at or beyond 1, the CFA solution is improper.",
        "heywood": "Heywood case: item {item} has a negative residual variance or a "
                   "standardised loading above 1.",
        "latent_r": "Latent correlation r = {r} between {a} and {b} (at or above .95): the two "
                    "constructs are not empirically distinct.",
        "htmt": "HTMT = {htmt} {ci} between {a} and {b} (at or above .90): discriminant "
                "validity is not established.",
        "cfa_failed": "The CFA could not be estimated; reliability and HTMT are shown without it.",
        "one_level": "The {role} column {column} has a single level: no comparison.",
        "by_failed": "NPS by {role} ({column}) could not be computed.",
        "one_construct": "Measurement quality needs at least two constructs.",
        "no_ltr": "The spec names no recommend (LTR) outcome.",
        "needs_drivers": "The priority map needs the driver analysis, which could not be "
                         "computed.",
        "nps_scale": "No NPS: the recommend item {column} is on {min}–{max}, not 0–10. The NPS "
                     "cut points (promoters 9–10, detractors 0–6) are defined on 0–10 only, "
                     "and the spec declares no explicit promoter/detractor rule for this "
                     "scale. Declare one in the spec to get a (non-standard) NPS.",
        "indistinct": "Constructs that are empirically indistinguishable (HTMT ≥ .90): {pairs}; "
                      "this analysis cannot separate their effects (see section 2).",
        "nps_binary": "No NPS: the outcome {column} is binary; an NPS needs a rating scale.",
        "asym_data": "Impact asymmetry needs enough respondents at both ends of every driver's "
                     "scale; these data do not have them.",
        "error": "This section could not be computed.",
    },
    "nl": {
        "small_n": "Kleine steekproef: n = {n} (minder dan {limit}); de intervallen zijn breed "
                   "en kleine effecten zijn niet op te sporen.",
        "missing": "Veel ontbrekende antwoorden: {column} ontbreekt bij {share} van de "
                   "respondenten.",
        "ceiling": "Plafond: {share} van de respondenten geeft {column} de hoogste score; "
                   "verschillen tussen tevreden klanten vallen weg.",
        "ring_missing": "Geen constructen voor ring(en) {rings}: deze ringen zijn niet gemeten.",
        "ltr_scale": "De aanbevelingsvraag {column} loopt van {min} tot {max}, niet van 0 tot "
                     "10: geen standaard-NPS.",
        "non_pd": "De latente covariantiematrix is niet positief definiet (kleinste eigenwaarde "
                  "{min_eigen}): een latente correlatie is 1 of meer, de CFA-oplossing is "
                  "ongeldig.",
        "heywood": "Heywood-geval: item {item} heeft een negatieve residuele variantie of een "
                   "gestandaardiseerde lading boven 1.",
        "latent_r": "Latente correlatie r = {r} tussen {a} en {b} (0,95 of hoger): de twee "
                    "constructen zijn empirisch niet te onderscheiden.",
        "htmt": "HTMT = {htmt} {ci} tussen {a} en {b} (0,90 of hoger): discriminante "
                "validiteit is niet aangetoond.",
        "cfa_failed": "De CFA kon niet worden geschat; betrouwbaarheid en HTMT staan er zonder "
                      "CFA.",
        "one_level": "De {role}-kolom {column} heeft maar één waarde: geen vergelijking.",
        "by_failed": "NPS per {role} ({column}) kon niet worden berekend.",
        "one_construct": "Voor de kwaliteit van de meting zijn minstens twee constructen nodig.",
        "no_ltr": "De specificatie noemt geen aanbevelingsvraag (LTR) als uitkomst.",
        "needs_drivers": "De prioriteitenkaart heeft de driveranalyse nodig, en die kon niet "
                         "worden berekend.",
        "nps_scale": "Geen NPS: de aanbevelingsvraag {column} loopt van {min} tot {max}, niet "
                     "van 0 tot 10. De NPS-grenzen (promoters 9–10, detractors 0–6) gelden "
                     "alleen op 0–10, en de specificatie geeft voor deze schaal geen eigen "
                     "regel voor promoters en detractors. Leg zo'n regel vast in de "
                     "specificatie om een (niet-standaard) NPS te krijgen.",
        "indistinct": "Constructen die empirisch niet te onderscheiden zijn (HTMT ≥ 0,90): "
                      "{pairs}; deze analyse kan hun effecten niet scheiden (zie sectie 2).",
        "nps_binary": "Geen NPS: de uitkomst {column} is binair; een NPS vraagt om een "
                      "beoordelingsschaal.",
        "asym_data": "Impact-asymmetrie vraagt om genoeg respondenten aan beide uiteinden van "
                     "de schaal van elke driver; deze data hebben die niet.",
        "error": "Deze sectie kon niet worden berekend.",
    },
}


#: Dutch wording of the library's frequent messages (others stay as the library says them).
_NOTES_NL = [
    (r"construct `(.+?)` has 2 items; 3 or more are recommended for reliable measurement and "
     r"an identified one-factor model",
     r"construct `\1` heeft 2 items; 3 of meer zijn aan te raden voor een betrouwbare meting "
     r"en een geïdentificeerd één-factormodel"),
    (r"construct `(.+?)` has only 2 items; it is identified only through its covariances with "
     r"other constructs\.",
     r"construct `\1` heeft maar 2 items; het is alleen geïdentificeerd via de covarianties met "
     r"andere constructen."),
    (r"construct `(.+?)` has two items: omega total \(one-factor model\) and "
     r"alpha-if-item-deleted are undefined \(not reported\)\.",
     r"construct `\1` heeft twee items: omega totaal (één-factormodel) en alpha zonder item "
     r"zijn niet gedefinieerd."),
    (r"the factor covariance matrix is not positive definite \(a factor correlation is at or "
     r"beyond 1\): constructs are not empirically distinct\.",
     r"de factorcovariantiematrix is niet positief definiet (een factorcorrelatie is 1 of "
     r"meer): constructen zijn empirisch niet te onderscheiden."),
    (r"Parallel analysis suggests (\d+) factor\(s\) for (\d+) constructs: constructs may be "
     r"merged \(highly correlated constructs, e\.g\. within a ring\) or split\.",
     r"Parallelle analyse wijst op \1 factor(en) voor \2 constructen: constructen kunnen "
     r"samengevoegd worden (sterk gecorreleerde constructen, bijvoorbeeld binnen een ring) of "
     r"gesplitst."),
    (r"Constructs failing at least one check: (.+)\.",
     r"Constructen die minstens één controle niet halen: \1."),
]


def plain_note(text: str, lang: str = "en") -> str:
    """A library message for the reader: "(NaN)" said in words; Dutch where known."""
    out = re.sub(r"\s*\(NaN\)", " (not reported)", text).replace("NaN", "not defined")
    if lang == "nl":
        for pat, rep in _NOTES_NL:
            out = re.sub(pat, rep, out)
    return out


def flag_text(flag: Any, lang: str) -> str:
    """The sentence for a Flag; library messages (code 'note') are passed through verbatim
    (only "NaN" said in words)."""
    if flag.code == "note":
        return plain_note(flag.text, lang)
    p = dict(flag.params)
    for k in ("share",):
        if k in p:
            p[k] = pct(p[k], lang)
    for k in ("r", "htmt", "min_eigen"):
        if k in p:
            p[k] = fmt(p[k], lang, 3 if k == "min_eigen" else 2)
    if "ci_low" in p:
        lo, hi = float(p.pop("ci_low")), float(p.pop("ci_high"))
        p["ci"] = ci(lo, hi, lang) if math.isfinite(lo) and math.isfinite(hi) else ""
    if "rings" in p:
        p["rings"] = ", ".join(str(r) for r in p["rings"])
    if "role" in p:
        p["role"] = T[lang].get(p["role"], p["role"])
    text = _FLAGS[lang][flag.code].format(**p).replace("  ", " ")
    if flag.text and flag.code not in ("note",):
        text += (" Message: " if lang == "en" else " Melding: ") + plain_note(flag.text)
    return text
