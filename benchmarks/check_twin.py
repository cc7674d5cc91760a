#!/usr/bin/env python3
"""Agreement check: the NumPy twin's central run against the engine's, for every shipped
scenario and every series both produce.

    python3 benchmarks/check_twin.py [--gapcast PATH] [--tolerance 1e-4] [SCENARIO.json ...]

Runs `gapcast run <scenarios> --central --out DIR` once, reads the per-month values from
series.csv (the `mean` column: exact for one sample, whereas the quantile columns pass through
the 0.5%-accurate sketches), runs the twin's central mode and prints the largest relative
difference per scenario and series. Exits 1 if any exceeds the tolerance. The engine uses
adaptive dopri5 at rtol = atol = 1e-5, so differences of a few 1e-6 are its solver error.
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import subprocess
import sys
import sysconfig
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import numpy_twin  # noqa: E402

# Series the engine reports that docs/model.md does not define; the twin's versions are
# guesses that happen to match (see benchmarks/README.md).
GUESSED = {"gap_training_hardware", "gap_training_hardware_months", "software_lag_months",
           "domestic_output_per_year"}


def default_cli() -> pathlib.Path:
    return pathlib.Path(sysconfig.get_path("scripts")) / "gapcast"


def engine_central(cli, scenarios) -> dict:
    """{scenario: {metric: {month: value}}} from one central engine run."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([str(cli), "run", *map(str, scenarios), "--central", "--quiet",
                              "--no-progress", "--out", out], capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"gapcast failed ({run.returncode}):\n{run.stderr}")
        values: dict = {}
        with open(pathlib.Path(out) / "series.csv", newline="") as f:
            for row in csv.DictReader(f):
                if row["mean"] != "":  # paired metrics are empty where they do not apply
                    values.setdefault(row["scenario"], {}).setdefault(row["metric"], {})[
                        row["date"]] = float(row["mean"])
    return values


def rel_diff(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0 else 0.0


def compare(cli, scenarios) -> dict:
    """{(scenario, series): (max relative difference, month)} over the series both produce."""
    engine = engine_central(cli, scenarios)
    result = {}
    for path in scenarios:
        name = numpy_twin.load_scenario(path)["name"]
        twin = numpy_twin.run_central(path)
        for series, by_month in sorted(engine[name].items()):
            if series not in twin:
                continue
            diffs = [(rel_diff(v, by_month[m]), m) for v, m in zip(twin[series], twin["months"])]
            if len(by_month) != len(diffs):
                raise ValueError(f"{name}/{series}: engine has {len(by_month)} months, twin {len(diffs)}")
            result[(name, series)] = max(diffs)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--gapcast", default=str(default_cli()), help="the engine's CLI")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    scenarios = args.scenarios or [numpy_twin.REPO / "scenarios" / f"{s}.json"
                                   for s in numpy_twin.SHIPPED]
    result = compare(args.gapcast, scenarios)
    print(f"{'scenario':24s} {'series':32s} {'max rel diff':>12s}  at")
    for (name, series), (diff, month) in result.items():
        flag = "  FAIL" if diff > args.tolerance else ""
        note = "  (guessed definition)" if series in GUESSED else ""
        print(f"{name:24s} {series:32s} {diff:12.3e}  {month}{flag}{note}")
    print()
    worst = {}
    for (name, series), (diff, _) in result.items():
        worst[name] = max(worst.get(name, (0.0, "")), (diff, series))
    for name, (diff, series) in worst.items():
        print(f"{name:24s} worst {diff:.3e} ({series}); gap_training {result[(name, 'gap_training')][0]:.3e}")
    failed = [k for k, (d, _) in result.items() if d > args.tolerance]
    print(f"{len(result)} series compared, {len(failed)} above {args.tolerance:g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
