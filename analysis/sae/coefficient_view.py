"""What the study's original code showed as "time-domain" feature reconstructions.

The original code decoded a one-hot latent to a vector of wavelet
coefficients, ran that vector through a wavelet decomposition followed by a
reconstruction, and plotted the result as the feature's time-domain signal.
A decomposition followed by its reconstruction is the identity, so what was
plotted is the coefficient vector itself, drawn against its index: the
coarse approximation band first (a shrunken, smoothed copy of the curve),
then the detail bands. The inverse transform from coefficients to a curve
over the stance phase was never applied. This module reproduces both
pictures for one feature so the difference can be seen side by side.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pywt
from matplotlib.figure import Figure

from analysis import style
from analysis.config import MODEL_LABELS
from analysis.data import CHANNEL_UNITS
from analysis.engine.training import TrainedModel, decode_codes
from analysis.features.wavelets import LEVEL, MODE, WAVELET
from analysis.sae.study import Study, feature_patterns

# pywt warns that level 4 exceeds the maximum useful level for short
# signals; the original code decomposed at the study's level regardless.
_LEVEL_TOO_HIGH = r"Level value of \d+ is too high"


@dataclass(frozen=True)
class CoefficientView:
    """One feature, one channel: the original code's picture and the real curve.

    ``coefficients`` are the decoded wavelet coefficients of ``channel`` (in
    the data's units, i.e. after undoing the standardisation), ``plotted``
    what the original decomposition-then-reconstruction returned for them,
    ``curve`` the exact inverse transform of the same decoded vector and
    ``baseline`` that of the all-zero code. ``bands`` lists (band, start,
    stop) within ``coefficients``.
    """

    model: str
    seed: int
    feature: int
    channel: str
    unit: str
    coefficients: np.ndarray
    plotted: np.ndarray
    curve: np.ndarray
    baseline: np.ndarray
    bands: tuple[tuple[str, int, int], ...]

    @property
    def round_trip_error(self) -> float:
        """Largest |plotted − coefficients|: how exactly the original step returned its input."""
        return float(np.max(np.abs(self.plotted - self.coefficients)))


def decompose_and_reconstruct(vector: np.ndarray) -> np.ndarray:
    """The original code's step: wavelet decomposition, then reconstruction, of a 1-D vector."""
    values = np.asarray(vector, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"vector must be 1-D with at least 2 values, got shape {values.shape}")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_LEVEL_TOO_HIGH, category=UserWarning)
        bands = pywt.wavedec(values, WAVELET, mode=MODE, level=LEVEL)
    # The reconstruction of an odd-length signal has one extra sample.
    return pywt.waverec(bands, WAVELET, mode=MODE)[: values.size]


def coefficient_view(
    run: TrainedModel,
    study: Study,
    feature: int,
    channel: str,
    magnitude: float | None = None,
) -> CoefficientView:
    """Decode ``feature`` alone and compare the original picture with the inverse transform.

    ``magnitude`` defaults to the feature's 95th-percentile |activation| on
    the training set, as in ``study.feature_patterns``.
    """
    channels = list(study.features.channels)
    if channel not in channels:
        raise ValueError(f"unknown channel {channel!r}; choose one of {channels}")
    latent_dim = run.config.latent_dim
    if not 0 <= feature < latent_dim:
        raise ValueError(f"feature {feature} out of range for {latent_dim} features")
    if study.features.unit != "trial":
        raise ValueError(f"the feature set must have one row per trial, got unit {study.features.unit!r}")
    if magnitude is None:
        magnitude = float(np.percentile(np.abs(run.encode(study.features.train)[:, feature]), 95))
    one_hot = np.zeros((1, latent_dim), dtype=np.float32)
    one_hot[0, feature] = magnitude
    coefficients = study.features.standardizer.inverse_transform(decode_codes(run, one_hot))[0]
    segments = [segment for segment in study.features.layout if segment.channel == channel]
    start, stop = segments[0].start, segments[-1].stop
    channel_coefficients = np.asarray(coefficients[start:stop], dtype=float)
    patterns, baseline = feature_patterns(run, study, [feature], magnitude=np.array([magnitude]))
    index = channels.index(channel)
    return CoefficientView(
        model=run.config.name,
        seed=int(run.seed),
        feature=int(feature),
        channel=channel,
        unit=CHANNEL_UNITS.get(channel, ""),
        coefficients=channel_coefficients,
        plotted=decompose_and_reconstruct(channel_coefficients),
        curve=patterns[0, index],
        baseline=baseline[index],
        bands=tuple((segment.band, segment.start - start, segment.stop - start) for segment in segments),
    )


def comparison_figure(view: CoefficientView) -> Figure:
    """Left: what the original code plotted (coefficients against index). Right: the real curve."""
    with mpl.rc_context(style.style_rc()):
        figure = Figure(figsize=(10, 3.6), layout="constrained")
        left, right = figure.subplots(1, 2)
        positions = np.arange(view.plotted.size)
        for number, (band, start, stop) in enumerate(view.bands):
            if number % 2 == 0:
                left.axvspan(start - 0.5, stop - 0.5, color="0.92", linewidth=0)
            left.text((start + stop - 1) / 2, 1.0, band, transform=left.get_xaxis_transform(), ha="center", va="bottom", fontsize="small")
        left.plot(positions, view.plotted, color=style.PALETTE[3], linewidth=1.2)
        left.axhline(0, color="0.3", linewidth=0.6)
        left.set_xlim(-0.5, view.plotted.size - 0.5)
        left.set_xlabel("position in the coefficient vector (drawn as if it were time)")
        left.set_ylabel("coefficient value")
        left.set_title("Original pipeline: decomposition + reconstruction", pad=16)
        stance = np.linspace(0, 100, view.curve.size)
        right.plot(stance, view.baseline, color="black", linestyle="--", linewidth=1.2, label="all features off")
        right.plot(stance, view.curve, color=style.PALETTE[0], linewidth=1.8, label=f"feature {view.feature} on")
        right.set_xlabel("stance (%)")
        right.set_ylabel(view.unit or "value")
        right.set_title("Exact inverse wavelet transform", pad=16)
        right.legend(loc="best")
        figure.suptitle(f"{MODEL_LABELS.get(view.model, view.model)}, seed {view.seed}, feature {view.feature}: {view.channel}")
    return figure
