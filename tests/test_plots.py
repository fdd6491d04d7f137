"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

import io
from collections import namedtuple
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import metrics, plots  # noqa: E402
from analysis.data import CHANNEL_UNITS, CHANNELS, N_SAMPLES  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")

Segment = namedtuple("Segment", "channel band start stop")
BAND_LENGTHS = {"A4": 14, "D4": 14, "D3": 20, "D2": 32, "D1": 55}


def render(figure: Figure) -> Figure:
    """Draw the figure completely (layout warnings only appear when drawing)."""
    assert isinstance(figure, Figure)
    figure.savefig(io.BytesIO(), format="png", dpi=40)
    return figure


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    yield
    assert plt.get_fignums() == [], "plot functions must not register figures with pyplot"


@pytest.fixture
def trials() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n_subjects, per_subject = 12, 5
    subject = np.repeat(np.arange(1, n_subjects + 1), per_subject)
    index = subject - 1
    speed = rng.normal(1.45, 0.15, n_subjects)[index] + rng.normal(0, 0.03, subject.size)
    speed[:7] = np.nan
    age = rng.uniform(20, 70, n_subjects)[index]
    age[subject == 3] = np.nan
    sex = (np.arange(n_subjects) % 2).astype(float)[index]
    sex[subject == 4] = np.nan
    return pd.DataFrame(
        {
            "DATASET_ID": np.where(subject <= 2, 6, 1),
            "SUBJECT_ID": subject,
            "SESSION_ID": subject * 10,
            "TRIAL_ID": np.tile(np.arange(per_subject), n_subjects),
            "WALKING_SPEED": speed,
            "AGE": age,
            "HEIGHT": rng.normal(172, 9, n_subjects)[index],
            "BODY_WEIGHT": rng.normal(720, 110, n_subjects)[index],
            "SUBJECT_SEX": sex,
        }
    )


@pytest.fixture
def codes(trials: pd.DataFrame) -> np.ndarray:
    values = np.maximum(np.random.default_rng(1).normal(-0.5, 1, (len(trials), 8)), 0)
    values[:, 7] = 0.0  # a dead feature
    return values


@pytest.fixture
def curves(trials: pd.DataFrame) -> np.ndarray:
    rng = np.random.default_rng(2)
    stance = np.linspace(0, np.pi, N_SAMPLES)
    shape = np.sin(stance)[None, None, :] * rng.uniform(0.5, 1.5, (1, len(CHANNELS), 1))
    return shape + rng.normal(0, 0.05, (len(trials), len(CHANNELS), N_SAMPLES))


def layout() -> tuple[Segment, ...]:
    segments, start = [], 0
    for channel in CHANNELS:
        for band, length in BAND_LENGTHS.items():
            segments.append(Segment(channel, band, start, start + length))
            start += length
    return tuple(segments)


# --- style and output -------------------------------------------------------


def test_set_style_applies_the_colour_blind_palette() -> None:
    with matplotlib.rc_context():
        plots.set_style()
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert len(colours) == len(plots.PALETTE)
        assert matplotlib.colors.to_rgb(colours[0]) == pytest.approx(plots.PALETTE[0])


def test_plot_functions_leave_global_style_alone(curves: np.ndarray) -> None:
    before = matplotlib.rcParams["axes.prop_cycle"]
    plots.channel_means(curves)
    assert matplotlib.rcParams["axes.prop_cycle"] == before


def test_save_figure_writes_atomically(tmp_path: Path, curves: np.ndarray) -> None:
    figure = plots.channel_means(curves)
    target = plots.save_figure(figure, tmp_path / "figures" / "means.png")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(path.name for path in target.parent.iterdir()) == ["means.png"]
    with pytest.raises(ValueError, match="give it a suffix"):
        plots.save_figure(figure, tmp_path / "means")


# --- data and models chapters -----------------------------------------------


