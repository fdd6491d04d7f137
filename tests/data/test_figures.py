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


def test_shape_comparison_draws_each_source_with_its_band() -> None:
    sample = np.arange(101)
    shape = pd.DataFrame({"sample": sample, "mean": np.sin(np.pi * sample / 100), "low": 0.0, "high": 1.2})
    figure = render(data_figures.shape_comparison({"real (spm1d)": shape, "generator": shape}, {"real (spm1d)": [1.0, 1.5], "generator": [1.4]}))
    shape_axis, speed_axis = figure.axes
    assert [line.get_label() for line in shape_axis.get_lines()] == ["real (spm1d)", "generator"]
    assert [label.get_text() for label in speed_axis.get_xticklabels()] == ["real\n(spm1d)", "generator"]
    with pytest.raises(ValueError, match="no shape"):
        data_figures.shape_comparison({})


def test_legibility_check_catches_small_text() -> None:
    figure = style.new_figure(7.0, 3.0)
    figure.text(0.5, 0.5, "tiny", fontsize=5)
    with pytest.raises(ValueError, match="'tiny' would show at 5.0 pt"):
        style.check_legible(figure, "toy")
    wide = matplotlib.figure.Figure(figsize=(15, 3))
    wide.text(0.5, 0.5, "shrunk", fontsize=10)
    assert style.smallest_text(wide) == (pytest.approx(5.0), "shrunk")
