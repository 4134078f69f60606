"""The commands of the ``ringstats`` command line (named in :data:`._table.COMMANDS`).

Each takes a :class:`~._run.Context` and returns an :class:`~._run.Output`; the domain
function it calls is imported inside it, so ``ringstats --help`` and ``validate`` stay
fast. Defaults differ from the Python API where a command line needs a reproducible,
quick answer: 200 bootstrap replicates and seed 0 unless ``--n-boot``/``--seed`` say
otherwise.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..errors import RingstatsError
from ._run import Context, Output

_COMMON = ("outcome", "kind", "seed", "n_boot", "jobs", "ci")


def simulate(ctx: Context) -> Output:
    from ..simulate import WORLDS, draw

    args = ctx.args
    if args.world not in WORLDS:
        raise RingstatsError(f"`--world` must be one of {', '.join(sorted(WORLDS))}; "
                             f"got {args.world!r}.")
    out = Path(args.output)
    parquet = out.suffix.lower() in (".parquet", ".pq")
    if parquet:  # large worlds: drawn and written a chunk at a time
        from ..simulate import write_parquet

        out.parent.mkdir(parents=True, exist_ok=True)
        world = write_parquet(args.world, out, n=args.n, seed=ctx.get("seed"),
                              chunk_size=ctx.get("chunk_size") or 500_000)
    else:
        world = draw(args.world, n=args.n, seed=ctx.get("seed"))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not parquet:
            world.customers.to_csv(out, index=False)
        spec_path = Path(args.spec_out) if args.spec_out else out.with_suffix(".spec.yaml")
        world.spec.to_yaml(spec_path)
        emp_path = out.with_name(out.stem + "_employees.csv")
        world.employees.to_csv(emp_path, index=False)
    except OSError as exc:
        raise RingstatsError(f"`--output` could not be written: {exc}") from None
    text = "\n".join([
        f"wrote {args.n if parquet else len(world.customers):,} customers to {out}",
        f"wrote {len(world.employees):,} employees to {emp_path}",
        f"wrote the RingSpec to {spec_path}",
        f"world '{args.world}': population NPS {world.truth.population_nps:+.1f}",
    ])
    return Output(text, {"truth": world.truth},
                  files=[str(out), str(emp_path), str(spec_path)])


def validate(ctx: Context) -> Output:
    import pandas as pd

    spec = ctx.read_spec()
    data = ctx.read_csv()
    clean = spec.validate(data)
    items = list(spec.items)
    n_missing = int(clean[items].isna().sum().sum())
    rings = sorted({c.ring for c in spec.constructs})
    text = (f"OK: {len(clean):,} rows, {len(spec.constructs)} constructs in rings "
            f"{rings}, {len(items)} items ({n_missing:,} missing item values).")
    per_item = pd.DataFrame({
        "construct": [spec.construct_of(i) if hasattr(spec, "construct_of") else None
                      for i in items],
        "n_missing": clean[items].isna().sum().to_numpy(),
        "mean": clean[items].mean().to_numpy(),
    }, index=pd.Index(items, name="item"))
    if per_item["construct"].isna().all():
        per_item = per_item.drop(columns="construct")
    return Output(text, {"validate": per_item})


def measure(ctx: Context) -> Output:
    from ..measurement import measurement_report

    data, spec = ctx.load()
    rep = measurement_report(data, spec=spec, **ctx.kwargs(measurement_report,
                                                           ("seed", "n_boot", "jobs",
                                                            "estimator")))

    def loadings():
        from ..plotting import plot_loadings

        return plot_loadings(rep.cfa, spec=spec)

    def htmt():
        from ..plotting import plot_htmt

        return plot_htmt(rep.htmt)

    return Output(rep.summary().as_text(),
                  {"measure": rep, "htmt": rep.htmt, "reliability": rep.reliability},
                  {"loadings": loadings, "htmt": htmt}, main="measure/checks")


def drivers(ctx: Context) -> Output:
    from ..importance import drivers as fn

    data, spec = ctx.load()
    res = fn(data, spec=spec, **ctx.kwargs(fn, _COMMON + ("scores",)))

    def importance():
        from ..plotting import plot_importance

        return plot_importance(res)

    def rings():
        from ..plotting import plot_ring_diagram

        return plot_ring_diagram(res)

    return Output(res.summary().as_text(), {"drivers": res},
                  {"importance": importance, "rings": rings}, main="drivers/constructs")


def plateau(ctx: Context) -> Output:
    from ..shape import plateau as one
    from ..shape import plateau_table as table

    data, spec = ctx.load()
    if ctx.get("driver") is not None:  # one column: a PlateauResult
        res = one(data, spec=spec,
                  **ctx.kwargs(one, _COMMON + ("scores", "sesoi", "sesoi_ratio", "driver")))
    else:
        res = table(data, spec=spec,
                    **ctx.kwargs(table, _COMMON + ("scores", "sesoi", "sesoi_ratio")))
    figures = {}
    subs = getattr(res, "results", None)
    for key in (list(subs) if isinstance(subs, dict) else [None]):
        if key is not None and not str(key).startswith("ring"):
            continue

        def curve(key=key):
            from ..plotting import plot_curve

            return plot_curve(res[key] if key is not None else res)

        figures[f"curve_{key}" if key is not None else "curve"] = curve
    return Output(res.summary().as_text(), {"plateau": res}, figures)


def nps(ctx: Context) -> Output:
    from .._kernels.results import Summary
    from ..errors import RingstatsWarning
    from ..netpromoter import nps as fn
    from ..netpromoter import nps_by

    data, spec = ctx.load()
    ltr = ctx.outcome(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)  # a non-standard rule is in the notes
        res = fn(data, outcome=ltr, spec=spec, **ctx.kwargs(fn, _COMMON[1:]))
    parts = [res.summary().as_text()]
    results = {"nps": res}
    by = ctx.get("by") or [c for c in (getattr(spec, "segment", None),
                                       getattr(spec, "moment", None)) if c]
    tables = {}
    from ..sufficient import is_moments

    for col in by:
        if is_moments(data):  # survey moments: grouped by these columns when read
            if col not in (data.by or ()):
                raise RingstatsError(f"`--by` names column {col!r}, which is not in the data.")
            if len(data.levels(col)) < 2:
                continue
        elif col not in data.columns:
            raise RingstatsError(f"`--by` names column {col!r}, which is not in the data.")
        elif data[col].nunique() < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RingstatsWarning)
            tab = nps_by(data, by=col, outcome=ltr, spec=spec, **ctx.kwargs(nps_by, ("ci",)))
        tables[col] = tab
        title = "NPS" if tab.attrs.get("standard", True) else "Non-standard NPS"
        s = Summary(f"{title} by {col} (each vs the rest, Holm-adjusted)")
        s.add_table(tab[["n", "nps", "ci_low", "ci_high", "diff_vs_rest", "p_val", "p_adj"]],
                    float_format="{:.2f}")
        parts.append(s.as_text())
        results[f"by_{col}"] = tab

    def bars(tab=None):
        from ..plotting import plot_nps

        return plot_nps(res if tab is None else tab)

    figures = {"nps": bars}
    for col, tab in tables.items():
        figures[f"nps_by_{col}"] = lambda tab=tab: bars(tab)
    return Output("\n\n".join(parts), results, figures)


def asymmetry(ctx: Context) -> Output:
    from ..asymmetries import asymmetry as fn
    from ..asymmetries import impact_asymmetry

    data, spec = ctx.load()
    outcome = ctx.outcome(spec)
    cuts = ("low", "high")
    a = fn(data, outcome=outcome, spec=spec, **ctx.kwargs(fn, cuts + ("neutral", "ci")))
    ia = impact_asymmetry(
        data, outcome=outcome, spec=spec,
        **ctx.kwargs(impact_asymmetry, _COMMON[1:] + cuts + ("threshold",)))

    def impact():
        from ..plotting import plot_impact_asymmetry

        return plot_impact_asymmetry(ia)

    return Output(a.summary().as_text() + "\n\n" + ia.summary().as_text(),
                  {"asymmetry": a, "impact_asymmetry": ia}, {"impact_asymmetry": impact},
                  main="impact_asymmetry/table")


def spec_draft(ctx: Context) -> Output:
    from ..specdraft import draft_spec

    data = ctx.read_csv()
    draft = draft_spec(data, name=Path(ctx.args.data).stem, efa=ctx.args.efa,
                       seed=ctx.get("seed"))
    return Output(draft.to_yaml(), {"spec_draft": draft})


def spec_show(ctx: Context) -> Output:
    import pandas as pd

    from ..specdraft import explain_spec

    spec = ctx.read_spec(ctx.args.spec_file)
    rows = [{"construct": c.name, "ring": c.ring, "label": c.label, "scale": c.scale,
             "items": " ".join(c.items),
             "reverse_keyed": " ".join(i for i in c.items if i in spec.reverse_keyed)}
            for c in spec.constructs]
    return Output(explain_spec(spec), {"spec": pd.DataFrame(rows).set_index("construct")})
