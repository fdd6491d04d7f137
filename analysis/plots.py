"""Every figure of the book, as functions that return matplotlib Figures.

Figures are released from pyplot as soon as they are made: nothing is shown
twice in a notebook, nothing piles up in pyplot's figure registry, and a
chapter shows a figure by making it the cell's result (or with
``display``). Nothing is written to disk unless ``save_figure`` is called
with a path.

One style for all: ``style_rc()`` (seaborn's white-grid theme, readable font
sizes, the colour-blind palette; viridis for continuous values, red–blue for
signed ones). Every function draws inside that style, and ``set_style()``
applies it globally for a chapter's own plots. Where colour encodes an
attribute, trials with a missing value are drawn in grey underneath.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from analysis import metrics
from analysis.config import MODEL_LABELS
from analysis.data import CHANNEL_UNITS, CHANNELS, SIDES

PALETTE: list[tuple[float, float, float]] = list(sns.color_palette("colorblind"))
CONTINUOUS_CMAP = "viridis"
SIGNED_CMAP = "RdBu_r"
MISSING_COLOUR = "0.75"
ATTRIBUTE_LABELS: dict[str, str] = {
    "WALKING_SPEED": "walking speed (m/s)",
    "AGE": "age (years)",
    "HEIGHT": "height (cm)",
    "BODY_WEIGHT": "body weight (N)",
    "BODY_MASS": "body mass (kg)",
    "SEX": "sex (0 female, 1 male)",
    "SUBJECT_SEX": "sex (0 female, 1 male)",
}
SEX_COLUMNS: tuple[str, ...] = ("SEX", "SUBJECT_SEX")
PART_ORDER: tuple[str, ...] = ("train", "validation", "test")


class Segment(Protocol):
    """Where one channel's wavelet band lies in a coefficient vector."""

    channel: str
    band: str
    start: int
    stop: int


# ---------------------------------------------------------------------------
# Style and output
# ---------------------------------------------------------------------------


def style_rc() -> dict[str, Any]:
    """The rcParams every figure of the book is drawn with."""
    rc: dict[str, Any] = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook", font_scale=0.85))
    rc.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "image.cmap": CONTINUOUS_CMAP,
            "axes.titlesize": "medium",
            "figure.titlesize": "large",
            "legend.frameon": False,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
        }
    )
    return rc


def set_style() -> None:
    """Apply the book's style globally (for a chapter's own plots)."""
    mpl.rcParams.update(style_rc())


F = TypeVar("F", bound=Callable[..., Figure])


def _styled(function: F) -> F:
    """Draw inside the book's style without touching the global rcParams."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(style_rc()):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def save_figure(figure: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix) atomically."""
    target = Path(path)
    suffix = target.suffix.lstrip(".").lower()
    if not suffix:
        raise ValueError(f"cannot tell the image format of {target}: give it a suffix such as .png or .pdf")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".{suffix}")
    os.close(handle)
    try:
        figure.savefig(temporary, format=suffix, dpi=dpi)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


# ---------------------------------------------------------------------------
# Small shared pieces
# ---------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    """A figure made by pyplot (so a notebook knows how to show it), then released.

    Closing it at once takes it out of pyplot's registry: it is not shown
    automatically at the end of a cell, and displaying the returned figure
    shows it exactly once.
    """
    figure = plt.figure(figsize=(width, height), layout="constrained")
    plt.close(figure)
    return figure


def _grid(figure: Figure, n_panels: int, n_columns: int, **kwargs: Any) -> list[Axes]:
    """``n_panels`` axes in rows of ``n_columns``; unused cells are removed."""
    n_rows = -(-n_panels // n_columns)
    axes = figure.subplots(n_rows, n_columns, squeeze=False, **kwargs).ravel()
    for extra in axes[n_panels:]:
        figure.delaxes(extra)
    return list(axes[:n_panels])


def _colour(index: int) -> tuple[float, float, float]:
    return PALETTE[index % len(PALETTE)]


def _model_label(name: str) -> str:
    return MODEL_LABELS.get(name, name)


def _attribute_label(attribute: str) -> str:
    return ATTRIBUTE_LABELS.get(attribute, attribute)


def _unit_list(channels: Sequence[str], units: Mapping[str, str] | Sequence[str]) -> list[str]:
    if isinstance(units, Mapping):
        missing = [channel for channel in channels if channel not in units]
        if missing:
            raise ValueError(f"units has no entry for channel(s) {missing}")
        return [units[channel] for channel in channels]
    unit_list = list(units)
    if len(unit_list) != len(channels):
        raise ValueError(f"got {len(unit_list)} units for {len(channels)} channels")
    return unit_list


def _curve_array(curves: np.ndarray, channels: Sequence[str], name: str, ndim: int = 3) -> np.ndarray:
    """Curves as floats with the channel axis second to last, checked against ``channels``."""
    array = np.asarray(curves, dtype=float)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if array.shape[-2] != len(channels):
        raise ValueError(f"{name} has {array.shape[-2]} channels but {len(channels)} channel names were given")
    return array


def _stance(n_samples: int) -> np.ndarray:
    return np.linspace(0, 100, n_samples)


def _nan_mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD over axis 0 ignoring NaN, NaN where fewer than 1 (2) values exist."""
    present = np.isfinite(values)
    count = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    mean = np.divide(filled.sum(axis=0), count, out=np.full(count.shape, np.nan), where=count > 0)
    squares = np.where(present, (values - np.where(np.isfinite(mean), mean, 0.0)) ** 2, 0.0)
    variance = np.divide(squares.sum(axis=0), count - 1, out=np.full(count.shape, np.nan), where=count > 1)
    return mean, np.sqrt(variance)


def _channel_axes(figure: Figure, channels: Sequence[str]) -> list[Axes]:
    """One panel per channel, two per row: the left and right side of a component side by side."""
    return _grid(figure, len(channels), 2, sharex=True)


