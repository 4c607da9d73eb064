"""Fitting a revision's growth from rehearsals at sample sizes (parity.migrate.extrapolate)."""

from __future__ import annotations

import math

import pytest

from parity.diff import Budgets, compare, compare_runs
from parity.migrate.extrapolate import Point, estimate, fit, sample_sizes
from parity.profile.models import DataSpec, Profile
from parity.results import Measures, ProfileRun, Revision, SampleFigures, StepResult


def test_a_linear_cost_is_fitted_as_linear_and_read_at_production_size() -> None:
    points = [Point(50_000, 0.13), Point(100_000, 0.23), Point(200_000, 0.43)]  # 0.03 + 2e-6 per row
    result = fit(points, 10_000_000)
    assert result.model == "linear"
    assert result.estimate == pytest.approx(20.03, rel=1e-6)
    assert result.r2 == pytest.approx(1.0)
    assert result.left_out_error == pytest.approx(0.0, abs=1e-9)


def test_a_cost_that_does_not_grow_is_constant_despite_noise() -> None:
    points = [Point(50_000, 0.012), Point(100_000, 0.010), Point(200_000, 0.019)]
    result = fit(points, 100_000_000)
    assert result.model == "constant"
    assert result.estimate == pytest.approx((0.012 + 0.010 + 0.019) / 3, abs=1e-3)


def test_an_n_log_n_cost_is_told_from_a_linear_one_when_the_samples_span_enough() -> None:
    sizes = [1_000, 10_000, 100_000, 1_000_000]
    points = [Point(n, 1e-5 * n * math.log(n)) for n in sizes]
    result = fit(points, 10_000_000, resolution=0.0)
    assert result.model == "n log n"
    assert result.estimate == pytest.approx(1e-5 * 1e7 * math.log(1e7), rel=1e-6)


def test_a_shrinking_figure_is_not_extrapolated_below_zero() -> None:
    points = [Point(10, 3.0), Point(20, 2.0), Point(40, 1.0)]
    result = fit(points, 1_000_000)
    assert result.model == "constant" and result.estimate == pytest.approx(2.0)


def test_the_left_out_error_is_the_miss_on_the_largest_sample() -> None:
    # A line through the two smaller samples (1 s at 100, 2 s at 200) predicts 4 s at 400; it was 5 s
    # (n log n misses by a little less, within the resolution: the simpler model stands).
    result = fit([Point(100, 1.0), Point(200, 2.0), Point(400, 5.0)], 1000, resolution=0.5)
    assert result.model == "linear"
    assert result.left_out_error == pytest.approx(0.2)
    assert result.r2 is not None and 0.9 < result.r2 < 1.0


def test_a_fit_needs_three_distinct_sizes() -> None:
    with pytest.raises(ValueError, match="3 or more distinct sizes"):
        fit([Point(100, 1.0), Point(100, 1.1), Point(200, 2.0)], 1000)


def test_default_sample_sizes_double_up_to_the_largest_the_machine_takes() -> None:
    assert sample_sizes(100_000_000, 200_000) == [50_000, 100_000, 200_000]
    assert sample_sizes(100_000, 200_000) == [12_500, 25_000, 50_000]


def _rehearsed(blocking: list[float], production: int) -> Revision:
    """A revision rehearsed at 50k/100k/200k rows, blocking the traffic as given at each."""
    samples = [SampleFigures(rows=n, blocking_s=b, writes_blocked_s=b, duration_s=b + 0.05)
               for n, b in zip((50_000, 100_000, 200_000), blocking, strict=True)]
    measures = Measures(strongest_lock="AccessExclusiveLock on public.audit_log", blocking_s=blocking[-1],
                        writes_blocked_s=blocking[-1], blocking_basis="traffic")
    return Revision(id="0002a", description="widen ids", status="ok", duration_s=blocking[-1] + 0.05,
                    measures=measures, estimate=estimate(samples, production))


