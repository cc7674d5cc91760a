"""PRIM (Patient Rule Induction Method) for scenario discovery, in NumPy.

PRIM (Friedman & Fisher 1999, "Bump hunting in high-dimensional data", Statistics and
Computing 9:123-143) looks for a box -- a set of limits on some input columns -- inside which
a binary outcome is concentrated. Starting from the box holding every sample it repeatedly
*peels* off a small slice (``peel_alpha`` of the samples in the box) from one side of one
column, choosing the slice whose removal scores best, until the box would hold less than
``mass_min`` of all samples; then it *pastes* slices back while that raises the density.
Every intermediate box is kept in the peeling trajectory, so an analyst can trade coverage
(share of all cases of interest that fall inside) against density (share of the box that is
of interest), as in scenario discovery (Bryant & Lempert 2010, Technological Forecasting and
Social Change 77:34-49).

The reference is EMA Workbench's ``ema_workbench.analysis.prim`` (Kwakkel 2017); this module
follows its peeling and pasting rules so that both give the same trajectory on the same data
(``tests/python/test_prim.py`` checks this against ema-workbench 2.5.3):

* column kinds: float columns are continuous; integer columns are *discrete numeric* (peeled
  at a truncated quantile, limits snapped to data values); bool, object, string and category
  columns are categorical (a peel removes one category, a paste adds one back). A categorical
  column with a single value is ignored.
* numeric peel bounds use sdtoolkit's quantile: at position ``(n - 1) * q`` in the sorted
  values, widened outwards past tied values, and the midpoint of the two values found.
* candidates are scored by the objective -- ``"original"`` (the box's density, Friedman &
  Fisher's), ``"lenient1"`` (gain in density per sample removed; EMA's default) or
  ``"lenient2"`` (that gain times the new box's size) -- ties go to the candidate leaving
  more columns unrestricted, then to the first in the order float columns (upper side, then
  lower), integer columns, categorical columns.
* a peel is taken while the new box keeps at least ``mass_min`` of the samples, is smaller,
  and scores above zero; a paste while the box keeps ``mass_min``, grows, scores above zero
  and raises the density. Pasting only widens columns that are already restricted.
* quasi-p-values (Bryant & Lempert 2010): for each restricted column (each side of it, for a
  numeric one) drop that one restriction, take the density p of the larger box, and report
  the one-sided binomial probability of seeing at least the box's cases of interest among its
  samples if the density were p.

Differences from EMA, on purpose: categories are tried in sorted order (EMA uses Python set
order, which for strings changes from run to run); float32 columns are continuous (EMA
silently leaves them out); pasting also considers integer and categorical columns when no
float column is restricted (EMA stops early there); only the first box is searched (EMA's
``find_box`` can be called again on the remaining samples); a box below ``threshold`` is
flagged, with a warning, rather than replaced by the all-data box.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["prim", "PrimResult", "PrimBox"]

_OBJECTIVES = ("original", "lenient1", "lenient2")


# ----------------------------------------------------------------------------- helpers


def _sdtoolkit_quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile as sdtoolkit (and EMA) compute it: take the sorted values at the floor
    and ceiling of (n - 1) * q; while they are equal, move the outer one (the lower one for
    q > 0.5, the upper one otherwise) further out; return their midpoint."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {q}")
    s = np.sort(values)
    pos = (s.shape[0] - 1) * q
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    if q > 0.5:
        while s[lo] == s[hi] and lo > 0:
            lo -= 1
    else:
        while s[lo] == s[hi] and hi < s.shape[0] - 1:
            hi += 1
    return float((s[lo] + s[hi]) / 2)


def _binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the one-sided binomial test's p-value."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    j = np.arange(k, n + 1, dtype=float)
    log_terms = (math.lgamma(n + 1) - np.array([math.lgamma(v + 1) for v in j])
                 - np.array([math.lgamma(n - v + 1) for v in j])
                 + j * math.log(p) + (n - j) * math.log1p(-p))
    top = float(log_terms.max())
    return float(min(1.0, math.exp(top) * np.exp(log_terms - top).sum()))


def _score(objective: str, k_old: int, n_old: int, k_new: int, n_new: int) -> float:
    """The objective for moving from a box with k_old of n_old cases of interest to one with
    k_new of n_new (means computed as EMA's np.mean would, so ties compare equal)."""
    if objective == "original":
        return k_new / n_new if n_new > 0 else -1.0
    mean_old = k_old / n_old
    mean_new = k_new / n_new if n_new > 0 else 0.0
    if mean_old == mean_new:
        return 0.0
    change = abs(n_old - n_new)
    if change == 0:  # same samples cannot have a different mean
        raise AssertionError("density changed while the box kept the same samples")
    gain = (mean_new - mean_old) / change
    return gain if objective == "lenient1" else n_new * gain


@dataclass
class _Column:
    name: str
    kind: str                 # "float", "int" or "cat"
    values: np.ndarray        # float values, or integer category codes for "cat"
    categories: tuple = ()    # the category labels, for "cat"


@dataclass
class _Limits:
    """Limits of one box: lo/hi per numeric column, allowed code sets per categorical one."""
    lo: np.ndarray
    hi: np.ndarray
    allowed: dict[int, frozenset]

    def copy(self) -> "_Limits":
        return _Limits(self.lo.copy(), self.hi.copy(), dict(self.allowed))


# ----------------------------------------------------------------------------- results


@dataclass
class PrimBox:
    """One box of the trajectory: its statistics, limits and quasi-p-values.

    ``limits`` maps each restricted column to ``(min, max)`` (numeric) or to the frozenset of
    allowed values (categorical). ``qp`` maps each restricted column to
    ``(qp_lower, qp_upper)`` for a numeric column (NaN for a side left unrestricted) or to a
    single p-value for a categorical one."""

    index: int
    coverage: float
    density: float
    mass: float
    res_dim: int
    n: int
    k: int
    limits: dict[str, Any]
    qp: dict[str, Any]
    inside: np.ndarray = field(repr=False)

    @property
    def restricted_dims(self) -> list[str]:
        return list(self.limits)

    def limits_frame(self) -> pd.DataFrame:
        """The limits as a table: one row per restricted column."""
        rows = []
        for name, lim in self.limits.items():
            q = self.qp.get(name)
            if isinstance(lim, frozenset):
                rows.append({"name": name, "min": np.nan, "max": np.nan,
                             "allowed": sorted(lim, key=repr), "qp_lower": q,
                             "qp_upper": np.nan})
            else:
                rows.append({"name": name, "min": lim[0], "max": lim[1], "allowed": None,
                             "qp_lower": q[0], "qp_upper": q[1]})
        cols = ["min", "max", "allowed", "qp_lower", "qp_upper"]
        if not rows:
            return pd.DataFrame(columns=cols)
        return pd.DataFrame(rows).set_index("name")[cols]


class PrimResult:
    """The outcome of :func:`prim`: the trajectory of boxes from all data to the final one.

    ``trajectory`` is a DataFrame with one row per box (index = box index): coverage,
    density, mean (= density for a binary outcome), mass, res_dim, n (samples inside),
    k (cases of interest inside) and phase ("init", "peel" or "paste"). The selected box
    is the last one unless :meth:`select` chose another."""

    def __init__(self, engine: "_Prim", limits: list[_Limits], insides: list[np.ndarray],
                 phases: list[str], threshold: float | None):
        self._engine = engine
        self._limits = limits
        self._insides = insides
        self._resampled: list[PrimResult] = []
        self.threshold = threshold
        rows = []
        for i, (lim, inside) in enumerate(zip(limits, insides)):
            n = int(inside.sum())
            k = int(engine.y[inside].sum())
            rows.append({"coverage": k / engine.k_total, "density": k / n, "mean": k / n,
                         "mass": n / engine.n, "res_dim": len(engine.restricted(lim)),
                         "n": n, "k": k, "phase": phases[i]})
        self.trajectory = pd.DataFrame(rows)
        self.trajectory.index.name = "box"
        self._selected = len(rows) - 1
        final_density = float(self.trajectory["density"].iloc[-1])
        self.threshold_met = threshold is None or final_density >= threshold
        if not self.threshold_met:
            warnings.warn(f"PRIM's final box has density {final_density:.3f}, below the "
                          f"threshold {threshold}", UserWarning, stacklevel=3)

    # -- selection ---------------------------------------------------------------------
    @property
    def selected(self) -> int:
        return self._selected

    def select(self, i: int) -> PrimBox:
        """Make box ``i`` of the trajectory (negative counts from the end) the selected one."""
        n = len(self._limits)
        if not -n <= i < n:
            raise IndexError(f"box {i} is not on the trajectory of {n} boxes")
        self._selected = i % n
        return self.box()

    def box(self, i: int | None = None) -> PrimBox:
        """Box ``i`` (default: the selected one) with its limits, statistics and qp-values."""
        i = self._selected if i is None else i % len(self._limits)
        return self._engine.describe(i, self._limits[i], self._insides[i])

    @property
    def boxes(self) -> list[PrimBox]:
        return [self.box(i) for i in range(len(self._limits))]

    @property
    def stats(self) -> pd.DataFrame:
        """Coverage, density, mass and res_dim of every box (the trajectory's main columns)."""
        return self.trajectory[["coverage", "density", "mass", "res_dim"]].copy()

    # -- pasting -----------------------------------------------------------------------
    def paste(self, i: int | None = None) -> PrimBox:
        """Paste box ``i`` (default: the selected one) and return the pasted box. The
        trajectory is left as it is; the returned box's ``index`` is -1."""
        i = self._selected if i is None else i % len(self._limits)
        lim, inside, _ = self._engine.paste(self._limits[i].copy(), self._insides[i])
        box = self._engine.describe(-1, lim, inside)
        return box

    # -- stability ---------------------------------------------------------------------
    def resample(self, n: int = 10, *, fraction: float = 0.5, seed: int | None = None,
                 i: int | None = None) -> pd.DataFrame:
        """How often each column is restricted when PRIM is rerun on random subsamples.

        Like EMA's ``PrimBox.resample``: ``n`` subsamples of ``fraction`` of the samples
        (without replacement) are each run through PRIM with the same settings; in each run
        the box closest in coverage, and the one closest in density, to box ``i`` (default:
        the selected one) are looked up. Returns, per column, the fraction of runs in which
        it is restricted in those boxes ("reproduce coverage", "reproduce density"), sorted
        most reproduced first. (EMA reports percentages and reruns with lenient1 and a 0.1
        threshold whatever the original settings.)"""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
        i = self._selected if i is None else i % len(self._limits)
        e = self._engine
        rng = np.random.default_rng(seed)
        size = int(e.n * fraction)
        counts = {str(c): [0, 0] for c in e.x_columns}
        cov0 = self.trajectory["coverage"].iloc[i]
        den0 = self.trajectory["density"].iloc[i]
        done = 0
        while done < n:
            idx = rng.choice(e.n, size=size, replace=False)
            y_sub = e.y[idx]
            if not y_sub.any() or y_sub.all():
                continue  # a subsample with one class cannot be peeled; draw again
            x_sub = e.x.iloc[idx].reset_index(drop=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run = prim(x_sub, y_sub, peel_alpha=e.peel_alpha, paste_alpha=e.paste_alpha,
                           mass_min=e.mass_min, threshold=None, objective=e.objective)
            traj = run.trajectory
            for slot, j in enumerate(((traj["coverage"] - cov0).abs().idxmin(),
                                      (traj["density"] - den0).abs().idxmin())):
                for name in run._engine.restricted(run._limits[j]):
                    counts[name][slot] += 1
            done += 1
        out = pd.DataFrame.from_dict(counts, orient="index",
                                     columns=["reproduce coverage", "reproduce density"]) / n
        return out.sort_values(["reproduce coverage", "reproduce density"], ascending=False)


# ----------------------------------------------------------------------------- algorithm


class _Prim:
    def __init__(self, x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float,
                 mass_min: float, objective: str):
        self.x = x.reset_index(drop=True)
        self.y = y
        self.n = y.shape[0]
        self.k_total = int(y.sum())
        self.peel_alpha, self.paste_alpha = peel_alpha, paste_alpha
        self.mass_min, self.objective = mass_min, objective
        self.x_columns = list(self.x.columns)

        floats, ints, cats = [], [], []
        for name in self.x.columns:
            s = self.x[name]
            dt = s.dtype
            if pd.api.types.is_bool_dtype(dt) or not pd.api.types.is_numeric_dtype(dt):
                codes, uniques = pd.factorize(s, sort=True)
                if len(uniques) < 2:
                    continue  # one category: nothing to restrict (as EMA drops it)
                cats.append(_Column(str(name), "cat", codes.astype(np.int64), tuple(uniques)))
            elif pd.api.types.is_integer_dtype(dt):
                ints.append(_Column(str(name), "int", s.to_numpy(dtype=float)))
            else:
                floats.append(_Column(str(name), "float", s.to_numpy(dtype=float)))
        # EMA tries candidates in this order; it decides ties
        self.columns = floats + ints + cats
        self.numeric = [j for j, c in enumerate(self.columns) if c.kind != "cat"]
        lo = np.full(len(self.columns), np.nan)
        hi = np.full(len(self.columns), np.nan)
        allowed = {}
        for j, c in enumerate(self.columns):
            if c.kind == "cat":
                allowed[j] = frozenset(range(len(c.categories)))
            else:
                lo[j], hi[j] = c.values.min(), c.values.max()
        self.init = _Limits(lo, hi, allowed)

    # -- box helpers -------------------------------------------------------------------
    def restricted(self, lim: _Limits) -> list[str]:
        names = []
        for j, c in enumerate(self.columns):
            if c.kind == "cat":
                changed = lim.allowed[j] != self.init.allowed[j]
            else:
                changed = lim.lo[j] != self.init.lo[j] or lim.hi[j] != self.init.hi[j]
            if changed:
                names.append(c.name)
        return names

    def _n_unrestricted(self, lim: _Limits) -> int:
        return len(self.columns) - len(self.restricted(lim))

    def inside(self, lim: _Limits, only: list[int] | None = None) -> np.ndarray:
        """Samples inside the box, judged on the columns ``only`` (default: all)."""
        keep = np.ones(self.n, dtype=bool)
        for j in (range(len(self.columns)) if only is None else only):
            c = self.columns[j]
            if c.kind == "cat":
                if lim.allowed[j] != self.init.allowed[j]:
                    keep &= np.isin(c.values, np.fromiter(lim.allowed[j], dtype=np.int64))
            else:
                keep &= (c.values >= lim.lo[j]) & (c.values <= lim.hi[j])
        return keep

    def _restricted_idx(self, lim: _Limits) -> list[int]:
        names = set(self.restricted(lim))
        return [j for j, c in enumerate(self.columns) if c.name in names]

    def _pick(self, candidates, k_old: int, n_old: int):
        """The best (score, limits, inside) candidate: highest score, then most columns
        left unrestricted, then first in order. Candidates come as (limits, n_new, k_new,
        unrestricted, inside) where ``inside()`` makes the full mask (only the winner's is
        made)."""
        best = None
        best_key = None
        for lim, n_new, k_new, unrestricted, inside in candidates:
            key = (_score(self.objective, k_old, n_old, k_new, n_new), unrestricted)
            if best_key is None or key > best_key:
                best_key, best = key, (key[0], lim, inside)
        if best is None:
            return None
        return best[0], best[1], best[2]()

    def _is_restricted(self, lim: _Limits, j: int) -> bool:
        if self.columns[j].kind == "cat":
            return lim.allowed[j] != self.init.allowed[j]
        return bool(lim.lo[j] != self.init.lo[j] or lim.hi[j] != self.init.hi[j])

    # -- peeling -----------------------------------------------------------------------
    def _peel_candidates(self, lim: _Limits, inside: np.ndarray):
        """Every one-slice peel of the box. Counts are taken on the box's own rows, so a
        candidate costs the box's size, not the data's."""
        rows = np.flatnonzero(inside)
        y_in = self.y[rows]
        unrestricted = self._n_unrestricted(lim)

        def counted(j: int, new: _Limits, keep: np.ndarray):
            """(limits, n, k, columns left unrestricted, full-mask maker) of one peel."""
            left = unrestricted - int(not self._is_restricted(lim, j)
                                      and self._is_restricted(new, j))

            def full(keep: np.ndarray = keep) -> np.ndarray:
                mask = np.zeros(self.n, dtype=bool)
                mask[rows[keep]] = True
                return mask
            return (new, int(np.count_nonzero(keep)), int(np.count_nonzero(y_in & keep)),
                    left, full)

        for j, c in enumerate(self.columns):
            xj = c.values[rows]
            if c.kind == "float":
                for side, q in (("upper", 1 - self.peel_alpha), ("lower", self.peel_alpha)):
                    cut = _sdtoolkit_quantile(xj, q)
                    new = lim.copy()
                    if side == "upper":
                        keep = xj <= cut
                        new.hi[j] = cut
                    else:
                        keep = xj >= cut
                        new.lo[j] = cut
                    yield counted(j, new, keep)
            elif c.kind == "int":
                for side, q in (("upper", 1 - self.peel_alpha), ("lower", self.peel_alpha)):
                    cut = float(int(_sdtoolkit_quantile(xj, q)))  # truncated, as EMA does
                    lo, hi = lim.lo[j], lim.hi[j]
                    if side == "upper":
                        keep = (xj < hi) if cut == hi else (xj <= cut)
                        keep &= xj >= lo
                        new_limit = xj[keep].max() if keep.any() else xj.max()
                    else:
                        keep = (xj > lo) if cut == lo else (xj >= cut)
                        keep &= xj <= hi
                        new_limit = xj[keep].min() if keep.any() else xj.min()
                    new = lim.copy()
                    if side == "upper":
                        new.hi[j] = new_limit
                    else:
                        new.lo[j] = new_limit
                    yield counted(j, new, keep)
            else:
                current = lim.allowed[j]
                if len(current) < 2:
                    continue
                for code in sorted(current):
                    new = lim.copy()
                    new.allowed[j] = current - {code}
                    yield counted(j, new, xj != code)

    def peel(self, lim: _Limits, inside: np.ndarray):
        limits, insides = [lim], [inside]
        while True:
            n_old = int(inside.sum())
            k_old = int(self.y[inside].sum())
            best = self._pick(self._peel_candidates(lim, inside), k_old, n_old)
            if best is None:
                break
            score, new_lim, new_inside = best
            n_new = int(new_inside.sum())
            if n_new / self.n >= self.mass_min and n_new < n_old and score > 0:
                lim, inside = new_lim, new_inside
                limits.append(lim)
                insides.append(inside)
            else:
                break
        return limits, insides

    def _whole(self, new: _Limits, res: list[int]):
        """A paste candidate in _pick's form (pastes are few: the mask is made at once)."""
        mask = self.inside(new, res)
        return (new, int(mask.sum()), int(self.y[mask].sum()), self._n_unrestricted(new),
                lambda: mask)

    # -- pasting -----------------------------------------------------------------------
    def _paste_candidates(self, lim: _Limits):
        res = self._restricted_idx(lim)
        for j in res:
            c = self.columns[j]
            if c.kind == "cat":
                for code in sorted(self.init.allowed[j] - lim.allowed[j]):
                    new = lim.copy()
                    new.allowed[j] = lim.allowed[j] | {code}
                    yield self._whole(new, res)
                continue
            for side in ("lower", "upper"):
                region = lim.copy()
                if side == "lower":
                    region.lo[j], region.hi[j] = self.init.lo[j], lim.lo[j]
                else:
                    region.lo[j], region.hi[j] = lim.hi[j], self.init.hi[j]
                data = c.values[self.inside(region, res)]
                new = lim.copy()
                if side == "lower":
                    new.lo[j] = (_sdtoolkit_quantile(data, 1 - self.paste_alpha)
                                 if data.size else self.init.lo[j])
                else:
                    new.hi[j] = (_sdtoolkit_quantile(data, self.paste_alpha)
                                 if data.size else self.init.hi[j])
                yield self._whole(new, res)

    def paste(self, lim: _Limits, inside: np.ndarray):
        limits, insides = [], []
        while True:
            n_old = int(inside.sum())
            k_old = int(self.y[inside].sum())
            best = self._pick(self._paste_candidates(lim), k_old, n_old)
            if best is None:
                break
            score, new_lim, new_inside = best
            n_new = int(new_inside.sum())
            k_new = int(self.y[new_inside].sum())
            if (n_new / self.n >= self.mass_min and n_new > n_old and score > 0
                    and k_new / n_new > k_old / n_old):
                lim, inside = new_lim, new_inside
                limits.append(lim)
                insides.append(inside)
            else:
                break
        return lim, inside, (limits, insides)

    # -- statistics --------------------------------------------------------------------
    def quasi_p(self, lim: _Limits, inside: np.ndarray) -> dict[str, Any]:
        res = self._restricted_idx(lim)
        n_box = int(inside.sum())
        k_box = int(self.y[inside].sum())

        def qp_without(wider: _Limits) -> float:
            larger = self.inside(wider, res)
            p = self.y[larger].sum() / larger.sum()
            return _binomial_upper_tail(k_box, n_box, float(p))

        out: dict[str, Any] = {}
        for j in res:
            c = self.columns[j]
            if c.kind == "cat":
                wider = lim.copy()
                wider.allowed[j] = self.init.allowed[j]
                out[c.name] = qp_without(wider)
                continue
            pair = []
            for side in ("lo", "hi"):
                if getattr(lim, side)[j] == getattr(self.init, side)[j]:
                    pair.append(float("nan"))
                    continue
                wider = lim.copy()
                getattr(wider, side)[j] = getattr(self.init, side)[j]
                pair.append(qp_without(wider))
            out[c.name] = tuple(pair)
        return out

    def describe(self, index: int, lim: _Limits, inside: np.ndarray) -> PrimBox:
        n = int(inside.sum())
        k = int(self.y[inside].sum())
        names = set(self.restricted(lim))
        limits: dict[str, Any] = {}
        for j, c in enumerate(self.columns):
            if c.name not in names:
                continue
            if c.kind == "cat":
                limits[c.name] = frozenset(c.categories[v] for v in lim.allowed[j])
            else:
                limits[c.name] = (float(lim.lo[j]), float(lim.hi[j]))
        return PrimBox(index=index, coverage=k / self.k_total, density=k / n,
                       mass=n / self.n, res_dim=len(limits), n=n, k=k, limits=limits,
                       qp=self.quasi_p(lim, inside), inside=inside.copy())


# ----------------------------------------------------------------------------- entry point


def _check_inputs(x: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"x must be a pandas DataFrame, got {type(x).__name__}")
    if x.shape[1] == 0:
        raise ValueError("x has no columns")
    if not x.columns.is_unique:
        raise ValueError("x has repeated column names")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} rows but y has {y.shape[0]} values")
    if y.dtype != bool:
        if not np.isin(y, (0, 1)).all():
            raise ValueError("y must be a boolean array (or hold only 0 and 1)")
        y = y.astype(bool)
    if not y.any():
        raise ValueError("y selects no sample (it is all False): there is nothing for PRIM "
                         "to find")
    if y.all():
        raise ValueError("y selects every sample (it is all True): there is nothing for PRIM "
                         "to separate")
    for name in x.columns:
        missing = int(x[name].isna().sum())
        if missing:
            raise ValueError(f"column {name!r} of x has {missing} missing (NaN) values")
    for name in x.select_dtypes(include="number").columns:
        vals = x[name].to_numpy(dtype=float)
        if not np.isfinite(vals).all():
            raise ValueError(f"column {name!r} of x has infinite values")
    return x, y


def prim(x: pd.DataFrame, y: np.ndarray, *, peel_alpha: float = 0.05,
         paste_alpha: float = 0.05, mass_min: float = 0.05, threshold: float | None = None,
         objective: str = "original") -> PrimResult:
    """Run PRIM on inputs ``x`` (one column per input) for the binary outcome ``y``.

    Peels from the box holding all samples down to ``mass_min``, then pastes the last box;
    returns a :class:`PrimResult` whose trajectory holds every box. ``threshold``, if given,
    is the density the final box should reach (a warning says when it does not, and
    ``threshold_met`` is False). ``objective`` is "original", "lenient1" or "lenient2"."""
    x, y = _check_inputs(x, y)
    if objective not in _OBJECTIVES:
        raise ValueError(f"objective must be one of {_OBJECTIVES}, got {objective!r}")
    for label, value in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha)):
        if not 0.0 < value < 0.5:
            raise ValueError(f"{label} must lie in (0, 0.5), got {value}")
    if not 0.0 <= mass_min < 1.0:
        raise ValueError(f"mass_min must lie in [0, 1), got {mass_min}")
    engine = _Prim(x, y, peel_alpha, paste_alpha, mass_min, objective)
    all_in = np.ones(engine.n, dtype=bool)
    limits, insides = engine.peel(engine.init.copy(), all_in)
    _, _, (p_limits, p_insides) = engine.paste(limits[-1].copy(), insides[-1])
    phases = ["init"] + ["peel"] * (len(limits) - 1) + ["paste"] * len(p_limits)
    return PrimResult(engine, limits + p_limits, insides + p_insides, phases, threshold)