def test_channel_means_with_and_without_groups(curves: np.ndarray, trials: pd.DataFrame) -> None:
    figure = render(plots.channel_means(curves, CHANNELS, CHANNEL_UNITS))
    assert len(figure.axes) == 10
    assert figure.axes[0].get_title() == "F_V_left"
    assert figure.axes[0].get_ylabel() == "BW" and figure.axes[-1].get_ylabel() == "m"
    tertiles = pd.qcut(trials["WALKING_SPEED"], 3, labels=False).to_numpy()
    grouped = render(plots.channel_means(curves, CHANNELS, CHANNEL_UNITS, groups=tertiles, group_labels=["slow", "medium", "fast"]))
    assert len(grouped.axes) == 10
    assert len(grouped.axes[0].lines) == 3
    legend_texts = [text.get_text() for text in grouped.legends[0].get_texts()]
    assert legend_texts[0].startswith("slow (n = ")
    with pytest.raises(ValueError, match="group_labels has 2 entries for 3 groups"):
        plots.channel_means(curves, groups=tertiles, group_labels=["slow", "fast"])


def test_channel_means_tolerates_missing_samples(curves: np.ndarray) -> None:
    damaged = curves.copy()
    damaged[:, 0, 50] = np.nan  # no trial has this sample
    damaged[0, 1, :] = np.nan
    render(plots.channel_means(damaged))


def test_channel_means_rejects_wrong_channel_count(curves: np.ndarray) -> None:
    with pytest.raises(ValueError, match="curves has 10 channels but 2 channel names were given"):
        plots.channel_means(curves, channels=("a", "b"), units=("BW", "BW"))


def test_wavelet_example() -> None:
    curve = np.sin(np.linspace(0, np.pi, N_SAMPLES))
    coefficients = {band: np.random.default_rng(3).normal(size=length) for band, length in BAND_LENGTHS.items()}
    figure = render(plots.wavelet_example(curve, coefficients, curve + 1e-3, channel="F_V_left", unit="BW"))
    assert len(figure.axes) == 1 + 5
    with pytest.raises(ValueError, match="curve has 101 samples but reconstruction has 100"):
        plots.wavelet_example(curve, coefficients, curve[:-1])


def test_speed_distribution(trials: pd.DataFrame) -> None:
    figure = render(plots.speed_distribution(trials))
    assert len(figure.axes) == 2
    assert figure.axes[0].get_title() == "7 of 60 trials without speed"


def test_learning_curves() -> None:
    rows = []
    for model, terms in (("sae", ("total", "reconstruction", "sparsity")), ("svae", ("total", "reconstruction", "kl"))):
        for seed in (0, 1):
            for epoch in range(1, 6 + seed):
                for part in ("train", "validation"):
                    for term in terms:
                        rows.append((model, seed, epoch, part, term, 1.0 / epoch + 0.1 * seed))
    history = pd.DataFrame(rows, columns=["model", "seed", "epoch", "part", "term", "value"])
    figure = render(plots.learning_curves(history))
    assert len(figure.axes) == 2 * 4  # models x union of terms
    assert figure.axes[0].get_title() == "total"
    # Columns: total, reconstruction, sparsity, kl.
    assert [axis.axison for axis in figure.axes] == [True, True, True, False, True, True, False, True]
    with pytest.raises(ValueError, match=r"history has no column\(s\) \['part'\]"):
        plots.learning_curves(history.drop(columns="part"))


# --- figures 1 and 2 --------------------------------------------------------


def test_encoder_weights_marks_channels_and_bands() -> None:
    weights = np.random.default_rng(4).normal(size=(16, 1350))
    figure = render(plots.encoder_weights(weights, layout(), title="SAE encoder"))
    assert len(figure.axes) == 2  # heatmap and colour bar
    heatmap = figure.axes[0]
    assert [label.get_text() for label in heatmap.get_xticklabels()] == list(CHANNELS)
    widths = sorted({line.get_linewidth() for line in heatmap.lines})
    assert len(heatmap.lines) == 49 and len(widths) == 2  # 9 channel and 40 band boundaries
    assert sum(line.get_linewidth() == widths[1] for line in heatmap.lines) == 9
    with pytest.raises(ValueError, match="lies outside the 1000 weight columns"):
        plots.encoder_weights(weights[:, :1000], layout())


