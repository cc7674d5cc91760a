"""An outsider reproduces sample i (issue 11): the drawn world parameters that ``--raw`` writes
to samples.csv are recomputed here from docs/model.md §14 alone, in pure Python (integers for
Philox4x64-10 and the name hash, the standard library's normal quantile, numpy only for the
copula's Cholesky factor), without the engine. The parameters' distributions are read from
the shipped world file, so the check follows it when its numbers change. Also: ``--raw``
output does not depend on the thread count.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, scenario_file

WORLD = REPO / "scenarios" / "world" / "default.json"
EXAMPLE = REPO / "examples" / "scenarios" / "smuggling_doubled_allies_2027.json"
# A seed above 2^32, so that more than the low half of the first key word is used.
SEED = 2**33 + 5
SAMPLES = (0, 1, 4097)
RELATIVE = 1e-12

# ---------------------------------------------------------------- the recipe of §14

MASK = (1 << 64) - 1


def name_hash(name: str) -> int:
    """FNV-1a over the name's UTF-8 bytes, then the SplitMix64 finaliser."""
    h = 0xCBF29CE484222325
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 31)


def philox4x64_10(counter: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, ...]:
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for round_ in range(10):
        if round_ > 0:
            k0, k1 = (k0 + 0x9E3779B97F4A7C15) & MASK, (k1 + 0xBB67AE8584CAA73B) & MASK
        p0, p1 = 0xD2E7470EE14C6C93 * c0, 0xCA5A826395121157 * c2
        c0, c1, c2, c3 = (p1 >> 64) ^ c1 ^ k0, p1 & MASK, (p0 >> 64) ^ c3 ^ k1, p0 & MASK
    return c0, c1, c2, c3


def uniform(seed: int, name: str, sample: int) -> float:
    word = philox4x64_10((sample, 0, 0, 0), (seed, name_hash(name)))[0]
    return ((word >> 12) + 0.5) * 2.0**-52


PHI_INV = statistics.NormalDist().inv_cdf
TINY, BELOW_ONE = sys.float_info.min, 1.0 - 2.0**-53


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


class Unsupported(Exception):
    """A form this reproduction does not implement (the check skips the parameter)."""


class Law:
    """A marginal: quantile Q(u) and CDF F(x), as §14 writes them. `form` names it for the
    coverage check."""

    def __init__(self, form, quantile, cdf=None):
        self.form, self.quantile, self.cdf = form, quantile, cdf


def lognormal(mu: float, sigma: float) -> Law:
    return Law("lognormal", lambda u: math.exp(mu + sigma * PHI_INV(u)),
               lambda x: 0.0 if x <= 0 else 1.0 if x == math.inf
               else phi((math.log(x) - mu) / sigma))


def two_piece(levels: dict[float, float], log_space: bool) -> Law:
    (q_low, x_low), (q_mid, x_mid), (q_high, x_high) = sorted(levels.items())
    assert q_mid == 0.5
    g = math.log if log_space else (lambda x: x)
    m = g(x_mid)
    s_low = (m - g(x_low)) / -PHI_INV(q_low)
    s_high = (g(x_high) - m) / PHI_INV(q_high)

    def quantile(u):
        z = PHI_INV(u)
        y = m + (s_low if z < 0 else s_high) * z
        return math.exp(y) if log_space else y

    def cdf(x):
        if log_space and x <= 0:
            return 0.0
        if x == math.inf:
            return 1.0
        dev = g(x) - m
        return phi(dev / (s_low if dev < 0 else s_high))

    return Law("percentiles, " + ("log" if log_space else "linear"), quantile, cdf)


def triangular(a: float, c: float, b: float) -> Law:
    p0 = (c - a) / (b - a)

    def quantile(u):
        if u < p0:
            return math.sqrt((b - a) * (c - a) * u) + a
        return c if u == p0 else b - math.sqrt((b - a) * (b - c) * (1 - u))

    return Law("triangular", quantile)


def incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) by its continued fraction (modified Lentz), on the side where it converges
    fast."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - incomplete_beta(b, a, 1.0 - x)
    tiny = 1e-300
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
                     + b * math.log1p(-x)) / a
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return front * h


