"""The diffusion machinery: schedule closed form, known entries, independence of hidden values, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from analysis import config
from analysis.data import N_SAMPLES
from analysis.gaitdynamics import diffusion
from analysis.gaitdynamics.curves import N_CURVES, N_ROWS, Scaling
from analysis.gaitdynamics.model import Denoiser


@pytest.fixture(scope="module")
def tiny_model() -> diffusion.DiffusionModel:
    """An untrained tiny denoiser: enough to test what sampling does with known and unknown entries."""
    settings = config.resolve_gaitdynamics("smoke", width=16, layers=1, heads=2, feedforward=16, sampling_steps=4, repaint_jumps=2)
    torch.manual_seed(0)
    network = Denoiser(diffusion.shape_of(settings)).eval()
    scaling = Scaling(centre=np.zeros((N_ROWS, N_SAMPLES)), scale=np.ones((N_ROWS, 1)))
    return diffusion.DiffusionModel(network, scaling, settings, seconds=0.0, losses=np.zeros(1))


def _trials(n: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, N_ROWS, N_SAMPLES)).astype(np.float32)


def test_add_noise_matches_the_closed_form() -> None:
    scheduler = diffusion.ddim_scheduler(config.resolve_gaitdynamics("smoke"))
    x0, noise = torch.randn(4, N_ROWS, N_SAMPLES), torch.randn(4, N_ROWS, N_SAMPLES)
    steps = torch.tensor([0, 10, 500, 999])
    alpha = scheduler.alphas_cumprod[steps].reshape(-1, 1, 1)
    expected = alpha.sqrt() * x0 + (1 - alpha).sqrt() * noise
    torch.testing.assert_close(scheduler.add_noise(x0, noise, steps), expected)
    # and the v-target is what the model predicts: v = sqrt(a) eps - sqrt(1 - a) x0
    torch.testing.assert_close(scheduler.get_velocity(x0, noise, steps), alpha.sqrt() * noise - (1 - alpha).sqrt() * x0)


@pytest.mark.parametrize("sampler", ["ddim", "repaint"])
def test_all_known_returns_the_input(tiny_model: diffusion.DiffusionModel, sampler: str) -> None:
    trials = _trials()
    samples = diffusion.inpaint(tiny_model, trials, np.ones_like(trials, dtype=bool), 2, seed=3, sampler=sampler)
    assert np.array_equal(samples[0], trials) and np.array_equal(samples[1], trials)


@pytest.mark.parametrize("sampler", ["ddim", "repaint"])
def test_outputs_do_not_depend_on_hidden_values(tiny_model: diffusion.DiffusionModel, sampler: str) -> None:
    trials = _trials()
    known = np.zeros_like(trials, dtype=bool)
    known[:, :4] = True
    known[:, N_CURVES:] = True
    altered = np.where(known, trials, _trials(seed=9) * 100)
    first = diffusion.inpaint(tiny_model, trials, known, 2, seed=5, sampler=sampler)
    second = diffusion.inpaint(tiny_model, altered, known, 2, seed=5, sampler=sampler)
    assert np.array_equal(first, second)
    assert np.array_equal(first[:, known], np.broadcast_to(trials[known], first[:, known].shape))


def test_inversion_does_not_depend_on_hidden_metadata(tiny_model: diffusion.DiffusionModel) -> None:
    trials = _trials()
    known = np.zeros_like(trials, dtype=bool)
    known[:, N_CURVES] = True
    altered = trials.copy()
    altered[:, N_CURVES + 1 :] = 50.0
    first = diffusion.invert(tiny_model, trials, known)
    second = diffusion.invert(tiny_model, altered, known)
    assert torch.equal(first, second)


def test_bad_arguments_name_the_value(tiny_model: diffusion.DiffusionModel) -> None:
    trials = _trials()
    known = np.ones_like(trials, dtype=bool)
    with pytest.raises(ValueError, match="n_samples must be a positive integer, got 0"):
        diffusion.inpaint(tiny_model, trials, known, 0)
    with pytest.raises(ValueError, match="'sde'"):
        diffusion.inpaint(tiny_model, trials, known, 1, sampler="sde")
    with pytest.raises(ValueError, match=r"trials must have shape \(n, 15, 101\), got \(3, 10, 101\)"):
        diffusion.inpaint(tiny_model, trials[:, :10], known[:, :10], 1)
    with pytest.raises(ValueError, match="known must have the trials' shape"):
        diffusion.inpaint(tiny_model, trials, known[:2], 1)


def test_training_masks_hide_metadata_for_classifier_free_dropout() -> None:
    available = np.ones((2000, N_ROWS, N_SAMPLES), dtype=bool)
    available[:10, N_CURVES] = False
    masks = diffusion.training_masks(available, np.random.default_rng(0), condition_dropout=0.15)
    metadata_hidden = ~masks[:, N_CURVES:, 0].any(axis=1)
    assert 0.12 < metadata_hidden.mean() < 0.2  # all metadata dropped together in ≈ 15 % of trials
    assert not masks[:10, N_CURVES].any()  # unavailable metadata is never "known"
    assert (~masks[:, :N_CURVES].any(axis=(1, 2))).mean() > 0.1  # unconditional layouts occur
