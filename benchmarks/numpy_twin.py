#!/usr/bin/env python3
"""NumPy twin of the gapcast model, written from docs/model.md and docs/scenarios.md alone.

It integrates every sample of a scenario at once (state array of shape (n_samples, n_states))
with fixed-step classic RK4 at dt = 0.5 month, on one thread, and reports the training gap
(frontier / target effective training compute) per month. It serves two purposes: a timing
reference for the engine (workload W1, benchmarks/w1.sh) and an independent check that the
model documentation is complete (benchmarks/check_twin.py compares central runs).

    python3 benchmarks/numpy_twin.py [SCENARIO.json ...] [--samples 10000] [--seed 1]
                                     [--central] [--json OUT] [--quiet]

Without scenario arguments it runs the five shipped scenarios. `--central` runs one sample
with every parameter at its median and prints every series per month.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
SHIPPED = ["baseline", "incremental_tightening", "comprehensive_embargo",
           "multilateral_alignment", "no_controls"]
H100_TPP = 15832.0       # §2: training H100e per unit of TPP
H100_BW = 3.35           # §2: inference H100e per TB/s
DT = 0.5                 # months; every breakpoint is a whole month (§2, §12), so steps align


class Unsupported(ValueError):
    """Input the shipped files do not use and the twin does not implement."""


def month_index(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# ---------------------------------------------------------------- distributions (scenarios.md)

def norm_ppf(p):
    """Inverse standard normal CDF, Wichura's AS241 (about 1e-16 relative), vectorised."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    if central.any():
        qc = q[central]
        r = 0.180625 - qc * qc
        num = (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                    + 6.7265770927008700853e4) * r + 4.5921953931549871457e4) * r
                  + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r
                + 1.3314166789178437745e2) * r + 3.3871328727963666080e0)
        den = (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                    + 3.9307895800092710610e4) * r + 2.1213794301586595867e4) * r
                  + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r
                + 4.2313330701600911252e1) * r + 1.0)
        out[central] = qc * num / den
    tail = ~central
    if tail.any():
        qt = q[tail]
        r = np.sqrt(-np.log(np.where(qt < 0, p[tail], 1.0 - p[tail])))
        near = r <= 5.0
        x = np.empty_like(r)
        rn = r[near] - 1.6
        x[near] = ((((((((7.74545014278341407640e-4 * rn + 2.27238449892691845833e-2) * rn
                         + 2.41780725177450611770e-1) * rn + 1.27045825245236838258e0) * rn
                       + 3.64784832476320460504e0) * rn + 5.76949722146069140550e0) * rn
                     + 4.63033784615654529590e0) * rn + 1.42343711074968357734e0)
                   / (((((((1.05075007164441684324e-9 * rn + 5.47593808499534494600e-4) * rn
                           + 1.51986665636164571966e-2) * rn + 1.48103976427480074590e-1) * rn
                         + 6.89767334985100004550e-1) * rn + 1.67638483018380384940e0) * rn
                       + 2.05319162663775882187e0) * rn + 1.0))
        rf = r[~near] - 5.0
        x[~near] = ((((((((2.01033439929228813265e-7 * rf + 2.71155556874348757815e-5) * rf
                          + 1.24266094738807843860e-3) * rf + 2.65321895265761230930e-2) * rf
                        + 2.96560571828504891230e-1) * rf + 1.78482653991729133580e0) * rf
                      + 5.46378491116411436990e0) * rf + 6.65790464350110377720e0)
                    / (((((((2.04426310338993978564e-15 * rf + 1.42151175831644588870e-7) * rf
                            + 1.84631831751005468180e-5) * rf + 7.86869131145613259100e-4) * rf
                          + 1.48753612908506148525e-2) * rf + 1.36929880922735805310e-1) * rf
                        + 5.99832206555887937690e-1) * rf + 1.0))
        out[tail] = np.where(qt < 0, -x, x)
    return out


_erfc = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf(x):
    return 0.5 * np.asarray(_erfc(-np.asarray(x, dtype=float) / math.sqrt(2.0)), dtype=float)


