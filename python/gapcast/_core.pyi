# Type stubs for the compiled module gapcast._core (bindings/*.cpp). Written by hand, as
# boost-histogram does; tests/python/test_stubs.py checks that every name here exists in the
# built module and that the module has no public name missing here.
from collections.abc import Callable, Sequence
from os import PathLike
from typing import Any, overload

import numpy as np
import numpy.typing as npt

__version__: str
git_commit: str
compiler: str
build_type: str

class Distribution:
    @staticmethod
    def point(value: float) -> Distribution: ...
    @staticmethod
    def uniform(low: float, high: float) -> Distribution: ...
    @staticmethod
    def log_uniform(low: float, high: float) -> Distribution: ...
    @staticmethod
    def normal(mean: float, sd: float) -> Distribution: ...
    @staticmethod
    def lognormal(mu: float, sigma: float) -> Distribution: ...
    @staticmethod
    def lognormal_from_interval(low: float, high: float, level: float = 0.9) -> Distribution: ...
    @staticmethod
    def normal_from_interval(low: float, high: float, level: float = 0.9) -> Distribution: ...
    @staticmethod
    def triangular(low: float, mode: float, high: float) -> Distribution: ...
    @staticmethod
    def pert(low: float, mode: float, high: float, lambda_: float = 4.0) -> Distribution: ...
    @staticmethod
    def beta(alpha: float, beta: float, low: float = 0.0, high: float = 1.0) -> Distribution: ...
    @staticmethod
    def bernoulli(p: float) -> Distribution: ...
    @staticmethod
    def discrete(values: Sequence[float], weights: Sequence[float]) -> Distribution: ...
    @staticmethod
    def from_percentiles(
        low: float,
        median: float,
        high: float,
        q_low: float = 0.05,
        q_high: float = 0.95,
        log_space: bool = True,
    ) -> Distribution: ...
    @staticmethod
    def mixture(components: Sequence[Distribution], weights: Sequence[float]) -> Distribution: ...
    def truncated(self, low: float = ..., high: float = ...) -> Distribution: ...
    @overload
    def quantile(self, u: float) -> float: ...
    @overload
    def quantile(self, u: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    @overload
    def cdf(self, x: float) -> float: ...
    @overload
    def cdf(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    @property
    def median(self) -> float: ...
    @property
    def mean(self) -> float: ...
    @property
    def support(self) -> tuple[float, float]: ...
    @property
    def is_point(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    def describe(self) -> str: ...

class Scenario:
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def policy(self) -> dict[str, str]: ...
    @property
    def world(self) -> dict[str, Any]: ...
    @property
    def files(self) -> list[dict[str, str]]: ...
    def parameters(self) -> list[dict[str, Any]]: ...
    def levers(self) -> list[dict[str, Any]]: ...
    def lever_values(self, dates: Sequence[str]) -> npt.NDArray[np.float64]: ...
    def correlation(self) -> dict[str, Any] | None: ...

def load_scenarios(
    files: Sequence[str | PathLike[str]], strict: bool = False
) -> tuple[list[Scenario], list[dict[str, Any]]]: ...
def load_scenario_json(
    value: Any, label: str, base_dir: str | PathLike[str], strict: bool = False
) -> tuple[list[Scenario], list[dict[str, Any]]]: ...
def catalogue() -> dict[str, list[dict[str, Any]]]: ...

def default_run_options() -> dict[str, Any]: ...
def run_option_limits() -> dict[str, Any]: ...
def validate_run_options(options: dict[str, Any]) -> dict[str, Any]: ...

# The results dict ("payload") that run() returns and the writers below take:
#   format_version: int (1)
#   scenarios: list of {name, title, description, world, policy, fingerprint,
#              world_fingerprint, policy_fingerprint, files, has_baseline_comparison}
#   metrics, scalar_metrics: list of {name, unit, description, kind, compared_with}
#   dates: list[str] ("YYYY-MM"); quantiles: list[float]
#   series: float64[S, M, T, K]; scalars: float64[S, N, K]
#   series_counts: uint64[S, M, T, 3]; scalar_counts: uint64[S, N, 3]
#   info: run settings and provenance; manifest: dict (run() only)
#   raw: None or {date_indices, parameter_names, series[n, S, M, D], scalars[n, S, N],
#        parameters[n, S, P] (each scenario's world's drawn values; NaN for a parameter
#        its world does not have)}
def run(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    *,
    baseline: Scenario | None = None,
    progress: Callable[[int, int], Any] | None = None,
    poll_seconds: float = 0.1,
    command: Sequence[str] = ...,
    inputs: str = "",
    ensemble_path: str = "",
) -> dict[str, Any]: ...
def run_shard(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    *,
    start: int,
    stop: int,
    baseline: Scenario | None = None,
    progress: Callable[[int, int], Any] | None = None,
    poll_seconds: float = 0.1,
    command: Sequence[str] = ...,
    inputs: str = "",
    ensemble_path: str = "",
) -> bytes: ...
class ShardMerger:
    def __init__(self, description: bytes | None = None) -> None: ...
    def add(self, shard: bytes) -> None: ...
    @property
    def pending(self) -> int: ...
    def finish(self) -> dict[str, Any]: ...

def describe_run(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    *,
    baseline: Scenario | None = None,
    command: Sequence[str] = ...,
    inputs: str = "",
) -> bytes: ...
def sensitivity_evaluations(
    scenarios: Sequence[Scenario], options: dict[str, Any], sensitivity: dict[str, Any]
) -> int: ...
def sensitivity_rows(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    sensitivity: dict[str, Any],
    *,
    start: int,
    stop: int,
    baseline: Scenario | None = None,
    progress: Callable[[int, int], Any] | None = None,
    poll_seconds: float = 0.1,
) -> bytes: ...
def analyse_sensitivity_rows(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    sensitivity: dict[str, Any],
    rows: Sequence[bytes],
    *,
    baseline: Scenario | None = None,
    command: Sequence[str] = ...,
    inputs: str = "",
    keep_values: bool = False,
) -> dict[str, Any]: ...
def run_sensitivity(
    scenarios: Sequence[Scenario],
    options: dict[str, Any],
    sensitivity: dict[str, Any],
    *,
    baseline: Scenario | None = None,
    progress: Callable[[int, int], Any] | None = None,
    poll_seconds: float = 0.1,
    command: Sequence[str] = ...,
    inputs: str = "",
    keep_values: bool = False,
) -> dict[str, Any]: ...
def results_json(results: dict[str, Any]) -> str: ...
def series_csv(results: dict[str, Any]) -> str: ...
def scalars_csv(results: dict[str, Any]) -> str: ...
def samples_csv(results: dict[str, Any]) -> str: ...
def manifest_json(
    results: dict[str, Any],
    command: Sequence[str],
    files: Sequence[tuple[str, str]],
    inputs: str = "",
) -> str: ...
def write_results(
    results: dict[str, Any], out_dir: str | PathLike[str], command: Sequence[str],
    inputs: str = "",
) -> list[str]: ...
def report_months(results: dict[str, Any], years: Sequence[int] = ...) -> list[int]: ...
def summary_table(results: dict[str, Any], years: Sequence[int] = ...) -> str: ...
def comparison_table(results: dict[str, Any], years: Sequence[int] = ...) -> str: ...
def format_number(value: float) -> str: ...
def format_compact(value: float) -> str: ...
def reproduce(
    manifest: str,
    *,
    directory: str = "",
    keep: str = "",
    threads: int = 0,
    force: bool = False,
    progress: Callable[[int, int], Any] | None = None,
    poll_seconds: float = 0.1,
) -> dict[str, Any]: ...

# Global-sensitivity estimators (bindings/register_sensitivity.cpp, docs/sensitivity.md).
# Designs are in the unit cube. `groups`: None (each parameter alone), one label per parameter
# (SALib's problem["groups"]) or {group name: [parameter names]}.
_Groups = Sequence[str] | dict[str, Sequence[str]] | None

def sensitivity_sobol_points(
    dimension: int, count: int, first: int = 0, scramble_seed: int | None = None
) -> npt.NDArray[np.float64]: ...
def sensitivity_saltelli_design(
    parameters: Sequence[str],
    base_samples: int,
    second_order: bool = False,
    groups: _Groups = None,
    scramble: bool = True,
    seed: int = 0,
) -> npt.NDArray[np.float64]: ...
def sensitivity_morris_design(
    parameters: Sequence[str],
    trajectories: int,
    num_levels: int = 4,
    groups: _Groups = None,
    seed: int = 0,
) -> npt.NDArray[np.float64]: ...
# {names, S1, S1_conf, ST, ST_conf, [S2, S2_conf (G x G, NaN on and below the diagonal)],
#  defined, output_variance, base_samples, checks: [{index, group, other, value, half_width,
#  negative, wide, suggested_base_samples}]}
def sensitivity_sobol_indices(
    parameters: Sequence[str],
    y: npt.ArrayLike,
    second_order: bool = False,
    groups: _Groups = None,
    num_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    target_half_width: float = 0.05,
) -> dict[str, Any]: ...
# {names, mu, mu_star, sigma, mu_star_conf}
def sensitivity_morris_indices(
    parameters: Sequence[str],
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    num_levels: int = 4,
    groups: _Groups = None,
    num_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]: ...
# {names, minimum, mean, median, maximum, CV, stdev}
def sensitivity_pawn_indices(
    parameters: Sequence[str],
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    slices: int = 10,
    groups: _Groups = None,
) -> dict[str, Any]: ...
