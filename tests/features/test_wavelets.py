"""The db5 level-4 representation: sizes, exact inverse, layout, no leaking warnings."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import pywt

from analysis.data import CHANNELS, N_SAMPLES
from analysis.features.wavelets import (
    BANDS,
    LEVEL,
    MODE,
    WAVELET,
    Segment,
    coefficient_lengths,
    decode,
    encode,
    layout,
)

CURVE_WIDTH = 135
TRIAL_WIDTH = CURVE_WIDTH * len(CHANNELS)


def smooth_curves(n_trials: int, seed: int = 0) -> np.ndarray:
    """Stance-like curves: a few low-frequency sines with random weights."""
    rng = np.random.default_rng(seed)
    time = np.linspace(0.0, 1.0, N_SAMPLES)
    harmonics = np.stack([np.sin((k + 1) * np.pi * time) for k in range(4)])
    weights = rng.normal(size=(n_trials, len(CHANNELS), 4))
    return weights @ harmonics


def test_coefficient_lengths_are_the_studys() -> None:
    assert coefficient_lengths() == (14, 14, 20, 32, 55)
    assert sum(coefficient_lengths()) == CURVE_WIDTH


def test_coefficient_lengths_match_pywt_for_other_lengths() -> None:
    for n_samples in (64, 100, 257):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bands = pywt.wavedec(np.zeros(n_samples), WAVELET, mode=MODE, level=LEVEL)
        assert coefficient_lengths(n_samples) == tuple(band.size for band in bands)


def test_coefficient_lengths_rejects_non_positive() -> None:
    with pytest.raises(ValueError, match=re.escape("n_samples must be a positive integer, got 0")):
        coefficient_lengths(0)


def test_encode_shapes() -> None:
    curves = smooth_curves(7)
    assert encode(curves).shape == (7, TRIAL_WIDTH)
    assert encode(curves, "channel").shape == (7 * len(CHANNELS), CURVE_WIDTH)
    assert encode(curves[:, 0, :], "channel").shape == (7, CURVE_WIDTH)


def test_encode_matches_pywt_per_curve() -> None:
    curves = smooth_curves(3, seed=1)
    encoded = encode(curves)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.concatenate(pywt.wavedec(curves[2, 4], WAVELET, mode=MODE, level=LEVEL))
    np.testing.assert_array_equal(encoded[2, 4 * CURVE_WIDTH : 5 * CURVE_WIDTH], expected)


@pytest.mark.parametrize("kind", ["random", "smooth"])
def test_trial_round_trip_is_exact(kind: str) -> None:
    curves = np.random.default_rng(2).normal(size=(9, 10, N_SAMPLES)) if kind == "random" else smooth_curves(9)
    restored = decode(encode(curves, "trial"), "trial")
    assert restored.shape == curves.shape
    assert np.max(np.abs(restored - curves)) < 1e-10


@pytest.mark.parametrize("kind", ["random", "smooth"])
def test_channel_round_trip_is_exact(kind: str) -> None:
    curves = np.random.default_rng(3).normal(size=(5, 10, N_SAMPLES)) if kind == "random" else smooth_curves(5)
    coefficients = encode(curves, "channel")
    as_trials = decode(coefficients, "channel", n_channels=10)
    assert as_trials.shape == curves.shape
    assert np.max(np.abs(as_trials - curves)) < 1e-10
    as_curves = decode(coefficients, "channel")
    assert as_curves.shape == (50, N_SAMPLES)
    assert np.max(np.abs(as_curves - curves.reshape(50, N_SAMPLES))) < 1e-10


def test_single_curves_round_trip() -> None:
    curves = np.random.default_rng(4).normal(size=(6, N_SAMPLES))
    assert np.max(np.abs(decode(encode(curves, "channel"), "channel") - curves)) < 1e-10


def test_trial_decode_checks_channel_count() -> None:
    coefficients = encode(smooth_curves(2))
    assert decode(coefficients, "trial", n_channels=10).shape == (2, 10, N_SAMPLES)
    with pytest.raises(ValueError, match=re.escape("= 10 channels of 135, but n_channels=4")):
        decode(coefficients, "trial", n_channels=4)


def test_layout_covers_every_coefficient_once_in_order() -> None:
    segments = layout()
    assert len(segments) == len(CHANNELS) * len(BANDS)
    covered = np.concatenate([np.arange(segment.start, segment.stop) for segment in segments])
    np.testing.assert_array_equal(covered, np.arange(TRIAL_WIDTH))
    assert [segment.channel for segment in segments[:: len(BANDS)]] == list(CHANNELS)
    assert segments[0] == Segment(channel=CHANNELS[0], band="A4", start=0, stop=14)
    assert segments[-1] == Segment(channel=CHANNELS[-1], band="D1", start=TRIAL_WIDTH - 55, stop=TRIAL_WIDTH)


def test_channel_layout_is_one_curve() -> None:
    segments = layout(unit="channel")
    assert [segment.channel for segment in segments] == ["curve"] * 5
    assert [segment.band for segment in segments] == list(BANDS)
    assert segments[-1].stop == CURVE_WIDTH


def test_layout_bands_hold_pywt_coefficients() -> None:
    curves = smooth_curves(2, seed=5)
    encoded = encode(curves)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bands = pywt.wavedec(curves, WAVELET, mode=MODE, level=LEVEL, axis=-1)
    for segment in layout():
        channel = CHANNELS.index(segment.channel)
        np.testing.assert_array_equal(
            encoded[:, segment.start : segment.stop], bands[BANDS.index(segment.band)][:, channel]
        )


def test_bump_in_one_channel_stays_in_its_segments() -> None:
    curves = np.zeros((1, len(CHANNELS), N_SAMPLES))
    bump_channel = "F_AP_right"
    time = np.arange(N_SAMPLES)
    curves[0, CHANNELS.index(bump_channel)] = np.exp(-0.5 * ((time - 50) / 6.0) ** 2)
    encoded = encode(curves)[0]
    owned = np.zeros(TRIAL_WIDTH, dtype=bool)
    for segment in layout():
        if segment.channel == bump_channel:
            owned[segment.start : segment.stop] = True
            if segment.band == "A4":
                assert np.abs(encoded[segment.start : segment.stop]).max() > 0.1
    assert np.any(encoded != 0)
    assert np.all(encoded[~owned] == 0)


def test_no_pywt_warning_escapes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coefficients = encode(smooth_curves(2))
        decode(coefficients)
        encode(smooth_curves(1)[0], "channel")


def test_encode_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=re.escape("unit must be one of ('trial', 'channel'), got 'sample'")):
        encode(smooth_curves(1), "sample")
    with pytest.raises(ValueError, match=re.escape("must have shape (n_trials, n_channels, 101), got shape (4, 101)")):
        encode(np.zeros((4, N_SAMPLES)), "trial")
    with pytest.raises(ValueError, match=re.escape("must have 101 samples on the last axis")):
        encode(np.zeros((2, 10, 100)))
    curves = smooth_curves(2)
    curves[1, 3, 40] = np.nan
    with pytest.raises(ValueError, match=re.escape("curves contain non-finite values (first at index (1, 3, 40): nan)")):
        encode(curves)


def test_decode_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=re.escape("must have a multiple of 135 columns")):
        decode(np.zeros((2, 136)))
    with pytest.raises(ValueError, match=re.escape("for unit 'channel' must have 135 columns, got 270")):
        decode(np.zeros((2, 270)), "channel")
    with pytest.raises(ValueError, match=re.escape("7 curves cannot be grouped into trials of n_channels=10")):
        decode(np.zeros((7, 135)), "channel", n_channels=10)
    with pytest.raises(ValueError, match=re.escape("coefficients must be a 2-D array")):
        decode(np.zeros(135), "channel")
