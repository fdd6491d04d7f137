"""Figures of what the study's features mean (Sections 4.3 to 4.5).

Correlations with attributes, sex differences, feature curves and the trials
that activate a feature most, importance, redundancy, and seeds compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from analysis.data import CHANNEL_UNITS, CHANNELS, tables
from analysis.evaluation import arrays, attribute_correlation, code_measures
from analysis.sae.figures_latent import model_label
from analysis.style import (
    CONTINUOUS_CMAP,
    MISSING_COLOUR,
    SIGNED_CMAP,
    attribute_label,
    channel_axes,
    channel_units,
    curve_array,
    label_channel_axes,
    marker_size,
    nan_mean_sd,
    new_figure,
    palette_colour,
    panel_grid,
    stance_axis,
    styled,
)

# ---------------------------------------------------------------------------
# Figure 5: metadata correlations
# ---------------------------------------------------------------------------


def _single_level(table: pd.DataFrame) -> str:
    levels = table["level"].unique() if "level" in table.columns else []
    if len(levels) != 1:
        raise ValueError(f"table must hold correlations of exactly one level, found {list(levels)}")
    return str(levels[0])


@styled
def correlation_heatmap(table: pd.DataFrame, n_features: int | None = None, alpha: float = 0.05) -> Figure:
    """r of features with attributes (attributes as rows, features as columns).

    ``table`` is ``attribute_correlation.attribute_correlations`` output. ``n_features``
    keeps the features with the largest |r| for any attribute (in feature
    order); ``None`` shows all. Dots mark q < ``alpha``; grey cells have no r
    (constant features).
    """
    tables.require_columns(table, attribute_correlation.CORRELATION_COLUMNS, "table")
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
    figure = new_figure(min(16.0, max(6.0, 0.16 * values.shape[1] + 3)), 0.45 * len(attributes) + 1.8)
    axis = figure.subplots()
    colour_map = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=MISSING_COLOUR)
    image = axis.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=colour_map, vmin=-limit, vmax=limit, interpolation="nearest")
    axis.grid(False)
    rows, columns = np.nonzero(q.to_numpy(dtype=float) < alpha)
    axis.scatter(columns, rows, marker="o", s=9, color="black", linewidths=0)
    axis.set_yticks(range(len(attributes)), [attribute_label(attribute) for attribute in attributes])
    feature_ids = list(r.columns)
    step = 1 if len(feature_ids) <= 40 else 5 if len(feature_ids) <= 200 else 20
    axis.set_xticks(range(0, len(feature_ids), step), [str(feature) for feature in feature_ids[::step]])
    axis.set_xlabel("latent feature")
    axis.set_title(f"Correlation with metadata ({level} level; dots: q < {alpha})")
    figure.colorbar(image, ax=axis, label="r", shrink=0.9)
    return figure


@styled
def strongest_scatter(codes: np.ndarray, trials: pd.DataFrame, table: pd.DataFrame, attribute: str, k: int = 4) -> Figure:
    """The ``k`` features most correlated with ``attribute``, plotted against it.

    Points are at the table's level (trials, sessions or subjects), so the
    picture shows exactly the data the r and q in each title come from.
    """
    level = _single_level(table)
    strongest = attribute_correlation.strongest_correlations(table, attribute, k)
    features, aggregated = attribute_correlation.level_means(codes, trials, level, [attribute])
    x = aggregated[attribute].to_numpy(dtype=float)
    present = np.isfinite(x)
    n_columns = min(len(strongest), 4)
    figure = new_figure(3.4 * n_columns, 3.2 * -(-len(strongest) // n_columns) + 0.4)
    axes = panel_grid(figure, len(strongest), n_columns)
    size = marker_size(int(present.sum()))
    for index, (axis, row) in enumerate(zip(axes, strongest.itertuples(index=False))):
        y = features[:, int(row.feature)]
        axis.scatter(x[present], y[present], s=size, color=palette_colour(0), alpha=0.5, linewidths=0)
        slope, intercept = np.polyfit(x[present], y[present], 1)
        line_x = np.array([x[present].min(), x[present].max()])
        axis.plot(line_x, slope * line_x + intercept, color=palette_colour(3), linewidth=1.5)
        axis.set_title(f"feature {int(row.feature)}: r = {row.r:.2f}, q = {row.q:.1g}")
        axis.set_xlabel(attribute_label(attribute))
        if index % n_columns == 0:
            axis.set_ylabel("code" if level == "trial" else f"mean code per {level}")
    figure.suptitle(f"Strongest correlations with {attribute_label(attribute)} ({level} level, n = {int(present.sum())})")
    return figure


@styled
def sex_difference_plot(table: pd.DataFrame) -> Figure:
    """Hedges' g (male − female) of every feature with its 95 % CI, sorted by g.

    ``table`` is ``attribute_correlation.sex_differences`` output; features whose interval
    excludes zero are coloured, the rest grey. Features without g are omitted.
    """
    tables.require_columns(table, ("feature", "g", "ci_low", "ci_high", "n_male", "n_female"), "table")
    rows = table[table["g"].notna()].sort_values("g", kind="stable")
    if rows.empty:
        raise ValueError("table has no feature with a finite Hedges' g")
    figure = new_figure(min(16.0, max(6.0, 0.12 * len(rows) + 3)), 4)
    axis = figure.subplots()
    positions = np.arange(len(rows))
    excludes_zero = ((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).to_numpy()
    for mask, colour, label in ((excludes_zero, palette_colour(0), "95 % CI excludes 0"), (~excludes_zero, MISSING_COLOUR, "95 % CI includes 0")):
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


@styled
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
    array = curve_array(curves_by_feature, channels, "curves_by_feature")
    baseline = curve_array(baseline_curves, channels, "baseline_curves", ndim=2)
    if baseline.shape[-1] != array.shape[-1]:
        raise ValueError(f"baseline_curves has {baseline.shape[-1]} samples but curves_by_feature has {array.shape[-1]}")
    if mode not in ("deviation", "overlay"):
        raise ValueError(f"unknown mode {mode!r}; choose 'deviation' or 'overlay'")
    unit_list = channel_units(channels, units)
    ids = list(range(array.shape[0])) if feature_ids is None else list(feature_ids)
    if len(ids) != array.shape[0]:
        raise ValueError(f"got {len(ids)} feature ids for {array.shape[0]} patterns")
    figure = new_figure(9, 1.9 * -(-len(channels) // 2) + 0.7)
    axes = channel_axes(figure, channels)
    stance = stance_axis(array.shape[-1])
    for channel_index, axis in enumerate(axes):
        if mode == "overlay":
            axis.plot(stance, baseline[channel_index], color="black", linestyle="--", linewidth=1.8)
        else:
            axis.axhline(0, color="0.3", linewidth=0.7)
        for row in range(len(ids)):
            shown = array[row, channel_index] - (baseline[channel_index] if mode == "deviation" else 0.0)
            axis.plot(stance, shown, color=palette_colour(row), linewidth=1.3)
    label_channel_axes(axes, channels, unit_list, prefix="Δ " if mode == "deviation" else "")
    handles = [Line2D([], [], color=palette_colour(row), label=f"feature {feature}") for row, feature in enumerate(ids)]
    if mode == "overlay":
        handles.append(Line2D([], [], color="black", linestyle="--", label="baseline"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
    figure.suptitle("Decoded from single features" + (" (minus the baseline)" if mode == "deviation" else ""))
    return figure


@styled
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
    array = curve_array(curves, channels, "curves")
    code_array = arrays.as_codes(codes)
    if code_array.shape[0] != array.shape[0]:
        raise ValueError(f"codes has {code_array.shape[0]} rows but curves has {array.shape[0]}")
    if not 0 <= feature_id < code_array.shape[1]:
        raise ValueError(f"feature_id {feature_id} out of range for {code_array.shape[1]} features")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    mean = nan_mean_sd(array)[0] if cohort_mean is None else curve_array(cohort_mean, channels, "cohort_mean", ndim=2)
    unit_list = channel_units(channels, units)
    top = np.argsort(-code_array[:, feature_id], kind="stable")[: min(k, array.shape[0])]
    shades = mpl.colormaps[CONTINUOUS_CMAP](np.linspace(0.15, 0.85, top.size))
    figure = new_figure(9, 1.9 * -(-len(channels) // 2) + 0.7)
    axes = channel_axes(figure, channels)
    stance = stance_axis(array.shape[-1])
    for channel_index, axis in enumerate(axes):
        for shade, trial in zip(shades, top):
            axis.plot(stance, array[trial, channel_index], color=shade, linewidth=0.8, alpha=0.8)
        axis.plot(stance, mean[channel_index], color="black", linewidth=2)
    label_channel_axes(axes, channels, unit_list)
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


@styled
def importance_plot(importance_by_model: Mapping[str, np.ndarray]) -> Figure:
    """Variance share of each feature, sorted, one panel per model.

    Each value is a 1-D array (one run) or ``(n_seeds, n_features)``; for
    several seeds every seed is sorted on its own and the panel shows the mean
    share at each rank ± SD. The dashed line is a perfectly even split.
    """
    if not importance_by_model:
        raise ValueError("importance_by_model is empty")
    figure = new_figure(max(5.0, 3.8 * len(importance_by_model)), 3.6)
    axes = figure.subplots(1, len(importance_by_model), squeeze=False, sharey=True)[0]
    for index, (axis, (model, importance)) in enumerate(zip(axes, importance_by_model.items())):
        runs = np.atleast_2d(np.asarray(importance, dtype=float))
        if runs.ndim != 2 or not np.isfinite(runs).all():
            raise ValueError(f"importance of model {model!r} must be a finite 1-D or 2-D array, got shape {np.shape(importance)}")
        ranked = -np.sort(-runs, axis=1)
        ranks = np.arange(1, ranked.shape[1] + 1)
        mean = ranked.mean(axis=0)
        axis.bar(ranks, mean, width=1.0, color=palette_colour(index), alpha=0.8)
        if ranked.shape[0] > 1:
            spread = ranked.std(axis=0, ddof=1)
            axis.errorbar(ranks, mean, yerr=spread, fmt="none", ecolor="0.3", elinewidth=0.6)
        axis.axhline(1 / ranked.shape[1], color="0.2", linestyle="--", linewidth=1)
        evenness = np.mean([code_measures.importance_evenness(run) for run in runs])
        axis.set_title(f"{model_label(model)}: evenness {evenness:.2f}")
        axis.set_xlabel("feature rank")
    axes[0].set_ylabel("share of latent variance")
    return figure


@styled
def feature_correlation_heatmap(matrix: np.ndarray, title: str | None = None) -> Figure:
    """Pairwise correlation of features, the strongest off-diagonal pair boxed."""
    square = code_measures.as_square(matrix)
    i, j, value = code_measures.strongest_pair(square)
    figure = new_figure(6.2, 5.2)
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


@styled
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
    figure = new_figure(max(6.0, 2.9 * len(quantities)), 3.4)
    axes = figure.subplots(1, len(quantities), squeeze=False)[0]
    positions = np.arange(len(models))
    for axis, (column, label) in zip(axes, quantities.items()):
        for index, model in enumerate(models):
            values = per_seed.loc[per_seed["model"] == model, column].to_numpy(dtype=float)
            axis.bar(index, np.nanmean(values), color=palette_colour(index), alpha=0.35, width=0.6)
            jitter = np.linspace(-0.12, 0.12, values.size) if values.size > 1 else np.zeros(1)
            axis.scatter(index + jitter, values, color=palette_colour(index), edgecolor="black", linewidth=0.4, zorder=3)
        axis.set_xticks(positions, [model_label(model) for model in models], rotation=20, ha="right")
        axis.set_title(label)
    return figure
