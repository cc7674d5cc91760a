"""Compare export-control policies: run scenarios together, print the policy-effects table,
and save the result files and the standard figures.

    python3 examples/compare_policies.py                          # every shipped scenario
    python3 examples/compare_policies.py my_policy.json --samples 20000 --out results/mine

Scenario arguments are files or shipped scenario names; the shipped baseline is added when
no scenario is named "baseline", so every policy is compared with it. The result files are
the same as `gapcast compare ... --out` writes for the same scenarios, seed and samples.
Exit status: 0 done, 2 invalid scenario or options, 130 interrupted (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed

import gapcast  # noqa: E402
from gapcast import plotting  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*",
                        help="scenario files or shipped names (default: every shipped one)")
    parser.add_argument("--samples", type=int, default=2000, help="Monte Carlo samples")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed")
    parser.add_argument("--threads", type=int, default=0, help="worker threads (0: all)")
    parser.add_argument("--years", type=int, nargs="*", default=[2027, 2030, 2035],
                        help="years whose December the table shows")
    parser.add_argument("--out", type=Path, default=Path("results/compare_policies"),
                        help="folder for result files and figures")
    args = parser.parse_args(argv)

    try:
        scenarios = [gapcast.load(s) for s in args.scenarios or gapcast.shipped_scenarios()]
        if "baseline" not in [s.name for s in scenarios]:
            scenarios.insert(0, gapcast.load("baseline"))
        results = gapcast.run(scenarios, samples=args.samples, seed=args.seed,
                              threads=args.threads)
    except (gapcast.ScenarioError, gapcast.SimulationError, ValueError) as error:
        print(f"compare_policies: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("compare_policies: interrupted; nothing was written", file=sys.stderr)
        return 130

    print(results.comparison(years=args.years))
    written = results.write(args.out)
    figures = {
        "gap_months.png": plotting.fan_chart(results, "gap_training_months").figure,
        "effects_vs_baseline.png": plotting.baseline_comparison(results),
        "supply_channels.png": plotting.supply_breakdown(results),
    }
    for name, figure in figures.items():
        figure.savefig(args.out / name, dpi=150)
        written.append(args.out / name)
    print("wrote " + ", ".join(p.name for p in written) + f" to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
