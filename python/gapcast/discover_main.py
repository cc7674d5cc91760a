"""The ``gapcast discover`` command: ``gapcast-discover ENSEMBLE --where CONDITION [options]``.

Installed with the package as the console script ``gapcast-discover``, which the ``gapcast``
command runs for ``gapcast discover`` (an external subcommand, like ``gapcast report``).
Prints the finding in plain words, the peeling trajectory and the chosen box; with ``--out``
also writes discovery.json, trajectory.csv and box.csv (read by ``gapcast report
--discovery``) and, with ``--plot``, the figure.

Exit statuses: 0 success; 2 bad usage, a condition that does not parse or selects no world or
every world, an unknown scenario, parameter or column, or an ensemble that is not one or does
not match its manifest (nothing is written); 1 internal failure; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ._cli_args import positive
from .discover import discover
from .errors import OutputDirError, ResultsFileError

__all__ = ["main"]

PROG = "gapcast discover"


def _fraction(text: str, *, low_open: bool = True, high: float = 1.0) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (0.0 < value if low_open else 0.0 <= value) or not value <= high:
        raise argparse.ArgumentTypeError(f"must lie in {'(' if low_open else '['}0, {high}], "
                                         f"got {text}")
    return value


def _alpha(text: str) -> float:
    value = _fraction(text, high=0.5)
    if value == 0.5:
        raise argparse.ArgumentTypeError("must lie in (0, 0.5), got 0.5")
    return value


def _box(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a box number or 'auto', got {text!r}") from None


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Scenario discovery: in which sampled worlds does a condition hold? PRIM "
                    "looks for limits on the drawn parameters inside which those worlds are "
                    "concentrated, and the chosen box is said in plain words.",
        epilog="examples:\n"
               "  gapcast compare scenarios/*.json --samples 100000 --ensemble --out results\n"
               "  gapcast discover results --scenario comprehensive_embargo \\\n"
               "      --where \"gap_training@2030-12 < 10\"\n"
               "  gapcast discover results/ensemble.parquet --scenario baseline \\\n"
               "      --where \"threshold_month <= 60 and gap_inference@2030-12 < 100\" \\\n"
               "      --box 12 --out discovery --plot discovery.png\n\n"
               "CONDITION: comparisons (< <= > >= == !=) of a column with a number, joined by "
               "and/or/not\nand parentheses; a column is METRIC@YYYY-MM (a recorded month), a "
               "scalar metric\n(threshold_month, delay_months_vs_baseline, ...) or "
               "world.PARAMETER. An event never\nreached is +inf; an undefined value fails "
               "every comparison but !=.\n\n"
               "Which box: the densest box on the peeling trajectory that keeps at least "
               "--min-coverage\nof the worlds of interest and restricts at most --max-dims "
               "parameters (or --box N). A restriction with "
               "quasi-p >= 0.05 is marked\nnot significant. See docs/ensembles.md.\n\n"
               "exit status: 0 success; 2 bad usage, bad condition or unusable ensemble "
               "(nothing is\nwritten); 1 internal failure; 130 interrupted.")
    p.add_argument("ensemble", metavar="ENSEMBLE",
                   help="ensemble.parquet, or a results directory holding one (written by "
                        "`gapcast run/compare --ensemble --out DIR`)")
    p.add_argument("--where", required=True, metavar="CONDITION",
                   help="which worlds are of interest, e.g. \"gap_training@2030-12 < 10\"")
    p.add_argument("--scenario", default=None,
                   help="the scenario whose worlds to search (needed when the ensemble holds "
                        "several)")
    p.add_argument("--inputs", default=None,
                   help="comma-separated drawn parameters to search (default: all that vary)")
    p.add_argument("--box", type=_box, default="auto",
                   help="box of the trajectory to describe, or 'auto' (default)")
    p.add_argument("--min-coverage", type=_fraction, default=0.5,
                   help="for --box auto: the least share of the cases the box keeps "
                        "(default 0.5)")
    p.add_argument("--max-dims", type=positive, default=5,
                   help="for --box auto: the most parameters the box may restrict (default 5)")
    p.add_argument("--peel-alpha", type=_alpha, default=0.05,
                   help="share of the box peeled per step (default 0.05)")
    p.add_argument("--paste-alpha", type=_alpha, default=0.05,
                   help="share pasted back per step (default 0.05)")
    p.add_argument("--mass-min", type=lambda t: _fraction(t, low_open=False, high=0.999),
                   default=0.05, help="smallest box, as a share of all worlds (default 0.05)")
    p.add_argument("--objective", choices=("original", "lenient1", "lenient2"),
                   default="lenient1",
                   help="PRIM's peeling objective (default lenient1, as EMA Workbench)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="write discovery.json, trajectory.csv and box.csv here (replaced "
                        "whole)")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="save the trade-off and box-limits figure (.png, .svg or .pdf)")
    p.add_argument("--no-verify", action="store_true",
                   help="skip the SHA-256 check against the manifest beside the ensemble")
    p.add_argument("--boxes", type=positive, default=1, metavar="K",
                   help="search K boxes in turn, each among the worlds outside the boxes "
                        "before it (default 1; --out and --plot keep the first)")
    p.add_argument("--scores", type=lambda t: int(t) if t.isdigit() else _bad_count(t),
                   default=0, metavar="N",
                   help="also print the N parameters that best separate the worlds of "
                        "interest (extra-trees feature scores, as EMA Workbench; needs "
                        "scikit-learn)")
    p.add_argument("--full-trajectory", action="store_true",
                   help="print every box of the trajectory (default: up to 25)")
    return p


def _bad_count(text: str) -> int:
    raise argparse.ArgumentTypeError(f"a whole number, got {text!r}")


def _ensemble_path(text: str) -> Path:
    path = Path(text)
    return path / "ensemble.parquet" if path.is_dir() else path


def _trajectory_text(trajectory: pd.DataFrame, chosen: int, full: bool) -> str:
    shown = trajectory[["coverage", "density", "mass", "res_dim", "phase"]].copy()
    if not full and len(shown) > 25:
        keep = sorted({*range(0, len(shown), max(1, len(shown) // 20)), chosen,
                       len(shown) - 1})
        shown = shown.iloc[keep]
    mark = ["<- chosen" if i == chosen else "" for i in shown.index]
    for column in ("coverage", "density", "mass"):
        shown[column] = [f"{100 * v:.1f}%" for v in shown[column]]
    shown[""] = mark
    return shown.to_string()


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    args = parser(prog).parse_args(argv)
    plot = Path(args.plot) if args.plot else None
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        print(f"{prog}: --plot must end in .png, .svg or .pdf, got {plot.name}; nothing was "
              "written", file=sys.stderr)
        return 2
    inputs = None if args.inputs is None else [s.strip() for s in args.inputs.split(",")
                                               if s.strip()]
    try:
        found = discover(_ensemble_path(args.ensemble), args.where, scenario=args.scenario,
                         inputs=inputs, box=args.box, min_coverage=args.min_coverage,
                         max_dims=args.max_dims,
                         peel_alpha=args.peel_alpha, paste_alpha=args.paste_alpha,
                         mass_min=args.mass_min, objective=args.objective,
                         verify=not args.no_verify)
        print(found.summary())
        print("\nPeeling trajectory (coverage: share of the cases inside; density: share of "
              "the box that are cases; mass: share of all worlds)")
        print(_trajectory_text(found.trajectory, found.chosen, args.full_trajectory))
        frame = found.box_frame()
        if len(frame):
            print(f"\nBox {found.chosen}: limits, sampled ranges and quasi-p-values")
            print(frame.drop(columns=["allowed"]).to_string(float_format=lambda v: f"{v:.4g}"))
        later = found
        for k in range(2, args.boxes + 1):
            try:
                later = later.next_box()
            except ValueError as why:
                print(f"\nNo box {k}: {why}.")
                break
            print(f"\nBox search {k}:")
            print(later.summary())
            frame_k = later.box_frame()
            if len(frame_k):
                print(frame_k.drop(columns=["allowed"]).to_string(
                    float_format=lambda v: f"{v:.4g}"))
        if args.scores > 0:
            scores = found.feature_scores().head(args.scores)
            print(f"\nFeature scores (extra trees, {len(found.settings['inputs'])} parameters; "
                  "higher separates the worlds of interest better)")
            print(scores.to_string(float_format=lambda v: f"{v:.3f}"))
        if args.out is not None:
            written = found.write(args.out)
            print(f"\nwrote discovery.json trajectory.csv box.csv to {written}",
                  file=sys.stderr)
        if plot is not None:
            _save_plot(found, plot)
            print(f"wrote {plot}", file=sys.stderr)
    except (ValueError, ResultsFileError, OutputDirError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) stopped reading: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - closed at exit
        return 0
    except Exception as error:  # noqa: BLE001 - the exit status is the contract here
        print(f"{prog}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


def _save_plot(found, path: Path) -> None:
    """The figure, written to a temporary name and renamed (never half a file)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = found.plot()
    partial = path.with_name(f".{path.name}.partial")
    try:
        fig.savefig(partial, format=path.suffix[1:].lower(), dpi=200)
        partial.replace(path)
    finally:
        plt.close(fig)
        partial.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