def test_feature_patterns() -> None:
    patterns = np.random.default_rng(5).normal(size=(3, 10, N_SAMPLES))
    figure = render(plots.feature_patterns(patterns, CHANNELS, CHANNEL_UNITS, feature_ids=[0, 4, 9]))
    assert len(figure.axes) == 3 * 5  # features x components
    assert figure.axes[0].get_title() == "F_V (BW)"
    assert figure.axes[5].get_ylabel() == "feature 4"


def test_activation_histograms(codes: np.ndarray) -> None:
    figure = render(plots.activation_histograms(codes, [0, 3, 7], title="SAE"))
    assert len(figure.axes) == 3
    assert figure.axes[2].get_title().startswith("feature 7: active 0%")
    vae = np.random.default_rng(6).normal(size=(60, 4))
    negative = render(plots.activation_histograms(vae, [0, 1], threshold=0.3))
    assert len(negative.axes[0].lines) == 2  # ±threshold for real-valued codes


def test_activation_rate_distribution(codes: np.ndarray) -> None:
    rates = {"sae": metrics.activation_rates(codes), "svae": np.random.default_rng(7).uniform(0, 0.3, 8)}
    figure = render(plots.activation_rate_distribution(rates))
    assert len(figure.axes) == 1
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert labels[0] == f"SAE\nmean {rates['sae'].mean():.3f}"
    assert labels[1].startswith("Sparse VAE\nmean ")


# --- figures 3 and 4 --------------------------------------------------------


def test_tsne_panels_draw_missing_values_grey(trials: pd.DataFrame) -> None:
    embedding = np.random.default_rng(8).normal(size=(len(trials), 2))
    figure = render(plots.tsne_panels(embedding, trials, title="SAE"))
    assert len(figure.axes) == 4 + 4  # panels and their colour bars
    age_panel = figure.axes[0]
    grey = matplotlib.colors.to_rgba(plots.MISSING_COLOUR)
    assert tuple(age_panel.collections[0].get_facecolor()[0]) == pytest.approx(grey)
    assert [text.get_text() for text in age_panel.get_legend().get_texts()] == ["missing (5)"]
    colour_bar_labels = {axis.get_ylabel() for axis in figure.axes[4:]}
    assert "walking speed (m/s)" in colour_bar_labels and "age (years)" in colour_bar_labels


def test_tsne_panels_show_sex_as_two_colours(trials: pd.DataFrame) -> None:
    embedding = np.random.default_rng(9).normal(size=(len(trials), 2))
    figure = render(plots.tsne_panels(embedding, trials, attributes=("SUBJECT_SEX",)))
    assert len(figure.axes) == 1
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == ["female", "male", "missing (5)"]


def test_cluster_plot(codes: np.ndarray, trials: pd.DataFrame) -> None:
    result = metrics.cluster_codes(codes, k=3, seed=0)
    figure = render(plots.cluster_plot(result, trials))
    assert len(figure.axes) == 1 + 4 + 1  # scatter, four attributes, share male
    assert figure.axes[0].get_xlabel().startswith("PC1 (")


# --- figure 5 ---------------------------------------------------------------


def test_correlation_heatmap_marks_significant_cells(codes: np.ndarray, trials: pd.DataFrame) -> None:
    signal = codes.copy()
    signal[:, 0] = trials["HEIGHT"].to_numpy()
    table = metrics.attribute_correlations(signal, trials)
    figure = render(plots.correlation_heatmap(table))
    assert len(figure.axes) == 2
    marks = figure.axes[0].collections[0].get_offsets()
    assert len(marks) == int((table["q"] < 0.05).sum())
    top = render(plots.correlation_heatmap(table, n_features=3))
    assert len(top.axes[0].get_xticklabels()) == 3
    both = pd.concat([table, table.assign(level="subject")])
    with pytest.raises(ValueError, match="exactly one level"):
        plots.correlation_heatmap(both)


