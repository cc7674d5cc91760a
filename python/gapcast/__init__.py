"""gapcast: effective AI compute under export-control scenarios, from Python.

Load a scenario, change an assumption or a lever, run the Monte Carlo, and look at the results
as NumPy arrays, an xarray Dataset or pandas DataFrames::

    import gapcast

    base = gapcast.load("baseline")                      # a shipped scenario, a file or a dict
    faster = base.with_parameters(
        densing_doubling_months={"ci90": [2.5, 4], "truncate": [0.5, 240]}).renamed("faster")
    results = gapcast.run([base, faster], samples=2000, seed=1)
    results.metric("gap_training_months").sel(stat="p50")
    gapcast.plotting.fan_chart(results, "gap_training_months")

The engine is the same C++ library the ``gapcast`` command runs: same validation, same
numbers for the same seed and samples, same result files (:meth:`Results.write`).
"""

from __future__ import annotations

import os
from typing import Any

from . import _core
from ._core import Distribution
from .errors import (
    Diagnostic,
    GapcastWarning,
    OutputDirError,
    ReportInputError,
    ResultsFileError,
    ScenarioError,
    SimulationError,
)
from .reproduce import Reproduction, reproduce
from .checks import CheckFileError, check
from .discover import Discovery, discover
from .ensemble import ensemble_info, read_ensemble
from .feature_scores import feature_scores
from .prim import PrimResult, prim
from .results_diff import Diff, diff
from .results import Results
from .sensitivity import Sensitivity, sensitivity
from .shards import Shard, split_samples
from .run import default_options, run
from .where import WhereError
from .scenario import (
    Lever,
    Parameter,
    Scenario,
    load,
    load_all,
    scenario_path,
    shipped_scenarios,
)

__version__: str = _core.__version__

__all__ = [
    "CheckFileError",
    "Diagnostic",
    "Diff",
    "Discovery",
    "Distribution",
    "GapcastWarning",
    "Lever",
    "OutputDirError",
    "Parameter",
    "PrimResult",
    "ReportInputError",
    "Reproduction",
    "Results",
    "ResultsFileError",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "Shard",
    "SimulationError",
    "WhereError",
    "__version__",
    "catalogue",
    "check",
    "default_options",
    "diff",
    "discover",
    "ensemble_info",
    "feature_scores",
    "load",
    "load_all",
    "plotting",
    "prim",
    "read_ensemble",
    "report",
    "reproduce",
    "run",
    "scenario_path",
    "sensitivity",
    "shipped_scenarios",
    "split_samples",
]


def catalogue() -> dict[str, list[dict[str, Any]]]:
    """The model's vocabulary: every world parameter, chip-class and production-line field,
    and chip and global lever, with units, valid ranges and meanings."""
    return _core.catalogue()


def report(results: Results | str | os.PathLike[str], out_dir: str | os.PathLike[str],
           **options: Any) -> Any:
    """Builds the report of some results (``gapcast report RESULTS_DIR -o OUT_DIR``):
    figures as SVG, PDF and 300-dpi PNG, tables as CSV, Markdown and LaTeX, the assumptions
    appendix and one self-contained index.html, each carrying its provenance. Regenerating
    from the same results gives byte-identical files.

    ``results`` is a results directory or a :class:`Results` (a run made in this process is
    written to ``results_dir=...`` first, or to a temporary directory: the report is drawn
    from files). ``out_dir`` is replaced whole. Options (``years``, ``scenarios``,
    ``metrics``, ``formats``, ``dpi``, ``results_dir``, ``discoveries``,
    ``sensitivities``) are those of
    :func:`gapcast.report_build.build_report`; returns its
    :class:`~gapcast.report_build.ReportOutput`. docs/reports.md has the details.
    """
    # matplotlib is imported only when a report is asked for.
    from .report_build import build_report

    return build_report(results, out_dir, **options)


def __getattr__(name: str) -> Any:
    # matplotlib is imported only when plots are asked for: loading and running stay fast.
    if name == "plotting":
        import importlib

        return importlib.import_module(".plotting", __name__)
    raise AttributeError(f"module 'gapcast' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
