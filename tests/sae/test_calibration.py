"""Sparsity calibration: the written rule on hand-made sweeps, and on a tiny problem end to end."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.engine import training
from analysis.evaluation import code_measures
from analysis.sae import calibration
from analysis.sae.calibration import NOT_WORKING, OFF_TARGET, ON_TARGET, TARGET_RATE, TARGET_TOLERANCE, WORKING_FVE
from analysis.sae.models import ModelConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def sweep(points: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    """Two seeds per (family, weight, rate, fve), the seeds' values spread ±0.002 around the given ones."""
    rows = []
    for family, weight, rate, fve in points:
        for seed, shift in ((0, -0.002), (1, 0.002)):
            rows.append(
                {"family": family, "weight": weight, "seed": seed, "activation_rate": rate + shift, "l0_share": rate,
                 "fve": fve + shift, "best_epoch": 5, "stopped_epoch": 9}
            )
    return pd.DataFrame(rows)


def test_the_smallest_working_weight_on_target_is_chosen() -> None:
    table = sweep([("l1_weight", 0.1, 0.12, 0.4), ("l1_weight", 0.3, 0.058, 0.3), ("l1_weight", 0.5, 0.045, 0.2),
                   ("sparsity_weight", 0.01, 0.05, 0.3)])
    assert calibration.choose(table) == (0.3, ON_TARGET)


def test_the_tolerance_is_inclusive_and_rates_outside_it_do_not_count() -> None:
    edge = TARGET_RATE + TARGET_TOLERANCE
    assert calibration.choose(sweep([("l1_weight", 0.2, edge, 0.3), ("l1_weight", 0.4, 0.05, 0.2)])) == (0.2, ON_TARGET)
    outside = TARGET_RATE + TARGET_TOLERANCE + 0.001
    assert calibration.choose(sweep([("l1_weight", 0.2, outside, 0.3), ("l1_weight", 0.4, 0.05, 0.2)])) == (0.4, ON_TARGET)


def test_a_weight_on_target_that_does_not_work_is_passed_over() -> None:
    # 0.5 reaches the rate only by killing the model; 0.3 works and is closest, so it is chosen and flagged.
    table = sweep([("l1_weight", 0.1, 0.12, 0.4), ("l1_weight", 0.3, 0.075, 0.25), ("l1_weight", 0.5, 0.05, WORKING_FVE / 2)])
    assert calibration.choose(table) == (0.3, OFF_TARGET)


def test_the_kl_rows_are_shown_but_never_chosen() -> None:
    table = sweep([("l1_weight", 0.1, 0.2, 0.4), ("sparsity_weight", 0.004, 0.05, 0.3)])
    assert calibration.choose(table) == (0.1, OFF_TARGET)


def test_no_working_weight_keeps_the_smallest_and_says_so() -> None:
    table = sweep([("l1_weight", 0.3, 0.05, 0.0), ("l1_weight", 0.1, 0.2, 0.01)])
    assert calibration.choose(table) == (0.1, NOT_WORKING)
    with pytest.raises(ValueError, match="no L1-weight rows"):
        calibration.choose(sweep([("sparsity_weight", 0.01, 0.05, 0.3)]))


def test_summary_uses_the_mean_rate_and_the_worst_seed() -> None:
    summary = calibration.summarise(sweep([("l1_weight", 0.3, 0.05, WORKING_FVE + 0.001)])).iloc[0]
    assert summary["activation_rate"] == pytest.approx(0.05)
    assert summary["lowest_fve"] == pytest.approx(WORKING_FVE - 0.001)
    assert not summary["works"] and summary["meets_target"] and summary["n_seeds"] == 2


D, K = 40, 20


def sparse_rows(n: int, seed: int) -> np.ndarray:
    """Data made of sparse non-negative factors: about 8 % of 20 dictionary atoms per row, plus noise."""
    dictionary = np.random.default_rng(0).normal(size=(K, D))
    rng = np.random.default_rng(seed)
    codes = rng.exponential(size=(n, K)) * (rng.random((n, K)) < 0.08)
    return (codes @ dictionary + 0.1 * rng.normal(size=(n, D))).astype(np.float32)


def test_on_a_tiny_problem_the_chosen_weight_trains_to_the_target_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path))
    train, validation = sparse_rows(400, 1), sparse_rows(150, 2)
    mean, sd = train.mean(axis=0), train.std(axis=0)
    train, validation = (train - mean) / sd, (validation - mean) / sd
    base = ModelConfig(name="sae", input_dim=D, latent_dim=K)
    settings = training.TrainConfig(epochs=40, batch_size=32, learning_rate=1e-2, patience=5, seeds=(0, 1), warmup_epochs=3)
    grid = (0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0)
    result = calibration.calibrate(base, settings, train, validation, "tiny", grid, (0.01,))
    assert result.outcome == ON_TARGET and result.chosen in grid
    # The default weight is far above the target: the calibration had something to do.
    default_rate = result.summary().query("family == 'l1_weight' and weight == 0.01")["activation_rate"].item()
    assert default_rate > TARGET_RATE + 2 * TARGET_TOLERANCE
    # Trained again on its own, without the cache, the chosen weight lands within the tolerance.
    alone = training.train(replace(base, l1_weight=result.chosen), settings, train, validation, "tiny", cache_dir=None, progress=False)
    rate = np.mean([code_measures.mean_activation_rate(run.encode(validation)) for run in alone])
    assert abs(rate - TARGET_RATE) <= TARGET_TOLERANCE
    assert len(result.sweep) == 2 * (len(grid) + 1)


def test_bad_grids_are_named() -> None:
    base = ModelConfig(name="sae", input_dim=D, latent_dim=K)
    settings = training.TrainConfig(epochs=2, seeds=(0,))
    rows = sparse_rows(20, 1)
    with pytest.raises(ValueError, match="at least one L1 weight"):
        calibration.run_sweep(base, settings, rows, rows, "x", ())
    with pytest.raises(ValueError, match="finite and ≥ 0"):
        calibration.run_sweep(base, settings, rows, rows, "x", (0.1, -1.0))


def test_sweep_table_says_where_the_rule_put_each_weight() -> None:
    table = sweep([("l1_weight", 0.1, 0.12, 0.4), ("l1_weight", 0.3, 0.058, 0.3), ("l1_weight", 0.5, 0.045, 0.2),
                   ("l1_weight", 0.9, 0.04, 0.01), ("sparsity_weight", 0.01, 0.05, 0.3)])
    chosen, outcome = calibration.choose(table)
    result = calibration.Calibration(model="sae", sweep=table, chosen=chosen, outcome=outcome)
    shown = calibration.sweep_table({"sae": result})
    assert list(shown["rule"]) == ["off target", "chosen", "on target", "not working", "on target"]
    assert list(shown["weight"]) == ["λ₂ (L1)"] * 4 + ["λ₁ (KL sparsity)"]
    assert shown.loc[1, "activation rate"] == "0.058" and shown.loc[1, "FVE (lowest seed)"] == "0.300 (0.298)"
