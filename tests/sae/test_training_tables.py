"""Loss-weight table read from the models, per-seed training record, summaries and claim C1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.engine import training
from analysis.sae import study as gait
from analysis.sae.claims import FAILS, HOLDS, UNTESTABLE
from analysis.sae.models import DEFAULT_DISENTANGLEMENT_WEIGHT, DEFAULT_SPARSITY_WEIGHT
from analysis.sae.training_tables import (
    beta_comparison,
    claim_c1,
    largest_validation_kl,
    loss_weight_table,
    model_mse,
    training_record,
    training_summary,
)


def test_loss_weights_come_from_the_models() -> None:
    settings = config.resolve("smoke", model_options={"sae": {"l1_weight": 0.5}})
    configs = {name: gait.model_config(settings, name, 1350) for name in settings.models}
    table = loss_weight_table(configs).set_index("parameter")
    assert list(table.columns) == ["meaning", "SAE", "SAE + disentanglement", "Sparse VAE"]
    assert table.loc["λ₁", "SAE"] == f"{DEFAULT_SPARSITY_WEIGHT:g}"
    assert table.loc["λ₂", "SAE"] == "0.5"  # the override, not the default
    assert table.loc["λ₃", "SAE"] == "–"
    assert table.loc["λ₃", "SAE + disentanglement"] == f"{DEFAULT_DISENTANGLEMENT_WEIGHT:g}"
    assert table.loc["β", "Sparse VAE"] == "1/1350 = 0.00074"  # the per-coefficient ELBO's weight
    assert table.loc["ρ", "Sparse VAE"] == "–" and table.loc["β", "SAE"] == "–"
    assert table.loc["ρ", "SAE"] == "0.05"


@pytest.fixture
def trained(gutenberg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[gait.Study, dict]:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path / "cache"))
    settings = config.resolve("smoke", epochs=2, latent_dim=3, device="cpu")
    study = gait.prepare(settings, data_dir=str(gutenberg_dir))
    return study, gait.train_all(study, progress=False)


def test_training_record_has_one_row_per_model_and_seed(trained: tuple[gait.Study, dict]) -> None:
    study, runs = trained
    record = training_record(runs, study)
    assert list(zip(record["model"], record["seed"])) == [(m, s) for m in config.MODEL_NAMES for s in (0, 1)]
    first = runs["sae"][0]
    assert record.loc[0, "mse"] == pytest.approx(training.evaluate(first, study.inputs("test"))["mse"])
    assert (record["stopped_epoch"] <= 2).all() and (record["best_epoch"] >= 1).all()
    # The calibration sweep already trained its seeds of the calibrated models at the chosen weight.
    reused = [(m, s) for m, s in zip(record["model"], record["seed"]) if m in ("sae", "sae_disentangled") and s == 0]
    assert list(zip(record.loc[record["from_cache"], "model"], record.loc[record["from_cache"], "seed"])) == reused
    again = training_record(gait.train_all(study, progress=False), study)
    assert again["from_cache"].all()
    pd.testing.assert_series_equal(again["mse"], record["mse"])


def record_of(mse: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for model, values in mse.items():
        for seed, value in enumerate(values):
            rows.append(
                {"model": model, "seed": seed, "mse": value, "fve": 1 - value, "best_epoch": 10 + seed,
                 "stopped_epoch": 20 + seed, "seconds": 5.0 + seed, "device": "cpu (2 threads)", "from_cache": seed == 0}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_summary_reports_mean_sd_epochs_and_run_time() -> None:
    summary = training_summary(record_of({"sae": [0.10, 0.12]}), max_epochs=100).iloc[0]
    assert summary["model"] == "SAE"
    assert summary["test MSE"] == "0.110 ± 0.014"
    assert summary["test FVE"] == "0.890 ± 0.014"
    assert summary["best epoch per seed"] == "10, 11"
    assert summary["stopped at epoch (of 100)"] == "20, 21"
    assert summary["wall time (s)"] == "6.0"
    assert summary["weights"] == "trained in this run"


def test_claim_c1_checks() -> None:
    holds = claim_c1(record_of({"sae": [0.09], "sae_disentangled": [0.10], "svae": [0.11]}))
    assert list(holds["verdict"]) == [HOLDS, HOLDS, HOLDS]
    fails = claim_c1(record_of({"sae": [0.30], "sae_disentangled": [0.10], "svae": [0.11]}))
    assert list(fails["verdict"]) == [FAILS, FAILS, FAILS]
    assert fails.loc[1, "this build"] == "lowest: SAE + disentanglement"
    partial = claim_c1(record_of({"sae": [0.09]}))
    assert list(partial["verdict"]) == [HOLDS, UNTESTABLE, UNTESTABLE]
    assert partial.loc[2, "this build"] == "needs all three models"
    assert model_mse(record_of({"sae": [0.09, 0.11]}))["sae"] == pytest.approx(0.10)


def test_beta_comparison_counts_collapsed_runs_by_the_rule(trained: tuple[gait.Study, dict]) -> None:
    study, runs = trained
    record = training_record({"svae": runs["svae"]}, study)
    table = beta_comparison({"svae": runs["svae"]}, record, {"svae": "main"}, collapse_fve=float(record["fve"].max()) + 1.0)
    row = table.iloc[0]
    assert row["variant"] == "main" and row["collapsed runs"] == f"{len(runs['svae'])} of {len(runs['svae'])}"
    assert row["β"].startswith(f"1/{study.features.train.shape[1]} = ")
    none_collapsed = beta_comparison({"svae": runs["svae"]}, record, {}, collapse_fve=float(record["fve"].min()) - 1.0)
    assert none_collapsed.iloc[0]["collapsed runs"] == f"0 of {len(runs['svae'])}"
    assert float(row["largest validation KL"]) == pytest.approx(max(largest_validation_kl(run) for run in runs["svae"]), rel=1e-2)
    assert np.isnan(largest_validation_kl(runs["sae"][0]))
