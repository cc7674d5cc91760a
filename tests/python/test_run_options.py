"""One run-options model: the command line and Python reject the same values with the same
words (the engine's validator, gapcast/run/options.hpp), never truncate a float to a count,
never iterate a string as a list, and never wrap a negative seed (issue 8)."""

from __future__ import annotations

import subprocess

import pytest

from conftest import scenario_file

BASELINE = str(scenario_file("baseline"))


def cli_run(cli, *args, out=None):
    command = [str(cli), "run", BASELINE, "-q", "--no-progress", *args]
    if out is not None:
        command += ["--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# (flag, text on the command line, Python keyword, Python value, words both must print)
REJECTED = [
    ("--samples", "2.5", "samples", 2.5, "samples: must be a whole number, got 2.5"),
    ("--samples", "0", "samples", 0, "samples: must be a whole number from 1 to"),
    ("--samples", "-3", "samples", -3, "samples: must be a whole number 0 or more, got -3"),
    ("--seed", "-1", "seed", -1, "seed: must be a whole number 0 or more, got -1"),
    ("--threads", "10000", "threads", 10000, "threads: must be a whole number from 0 to 1024"),
    ("--rtol", "nan", "rtol", float("nan"), "rtol: must be a finite number"),
    ("--atol", "nan", "atol", float("nan"), "atol: must be a finite number"),
    ("--rtol", "0", "rtol", 0.0, "rtol: must be between 1e-12 and 0.01, got 0"),
    ("--atol", "10", "atol", 10.0, "atol: must be between 1e-12 and 1, got 10"),
    ("--quantile-accuracy", "1e-05", "quantile_accuracy", 1e-5,
     "quantile_accuracy: must be between 0.001 and 0.1, got 1e-05"),
    ("--threshold-multiple", "inf", "threshold_multiple", float("inf"),
     "threshold_multiple: must be a finite number"),
    ("--horizon", "2300-01", "horizon", "2300-01", "horizon: \"2300-01\" is not a month"),
]


@pytest.mark.parametrize("flag,text,keyword,value,words", REJECTED,
                         ids=[f"{r[0]}={r[1]}" for r in REJECTED])
def test_the_command_and_python_reject_the_same_value_in_the_same_words(
        cli, gc, tmp_path, flag, text, keyword, value, words):
    out = tmp_path / "results"
    done = cli_run(cli, flag, text, out=out)
    assert done.returncode == 2, done.stderr
    assert f"<command line>: error: {flag}: " in done.stderr
    assert words.split(": ", 1)[1] in done.stderr
    assert not out.exists(), "nothing may be written for a bad option"
    with pytest.raises((ValueError, TypeError)) as error:
        gc.run(BASELINE, progress=False, **{keyword: value})
    assert words in str(error.value)


def test_a_count_written_with_an_exponent_is_a_count(cli, gc):
    done = subprocess.run([str(cli), "run", BASELINE, "--no-progress", "--samples", "1e1",
                           "--seed", "3"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ": 10 samples, seed 3" in done.stdout
    assert gc.run(BASELINE, samples=1e1, seed=3, progress=False).samples == 10


def test_python_refuses_a_float_count_instead_of_truncating_it(gc):
    with pytest.raises(ValueError, match="samples: must be a whole number, got 2.5"):
        gc.run(BASELINE, samples=2.5, progress=False)


def test_python_refuses_a_string_where_a_list_belongs(gc):
    with pytest.raises(TypeError, match="raw_dates: must be a list, got a string"):
        gc.run(BASELINE, samples=5, keep_raw=True, raw_dates="2027-01", progress=False)


def test_python_refuses_a_boolean_count(gc):
    with pytest.raises(TypeError, match="samples: must be a whole number"):
        gc.run(BASELINE, samples=True, progress=False)


def test_python_refuses_a_count_beyond_64_bits_with_a_message_not_a_binding_dump(gc):
    with pytest.raises((TypeError, ValueError)) as error:
        gc.run(BASELINE, samples=2**64, progress=False)
    assert "samples" in str(error.value)
    assert "incompatible function arguments" not in str(error.value)


def test_quantiles_must_increase_without_repeats(gc, cli):
    with pytest.raises(ValueError, match="increasing order without repeats"):
        gc.run(BASELINE, samples=5, quantiles=[0.5, 0.5], progress=False)
    done = cli_run(cli, "--quantiles", "50,5")
    assert done.returncode == 2 and "increasing order" in done.stderr


def test_years_outside_the_run_are_refused_before_running(cli):
    done = cli_run(cli, "--years", "1999", "-n", "5")
    assert done.returncode == 2
    assert "--years: 1999 has no December inside the run" in done.stderr


def test_an_unknown_subcommand_is_named(cli):
    done = subprocess.run([str(cli), "rnu", BASELINE], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2
    assert "'rnu' is not a gapcast command; did you mean 'run'?" in done.stderr
    assert "A subcommand is required" not in done.stderr


def test_the_options_round_trip_through_the_manifest(gc, tmp_path):
    results = gc.run(BASELINE, samples=7, seed=9, rtol=1e-6, quantiles=[0.1, 0.9],
                     progress=False)
    options = results.manifest["options"]
    assert options["samples"] == 7 and options["seed"] == 9 and options["rtol"] == 1e-6
    assert options["quantiles"] == [0.1, 0.9]
    assert gc._core.validate_run_options(options) == options
