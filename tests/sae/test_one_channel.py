"""The study's models on single vertical curves: subject folds and the one-channel claim rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.sae import claims, one_channel


def test_every_subject_is_tested_once_and_never_trained_on_in_its_fold() -> None:
    subjects = np.repeat(np.arange(1, 11), 6)
    folds = one_channel.subject_folds(subjects, n_folds=5, seed=3)
    assert len(folds) == 5
    tested = np.concatenate([np.unique(subjects[fold["test"]]) for fold in folds])
    assert sorted(tested) == list(range(1, 11))
    for fold in folds:
        parts = {name: set(subjects[rows]) for name, rows in fold.items()}
        assert len(parts["test"]) == 2 and len(parts["validation"]) == 2 and len(parts["train"]) == 6
        assert not (parts["train"] & parts["test"]) and not (parts["train"] & parts["validation"])
        assert not (parts["test"] & parts["validation"])
        assert sum(len(rows) for rows in fold.values()) == subjects.size


def test_subjects_are_dealt_into_nearly_equal_folds() -> None:
    folds = one_channel.subject_folds(np.arange(27), n_folds=5)
    assert sorted(len(fold["test"]) for fold in folds) == [5, 5, 5, 6, 6]
    with pytest.raises(ValueError, match="one subject per fold"):
        one_channel.subject_folds(np.arange(4), n_folds=5)


def metrics(**changes: dict[str, float]) -> pd.DataFrame:
    base = {
        "sae": dict(mean_activation_rate=0.05, bimodal_share=0.1, importance_evenness=0.95, max_pairwise_abs_r=0.4),
        "sae_disentangled": dict(mean_activation_rate=0.07, bimodal_share=0.1, importance_evenness=0.95, max_pairwise_abs_r=0.2),
        "svae": dict(mean_activation_rate=0.2, bimodal_share=0.1, importance_evenness=0.92, max_pairwise_abs_r=0.3),
    }
    rows = []
    for model, values in base.items():
        for fold in range(3):
            row = {"model": model, "fold": fold, "seed": 0, "fve": 0.5, "l0_share": 0.2,
                   "max_abs_r_WALKING_SPEED": 0.5, f"n_abs_r_above_{claims.SPEED_R_THRESHOLD}_WALKING_SPEED": 3}
            row.update({**values, **changes.get(model, {})})
            rows.append(row)
    return pd.DataFrame(rows)


def test_claim_rows_apply_the_ledgers_rules() -> None:
    assert set(one_channel.claim_rows(metrics()).values()) == {claims.HOLDS}
    changed = one_channel.claim_rows(metrics(sae={"mean_activation_rate": 0.5, "bimodal_share": 0.0}))
    assert changed["C11"] == claims.FAILS and changed["C3"] == claims.PARTLY
    table = one_channel.claim_table({"real": metrics(), "synthetic": metrics()})
    assert list(table.columns) == ["claim", "real: measured", "real: verdict", "synthetic: measured", "synthetic: verdict"]
    assert table.loc[table["claim"] == "C11", "real: measured"].item() == "SAE 0.05; SAE + disentanglement 0.07; Sparse VAE 0.20"


def test_fold_metrics_train_every_model_on_every_fold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path))
    rng = np.random.default_rng(0)
    subjects = np.repeat(np.arange(10), 6)
    speeds = 1.3 + 0.3 * rng.normal(size=subjects.size)
    t = np.linspace(0, 1, 101)
    curves = (1 + 0.3 * (speeds[:, None] - 1.3)) * np.sin(np.pi * t) + 0.05 * rng.normal(size=(subjects.size, 101))
    settings = config.resolve("smoke", latent_dim=4)
    chosen = one_channel.calibrate(curves, subjects, settings, "toy")
    assert set(chosen) == {"sae", "sae_disentangled"}
    assert all(result.chosen in settings.curve_sparsity_grid for result in chosen.values())
    weights = {name: {"l1_weight": result.chosen} for name, result in chosen.items()}
    table = one_channel.fold_metrics(curves, speeds, subjects, settings, weights, "toy")
    assert len(table) == len(settings.models) * 5 * len(settings.seeds)
    assert table["mean_activation_rate"].between(0, 1).all()
    summary = one_channel.model_summary({"toy": table})
    assert list(summary.columns) == ["source", "model", "test FVE", "activation rate", "L0"]