def test_strongest_scatter_uses_the_tables_level(codes: np.ndarray, trials: pd.DataFrame) -> None:
    table = metrics.attribute_correlations(codes, trials, level="subject")
    figure = render(plots.strongest_scatter(codes, trials, table, "AGE", k=3))
    assert len(figure.axes) == 3
    assert len(figure.axes[0].collections[0].get_offsets()) == 11  # 12 subjects, one without age
    best = metrics.strongest_correlations(table, "AGE", 1).loc[0]
    assert figure.axes[0].get_title().startswith(f"feature {best['feature']}: r = {best['r']:.2f}")


def test_sex_difference_plot(codes: np.ndarray, trials: pd.DataFrame) -> None:
    table = metrics.sex_differences(codes, trials, n_boot=50)
    figure = render(plots.sex_difference_plot(table))
    assert len(figure.axes) == 1
    assert "(5 men, 6 women)" in figure.axes[0].get_title()
    shown = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert len(shown) == 7 and "7" not in shown  # the dead feature has no g


# --- figures 6 and 7 --------------------------------------------------------


@pytest.mark.parametrize("mode", ["deviation", "overlay"])
def test_feature_curves(mode: str, curves: np.ndarray) -> None:
    patterns = curves[:3]
    baseline = curves.mean(axis=0)
    figure = render(plots.feature_curves(patterns, baseline, CHANNELS, CHANNEL_UNITS, feature_ids=[0, 1, 2], mode=mode))
    assert len(figure.axes) == 10
    assert figure.axes[0].get_ylabel() == ("Δ BW" if mode == "deviation" else "BW")
    with pytest.raises(ValueError, match="got 2 feature ids for 3 patterns"):
        plots.feature_curves(patterns, baseline, feature_ids=[0, 1], mode=mode)


def test_top_activating_trials(curves: np.ndarray, codes: np.ndarray) -> None:
    figure = render(plots.top_activating_trials(curves, codes, feature_id=2, k=4))
    assert len(figure.axes) == 10
    first_panel = figure.axes[0]
    assert len(first_panel.lines) == 4 + 1
    top_trial = int(np.argmax(codes[:, 2]))
    np.testing.assert_allclose(first_panel.lines[0].get_ydata(), curves[top_trial, 0])
    with pytest.raises(ValueError, match="feature_id 8 out of range for 8 features"):
        plots.top_activating_trials(curves, codes, feature_id=8)


def test_importance_plot_for_one_run_and_several_seeds(codes: np.ndarray) -> None:
    rng = np.random.default_rng(10)
    several = rng.dirichlet(np.ones(8), size=3)
    figure = render(plots.importance_plot({"sae": metrics.variance_importance(codes), "svae": several}))
    assert len(figure.axes) == 2
    assert figure.axes[0].get_title().startswith("SAE: evenness ")


def test_feature_correlation_heatmap_annotates_the_strongest_pair(codes: np.ndarray) -> None:
    linked = codes.copy()
    linked[:, 5] = linked[:, 2] * 2 + 0.01 * np.arange(len(codes))
    matrix = metrics.feature_correlation_matrix(linked)
    figure = render(plots.feature_correlation_heatmap(matrix, title="SAE"))
    assert len(figure.axes) == 2
    i, j, value = metrics.strongest_pair(matrix)
    assert (i, j) == (2, 5)
    assert figure.axes[0].get_title() == f"SAE\nmax |r| = {abs(value):.2f} (features 2 and 5)"


def test_seed_comparison_has_a_panel_per_quantity_and_a_dot_per_seed():
    table = pd.DataFrame(
        {"model": ["sae", "sae", "svae", "svae"], "seed": [0, 1, 0, 1], "mse": [0.1, 0.12, 0.2, 0.21], "fve": [0.9, 0.88, 0.8, 0.79]}
    )
    figure = plots.seed_comparison(table, {"mse": "test MSE", "fve": "FVE"})
    assert len(figure.axes) == 2
    dots = [collection for collection in figure.axes[0].collections]
    assert sum(len(collection.get_offsets()) for collection in dots) == 4
    with pytest.raises(ValueError, match="lacks column"):
        plots.seed_comparison(table, {"loss": "loss"})
