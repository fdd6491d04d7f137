"""The TopK SAE keeps at most k codes, its hand-written gradients equal autograd's, the engine trains and caches it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from analysis.engine import training
from analysis.sae import topk


def test_encode_keeps_exactly_k_positive_codes() -> None:
    model = topk.TopKConfig(input_dim=20, latent_dim=10, k=3).build((0, 1)).double()
    with torch.no_grad():
        model.encoder_bias.fill_(5.0)  # every pre-activation positive, so exactly k survive
    codes = model.encode(torch.randn(7, 20, dtype=torch.float64))
    assert codes.shape == (2, 7, 10)
    assert ((codes != 0).sum(dim=-1) == 3).all()
    assert (codes >= 0).all()


def test_hand_written_gradients_equal_autograd() -> None:
    torch.manual_seed(0)
    model = topk.TopKConfig(input_dim=15, latent_dim=8, k=2).build((0, 1)).double()
    x = torch.randn(2, 6, 15, dtype=torch.float64)
    terms = model.loss_and_gradients(x)
    hand = [parameter.grad.clone() for parameter in model.parameters()]
    model.zero_grad(set_to_none=True)
    reference = model.autograd_loss_terms(x)
    reference["total"].sum().backward()
    for ours, theirs in zip(hand, (parameter.grad for parameter in model.parameters())):
        assert torch.allclose(ours, theirs, atol=1e-12)
        assert theirs.abs().sum() > 0  # gradients flow into every parameter
    assert torch.allclose(terms["total"], reference["total"].detach())
    x_grad = torch.autograd.grad(model.loss_terms(x.requires_grad_())["total"].sum(), x)[0]
    x_reference = torch.autograd.grad(model.autograd_loss_terms(x)["total"].sum(), x)[0]
    assert torch.allclose(x_grad, x_reference, atol=1e-12)


def test_aux_mask_picks_only_dead_latents() -> None:
    pre = torch.tensor([[[3.0, 2.0, 1.0, 0.5], [3.0, 0.1, 2.0, 0.4]]])
    main = topk.topk_mask(pre, 1)  # latent 0 fires on both rows
    extra = topk.aux_mask(pre, main, 2)
    assert (extra[..., 0] == 0).all()
    assert ((extra * main) == 0).all()
    assert (extra.sum(dim=-1) == 2).all()


def test_engine_trains_and_caches_topk(tmp_path) -> None:
    rng = np.random.default_rng(0)
    data = (rng.normal(size=(120, 4)) @ rng.normal(size=(4, 16))).astype(np.float32)
    config = topk.TopKConfig(input_dim=16, latent_dim=6, k=2)
    settings = training.TrainConfig(epochs=3, batch_size=16, seeds=(0, 1))
    first = training.train(config, settings, data[:90], data[90:], "toy", cache_dir=tmp_path, progress=False)
    again = training.train(config, settings, data[:90], data[90:], "toy", cache_dir=tmp_path, progress=False)
    assert [run.seed for run in first] == [0, 1]
    assert all(run.from_cache for run in again)
    assert np.allclose(first[0].encode(data), again[0].encode(data))
    assert ((first[0].encode(data) != 0).sum(axis=1) <= 2).all()


def test_bad_parameters_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="k must be"):
        topk.TopKConfig(input_dim=10, latent_dim=4, k=5)
    with pytest.raises(ValueError, match="k must be"):
        topk.TopKConfig(input_dim=10, latent_dim=4, k=0)
    with pytest.raises(ValueError, match="aux_weight"):
        topk.TopKConfig(input_dim=10, latent_dim=4, k=1, aux_weight=-1.0)
    with pytest.raises(ValueError, match="name"):
        topk.TopKConfig(input_dim=10, name="sae")
