"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import style  # noqa: E402
from analysis.data import CHANNEL_UNITS, CHANNELS  # noqa: E402
from analysis.data import figures as data_figures  # noqa: E402

from figure_inputs import BAND_LENGTHS, Segment, codes, curves, layout, no_pyplot_figures_left, render, trials  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


def test_plot_functions_leave_global_style_alone(curves: np.ndarray) -> None:
    before = matplotlib.rcParams["axes.prop_cycle"]
    data_figures.channel_means(curves)
    assert matplotlib.rcParams["axes.prop_cycle"] == before


def test_save_figure_writes_atomically(tmp_path: Path, curves: np.ndarray) -> None:
    figure = data_figures.channel_means(curves)
    target = style.save_figure(figure, tmp_path / "figures" / "means.png")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(path.name for path in target.parent.iterdir()) == ["means.png"]
    with pytest.raises(ValueError, match="give it a suffix"):
        style.save_figure(figure, tmp_path / "means")


# --- data and models chapters -----------------------------------------------


def test_channel_means_with_and_without_groups(curves: np.ndarray, trials: pd.DataFrame) -> None:
    figure = render(data_figures.channel_means(curves, CHANNELS, CHANNEL_UNITS))
    assert len(figure.axes) == 10
    assert figure.axes[0].get_title() == "vertical force, left"
    assert figure.axes[0].get_ylabel() == "BW" and figure.axes[-1].get_ylabel() == "m"
    tertiles = pd.qcut(trials["WALKING_SPEED"], 3, labels=False).to_numpy()
    grouped = render(data_figures.channel_means(curves, CHANNELS, CHANNEL_UNITS, groups=tertiles, group_labels=["slow", "medium", "fast"]))
    assert len(grouped.axes) == 10
    assert len(grouped.axes[0].lines) == 3
    legend_texts = [text.get_text() for text in grouped.legends[0].get_texts()]
    assert legend_texts[0].startswith("slow (n = ")
    with pytest.raises(ValueError, match="group_labels has 2 entries for 3 groups"):
        data_figures.channel_means(curves, groups=tertiles, group_labels=["slow", "fast"])


def test_channel_means_tolerates_missing_samples(curves: np.ndarray) -> None:
    damaged = curves.copy()
    damaged[:, 0, 50] = np.nan  # no trial has this sample
    damaged[0, 1, :] = np.nan
    render(data_figures.channel_means(damaged))


def test_channel_means_rejects_wrong_channel_count(curves: np.ndarray) -> None:
    with pytest.raises(ValueError, match="curves has 10 channels but 2 channel names were given"):
        data_figures.channel_means(curves, channels=("a", "b"), units=("BW", "BW"))


def test_speed_distribution(trials: pd.DataFrame) -> None:
    figure = render(data_figures.speed_distribution(trials))
    assert len(figure.axes) == 2
    assert figure.axes[0].get_title() == "7 of 60 trials without speed"
