"""The engine's Parquet writer (core/gapcast/output/parquet_writer.hpp), read back by the
readers people will use on its files: pyarrow, polars and DuckDB.

The file comes from gapcast_parquet_sample, a test program built beside the C++ tests
(tests/cpp/output/parquet_writer_sample.cpp): three row groups of fixed values, among them
NaN, both infinities, -0, the int64 extremes, empty strings and non-ASCII text. The values
below are that program's, spelled out independently of it.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SAMPLE = [0, 1, -1, 2**63 - 1, -(2**63), 42, 2**40, -(2**53) - 1, 7]
VALUE = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1.5, 5e-324, 1e300, 0.1]
LABEL = ["", "plain", "é", "日本語", "rocket 🚀", "", "tab\tnewline\n", "Ω≈ç√", "last"]
GROUP_ROWS = [4, 4, 1]
METADATA = {"gapcast.kind": "ensemble", "gapcast.seed": "11", "note": "ünïcode"}
CREATED_BY = "gapcast parquet sample"
PROGRAM = "gapcast_parquet_sample"


def find_program() -> Path | None:
    """$GAPCAST_PARQUET_SAMPLE (CTest sets it), else <build>/tests/ of a developer build whose
    <build>/python is on PYTHONPATH."""
    if os.environ.get("GAPCAST_PARQUET_SAMPLE"):
        return Path(os.environ["GAPCAST_PARQUET_SAMPLE"])
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry:
            candidate = Path(entry).resolve().parent / "tests" / PROGRAM
            if candidate.exists():
                return candidate
    return None


@pytest.fixture(scope="module")
def parquet_file(tmp_path_factory) -> Path:
    program = find_program()
    if program is None:
        pytest.skip(f"{PROGRAM} not found: it is built with the C++ tests "
                    "(GAPCAST_BUILD_TESTS=ON); set GAPCAST_PARQUET_SAMPLE or put the build's "
                    "python/ folder on PYTHONPATH")
    path = tmp_path_factory.mktemp("parquet") / "sample.parquet"
    done = subprocess.run([str(program), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return path


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def assert_doubles(read: list[float], *, exact_nan: bool) -> None:
    """Bit for bit (so -0 stays -0); NaN by its bits too when `exact_nan`, else as any NaN."""
    assert len(read) == len(VALUE)
    for got, want in zip(read, VALUE):
        if math.isnan(want) and not exact_nan:
            assert math.isnan(got)
        else:
            assert bits(got) == bits(want), (got, want)


def test_pyarrow_reads_every_value(parquet_file):
    table = pq.read_table(parquet_file)
    assert table.schema.names == ["sample", "value", "label"]
    assert [f.type for f in table.schema] == [pa.int64(), pa.float64(), pa.string()]
    assert not any(f.nullable for f in table.schema)  # REQUIRED columns
    assert table.column("sample").to_pylist() == SAMPLE
    assert_doubles(table.column("value").to_pylist(), exact_nan=True)
    assert table.column("label").to_pylist() == LABEL


def test_pyarrow_sees_the_file_metadata(parquet_file):
    meta = pq.ParquetFile(parquet_file).metadata
    assert meta.num_rows == len(SAMPLE)
    assert meta.num_columns == 3
    assert meta.created_by == CREATED_BY
    assert meta.metadata == {k.encode(): v.encode() for k, v in METADATA.items()}
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == GROUP_ROWS
    schema = meta.schema
    assert [schema.column(i).physical_type for i in range(3)] == ["INT64", "DOUBLE",
                                                                 "BYTE_ARRAY"]
    assert schema.column(2).converted_type == "UTF8"
    assert schema.column(2).logical_type.type == "STRING"
    assert all(schema.column(i).max_definition_level == 0 for i in range(3))
    chunk = meta.row_group(1).column(2)
    assert chunk.compression == "UNCOMPRESSED"
    assert "PLAIN" in chunk.encodings
    assert chunk.path_in_schema == "label"


def test_pyarrow_reads_group_by_group(parquet_file):
    pf = pq.ParquetFile(parquet_file)
    # A plain iter_batches() may join groups into one batch (pyarrow 26 does); asked for one
    # group at a time, it yields that group's rows alone.
    streamed = [x for b in pf.iter_batches(batch_size=3) for x in b.column("sample").to_pylist()]
    assert streamed == SAMPLE
    start = 0
    for i, rows in enumerate(GROUP_ROWS):
        (batch,) = pf.iter_batches(row_groups=[i])
        assert batch.column("sample").to_pylist() == SAMPLE[start:start + rows]
        assert batch.column("label").to_pylist() == LABEL[start:start + rows]
        assert pf.read_row_group(i).num_rows == rows
        start += rows


def test_polars_reads_every_value(parquet_file):
    frame = pl.read_parquet(parquet_file)
    assert frame.columns == ["sample", "value", "label"]
    assert frame.dtypes == [pl.Int64, pl.Float64, pl.String]
    assert frame["sample"].to_list() == SAMPLE
    assert_doubles(frame["value"].to_list(), exact_nan=False)
    assert frame["label"].to_list() == LABEL


def test_duckdb_reads_every_value(parquet_file):
    con = duckdb.connect()
    try:
        source = f"'{parquet_file}'"
        rows = con.execute(f"SELECT sample, value, label FROM read_parquet({source})").fetchall()
        assert [r[0] for r in rows] == SAMPLE
        assert_doubles([r[1] for r in rows], exact_nan=False)
        assert [r[2] for r in rows] == LABEL
        types = con.execute(f"SELECT typeof(sample), typeof(value), typeof(label) "
                            f"FROM read_parquet({source}) LIMIT 1").fetchone()
        assert types == ("BIGINT", "DOUBLE", "VARCHAR")
        kv = con.execute(f"SELECT key, value FROM parquet_kv_metadata({source})").fetchall()
        assert {bytes(k).decode(): bytes(v).decode() for k, v in kv} == METADATA
        groups = con.execute(f"SELECT DISTINCT row_group_id, row_group_num_rows FROM "
                             f"parquet_metadata({source}) ORDER BY 1").fetchall()
        assert [n for _, n in groups] == GROUP_ROWS
    finally:
        con.close()
