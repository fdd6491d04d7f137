"""The two passes: occlusion scores and flags (pass 1), and the normative twin (pass 2).

Pass 1 hides one part of a trial at a time (each channel, then each channel
× stance tile), reconstructs it from the rest, and scores the part by the
log mean squared residual over its samples. Scores are z-scored per part
against the same quantity on the validation subjects' healthy trials, and a
trial's largest z is compared with one threshold: the (1 − rate) quantile
of that largest z over the validation trials. So the share of healthy
trials with any flag is calibrated to ``rate`` once for the whole trial,
not once per part (ten channels tested at 5 % each would flag about 40 %
of healthy trials). Calibration data are never test data.

A flagged channel's time window is where its residual (channel hidden)
leaves its normal band: the per-sample (1 − rate) quantile of |residual|
on the validation trials.

Pass 2 hides every flagged part at once and reconstructs it: the twin is the
input with the reconstructed values at the hidden samples, exact copies
elsewhere. A channel flagged as a whole is hidden whole; otherwise only its
flagged tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.gengait.model import reconstruct
from analysis.gengait.tokens import tokenize, untokenize
from analysis.gengait.training import TrainedAutoencoder

EPSILON = 1e-8


@dataclass(frozen=True)
class Calibration:
    """Per-score normal mean and SD (of log scores), and the trial-level threshold on the largest z."""

    mean: np.ndarray
    sd: np.ndarray
    threshold: float
    rate: float
    n_trials: int
    subjects: tuple = ()

    @classmethod
    def fit(cls, log_scores: np.ndarray, rate: float, subjects: np.ndarray | None = None) -> Calibration:
        values = np.asarray(log_scores, dtype=np.float64)
        if values.ndim != 2 or values.shape[0] < 3:
            raise ValueError(f"calibration needs at least 3 healthy validation trials (rows), got shape {values.shape}")
        if not 0 < rate < 0.5:
            raise ValueError(f"rate must be in (0, 0.5), got {rate!r}")
        mean = values.mean(axis=0)
        sd = values.std(axis=0, ddof=1)
        sd = np.where(sd > 0, sd, 1.0)
        largest = ((values - mean) / sd).max(axis=1)
        threshold = float(np.quantile(largest, 1 - rate))
        named = tuple(np.unique(subjects).tolist()) if subjects is not None else ()
        return cls(mean, sd, threshold, float(rate), values.shape[0], named)

    def z(self, log_scores: np.ndarray) -> np.ndarray:
        return (np.asarray(log_scores) - self.mean) / self.sd

    def flags(self, log_scores: np.ndarray) -> np.ndarray:
        return self.z(log_scores) > self.threshold


def log_score(squared_residual_mean: np.ndarray) -> np.ndarray:
    return np.log(np.asarray(squared_residual_mean) + EPSILON)


@dataclass(frozen=True, eq=False)
class Occlusion:
    """Pass 1 on a set of trials: the log score of every part and the residual of every hidden channel."""

    log_scores: np.ndarray  # (n, n_parts): parts in TokenLayout.parts() order
    residual: np.ndarray  # (n, channels, samples), standardised units, each channel hidden on its own


def occlude(trained: TrainedAutoencoder, curves: np.ndarray, batch_size: int = 2048) -> Occlusion:
    """Hide each part of every trial in turn and score its reconstruction."""
    layout = trained.layout
    standardised = trained.scaler.transform(curves)
    tokens = tokenize(standardised, layout)
    parts = layout.parts()
    masks = np.stack([layout.part_mask(channel, tile) for channel, tile in parts])  # (P, T)
    n, n_parts = tokens.shape[0], len(parts)
    repeated = np.repeat(tokens, n_parts, axis=0)
    all_masks = np.tile(masks, (n, 1))
    predicted = untokenize(reconstruct(trained.model, repeated, all_masks, batch_size), layout).reshape(
        n, n_parts, layout.n_channels, layout.n_samples
    )
    sample_masks = layout.sample_mask(masks)  # (P, C, S)
    squared = (predicted - standardised[:, None]) ** 2
    log_scores = log_score((squared * sample_masks).sum(axis=(2, 3)) / sample_masks.sum(axis=(1, 2)))
    channel_parts = [index for index, (_, tile) in enumerate(parts) if tile is None]
    residual = np.stack([standardised[:, c] - predicted[:, index, c] for c, index in enumerate(channel_parts)], axis=1)
    return Occlusion(log_scores, residual)


@dataclass(frozen=True)
class Detector:
    """A trained model with its calibration: what pass 1 and pass 2 need."""

    trained: TrainedAutoencoder
    calibration: Calibration
    band: np.ndarray  # (channels, samples): normal |residual| quantile
    noise_floor: float  # RMSE of a hidden channel's reconstruction on healthy validation trials (channel SDs)


def calibrate(trained: TrainedAutoencoder, validation_curves: np.ndarray, rate: float, subjects: np.ndarray | None = None) -> Detector:
    """Fit the normal scores and the threshold on healthy validation trials (never test trials)."""
    occlusion = occlude(trained, validation_curves)
    calibration = Calibration.fit(occlusion.log_scores, rate, subjects)
    band = np.quantile(np.abs(occlusion.residual), 1 - rate, axis=0)
    return Detector(trained, calibration, band, float(np.sqrt((occlusion.residual**2).mean())))


@dataclass(frozen=True, eq=False)
class Localisation:
    """Pass 1 results: per-part z, per-channel score, flags and time windows."""

    z: np.ndarray  # (n, n_parts)
    part_flags: np.ndarray  # (n, n_parts)
    channel_score: np.ndarray  # (n, channels): the largest z of the channel and its tiles
    channel_flags: np.ndarray  # (n, channels)
    windows: np.ndarray  # (n, channels, samples): flagged channel and residual outside its band


def localise(detector: Detector, curves: np.ndarray) -> Localisation:
    layout = detector.trained.layout
    occlusion = occlude(detector.trained, curves)
    z = detector.calibration.z(occlusion.log_scores)
    flags = z > detector.calibration.threshold
    owner = np.array([channel for channel, _ in layout.parts()])
    channel_score = np.stack([z[:, owner == c].max(axis=1) for c in range(layout.n_channels)], axis=1)
    channel_flags = np.stack([flags[:, owner == c].any(axis=1) for c in range(layout.n_channels)], axis=1)
    windows = channel_flags[..., None] & (np.abs(occlusion.residual) > detector.band)
    return Localisation(z, flags, channel_score, channel_flags, windows)


def hidden_tokens(detector: Detector, part_flags: np.ndarray) -> np.ndarray:
    """Token masks (n, T) of pass 2: flagged whole channels, and flagged tiles of other channels."""
    layout = detector.trained.layout
    parts = layout.parts()
    masks = np.stack([layout.part_mask(channel, tile) for channel, tile in parts])
    flags = np.asarray(part_flags, dtype=bool)
    return (flags[:, :, None] & masks[None]).any(axis=1)


def fill(trained: TrainedAutoencoder, curves: np.ndarray, token_masks: np.ndarray) -> np.ndarray:
    """The curves with every hidden token reconstructed from the visible ones; other samples are copied exactly."""
    layout = trained.layout
    values = np.asarray(curves, dtype=np.float64)
    masks = np.asarray(token_masks, dtype=bool)
    result = values.copy()
    rows = np.flatnonzero(masks.any(axis=1))
    if rows.size == 0:
        return result
    standardised = trained.scaler.transform(values[rows])
    predicted = trained.scaler.inverse(untokenize(reconstruct(trained.model, tokenize(standardised, layout), masks[rows]), layout))
    hidden = layout.sample_mask(masks[rows])
    result[rows] = np.where(hidden, predicted, values[rows])
    return result


def twin(detector: Detector, curves: np.ndarray, localisation: Localisation) -> np.ndarray:
    """Pass 2: the normative twin of every trial (the input itself where nothing was flagged)."""
    return fill(detector.trained, curves, hidden_tokens(detector, localisation.part_flags))


def channel_tokens(trained: TrainedAutoencoder, channel_mask: np.ndarray) -> np.ndarray:
    """Token masks (n, T) hiding whole channels given as a (n, channels) boolean array."""
    layout = trained.layout
    return np.repeat(np.asarray(channel_mask, dtype=bool), layout.n_patches, axis=1)