def betainc(a: float, b: float, x):
    """Regularised incomplete beta I_x(a, b), vectorised over x: the continued fraction
    (modified Lentz) on the side of the mean where it converges fast."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    flip = x > (a + 1) / (a + b + 2)
    aa, bb = np.where(flip, b, a), np.where(flip, a, b)
    xx = np.where(flip, 1.0 - x, x)
    tiny = 1e-300
    with np.errstate(divide="ignore"):  # log B(a, b) is symmetric in a and b
        front = np.exp(aa * np.log(xx) + bb * np.log1p(-xx)
                       + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)) / aa
    c = np.ones_like(xx)
    d = 1.0 - (aa + bb) * xx / (aa + 1)
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    f = d.copy()
    for m in range(1, 300):
        for num in (m * (bb - m) * xx / ((aa + 2 * m - 1) * (aa + 2 * m)),
                    -(aa + m) * (aa + bb + m) * xx / ((aa + 2 * m) * (aa + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + num / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            f = f * c * d
        if np.all(np.abs(c * d - 1.0) < 1e-16):
            break
    out = front * f
    out = np.where(flip, 1.0 - out, out)
    return np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, out))


def betaincinv(a: float, b: float, u):
    """Inverse of I_x(a, b) in x, vectorised: the grid cell that brackets u, then Newton steps
    kept inside the bracket (a bisection step whenever Newton would leave it), each sample
    until its step is below two ulps."""
    u = np.asarray(u, dtype=float)
    shape, u = u.shape, u.ravel()
    grid = np.linspace(0.0, 1.0, 4097)
    cell = np.clip(np.searchsorted(betainc(a, b, grid), u), 1, grid.size - 1)
    lo, hi = grid[cell - 1], grid[cell]
    x = 0.5 * (lo + hi)
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    active = np.arange(u.size)
    for _ in range(200):
        xa, la, ha = x[active], lo[active], hi[active]
        f = betainc(a, b, xa) - u[active]
        la, ha = np.where(f < 0, xa, la), np.where(f < 0, ha, xa)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            step = xa - f / np.exp((a - 1) * np.log(xa) + (b - 1) * np.log1p(-xa) - log_beta)
        new = np.where(np.isfinite(step) & (step > la) & (step < ha), step, 0.5 * (la + ha))
        new = np.where(f == 0, xa, new)
        done = (np.abs(new - xa) <= 2 * np.spacing(xa)) | (f == 0) | (ha - la <= np.spacing(xa))
        x[active], lo[active], hi[active] = new, la, ha
        active = active[~done]
        if active.size == 0:
            break
    return x.reshape(shape)


class Marginal:
    """A parameter's marginal: ppf on uniforms, cdf for truncation bounds (continuous forms)."""

    def __init__(self, ppf, cdf=None, lo=None, hi=None):
        self._ppf = ppf
        self.u_lo, self.u_hi = 0.0, 1.0
        if lo is not None or hi is not None:
            if cdf is None:
                raise Unsupported("truncate on a non-continuous form")
            # Truncation rescales the probability inside [lo, hi] (scenarios.md).
            self.u_lo = float(cdf(lo)) if lo is not None else 0.0
            self.u_hi = float(cdf(hi)) if hi is not None else 1.0
            if not self.u_hi > self.u_lo:
                raise ValueError("truncation leaves no probability")

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        return self._ppf(self.u_lo + u * (self.u_hi - self.u_lo))


def _two_piece(loc, s_lo, s_hi, log):
    """Two half-normals joined at the median, each holding half the mass (percentile form)."""
    def ppf(u):
        z = norm_ppf(u)
        y = loc + z * np.where(z < 0, s_lo, s_hi)
        return np.exp(y) if log else y

    def cdf(x):
        if log:
            if x <= 0:
                return 0.0
            x = math.log(x)
        return float(norm_cdf((x - loc) / (s_lo if x < loc else s_hi)))
    return ppf, cdf


def _percentile_levels(spec):
    levels = {}
    for key, value in spec.items():
        if key.startswith("p") and key[1:].replace(".", "", 1).isdigit():
            levels[float(key[1:]) / 100.0] = float(value)
    if len(levels) != 3 or 0.5 not in levels:
        raise ValueError(f"percentile form needs three levels including p50: {spec}")
    (ql, xl), (_, xm), (qh, xh) = sorted(levels.items())
    return ql, xl, xm, qh, xh


