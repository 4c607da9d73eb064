"""How a revision's cost grows with the data, from rehearsals at a few sample sizes (pure: no server).

Each figure (the time it blocked, the time it held a lock that blocks writes, its duration) is fitted
against the rows by least squares as constant, linear (a + b·n) or n log n (a + b·n·ln n). A figure
that grew by no more than the measurement's resolution from the smallest sample to the largest is
constant (noise is not read as growth); one that grew is linear or n log n, whichever predicts the
largest sample from the smaller ones better (the left-out point), the simpler one when they are
within the resolution of each other. The chosen model is then fitted on every sample and read at
production's size; its miss on the left-out point is reported as the fit's quality.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from parity.results import Estimate, FitQuality, Revision, SampleFigures

Model = Literal["constant", "linear", "n log n"]
MODELS: tuple[Model, ...] = ("constant", "linear", "n log n")  # simplest first
# The lock monitor samples every 40 ms: two models whose left-out misses differ by less cannot be
# told apart by the measurement.
RESOLUTION_S = 0.05
MIN_SAMPLES = 3  # two to fit a line, one left out to judge it


@dataclass(frozen=True)
class Point:
    """One figure measured at one sample size."""

    rows: int
    value: float


@dataclass(frozen=True)
class Fit:
    """A figure at production's size, the model it came from and how well that model held."""

    model: Model
    estimate: float  # the figure at `rows`, never below zero
    rows: int
    intercept: float
    slope: float  # per row (linear) or per n·ln n (n log n); 0 for constant
    r2: float | None  # over every sample; None when the samples do not vary
    left_out_error: float | None  # relative miss predicting the largest sample from the others


def _basis(model: Model) -> Callable[[float], float]:
    if model == "constant":
        return lambda _n: 0.0
    if model == "linear":
        return lambda n: n
    return lambda n: n * math.log(n) if n > 1 else 0.0


def _least_squares(points: Sequence[Point], model: Model) -> tuple[float, float]:
    """(intercept, slope) of value = intercept + slope·basis(rows); a slope that would make the
    figure shrink as the data grows is read as no growth (constant)."""
    mean_v = sum(p.value for p in points) / len(points)
    if model == "constant":
        return mean_v, 0.0
    f = _basis(model)
    xs = [f(p.rows) for p in points]
    mean_x = sum(xs) / len(xs)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return mean_v, 0.0
    slope = sum((x - mean_x) * (p.value - mean_v) for x, p in zip(xs, points, strict=True)) / spread
    if slope <= 0:
        return mean_v, 0.0
    return mean_v - slope * mean_x, slope


def _predict(model: Model, intercept: float, slope: float, rows: int) -> float:
    return max(0.0, intercept + slope * _basis(model)(rows))


def _r2(points: Sequence[Point], model: Model, intercept: float, slope: float) -> float | None:
    mean_v = sum(p.value for p in points) / len(points)
    total = sum((p.value - mean_v) ** 2 for p in points)
    if total == 0:
        return None
    residual = sum((p.value - _predict(model, intercept, slope, p.rows)) ** 2 for p in points)
    return 1 - residual / total


def _left_out_miss(points: Sequence[Point], model: Model) -> float:
    """How far the model fitted on all but the largest sample misses the largest (absolute)."""
    *smaller, largest = points
    intercept, slope = _least_squares(smaller, model)
    return abs(_predict(model, intercept, slope, largest.rows) - largest.value)


def fit(points: Sequence[Point], rows: int, resolution: float = RESOLUTION_S) -> Fit:
    """The figure at `rows`, from samples at three or more distinct sizes (see the module's doc)."""
    ordered = sorted(points, key=lambda p: p.rows)
    if len({p.rows for p in ordered}) < MIN_SAMPLES:
        raise ValueError(f"a fit needs samples at {MIN_SAMPLES} or more distinct sizes")
    # Whether the figure grows is read from the samples' span, not from the left-out point alone:
    # one noisy small sample must not make a rewrite look constant.
    grows = ordered[-1].value - ordered[0].value > resolution
    candidates = MODELS[1:] if grows else MODELS[:1]
    misses = {model: _left_out_miss(ordered, model) for model in candidates}
    best = min(misses.values())
    chosen = next(model for model in candidates if misses[model] <= best + resolution)
    intercept, slope = _least_squares(ordered, chosen)
    if slope == 0:
        chosen = "constant"
    largest = ordered[-1].value
    relative = misses[chosen] / largest if largest > 0 else None
    return Fit(model=chosen, estimate=round(_predict(chosen, intercept, slope, rows), 3), rows=rows,
               intercept=intercept, slope=slope, r2=_r2(ordered, chosen, intercept, slope),
               left_out_error=None if relative is None else round(relative, 3))


def sample_sizes(production: int, largest: int) -> list[int]:
    """Default sample sizes for `production` rows: three, doubling, the largest `largest` (or half
    of production when that is smaller)."""
    top = max(4, min(largest, production // 2))
    return [max(1, top // 4), max(2, top // 2), top]


FIGURES = ("blocking_s", "writes_blocked_s", "duration_s")


def figures_of(rows: int, revision: Revision) -> SampleFigures | None:
    """A revision's figures in one sample's rehearsal (None if it did not run to the end)."""
    if revision.status != "ok" or revision.measures is None:
        return None
    m = revision.measures
    return SampleFigures(rows=rows, blocking_s=m.blocking_s, writes_blocked_s=m.writes_blocked_s,
                         duration_s=revision.duration_s)


def estimate(samples: Sequence[SampleFigures], rows: int) -> Estimate | None:
    """The revision's figures at `rows`, each fitted from the samples (None with too few of them)."""
    if len({s.rows for s in samples}) < MIN_SAMPLES:
        return None
    fits = {name: fit([Point(s.rows, getattr(s, name)) for s in samples], rows) for name in FIGURES}
    return Estimate(rows=rows, blocking_s=fits["blocking_s"].estimate,
                    writes_blocked_s=fits["writes_blocked_s"].estimate, duration_s=fits["duration_s"].estimate,
                    fits={name: FitQuality(model=f.model, r2=None if f.r2 is None else round(f.r2, 3),
                                           left_out_error=f.left_out_error) for name, f in fits.items()},
                    samples=sorted(samples, key=lambda s: s.rows))
