"""Figures of the study's models and latent space (Sections 3.2, 4.1 and 4.2).

Learning curves, encoder weights, single-feature patterns, activation
histograms and rates, t-SNE maps and clusters of the codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from analysis.config import MODEL_LABELS
from analysis.data import CHANNEL_UNITS, CHANNELS, SIDES, tables
from analysis.evaluation import (
    arrays,
    attribute_correlation,
    code_measures,
    latent_structure,
)
from analysis.style import (
    CONTINUOUS_CMAP,
    MISSING_COLOUR,
    PAGE_WIDTH_INCHES,
    PART_ORDER,
    SEX_COLUMNS,
    SIGNED_CMAP,
    Segment,
    attribute_label,
    channel_units,
    component_label,
    curve_array,
    marker_size,
    missing_handle,
    new_figure,
    palette_colour,
    panel_grid,
    stance_axis,
    styled,
)

# The loss terms as the models chapter names them (the history stores short keys).
LOSS_TERM_LABELS: dict[str, str] = {
    "total": "total (weighted sum)",
    "reconstruction": "reconstruction (MSE)",
    "kl_sparsity": "KL sparsity",
    "l1": "L1 of the code",
    "disentanglement": "covariance penalty",
    "vae_kl": "KL to the prior",
}


def model_label(name: str) -> str:
    return MODEL_LABELS.get(name, name)


def side_pairs(channels: Sequence[str]) -> list[tuple[str, dict[str, int]]] | None:
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

# ---------------------------------------------------------------------------
# Models chapter
# ---------------------------------------------------------------------------


@styled
def learning_curves(history: pd.DataFrame) -> Figure:
    """Loss terms over epochs: a column per model, a row per term, train vs validation.

    ``history`` has columns model, seed, epoch, part, term, value. Each seed
    is a thin line, the mean over seeds a thick one (drawn up to the last
    epoch that every seed reached). Panels for a term that is not part of a
    model's loss say so. The y axis is logarithmic when every value in a
    panel is positive.
    """
    tables.require_columns(history, ["model", "seed", "epoch", "part", "term", "value"], "history")
    if history.empty:
        raise ValueError("history is empty")
    models = list(dict.fromkeys(history["model"]))
    terms = list(dict.fromkeys(history["term"]))
    if "total" in terms:
        terms.insert(0, terms.pop(terms.index("total")))
    parts = sorted(dict.fromkeys(history["part"]), key=lambda part: (PART_ORDER.index(part) if part in PART_ORDER else len(PART_ORDER), str(part)))
    part_colours = {part: palette_colour(index) for index, part in enumerate(parts)}
    figure = new_figure(PAGE_WIDTH_INCHES, 1.75 * len(terms) + 0.8)
    axes = figure.subplots(len(terms), len(models), squeeze=False, sharex=True)
    for column, model in enumerate(models):
        for row, term in enumerate(terms):
            axis = axes[row, column]
            panel = history[(history["model"] == model) & (history["term"] == term)]
            if row == 0:
                axis.set_title(model_label(model))
            if column == 0:
                axis.set_ylabel(LOSS_TERM_LABELS.get(term, term).replace(" (", "\n("))
            if row == len(terms) - 1:
                axis.set_xlabel("epoch")
            if panel.empty:
                axis.set_yticks([])
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
                axis.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
                axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
                axis.yaxis.set_minor_formatter(NullFormatter())
    handles = [Line2D([], [], color=part_colours[part], linewidth=2, label=part) for part in parts]
    handles.append(Line2D([], [], color="0.4", linewidth=0.7, label="single seed"))
    figure.legend(handles=handles, loc="outside upper center", ncols=len(handles))
    return figure


# ---------------------------------------------------------------------------
# Figure 1: encoder weights and decoded patterns
# ---------------------------------------------------------------------------


@styled
def encoder_weights(weights: np.ndarray, layout: Sequence[Segment], title: str | None = None) -> Figure:
    """Encoder weights as a heatmap: latent features × wavelet coefficients.

    Thick lines separate channels, thin lines the wavelet bands within a
    channel; channels are named below the map, and the order of the bands
    within each channel (coarse to fine) above it: the narrow coarse bands
    leave no room for a label each at page width. The colour
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
    figure = new_figure(PAGE_WIDTH_INCHES, 4.2)
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
    first_channel_bands = [segment.band for segment in segments if segment.channel == segments[0].channel]
    axis.text(
        0.5, 1.01, "bands within each channel: " + " | ".join(first_channel_bands) + " (coarse → fine)",
        transform=axis.transAxes, ha="center", va="bottom", color="0.3",
    )
    axis.set_ylabel("latent feature")
    axis.set_xlabel("wavelet coefficients by channel")
    figure.colorbar(image, ax=axis, label="encoder weight", shrink=0.8)
    if title:
        axis.set_title(title, pad=18)
    return figure


