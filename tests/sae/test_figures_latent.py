"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import style  # noqa: E402
from analysis.data import CHANNEL_UNITS, CHANNELS, N_SAMPLES  # noqa: E402
from analysis.evaluation import code_measures, latent_structure
from analysis.sae import (
    figures_latent,  # noqa: E402
)

from figure_inputs import BAND_LENGTHS, Segment, codes, curves, layout, no_pyplot_figures_left, render, trials  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


def test_learning_curves() -> None:
    rows = []
    for model, terms in (("sae", ("total", "reconstruction", "sparsity")), ("svae", ("total", "reconstruction", "kl"))):
        for seed in (0, 1):
            for epoch in range(1, 6 + seed):
                for part in ("train", "validation"):
                    for term in terms:
                        rows.append((model, seed, epoch, part, term, 1.0 / epoch + 0.1 * seed))
    history = pd.DataFrame(rows, columns=["model", "seed", "epoch", "part", "term", "value"])
    figure = render(figures_latent.learning_curves(history))
    assert len(figure.axes) == 4 * 2  # union of terms x models
    assert [axis.get_title() for axis in figure.axes[:2]] == ["SAE", "Sparse VAE"]
    assert figure.axes[0].get_ylabel() == "total\n(weighted sum)"
    # Rows: total, reconstruction, sparsity, kl; a term a model lacks says so.
    blank = [any(text.get_text() == "not in this loss" for text in axis.texts) for axis in figure.axes]
    assert blank == [False, False, False, False, False, True, True, False]
    with pytest.raises(ValueError, match=r"history has no column\(s\) \['part'\]"):
        figures_latent.learning_curves(history.drop(columns="part"))


# --- figures 1 and 2 --------------------------------------------------------


def test_encoder_weights_marks_channels_and_bands() -> None:
    weights = np.random.default_rng(4).normal(size=(16, 1350))
    figure = render(figures_latent.encoder_weights(weights, layout(), title="SAE encoder"))
    assert len(figure.axes) == 2  # heatmap and colour bar
    heatmap = figure.axes[0]
    assert [label.get_text() for label in heatmap.get_xticklabels()] == list(CHANNELS)
    widths = sorted({line.get_linewidth() for line in heatmap.lines})
    assert len(heatmap.lines) == 49 and len(widths) == 2  # 9 channel and 40 band boundaries
    assert sum(line.get_linewidth() == widths[1] for line in heatmap.lines) == 9
    assert any("A4 | D4" in text.get_text() for text in heatmap.texts)
    with pytest.raises(ValueError, match="lies outside the 1000 weight columns"):
        figures_latent.encoder_weights(weights[:, :1000], layout())


def test_feature_patterns() -> None:
    patterns = np.random.default_rng(5).normal(size=(3, 10, N_SAMPLES))
    figure = render(figures_latent.feature_patterns(patterns, CHANNELS, CHANNEL_UNITS, feature_ids=[0, 4, 9]))
    assert len(figure.axes) == 3 * 5  # features x components
    assert figure.axes[0].get_title() == "vertical force (BW)"
    assert figure.axes[5].get_ylabel() == "feature 4"


def test_activation_histograms(codes: np.ndarray) -> None:
    figure = render(figures_latent.activation_histograms(codes, [0, 3, 7], title="SAE"))
    assert len(figure.axes) == 3
    assert figure.axes[2].get_title().startswith("feature 7: active 0%")
    vae = np.random.default_rng(6).normal(size=(60, 4))
    negative = render(figures_latent.activation_histograms(vae, [0, 1], threshold=0.3))
    assert len(negative.axes[0].lines) == 2  # ±threshold for real-valued codes


def test_activation_rate_distribution(codes: np.ndarray) -> None:
    rates = {"sae": code_measures.activation_rates(codes), "svae": np.random.default_rng(7).uniform(0, 0.3, 8)}
    figure = render(figures_latent.activation_rate_distribution(rates))
    assert len(figure.axes) == 1
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert labels[0] == f"SAE\nmean {rates['sae'].mean():.3f}"
    assert labels[1].startswith("Sparse VAE\nmean ")


# --- figures 3 and 4 --------------------------------------------------------


def test_tsne_panels_draw_missing_values_grey(trials: pd.DataFrame) -> None:
    embedding = np.random.default_rng(8).normal(size=(len(trials), 2))
    figure = render(figures_latent.tsne_panels(embedding, trials, title="SAE"))
    assert len(figure.axes) == 4 + 4  # panels and their colour bars
    age_panel = figure.axes[0]
    grey = matplotlib.colors.to_rgba(style.MISSING_COLOUR)
    assert tuple(age_panel.collections[0].get_facecolor()[0]) == pytest.approx(grey)
    assert [text.get_text() for text in age_panel.get_legend().get_texts()] == ["missing (5)"]
    colour_bar_labels = {axis.get_ylabel() for axis in figure.axes[4:]}
    assert "walking speed (m/s)" in colour_bar_labels and "age (years)" in colour_bar_labels


def test_tsne_panels_show_sex_as_two_colours(trials: pd.DataFrame) -> None:
    embedding = np.random.default_rng(9).normal(size=(len(trials), 2))
    figure = render(figures_latent.tsne_panels(embedding, trials, attributes=("SUBJECT_SEX",)))
    assert len(figure.axes) == 1
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == ["female", "male", "missing (5)"]


def test_cluster_plot(codes: np.ndarray, trials: pd.DataFrame) -> None:
    result = latent_structure.cluster_codes(codes, k=3, seed=0)
    figure = render(figures_latent.cluster_plot(result, trials))
    assert len(figure.axes) == 1 + 4 + 1  # scatter, four attributes, share male
    assert figure.axes[0].get_xlabel().startswith("PC1 (")


# --- figure 5 ---------------------------------------------------------------
