"""Figures of the data chapter: the cohort's curves and walking speeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.data import tables
from analysis.data.gutenberg import CHANNEL_UNITS, CHANNELS
from analysis.style import (
    attribute_label,
    channel_axes,
    channel_units,
    curve_array,
    label_channel_axes,
    nan_mean_sd,
    new_figure,
    palette_colour,
    stance_axis,
    styled,
)

# ---------------------------------------------------------------------------
# Data chapter
# ---------------------------------------------------------------------------


@styled
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
    array = curve_array(curves, channels, "curves")
    unit_list = channel_units(channels, units)
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
    figure = new_figure(9, 1.9 * -(-len(channels) // 2) + 0.6)
    axes = channel_axes(figure, channels)
    stance = stance_axis(array.shape[-1])
    handles = []
    for index, (name, mask) in enumerate(members.items()):
        mean, sd = nan_mean_sd(array[mask])
        colour = palette_colour(index)
        for channel_index, axis in enumerate(axes):
            axis.fill_between(stance, mean[channel_index] - sd[channel_index], mean[channel_index] + sd[channel_index], color=colour, alpha=0.2, linewidth=0)
            axis.plot(stance, mean[channel_index], color=colour)
        handles.append(Line2D([], [], color=colour, label=f"{name} (n = {int(mask.sum())})"))
    label_channel_axes(axes, channels, unit_list)
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    figure.suptitle("Mean ± SD over trials")
    return figure



@styled
def speed_distribution(trials: pd.DataFrame) -> Figure:
    """Walking speed per trial and per subject, and by sub-dataset (missing speeds counted)."""
    tables.require_columns(trials, ["WALKING_SPEED", "SUBJECT_ID", "DATASET_ID"])
    speed = tables.numeric_column(trials, "WALKING_SPEED")
    present = np.isfinite(speed)
    if not present.any():
        raise ValueError("trials column 'WALKING_SPEED' has no values")
    subject_means = pd.Series(speed).groupby(trials["SUBJECT_ID"].to_numpy()).mean().dropna().to_numpy()
    figure = new_figure(10, 3.8)
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.4])
    edges = np.histogram_bin_edges(speed[present], bins=30)
    left.hist(speed[present], bins=edges, density=True, color=palette_colour(0), alpha=0.6, label=f"trials ({int(present.sum())})")
    left.hist(subject_means, bins=edges, density=True, histtype="step", color=palette_colour(1), linewidth=1.8, label=f"subject means ({subject_means.size})")
    left.set_xlabel(attribute_label("WALKING_SPEED"))
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
                boxprops={"facecolor": palette_colour(0), "alpha": 0.5},
                medianprops={"color": "black"},
            )
        else:
            right.text(position, float(np.median(speed[present])), "no speed", rotation=90, ha="center", va="center", color="0.4")
    right.set_xticks(range(len(datasets)), [str(dataset) for dataset in datasets])
    right.set_xlim(-0.7, len(datasets) - 0.3)
    right.set_xlabel("sub-dataset (DATASET_ID)")
    right.set_ylabel(attribute_label("WALKING_SPEED"))
    right.set_title("by sub-dataset")
    return figure


@styled
def shape_comparison(shapes: Mapping[str, pd.DataFrame], speeds: Mapping[str, np.ndarray] | None = None) -> Figure:
    """Mean vertical force shapes (curve / its stance mean) of several sources, each with its interval band.

    ``shapes`` maps a source label to a table with columns sample, mean, low,
    high (e.g. :func:`analysis.evaluation.vertical_yardstick.mean_shape`);
    ``speeds``, when given, adds a panel with each source's trial speeds.
    """
    if not shapes:
        raise ValueError("no shape to plot")
    for label, table in shapes.items():
        tables.require_columns(table, ["sample", "mean", "low", "high"], f"shape of {label}")
    n_panels = 2 if speeds else 1
    figure = new_figure(7.0, 3.2)
    axes = figure.subplots(1, n_panels, width_ratios=[2.2, 1] if speeds else None, squeeze=False)[0]
    shape_axis = axes[0]
    for index, (label, table) in enumerate(shapes.items()):
        colour = palette_colour(index)
        shape_axis.fill_between(table["sample"], table["low"], table["high"], color=colour, alpha=0.25, linewidth=0)
        shape_axis.plot(table["sample"], table["mean"], color=colour, linewidth=1.8, label=label)
    shape_axis.set_xlabel("% stance")
    shape_axis.set_ylabel("vertical force / its stance mean")
    shape_axis.legend(loc="lower center")
    if speeds:
        speed_axis = axes[1]
        values = [np.asarray(speeds[label], dtype=float) for label in shapes if label in speeds]
        labels = [label for label in shapes if label in speeds]
        parts = speed_axis.boxplot(values, showfliers=False, patch_artist=True, widths=0.6)
        for index, box in enumerate(parts["boxes"]):
            box.set_facecolor(palette_colour(index))
            box.set_alpha(0.5)
        speed_axis.set_xticks(range(1, len(labels) + 1), [label.replace(" (", "\n(") for label in labels])
        speed_axis.set_ylabel(attribute_label("WALKING_SPEED"))
        speed_axis.set_title("trial speeds")
    return figure