def _label_channel_axes(axes: Sequence[Axes], channels: Sequence[str], units: Sequence[str], prefix: str = "") -> None:
    for index, (axis, channel, unit) in enumerate(zip(axes, channels, units)):
        axis.set_title(channel)
        axis.set_ylabel(f"{prefix}{unit}")
        if index >= len(axes) - 2:
            axis.set_xlabel("stance (%)")


def _side_pairs(channels: Sequence[str]) -> list[tuple[str, dict[str, int]]] | None:
    """[(component, {side: channel index})] when every channel is a component_side pair."""
    pairs: dict[str, dict[str, int]] = {}
    for index, channel in enumerate(channels):
        component, _, side = channel.rpartition("_")
        if side not in SIDES or not component:
            return None
        pairs.setdefault(component, {})[side] = index
    if any(set(sides) != set(SIDES) for sides in pairs.values()):
        return None
    return list(pairs.items())


def _marker_size(n_points: int) -> float:
    return float(np.clip(2000 / max(n_points, 1), 2, 25))


def _missing_handle(n_missing: int) -> Line2D:
    return Line2D([], [], marker="o", linestyle="", color=MISSING_COLOUR, label=f"missing ({n_missing})")


# ---------------------------------------------------------------------------
# Data chapter
# ---------------------------------------------------------------------------


@_styled
def channel_means(
    curves: np.ndarray,
    channels: Sequence[str] = CHANNELS,
    units: Mapping[str, str] | Sequence[str] = CHANNEL_UNITS,
    groups: np.ndarray | None = None,
    group_labels: Mapping[Any, str] | Sequence[str] | None = None,
) -> Figure:
    """Mean ± SD of every channel over trials, optionally per group (e.g. speed tertiles).

    ``curves`` is ``(n_trials, n_channels, n_samples)``. ``groups`` gives each
    trial a group; trials whose group is missing are left out. ``group_labels``
    maps group values to legend text, or lists it in sorted group order.
    """
    array = _curve_array(curves, channels, "curves")
    unit_list = _unit_list(channels, units)
    if groups is None:
        members = {"all trials": np.ones(array.shape[0], dtype=bool)}
    else:
        group_values = pd.Series(np.asarray(groups, dtype=object))
        if len(group_values) != array.shape[0]:
            raise ValueError(f"groups has {len(group_values)} entries for {array.shape[0]} trials")
        levels = sorted(group_values.dropna().unique())
        if not levels:
            raise ValueError("groups has no non-missing value")
        if group_labels is None:
            names = [str(level) for level in levels]
        elif isinstance(group_labels, Mapping):
            names = [group_labels.get(level, str(level)) for level in levels]
        else:
            names = list(group_labels)
            if len(names) != len(levels):
                raise ValueError(f"group_labels has {len(names)} entries for {len(levels)} groups")
        members = {name: (group_values == level).to_numpy() for name, level in zip(names, levels)}
    figure = _figure(9, 1.9 * -(-len(channels) // 2) + 0.6)
    axes = _channel_axes(figure, channels)
    stance = _stance(array.shape[-1])
    handles = []
    for index, (name, mask) in enumerate(members.items()):
        mean, sd = _nan_mean_sd(array[mask])
        colour = _colour(index)
        for channel_index, axis in enumerate(axes):
            axis.fill_between(stance, mean[channel_index] - sd[channel_index], mean[channel_index] + sd[channel_index], color=colour, alpha=0.2, linewidth=0)
            axis.plot(stance, mean[channel_index], color=colour)
        handles.append(Line2D([], [], color=colour, label=f"{name} (n = {int(mask.sum())})"))
    _label_channel_axes(axes, channels, unit_list)
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    figure.suptitle("Mean ± SD over trials")
    return figure


@_styled
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
    figure = _figure(max(8.0, 1.9 * len(bands)), 5.2)
    mosaic = [["curve"] * len(bands), bands]
    axes = figure.subplot_mosaic(mosaic)
    stance = _stance(signal.size)
    top = axes["curve"]
    top.plot(stance, signal, color=_colour(0), label="curve")
    top.plot(stance, rebuilt, color=_colour(1), linestyle="--", label="reconstruction")
    error = float(np.nanmax(np.abs(signal - rebuilt)))
    top.set_title(f"{channel or 'curve'}: largest reconstruction error {error:.2g} {unit or ''}".rstrip())
    top.set_xlabel("stance (%)")
    top.set_ylabel(unit or "value")
    top.legend(loc="best")
    for index, band in enumerate(bands):
        coefficients = np.asarray(coefficients_by_band[band], dtype=float).ravel()
        axis = axes[band]
        positions = np.arange(coefficients.size)
        axis.vlines(positions, 0, coefficients, color=_colour(2 + index), linewidth=1)
        axis.plot(positions, coefficients, "o", color=_colour(2 + index), markersize=2.5)
        axis.axhline(0, color="0.3", linewidth=0.6)
        axis.set_title(f"{band} ({coefficients.size})")
        axis.set_xlabel("coefficient")
    axes[bands[0]].set_ylabel("coefficient value")
    return figure


@_styled
def speed_distribution(trials: pd.DataFrame) -> Figure:
    """Walking speed per trial and per subject, and by sub-dataset (missing speeds counted)."""
    metrics.require_columns(trials, ["WALKING_SPEED", "SUBJECT_ID", "DATASET_ID"])
    speed = metrics.numeric_column(trials, "WALKING_SPEED")
    present = np.isfinite(speed)
    if not present.any():
        raise ValueError("trials column 'WALKING_SPEED' has no values")
    subject_means = pd.Series(speed).groupby(trials["SUBJECT_ID"].to_numpy()).mean().dropna().to_numpy()
    figure = _figure(10, 3.8)
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.4])
    edges = np.histogram_bin_edges(speed[present], bins=30)
    left.hist(speed[present], bins=edges, density=True, color=_colour(0), alpha=0.6, label=f"trials ({int(present.sum())})")
    left.hist(subject_means, bins=edges, density=True, histtype="step", color=_colour(1), linewidth=1.8, label=f"subject means ({subject_means.size})")
    left.set_xlabel(_attribute_label("WALKING_SPEED"))
    left.set_ylabel("density")
    left.set_title(f"{int((~present).sum())} of {speed.size} trials without speed")
    left.legend(loc="upper left")
    datasets = sorted(trials["DATASET_ID"].dropna().unique())
    dataset_ids = trials["DATASET_ID"].to_numpy()
    for position, dataset in enumerate(datasets):
        values = speed[(dataset_ids == dataset) & present]
        if values.size:
            right.boxplot(
                values,
                positions=[position],
                widths=0.6,
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": _colour(0), "alpha": 0.5},
                medianprops={"color": "black"},
            )
        else:
            right.text(position, float(np.median(speed[present])), "no speed", rotation=90, ha="center", va="center", color="0.4")
    right.set_xticks(range(len(datasets)), [str(dataset) for dataset in datasets])
    right.set_xlim(-0.7, len(datasets) - 0.3)
    right.set_xlabel("DATASET_ID")
    right.set_ylabel(_attribute_label("WALKING_SPEED"))
    right.set_title("by sub-dataset")
    return figure


