#!/usr/bin/env python3
"""Where a run's time goes, by phase: instruction counts from callgrind, per world integration.

    python3 benchmarks/cost_model.py GAPCAST [--scenario baseline] [--samples 1000]

GAPCAST should be built with symbols (-g) and optimisation, e.g.

    cmake -S . -B build/prof -G Ninja -DCMAKE_BUILD_TYPE=Release \\
          -DCMAKE_CXX_FLAGS="-g -fno-omit-frame-pointer"
    cmake --build build/prof --target gapcast

The script runs one single-threaded `gapcast run` under `valgrind --tool=callgrind` (instruction
counts do not depend on what else the machine is doing, so two builds compare exactly), then
the same command natively to convert instructions to nanoseconds at the measured average rate.
Phases are the inclusive counts of the functions that own them; "stepping" is what the
integration spends outside the right-hand side, the recording and the segment set-up, i.e. the
Runge-Kutta stages' vector arithmetic, the error norm and the step-size control.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Phase -> the functions that own it, as callgrind --toggle-collect patterns (demangled names,
# * as wildcard). Collection is switched on inside these functions only, so each phase is one
# callgrind run and the count is exactly the instructions executed within them, callees
# included. Functions of one phase are never nested in each other (a nested toggle would switch
# collection off again).
PHASES = [
    ("load scenarios", ["gapcast::load_scenarios(*"]),
    ("per-sample work (integrate_sample)", ["gapcast::WaveExecutor::integrate_sample(*"]),
    ("  sampling (streams, quantiles, copula, inputs)",
     ["gapcast::WorldSampler::sample(*", "gapcast::ModelInputs::from_sample(*"]),
    ("  integration (all of simulate)", ["gapcast::ScenarioModel::simulate(*"]),
    ("    right-hand side", ["gapcast::detail::Dynamics::operator()(*"]),
    ("    dense output and recording",
     ["gapcast::ScenarioModel::Impl::record(*",
      "gapcast::ScenarioModel::Impl::record_paired_inputs(*"]),
    ("    segment set-up", ["gapcast::detail::Dynamics::enter(*"]),
    ("  metrics from series", ["gapcast::detail::scenario_metrics(*"]),
    ("sketch insertion (fold of each wave)", ["gapcast::RunSummaries::fold_cells(*"]),
    ("statistics from the sketches", ["gapcast::RunSummaries::finish(*"]),
    ("output files", ["gapcast::write_results(*"]),
]
PER_INTEGRATION = ["per-sample work (integrate_sample)", "sketch insertion (fold of each wave)"]
STEPPING = "    stepping (Runge-Kutta stages, error control)"
DRIVER = "  the rest (scratch buffers, row layout)"
OTHER = "other (process start, threads, allocation, tables)"


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def collected(cmd: list[str], toggles: list[str], tmp: Path) -> int:
    """Instructions callgrind counts for `cmd` inside the `toggles` functions (all if none)."""
    profile = tmp / "callgrind.out"
    run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}",
         *[f"--toggle-collect={t}" for t in toggles], *cmd])
    for line in profile.read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise SystemExit(f"no summary line in the callgrind profile of {toggles}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gapcast", help="a gapcast binary built with -g")
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--json", help="also write the table as JSON to this file")
    a = ap.parse_args()

    scenario = REPO / "scenarios" / f"{a.scenario}.json"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cmd = [a.gapcast, "run", str(scenario), "-n", str(a.samples), "-j", "1", "--seed", "1",
               "-q", "--no-progress", "--out", str(tmp / "out")]
        times = []
        for _ in range(3):  # the median of three native runs converts instructions to time
            start = time.perf_counter()
            run(cmd)
            times.append(time.perf_counter() - start)
        native = sorted(times)[1]
        steps = json.loads((tmp / "out" / "manifest.json").read_text())["run"]["solver_steps"]
        total = collected(cmd, [], tmp)
        values = {}
        for name, toggles in PHASES:
            values[name] = collected(cmd, toggles, tmp)
            print(f"  measured {name.strip()}", file=sys.stderr)

    # A scenario is integrated under its own policy, under no controls and under the baseline
    # in every drawn world; the same policy is integrated once.
    integrations_per_sample = len({a.scenario, "no_controls", "baseline"})
    integrations = a.samples * integrations_per_sample
    ns_per_instruction = native * 1e9 / total
    simulate = values["  integration (all of simulate)"]
    values[STEPPING] = simulate - sum(v for k, v in values.items() if k.startswith("    "))
    values[DRIVER] = values["per-sample work (integrate_sample)"] - sum(
        v for k, v in values.items() if k.startswith("  ") and not k.startswith("    "))
    order = [name for name, _ in PHASES]
    order.insert(order.index("    segment set-up") + 1, STEPPING)
    order.insert(order.index("  metrics from series") + 1, DRIVER)
    top = [k for k in order if not k.startswith(" ")]
    values[OTHER] = total - sum(values[k] for k in top)
    order.append(OTHER)

    print(f"{a.scenario}, {a.samples} samples, 1 thread: {total:,} instructions, native "
          f"{native:.3f} s (median of 3; {ns_per_instruction:.3f} ns per instruction on "
          f"average); {integrations:,} world integrations ({integrations_per_sample} per "
          f"sample), {steps / integrations:.1f} solver steps each\n")
    rows = []
    per_integration = {k for k in order
                       if k in PER_INTEGRATION or (k.startswith("  ") and k.strip())}
    print(f"{'per world integration':52s} {'instructions':>13s} {'ns':>9s} {'share of run':>13s}")
    for name in order:
        if name not in per_integration:
            continue
        per = values[name] / integrations
        rows.append({"phase": name.strip(), "scope": "per integration",
                     "instructions": per, "ns": per * ns_per_instruction,
                     "share": values[name] / total})
        print(f"{name:52s} {per:13,.0f} {per * ns_per_instruction:9,.0f} "
              f"{100 * values[name] / total:12.1f}%")
    print(f"\n{'per run (fixed costs)':52s} {'instructions':>13s} {'ms':>9s} {'share of run':>13s}")
    for name in order:
        if name in per_integration:
            continue
        v = values[name]
        rows.append({"phase": name.strip(), "scope": "per run", "instructions": v,
                     "ns": v * ns_per_instruction, "share": v / total})
        print(f"{name:52s} {v:13,d} {v * ns_per_instruction / 1e6:9,.1f} {100 * v / total:12.1f}%")
    if a.json:
        Path(a.json).write_text(json.dumps({"scenario": a.scenario, "samples": a.samples,
                                            "native_seconds": native, "total": total,
                                            "integrations": integrations,
                                            "solver_steps": steps, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
