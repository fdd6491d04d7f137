"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from analysis.data import N_SAMPLES  # noqa: E402
from analysis.features import figures as feature_figures  # noqa: E402

from figure_inputs import BAND_LENGTHS, Segment, codes, curves, layout, no_pyplot_figures_left, render, trials  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


def test_wavelet_example() -> None:
    curve = np.sin(np.linspace(0, np.pi, N_SAMPLES))
    coefficients = {band: np.random.default_rng(3).normal(size=length) for band, length in BAND_LENGTHS.items()}
    figure = render(feature_figures.wavelet_example(curve, coefficients, curve + 1e-3, channel="F_V_left", unit="BW"))
    assert len(figure.axes) == 1 + 5
    with pytest.raises(ValueError, match="curve has 101 samples but reconstruction has 100"):
        feature_figures.wavelet_example(curve, coefficients, curve[:-1])
