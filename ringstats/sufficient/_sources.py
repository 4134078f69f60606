"""Where the rows come from: a DataFrame, a Parquet/CSV file or glob (DuckDB or pandas),
a Dask DataFrame or a Spark DataFrame. Every source is cut into chunks; each chunk gives
its moments (:func:`~ringstats.sufficient._accumulate.chunk_moments`) and the moments are
added. DuckDB, Dask and Spark are imported only when used; for Dask and Spark the chunks
are the engine's partitions and the merges are the engine's own tree reduction, so no
scheduler of ours is involved.
"""

from __future__ import annotations

import glob as _glob
import operator
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.validation import check_int, check_option, check_seed
from ..errors import MissingExtraError, RingstatsError, SpecError, ValidationError
from ..spec import RingSpec
from ._accumulate import chunk_moments, columns_needed
from ._moments import Layout, SurveyMoments

__all__ = ["summarize", "read_source", "ENGINES"]

ENGINES = ("duckdb", "dask", "pandas", "spark")
_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv")


def _need(module: str, extra: str = "scale") -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise MissingExtraError(
            f"`engine` needs the optional package {module.split('.')[0]!r}; install "
            f"ringstats[{extra}] (pip install 'ringstats[{extra}]')."
        ) from None


def _is_dask(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and hasattr(obj, "to_delayed") and hasattr(obj, "npartitions")


def _is_spark(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("pyspark.sql") and hasattr(obj, "mapInPandas")


def _spark_moments(lay: Layout, sdf: Any, cols: list[str], size: int, row_offset: int
                   ) -> SurveyMoments:
    """Moments of a Spark DataFrame: ``mapInPandas`` runs the chunk accumulator on each
    partition's Arrow batches (gathered into chunks of ``size`` rows) and ships each
    partition's moments back pickled; the RDD's ``treeReduce`` adds them. A first, cheap
    job counts the rows of each partition, so every row keeps its position in the source
    (partition order, then row order) and the multiplier replicates are those of any
    other engine reading the same rows in the same order."""
    import pickle

    from pyspark import TaskContext

    missing = [c for c in cols if c not in sdf.columns]
    sdf = sdf.select(*[c for c in cols if c in sdf.columns])
    if missing:  # let the spec report them, with every other problem
        chunk_moments(lay, sdf.limit(2).toPandas(), 0)

    def count(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        n = sum(len(b) for b in batches)
        yield pd.DataFrame({"part": [TaskContext.get().partitionId()], "n": [n]})

    offsets = {0: row_offset}
    if lay.n_rep:
        lens = dict(sdf.mapInPandas(count, "part long, n long").collect())
        nparts = sdf.rdd.getNumPartitions()
        starts = np.concatenate([[0], np.cumsum([lens.get(i, 0) for i in range(nparts)])])
        offsets = {i: row_offset + int(starts[i]) for i in range(nparts)}

    def moments(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        part = TaskContext.get().partitionId()
        start = offsets.get(part, 0) if lay.n_rep else 0
        out, buf, nbuf = SurveyMoments(lay, {}), [], 0
        for b in batches:
            buf.append(b)
            nbuf += len(b)
            if nbuf >= size:
                chunk = pd.concat(buf, ignore_index=True)
                out = out + chunk_moments(lay, chunk, start)
                start, buf, nbuf = start + len(chunk), [], 0
        if nbuf:
            out = out + chunk_moments(lay, pd.concat(buf, ignore_index=True), start)
        yield pd.DataFrame({"m": [pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)]})

    parts = sdf.mapInPandas(moments, "m binary").rdd.map(lambda r: pickle.loads(r.m))
    if parts.isEmpty():
        return SurveyMoments(lay, {})
    return parts.treeReduce(operator.add)


def _files(path: str) -> list[str]:
    files = sorted(_glob.glob(path)) if any(ch in path for ch in "*?[") else (
        [path] if Path(path).exists() else [])
    if not files:
        raise RingstatsError(f"`source` must be an existing file or a glob that matches files; "
                             f"nothing matches {path!r}.")
    bad = [f for f in files if not f.lower().endswith(_SUFFIXES)]
    if bad:
        raise RingstatsError(f"`source` files must be Parquet (.parquet) or CSV (.csv); got "
                             f"{bad[0]!r}.")
    kinds = {"parquet" if f.lower().endswith((".parquet", ".pq")) else "csv" for f in files}
    if len(kinds) > 1:
        raise RingstatsError("`source` must not mix Parquet and CSV files.")
    return files


def _kind(files: list[str]) -> str:
    return "parquet" if files[0].lower().endswith((".parquet", ".pq")) else "csv"


def _frame_chunks(df: pd.DataFrame, size: int, start: int = 0
                  ) -> Iterator[tuple[pd.DataFrame, int]]:
    for s in range(0, len(df), size):
        yield df.iloc[s:s + size], start + s


def _duckdb_chunks(files: list[str], cols: list[str], size: int
                   ) -> Iterator[tuple[pd.DataFrame, int]]:
    duckdb = _need("duckdb")
    con = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        lst = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
        reader = f"read_parquet({lst})" if _kind(files) == "parquet" else \
            f"read_csv({lst}, union_by_name = true)"
        have = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        sel = [c for c in cols if c in have]
        if not sel:
            raise ValidationError([f"unknown column: `{c}` is not in the data" for c in cols])
        q = ", ".join('"' + c.replace('"', '""') + '"' for c in sel)
        rel = con.sql(f"SELECT {q} FROM {reader}")
        batches = (rel.to_arrow_reader(size) if hasattr(rel, "to_arrow_reader")
                   else rel.fetch_record_batch(size))
        start = 0
        for batch in batches:
            df = batch.to_pandas()
            if len(df):
                yield df, start
                start += len(df)
    finally:
        con.close()


def _pandas_read(files: list[str], cols: list[str]) -> pd.DataFrame:
    frames = []
    for f in files:
        if _kind(files) == "parquet":
            _need("pyarrow")
            import pyarrow.parquet as pq

            have = pq.read_schema(f).names
            frames.append(pd.read_parquet(f, columns=[c for c in cols if c in have]))
        else:
            frames.append(pd.read_csv(f, usecols=lambda c: c in cols))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _reduce(parts: list[SurveyMoments], lay: Layout) -> SurveyMoments:
    if not parts:
        return SurveyMoments(lay, {})
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def _frame_moments(lay: Layout, df: pd.DataFrame, start: int, size: int) -> SurveyMoments:
    return _reduce([chunk_moments(lay, c, s) for c, s in _frame_chunks(df, size, start)], lay)


def _dask_moments(lay: Layout, ddf: Any, cols: list[str], size: int, row_offset: int
                  ) -> SurveyMoments:
    with warnings.catch_warnings():  # dask's own deprecation notices about pandas
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _dask_reduce(lay, ddf, cols, size, row_offset)


def _dask_reduce(lay: Layout, ddf: Any, cols: list[str], size: int, row_offset: int
                 ) -> SurveyMoments:
    dask = _need("dask")
    from dask import delayed

    missing = [c for c in cols if c not in ddf.columns]
    ddf = ddf[[c for c in cols if c in ddf.columns]]
    if missing:  # let the spec report them, with every other problem
        chunk_moments(lay, ddf.head(2, npartitions=-1), 0)
    lens = ddf.map_partitions(len).compute() if lay.n_rep else [0] * ddf.npartitions
    offsets = row_offset + np.concatenate([[0], np.cumsum(np.asarray(lens, dtype=np.int64))])[:-1]
    tasks = [delayed(_frame_moments)(lay, part, int(off) if lay.n_rep else 0, size)
             for part, off in zip(ddf.to_delayed(), offsets, strict=True)]
    while len(tasks) > 1:  # tree reduction
        nxt = [delayed(operator.add)(tasks[i], tasks[i + 1]) for i in range(0, len(tasks) - 1, 2)]
        if len(tasks) % 2:
            nxt.append(tasks[-1])
        tasks = nxt
    if not tasks:
        return SurveyMoments(lay, {})
    (res,) = dask.compute(tasks[0])
    return res


def summarize(
    source: Any,
    *,
    spec: RingSpec | str | Path,
    by: str | list[str] | None = None,
    weights: str | None = None,
    n_boot: int = 0,
    seed: int | None = None,
    engine: str | None = None,
    chunk_size: int = 250_000,
    tables: bool = True,
    row_offset: int = 0,
) -> SurveyMoments:
    """Sufficient statistics of a ring survey in one pass, mergeable with ``+``.

    Parameters
    ----------
    source : DataFrame, str, Path, dask or Spark DataFrame
        The raw survey (cleaning is done here, as :meth:`RingSpec.validate` does): a
        pandas DataFrame; a Parquet or CSV file or a glob of them (``"wave_*.parquet"``);
        a Dask DataFrame; or a Spark DataFrame (``pyspark``, the ``spark`` extra).
    spec : RingSpec or path to its YAML file
    by : str or list of str, optional
        Group column(s) (segment, moment, channel, ...): moments per cell of their
        cross-classification; any one column's groups and the total are exact merges of
        the cells. ``nps_by(m, by=col)`` needs ``col`` among them.
    weights : str, optional
        Weight column: weights the driver moments and the LTR counts (drivers, shapley,
        regression, nps). Measurement moments stay unweighted, as in memory.
    n_boot : int, default 0
        Poisson(1)-multiplier bootstrap replicates accumulated in the same pass
        (drivers and NPS intervals).
    seed : int, optional
        Seed of the multipliers (a random one is drawn and recorded when None).
    engine : {"duckdb", "dask", "pandas", "spark"}, optional
        For a file or glob: ``"duckdb"`` (default) streams record batches of
        ``chunk_size`` rows with bounded memory; ``"pandas"`` reads it into memory;
        ``"dask"`` reads it as a Dask DataFrame; ``"spark"`` reads it with the active
        Spark session (or a new local one). A DataFrame is read with ``"pandas"``, a
        Dask DataFrame with ``"dask"`` and a Spark DataFrame with ``"spark"``.
    chunk_size : int, default 250_000
        Rows per chunk.
    tables : bool, default True
        Accumulate the pairwise contingency tables of the items (polychoric).
    row_offset : int, default 0
        Position of the source's first row in the whole survey, when parts of a survey
        are summarised separately and added: it keys the bootstrap multipliers, so the
        parts' replicates add up to those of the whole.

    Returns
    -------
    SurveyMoments

    Raises
    ------
    ValidationError
        The spec's problems for the first chunk that fails (its rows are named), or a
        constant item over the whole survey.

    Notes
    -----
    Means and centred cross-products are merged with the pairwise update of Chan,
    Golub & LeVeque (1979), chunk by chunk and group by group; counts and tables add.
    The bootstrap multiplier of row i in replicate b depends only on ``seed``, i and b
    (a counter-based generator), so the replicates are the same whatever the chunking,
    engine or number of workers, as long as the rows come in the same order. With Dask
    and Spark each partition is summarised where it lives (``to_delayed`` tasks;
    ``mapInPandas`` on Arrow batches) and the partitions' moments are added by the
    engine's tree reduction; a first pass counts the rows of each partition to place its
    rows in the source when replicates are asked for.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=2000, seed=1)
    >>> m = rs.summarize(w.customers, spec=w.spec, by="segment")
    >>> a = rs.reliability(m, spec=w.spec).table["alpha"]
    >>> b = rs.reliability(w.spec.validate(w.customers), spec=w.spec).table["alpha"]
    >>> bool(abs(a - b).max() < 1e-10)
    True
    """
    if isinstance(spec, (str, Path)):
        spec = RingSpec.from_yaml(spec)
    if not isinstance(spec, RingSpec):
        raise SpecError(f"`spec` must be a RingSpec or a YAML path; got {type(spec).__name__}.")
    if weights is not None and not isinstance(weights, str):
        raise RingstatsError(f"`weights` must be a column name or None; got {weights!r}.")
    by_cols = [by] if isinstance(by, str) else list(by) if by is not None else None
    if by_cols is not None and (not by_cols or not all(isinstance(c, str) for c in by_cols)):
        raise RingstatsError(f"`by` must be a column name, a list of them or None; got {by!r}.")
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    chunk_size = check_int(chunk_size, "chunk_size", min_value=1)
    row_offset = check_int(row_offset, "row_offset", min_value=0)
    seed = check_seed(seed)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    if engine is not None:
        check_option(engine, "engine", ENGINES)
    lay = Layout.build(spec, by=tuple(by_cols) if by_cols else None, weights=weights,
                       n_rep=n_boot, seed=seed, tables=tables)
    from threadpoolctl import threadpool_limits

    # one BLAS thread per chunk: the products are small and many, and oversubscribed BLAS
    # threads cost far more than they give (parallelism comes from the engine's workers)
    with threadpool_limits(limits=1, user_api="blas"):
        res = _summarize(source, lay, engine, chunk_size, row_offset)
    _whole_checks(res)
    return res


def _summarize(source: Any, lay: Layout, engine: str | None, chunk_size: int,
               row_offset: int) -> SurveyMoments:
    by, weights = lay.by, lay.weights
    cols = columns_needed(lay)
    if isinstance(source, pd.DataFrame):
        if engine not in (None, "pandas"):
            raise RingstatsError(f"`engine` must be 'pandas' or None for a DataFrame; got "
                                 f"{engine!r}.")
        missing = [c for c in cols if c not in source.columns]
        if missing and any(c in (*(by or ()), weights) for c in missing):
            raise RingstatsError(f"`by`/`weights` column(s) not in the data: {missing}.")
        res = _frame_moments(lay, source[[c for c in cols if c in source.columns]],
                             row_offset, chunk_size)
    elif _is_dask(source):
        res = _dask_moments(lay, source, cols, chunk_size, row_offset)
    elif _is_spark(source):
        res = _spark_moments(lay, source, cols, chunk_size, row_offset)
    elif isinstance(source, (str, Path)):
        files = _files(str(source))
        eng = engine or "duckdb"
        if eng == "duckdb":
            res = _reduce([chunk_moments(lay, c, s + row_offset)
                           for c, s in _duckdb_chunks(files, cols, chunk_size)], lay)
        elif eng == "pandas":
            res = _frame_moments(lay, _pandas_read(files, cols), row_offset, chunk_size)
        elif eng == "spark":
            sql = _need("pyspark.sql", "spark")
            session = sql.SparkSession.builder.getOrCreate()
            reader = session.read.parquet if _kind(files) == "parquet" else \
                (lambda *f: session.read.csv(list(f), header=True, inferSchema=True))
            res = _spark_moments(lay, reader(*files), cols, chunk_size, row_offset)
        else:
            dd = _need("dask.dataframe")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                ddf = dd.read_parquet(files) if _kind(files) == "parquet" else \
                    dd.read_csv(files)
            res = _dask_moments(lay, ddf, cols, chunk_size, row_offset)
    else:
        raise RingstatsError(
            "`source` must be a pandas DataFrame, a Parquet/CSV path or glob, or a Dask "
            f"DataFrame; got {type(source).__name__}.")
    return res


def _whole_checks(m: SurveyMoments) -> None:
    """The checks of ``RingSpec.validate`` that need every row (constant columns)."""
    t = m.total()
    lay = m.layout
    problems = []
    for j, col in enumerate(lay.variables):
        nobs = t.pairs.n[j, j]
        if nobs == 0 or t.pairs.ss[j, j] <= 0:
            what = "all missing" if nobs == 0 else \
                f"every value is {t.pairs.mean[j, j]:g}"
            kind = "constant outcome" if col in lay.spec.outcomes else "constant item"
            problems.append(f"{kind}: `{col}` has no variation ({what})")
    if problems:
        raise ValidationError(problems)


def wants_moments(path: str, engine: str | None = None) -> bool:
    """Whether the command line reads ``path`` through :func:`read_source`: an engine was
    named, or the path is Parquet or a glob."""
    return engine is not None or path.lower().endswith((".parquet", ".pq")) or any(
        ch in path for ch in "*?[")


def read_source(path: str | Path, *, spec: RingSpec, engine: str | None = None,
                by: str | list[str] | None = None, n_boot: int = 0, seed: int | None = None
                ) -> SurveyMoments | pd.DataFrame:
    """A survey file or glob for the command line (``--engine``): its moments (``duckdb``,
    the default, or ``dask``) or, with ``engine="pandas"``, the whole table in memory."""
    if engine is not None:
        check_option(engine, "engine", ENGINES)
    if engine == "pandas":
        files = _files(str(path))
        frames = [pd.read_parquet(f) if _kind(files) == "parquet" else pd.read_csv(f)
                  for f in files]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return summarize(str(path), spec=spec, engine=engine, by=by, n_boot=n_boot, seed=seed)
