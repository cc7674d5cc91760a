"""Reading a run's per-sample ensemble (docs/ensembles.md): the Parquet file that
``gapcast run/compare --ensemble`` writes into the results directory as ensemble.parquet, or
``gapcast.run(..., ensemble=PATH)`` writes to PATH. One row per sample and scenario: ``sample``,
``scenario``, ``weight`` (conditioned runs), the scalar metrics, ``metric@YYYY-MM`` columns and
the drawn parameters as ``world.<name>``.

The file is read lazily: only the columns and scenarios asked for leave the disk, so an
ensemble larger than memory can still be queried (pandas, polars and DuckDB also open it
directly). A file that is not a gapcast ensemble is refused by its header.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from .errors import ResultsFileError

__all__ = ["read_ensemble", "ensemble_info"]

FORMAT = "gapcast-ensemble"


def _pyarrow():
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("reading an ensemble needs pyarrow: pip install pyarrow") from None
    return pq


def _concat(tables: list[Any]) -> Any:
    import pyarrow as pa

    return pa.concat_tables(tables)


def _open(path: str | os.PathLike[str]):
    pq = _pyarrow()
    try:
        handle = pq.ParquetFile(os.fspath(path))
    except (OSError, ValueError) as error:
        raise ResultsFileError(f"is not a readable Parquet file: {error}", path) from None
    metadata = handle.schema_arrow.metadata or {}
    if metadata.get(b"gapcast.format", b"").decode() != FORMAT:
        raise ResultsFileError("is not a gapcast ensemble (its header has no "
                               "gapcast.format = gapcast-ensemble)", path)
    return handle, metadata


def _parts(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of an ensemble: the file itself, or the parts of a directory that a
    run on a cluster wrote (``part-<first sample>.parquet``, one per shard), in sample order."""
    where = Path(path)
    if not where.is_dir():
        return [where]
    parts = sorted(where.glob("part-*.parquet"))
    if not parts:
        raise ResultsFileError("holds no ensemble parts (part-*.parquet)", path)
    return parts


def ensemble_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """What the file says about its run: engine version, seed, samples, scenarios, the run
    options, the number of rows and the columns. ``path`` may be a directory of parts
    written by a run on a cluster (their rows are added up)."""
    parts = _parts(path)
    handle, metadata = _open(parts[0])
    rows = handle.metadata.num_rows
    for part in parts[1:]:
        other, other_metadata = _open(part)
        if other_metadata.get(b"gapcast.options") != metadata.get(b"gapcast.options"):
            raise ResultsFileError(f"mixes parts of different runs ({parts[0].name} and "
                                   f"{part.name})", path)
        rows += other.metadata.num_rows
    text = {k.decode(): v.decode() for k, v in metadata.items() if k.startswith(b"gapcast.")}
    return {
        "format_version": int(text["gapcast.format_version"]),
        "engine_version": text["gapcast.engine_version"],
        "seed": int(text["gapcast.seed"]),
        "samples": int(text["gapcast.samples"]),
        "scenarios": text["gapcast.scenarios"].split(","),
        "options": json.loads(text["gapcast.options"]),
        "rows": rows,
        "columns": list(handle.schema_arrow.names),
    }


def read_ensemble(path: str | os.PathLike[str], columns: Sequence[str] | None = None,
                  scenarios: Sequence[str] | None = None):
    """The ensemble as a pandas DataFrame. ``columns`` picks value columns (``sample`` and
    ``scenario`` always come along); ``scenarios`` keeps only those scenarios' rows. Raises
    KeyError for an unknown column or scenario, naming the valid ones. ``path`` may be a
    directory of parts written by a run on a cluster, read in sample order."""
    parts = _parts(path)
    handle, _ = _open(parts[0])
    names = list(handle.schema_arrow.names)
    wanted = None
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise KeyError(f"no column {', '.join(map(repr, unknown))} in the ensemble; "
                           f"columns: {', '.join(names)}")
        wanted = ["sample", "scenario", *[c for c in columns if c not in ("sample", "scenario")]]
    info = ensemble_info(path)
    filters = None
    if scenarios is not None:
        unknown = [s for s in scenarios if s not in info["scenarios"]]
        if unknown:
            raise KeyError(f"no scenario {', '.join(map(repr, unknown))} in the ensemble; "
                           f"scenarios: {', '.join(info['scenarios'])}")
        filters = [("scenario", "in", list(scenarios))]
    pq = _pyarrow()
    tables = [pq.read_table(os.fspath(part), columns=wanted, filters=filters) for part in parts]
    table = tables[0] if len(tables) == 1 else _concat(tables)
    # split_blocks and self_destruct free the Arrow buffers column by column as pandas takes
    # them: the peak stays near one copy of the data instead of two.
    return table.to_pandas(split_blocks=True, self_destruct=True)