# ---------------------------------------------------------------------------
# Models chapter
# ---------------------------------------------------------------------------


@_styled
def learning_curves(history: pd.DataFrame) -> Figure:
    """Loss terms over epochs: a row per model, a column per term, train vs validation.

    ``history`` has columns model, seed, epoch, part, term, value. Each seed
    is a thin line, the mean over seeds a thick one (drawn up to the last
    epoch that every seed reached). Panels for a term that
    is not part of a model's loss are left blank. The y axis is logarithmic
    when every value in a panel is positive.
    """
    metrics.require_columns(history, ["model", "seed", "epoch", "part", "term", "value"], "history")
    if history.empty:
        raise ValueError("history is empty")
    models = list(dict.fromkeys(history["model"]))
    terms = list(dict.fromkeys(history["term"]))
    if "total" in terms:
        terms.insert(0, terms.pop(terms.index("total")))
    parts = sorted(dict.fromkeys(history["part"]), key=lambda part: (PART_ORDER.index(part) if part in PART_ORDER else len(PART_ORDER), str(part)))
    part_colours = {part: _colour(index) for index, part in enumerate(parts)}
    figure = _figure(max(6.0, 3.1 * len(terms)), 2.4 * len(models) + 0.6)
    axes = figure.subplots(len(models), len(terms), squeeze=False, sharex=True)
    for row, model in enumerate(models):
        for column, term in enumerate(terms):
            axis = axes[row, column]
            panel = history[(history["model"] == model) & (history["term"] == term)]
            if row == 0:
                axis.set_title(term)
            if column == 0:
                axis.set_ylabel(f"{_model_label(model)}\nloss")
            if row == len(models) - 1:
                axis.set_xlabel("epoch")
            if panel.empty:
                axis.set_axis_off()
                axis.text(0.5, 0.5, "not in this loss", transform=axis.transAxes, ha="center", va="center", color="0.4")
                continue
            for part, part_rows in panel.groupby("part", sort=False):
                colour = part_colours[part]
                for _, seed_rows in part_rows.groupby("seed", sort=True):
                    ordered = seed_rows.sort_values("epoch")
                    axis.plot(ordered["epoch"], ordered["value"], color=colour, linewidth=0.7, alpha=0.45)
                # Early stopping ends seeds at different epochs; average only where all seeds ran.
                by_epoch = part_rows.groupby("epoch", sort=True)["value"]
                complete = by_epoch.count() == part_rows["seed"].nunique()
                mean = by_epoch.mean()[complete]
                axis.plot(mean.index, mean.to_numpy(), color=colour, linewidth=2)
            if (panel["value"] > 0).all():
                axis.set_yscale("log")
    handles = [Line2D([], [], color=part_colours[part], linewidth=2, label=part) for part in parts]
    handles.append(Line2D([], [], color="0.4", linewidth=0.7, label="single seed"))
    figure.legend(handles=handles, loc="outside upper center", ncols=len(handles))
    return figure


# ---------------------------------------------------------------------------
# Figure 1: encoder weights and decoded patterns
# ---------------------------------------------------------------------------


