"""The Sparse VAE works at its default β and collapses at the study's literal β = 1 (the control)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.engine import training
from analysis.sae.models import STUDY_KL_WEIGHT, ModelConfig, SparseVAE, per_coefficient_kl_weight

D, K = 60, 16
FVE_FLOOR = 0.9  # a working model explains most of five-factor data
COLLAPSED_BELOW = 0.1  # a collapsed one explains almost none of it
KL_BOUND = 50.0  # validation KL per sample never spikes above this on standardised data


def low_rank_parts(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised rows driven by five latent factors plus a little noise."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(5, D))

    def rows(n: int) -> np.ndarray:
        values = rng.normal(size=(n, 5)) @ basis + 0.1 * rng.normal(size=(n, D))
        return ((values - values.mean(0)) / values.std(0)).astype(np.float32)

    return rows(1200), rows(300), rows(300)


def fit(kl_weight: float | None) -> tuple[list[training.TrainedModel], np.ndarray]:
    train, validation, test = low_rank_parts()
    config = ModelConfig("svae", input_dim=D, latent_dim=K, kl_weight=kl_weight)
    settings = training.TrainConfig(epochs=30, patience=5, seeds=(0, 1))
    return training.train(config, settings, train, validation, "low-rank", cache_dir=None, progress=False), test


def test_default_beta_is_the_per_coefficient_elbo_weight() -> None:
    assert ModelConfig("svae", input_dim=1350).kl_weight == per_coefficient_kl_weight(1350) == 1 / 1350
    assert SparseVAE(1350, 4).kl_weight == 1 / 1350
    assert ModelConfig("svae", input_dim=1350, kl_weight=STUDY_KL_WEIGHT).kl_weight == 1.0


@pytest.mark.usefixtures("one_torch_thread")
def test_default_beta_learns_and_keeps_the_kl_term_bounded() -> None:
    runs, test = fit(None)
    for run in runs:
        assert training.evaluate(run, test)["fve"] >= FVE_FLOOR
        history = run.history
        kl = history[(history["part"] == "validation") & (history["term"] == "vae_kl")]["value"]
        assert kl.max() <= KL_BOUND


@pytest.mark.usefixtures("one_torch_thread")
def test_the_studys_literal_beta_collapses_on_the_same_data() -> None:
    runs, test = fit(STUDY_KL_WEIGHT)
    for run in runs:
        assert training.evaluate(run, test)["fve"] < COLLAPSED_BELOW
