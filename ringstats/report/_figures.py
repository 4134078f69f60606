"""Figures of the report as inline SVG, drawn by ``ringstats.plotting``.

matplotlib is imported here, inside the functions, so ``import ringstats`` stays light. Each
figure is a bare :class:`matplotlib.figure.Figure` (no pyplot state, no global backend
change) saved as SVG with text as paths (no fonts needed), without metadata, and with its
element ids prefixed so several figures can share one HTML page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from ._compute import Readings, SectionData
from ._i18n import T, ring_label

__all__ = ["figures"]

#: English words drawn by the plotting functions and their Dutch replacements.
_NL = [
    ("Ring 1: core proposition", "Ring 1: kernpropositie"),
    ("Ring 2: operational execution", "Ring 2: operationele uitvoering"),
    ("Ring 3: connection and meaning", "Ring 3: verbinding en betekenis"),
    ("Contribution to R² (Shapley / LMG)", "Bijdrage aan R² (Shapley / LMG)"),
    ("Importance: contribution to R² (Shapley)", "Belang: bijdrage aan R² (Shapley)"),
    ("Performance (0-100)", "Prestatie (0-100)"),
    ("Shading: ring share of the explained fit (darker = larger)",
     "Kleur: aandeel van de ring in de verklaarde variantie (donkerder = groter)"),
    ("not measured", "niet gemeten"),
    ("share of respondents (%)", "aandeel respondenten (%)"),
    ("detractors", "detractors"), ("passives", "passives"), ("promoters", "promoters"),
    ("binned means (adjusted)", "gemiddelden per klasse (gecorrigeerd)"),
    ("binned means", "gemiddelden per klasse"),
    ("restricted cubic spline", "beperkte kubische spline"),
    ("segmented fit", "gesegmenteerde fit"),
    ("breakpoint 95% CI", "95%-BI knikpunt"), ("breakpoint", "knikpunt"),
    ("outcome units", "eenheden uitkomst"), ("latent trait, SD units", "latente trek, SD-eenheden"),
    ("excitement", "enthousiasme"), ("performance", "prestatie"), ("basic", "basis"),
    ("unclear", "onduidelijk"),
    ("range of impact RIOCS = reward + |penalty| (outcome units)",
     "reikwijdte RIOCS = beloning + |straf| (eenheden uitkomst)"),
    ("impact asymmetry IA = SGP - DGP", "impact-asymmetrie IA = SGP - DGP"),
    ("Construct", "Construct"), ("Item (label colour = ring)", "Item (kleur = ring)"),
]


#: Short labels replaced only when they are the whole text.
_WORDS = {"loading": "lading", "Construct": "Construct", "Item": "Item", "HTMT": "HTMT",
          "segment": "segment", "moment": "moment", "all": "alle"}


def _translate(fig, lang: str) -> None:
    if lang != "nl":
        return
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        s = t.get_text()
        if not s:
            continue
        new = _WORDS.get(s, s)  # short labels only as a whole
        for en, nl in _NL:
            if en in new:
                new = new.replace(en, nl)
        if new != s:
            t.set_text(new)


def _svg(fig, prefix: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": prefix}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>", "", s, flags=re.S)
    # inline SVG in HTML needs no namespace declarations: the page then holds no URL at all
    s = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", s)
    ids = set(re.findall(r'\bid="([^"]+)"', s))
    for i in sorted(ids, key=len, reverse=True):
        s = s.replace(f'id="{i}"', f'id="{prefix}-{i}"').replace(f'"#{i}"', f'"#{prefix}-{i}"')
        s = s.replace(f"url(#{i})", f"url(#{prefix}-{i})")
    # natural size, shrinking with a narrower page (the viewBox keeps the aspect ratio)
    m = re.search(r'<svg[^>]*? width="([\d.]+)pt" height="([\d.]+)pt"', s)
    style = f'style="width:{float(m.group(1)):.0f}pt" ' if m else ""
    return s.replace("<svg ", f'<svg class="rs-fig" role="img" aria-label="{prefix}" {style}', 1)


def _draw(draw: Callable, size: tuple[float, float], lang: str, prefix: str,
          nrows: int = 1, ncols: int = 1) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    draw(fig, axes)
    _translate(fig, lang)
    return _svg(fig, prefix)


def _ring_labels(ax, spec) -> None:
    """Colour construct tick labels by ring (whatever the plot function did)."""
    from ..plotting import RING_COLORS

    rings = {c.name: c.ring for c in spec.constructs}
    for lab in ax.get_xticklabels() + ax.get_yticklabels():
        if lab.get_text() in rings:
            lab.set_color(RING_COLORS[rings[lab.get_text()]])


def _measurement(sec: SectionData, lang: str, p: str, spec) -> list[tuple[str, str]]:
    from ..plotting import plot_htmt, plot_loadings

    out = []
    cfa = sec.results.get("cfa")
    if cfa is not None:
        k = len(cfa.loadings)

        def load(f, a):
            plot_loadings(cfa, spec=spec, ax=a[0, 0])
            a[0, 0].set_title("")
            _ring_labels(a[0, 0], spec)

        out.append((T[lang]["cap_loadings"], _draw(load, (6.4, 0.28 * k + 1.8), lang,
                                                   f"{p}-load")))
    ht = sec.results["htmt"]
    n = len(ht.matrix)

    def draw_htmt(f, a):
        plot_htmt(ht, ax=a[0, 0], threshold=0.90)
        a[0, 0].set_title("")
        _ring_labels(a[0, 0], spec)

    out.append((T[lang]["cap_htmt"], _draw(draw_htmt, (0.9 * n + 2.6, 0.7 * n + 2.0), lang,
                                           f"{p}-htmt")))
    return out


def _drivers(sec: SectionData, lang: str, p: str) -> list[tuple[str, str]]:
    from ..plotting import plot_importance, plot_ring_diagram

    d = sec.results["drivers"]

    def draw(f, a):
        plot_importance(d, ax=a[0, 0])
        plot_ring_diagram(d, ax=a[0, 1])
        for ax in a[0]:
            ax.set_title("")
        a[0, 1].set_xlabel("")  # the caption says what the shading means

    return [(T[lang]["cap_drivers"], _draw(draw, (11.5, max(4.2, 0.45 * len(d.constructs) + 1.6)),
                                         lang, f"{p}-drv", 1, 2))]


def _ipma(sec: SectionData, lang: str, p: str) -> list[tuple[str, str]]:
    from ..plotting import plot_ipma

    res = sec.results["ipma"]

    def draw(f, a):
        plot_ipma(res, ax=a[0, 0], level="construct")
        plot_ipma(res, ax=a[0, 1], level="item")
        a[0, 0].set_title(T[lang]["constructs"])
        a[0, 1].set_title(T[lang]["items"])

    return [(T[lang]["cap_ipma"], _draw(draw, (12, 5.2), lang, f"{p}-ipma", 1, 2))]


def _nps(sec: SectionData, lang: str, p: str) -> list[tuple[str, str]]:
    from ..plotting import plot_nps

    r = sec.results
    parts = [("NPS", r["overall"])] + [(T[lang][role] + ("" if col == role else f" ({col})"), tab)
                                       for role, (col, tab) in r["by"].items()]
    heights = [1.2 if name == "NPS" else 0.45 * len(obj) + 0.9 for name, obj in parts]

    def draw(f, a):
        for ax, (name, obj) in zip(a[:, 0], parts, strict=True):
            plot_nps(obj, ax=ax)
            ax.set_title("")
            ax.set_title(name, fontsize=10, loc="left")
        for ax in a[:-1, 0]:
            ax.set_xlabel("")
            if ax.get_legend():
                ax.get_legend().remove()

    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, sum(heights) + 1.2), layout="constrained")
    axes = fig.subplots(len(parts), 1, squeeze=False,
                        gridspec_kw={"height_ratios": heights})
    draw(fig, axes)
    _translate(fig, lang)
    return [(T[lang]["cap_nps"], _svg(fig, f"{p}-nps"))]


def _plateau(sec: SectionData, lang: str, p: str) -> list[tuple[str, str]]:
    from ..plotting import RING_COLORS, plot_curve

    res = sec.results["plateau"].results
    keys = list(res)

    def draw(f, a):
        for ax, k in zip(a[0], keys, strict=True):
            r = int(k.replace("ring", "")) if k.startswith("ring") else 1
            plot_curve(res[k], ax=ax, color=RING_COLORS.get(r))
            ax.set_title(ring_label(r, lang), fontsize=10)

    return [(T[lang]["cap_plateau"], _draw(draw, (4.2 * len(keys), 3.8), lang, f"{p}-plat",
                                         1, len(keys)))]


def _asymmetry(sec: SectionData, lang: str, p: str) -> list[tuple[str, str]]:
    from ..plotting import plot_impact_asymmetry

    ia = sec.results["ia"]
    return [(T[lang]["cap_ia"], _draw(
        lambda f, a: (plot_impact_asymmetry(ia, ax=a[0, 0]), a[0, 0].set_title("")),
        (7.2, 4.8), lang, f"{p}-ia"))]


_BUILDERS = {"measurement": None, "drivers": _drivers, "ipma": _ipma, "nps": _nps,
             "plateau": _plateau, "asymmetry": _asymmetry}


def figures(key: str, sec: SectionData, rd: Readings, lang: str) -> list[tuple[str, str]]:
    """(caption, inline SVG) pairs of a section; none when the section is not available."""
    if not sec.available or key not in _BUILDERS:
        return []
    prefix = f"rs{rd.data_sha256[:6]}{lang}"
    if key == "measurement":
        return _measurement(sec, lang, prefix, rd.spec)
    return _BUILDERS[key](sec, lang, prefix)
