"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.data import CHANNEL_UNITS, CHANNELS  # noqa: E402
from analysis.evaluation import attribute_correlation, code_measures
from analysis.sae import (
    figures_features,  # noqa: E402
    )

from figure_inputs import BAND_LENGTHS, Segment, codes, curves, layout, no_pyplot_figures_left, render, trials  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


def test_correlation_heatmap_marks_significant_cells(codes: np.ndarray, trials: pd.DataFrame) -> None:
    signal = codes.copy()
    signal[:, 0] = trials["HEIGHT"].to_numpy()
    table = attribute_correlation.attribute_correlations(signal, trials)
    figure = render(figures_features.correlation_heatmap(table))
    assert len(figure.axes) == 2
    marks = figure.axes[0].collections[0].get_offsets()
    assert len(marks) == int((table["q"] < 0.05).sum())
    top = render(figures_features.correlation_heatmap(table, n_features=3))
    assert len(top.axes[0].get_xticklabels()) == 3
    both = pd.concat([table, table.assign(level="subject")])
    with pytest.raises(ValueError, match="exactly one level"):
        figures_features.correlation_heatmap(both)


def test_strongest_scatter_uses_the_tables_level(codes: np.ndarray, trials: pd.DataFrame) -> None:
    table = attribute_correlation.attribute_correlations(codes, trials, level="subject")
    figure = render(figures_features.strongest_scatter(codes, trials, table, "AGE", k=3))
    assert len(figure.axes) == 3
    assert len(figure.axes[0].collections[0].get_offsets()) == 11  # 12 subjects, one without age
    best = attribute_correlation.strongest_correlations(table, "AGE", 1).loc[0]
    assert figure.axes[0].get_title().startswith(f"feature {best['feature']}: r = {best['r']:.2f}")


def test_sex_difference_plot(codes: np.ndarray, trials: pd.DataFrame) -> None:
    table = attribute_correlation.sex_differences(codes, trials, n_boot=50)
    figure = render(figures_features.sex_difference_plot(table))
    assert len(figure.axes) == 1
    assert "(5 men, 6 women)" in figure.axes[0].get_title()
    shown = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert len(shown) == 7 and "7" not in shown  # the dead feature has no g


# --- figures 6 and 7 --------------------------------------------------------


@pytest.mark.parametrize("mode", ["deviation", "overlay"])
def test_feature_curves(mode: str, curves: np.ndarray) -> None:
    patterns = curves[:3]
    baseline = curves.mean(axis=0)
    figure = render(figures_features.feature_curves(patterns, baseline, CHANNELS, CHANNEL_UNITS, feature_ids=[0, 1, 2], mode=mode))
    assert len(figure.axes) == 10
    assert figure.axes[0].get_ylabel() == ("Δ BW" if mode == "deviation" else "BW")
    with pytest.raises(ValueError, match="got 2 feature ids for 3 patterns"):
        figures_features.feature_curves(patterns, baseline, feature_ids=[0, 1], mode=mode)


def test_top_activating_trials(curves: np.ndarray, codes: np.ndarray) -> None:
    figure = render(figures_features.top_activating_trials(curves, codes, feature_id=2, k=4))
    assert len(figure.axes) == 10
    first_panel = figure.axes[0]
    assert len(first_panel.lines) == 4 + 1
    top_trial = int(np.argmax(codes[:, 2]))
    np.testing.assert_allclose(first_panel.lines[0].get_ydata(), curves[top_trial, 0])
    with pytest.raises(ValueError, match="feature_id 8 out of range for 8 features"):
        figures_features.top_activating_trials(curves, codes, feature_id=8)


def test_importance_plot_for_one_run_and_several_seeds(codes: np.ndarray) -> None:
    rng = np.random.default_rng(10)
    several = rng.dirichlet(np.ones(8), size=3)
    figure = render(figures_features.importance_plot({"sae": code_measures.variance_importance(codes), "svae": several}))
    assert len(figure.axes) == 2
    assert figure.axes[0].get_title().startswith("SAE: evenness ")


def test_feature_correlation_heatmap_annotates_the_strongest_pair(codes: np.ndarray) -> None:
    linked = codes.copy()
    linked[:, 5] = linked[:, 2] * 2 + 0.01 * np.arange(len(codes))
    matrix = code_measures.feature_correlation_matrix(linked)
    figure = render(figures_features.feature_correlation_heatmap(matrix, title="SAE"))
    assert len(figure.axes) == 2
    i, j, value = code_measures.strongest_pair(matrix)
    assert (i, j) == (2, 5)
    assert figure.axes[0].get_title() == f"SAE\nmax |r| = {abs(value):.2f} (features 2 and 5)"


def test_seed_comparison_has_a_panel_per_quantity_and_a_dot_per_seed():
    table = pd.DataFrame(
        {"model": ["sae", "sae", "svae", "svae"], "seed": [0, 1, 0, 1], "mse": [0.1, 0.12, 0.2, 0.21], "fve": [0.9, 0.88, 0.8, 0.79]}
    )
    figure = figures_features.seed_comparison(table, {"mse": "test MSE", "fve": "FVE"})
    assert len(figure.axes) == 2
    dots = [collection for collection in figure.axes[0].collections]
    assert sum(len(collection.get_offsets()) for collection in dots) == 4
    with pytest.raises(ValueError, match="lacks column"):
        figures_features.seed_comparison(table, {"loss": "loss"})
