"""The study's wavelet representation of stance-phase curves, and its exact inverse.

Section 3.1.1 of the study decomposes every 101-sample curve with the
Daubechies-5 wavelet at level 4 and flattens approximation and detail
coefficients into one vector: A4 (14), D4 (14), D3 (20), D2 (32), D1 (55),
135 values per curve. The inverse transform is what turns anything expressed
in coefficients (a reconstruction, a decoded latent feature) back into curves
with units, so :func:`decode` is exact to rounding error.

Two sample units are supported, because the study's text and its original
code disagree: ``"trial"`` concatenates the ten channels of a trial into one
vector of 1,350 values; ``"channel"`` treats every curve as its own sample.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pywt

from analysis.data import CHANNELS, N_SAMPLES

WAVELET = "db5"
LEVEL = 4
MODE = "symmetric"
# Coarse to fine, the order in which pywt.wavedec returns the coefficients.
BANDS: tuple[str, ...] = ("A4", "D4", "D3", "D2", "D1")
UNITS: tuple[str, ...] = ("trial", "channel")
# The single channel name of the "channel" layout: a sample is any curve.
CURVE = "curve"
# pywt's message when LEVEL exceeds dwt_max_level (3 for 101 samples and db5).
_LEVEL_TOO_HIGH = r"Level value of \d+ is too high"


@dataclass(frozen=True)
class Segment:
    """One band of one channel inside a coefficient vector: ``vector[start:stop]``."""

    channel: str
    band: str
    start: int
    stop: int


def coefficient_lengths(n_samples: int = N_SAMPLES) -> tuple[int, ...]:
    """Lengths of (A4, D4, D3, D2, D1) for a curve of ``n_samples`` values."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    filter_length = pywt.Wavelet(WAVELET).dec_len
    details: list[int] = []
    length = int(n_samples)
    for _ in range(LEVEL):
        length = pywt.dwt_coeff_len(length, filter_length, MODE)
        details.append(length)
    # details runs D1..D4; the approximation has the length of the coarsest detail.
    return (details[-1], *reversed(details))


def _curve_width() -> int:
    return sum(coefficient_lengths(N_SAMPLES))


def layout(channels: tuple[str, ...] = CHANNELS, unit: str = "trial") -> tuple[Segment, ...]:
    """Which slice of an encoded vector holds which channel and band.

    Channels follow ``channels`` (the order of the curve array), and within a
    channel the bands run A4, D4, D3, D2, D1, exactly as :func:`encode` writes
    them. For ``unit="channel"`` a vector is one curve, named ``"curve"``.
    """
    _check_unit(unit)
    names = (CURVE,) if unit == "channel" else tuple(channels)
    if not names:
        raise ValueError("layout needs at least one channel")
    segments: list[Segment] = []
    start = 0
    for name in names:
        for band, length in zip(BANDS, coefficient_lengths(N_SAMPLES)):
            segments.append(Segment(channel=name, band=band, start=start, stop=start + length))
            start += length
    return tuple(segments)


def encode(curves: np.ndarray, unit: str = "trial") -> np.ndarray:
    """Wavelet coefficients of stance curves, one row per sample.

    ``unit="trial"``: (n, n_channels, 101) → (n, n_channels * 135), channels
    concatenated in array order. ``unit="channel"``: (n, n_channels, 101) →
    (n * n_channels, 135), trial-major (all channels of trial 0 first), or
    (m, 101) → (m, 135).
    """
    _check_unit(unit)
    values = np.asarray(curves, dtype=np.float64)
    if unit == "trial" and values.ndim != 3:
        raise ValueError(
            f"curves for unit 'trial' must have shape (n_trials, n_channels, {N_SAMPLES}), "
            f"got shape {values.shape}"
        )
    if unit == "channel" and values.ndim not in (2, 3):
        raise ValueError(
            f"curves for unit 'channel' must have shape (n_curves, {N_SAMPLES}) or "
            f"(n_trials, n_channels, {N_SAMPLES}), got shape {values.shape}"
        )
    if values.shape[-1] != N_SAMPLES:
        raise ValueError(
            f"curves must have {N_SAMPLES} samples on the last axis (time-normalised stance), "
            f"got shape {values.shape}"
        )
    _check_finite(values, "curves")

    with warnings.catch_warnings():
        # The study decomposes at level 4 although dwt_max_level(101, "db5") is 3.
        # Its setting is kept so the representation is the study's; the boundary
        # effects pywt warns about do not affect exactness, since decode() inverts
        # the transform to rounding error.
        warnings.filterwarnings("ignore", message=_LEVEL_TOO_HIGH, category=UserWarning)
        bands = pywt.wavedec(values, WAVELET, mode=MODE, level=LEVEL, axis=-1)
    per_curve = np.concatenate(bands, axis=-1)
    if unit == "trial":
        return per_curve.reshape(values.shape[0], -1)
    return per_curve.reshape(-1, per_curve.shape[-1])


def decode(coefficients: np.ndarray, unit: str = "trial", n_channels: int | None = None) -> np.ndarray:
    """Curves from coefficients: the exact inverse of :func:`encode`.

    ``unit="trial"``: (n, n_channels * 135) → (n, n_channels, 101); the number
    of channels is read from the width when ``n_channels`` is ``None``.
    ``unit="channel"``: (m, 135) → (m, 101), or (m / n_channels, n_channels, 101)
    when ``n_channels`` is given.
    """
    _check_unit(unit)
    values = np.asarray(coefficients, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"coefficients must be a 2-D array (n_samples, n_coefficients), got shape {values.shape}")
    width = _curve_width()
    if n_channels is not None and (
        isinstance(n_channels, bool) or not isinstance(n_channels, (int, np.integer)) or n_channels < 1
    ):
        raise ValueError(f"n_channels must be a positive integer or None, got {n_channels!r}")
    _check_finite(values, "coefficients")

    if unit == "trial":
        if values.shape[1] % width != 0 or values.shape[1] == 0:
            raise ValueError(
                f"coefficients for unit 'trial' must have a multiple of {width} columns "
                f"(one block per channel), got {values.shape[1]}"
            )
        channel_count = values.shape[1] // width
        if n_channels is not None and channel_count != n_channels:
            raise ValueError(
                f"coefficients have {values.shape[1]} columns = {channel_count} channels "
                f"of {width}, but n_channels={n_channels}"
            )
        per_curve = values.reshape(values.shape[0], channel_count, width)
    else:
        if values.shape[1] != width:
            raise ValueError(f"coefficients for unit 'channel' must have {width} columns, got {values.shape[1]}")
        if n_channels is not None and values.shape[0] % n_channels != 0:
            raise ValueError(
                f"{values.shape[0]} curves cannot be grouped into trials of n_channels={n_channels}"
            )
        per_curve = values

    boundaries = np.cumsum(coefficient_lengths(N_SAMPLES))[:-1]
    bands = np.split(per_curve, boundaries, axis=-1)
    # waverec returns 102 samples for an odd-length 101-sample signal; the
    # extra sample lies outside the original support and is dropped.
    curves = pywt.waverec(bands, WAVELET, mode=MODE, axis=-1)[..., :N_SAMPLES]
    if unit == "channel" and n_channels is not None:
        return curves.reshape(-1, n_channels, N_SAMPLES)
    return curves


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")


def _check_finite(values: np.ndarray, name: str) -> None:
    finite = np.isfinite(values)
    if not finite.all():
        first = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} contain non-finite values (first at index {first}: {values[first]})")
