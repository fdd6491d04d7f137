"""Errors in the units a biomechanist reads (% BW, mm), sample-based CRPS and interval coverage, subject bootstraps.

The range of ``n`` exchangeable samples covers a further draw from the same
distribution with probability ``(n - 1) / (n + 1)``: that is the nominal
coverage of the sample range used here, exact for any ``n``, so the check
needs no interpolated quantiles of a handful of samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import CHANNELS
from analysis.gaitdynamics.curves import REPORT_FACTOR, Scaling


def to_report_units(scaled_curves: np.ndarray, scaling: Scaling) -> np.ndarray:
    """``(..., 10, 101)`` scaled curves → % BW (forces) and mm (COP)."""
    centre, scale = scaling.centre[: len(CHANNELS)], scaling.scale[: len(CHANNELS)]
    factor = np.array([REPORT_FACTOR[channel] for channel in CHANNELS])[:, None]
    return (scaled_curves * scale + centre) * factor


def channel_errors(predicted: np.ndarray, truth: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Mean absolute error per trial and channel over the unknown samples, ``(n, 10)`` (NaN where nothing is unknown)."""
    errors = np.abs(predicted - truth)
    counts = unknown.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, (errors * unknown).sum(axis=-1) / np.maximum(counts, 1), np.nan)


def crps(samples: np.ndarray, truth: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Sample CRPS per trial and channel, ``(n, 10)``: mean |X - y| - ½ mean |X - X'| over the unknown samples."""
    spread = np.abs(samples[:, None] - samples[None, :]).mean(axis=(0, 1))
    score = np.abs(samples - truth[None]).mean(axis=0) - 0.5 * spread
    return channel_errors(score, np.zeros_like(score), unknown)


def range_coverage(samples: np.ndarray, truth: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Share of unknown entries inside the range of the samples, per trial and channel."""
    inside = ((truth >= samples.min(axis=0)) & (truth <= samples.max(axis=0))).astype(float)
    return channel_errors(inside, np.zeros_like(inside), unknown)


def nominal_coverage(n_samples: int) -> float:
    return (n_samples - 1) / (n_samples + 1)


def shrunk(samples: np.ndarray, factor: float = 0.5) -> np.ndarray:
    """Samples pulled towards their mean: an overconfident sampler, the control for the coverage check."""
    mean = samples.mean(axis=0, keepdims=True)
    return mean + factor * (samples - mean)


def subject_bootstrap(values: np.ndarray, subjects: np.ndarray, n_bootstrap: int, seed: int = 0) -> tuple[float, float, float]:
    """Mean of per-subject means and its 95 % percentile interval over resampled subjects."""
    frame = pd.DataFrame({"subject": subjects, "value": values}).dropna()
    per_subject = frame.groupby("subject")["value"].mean().to_numpy()
    if per_subject.size == 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    draws = per_subject[rng.integers(0, per_subject.size, size=(n_bootstrap, per_subject.size))].mean(axis=1)
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(per_subject.mean()), float(low), float(high)


def format_interval(mean: float, low: float, high: float, digits: int = 2) -> str:
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
