"""A tiny real study and linear stand-ins for trained models, for chapter-level helpers.

The stand-in has the interface of :class:`analysis.engine.training.TrainedModel`
that the analysis helpers use (``seed``, ``config.latent_dim``,
``config.name``, ``encode``, ``decode``) with weights chosen by the test, so
expected results can be computed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from analysis import config, data
from analysis.features.model_inputs import build_features
from analysis.sae.study import Study

from gutenberg_files import write_cohort


@dataclass
class LinearRun:
    """encode: ReLU(x Wᵀ); decode: bias + z W (a tied linear autoencoder)."""

    weight: np.ndarray  # (latent, input)
    bias: np.ndarray  # (input,)
    seed: int = 0
    name: str = "sae"
    config: SimpleNamespace = field(init=False)

    def __post_init__(self) -> None:
        self.config = SimpleNamespace(name=self.name, latent_dim=self.weight.shape[0], input_dim=self.weight.shape[1])

    def encode(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(np.asarray(x, dtype=np.float64) @ self.weight.T, 0.0).astype(np.float32)

    def decode(self, z: np.ndarray) -> np.ndarray:
        return (self.bias + np.asarray(z, dtype=np.float64) @ self.weight).astype(np.float32)


def small_study(directory: Path, n_subjects: int = 6) -> Study:
    """A real cohort of ``n_subjects`` subjects, its features and a split."""
    write_cohort(directory, n_subjects=n_subjects, sessions_per_subject=2, trials_per_session=3)
    cohort = data.load(directory)
    features = build_features(cohort, split_seed=0)
    return Study(
        settings=config.resolve("smoke"),
        source=None,
        cohort=cohort,
        features=features,
        device=torch.device("cpu"),
    )


def random_run(input_dim: int, latent_dim: int, seed: int = 0, name: str = "sae") -> LinearRun:
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((latent_dim, input_dim)) / np.sqrt(input_dim)
    bias = 0.1 * rng.standard_normal(input_dim)
    return LinearRun(weight=weight, bias=bias, seed=seed, name=name)