def test_an_estimate_over_the_lock_budget_is_a_divergence_that_says_it_is_an_estimate() -> None:
    target_profile = Profile.model_validate({
        "database": {"version": "15"}, "migrations": {"command": ["alembic", "upgrade", "head"], "lock_budget": "1s"},
        "data": {"at": "0002", "rows": {"audit_log": 10_000_000}, "extrapolate": True}})
    base_profile = Profile.model_validate({"database": {"version": "15"},
                                           "migrations": {"command": ["alembic", "upgrade", "head"]}})
    # 0.1 s at 200k rows (within the budget as measured), about 5 s at 10M rows by a linear fit.
    target = _rehearsed([0.025, 0.05, 0.1], 10_000_000)
    assert target.estimate is not None and target.estimate.blocking_s == pytest.approx(5.0, rel=0.01)
    baseline = Revision(id="0002a", description="widen ids", status="ok", duration_s=0.01,
                        measures=Measures(blocking_s=0.0, blocking_basis="traffic"))
    found, both = compare(ProfileRun(name="local", steps={"migrations": StepResult(status="ok", revisions=[baseline])}),
                          ProfileRun(name="prod", steps={"migrations": StepResult(status="ok", revisions=[target])}),
                          base_profile, target_profile)
    assert both == []
    (divergence,) = found
    assert (divergence.step, divergence.subject, divergence.cause) == ("migrations", "0002a widen ids", "data")
    assert divergence.target.startswith("estimated to block the traffic 5")
    assert "at 10,000,000 rows (linear fit of samples at 50,000/100,000/200,000 rows, R² 1.00" in divergence.target
    assert "over the lock budget (1.0s)" in divergence.target
    assert divergence.detail.startswith("an estimate at 10,000,000 rows, not a measurement")


def test_an_estimate_within_the_lock_budget_is_no_divergence() -> None:
    target = _rehearsed([0.025, 0.05, 0.1], 1_000_000)  # about 0.5 s at a million rows
    baseline = Revision(id="0002a", status="ok", measures=Measures())
    outcome = compare_runs(ProfileRun(name="local", steps={"migrations": StepResult(status="ok", revisions=[baseline])}),
                           ProfileRun(name="prod", steps={"migrations": StepResult(status="ok", revisions=[target])}),
                           budgets=Budgets(lock=1.0))
    assert outcome.divergences == [] and outcome.failures == []


def test_the_estimate_is_in_the_json_report_as_parity_wrote_it() -> None:
    revision = _rehearsed([0.025, 0.05, 0.1], 1_000_000)
    dumped = revision.model_dump(mode="json")["estimate"]
    assert set(dumped) == {"rows", "blocking_s", "writes_blocked_s", "duration_s", "fits", "samples"}
    assert dumped["fits"]["blocking_s"] == {"model": "linear", "r2": 1.0, "left_out_error": 0.0}
    assert [s["rows"] for s in dumped["samples"]] == [50_000, 100_000, 200_000]


def test_data_samples_are_validated_with_what_to_write_instead() -> None:
    rows = {"at": "0002", "rows": {"audit_log": 1_000_000}}
    with pytest.raises(ValueError, match="three or more sizes in increasing order"):
        DataSpec.model_validate(rows | {"samples": [200_000, 100_000, 50_000]})
    with pytest.raises(ValueError, match=r"below production's size \(1,000,000 rows"):
        DataSpec.model_validate(rows | {"samples": [250_000, 500_000, 1_000_000]})
    with pytest.raises(ValueError, match="a seed or a dump cannot be sampled"):
        DataSpec.model_validate({"seed": "python -m seed", "extrapolate": True})
    spec = DataSpec.model_validate({"at": "1", "rows": {"events": 1_000_000, "users": 10_000}, "extrapolate": True})
    assert spec.sample_rows(100_000) == {"events": 100_000, "users": 1_000}


def test_production_fits_when_three_copies_of_it_fit_the_free_disk() -> None:
    from parity.data.samples import fits
    assert fits(10 * 2**30, 30 * 2**30) and not fits(10 * 2**30, 29 * 2**30)
    assert fits(10 * 2**40, None)  # free space unknown: fill as asked, as before


def test_one_noisy_small_sample_does_not_make_a_growing_figure_constant() -> None:
    # Measured on a loaded machine: the line through the two smaller samples overshoots the
    # largest, the mean of them undershoots it less; the figure still grew sevenfold.
    result = fit([Point(50_000, 0.074), Point(100_000, 0.442), Point(200_000, 0.569)], 1_000_000)
    assert result.model == "linear"
    assert 2.5 < result.estimate < 3.5
    assert result.left_out_error is not None and result.left_out_error > 1.0  # and the report says how far off