def marginal(spec) -> Marginal:
    """The forms of docs/scenarios.md that the shipped world uses; anything else fails."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return Marginal(lambda u, v=float(spec): np.full(np.shape(u), v))
    if not isinstance(spec, dict):
        raise ValueError(f"not a parameter value: {spec!r}")
    if "unit" in spec:
        raise Unsupported("unit conversion")
    dist = spec.get("dist")
    trunc = spec.get("truncate", [None, None])
    lo, hi = trunc
    if dist == "point" or (dist is None and "value" in spec):
        if "truncate" in spec:
            raise ValueError("a point value cannot be truncated")
        return marginal(float(spec["value"]))
    if dist is None and "ci90" in spec:
        a, b = (float(x) for x in spec["ci90"])
        mu, s = (math.log(a) + math.log(b)) / 2, (math.log(b) - math.log(a)) / (2 * norm_ppf(0.95))
        return Marginal(*_two_piece(mu, s, s, True), lo, hi)
    if dist is None or dist == "percentiles":
        log = spec.get("space", "log") == "log"
        ql, xl, xm, qh, xh = _percentile_levels(spec)
        f = math.log if log else float
        s_lo = (f(xm) - f(xl)) / -float(norm_ppf(ql))
        s_hi = (f(xh) - f(xm)) / float(norm_ppf(qh))
        return Marginal(*_two_piece(f(xm), s_lo, s_hi, log), lo, hi)
    if dist == "uniform":
        a, b = float(spec["low"]), float(spec["high"])
        return Marginal(lambda u: a + u * (b - a), lambda x: min(max((x - a) / (b - a), 0.0), 1.0),
                        lo, hi)
    if dist == "triangular":
        a, c, b = float(spec["low"]), float(spec["mode"]), float(spec["high"])
        fc = (c - a) / (b - a)

        def ppf(u):
            return np.where(u < fc, a + np.sqrt(u * (b - a) * (c - a)),
                            b - np.sqrt((1 - u) * (b - a) * (b - c)))

        def cdf(x):
            if x <= a:
                return 0.0
            if x >= b:
                return 1.0
            return (x - a) ** 2 / ((b - a) * (c - a)) if x < c else 1 - (b - x) ** 2 / ((b - a) * (b - c))
        return Marginal(ppf, cdf, lo, hi)
    if dist == "pert":
        # docs/model.md §14: a + (b - a) I^{-1}_{alpha,beta}(u), alpha = 1 + lambda (c - a)/(b - a).
        a, c, b = float(spec["low"]), float(spec["mode"]), float(spec["high"])
        lam = float(spec.get("lambda", 4.0))
        al, be = 1 + lam * (c - a) / (b - a), 1 + lam * (b - c) / (b - a)
        return Marginal(lambda u: a + (b - a) * betaincinv(al, be, u),
                        lambda x: float(betainc(al, be, (x - a) / (b - a))), lo, hi)
    if dist == "bernoulli":
        if "truncate" in spec:
            raise Unsupported("truncated bernoulli")
        p = float(spec["p"])
        # Inverse CDF: the smallest x with F(x) >= u, so u = 0.5 gives 1 only when p > 0.5.
        return Marginal(lambda u: (u > 1.0 - p).astype(float))
    raise Unsupported(f"distribution form {dist!r}")


# ---------------------------------------------------------------- scenario files

def _load(path: pathlib.Path, kind: str) -> dict:
    doc = json.loads(path.read_text())
    if doc.get("kind", kind) != kind:
        raise ValueError(f"{path}: expected a {kind} file")
    return doc


def load_scenario(path) -> dict:
    path = pathlib.Path(path)
    if not path.exists() and (REPO / "scenarios" / f"{path}.json").exists():
        path = REPO / "scenarios" / f"{path}.json"
    doc = _load(path, "scenario")
    for key in ("extends", "overrides"):
        if key in doc:
            raise Unsupported(f"{path}: '{key}' (the shipped scenarios do not use it)")
    parts = {}
    for key in ("world", "policy"):
        ref = doc[key]
        parts[key] = ref if isinstance(ref, dict) else _load(path.parent / ref, key)
    return {"name": doc.get("name", path.stem), "world": parts["world"], "policy": parts["policy"]}


class World:
    """The parameter table of a world file, flattened to the names correlations use."""

    def __init__(self, doc: dict):
        if doc.get("correlation_repair", "reject") != "reject":
            raise Unsupported("correlation_repair other than 'reject'")
        self.start = month_index(doc.get("start", "2026-01"))
        self.specs = dict(doc["parameters"])
        self.foreign, self.domestic = [], []
        self.volume, self.roadmap, self.line_of = {}, {}, {}
        for name, chip in doc["chips"].items():
            fields = ["tpp", "memory_bandwidth_tbps"]
            if chip["origin"] == "foreign":
                self.foreign.append(name)
                fields += ["demand_weight", "frontier_initial_share"]
                stocks = ["licensed", "smuggled"]
                self.volume[name] = tuple(None if chip[k] is None else month_index(chip[k]) - self.start
                                          for k in ("volume_from", "volume_until"))
            else:
                self.domestic.append(name)
                stocks = ["domestic"]
                self.line_of[name] = chip["line"]
                rf = chip["roadmap_from"]
                self.roadmap[name] = None if rf is None else month_index(rf) - self.start
            for f in fields:
                self.specs[f"chips.{name}.{f}"] = chip[f]
            for s in stocks:
                self.specs[f"chips.{name}.initial_stock.{s}"] = chip["initial_stock"][s]
        self.lines = list(doc["domestic_lines"])
        for line, body in doc["domestic_lines"].items():
            self.specs[f"domestic_lines.{line}.packages_per_year_2026"] = body["packages_per_year_2026"]
        self.correlations = [(c["parameters"][0], c["parameters"][1], float(c["rank"]))
                             for c in doc.get("correlations", [])]
        self.marginals = {k: marginal(v) for k, v in self.specs.items()}

    def uniforms(self, n: int, seed: int | None, central: bool) -> dict:
        """§14: one uniform per parameter and sample, rank-correlated by a Gaussian copula."""
        names = sorted(self.marginals)
        if central:
            return {k: np.full(n, 0.5) for k in names}
        rng = np.random.default_rng(seed)
        # Open interval: a uniform of exactly 0 would map to an infinite normal quantile.
        u = {k: np.clip(rng.random(n), 1e-16, 1 - 1e-16) for k in names}
        if self.correlations:
            corr_names = sorted({p for a, b, _ in self.correlations for p in (a, b)})
            idx = {k: i for i, k in enumerate(corr_names)}
            c = np.eye(len(corr_names))
            for a, b, rho in self.correlations:
                c[idx[a], idx[b]] = c[idx[b], idx[a]] = 2 * math.sin(math.pi * rho / 6)
            chol = np.linalg.cholesky(c)  # raises when not positive definite ("reject")
            z = np.stack([norm_ppf(u[k]) for k in corr_names])
            for k, row in zip(corr_names, norm_cdf(chol @ z)):
                u[k] = row
        return u

    def draw(self, n: int, seed: int | None = None, central: bool = False) -> dict:
        u = self.uniforms(n, seed, central)
        return {k: self.marginals[k].ppf(u[k]) for k in self.marginals}


# ---------------------------------------------------------------- levers (§12)

TARGET_LEVERS = ["enforcement_intensity", "allied_transshipment_coverage",
                 "allied_equipment_alignment", "remote_access_control",
                 "allied_cloud_alignment", "anti_distillation_intensity"]
CHIP_LEVERS = {"export_status": "unrestricted", "fee": 0.0,
               "licence_cap_units_per_year": None, "licence_cap_share_of_us_volume": None}


class Schedule:
    """A dated lever: pieces (first month, kind, ...) where kind is 'const' or 'ramp'."""

    def __init__(self, spec, default, start):
        self.pieces = [(-10**9, "const", default)]
        if isinstance(spec, dict):
            spec = spec["value"]
        if not isinstance(spec, list):
            self.pieces = [(-10**9, "const", spec)]
            return
        value, free_from = default, -10**9
        for change in spec:
            t0 = month_index(change["from"]) - start
            if t0 < free_from:
                raise ValueError(f"lever changes out of date order or overlapping at {change['from']}")
            if "to" in change:
                t1 = month_index(change["to"]) - start
                if not isinstance(value, (int, float)) or change["value"] is None:
                    raise ValueError("a ramp needs numbers at both ends")
                self.pieces.append((t0, "ramp", value, change["value"], t0, t1))
                self.pieces.append((t1, "const", change["value"]))
                free_from = t1
            else:
                self.pieces.append((t0, "const", change["value"]))
                free_from = t0 + 1
            value = change["value"]

    def piece(self, month: int):
        """The piece in force during month `month` (breakpoints are whole months)."""
        current = self.pieces[0]
        for p in self.pieces[1:]:
            if p[0] <= month:
                current = p
        return current


def piece_value(piece, t):
    if piece[1] == "const":
        return piece[2]
    _, _, v0, v1, t0, t1 = piece
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


class Policy:
    def __init__(self, doc: dict, world: World):
        levers = dict(doc.get("levers", {}))
        chips = levers.pop("chips", {})
        for name in levers:
            if name not in TARGET_LEVERS:
                raise ValueError(f"unknown lever {name!r}")
        for name, body in chips.items():
            if name not in world.foreign:
                raise ValueError(f"policy names {name!r}, not a foreign class of the world")
            for lever in body:
                if lever not in CHIP_LEVERS:
                    raise ValueError(f"unknown chip lever {lever!r}")
        self.target = {k: Schedule(levers.get(k, 0.0), 0.0, world.start) for k in TARGET_LEVERS}
        self.chip = {(c, k): Schedule(chips.get(c, {}).get(k, d), d, world.start)
                     for c in world.foreign for k, d in CHIP_LEVERS.items()}


# ---------------------------------------------------------------- the model (§3-§10)

def ceiling_scale(m):
    """1 / (m - 1) for the §3 ceiling factor (m - G)/(m - 1), and 0 when m = 1 (no growth)."""
    m = np.asarray(m, dtype=float)
    return np.divide(1.0, m - 1.0, out=np.zeros_like(m), where=m > 1.0)

GROUPS = ("L", "S", "R", "F", "N", "K", "W", "H")


class Model:
    """One scenario over n sampled worlds: parameters, state layout and right-hand side.

    The state is an (n_states, n_samples) array, so that each state group (one row per chip
    class or line) is a contiguous block and per-sample parameters broadcast along the rows."""

    def __init__(self, world: World, policy: Policy, draws: dict, horizon: int):
        self.world, self.policy, self.horizon = world, policy, horizon
        p = self.p = draws
        n = self.n = len(next(iter(draws.values())))
        fc, dc, lines = world.foreign, world.domestic, world.lines
        row = lambda names, field: np.stack([p[f"chips.{c}.{field}"] for c in names])
        # §2 hardware units per chip.
        self.h, self.b = row(fc, "tpp") / H100_TPP, row(fc, "memory_bandwidth_tbps") / H100_BW
        self.hd, self.bd = row(dc, "tpp") / H100_TPP, row(dc, "memory_bandwidth_tbps") / H100_BW
        self.dw = row(fc, "demand_weight")
        # §3 retirement and the decaying growth rates.
        self.delta = 1.0 / (12.0 * p["chip_useful_life_years"])
        self.lam = math.log(2) / (12.0 * p["growth_half_life_years"])
        self.rD = np.log(p["target_foreign_demand_growth_per_year"]) / 12
        self.rF = np.log(p["frontier_stock_growth_per_year"]) / 12
        self.rR = np.log(p["remote_growth_per_year"]) / 12
        self.rB = np.log(p["domestic_bound_growth_per_year"]) / 12
        self.D0 = p["target_foreign_demand_h100e_per_year_2026"] / 12
        self.F0 = p["frontier_stock_h100e_2026"]
        self.Q0 = p["smuggled_h100e_per_year_2024"] * p["smuggling_multiplier_status_quo"] / 12
        self.rho = math.log(2) / p["domestic_ramp_doubling_months"]
        # §3 ceilings m (multiples of the start-month level), applied as the factor
        # (m - G)/(m - 1): 1 at the start, 0 at the ceiling, and 0 throughout when m = 1.
        self.m_pack = p["world_packaging_ceiling_multiple"]
        self.inv_pack = ceiling_scale(self.m_pack)
        self.m_P = p["us_ai_power_ceiling_multiple"]  # §8, the receding power ceiling
        self.inv_P = ceiling_scale(self.m_P)
        self.mu_w = math.log(2) / (12.0 * p["watts_per_h100e_halving_years"])
        self.w0 = p["us_watts_per_h100e_2026"]
        self.line_idx = np.array([lines.index(world.line_of[d]) for d in dc])
        # §7 initial line output and bounds; the bounds' ceilings are multiples of W_l(0), H_l(0).
        self.K0 = np.stack([p[f"domestic_lines.{l}.packages_per_year_2026"] for l in lines]) / 12
        self.W0, self.H0 = self.K0 * p["wafer_headroom"], self.K0 * p["hbm_headroom"]
        self.m_W, self.m_H = p["domestic_wafer_ceiling_multiple"], p["domestic_hbm_ceiling_multiple"]
        self.inv_W, self.inv_H = ceiling_scale(self.m_W), ceiling_scale(self.m_H)
        # §4 acceptance, fixed per sample (§15); the licensed share is capped at the unrestricted one.
        self.acc_unr = p["beijing_acceptance_unrestricted"]
        self.acc_lic = np.minimum(np.where(p["us_chip_flow_materialises"] == 1,
                                           p["beijing_acceptance_if_flow"],
                                           p["beijing_acceptance_if_no_flow"]), self.acc_unr)
        self.grey = p["fee_deterred_grey_share"]
        # §9 distillation serving factors: the frontier's D_F, the target's gain before the cut.
        self.dist_gain = p["distilled_serving_share"] * (p["distill_serving_gain"] - 1)
        self.dist_frontier = 1 + self.dist_gain
        self.dist_cut = p["anti_distillation_serving_cut"]
        # Logs of the lever-scaled factors: x ** lever = exp(lever * log x), one exp per stage.
        with np.errstate(divide="ignore"):
            self.log_factor = {
                "enforcement_intensity": np.log(p["enforcement_smuggling_factor"]),
                "allied_transshipment_coverage": np.log(p["alignment_smuggling_factor"]),
                "remote_access_control": np.log(p["remote_control_factor"]),
                "allied_cloud_alignment": np.log(p["remote_alignment_factor"])}
        self.neg_eps = -p["fee_price_elasticity"]
        self.psi = p["remote_baseline_share"]
        self.T_tr, self.T_in = p["software_doubling_months_training"], p["densing_doubling_months"]

        # Per-class groups are row blocks; single states are one row (index, not slice).
        sizes = [("L", len(fc)), ("S", len(fc)), ("R", len(fc)), ("F", len(fc)), ("N", len(dc)),
                 ("K", len(lines)), ("W", len(lines)), ("H", len(lines)), ("Q", 1), ("atr", 1),
                 ("ain", 1), ("phi", 1), ("GD", 1), ("GF", 1), ("GR", 1), ("omega", 1),
                 ("e", 1)]
        self.sl, pos = {}, 0
        for name, size in sizes:
            self.sl[name] = slice(pos, pos + size) if name in GROUPS else pos
            pos += size
        self.size = pos
        self._regimes = {}

    def regime(self, month: int) -> dict:
        """Everything that changes only at breakpoints, for the month starting at t = month."""
        if month in self._regimes:
            return self._regimes[month]
        w, pol, p, n = self.world, self.policy, self.p, self.n
        fc = w.foreign
        vol = np.array([(a is None or a <= month) and (b is None or month < b)
                        for a, b in (w.volume[c] for c in fc)])
        status = [pol.chip[(c, "export_status")].piece(month)[2] for c in fc]
        banned = np.array([s == "banned" for s in status])[:, None]
        licensed = np.array([s == "licensed" for s in status])
        weights = self.dw * vol[:, None]
        wsum = weights.sum(axis=0)
        wf = np.divide(weights, wsum, out=np.zeros_like(weights), where=wsum > 0)  # §4 w_f
        w_banned = (wf * banned).sum(axis=0)
        # Substitute: the non-banned class in volume with the highest TPP (TPP is drawn, so per sample).
        eligible = vol & ~banned[:, 0]
        a = wf * ~banned
        if eligible.any():
            sub = np.argmax(np.where(eligible[:, None], self.h, -np.inf), axis=0)
            a[sub, np.arange(n)] += p["substitution_share"] * w_banned
        unmet_banned = w_banned * (1 - eligible.any() * p["substitution_share"])
        # §5 smuggling mix: banned classes in volume by weight, else every class in volume.
        mix = wf if not (vol & banned[:, 0]).any() else wf * banned / w_banned
        acc = np.where(licensed[:, None], self.acc_lic, self.acc_unr) * ~banned
        # §7 which class each line makes: the latest roadmap_from not after this month.
        making = np.zeros((len(w.domestic), 1))
        for line in w.lines:
            # Ties (same roadmap_from, or both null): the class listed first (§15 "Ties").
            mine = [(-10**9 if w.roadmap[d] is None else w.roadmap[d], -i)
                    for i, d in enumerate(w.domestic)
                    if w.line_of[d] == line and (w.roadmap[d] is None or w.roadmap[d] <= month)]
            if mine:
                making[-max(mine)[1]] = 1.0
        fee = [pol.chip[(c, "fee")].piece(month) for c in fc]
        r = dict(wf=wf, a=a, h_wf=wf / self.h, allowed=~banned, acc=acc, unmet_banned=unmet_banned,
                 mix_h=mix / self.h, making=making, fee=fee,
                 cap=[(i, pol.chip[(c, "licence_cap_units_per_year")].piece(month),
                       pol.chip[(c, "licence_cap_share_of_us_volume")].piece(month))
                      for i, c in enumerate(fc) if licensed[i]],
                 lev={k: s.piece(month) for k, s in pol.target.items()})
        r["a_h"] = a / self.h  # §4 u0_f / D: demand before the fee, units per H100e of demand
        if all(f[1] == "const" for f in fee):
            r["demand_per_D"] = self._demand_per_D(r, 0.0)
        self._regimes = {month: r}  # months are visited in order: keep one, not 120 (memory)
        return r

    def _demand_per_D(self, r, t):
        """§4 u_f / D: demand reaching class f after fees, in units per H100e of demand."""
        fee = np.array([piece_value(x, t) for x in r["fee"]])[:, None]
        return r["a_h"] * np.exp(self.neg_eps * np.log1p(fee))

    def initial_state(self) -> np.ndarray:
        p, w, sl = self.p, self.world, self.sl
        y = np.zeros((self.size, self.n))
        row = lambda names, field: np.stack([p[f"chips.{c}.{field}"] for c in names])
        y[sl["L"]] = row(w.foreign, "initial_stock.licensed")
        y[sl["S"]] = row(w.foreign, "initial_stock.smuggled")
        y[sl["R"]] = p["remote_h100e_2026"] * self.regime(0)["h_wf"]                       # §6
        share = row(w.foreign, "frontier_initial_share")
        y[sl["F"]] = self.F0 * share / share.sum(axis=0) / self.h                          # §8
        y[sl["N"]] = row(w.domestic, "initial_stock.domestic")
        y[sl["K"]], y[sl["W"]], y[sl["H"]] = self.K0, self.W0, self.H0                     # §7
        y[sl["Q"]] = self.Q0                                                               # §5
        y[sl["atr"]] = -p["target_lag_months"] / self.T_tr                                 # §9
        y[sl["ain"]] = -p["target_lag_months"] / self.T_in
        for k in ("phi", "GD", "GF", "GR", "omega"):                                       # §3, §8
            y[sl[k]] = 1.0
        y[sl["e"]] = self.serving_allowed(0.0, self.regime(0))                             # §9
        return y

    def serving_allowed(self, t: float, r: dict):
        """§9 the distillation serving gain anti-distillation measures leave the target."""
        z = piece_value(r["lev"]["anti_distillation_intensity"], t)
        return self.dist_gain * (1 - self.dist_cut * z)

    def growth(self, y: np.ndarray):
        """§3 the growth levels' derivatives (logistic, toward their ceilings); §8 G_F's ceiling
        recedes as omega, the stock-average watts per H100e relative to the start, falls."""
        sl = self.sl
        phi, GD, GF, GR = y[sl["phi"]], y[sl["GD"]], y[sl["GF"]], y[sl["GR"]]
        return (self.rD * phi * GD * (self.m_pack - GD) * self.inv_pack,
                self.rF * phi * GF * (self.m_P - GF * y[sl["omega"]]) * self.inv_P,
                self.rR * phi * GR * (self.m_pack - GR) * self.inv_pack)

    def flows(self, t: float, y: np.ndarray, r: dict, dGF=None):
        """§4 licensed inflow (units/month), import pressure, §8 US shipments (H100e/month)."""
        sl = self.sl
        D = self.D0 * y[sl["GD"]]
        per_D = r["demand_per_D"] if "demand_per_D" in r else self._demand_per_D(r, t)
        u0 = D * r["a_h"]   # before the fee
        u = D * per_D       # after it
        if dGF is None:
            dGF = self.growth(y)[1]
        s_us = self.F0 * (dGF + self.delta * y[sl["GF"]])  # §8: F0 G_F' + delta F0 G_F
        pf, p0 = u.copy(), u0.copy()  # capped purchases with and without the fee
        for i, cap_piece, share_piece in r["cap"]:
            cap, share = piece_value(cap_piece, t), piece_value(share_piece, t)
            if cap is not None:
                np.minimum(pf[i], cap / 12.0, out=pf[i])
                np.minimum(p0[i], cap / 12.0, out=p0[i])
            if share is not None:
                np.minimum(pf[i], share * s_us * r["h_wf"][i], out=pf[i])
                np.minimum(p0[i], share * s_us * r["h_wf"][i], out=p0[i])
        inflow = r["acc"] * pf   # b_f
        bought0 = r["acc"] * p0  # b0_f
        unmet_units = u0 - bought0 + self.grey * (bought0 - inflow)
        unmet = r["unmet_banned"] + (unmet_units * self.h * r["allowed"]).sum(axis=0) / D
        return inflow, np.clip(unmet, 0.0, 1.0), s_us

    def rhs(self, t: float, y: np.ndarray, r: dict) -> np.ndarray:
        sl, p = self.sl, self.p
        lev = {k: piece_value(v, t) for k, v in r["lev"].items()}
        lf = lambda k: np.exp(lev[k] * self.log_factor[k]) if lev[k] else 1.0  # x ** 0 = 1
        dy = np.empty_like(y)
        delta = self.delta
        phi, GD, GR = y[sl["phi"]], y[sl["GD"]], y[sl["GR"]]
        dGD, dGF, dGR = self.growth(y)
        inflow, pi, s_us = self.flows(t, y, r, dGF)
        # §3 growth states, each toward its ceiling; §8 omega.
        dy[sl["phi"]] = -self.lam * phi
        dy[sl["GD"]], dy[sl["GF"]], dy[sl["GR"]] = dGD, dGF, dGR
        dy[sl["omega"]] = -self.mu_w * y[sl["omega"]]
        # §4 licensed stock.
        dy[sl["L"]] = inflow - delta * y[sl["L"]]
        # §5 smuggling.
        q_star = np.minimum(self.Q0 * GD * lf("enforcement_intensity")
                            * lf("allied_transshipment_coverage")
                            * np.power(pi, p["smuggling_pressure_elasticity"]),
                            pi * self.D0 * GD)  # at most the demand legal channels leave unmet
        Q = y[sl["Q"]]
        dy[sl["Q"]] = (q_star - Q) / p["smuggling_adjustment_months"]
        dy[sl["S"]] = Q * r["mix_h"] - delta * y[sl["S"]]
        # §6 remote capacity.
        r_star = (p["remote_h100e_2026"] * GR * lf("remote_access_control")
                  * lf("allied_cloud_alignment") * (self.psi + (1 - self.psi) * pi))
        dy[sl["R"]] = (r_star * r["h_wf"] - y[sl["R"]]) / p["remote_adjustment_months"]
        # §7 domestic production.
        K, W, H = y[sl["K"]], y[sl["W"]], y[sl["H"]]
        dy[sl["K"]] = self.rho * K * (1 - K / np.minimum(W, H))
        common = self.rB * phi * (1 + p["domestic_growth_share_from_denial"] * (pi - 1))
        q = lev["allied_equipment_alignment"]
        dy[sl["W"]] = (common * (1 - p["alignment_wafer_growth_cut"] * q) * W
                       * (self.m_W - W / self.W0) * self.inv_W)
        dy[sl["H"]] = (common * (1 - p["alignment_hbm_growth_cut"] * q) * H
                       * (self.m_H - H / self.H0) * self.inv_H)
        dy[sl["N"]] = K[self.line_idx] * r["making"] - delta * y[sl["N"]]
        # §8 US frontier.
        dy[sl["F"]] = s_us * r["h_wf"] - delta * y[sl["F"]]
        # §9 software diffusion toward the frontier's log2 indices.
        lag = p["target_lag_months"] * (1 + p["anti_distillation_lag_extension"]
                                        * lev["anti_distillation_intensity"])
        dy[sl["atr"]] = (t / self.T_tr - y[sl["atr"]]) / lag
        dy[sl["ain"]] = (t / self.T_in - y[sl["ain"]]) / lag
        # §9 the target's serving gain follows what anti-distillation allows, with the lag.
        dy[sl["e"]] = (self.serving_allowed(t, r) - y[sl["e"]]) / lag
        return dy

    # -- §10 outputs
    def gap_training(self, t: float, y: np.ndarray) -> np.ndarray:
        sl, p, h = self.sl, self.p, self.h
        hw_target = (h * (y[sl["L"]] + y[sl["S"]] + p["remote_usability"] * y[sl["R"]])).sum(0) \
            + p["domestic_utilisation_training"] * (self.hd * y[sl["N"]]).sum(0)
        frontier = (h * y[sl["F"]]).sum(0)
        return frontier / hw_target * np.exp2(t / self.T_tr - y[sl["atr"]])

    def series(self, t: float, y: np.ndarray, r: dict) -> dict:
        """Every per-month series §10 defines, §4 import pressure, and the engine's extra
        series whose definitions had to be guessed (marked below)."""
        sl, p = self.sl, self.p
        dist_target = 1 + y[sl["e"]]  # §9 D_T(t)
        itr, iin = np.exp2(y[sl["atr"]]), np.exp2(y[sl["ain"]]) * dist_target
        nu = p["remote_usability"]
        hw = {"training": {"licensed": (self.h * y[sl["L"]]).sum(0),
                           "smuggled": (self.h * y[sl["S"]]).sum(0),
                           "domestic": p["domestic_utilisation_training"] * (self.hd * y[sl["N"]]).sum(0),
                           "remote": nu * (self.h * y[sl["R"]]).sum(0)},
              "inference": {"licensed": (self.b * y[sl["L"]]).sum(0),
                            "smuggled": (self.b * y[sl["S"]]).sum(0),
                            "domestic": p["domestic_utilisation_inference"] * (self.bd * y[sl["N"]]).sum(0),
                            "remote": nu * (self.b * y[sl["R"]]).sum(0)}}
        index = {"training": (itr, np.exp2(t / self.T_tr), self.h, self.T_tr),
                 "inference": (iin, np.exp2(t / self.T_in) * self.dist_frontier, self.b, self.T_in)}
        out = {}
        for ch, (target_idx, frontier_idx, unit, T) in index.items():
            for channel, value in hw[ch].items():
                out[f"target_{ch}_{channel}"] = value * target_idx
            out[f"target_{ch}_hardware"] = sum(hw[ch].values())
            out[f"target_{ch}_effective"] = out[f"target_{ch}_hardware"] * target_idx
            out[f"frontier_{ch}_hardware"] = (unit * y[sl["F"]]).sum(0)
            out[f"frontier_{ch}_effective"] = out[f"frontier_{ch}_hardware"] * frontier_idx
            out[f"gap_{ch}"] = out[f"frontier_{ch}_effective"] / out[f"target_{ch}_effective"]
            out[f"gap_{ch}_months"] = np.log2(out[f"gap_{ch}"]) * T
        out["import_pressure"] = self.flows(t, y, r)[1]
        out["frontier_power_gw"] = out["frontier_training_hardware"] * y[sl["omega"]] * self.w0 / 1e9
        out["smuggling_flow_h100e_per_year"] = 12 * y[sl["Q"]]  # §5
        # Guessed (not in docs/model.md): hardware-only gap, software lag, domestic output.
        out["gap_training_hardware"] = out["frontier_training_hardware"] / out["target_training_hardware"]
        out["gap_training_hardware_months"] = np.log2(out["gap_training_hardware"]) * self.T_tr
        out["software_lag_months"] = t - y[sl["atr"]] * self.T_tr
        out["domestic_output_per_year"] = 12 * y[sl["K"]].sum(0)
        return out


# ---------------------------------------------------------------- integration (§13)

def integrate(model: Model, record) -> None:
    """Classic RK4 at DT from t = 0 to the horizon. Steps never straddle a month boundary and
    every breakpoint is a whole month, so each step sees one regime: the right-hand side is
    smooth within it and no stage evaluates levers across a discontinuity. The output of a
    month that is a breakpoint uses the new month's regime (§13)."""
    y = model.initial_state()
    stage = np.empty_like(y)
    for month in range(model.horizon + 1):
        r = model.regime(month)
        record(month, float(month), y, r)
        if month == model.horizon:
            break
        t = float(month)
        for _ in range(round(1 / DT)):
            # y += DT/6 (k1 + 2 k2 + 2 k3 + k4), accumulated in k1's buffer to spare allocations.
            acc = model.rhs(t, y, r)
            np.multiply(acc, DT / 2, out=stage)
            stage += y
            k = model.rhs(t + DT / 2, stage, r)
            np.multiply(k, DT / 2, out=stage)
            stage += y
            k *= 2
            acc += k
            k = model.rhs(t + DT / 2, stage, r)
            np.multiply(k, DT, out=stage)
            stage += y
            k *= 2
            acc += k
            acc += model.rhs(t + DT, stage, r)
            acc *= DT / 6
            y += acc
            t += DT
        if not np.isfinite(y).all():
            raise FloatingPointError(f"non-finite state by month {month + 1}")