@_styled
def encoder_weights(weights: np.ndarray, layout: Sequence[Segment], title: str | None = None) -> Figure:
    """Encoder weights as a heatmap: latent features × wavelet coefficients.

    Thick lines separate channels, thin lines the wavelet bands within a
    channel; channels are named below the map, bands above it. The colour
    range is symmetric and clipped at the 99th percentile of |weight| so a
    few large weights do not wash out the rest.
    """
    matrix = np.asarray(weights, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"weights must be 2-D (features x coefficients), got shape {matrix.shape}")
    segments = list(layout)
    if not segments:
        raise ValueError("layout is empty")
    for segment in segments:
        if not 0 <= segment.start < segment.stop <= matrix.shape[1]:
            raise ValueError(
                f"layout segment {segment.channel}/{segment.band} [{segment.start}, {segment.stop}) "
                f"lies outside the {matrix.shape[1]} weight columns"
            )
    limit = float(np.nanpercentile(np.abs(matrix), 99)) or 1.0
    figure = _figure(13, 5.5)
    axis = figure.subplots()
    image = axis.imshow(matrix, aspect="auto", cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    axis.grid(False)
    channel_spans: dict[str, list[int]] = {}
    previous_channel = None
    for segment in segments:
        span = channel_spans.setdefault(segment.channel, [segment.start, segment.stop])
        span[0], span[1] = min(span[0], segment.start), max(span[1], segment.stop)
        if segment.start > 0:
            is_channel_edge = segment.channel != previous_channel
            axis.axvline(segment.start - 0.5, color="black" if is_channel_edge else "0.35", linewidth=1.6 if is_channel_edge else 0.4)
        previous_channel = segment.channel
    centres = [(start + stop - 1) / 2 for start, stop in channel_spans.values()]
    axis.set_xticks(centres, list(channel_spans), rotation=30, ha="right")
    band_axis = axis.secondary_xaxis("top")
    band_axis.set_xticks([(segment.start + segment.stop - 1) / 2 for segment in segments], [segment.band for segment in segments], fontsize=6, rotation=90)
    band_axis.tick_params(length=0)
    axis.set_ylabel("latent feature")
    axis.set_xlabel("wavelet coefficients by channel")
    figure.colorbar(image, ax=axis, label="encoder weight", shrink=0.8)
    if title:
        axis.set_title(title)
    return figure


@_styled
def feature_patterns(
    curves_by_feature: np.ndarray,
    channels: Sequence[str] = CHANNELS,
    units: Mapping[str, str] | Sequence[str] = CHANNEL_UNITS,
    feature_ids: Sequence[int] | None = None,
) -> Figure:
    """Decoded time-domain pattern of a few features: a row per feature.

    ``curves_by_feature`` is ``(k, n_channels, n_samples)``. When the channels
    are left/right pairs, each column is one component with the left side
    solid and the right side dashed; otherwise each column is one channel.
    """
    array = _curve_array(curves_by_feature, channels, "curves_by_feature")
    unit_list = _unit_list(channels, units)
    ids = list(range(array.shape[0])) if feature_ids is None else list(feature_ids)
    if len(ids) != array.shape[0]:
        raise ValueError(f"got {len(ids)} feature ids for {array.shape[0]} patterns")
    pairs = _side_pairs(channels)
    columns = pairs if pairs is not None else [(channel, {"": index}) for index, channel in enumerate(channels)]
    figure = _figure(2.3 * len(columns) + 0.5, 1.7 * len(ids) + 0.8)
    axes = figure.subplots(len(ids), len(columns), squeeze=False, sharex=True)
    stance = _stance(array.shape[-1])
    styles = {"left": "-", "right": "--", "": "-"}
    for row, feature in enumerate(ids):
        for column, (name, sides) in enumerate(columns):
            axis = axes[row, column]
            for side, channel_index in sides.items():
                axis.plot(stance, array[row, channel_index], color=_colour(column), linestyle=styles[side], label=side or None)
            if row == 0:
                first_channel = next(iter(sides.values()))
                axis.set_title(f"{name} ({unit_list[first_channel]})")
            if column == 0:
                axis.set_ylabel(f"feature {feature}")
            if row == len(ids) - 1:
                axis.set_xlabel("stance (%)")
    if pairs is not None:
        figure.legend(handles=[Line2D([], [], color="0.3", linestyle=styles[side], label=side) for side in SIDES], loc="outside upper center", ncols=2)
    return figure


# ---------------------------------------------------------------------------
# Figure 2: activations
# ---------------------------------------------------------------------------


@_styled
def activation_histograms(
    codes: np.ndarray,
    feature_ids: Sequence[int],
    threshold: float | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram of each chosen feature's codes, with the activity threshold marked.

    ``threshold`` is a code value; by default the book's rule
    (``metrics.activity_threshold``). Each panel names the feature's
    activation rate, the share of exact zeros and its bimodality coefficient.
    """
    array = metrics.as_codes(codes)
    ids = list(feature_ids)
    if not ids:
        raise ValueError("feature_ids is empty")
    bad = [feature for feature in ids if not 0 <= feature < array.shape[1]]
    if bad:
        raise ValueError(f"feature id(s) {bad} out of range for {array.shape[1]} features")
    cut = metrics.activity_threshold(array) if threshold is None else float(threshold)
    n_columns = min(len(ids), 4)
    figure = _figure(3.1 * n_columns, 2.8 * -(-len(ids) // n_columns) + 0.5)
    axes = _grid(figure, len(ids), n_columns)
    for axis, feature in zip(axes, ids):
        values = array[:, feature]
        axis.hist(values, bins=40, color=_colour(0), alpha=0.8)
        axis.axvline(cut, color=_colour(3), linestyle="--", linewidth=1.2)
        if values.min() < 0:
            axis.axvline(-cut, color=_colour(3), linestyle="--", linewidth=1.2)
        rate = float((np.abs(values) > cut).mean())
        bimodality = metrics.bimodality_coefficient(values) if values.size >= 4 else float("nan")
        zeros = float((values == 0).mean())
        axis.set_title(f"feature {feature}: active {rate:.0%}\nzeros {zeros:.0%}, b = {bimodality:.2f}")
        axis.set_xlabel("code value")
        axis.set_ylabel("inputs")
    if title:
        figure.suptitle(title)
    return figure


@_styled
def activation_rate_distribution(rates_by_model: Mapping[str, np.ndarray], target: float | None = 0.05) -> Figure:
    """Per-feature activation rates of each model (points, box), the mean (bar) and the target ρ.

    Rates from several seeds may be concatenated into one array per model.
    """
    if not rates_by_model:
        raise ValueError("rates_by_model is empty")
    figure = _figure(max(5.0, 1.9 * len(rates_by_model) + 1.5), 4)
    axis = figure.subplots()
    jitter = np.random.default_rng(0)
    tick_labels: list[str] = []
    for position, (model, rates) in enumerate(rates_by_model.items()):
        values = np.asarray(rates, dtype=float).ravel()
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise ValueError(f"no finite activation rates for model {model!r}")
        axis.boxplot(values, positions=[position], widths=0.5, showfliers=False, medianprops={"color": "black"})
        axis.scatter(position + jitter.uniform(-0.18, 0.18, values.size), values, s=10, color=_colour(position), alpha=0.6, zorder=3)
        axis.plot([position - 0.3, position + 0.3], [values.mean()] * 2, color=_colour(position), linewidth=2.5, zorder=4)
        tick_labels.append(f"{_model_label(model)}\nmean {values.mean():.3f}")
    if target is not None:
        axis.axhline(target, color="0.3", linestyle=":", label=f"target ρ = {target}")
        axis.legend(loc="upper left")
    axis.set_xticks(range(len(rates_by_model)), tick_labels)
    axis.set_xlim(-0.6, len(rates_by_model) - 0.4)
    axis.set_ylabel("activation rate (share of inputs)")
    axis.set_title("Activation rate per feature")
    return figure


# ---------------------------------------------------------------------------
# Figure 3: t-SNE
# ---------------------------------------------------------------------------


def _is_binary(values: np.ndarray) -> bool:
    present = values[np.isfinite(values)]
    return present.size > 0 and set(np.unique(present)) <= {0.0, 1.0}


def _coloured_scatter(figure: Figure, axis: Axes, points: np.ndarray, values: np.ndarray, attribute: str, size: float) -> None:
    """Scatter coloured by an attribute, missing values grey underneath."""
    present = np.isfinite(values)
    handles = []
    if (~present).any():
        axis.scatter(points[~present, 0], points[~present, 1], s=size, color=MISSING_COLOUR, linewidths=0)
        handles.append(_missing_handle(int((~present).sum())))
    order = np.random.default_rng(0).permutation(np.flatnonzero(present))
    if attribute in SEX_COLUMNS and _is_binary(values):
        for code, name in ((0.0, "female"), (1.0, "male")):
            chosen = order[values[order] == code]
            axis.scatter(points[chosen, 0], points[chosen, 1], s=size, color=_colour(int(code)), linewidths=0, label=name)
        handles = [Line2D([], [], marker="o", linestyle="", color=_colour(code), label=name) for code, name in ((0, "female"), (1, "male"))] + handles
    elif order.size:
        mappable = axis.scatter(points[order, 0], points[order, 1], c=values[order], s=size, cmap=CONTINUOUS_CMAP, linewidths=0)
        figure.colorbar(mappable, ax=axis, label=_attribute_label(attribute))
    else:
        axis.text(0.5, 0.5, "no values", transform=axis.transAxes, ha="center", va="center")
    if handles:
        axis.legend(handles=handles, loc="best", fontsize="small")


@_styled
def tsne_panels(
    embedding: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ("AGE", "HEIGHT", "BODY_WEIGHT", "WALKING_SPEED"),
    title: str | None = None,
) -> Figure:
    """The 2-D t-SNE map once per attribute, coloured by it (two panels per row).

    Each panel gets a colour bar with units (sex gets a two-colour legend).
    Points are drawn in a fixed shuffled order so no group is systematically
    painted over another.
    """
    points = metrics.as_codes(embedding, "embedding")
    if points.shape[1] != 2:
        raise ValueError(f"embedding must have 2 columns, got shape {points.shape}")
    if len(trials) != points.shape[0]:
        raise ValueError(f"embedding has {points.shape[0]} rows but trials has {len(trials)}")
    if not attributes:
        raise ValueError("attributes is empty")
    n_columns = min(len(attributes), 2)
    figure = _figure(5.2 * n_columns, 4.3 * -(-len(attributes) // n_columns) + 0.4)
    axes = _grid(figure, len(attributes), n_columns)
    size = _marker_size(points.shape[0])
    for axis, attribute in zip(axes, attributes):
        _coloured_scatter(figure, axis, points, metrics.numeric_column(trials, attribute), attribute, size)
        axis.set_title(_attribute_label(attribute))
        axis.set_xlabel("t-SNE 1")
        axis.set_ylabel("t-SNE 2")
        axis.set_xticks([])
        axis.set_yticks([])
    if title:
        figure.suptitle(title)
    return figure


# ---------------------------------------------------------------------------
# Figure 4: clusters
# ---------------------------------------------------------------------------


@_styled
def cluster_plot(
    cluster_result: metrics.ClusterResult,
    trials: pd.DataFrame,
    attributes: Sequence[str] = metrics.ATTRIBUTES,
    sex_column: str = "SUBJECT_SEX",
) -> Figure:
    """PCA view of the KMeans clusters, beside who is in each cluster.

    Left: trials on PC1/PC2 coloured by cluster, centres marked. Right: per
    cluster the mean ± SD of each attribute and the share of men.
    """
    composition = metrics.cluster_composition(cluster_result.labels, trials, attributes, sex_column)
    bar_names = [*attributes, "share_male"]
    figure = _figure(12, max(5.0, 1.45 * len(bar_names)))
    mosaic = [["scatter", name] for name in bar_names]
    axes = figure.subplot_mosaic(mosaic, width_ratios=[1.6, 1])
    scatter = axes["scatter"]
    coordinates = cluster_result.pca_coordinates
    size = _marker_size(coordinates.shape[0])
    for cluster in range(cluster_result.k):
        members = cluster_result.labels == cluster
        scatter.scatter(
            coordinates[members, 0],
            coordinates[members, 1],
            s=size,
            color=_colour(cluster),
            linewidths=0,
            alpha=0.7,
            label=f"cluster {cluster} ({int(members.sum())})",
        )
    for cluster, (x, y) in enumerate(cluster_result.centroids_pca):
        scatter.scatter([x], [y], marker="X", s=120, color=_colour(cluster), edgecolors="black", linewidths=1.2, zorder=4)
    ratio = cluster_result.explained_variance_ratio
    share = cluster_result.between_cluster_share
    scatter.set_xlabel(f"PC1 ({ratio[0]:.0%} of variance; clusters explain {share[0]:.0%})")
    scatter.set_ylabel(f"PC2 ({ratio[1]:.0%} of variance; clusters explain {share[1]:.0%})")
    scatter.set_title(f"KMeans (k = {cluster_result.k}) on the codes, shown on PCA axes")
    scatter.legend(loc="best", fontsize="small", markerscale=2)
    positions = composition["cluster"].to_numpy()
    colours = [_colour(int(cluster)) for cluster in positions]
    for name in bar_names:
        axis = axes[name]
        if name == "share_male":
            axis.bar(positions, composition["share_male"], color=colours)
            axis.set_ylim(0, 1)
            axis.set_ylabel("share male")
        else:
            # Points, not bars: a bar from zero would hide a 5 cm difference in height.
            for position, colour, mean, sd in zip(positions, colours, composition[f"{name}_mean"], composition[f"{name}_sd"].fillna(0)):
                axis.errorbar([position], [mean], yerr=[sd], fmt="o", color=colour, capsize=3, markersize=6)
            axis.set_ylabel(_attribute_label(name).replace(" (", "\n("))
        axis.set_xticks(positions)
        if name != bar_names[-1]:
            axis.tick_params(labelbottom=False)
    axes[bar_names[-1]].set_xlabel("cluster")
    axes[bar_names[0]].set_title("mean ± SD per cluster")
    return figure


# ---------------------------------------------------------------------------
# Figure 5: metadata correlations
# ---------------------------------------------------------------------------


def _single_level(table: pd.DataFrame) -> str:
    levels = table["level"].unique() if "level" in table.columns else []
    if len(levels) != 1:
        raise ValueError(f"table must hold correlations of exactly one level, found {list(levels)}")
    return str(levels[0])


@_styled
def correlation_heatmap(table: pd.DataFrame, n_features: int | None = None, alpha: float = 0.05) -> Figure:
    """r of features with attributes (attributes as rows, features as columns).

    ``table`` is ``metrics.attribute_correlations`` output. ``n_features``
    keeps the features with the largest |r| for any attribute (in feature
    order); ``None`` shows all. Dots mark q < ``alpha``; grey cells have no r
    (constant features).
    """
    metrics.require_columns(table, metrics.CORRELATION_COLUMNS, "table")
    level = _single_level(table)
    r = table.pivot(index="attribute", columns="feature", values="r")
    q = table.pivot(index="attribute", columns="feature", values="q")
    attributes = list(dict.fromkeys(table["attribute"]))
    r, q = r.loc[attributes], q.loc[attributes]
    if n_features is not None:
        if n_features < 1:
            raise ValueError(f"n_features must be at least 1, got {n_features}")
        strength = r.abs().max(axis=0).fillna(-1.0)
        keep = strength.sort_values(ascending=False, kind="stable").index[:n_features]
        r, q = r[sorted(keep)], q[sorted(keep)]
    values = r.to_numpy(dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    limit = max(0.1, float(np.ceil(finite.max() * 10) / 10)) if finite.size else 1.0
    figure = _figure(min(16.0, max(6.0, 0.16 * values.shape[1] + 3)), 0.45 * len(attributes) + 1.8)
    axis = figure.subplots()
    colour_map = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=MISSING_COLOUR)
    image = axis.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=colour_map, vmin=-limit, vmax=limit, interpolation="nearest")
    axis.grid(False)
    rows, columns = np.nonzero(q.to_numpy(dtype=float) < alpha)
    axis.scatter(columns, rows, marker="o", s=9, color="black", linewidths=0)
    axis.set_yticks(range(len(attributes)), [_attribute_label(attribute) for attribute in attributes])
    feature_ids = list(r.columns)
    step = 1 if len(feature_ids) <= 40 else 5 if len(feature_ids) <= 200 else 20
    axis.set_xticks(range(0, len(feature_ids), step), [str(feature) for feature in feature_ids[::step]])
    axis.set_xlabel("latent feature")
    axis.set_title(f"Correlation with metadata ({level} level; dots: q < {alpha})")
    figure.colorbar(image, ax=axis, label="r", shrink=0.9)
    return figure


@_styled
def strongest_scatter(codes: np.ndarray, trials: pd.DataFrame, table: pd.DataFrame, attribute: str, k: int = 4) -> Figure:
    """The ``k`` features most correlated with ``attribute``, plotted against it.

    Points are at the table's level (trials, sessions or subjects), so the
    picture shows exactly the data the r and q in each title come from.
    """
    level = _single_level(table)
    strongest = metrics.strongest_correlations(table, attribute, k)
    features, aggregated = metrics.level_means(codes, trials, level, [attribute])
    x = aggregated[attribute].to_numpy(dtype=float)
    present = np.isfinite(x)
    n_columns = min(len(strongest), 4)
    figure = _figure(3.4 * n_columns, 3.2 * -(-len(strongest) // n_columns) + 0.4)
    axes = _grid(figure, len(strongest), n_columns)
    size = _marker_size(int(present.sum()))
    for index, (axis, row) in enumerate(zip(axes, strongest.itertuples(index=False))):
        y = features[:, int(row.feature)]
        axis.scatter(x[present], y[present], s=size, color=_colour(0), alpha=0.5, linewidths=0)
        slope, intercept = np.polyfit(x[present], y[present], 1)
        line_x = np.array([x[present].min(), x[present].max()])
        axis.plot(line_x, slope * line_x + intercept, color=_colour(3), linewidth=1.5)
        axis.set_title(f"feature {int(row.feature)}: r = {row.r:.2f}, q = {row.q:.1g}")
        axis.set_xlabel(_attribute_label(attribute))
        if index % n_columns == 0:
            axis.set_ylabel("code" if level == "trial" else f"mean code per {level}")
    figure.suptitle(f"Strongest correlations with {_attribute_label(attribute)} ({level} level, n = {int(present.sum())})")
    return figure


@_styled
def sex_difference_plot(table: pd.DataFrame) -> Figure:
    """Hedges' g (male − female) of every feature with its 95 % CI, sorted by g.

    ``table`` is ``metrics.sex_differences`` output; features whose interval
    excludes zero are coloured, the rest grey. Features without g are omitted.
    """
    metrics.require_columns(table, ("feature", "g", "ci_low", "ci_high", "n_male", "n_female"), "table")
    rows = table[table["g"].notna()].sort_values("g", kind="stable")
    if rows.empty:
        raise ValueError("table has no feature with a finite Hedges' g")
    figure = _figure(min(16.0, max(6.0, 0.12 * len(rows) + 3)), 4)
    axis = figure.subplots()
    positions = np.arange(len(rows))
    excludes_zero = ((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).to_numpy()
    for mask, colour, label in ((excludes_zero, _colour(0), "95 % CI excludes 0"), (~excludes_zero, MISSING_COLOUR, "95 % CI includes 0")):
        if mask.any():
            chosen = rows[mask]
            low = (chosen["g"] - chosen["ci_low"]).fillna(0).clip(lower=0)
            high = (chosen["ci_high"] - chosen["g"]).fillna(0).clip(lower=0)
            axis.errorbar(positions[mask], chosen["g"], yerr=[low, high], fmt="o", markersize=3.5, color=colour, elinewidth=1, label=label)
    axis.axhline(0, color="0.3", linewidth=0.8)
    if len(rows) <= 40:
        axis.set_xticks(positions, [str(int(feature)) for feature in rows["feature"]], fontsize="small")
        axis.set_xlabel("latent feature (sorted by g)")
    else:
        axis.set_xticks([])
        axis.set_xlabel(f"{len(rows)} latent features, sorted by g")
    axis.set_ylabel("Hedges' g (male − female)")
    first = table.iloc[0]
    axis.set_title(f"Sex differences of subject-mean codes ({int(first['n_male'])} men, {int(first['n_female'])} women)")
    axis.legend(loc="upper left")
    return figure


# ---------------------------------------------------------------------------
# Figure 6: single-feature curves and top-activating trials
# ---------------------------------------------------------------------------


@_styled
def feature_curves(
    curves_by_feature: np.ndarray,
    baseline_curves: np.ndarray,
    channels: Sequence[str] = CHANNELS,
    units: Mapping[str, str] | Sequence[str] = CHANNEL_UNITS,
    feature_ids: Sequence[int] | None = None,
    mode: str = "deviation",
) -> Figure:
    """All channels decoded from single features, one panel per channel.

    ``baseline_curves`` is ``(n_channels, n_samples)``, e.g. the decoded zero
    code or the mean reconstruction. ``mode="deviation"`` draws each
    feature's curves minus the baseline (what the feature adds);
    ``"overlay"`` draws them over the baseline (black, dashed).
    """
    array = _curve_array(curves_by_feature, channels, "curves_by_feature")
    baseline = _curve_array(baseline_curves, channels, "baseline_curves", ndim=2)
    if baseline.shape[-1] != array.shape[-1]:
        raise ValueError(f"baseline_curves has {baseline.shape[-1]} samples but curves_by_feature has {array.shape[-1]}")
    if mode not in ("deviation", "overlay"):
        raise ValueError(f"unknown mode {mode!r}; choose 'deviation' or 'overlay'")
    unit_list = _unit_list(channels, units)
    ids = list(range(array.shape[0])) if feature_ids is None else list(feature_ids)
    if len(ids) != array.shape[0]:
        raise ValueError(f"got {len(ids)} feature ids for {array.shape[0]} patterns")
    figure = _figure(9, 1.9 * -(-len(channels) // 2) + 0.7)
    axes = _channel_axes(figure, channels)
    stance = _stance(array.shape[-1])
    for channel_index, axis in enumerate(axes):
        if mode == "overlay":
            axis.plot(stance, baseline[channel_index], color="black", linestyle="--", linewidth=1.8)
        else:
            axis.axhline(0, color="0.3", linewidth=0.7)
        for row in range(len(ids)):
            shown = array[row, channel_index] - (baseline[channel_index] if mode == "deviation" else 0.0)
            axis.plot(stance, shown, color=_colour(row), linewidth=1.3)
    _label_channel_axes(axes, channels, unit_list, prefix="Δ " if mode == "deviation" else "")
    handles = [Line2D([], [], color=_colour(row), label=f"feature {feature}") for row, feature in enumerate(ids)]
    if mode == "overlay":
        handles.append(Line2D([], [], color="black", linestyle="--", label="baseline"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
    figure.suptitle("Decoded from single features" + (" (minus the baseline)" if mode == "deviation" else ""))
    return figure


@_styled
def top_activating_trials(
    curves: np.ndarray,
    codes: np.ndarray,
    feature_id: int,
    k: int = 10,
    cohort_mean: np.ndarray | None = None,
    channels: Sequence[str] = CHANNELS,
    units: Mapping[str, str] | Sequence[str] = CHANNEL_UNITS,
) -> Figure:
    """The ``k`` trials with the highest code of one feature, over the cohort mean.

    "Highest" is the largest signed value (for a VAE's μ pass ``-codes`` to
    see the most negative ones). ``cohort_mean`` defaults to the mean of
    ``curves``.
    """
    array = _curve_array(curves, channels, "curves")
    code_array = metrics.as_codes(codes)
    if code_array.shape[0] != array.shape[0]:
        raise ValueError(f"codes has {code_array.shape[0]} rows but curves has {array.shape[0]}")
    if not 0 <= feature_id < code_array.shape[1]:
        raise ValueError(f"feature_id {feature_id} out of range for {code_array.shape[1]} features")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    mean = _nan_mean_sd(array)[0] if cohort_mean is None else _curve_array(cohort_mean, channels, "cohort_mean", ndim=2)
    unit_list = _unit_list(channels, units)
    top = np.argsort(-code_array[:, feature_id], kind="stable")[: min(k, array.shape[0])]
    shades = mpl.colormaps[CONTINUOUS_CMAP](np.linspace(0.15, 0.85, top.size))
    figure = _figure(9, 1.9 * -(-len(channels) // 2) + 0.7)
    axes = _channel_axes(figure, channels)
    stance = _stance(array.shape[-1])
    for channel_index, axis in enumerate(axes):
        for shade, trial in zip(shades, top):
            axis.plot(stance, array[trial, channel_index], color=shade, linewidth=0.8, alpha=0.8)
        axis.plot(stance, mean[channel_index], color="black", linewidth=2)
    _label_channel_axes(axes, channels, unit_list)
    handles = [
        Line2D([], [], color=shades[0], label=f"top {top.size} trials (codes {code_array[top[-1], feature_id]:.2g} to {code_array[top[0], feature_id]:.2g})"),
        Line2D([], [], color="black", linewidth=2, label="cohort mean"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=2)
    figure.suptitle(f"Trials that activate feature {feature_id} most")
    return figure


# ---------------------------------------------------------------------------
# Figure 7: importance and redundancy
# ---------------------------------------------------------------------------


@_styled
def importance_plot(importance_by_model: Mapping[str, np.ndarray]) -> Figure:
    """Variance share of each feature, sorted, one panel per model.

    Each value is a 1-D array (one run) or ``(n_seeds, n_features)``; for
    several seeds every seed is sorted on its own and the panel shows the mean
    share at each rank ± SD. The dashed line is a perfectly even split.
    """
    if not importance_by_model:
        raise ValueError("importance_by_model is empty")
    figure = _figure(max(5.0, 3.8 * len(importance_by_model)), 3.6)
    axes = figure.subplots(1, len(importance_by_model), squeeze=False, sharey=True)[0]
    for index, (axis, (model, importance)) in enumerate(zip(axes, importance_by_model.items())):
        runs = np.atleast_2d(np.asarray(importance, dtype=float))
        if runs.ndim != 2 or not np.isfinite(runs).all():
            raise ValueError(f"importance of model {model!r} must be a finite 1-D or 2-D array, got shape {np.shape(importance)}")
        ranked = -np.sort(-runs, axis=1)
        ranks = np.arange(1, ranked.shape[1] + 1)
        mean = ranked.mean(axis=0)
        axis.bar(ranks, mean, width=1.0, color=_colour(index), alpha=0.8)
        if ranked.shape[0] > 1:
            spread = ranked.std(axis=0, ddof=1)
            axis.errorbar(ranks, mean, yerr=spread, fmt="none", ecolor="0.3", elinewidth=0.6)
        axis.axhline(1 / ranked.shape[1], color="0.2", linestyle="--", linewidth=1)
        evenness = np.mean([metrics.importance_evenness(run) for run in runs])
        axis.set_title(f"{_model_label(model)}: evenness {evenness:.2f}")
        axis.set_xlabel("feature rank")
    axes[0].set_ylabel("share of latent variance")
    return figure


@_styled
def feature_correlation_heatmap(matrix: np.ndarray, title: str | None = None) -> Figure:
    """Pairwise correlation of features, the strongest off-diagonal pair boxed."""
    square = metrics.as_square(matrix)
    i, j, value = metrics.strongest_pair(square)
    figure = _figure(6.2, 5.2)
    axis = figure.subplots()
    colour_map = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=MISSING_COLOUR)
    image = axis.imshow(np.ma.masked_invalid(square), cmap=colour_map, vmin=-1, vmax=1, interpolation="nearest")
    axis.grid(False)
    if i >= 0:
        for row, column in ((i, j), (j, i)):
            axis.add_patch(Rectangle((column - 0.5 - 1, row - 0.5 - 1), 3, 3, fill=False, edgecolor="black", linewidth=1.2))
        summary = f"max |r| = {abs(value):.2f} (features {i} and {j})"
    else:
        summary = "no pair with a defined r"
    axis.set_title(f"{title}\n{summary}" if title else summary)
    axis.set_xlabel("latent feature")
    axis.set_ylabel("latent feature")
    figure.colorbar(image, ax=axis, label="r", shrink=0.85)
    return figure


# ---------------------------------------------------------------------------
# Comparison across models (Section 4.5)
# ---------------------------------------------------------------------------


@_styled
def seed_comparison(per_seed: pd.DataFrame, quantities: Mapping[str, str]) -> Figure:
    """One panel per quantity: a dot per seed and a bar at the mean, per model.

    ``per_seed`` has columns ``model``, ``seed`` and the keys of
    ``quantities`` (which map column names to axis labels).
    """
    if not quantities:
        raise ValueError("quantities is empty")
    missing = [column for column in ("model", *quantities) if column not in per_seed.columns]
    if missing:
        raise ValueError(f"per_seed lacks column(s) {missing}")
    models = list(dict.fromkeys(per_seed["model"]))
    figure = _figure(max(6.0, 2.9 * len(quantities)), 3.4)
    axes = figure.subplots(1, len(quantities), squeeze=False)[0]
    positions = np.arange(len(models))
    for axis, (column, label) in zip(axes, quantities.items()):
        for index, model in enumerate(models):
            values = per_seed.loc[per_seed["model"] == model, column].to_numpy(dtype=float)
            axis.bar(index, np.nanmean(values), color=_colour(index), alpha=0.35, width=0.6)
            jitter = np.linspace(-0.12, 0.12, values.size) if values.size > 1 else np.zeros(1)
            axis.scatter(index + jitter, values, color=_colour(index), edgecolor="black", linewidth=0.4, zorder=3)
        axis.set_xticks(positions, [_model_label(model) for model in models], rotation=20, ha="right")
        axis.set_title(label)
    return figure