def scaled_beta(form: str, alpha: float, beta: float, low: float, high: float) -> Law:
    def quantile(u):
        # Bisection to adjacent doubles: slow but needs nothing beyond I_x(a, b).
        lo, hi = 0.0, 1.0
        while True:
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            if incomplete_beta(alpha, beta, mid) < u:
                lo = mid
            else:
                hi = mid
        return min(max(low + (high - low) * hi, low), high)

    return Law(form, quantile,
               lambda x: incomplete_beta(alpha, beta, min(max((x - low) / (high - low), 0), 1)))


def truncated(law: Law, lo: float, hi: float) -> Law:
    if law.cdf is None:
        raise Unsupported(f"truncated {law.form}")
    f_lo, f_hi = law.cdf(lo), law.cdf(hi)

    def quantile(u):
        p = min(max(f_lo + u * (f_hi - f_lo), TINY), BELOW_ONE)
        return min(max(law.quantile(p), lo), hi)

    return Law(law.form + ", truncated", quantile)


def percentile_levels(spec: dict, scale: float) -> dict[float, float]:
    return {float(k[1:]) / 100.0: v * scale for k, v in spec.items()
            if k.startswith("p") and k[1:].replace(".", "", 1).isdigit()}


def marginal(spec, scale: float) -> Law:
    """The law of a parameter as written in a world file (docs/scenarios.md's forms)."""
    if isinstance(spec, (int, float)):
        return Law("point", lambda u, x=spec * scale: x)
    kind = spec.get("dist")
    if kind is None and "value" in spec or kind == "point":
        law = Law("point", lambda u, x=spec["value"] * scale: x)
    elif kind is None and "ci90" in spec:
        a, b = (x * scale for x in spec["ci90"])
        law = lognormal(0.5 * (math.log(a) + math.log(b)),
                        (math.log(b) - math.log(a)) / (2.0 * PHI_INV(0.95)))
    elif kind is None or kind == "percentiles":
        law = two_piece(percentile_levels(spec, scale), spec.get("space", "log") == "log")
    elif kind == "uniform":
        a, b = spec["low"] * scale, spec["high"] * scale
        law = Law("uniform", lambda u: a + u * (b - a),
                  lambda x: min(max((x - a) / (b - a), 0.0), 1.0))
    elif kind == "log_uniform":
        a, b = math.log(spec["low"] * scale), math.log(spec["high"] * scale)
        law = Law("log_uniform", lambda u: math.exp(a + u * (b - a)),
                  lambda x: min(max((math.log(x) - a) / (b - a), 0.0), 1.0) if x > 0 else 0.0)
    elif kind == "normal" and "mean" in spec:
        mean, sd = spec["mean"] * scale, spec["sd"] * scale
        law = Law("normal", lambda u: mean + sd * PHI_INV(u), lambda x: phi((x - mean) / sd))
    elif kind == "triangular":
        law = triangular(spec["low"] * scale, spec["mode"] * scale, spec["high"] * scale)
    elif kind == "pert":
        a, c, b = (spec[k] * scale for k in ("low", "mode", "high"))
        lam = spec.get("lambda", 4.0)
        law = scaled_beta("pert", 1 + lam * (c - a) / (b - a), 1 + lam * (b - c) / (b - a), a, b)
    elif kind == "beta":
        law = scaled_beta("beta", spec["alpha"], spec["beta"], spec.get("low", 0.0) * scale,
                          spec.get("high", 1.0) * scale)
    elif kind == "bernoulli":
        law = Law("bernoulli", lambda u, p=spec["p"]: 0.0 if u <= 1.0 - p else 1.0)
    else:
        raise Unsupported(kind)
    if "truncate" in spec:
        if law.form == "bernoulli":
            raise Unsupported("truncated bernoulli")
        lo, hi = spec["truncate"]
        law = truncated(law, -math.inf if lo is None else lo * scale,
                        math.inf if hi is None else hi * scale)
    return law


