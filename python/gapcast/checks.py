"""Plausibility checks over ensemble outputs (``gapcast check``, :func:`check`).

A checks file states what the outputs should look like, each statement with its source:

.. code-block:: json

    {"kind": "checks",
     "checks": [
       {"name": "us_stock_at_start", "scenario": "baseline",
        "metric": "frontier_training_hardware", "date": "2026-01", "statistic": "p50",
        "between": [7.5e6, 17e6],
        "source": "Epoch AI, AI Chip Sales explorer (Jan 2026): > 15M H100e worldwide ...",
        "note": "why this interval"}]}

Each check names a scenario (or ``"all"``: every scenario of the results, each checked on its
own), a time-series metric and a month (``date``), or a scalar metric (no ``date``), a
statistic (``"mean"``, a quantile such as ``"p50"``, or ``"probability"`` for a probability
metric) and one condition: ``between`` [low, high], ``below`` x, ``above`` x, or
``interval_contains`` x (the 90% interval p5..p95 contains x; no statistic then). The schema
is ``checks/checks.schema.json``; a file that breaks it is reported with file:line:column and
the JSON pointer, like a scenario file.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, Union

import pandas as pd

from .results import Results

__all__ = ["CheckFileError", "check", "read_checks", "CONDITIONS"]

CONDITIONS = ("between", "below", "above", "interval_contains")
_KEYS = {"name", "scenario", "metric", "date", "statistic", *CONDITIONS, "source", "note"}
_TOP_KEYS = {"$schema", "kind", "title", "description", "checks"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


class CheckFileError(ValueError):
    """A checks file that cannot be used; ``problems`` holds one located message each
    (``file:line:column: error: /pointer: what is wrong``)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Check:
    name: str
    scenario: str
    metric: str
    date: str | None
    statistic: str | None
    condition: str
    bounds: tuple[float, ...]
    source: str
    note: str
    pointer: str

    def describe(self) -> str:
        if self.condition == "between":
            return f"between {_num(self.bounds[0])} and {_num(self.bounds[1])}"
        if self.condition == "interval_contains":
            return f"90% interval contains {_num(self.bounds[0])}"
        return f"{self.condition} {_num(self.bounds[0])}"


