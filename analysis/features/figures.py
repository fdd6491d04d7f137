"""Figure of the wavelet representation: one curve, its bands, and the curve rebuilt."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from analysis.style import (
    channel_label,
    new_figure,
    palette_colour,
    stance_axis,
    styled,
)


@styled
def wavelet_example(
    curve: np.ndarray,
    coefficients_by_band: Mapping[str, np.ndarray],
    reconstruction: np.ndarray,
    channel: str | None = None,
    unit: str | None = None,
) -> Figure:
    """One curve, its wavelet coefficients band by band, and the curve rebuilt from them."""
    signal = np.asarray(curve, dtype=float).ravel()
    rebuilt = np.asarray(reconstruction, dtype=float).ravel()
    if signal.shape != rebuilt.shape:
        raise ValueError(f"curve has {signal.size} samples but reconstruction has {rebuilt.size}")
    if not coefficients_by_band:
        raise ValueError("coefficients_by_band is empty")
    bands = list(coefficients_by_band)
    figure = new_figure(max(8.0, 1.9 * len(bands)), 5.2)
    mosaic = [["curve"] * len(bands), bands]
    axes = figure.subplot_mosaic(mosaic)
    stance = stance_axis(signal.size)
    top = axes["curve"]
    top.plot(stance, signal, color=palette_colour(0), label="curve")
    top.plot(stance, rebuilt, color=palette_colour(1), linestyle="--", label="reconstruction")
    error = float(np.nanmax(np.abs(signal - rebuilt)))
    top.set_title(f"{channel_label(channel) if channel else 'curve'}: largest reconstruction error {error:.2g} {unit or ''}".rstrip())
    top.set_xlabel("stance (%)")
    top.set_ylabel(unit or "value")
    top.legend(loc="best")
    for index, band in enumerate(bands):
        coefficients = np.asarray(coefficients_by_band[band], dtype=float).ravel()
        axis = axes[band]
        positions = np.arange(coefficients.size)
        axis.vlines(positions, 0, coefficients, color=palette_colour(2 + index), linewidth=1)
        axis.plot(positions, coefficients, "o", color=palette_colour(2 + index), markersize=2.5)
        axis.axhline(0, color="0.3", linewidth=0.6)
        axis.set_title(f"{band} ({coefficients.size})")
        axis.set_xlabel("coefficient")
    axes[bands[0]].set_ylabel("coefficient value")
    return figure
