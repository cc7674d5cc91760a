"""Old-versus-new comparison of two sets of results (``gapcast diff``, :func:`diff`).

Every statistic of every scenario, metric and output month (and every scalar metric) of the
old results is compared with the same cell of the new ones. A cell agrees when

    |new - old| <= atol + rtol * |old|

(NumPy's ``isclose`` rule). Two non-finite values agree with each other: results.json writes a
statistic that is beyond the horizon or undefined as null, so results read from a directory
hold NaN where the run that wrote them held an infinity. A finite value against a non-finite
one is a difference.
Cells present on one side only (a scenario, metric, month or statistic added or removed) are
differences too: a comparison never passes by ignoring what it cannot match.

The default tolerances suit two runs of the same seed and samples on different machines or
builds: quantiles come from sketches with 0.5% relative bins, so a value sitting on a bin
boundary may move by one bin when the last bits of a sample change.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Union

import numpy as np
import pandas as pd

from .results import Results

__all__ = ["Diff", "diff", "DEFAULT_RTOL", "DEFAULT_ATOL"]

#: Default relative tolerance: two sketch bins at the default accuracy 0.005.
DEFAULT_RTOL = 0.011
#: Default absolute tolerance, for values at or near zero.
DEFAULT_ATOL = 1e-9

ResultsLike = Union[Results, str, "os.PathLike[str]"]

_COLUMNS = ["kind", "scenario", "metric", "date", "stat", "old", "new", "abs_diff",
            "rel_diff", "within"]


@dataclass
class Diff:
    """The outcome of :func:`diff`: every compared cell, and what exists on one side only."""

    old_label: str
    new_label: str
    rtol: float
    atol: float
    #: One row per compared cell: kind ("series" or "scalar"), scenario, metric, date ("" for
    #: scalars), stat, old, new, abs_diff, rel_diff (|new - old| / |old|; inf when old is 0
    #: and new is not), within (bool).
    cells: pd.DataFrame
    #: What only one side has, e.g. "scenario 'x' only in the new results".
    unmatched: list[str] = field(default_factory=list)

    @property
    def beyond(self) -> pd.DataFrame:
        """The cells outside the tolerance, largest relative change first."""
        out = self.cells[~self.cells["within"]]
        return out.sort_values(["rel_diff", "abs_diff"], ascending=False, kind="stable")

    @property
    def ok(self) -> bool:
        """True when every cell agrees and nothing is on one side only."""
        return not self.unmatched and bool(self.cells["within"].all())

    def by_metric(self) -> pd.DataFrame:
        """Per (kind, metric): cells compared, cells beyond tolerance, the largest relative
        and absolute change, sorted by the largest relative change."""
        grouped = self.cells.groupby(["kind", "metric"], sort=False)
        table = pd.DataFrame({
            "cells": grouped.size(),
            "beyond": grouped["within"].apply(lambda w: int((~w).sum())),
            "max_rel_diff": grouped["rel_diff"].max(),
            "max_abs_diff": grouped["abs_diff"].max(),
        }).reset_index()
        return table.sort_values(["max_rel_diff", "max_abs_diff"], ascending=False,
                                 kind="stable", ignore_index=True)

    def summary(self, top: int = 10) -> str:
        """The text ``gapcast diff`` prints: the verdict, what is unmatched, the metrics that
        moved most and the largest single changes."""
        n = len(self.cells)
        beyond = self.beyond
        lines = [f"old: {self.old_label}", f"new: {self.new_label}",
                 f"tolerance: |new - old| <= {self.atol:g} + {self.rtol:g} |old|", ""]
        verdict = "agree" if self.ok else "DIFFER"
        lines.append(f"{verdict}: {n - len(beyond)} of {n} cells within tolerance, "
                     f"{len(beyond)} beyond, {len(self.unmatched)} on one side only")
        for item in self.unmatched:
            lines.append(f"  {item}")
        if n:
            lines += ["", "metrics that moved most (largest relative change):"]
            lines.append(_table(self.by_metric().head(top),
                                ["kind", "metric", "cells", "beyond", "max_rel_diff",
                                 "max_abs_diff"]))
        if len(beyond):
            lines += ["", f"largest changes beyond tolerance (first {min(top, len(beyond))}):"]
            lines.append(_table(beyond.head(top),
                                ["scenario", "metric", "date", "stat", "old", "new",
                                 "rel_diff"]))
        return "\n".join(lines) + "\n"


def diff(old: ResultsLike, new: ResultsLike, *, rtol: float = DEFAULT_RTOL,
         atol: float = DEFAULT_ATOL) -> Diff:
    """Compares two results (:class:`Results` objects or results directories) cell by cell.

    Raises:
        ValueError: a tolerance is negative or not finite.
        gapcast.ResultsFileError: a directory is not a readable results directory.
    """
    for name, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    a, a_label = _results(old)
    b, b_label = _results(new)
    unmatched: list[str] = []
    frames = [_compare_series(a, b, unmatched), _compare_scalars(a, b, unmatched)]
    cells = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=_COLUMNS)
    if len(cells):
        cells["within"] = _within(cells["old"].to_numpy(float), cells["new"].to_numpy(float),
                                  rtol, atol)
    return Diff(a_label, b_label, float(rtol), float(atol), cells[_COLUMNS], unmatched)


# ---- internals ---------------------------------------------------------------------------


def _results(x: ResultsLike) -> tuple[Results, str]:
    r = x if isinstance(x, Results) else Results.read(x)
    where = str(r.source) if r.source is not None else "results in memory"
    engine = r.info.get("engine_version", "?")
    return r, f"{where} (seed {r.seed}, {r.samples} samples, engine {engine})"


def _matched(what: str, old: list[str], new: list[str], unmatched: list[str]) -> list[str]:
    for name in old:
        if name not in new:
            unmatched.append(f"{what} {name!r} only in the old results")
    for name in new:
        if name not in old:
            unmatched.append(f"{what} {name!r} only in the new results")
    return [name for name in old if name in new]


def _compare_series(a: Results, b: Results, unmatched: list[str]) -> pd.DataFrame:
    scenarios = _matched("scenario", a.scenarios, b.scenarios, unmatched)
    metrics = _matched("metric", a.metrics, b.metrics, unmatched)
    dates = _matched("month", a.date_labels, b.date_labels, unmatched)
    stats = _matched("statistic", a.stats, b.stats, unmatched)
    if not (scenarios and metrics and dates and stats):
        return pd.DataFrame(columns=_COLUMNS[:-1])

    def take(r: Results) -> np.ndarray:
        idx = [[r.scenarios.index(s) for s in scenarios], [r.metrics.index(m) for m in metrics],
               [r.date_labels.index(d) for d in dates], [r.stats.index(k) for k in stats]]
        return r.series[np.ix_(*idx)]

    old, new = take(a), take(b)
    grid = pd.MultiIndex.from_product([scenarios, metrics, dates, stats],
                                      names=["scenario", "metric", "date", "stat"])
    frame = grid.to_frame(index=False)
    frame.insert(0, "kind", "series")
    return _with_values(frame, old.ravel(), new.ravel())


def _compare_scalars(a: Results, b: Results, unmatched: list[str]) -> pd.DataFrame:
    scenarios = [s for s in a.scenarios if s in b.scenarios]
    names = _matched("scalar metric", a.scalar_metrics, b.scalar_metrics, unmatched)
    stats = [s for s in a.stats if s in b.stats]
    if not (scenarios and names and stats):
        return pd.DataFrame(columns=_COLUMNS[:-1])

    def take(r: Results) -> np.ndarray:
        idx = [[r.scenarios.index(s) for s in scenarios],
               [r.scalar_metrics.index(m) for m in names], [r.stats.index(k) for k in stats]]
        return r.scalars[np.ix_(*idx)]

    grid = pd.MultiIndex.from_product([scenarios, names, stats],
                                      names=["scenario", "metric", "stat"])
    frame = grid.to_frame(index=False)
    frame.insert(0, "kind", "scalar")
    frame.insert(3, "date", "")
    return _with_values(frame, take(a).ravel(), take(b).ravel())


def _with_values(frame: pd.DataFrame, old: np.ndarray, new: np.ndarray) -> pd.DataFrame:
    frame["old"] = old
    frame["new"] = new
    with np.errstate(invalid="ignore", divide="ignore"):
        same = (old == new) | (~np.isfinite(old) & ~np.isfinite(new))
        abs_diff = np.where(same, 0.0, np.abs(new - old))
        rel = np.where(same, 0.0, abs_diff / np.abs(old))
    frame["abs_diff"] = np.where(np.isnan(abs_diff), np.inf, abs_diff)
    frame["rel_diff"] = np.where(np.isnan(rel), np.inf, rel)
    return frame


def _within(old: np.ndarray, new: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    both_non_finite = ~np.isfinite(old) & ~np.isfinite(new)
    return np.isclose(new, old, rtol=rtol, atol=atol) | both_non_finite


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    def text(v: object) -> str:
        if isinstance(v, (float, np.floating)):
            return f"{v:.6g}"
        return str(v)

    rows = [[text(v) for v in row] for row in frame[columns].itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    out = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    out += ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(out)
