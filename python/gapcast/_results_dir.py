"""Reading a results directory back into the engine's results payload.

A results directory is what ``gapcast run --out`` and :meth:`gapcast.Results.write` write:
results.json, series.csv, scalars.csv, assumptions.json, samples.csv (runs that kept raw
values) and manifest.json, which lists the others with their SHA-256. This module turns it
into the same dict that :func:`gapcast._core.run` returns, so that one class,
:class:`gapcast.Results`, serves a run held in memory and a run read from disk.

The directory is treated as input from anyone:

- only the files the manifest lists are read, and each must have the SHA-256 the manifest
  records, so files from two runs are never read as one (a samples.csv left over from an
  earlier ``--raw`` run is not listed, hence ignored);
- only regular files are opened (a FIFO would block, a device would never end);
- every value is checked for its kind and shape before it is used, and a problem is reported
  as a :class:`~gapcast.errors.ResultsFileError` naming the file and the JSON pointer of the
  value, rather than as a KeyError or TypeError from deep inside a plot.

What results.json does not record stays unknown here: the counts behind time-series
statistics (``series_counts`` are zeros) and whether a missing statistic was beyond the
horizon or undefined (both are NaN; the scalar counts say which, for scalar metrics). The
drawn parameter values of raw runs come from samples.csv's ``world.<parameter>`` columns.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _core
from .errors import ResultsFileError

__all__ = ["FORMAT_VERSION", "ResultsDir", "read_results_dir"]

#: The results.json and manifest.json format versions this reader understands.
FORMAT_VERSION = 1

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HINT = "give a results directory written by `gapcast run/compare --out` or Results.write"


def _pointer(*parts: str | int) -> str:
    # RFC 6901: "~" and "/" inside a member name are escaped.
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Checker:
    """Kind checks on one parsed JSON file; each failure names the file and the pointer."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, pointer: str, message: str) -> ResultsFileError:
        return ResultsFileError(message, self.path, pointer)

    def object(self, value: Any, pointer: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(pointer, f"expected an object, got {_kind(value)}")
        return value

    def array(self, value: Any, pointer: str, *, nonempty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(pointer, f"expected an array, got {_kind(value)}")
        if nonempty and not value:
            raise self.fail(pointer, "expected a non-empty array")
        return value

    def member(self, obj: dict[str, Any], key: str, pointer: str) -> Any:
        if key not in obj:
            raise self.fail(pointer, f"the member \"{key}\" is missing")
        return obj[key]

    def string(self, obj: dict[str, Any], key: str, pointer: str) -> str:
        value = self.member(obj, key, pointer)
        if not isinstance(value, str):
            raise self.fail(_join(pointer, key), f"expected a string, got {_kind(value)}")
        return value

    def month(self, obj: dict[str, Any], key: str, pointer: str) -> str:
        value = self.string(obj, key, pointer)
        if not _MONTH.match(value):
            raise self.fail(_join(pointer, key), f"expected a month written YYYY-MM, got "
                                                 f"{value!r}")
        return value

    def integer(self, obj: dict[str, Any], key: str, pointer: str, *, minimum: int = 0) -> int:
        value = self.member(obj, key, pointer)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(_join(pointer, key),
                            f"expected a whole number of at least {minimum}, got {value!r}")
        return value

    def number(self, obj: dict[str, Any], key: str, pointer: str) -> float:
        value = self.member(obj, key, pointer)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(_join(pointer, key), f"expected a number, got {_kind(value)}")
        return float(value)

    def statistic(self, obj: dict[str, Any], key: str, pointer: str) -> float:
        """A number, or null for a non-finite statistic (NaN)."""
        value = self.member(obj, key, pointer)
        return np.nan if value is None else self.number(obj, key, pointer)

    def boolean(self, obj: dict[str, Any], key: str, pointer: str) -> bool:
        value = self.member(obj, key, pointer)
        if not isinstance(value, bool):
            raise self.fail(_join(pointer, key), f"expected true or false, got {_kind(value)}")
        return value

    def header(self, doc: Any, fmt: str) -> dict[str, Any]:
        """The file's "format" and "format_version": refused unless this reader knows them."""
        doc = self.object(doc, "")
        if doc.get("format") != fmt:
            raise self.fail("/format", f"not a gapcast file of format \"{fmt}\" (found "
                                       f"{json.dumps(doc.get('format'))}); {_HINT}")
        if "format_version" not in doc:
            raise self.fail("", f"has no \"format_version\", so this gapcast cannot know how "
                                f"to read it (it reads version {FORMAT_VERSION})")
        version = doc["format_version"]
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise self.fail("/format_version",
                            f"format_version {json.dumps(version)} is not one this gapcast "
                            f"reads (it reads {FORMAT_VERSION}); read it with the gapcast "
                            f"version that wrote it")
        return doc

    def values(self, value: Any, pointer: str, length: int) -> np.ndarray:
        """An array of numbers or nulls (non-finite statistics) as float64, null as NaN."""
        items = self.array(value, pointer)
        if len(items) != length:
            raise self.fail(pointer, f"expected {length} values (one per output month), got "
                                     f"{len(items)}")
        for i, v in enumerate(items):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise self.fail(_join(pointer, i), f"expected a number or null, got "
                                                   f"{_kind(v)}")
        return np.array(items, dtype=np.float64)


def _join(pointer: str, key: str | int) -> str:
    return pointer + _pointer(key)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; ResultsFileError for anything else."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the check below refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ResultsFileError(f"is missing; {_HINT}", path) from None
    except OSError as error:
        raise ResultsFileError(f"cannot be opened: {error.strerror}", path) from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ResultsFileError("is not a regular file", path)
        return f.read()


def _parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise ResultsFileError(f"is not UTF-8 text ({error.reason})", path) from None
    except json.JSONDecodeError as error:
        raise ResultsFileError(f"is not valid JSON: {error.msg} at line {error.lineno}, "
                               f"column {error.colno}", path) from None


class ResultsDir:
    """The checked contents of one results directory."""

    def __init__(self, directory: Path, payload: dict[str, Any], manifest: dict[str, Any],
                 results_sha256: str) -> None:
        self.directory = directory
        self.payload = payload
        self.manifest = manifest
        self.results_sha256 = results_sha256


def read_results_dir(directory: str | os.PathLike[str]) -> ResultsDir:
    """Reads and checks a results directory (see the module's description).

    Raises:
        ResultsFileError: the directory or a file in it is missing, unreadable, of another
            format or version, changed since the manifest was written, or of the wrong
            shape.
    """
    path = Path(directory)
    if not path.is_dir():
        raise ResultsFileError(f"is not a directory; {_HINT}", path)
    manifest_path = path / "manifest.json"
    manifest = _check_manifest(manifest_path,
                               _parse_json(manifest_path, _read_regular(manifest_path)))
    outputs = _outputs(manifest_path, manifest)
    if "results.json" not in outputs:
        raise ResultsFileError("does not list results.json among its \"outputs\"; "
                               + _HINT, manifest_path, "/outputs")

    def listed(name: str) -> bytes | None:
        if name not in outputs:
            return None
        data = _read_regular(path / name)
        digest = hashlib.sha256(data).hexdigest()
        if digest != outputs[name]:
            raise ResultsFileError(
                f"is not the file manifest.json lists (SHA-256 {digest[:12]}…, the manifest "
                f"records {outputs[name][:12]}…): it was changed or replaced after the run. "
                f"`gapcast reproduce {path}` says which files differ; rerun to get a "
                f"consistent directory", path / name)
        return data

    results_bytes = listed("results.json")
    assert results_bytes is not None
    results_path = path / "results.json"
    payload = _payload(results_path, _parse_json(results_path, results_bytes), manifest)
    assumptions = listed("assumptions.json")
    if assumptions is not None:
        assumptions_path = path / "assumptions.json"
        _Checker(assumptions_path).object(_parse_json(assumptions_path, assumptions), "")
        payload["assumptions_json"] = assumptions.decode("utf-8")
    samples = listed("samples.csv")
    if samples is not None:
        payload["raw"] = _raw(path / "samples.csv", samples, payload)
    return ResultsDir(path, payload, manifest, hashlib.sha256(results_bytes).hexdigest())


def _outputs(path: Path, manifest: dict[str, Any]) -> dict[str, str]:
    check = _Checker(path)
    out: dict[str, str] = {}
    for i, entry in enumerate(check.array(check.member(manifest, "outputs", ""), "/outputs")):
        where = _pointer("outputs", i)
        entry = check.object(entry, where)
        name = check.string(entry, "path", where)
        digest = check.string(entry, "sha256", where)
        # Output files sit in the directory itself: a path elsewhere is not read.
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise check.fail(_join(where, "path"), f"expected a file name inside the results "
                                                   f"directory, got {name!r}")
        if not _SHA256.match(digest):
            raise check.fail(_join(where, "sha256"), "expected 64 lowercase hex digits")
        out[name] = digest
    return out


def _check_manifest(path: Path, doc: Any) -> dict[str, Any]:
    check = _Checker(path)
    manifest = check.header(doc, "gapcast-manifest")
    engine = check.object(check.member(manifest, "engine", ""), "/engine")
    for key in ("version", "git_commit", "compiler", "build_type"):
        check.string(engine, key, "/engine")
    run = check.object(check.member(manifest, "run", ""), "/run")
    check.integer(run, "threads", "/run")
    check.integer(run, "wave_size", "/run")
    check.number(run, "wall_seconds", "/run")
    check.integer(run, "solver_steps", "/run")
    solver = check.object(check.member(manifest, "solver", ""), "/solver")
    for key in ("abs_tolerance", "rel_tolerance", "max_step_months"):
        check.number(solver, key, "/solver")
    check.integer(solver, "max_steps", "/solver")
    scenarios = check.array(check.member(manifest, "scenarios", ""), "/scenarios")
    for i, entry in enumerate(scenarios):
        where = _pointer("scenarios", i)
        entry = check.object(entry, where)
        check.string(entry, "name", where)
        for j, f in enumerate(check.array(check.member(entry, "files", where),
                                          _join(where, "files"))):
            file_where = _join(_join(where, "files"), j)
            f = check.object(f, file_where)
            for key in ("role", "path", "sha256"):
                check.string(f, key, file_where)
    if "rerun" in manifest:
        check.string(manifest, "rerun", "")
    return manifest


def _stat_labels(quantiles: Sequence[float]) -> list[str]:
    # The labels the engine writes ("mean", "p5", ...), from the same number formatting.
    return ["mean"] + ["p" + _core.format_number(q * 100.0) for q in quantiles]


def _metrics(check: _Checker, doc: dict[str, Any], key: str) -> list[dict[str, str]]:
    out = []
    for i, m in enumerate(check.array(check.member(doc, key, ""), _pointer(key))):
        where = _pointer(key, i)
        m = check.object(m, where)
        entry = {k: check.string(m, k, where) for k in ("name", "unit", "description", "kind")}
        # Written only for paired metrics: "no_controls" or "baseline".
        entry["compared_with"] = (check.string(m, "compared_with", where)
                                  if "compared_with" in m else "")
        if entry["kind"] not in ("distribution", "probability"):
            raise check.fail(_join(where, "kind"), f"expected \"distribution\" or "
                                                   f"\"probability\", got {entry['kind']!r}")
        out.append(entry)
    _unique(check, [m["name"] for m in out], _pointer(key))
    return out


def _unique(check: _Checker, names: list[str], pointer: str) -> None:
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            raise check.fail(_join(pointer, i), f"the name {name!r} appears twice")
        seen.add(name)


def _keys(check: _Checker, obj: dict[str, Any], expected: Sequence[str], pointer: str) -> None:
    missing = [k for k in expected if k not in obj]
    if missing:
        raise check.fail(pointer, f"the member \"{missing[0]}\" is missing (expected "
                                  f"{', '.join(expected)})")
    extra = [k for k in obj if k not in expected]
    if extra:
        raise check.fail(pointer, f"unexpected member \"{extra[0]}\" (expected "
                                  f"{', '.join(expected)})")


def _payload(path: Path, doc: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    """results.json (checked) plus what only the manifest records, as a run payload."""
    check = _Checker(path)
    doc = check.header(doc, "gapcast-results")
    check.string(doc, "engine_version", "")
    run = check.object(check.member(doc, "run", ""), "/run")
    info: dict[str, Any] = {
        "seed": check.integer(run, "seed", "/run"),
        "samples": check.integer(run, "samples", "/run", minimum=1),
        "central": check.boolean(run, "central", "/run"),
        "start": check.month(run, "start", "/run"),
        "horizon": check.month(run, "horizon", "/run"),
        "threshold_multiple": check.number(run, "threshold_multiple", "/run"),
        "baseline_policy": check.string(run, "baseline_policy", "/run"),
        "quantile_accuracy": check.number(run, "quantile_accuracy", "/run"),
    }
    dates = check.array(check.member(doc, "dates", ""), "/dates", nonempty=True)
    for i, d in enumerate(dates):
        if not isinstance(d, str) or not _MONTH.match(d):
            raise check.fail(_pointer("dates", i), f"expected a month written YYYY-MM, got "
                                                   f"{_kind(d)}")
    quantiles = check.array(check.member(doc, "quantiles", ""), "/quantiles")
    for i, q in enumerate(quantiles):
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.0 < q < 1.0:
            raise check.fail(_pointer("quantiles", i), f"expected a level between 0 and 1, "
                                                       f"got {_kind(q)}")
    scenarios = []
    for i, s in enumerate(check.array(check.member(doc, "scenarios", ""), "/scenarios",
                                      nonempty=True)):
        where = _pointer("scenarios", i)
        s = check.object(s, where)
        scenarios.append({k: check.string(s, k, where)
                          for k in ("name", "title", "world", "policy", "fingerprint",
                                    "world_fingerprint", "policy_fingerprint")})
    names = [s["name"] for s in scenarios]
    _unique(check, names, "/scenarios")
    metrics = _metrics(check, doc, "metrics")
    scalar_metrics = _metrics(check, doc, "scalar_metrics")
    labels = _stat_labels(quantiles)
    S, M, N, T, K = len(names), len(metrics), len(scalar_metrics), len(dates), len(labels)

    series = np.full((S, M, T, K), np.nan)
    per_scenario = check.object(check.member(doc, "series", ""), "/series")
    _keys(check, per_scenario, names, "/series")
    for s, name in enumerate(names):
        where = _pointer("series", name)
        per_metric = check.object(per_scenario[name], where)
        _keys(check, per_metric, [m["name"] for m in metrics], where)
        for m, metric in enumerate(metrics):
            m_where = _join(where, metric["name"])
            stats = check.object(per_metric[metric["name"]], m_where)
            # A probability is one number per month (stored as the mean); its quantiles
            # are not written and stay NaN, as in a run.
            expected = ["probability"] if metric["kind"] == "probability" else labels
            _keys(check, stats, expected, m_where)
            for k, label in enumerate(expected):
                series[s, m, :, k] = check.values(stats[label], _join(m_where, label), T)

    scalars = np.full((S, N, K), np.nan)
    scalar_counts = np.zeros((S, N, 3), dtype=np.uint64)
    counts = ("samples_finite", "samples_beyond_horizon", "samples_undefined")
    per_scenario = check.object(check.member(doc, "scalars", ""), "/scalars")
    _keys(check, per_scenario, names, "/scalars")
    for s, name in enumerate(names):
        where = _pointer("scalars", name)
        per_metric = check.object(per_scenario[name], where)
        _keys(check, per_metric, [m["name"] for m in scalar_metrics], where)
        for n, metric in enumerate(scalar_metrics):
            n_where = _join(where, metric["name"])
            stats = check.object(per_metric[metric["name"]], n_where)
            _keys(check, stats, [*labels, *counts], n_where)
            for k, label in enumerate(labels):
                scalars[s, n, k] = check.statistic(stats, label, n_where)
            for j, key in enumerate(counts):
                scalar_counts[s, n, j] = check.integer(stats, key, n_where)

    recorded = {e["name"]: e for e in manifest["scenarios"]}
    engine, manifest_run, solver = manifest["engine"], manifest["run"], manifest["solver"]
    for s in scenarios:
        # The scenario description is not in the result files; the files the scenario was
        # loaded from are in the manifest.
        s["description"] = ""
        s["files"] = [{"role": f["role"], "display_name": f["path"], "path": f["path"],
                       "sha256": f["sha256"]}
                      for f in recorded.get(s["name"], {}).get("files", [])]
        # A run compares every scenario with the baseline when it has one.
        s["has_baseline_comparison"] = bool(info["baseline_policy"])
    info.update({
        "engine_version": doc["engine_version"],
        "git_commit": engine["git_commit"],
        "compiler": engine["compiler"],
        "build_type": engine["build_type"],
        "threads": manifest_run["threads"],
        "solver": {k: solver[k] for k in ("abs_tolerance", "rel_tolerance",
                                          "max_step_months", "max_steps")},
        "wave_size": manifest_run["wave_size"],
        "wall_seconds": float(manifest_run["wall_seconds"]),
        "solver_steps": manifest_run["solver_steps"],
        "options": _options(manifest),
    })
    # A run conditioned on observations (docs/conditioning.md).
    for key in ("effective_sample_size", "weight_sum", "warnings"):
        if key in manifest_run:
            info[key] = manifest_run[key]
    return {
        "format_version": FORMAT_VERSION,
        "scenarios": scenarios,
        "metrics": metrics,
        "scalar_metrics": scalar_metrics,
        "dates": list(dates),
        "quantiles": [float(q) for q in quantiles],
        "series": series,
        "scalars": scalars,
        # results.json does not record the counts behind time-series statistics.
        "series_counts": np.zeros((S, M, T, 3), dtype=np.uint64),
        "scalar_counts": scalar_counts,
        "info": info,
        "assumptions_json": "",
        "raw": None,
        "manifest": manifest,
    }


def _options(manifest: dict[str, Any]) -> dict[str, Any]:
    """The run's options in the engine's JSON form: the manifest's "options", or, for a
    manifest written before they had one form, the same settings from "run" and "solver"
    (checked by the engine's validator, which also fills in what is not recorded)."""
    if "options" in manifest:
        given = dict(manifest["options"])
    else:
        run, solver = manifest["run"], manifest["solver"]
        given = {k: run[k] for k in ("samples", "seed", "central", "horizon",
                                     "threshold_multiple", "quantiles", "quantile_accuracy",
                                     "keep_raw") if run.get(k) is not None}
        if run.get("keep_raw") and run.get("raw_dates"):
            given["raw_dates"] = run["raw_dates"]
        for old, new in (("abs_tolerance", "atol"), ("rel_tolerance", "rtol"),
                         ("max_step_months", "max_step_months"), ("max_steps", "max_steps")):
            if old in solver:
                given[new] = solver[old]
    return _core.validate_run_options(given)


def _raw(path: Path, data: bytes, payload: dict[str, Any]) -> dict[str, Any]:
    """samples.csv as the payload's raw arrays, with the drawn parameters of its
    ``world.<parameter>`` columns (none in a file written before it had them)."""
    import pandas as pd

    names = [s["name"] for s in payload["scenarios"]]
    metrics = [m["name"] for m in payload["metrics"]]
    scalar_metrics = [m["name"] for m in payload["scalar_metrics"]]
    dates = payload["dates"]
    try:
        # Empty cells are non-finite values; nothing else is "missing" (a scenario named
        # "NA" is a name). The shortest round-trip text the engine writes must read back
        # to the very same doubles: pandas 3 parses exactly by default, pandas 2 when asked.
        exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision":
                                                                     "round_trip"}
        frame = pd.read_csv(io.BytesIO(data), dtype={"scenario": str}, keep_default_na=False,
                            na_values=[""], **exact)
    except (ValueError, pd.errors.ParserError) as error:
        raise ResultsFileError(f"is not a table of per-sample values: {error}", path) from None
    columns = list(frame.columns)
    prefix = f"{metrics[0]}@" if metrics else "@"
    raw_dates = [c[len(prefix):] for c in columns if c.startswith(prefix)]
    expected = ["sample", "scenario", *scalar_metrics,
                *[f"{m}@{d}" for m in metrics for d in raw_dates]]
    # A conditioned run ends its rows with each sample's weight.
    weighted = bool(columns) and columns[-1] == "weight"
    if weighted:
        columns = columns[:-1]
    parameters = [c[len("world."):] for c in columns[len(expected):]]
    if (columns[:len(expected)] != expected or any(d not in dates for d in raw_dates)
            or columns[len(expected):] != [f"world.{p}" for p in parameters]
            or "" in parameters):
        raise ResultsFileError("does not have the columns of these results (sample, scenario, "
                               "the scalar metrics, metric@YYYY-MM for every metric at the "
                               "same months of the run, then world.<parameter> for the drawn "
                               "parameters)", path)
    S, rows = len(names), len(frame)
    n = rows // S
    order_ok = (rows == n * S and n > 0
                and frame["scenario"].tolist() == names * n
                and np.array_equal(frame["sample"].to_numpy(), np.repeat(np.arange(n), S)))
    if not order_ok:
        raise ResultsFileError(f"does not hold one row per sample and scenario, in sample "
                               f"order, for the scenarios {', '.join(names)}", path)
    try:
        values = frame.iloc[:, 2:].to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ResultsFileError("holds a value that is not a number", path) from None
    N, M, D, P = len(scalar_metrics), len(metrics), len(raw_dates), len(parameters)
    values = values.reshape(n, S, N + M * D + P + int(weighted))
    weights = None
    if weighted:
        weights = np.ascontiguousarray(values[:, 0, -1])
        values = values[:, :, :-1]
    return {
        "weights": weights,
        "date_indices": [dates.index(d) for d in raw_dates],
        "parameter_names": parameters,
        "series": np.ascontiguousarray(values[:, :, N:N + M * D].reshape(n, S, M, D)),
        "scalars": np.ascontiguousarray(values[:, :, :N]),
        "parameters": np.ascontiguousarray(values[:, :, N + M * D:]),
    }
