"""Simpler channel scores the masked autoencoder must beat, on the same standardised curves.

Each baseline is fitted on the training subjects' healthy trials and gives
every channel of a trial a non-negative score; the chapter calibrates every
method the same way (log score, z against validation normals, one
trial-level threshold), so AUROC, hit rate and false-flag rate compare like
with like.

* ``band``: share of samples outside the healthy mean ± 2 SD (GenGait's
  normative band);
* ``symmetry``: the left–right difference of a component, z-scored per
  sample against healthy differences (mean z²); both sides of a pair get the
  same score, so a symmetry index cannot say which side is abnormal;
* ``pca``: residual per channel after projecting the whole trial on the
  leading principal components of healthy trials;
* ``ridge``: each channel predicted from the other nine by ridge regression
  (the linear counterpart of occluding a channel), residual per channel;
* a reconstruction residual of any model (the study's SAE, via a callable).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge

BAND_WIDTH = 2.0


@dataclass
class ChannelScorer:
    """A fitted baseline: ``score(standardised curves (n, C, S)) -> (n, C)``; fit time recorded."""

    name: str
    label: str
    score: Callable[[np.ndarray], np.ndarray]
    fit_seconds: float = 0.0
    details: dict = field(default_factory=dict)


def _matrix(curves: np.ndarray) -> np.ndarray:
    values = np.asarray(curves, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(f"curves must be (trials, channels, samples), got shape {values.shape}")
    return values


def band(train: np.ndarray) -> ChannelScorer:
    started = time.perf_counter()
    values = _matrix(train)
    mean, sd = values.mean(axis=0), values.std(axis=0)
    sd = np.where(sd > 0, sd, np.inf)  # a constant sample (COP_AP at contact) is never outside

    def score(curves: np.ndarray) -> np.ndarray:
        outside = np.abs(_matrix(curves) - mean) > BAND_WIDTH * sd
        return outside.mean(axis=2) + 0.5 / values.shape[2]  # half a sample keeps the log finite

    return ChannelScorer("band", "population ±2 SD band", score, time.perf_counter() - started)


def symmetry(train: np.ndarray, partner: np.ndarray) -> ChannelScorer:
    started = time.perf_counter()
    values = _matrix(train)
    difference = values - values[:, partner]
    mean, sd = difference.mean(axis=0), difference.std(axis=0)
    sd = np.where(sd > 0, sd, np.inf)

    def score(curves: np.ndarray) -> np.ndarray:
        data = _matrix(curves)
        return ((((data - data[:, partner]) - mean) / sd) ** 2).mean(axis=2)

    return ChannelScorer("symmetry", "contralateral symmetry", score, time.perf_counter() - started)


def pca(train: np.ndarray, components: int, seed: int = 0) -> ChannelScorer:
    started = time.perf_counter()
    values = _matrix(train)
    n, channels, samples = values.shape
    components = min(components, n - 1, channels * samples)
    model = PCA(n_components=components, random_state=seed).fit(values.reshape(n, -1))

    def score(curves: np.ndarray) -> np.ndarray:
        data = _matrix(curves)
        flat = data.reshape(data.shape[0], -1)
        residual = flat - model.inverse_transform(model.transform(flat))
        return (residual.reshape(data.shape) ** 2).mean(axis=2)

    label = f"PCA-{components} residual"
    return ChannelScorer("pca", label, score, time.perf_counter() - started, {"components": components})


def leave_one_channel_out(train: np.ndarray, alpha: float) -> ChannelScorer:
    started = time.perf_counter()
    values = _matrix(train)
    n, channels, samples = values.shape
    models = []
    for channel in range(channels):
        others = np.delete(values, channel, axis=1).reshape(n, -1)
        models.append(Ridge(alpha=alpha).fit(others, values[:, channel]))

    def predict(curves: np.ndarray) -> np.ndarray:
        data = _matrix(curves)
        return np.stack([model.predict(np.delete(data, channel, axis=1).reshape(data.shape[0], -1))
                         for channel, model in enumerate(models)], axis=1)  # fmt: skip

    def score(curves: np.ndarray) -> np.ndarray:
        return ((_matrix(curves) - predict(curves)) ** 2).mean(axis=2)

    scorer = ChannelScorer("ridge", "leave-one-channel-out ridge", score, time.perf_counter() - started, {"alpha": alpha})
    scorer.details["predict"] = predict
    return scorer


def reconstruction(name: str, label: str, reconstruct: Callable[[np.ndarray], np.ndarray]) -> ChannelScorer:
    """Residual per channel of any model that reconstructs standardised curves (e.g. the study's SAE)."""

    def score(curves: np.ndarray) -> np.ndarray:
        data = _matrix(curves)
        return ((data - reconstruct(data)) ** 2).mean(axis=2)

    return ChannelScorer(name, label, score)