def spec_of(world: dict, name: str):
    """A parameter's specification in the world file, by its §14 name; None if the file
    leaves it to the engine's default."""
    parts = name.split(".")
    if parts[0] in ("chips", "domestic_lines") and len(parts) >= 3:
        node = world.get(parts[0], {}).get(parts[1], {})
        for part in parts[2:]:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node
    return world["parameters"].get(name)


def unit_scale(spec, canonical: str) -> float:
    unit = spec.get("unit", canonical) if isinstance(spec, dict) else canonical
    if unit == canonical:
        return 1.0
    if (unit, canonical) == ("years", "months"):
        return 12.0
    if (unit, canonical) == ("months", "years"):
        return 1.0 / 12.0
    raise Unsupported(f"unit {unit} for {canonical}")


def copula_members(world: dict) -> list[str]:
    members: list[str] = []
    for entry in world.get("correlations", []):
        for name in entry["parameters"]:
            if name not in members:
                members.append(name)
    return members


def cholesky_factor(world: dict, members: list[str]) -> np.ndarray:
    rank = np.eye(len(members))
    for entry in world.get("correlations", []):
        a, b = (members.index(n) for n in entry["parameters"])
        rank[a, b] = rank[b, a] = entry["rank"]
    normal = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(normal, 1.0)
    return np.linalg.cholesky(normal)


def drawn_uniforms(world: dict, names: list[str], seed: int, sample: int) -> dict[str, float]:
    """Every parameter's uniform after the copula: u' of §14."""
    u = {name: uniform(seed, name, sample) for name in names}
    members = copula_members(world)
    if members:
        z = np.array([PHI_INV(u[name]) for name in members])
        correlated = cholesky_factor(world, members) @ z
        for name, x in zip(members, correlated):
            u[name] = min(max(phi(float(x)), TINY), BELOW_ONE)
    return u


# ---------------------------------------------------------------- the engine's --raw output

