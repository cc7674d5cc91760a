"""Issue 4's interactive workload: one shipped scenario at 10,000 samples from Python, end to
end (load the scenario, run it, have the xarray Dataset in hand), timed with timeit.

    python3 benchmarks/python_single_scenario.py [--scenario baseline] [--samples 10000]
                                                 [--repeat 7] [--threads 0]
                                                 [--metrics gap_training,gap_inference]
                                                 [--dates 2030-12,2035-12]

Prints each repeat and the median. The run counts the scenario's own policy and the
no-controls counterfactual its paired effects need (and the baseline, for a scenario that is
not the baseline), so a run of `baseline` integrates 2 x samples worlds. The first repeat is
kept in the list but the median is what to report: the machine is shared and noisy.
`--metrics` and `--dates` pass a recording selection (run(metrics=..., dates=...)): the
interactive way to ask one question, which skips the summaries of everything else.
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import gapcast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="baseline", help="shipped name or file path")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    parser.add_argument("--metrics", help="comma-separated series metrics to record "
                                          "(default: all)")
    parser.add_argument("--dates", help="comma-separated months to record (default: all)")
    args = parser.parse_args()
    selection = {k: getattr(args, k).split(",") for k in ("metrics", "dates")
                 if getattr(args, k)}

    def end_to_end() -> None:
        scenario = gapcast.load(args.scenario)
        results = gapcast.run(scenario, samples=args.samples, threads=args.threads,
                              progress=False, **selection)
        results.to_xarray()  # the Dataset in hand

    times = timeit.repeat(end_to_end, number=1, repeat=args.repeat)
    print(f"scenario {args.scenario}, {args.samples} samples, threads {args.threads or 'all'}, "
          f"recording {selection or 'everything'}")
    print("repeats (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"median: {statistics.median(times):.3f} s, best: {min(times):.3f} s")


if __name__ == "__main__":
    main()
