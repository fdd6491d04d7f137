"""The masked autoencoder: what it may see, how it trains, what it refuses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from analysis import config
from analysis.data import CHANNELS
from analysis.gengait import training
from analysis.gengait.model import MaskedAutoencoder, ModelShape, parameter_count, reconstruct
from analysis.gengait.tokens import TokenLayout, curriculum_mask, tokenize

LAYOUT = TokenLayout(CHANNELS, 101, 10)


def model(seed: int = 0) -> MaskedAutoencoder:
    torch.manual_seed(seed)
    return MaskedAutoencoder(LAYOUT, ModelShape(d_model=16, encoder_layers=2, decoder_layers=1, heads=2, feedforward=32))


def test_outputs_at_masked_tokens_do_not_depend_on_the_masked_values(one_torch_thread):
    network = model()
    rng = np.random.default_rng(0)
    tokens = tokenize(rng.normal(size=(6, 10, 101)), LAYOUT)
    masks = curriculum_mask(6, LAYOUT, 1.0, (0.15, 0.5), 1.0, rng)
    before = reconstruct(network, tokens, masks)
    scrambled = tokens.copy()
    scrambled[masks] = rng.normal(scale=100.0, size=(int(masks.sum()), tokens.shape[2]))
    after = reconstruct(network, scrambled, masks)
    np.testing.assert_allclose(after, before, atol=1e-5)  # the whole output, masked tokens included
    # Control: changing a visible token does change the prediction at masked tokens.
    visible = np.argwhere(~masks)[0]
    scrambled[visible[0], visible[1]] += 10.0
    assert np.abs(reconstruct(network, scrambled, masks)[visible[0]][masks[visible[0]]] - before[visible[0]][masks[visible[0]]]).max() > 1e-4


def test_a_row_does_not_depend_on_its_batch(one_torch_thread):
    """Padding to the longest row must not leak between rows."""
    network = model(1)
    rng = np.random.default_rng(1)
    tokens = tokenize(rng.normal(size=(3, 10, 101)), LAYOUT)
    masks = np.zeros((3, LAYOUT.n_tokens), dtype=bool)
    masks[0, :11] = True
    masks[1, :55] = True
    masks[2, 5] = True
    together = reconstruct(network, tokens, masks)
    alone = np.concatenate([reconstruct(network, tokens[i : i + 1], masks[i : i + 1]) for i in range(3)])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_cpu_profile_has_about_a_hundred_thousand_parameters():
    settings = config.resolve_gengait("full")
    network = MaskedAutoencoder(LAYOUT, training.model_shape(settings))
    assert 5e4 <= parameter_count(network) <= 2e5
    gpu = config.resolve_gengait("gpu")
    assert (gpu.encoder_layers, gpu.decoder_layers) == (8, 2)


@pytest.mark.slow
def test_training_lowers_the_masked_error_and_is_cached(tmp_path, monkeypatch, one_torch_thread):
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path))
    rng = np.random.default_rng(3)
    stance = np.linspace(0, np.pi, 101)
    shape = np.stack([np.sin((k % 5 + 1) * stance) for k in range(10)])
    curves = shape + rng.normal(scale=0.3, size=(60, 1, 1)) * shape + rng.normal(scale=0.02, size=(60, 10, 101))
    settings = config.resolve_gengait("smoke", epochs=3)
    first = training.train(settings, CHANNELS, curves[:48], curves[48:])
    history = first.history
    assert history["validation_loss"].iloc[-1] < history["validation_loss"].iloc[0]
    again = training.train(settings, CHANNELS, curves[:48], curves[48:])
    assert again.from_cache and not first.from_cache
    for key, value in first.model.state_dict().items():
        torch.testing.assert_close(again.model.state_dict()[key], value)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="divisible by heads"):
        MaskedAutoencoder(LAYOUT, ModelShape(d_model=10, heads=4))



def test_a_row_with_everything_hidden_gets_the_unconditional_guess(one_torch_thread):
    network = model(2)
    tokens = np.random.default_rng(5).normal(size=(2, 110, 20)).astype(np.float32)
    masks = np.ones((2, 110), dtype=bool)
    out = reconstruct(network, tokens, masks)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[0], out[1], atol=1e-5)


@pytest.mark.slow
def test_speed_benchmark_prints_training_and_scoring_time(capsys, one_torch_thread):
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "gengait_speed.py"
    spec = importlib.util.spec_from_file_location("gengait_speed", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--profile", "smoke", "--trials", "40", "--score-trials", "5"]) == 0
    out = capsys.readouterr().out
    assert "s per epoch" in out and "ms per trial" in out