def read_checks(path: str | os.PathLike[str]) -> list[Check]:
    """Reads and validates a checks file (without results: names of metrics and scenarios are
    checked by :func:`check`). Raises :class:`CheckFileError` with located messages."""
    path = Path(path)
    label = str(path)
    try:
        if not path.is_file():
            raise CheckFileError([f"{label}: error: not a file"])
        if path.stat().st_size > 8 * 1024 * 1024:
            raise CheckFileError([f"{label}: error: checks files may be at most 8 MiB"])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CheckFileError([f"{label}: error: not UTF-8 text"]) from None
    except OSError as e:
        raise CheckFileError([f"{label}: error: cannot be read: {e.strerror}"]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckFileError([f"{label}:{e.lineno}:{e.colno}: error: invalid JSON: {e.msg}"]) \
            from None
    where = _positions(text)
    problems: list[str] = []

    def error(pointer: str, message: str) -> None:
        line, col = where.get(pointer, (1, 1))
        problems.append(f"{label}:{line}:{col}: error: {pointer or '/'}: {message}")

    checks = _parse(document, error)
    if problems:
        raise CheckFileError(problems)
    return checks


def check(checks: str | os.PathLike[str] | Sequence[Check],
          results: Union[Results, str, "os.PathLike[str]"]) -> pd.DataFrame:
    """Evaluates checks against results (a :class:`Results` or a results directory).

    Returns one row per check and scenario: name, scenario, metric, date, statistic,
    condition, measured (the statistic; for ``interval_contains`` the p5 and p95 as text),
    held (bool), source, note. Raises :class:`CheckFileError` when a check names a scenario,
    metric, month or statistic the results do not have (with the valid names)."""
    where: dict[str, tuple[int, int]] = {}
    if isinstance(checks, (str, os.PathLike)):
        label = str(checks)
        items = read_checks(checks)
        where = _positions(Path(checks).read_text(encoding="utf-8"))
    else:
        label, items = "checks", list(checks)
    r = results if isinstance(results, Results) else Results.read(results)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for c in items:
        try:
            rows += _evaluate(c, r)
        except _Unknown as e:
            pointer = f"{c.pointer}/{e.member}"
            position = where.get(pointer, where.get(c.pointer))
            at = f"{label}:{position[0]}:{position[1]}" if position else label
            problems.append(f"{at}: error: {pointer}: {e}")
    if problems:
        raise CheckFileError(problems)
    return pd.DataFrame(rows, columns=["name", "scenario", "metric", "date", "statistic",
                                       "condition", "measured", "held", "source", "note"])


def table(frame: pd.DataFrame) -> str:
    """The table ``gapcast check`` prints: one line per check and scenario, failures marked."""
    columns = ["result", "name", "scenario", "metric", "date", "statistic", "condition",
               "measured"]
    rows = []
    for row in frame.itertuples(index=False):
        rows.append(["held" if row.held else "FAILED", row.name, row.scenario, row.metric,
                     row.date or "-", row.statistic, row.condition, row.measured])
    widths = [max([len(c)] + [len(str(r[i])) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    failed = int((~frame["held"]).sum()) if len(frame) else 0
    lines += ["", f"{len(frame) - failed} of {len(frame)} checks held, {failed} failed"]
    return "\n".join(lines) + "\n"


# ---- parsing -------------------------------------------------------------------------------


def _parse(document: Any, error) -> list[Check]:
    if not isinstance(document, dict):
        error("", "a checks file must be a JSON object with \"kind\": \"checks\" and "
                  "\"checks\": [...]")
        return []
    for key in document:
        if key not in _TOP_KEYS:
            error(f"/{_escape(key)}", f"unknown key {key!r}{_suggest(key, _TOP_KEYS)}")
    if document.get("kind") != "checks":
        error("/kind" if "kind" in document else "",
              "expected \"kind\": \"checks\" (this file does not say it is a checks file)")
    entries = document.get("checks")
    if not isinstance(entries, list) or not entries:
        error("/checks" if "checks" in document else "",
              "expected \"checks\": a non-empty array of check objects")
        return []
    out: list[Check] = []
    names: set[str] = set()
    for i, entry in enumerate(entries):
        at = f"/checks/{i}"
        c = _parse_one(entry, at, error)
        if c is None:
            continue
        if c.name in names:
            error(f"{at}/name", f"the name {c.name!r} is used by an earlier check; names must "
                                "be unique")
            continue
        names.add(c.name)
        out.append(c)
    return out


def _parse_one(entry: Any, at: str, error) -> Check | None:
    if not isinstance(entry, dict):
        error(at, f"expected a check object, got {_kind(entry)}")
        return None
    ok = True
    for key in entry:
        if key not in _KEYS:
            error(f"{at}/{_escape(key)}", f"unknown key {key!r}{_suggest(key, _KEYS)}")
            ok = False

    def text(key: str, required: bool) -> str | None:
        nonlocal ok
        value = entry.get(key)
        if value is None:
            if required:
                error(at, f"missing key {key!r}")
                ok = False
            return None
        if not isinstance(value, str) or not value.strip():
            error(f"{at}/{key}", f"expected a non-empty string, got {_kind(value)}")
            ok = False
            return None
        return value

    name = text("name", True)
    if name is not None and not _NAME.match(name):
        error(f"{at}/name", "use 1 to 80 letters, digits, '_', '.' or '-'")
        ok = False
    scenario = text("scenario", False) or "all"
    metric = text("metric", True)
    date = text("date", False)
    if date is not None and not _MONTH.match(date):
        error(f"{at}/date", f"expected a month written YYYY-MM, got {date!r}")
        ok = False
    statistic = text("statistic", False)
    source = text("source", True)
    note = text("note", False) or ""
    given = [k for k in CONDITIONS if k in entry]
    if len(given) != 1:
        error(at, "give exactly one condition: " + ", ".join(CONDITIONS) +
                  (f" (got {', '.join(given)})" if given else ""))
        return None
    condition = given[0]
    value = entry[condition]
    if condition == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(_finite(v) for v in value)):
            error(f"{at}/between", f"expected [low, high], two finite numbers, got "
                                   f"{_kind(value)}")
            return None
        if not value[0] <= value[1]:
            error(f"{at}/between", f"low must not exceed high (got [{_num(value[0])}, "
                                   f"{_num(value[1])}])")
            return None
        bounds = (float(value[0]), float(value[1]))
    else:
        if not _finite(value):
            error(f"{at}/{condition}", f"expected a finite number, got {_kind(value)}")
            return None
        bounds = (float(value),)
    if condition == "interval_contains":
        if statistic is not None:
            error(f"{at}/statistic", "interval_contains uses the p5 and p95; leave out "
                                     "\"statistic\"")
            ok = False
    elif statistic is None:
        error(at, "missing key 'statistic' (\"mean\", a quantile such as \"p50\", or "
                  "\"probability\")")
        ok = False
    if not ok or name is None or metric is None or source is None:
        return None
    return Check(name, scenario, metric, date, statistic, condition, bounds, source, note, at)


# ---- evaluation ----------------------------------------------------------------------------


class _Unknown(ValueError):
    def __init__(self, member: str, message: str):
        super().__init__(message)
        self.member = member


def _evaluate(c: Check, r: Results) -> list[dict[str, Any]]:
    if c.scenario == "all":
        scenarios = list(r.scenarios)
    elif c.scenario in r.scenarios:
        scenarios = [c.scenario]
    else:
        raise _Unknown("scenario", f"these results have no scenario {c.scenario!r}"
                       f"{_suggest(c.scenario, r.scenarios)}; they have "
                       f"{', '.join(r.scenarios)} (or use \"all\")")
    is_series = c.metric in r.metrics
    if not is_series and c.metric not in r.scalar_metrics:
        raise _Unknown("metric", f"unknown metric {c.metric!r}"
                       f"{_suggest(c.metric, [*r.metrics, *r.scalar_metrics])}; time-series "
                       f"metrics: {', '.join(r.metrics)}; scalar metrics: "
                       f"{', '.join(r.scalar_metrics)}")
    if is_series and c.date is None:
        raise _Unknown("metric", f"{c.metric} is a time-series metric: add \"date\" "
                       f"(a month from {r.date_labels[0]} to {r.date_labels[-1]})")
    if not is_series and c.date is not None:
        raise _Unknown("date", f"{c.metric} is a scalar metric (one value per sample): "
                       "leave out \"date\"")
    if is_series and c.date not in r.date_labels:
        raise _Unknown("date", f"the results have no month {c.date}: their months run from "
                       f"{r.date_labels[0]} to {r.date_labels[-1]}")
    needed = ["p5", "p95"] if c.condition == "interval_contains" else [c.statistic]
    for stat in needed:
        if stat != "probability" and stat not in r.stats:
            raise _Unknown("statistic", f"these results have no statistic {stat!r}; they "
                           f"have {', '.join(r.stats)} (and \"probability\" for probability "
                           "metrics)")
    rows = []
    for s in scenarios:
        values = [_value(r, s, c, stat) for stat in needed]
        if c.condition == "interval_contains":
            held = values[0] <= c.bounds[0] <= values[1]
            measured = f"{_num(values[0])} to {_num(values[1])}"
        else:
            v = values[0]
            held = {"between": lambda: c.bounds[0] <= v <= c.bounds[1],
                    "below": lambda: v < c.bounds[0],
                    "above": lambda: v > c.bounds[0]}[c.condition]()
            measured = _num(v)
        rows.append({"name": c.name, "scenario": s, "metric": c.metric, "date": c.date or "",
                     "statistic": c.statistic or "p5-p95", "condition": c.describe(),
                     "measured": measured, "held": bool(held) and all(
                         math.isfinite(v) for v in values),
                     "source": c.source, "note": c.note})
    return rows


def _value(r: Results, scenario: str, c: Check, stat: str) -> float:
    s = r.scenarios.index(scenario)
    k = 0 if stat == "probability" else r.stats.index(stat)
    if c.date is None:
        return float(r.scalars[s, r.scalar_metrics.index(c.metric), k])
    return float(r.series[s, r.metrics.index(c.metric), r.date_labels.index(c.date), k])


# ---- small helpers -------------------------------------------------------------------------


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _num(v: float) -> str:
    return "nan" if math.isnan(v) else f"{v:.4g}"


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return f"a boolean ({json.dumps(v)})"
    if isinstance(v, (int, float)):
        return f"a number ({json.dumps(v)})"
    if isinstance(v, str):
        return f"a string ({json.dumps(v)})"
    if v is None:
        return "null"
    return "an array" if isinstance(v, list) else "an object"


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _positions(text: str) -> dict[str, tuple[int, int]]:
    """Line and column (1-based) of the start of every value, by JSON pointer, for a text
    that json.loads accepted. Strings and numbers are read by the json module's own decoder."""
    decoder = json.JSONDecoder()
    out: dict[str, tuple[int, int]] = {}
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(i: int) -> tuple[int, int]:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, i - line_starts[lo] + 1

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, pointer: str) -> int:
        i = skip(i)
        out[pointer] = locate(i)
        if text[i] == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = decoder.raw_decode(text, skip(i))
                i = skip(i) + 1  # the colon
                i = skip(value(i, f"{pointer}/{_escape(key)}"))
                if text[i] == "}":
                    return i + 1
                i += 1  # the comma
        if text[i] == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            k = 0
            while True:
                i = skip(value(i, f"{pointer}/{k}"))
                k += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        _, end = decoder.raw_decode(text, i)
        return end

    value(0, "")
    return out
