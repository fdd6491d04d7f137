"""Baselines and metrics on cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.gaitdynamics import baselines, metrics
from analysis.gaitdynamics.curves import assemble, split_trials, Scaling


def _linear_pair(n: int, seed: int) -> np.ndarray:
    """Two channels of 20 samples, the second exactly twice the first."""
    rng = np.random.default_rng(seed)
    first = rng.standard_normal((n, 1, 1)) * np.linspace(0, 1, 20) + rng.standard_normal((n, 1, 1))
    return np.concatenate([first, 2 * first], axis=1)


def test_ridge_and_gaussian_conditioning_recover_a_linear_tie() -> None:
    train, test = _linear_pair(300, 0), _linear_pair(20, 1)
    pattern = np.array([[True] * 20, [False] * 20])
    truth = test[:, 1]
    assert np.abs(baselines.ridge(train, test, pattern) - truth).max() < 0.05
    assert np.abs(baselines.gaussian_conditioning(train, test, pattern) - truth).max() < 0.05
    mean = baselines.population_mean(train, test, pattern)
    assert np.allclose(mean, train[:, 1].mean(axis=0))


def test_interpolation_is_exact_for_straight_lines_and_fill_keeps_known_entries() -> None:
    line = np.tile(np.linspace(0, 1, 20), (3, 2, 1))
    pattern = np.ones((2, 20), dtype=bool)
    pattern[:, 5:9] = False
    predicted = baselines.interpolation(line, line, pattern)
    assert np.allclose(predicted, line[:, ~pattern])
    filled = baselines.fill(line, np.zeros_like(line), pattern, predicted)
    assert np.allclose(filled[:, ~pattern], line[:, ~pattern]) and (filled[:, pattern] == 0).all()


def test_nothing_unknown_is_refused() -> None:
    with pytest.raises(ValueError, match="leaves nothing unknown"):
        baselines.ridge(np.zeros((3, 1, 4)), np.zeros((1, 1, 4)), np.ones((1, 4), dtype=bool))


def test_crps_of_a_point_mass_is_the_absolute_error_and_coverage_is_nominal() -> None:
    truth = np.zeros((2, 10, 101))
    unknown = np.ones_like(truth, dtype=bool)
    point = np.full((4, 2, 10, 101), 0.5)
    assert np.allclose(metrics.crps(point, truth, unknown), 0.5)
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((6, 50, 10, 101))
    coverage = np.nanmean(metrics.range_coverage(draws, rng.standard_normal((50, 10, 101)), np.ones((50, 10, 101), dtype=bool)))
    assert abs(coverage - metrics.nominal_coverage(6)) < 0.01
    narrow = np.nanmean(metrics.range_coverage(metrics.shrunk(draws), rng.standard_normal((50, 10, 101)), np.ones((50, 10, 101), dtype=bool)))
    assert narrow < coverage - 0.2  # the control has teeth


def test_subject_bootstrap_averages_subjects_not_trials() -> None:
    values = np.array([1.0, 1.0, 1.0, 5.0])
    mean, low, high = metrics.subject_bootstrap(values, np.array([1, 1, 1, 2]), n_bootstrap=200)
    assert mean == 3.0 and low <= mean <= high


def test_scaling_round_trip_and_split_holds_a_dataset_out() -> None:
    rng = np.random.default_rng(0)
    curves = rng.standard_normal((12, 10, 101))
    metadata = rng.standard_normal((12, 5))
    metadata[0, 0] = np.nan
    trials, available = assemble(curves, metadata)
    assert not available[0, 10].any() and available[1, 10].all()
    scaling = Scaling.fit(trials, available)
    assert np.allclose(scaling.inverse(scaling.transform(trials)), trials)
    table = pd.DataFrame({"SUBJECT_ID": np.repeat(np.arange(6), 2), "DATASET_ID": [1] * 8 + [2] * 4})
    split = split_trials(table, seed=0, held_out_dataset=2)
    assert set(split.held_out) == set(range(8, 12))
    assert not set(split.train) & set(split.held_out)
    with pytest.raises(ValueError, match="held_out_dataset 3 is not a DATASET_ID"):
        split_trials(table, seed=0, held_out_dataset=3)