def run_raw(cli, out, scenarios, *args):
    done = subprocess.run([str(cli), "run", *map(str, scenarios), "--raw", "--out", str(out),
                           "-q", "--no-progress", *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def read_samples(out) -> tuple[list[str], list[dict[str, str]]]:
    with open(out / "samples.csv", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


@pytest.fixture(scope="module")
def baseline_raw(cli, tmp_path_factory):
    """The baseline scenario drawn 4098 times and integrated for its start month only: the
    draws do not depend on the horizon, and a one-month run keeps the test quick."""
    start = json.loads(WORLD.read_text())["start"]
    out = tmp_path_factory.mktemp("recipe") / "results"
    run_raw(cli, out, [scenario_file("baseline")], "-n", str(max(SAMPLES) + 1), "--seed",
            str(SEED), "--horizon", start, "--raw-dates", start, "-j", "2")
    columns, rows = read_samples(out)
    assumptions = json.loads((out / "assumptions.json").read_text())
    units = {p["name"]: p["unit"] for p in assumptions["worlds"][0]["parameters"]}
    return columns, rows, units


def reproduce(columns, rows, units, seed):
    """(name, form, engine value, recomputed value) for every parameter of every sample in
    SAMPLES whose form the recipe above covers, and the names it skipped."""
    world = json.loads(WORLD.read_text())
    names = [c[len("world."):] for c in columns if c.startswith("world.")]
    by_sample = {int(r["sample"]): r for r in rows if r["scenario"] == "baseline"}
    members = set(copula_members(world))
    compared, skipped = [], set()
    for i in SAMPLES:
        u = drawn_uniforms(world, names, seed, i)
        for name in names:
            spec = spec_of(world, name)
            if spec is None:
                skipped.add(name)
                continue
            try:
                law = marginal(spec, unit_scale(spec, units[name]))
            except Unsupported:
                skipped.add(name)
                continue
            form = law.form + (", correlated" if name in members else "")
            if name.startswith(("chips.", "domestic_lines.")) and law.form != "point":
                form += ", " + name.split(".")[0]
            compared.append((i, name, form, float(by_sample[i]["world." + name]),
                             law.quantile(u[name])))
    return compared, skipped


def test_the_python_recipe_matches_the_published_known_answers():
    # Random123's known answer for key = counter = 0, and the name hashes the engine's own
    # tests pin (random_stream_test.cpp).
    assert philox4x64_10((0, 0, 0, 0), (0, 0)) == (
        0x16554D9ECA36314C, 0xDB20FE9D672D0FDC, 0xD7E772CEE186176B, 0x7E68B68AEC7BA23B)
    assert name_hash("") == 0xF52A15E9A9B5E89B
    assert name_hash("gpu_price") == 0xDEDA586884AC23DC


def test_raw_output_has_every_parameter_and_the_sample_index(baseline_raw):
    columns, rows, units = baseline_raw
    assert columns[:2] == ["sample", "scenario"]
    assert [c[len("world."):] for c in columns if c.startswith("world.")] == list(units)
    assert [int(r["sample"]) for r in rows] == list(range(max(SAMPLES) + 1))
    assert any(c.startswith("world.chips.") for c in columns)
    assert any(c.startswith("world.domestic_lines.") for c in columns)


def test_three_samples_are_reproduced_from_the_documented_recipe(baseline_raw):
    compared, skipped = reproduce(*baseline_raw, SEED)
    wrong = [f"sample {i} {name} ({form}): engine {got!r}, recipe {want!r}"
             for i, name, form, got, want in compared
             if (got != want if form.startswith(("bernoulli", "point"))
                 else abs(got - want) > RELATIVE * abs(want))]
    assert wrong == [], "\n".join(wrong)
    # Every parameter of the shipped world is recomputed (a form added to the world file
    # that this recipe does not implement yet is reported here).
    assert skipped == set(), f"not reproduced: {sorted(skipped)}"
    forms = {form for _, _, form, _, _ in compared}
    # Among them every form the task names, a correlated parameter, and per-class and
    # per-line parameters.
    for needed in ("lognormal, truncated", "uniform", "triangular", "bernoulli",
                   "percentiles, log, truncated", "percentiles, linear, truncated",
                   "correlated", "chips", "domestic_lines"):
        assert any(needed in form for form in forms), (needed, sorted(forms))


def test_the_comparison_can_fail(baseline_raw):
    # The same recipe with another seed no longer matches: the check above compares draws,
    # not constants.
    compared, _ = reproduce(*baseline_raw, SEED + 1)
    drawn = [(got, want) for _, _, form, got, want in compared
             if not form.startswith(("point", "bernoulli"))]
    mismatched = sum(abs(got - want) > RELATIVE * abs(want) for got, want in drawn)
    assert drawn and mismatched >= 0.9 * len(drawn)


def test_raw_output_is_identical_for_one_and_two_threads(cli, tmp_path):
    # Two worlds (the example changes one parameter's distribution), so the parameter
    # columns hold each scenario's own world; integrated for two years so every thread has
    # real work.
    scenarios = [scenario_file("baseline"), scenario_file("comprehensive_embargo"), EXAMPLE]
    common = ["-n", "300", "--seed", "11", "--horizon", "2027-12"]
    one = run_raw(cli, tmp_path / "one", scenarios, *common, "-j", "1")
    two = run_raw(cli, tmp_path / "two", scenarios, *common, "-j", "2")
    text = (one / "samples.csv").read_bytes()
    assert text == (two / "samples.csv").read_bytes()
    frame = list(csv.DictReader(io.StringIO(text.decode())))
    changed = "world.smuggling_multiplier_status_quo"
    base = [r for r in frame if r["scenario"] == "baseline"]
    example = [r for r in frame if r["scenario"] == "smuggling_doubled_allies_2027"]
    # Same uniform, other distribution: the example's draw is larger in every sample (its
    # percentiles are each higher), while every other parameter is drawn identically.
    assert all(float(e[changed]) > float(b[changed]) for b, e in zip(base, example))
    for b, e in zip(base, example):
        assert {k: v for k, v in b.items() if k.startswith("world.") and k != changed} == \
               {k: v for k, v in e.items() if k.startswith("world.") and k != changed}