@styled
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
    array = curve_array(curves_by_feature, channels, "curves_by_feature")
    unit_list = channel_units(channels, units)
    ids = list(range(array.shape[0])) if feature_ids is None else list(feature_ids)
    if len(ids) != array.shape[0]:
        raise ValueError(f"got {len(ids)} feature ids for {array.shape[0]} patterns")
    pairs = side_pairs(channels)
    columns = pairs if pairs is not None else [(channel, {"": index}) for index, channel in enumerate(channels)]
    figure = new_figure(2.3 * len(columns) + 0.5, 1.7 * len(ids) + 0.8)
    axes = figure.subplots(len(ids), len(columns), squeeze=False, sharex=True)
    stance = stance_axis(array.shape[-1])
    styles = {"left": "-", "right": "--", "": "-"}
    for row, feature in enumerate(ids):
        for column, (name, sides) in enumerate(columns):
            axis = axes[row, column]
            for side, channel_index in sides.items():
                axis.plot(stance, array[row, channel_index], color=palette_colour(column), linestyle=styles[side], label=side or None)
            if row == 0:
                first_channel = next(iter(sides.values()))
                axis.set_title(f"{component_label(name)} ({unit_list[first_channel]})")
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


@styled
def activation_histograms(
    codes: np.ndarray,
    feature_ids: Sequence[int],
    threshold: float | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram of each chosen feature's codes, with the activity threshold marked.

    ``threshold`` is a code value; by default the book's rule
    (``code_measures.activity_threshold``). Each panel names the feature's
    activation rate, the share of exact zeros and its bimodality coefficient.
    """
    array = arrays.as_codes(codes)
    ids = list(feature_ids)
    if not ids:
        raise ValueError("feature_ids is empty")
    bad = [feature for feature in ids if not 0 <= feature < array.shape[1]]
    if bad:
        raise ValueError(f"feature id(s) {bad} out of range for {array.shape[1]} features")
    cut = code_measures.activity_threshold(array) if threshold is None else float(threshold)
    n_columns = min(len(ids), 4)
    figure = new_figure(3.1 * n_columns, 2.8 * -(-len(ids) // n_columns) + 0.5)
    axes = panel_grid(figure, len(ids), n_columns)
    for axis, feature in zip(axes, ids):
        values = array[:, feature]
        axis.hist(values, bins=40, color=palette_colour(0), alpha=0.8)
        axis.axvline(cut, color=palette_colour(3), linestyle="--", linewidth=1.2)
        if values.min() < 0:
            axis.axvline(-cut, color=palette_colour(3), linestyle="--", linewidth=1.2)
        rate = float((np.abs(values) > cut).mean())
        bimodality = code_measures.bimodality_coefficient(values) if values.size >= 4 else float("nan")
        zeros = float((values == 0).mean())
        axis.set_title(f"feature {feature}: active {rate:.0%}\nzeros {zeros:.0%}, b = {bimodality:.2f}")
        axis.set_xlabel("code value")
        axis.set_ylabel("inputs")
    if title:
        figure.suptitle(title)
    return figure


@styled
def activation_rate_distribution(rates_by_model: Mapping[str, np.ndarray], target: float | None = 0.05) -> Figure:
    """Per-feature activation rates of each model (points, box), the mean (bar) and the target ρ.

    Rates from several seeds may be concatenated into one array per model.
    """
    if not rates_by_model:
        raise ValueError("rates_by_model is empty")
    figure = new_figure(max(5.0, 1.9 * len(rates_by_model) + 1.5), 4)
    axis = figure.subplots()
    jitter = np.random.default_rng(0)
    tick_labels: list[str] = []
    for position, (model, rates) in enumerate(rates_by_model.items()):
        values = np.asarray(rates, dtype=float).ravel()
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise ValueError(f"no finite activation rates for model {model!r}")
        axis.boxplot(values, positions=[position], widths=0.5, showfliers=False, medianprops={"color": "black"})
        axis.scatter(position + jitter.uniform(-0.18, 0.18, values.size), values, s=10, color=palette_colour(position), alpha=0.6, zorder=3)
        axis.plot([position - 0.3, position + 0.3], [values.mean()] * 2, color=palette_colour(position), linewidth=2.5, zorder=4)
        tick_labels.append(f"{model_label(model)}\nmean {values.mean():.3f}")
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
        handles.append(missing_handle(int((~present).sum())))
    order = np.random.default_rng(0).permutation(np.flatnonzero(present))
    if attribute in SEX_COLUMNS and _is_binary(values):
        for code, name in ((0.0, "female"), (1.0, "male")):
            chosen = order[values[order] == code]
            axis.scatter(points[chosen, 0], points[chosen, 1], s=size, color=palette_colour(int(code)), linewidths=0, label=name)
        handles = [Line2D([], [], marker="o", linestyle="", color=palette_colour(code), label=name) for code, name in ((0, "female"), (1, "male"))] + handles
    elif order.size:
        mappable = axis.scatter(points[order, 0], points[order, 1], c=values[order], s=size, cmap=CONTINUOUS_CMAP, linewidths=0)
        figure.colorbar(mappable, ax=axis, label=attribute_label(attribute))
    else:
        axis.text(0.5, 0.5, "no values", transform=axis.transAxes, ha="center", va="center")
    if handles:
        axis.legend(handles=handles, loc="best", fontsize="small")


@styled
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
    points = arrays.as_codes(embedding, "embedding")
    if points.shape[1] != 2:
        raise ValueError(f"embedding must have 2 columns, got shape {points.shape}")
    if len(trials) != points.shape[0]:
        raise ValueError(f"embedding has {points.shape[0]} rows but trials has {len(trials)}")
    if not attributes:
        raise ValueError("attributes is empty")
    n_columns = min(len(attributes), 2)
    figure = new_figure(5.2 * n_columns, 4.3 * -(-len(attributes) // n_columns) + 0.4)
    axes = panel_grid(figure, len(attributes), n_columns)
    size = marker_size(points.shape[0])
    for axis, attribute in zip(axes, attributes):
        _coloured_scatter(figure, axis, points, tables.numeric_column(trials, attribute), attribute, size)
        axis.set_title(attribute_label(attribute))
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


@styled
def cluster_plot(
    cluster_result: latent_structure.ClusterResult,
    trials: pd.DataFrame,
    attributes: Sequence[str] = attribute_correlation.ATTRIBUTES,
    sex_column: str = "SUBJECT_SEX",
) -> Figure:
    """PCA view of the KMeans clusters, beside who is in each cluster.

    Left: trials on PC1/PC2 coloured by cluster, centres marked. Right: per
    cluster the mean ± SD of each attribute and the share of men.
    """
    composition = latent_structure.cluster_composition(cluster_result.labels, trials, attributes, sex_column)
    bar_names = [*attributes, "share_male"]
    figure = new_figure(12, max(5.0, 1.45 * len(bar_names)))
    mosaic = [["scatter", name] for name in bar_names]
    axes = figure.subplot_mosaic(mosaic, width_ratios=[1.6, 1])
    scatter = axes["scatter"]
    coordinates = cluster_result.pca_coordinates
    size = marker_size(coordinates.shape[0])
    for cluster in range(cluster_result.k):
        members = cluster_result.labels == cluster
        scatter.scatter(
            coordinates[members, 0],
            coordinates[members, 1],
            s=size,
            color=palette_colour(cluster),
            linewidths=0,
            alpha=0.7,
            label=f"cluster {cluster} ({int(members.sum())})",
        )
    for cluster, (x, y) in enumerate(cluster_result.centroids_pca):
        scatter.scatter([x], [y], marker="X", s=120, color=palette_colour(cluster), edgecolors="black", linewidths=1.2, zorder=4)
    ratio = cluster_result.explained_variance_ratio
    share = cluster_result.between_cluster_share
    scatter.set_xlabel(f"PC1 ({ratio[0]:.0%} of variance; clusters explain {share[0]:.0%})")
    scatter.set_ylabel(f"PC2 ({ratio[1]:.0%} of variance; clusters explain {share[1]:.0%})")
    scatter.set_title(f"KMeans (k = {cluster_result.k}) on the codes, shown on PCA axes")
    scatter.legend(loc="best", fontsize="small", markerscale=2)
    positions = composition["cluster"].to_numpy()
    colours = [palette_colour(int(cluster)) for cluster in positions]
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
            axis.set_ylabel(attribute_label(name).replace(" (", "\n("))
        axis.set_xticks(positions)
        if name != bar_names[-1]:
            axis.tick_params(labelbottom=False)
    axes[bar_names[-1]].set_xlabel("cluster")
    axes[bar_names[0]].set_title("mean ± SD per cluster")
    return figure
