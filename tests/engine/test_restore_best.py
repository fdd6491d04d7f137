"""TrainConfig.restore_best: the default keeps the best epoch and old cache keys; False keeps the last epoch."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import torch

from analysis.engine import cache, training
from analysis.sae.models import ModelConfig


def _rows(seed: int, n: int = 40, d: int = 6) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def test_default_leaves_the_cache_record_as_before() -> None:
    config = ModelConfig(name="sae", input_dim=6, latent_dim=3)
    train_config = training.TrainConfig(epochs=3, seeds=(0,))
    record = cache.cache_record(config, train_config, 0, "data", _rows(0), _rows(1))
    assert "restore_best" not in record["training"]
    expected = asdict(train_config)
    for name in ("seeds", "device", "restore_best"):
        del expected[name]
    assert record["training"] == expected
    last = cache.cache_record(config, replace(train_config, restore_best=False), 0, "data", _rows(0), _rows(1))
    assert last["training"]["restore_best"] is False and last["key"] != record["key"]


def test_keeping_the_last_epoch_trains_every_epoch() -> None:
    config = ModelConfig(name="sae", input_dim=6, latent_dim=3)
    train_config = training.TrainConfig(epochs=4, patience=1, seeds=(0,), restore_best=False, device="cpu")
    (run,) = training.train(config, train_config, _rows(0), _rows(1), "data", cache_dir=None, progress=False)
    assert run.best_epoch == run.stopped_epoch == 4
    assert all(torch.isfinite(parameter).all() for parameter in run.model.parameters())