def horizon_months(world: World, horizon: str) -> int:
    return month_index(horizon) - world.start


def run_central(scenario, horizon: str = "2035-12") -> dict:
    """Every series per month for the median world: {series: list of 120 floats, 'months': labels}."""
    sc = load_scenario(scenario)
    world = World(sc["world"])
    model = Model(world, Policy(sc["policy"], world), world.draw(1, central=True),
                  horizon_months(world, horizon))
    rows = []
    integrate(model, lambda m, t, y, r: rows.append(model.series(t, y, r)))
    out = {k: [float(row[k][0]) for row in rows] for k in rows[0]}
    out["months"] = [month_label(world.start + m) for m in range(len(rows))]
    return out


def run_monte_carlo(scenarios, samples: int, seed: int, horizon: str = "2035-12") -> dict:
    """Training-gap p5/p50/p95 per month per scenario; all scenarios share the draws (§14)."""
    loaded = [load_scenario(s) for s in scenarios]
    world = World(loaded[0]["world"])
    draws = world.draw(samples, seed=seed)
    result = {}
    for sc in loaded:
        if sc["world"] != loaded[0]["world"]:
            raise Unsupported("scenarios with different worlds in one run")
        model = Model(world, Policy(sc["policy"], world), draws, horizon_months(world, horizon))
        gaps = np.empty((model.horizon + 1, samples))

        def record(m, t, y, r):
            gaps[m] = model.gap_training(t, y)
        integrate(model, record)
        # Lower order statistic, as the engine's summaries use (§14).
        q = np.quantile(gaps, [0.05, 0.5, 0.95], axis=1, method="lower")
        result[sc["name"]] = {"p5": q[0].tolist(), "p50": q[1].tolist(), "p95": q[2].tolist()}
    result["months"] = [month_label(world.start + m) for m in range(model.horizon + 1)]
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", help="scenario files (default: the five shipped)")
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--horizon", default="2035-12")
    ap.add_argument("--central", action="store_true", help="one median world, every series")
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON")
    ap.add_argument("--quiet", action="store_true", help="print only the wall time")
    args = ap.parse_args(argv)
    scenarios = args.scenarios or [REPO / "scenarios" / f"{s}.json" for s in SHIPPED]
    start = time.perf_counter()
    if args.central:
        result = {load_scenario(s)["name"]: run_central(s, args.horizon) for s in scenarios}
    else:
        result = run_monte_carlo(scenarios, args.samples, args.seed, args.horizon)
    wall = time.perf_counter() - start
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1))
    if args.quiet:
        print(f"wall_s {wall:.3f}")
        return 0
    for name, res in result.items():
        if name == "months":
            continue
        months = res["months"] if args.central else result["months"]
        print(f"# {name}")
        if args.central:
            print("month    gap_training  gap_training_months  import_pressure")
            for i, label in enumerate(months):
                print(f"{label}  {res['gap_training'][i]:12.6g}  {res['gap_training_months'][i]:19.6g}"
                      f"  {res['import_pressure'][i]:15.6g}")
        else:
            print("month    gap_training p5 / p50 / p95")
            for i, label in enumerate(months):
                if i % 12 == 11:
                    print(f"{label}  {res['p5'][i]:10.4g} {res['p50'][i]:10.4g} {res['p95'][i]:10.4g}")
    print(f"wall {wall:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
