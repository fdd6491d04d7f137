"""Figures of the masked-autoencoder chapter: dose–response, pooled comparison, one twin up close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.data.abnormalities import ABNORMALITIES, mask_runs
from analysis.data.gutenberg import CHANNEL_UNITS
from analysis.gengait.evaluation import MAE, ConditionResult
from analysis.style import channel_label, new_figure, palette_colour, panel_grid, stance_axis, styled

WINDOW_COLOUR = "0.85"


def _colours(methods: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    return {method: palette_colour(index) for index, method in enumerate(methods)}


@styled
def dose_response(table: pd.DataFrame, labels: Mapping[str, str]) -> Figure:
    """Channel AUROC against severity, one panel per kind and side; the autoencoder with its 95 % interval."""
    methods = list(labels)
    colours = _colours(methods)
    panels = table[table["kind"] != "none"][["kind", "side"]].drop_duplicates().to_records(index=False).tolist()
    figure = new_figure(7.5, 2.0 * -(-len(panels) // 3) + 0.8)
    axes = panel_grid(figure, len(panels), 3, sharex=True, sharey=True)
    for axis, (kind, side) in zip(axes, panels):
        chosen = table[(table["kind"] == kind) & (table["side"] == side)]
        for method in methods:
            rows = chosen[chosen["method"] == method].sort_values("severity")
            if method == MAE:
                axis.fill_between(rows["severity"], rows["auroc_low"], rows["auroc_high"], color=colours[method], alpha=0.2, linewidth=0)
            axis.plot(rows["severity"], rows["auroc"], marker="o", markersize=3, color=colours[method],
                      linewidth=2.0 if method == MAE else 1.0)  # fmt: skip
        axis.axhline(0.5, color="0.5", linewidth=0.8, linestyle=":")
        axis.set_title(f"{ABNORMALITIES[kind].label}" + (" (both sides)" if side == "both" else ""))
        axis.set_ylim(0.0, 1.02)
    for index, axis in enumerate(axes):
        if index + 3 >= len(axes):  # no panel below it
            axis.set_xlabel("severity (healthy SD)")
        if axis.get_subplotspec().is_first_col():
            axis.set_ylabel("channel AUROC")
    handles = [Line2D([], [], color=colours[method], linewidth=2.0 if method == MAE else 1.0, label=labels[method]) for method in methods]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    return figure


@styled
def pooled_comparison(pooled: pd.DataFrame, labels: Mapping[str, str]) -> Figure:
    """AUROC pooled over kinds against severity, one panel per scope (one side, both sides), every method."""
    methods = list(labels)
    colours = _colours(methods)
    scopes = list(dict.fromkeys(pooled["scope"]))
    figure = new_figure(7.5, 2.8)
    axes = panel_grid(figure, len(scopes), len(scopes), sharey=True)
    offsets = np.linspace(-0.08, 0.08, len(methods))
    for axis, scope in zip(axes, scopes):
        chosen = pooled[pooled["scope"] == scope]
        for offset, method in zip(offsets, methods):
            rows = chosen[chosen["method"] == method].sort_values("severity")
            x = rows["severity"].to_numpy() + offset
            error = np.vstack([rows["auroc"] - rows["auroc_low"], rows["auroc_high"] - rows["auroc"]])
            axis.errorbar(x, rows["auroc"], yerr=np.nan_to_num(error), color=colours[method], marker="o", markersize=3,
                          linewidth=2.0 if method == MAE else 1.0, capsize=2)  # fmt: skip
        axis.axhline(0.5, color="0.5", linewidth=0.8, linestyle=":")
        axis.set_title(f"abnormality on {scope}")
        axis.set_xlabel("severity (healthy SD)")
        axis.set_ylim(0.0, 1.02)
    axes[0].set_ylabel("channel AUROC, all kinds")
    handles = [Line2D([], [], color=colours[method], linewidth=2.0 if method == MAE else 1.0, label=labels[method]) for method in methods]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    return figure


@styled
def twin_example(result: ConditionResult, trial: int, channels: Sequence[str], mean_curve: np.ndarray, sd_curve: np.ndarray) -> Figure:
    """One trial: the healthy ±2 SD band, the untouched curve (truth), the abnormal input and its twin;
    the flagged time window is shaded."""
    names = list(channels)
    figure = new_figure(7.5, 2.8)
    axes = panel_grid(figure, len(names), len(names))
    stance = stance_axis(result.truth.shape[-1])
    windows = result.methods[MAE].windows
    all_channels = list(CHANNEL_UNITS)
    for axis, channel in zip(axes, names):
        index = all_channels.index(channel)
        for first, last in mask_runs(windows[trial, index]):
            axis.axvspan(first - 0.5, last + 0.5, color=WINDOW_COLOUR, linewidth=0)
        low, high = mean_curve[index] - 2 * sd_curve[index], mean_curve[index] + 2 * sd_curve[index]
        axis.fill_between(stance, low, high, color=palette_colour(0), alpha=0.15, linewidth=0)
        axis.plot(stance, result.truth[trial, index], color="black", linewidth=1.0)
        axis.plot(stance, result.edited[trial, index], color=palette_colour(3), linewidth=1.3)
        axis.plot(stance, result.twin[trial, index], color=palette_colour(2), linewidth=1.3, linestyle="--")
        axis.set_title(channel_label(channel))
        axis.set_xlabel("stance (%)")
        axis.set_ylabel(CHANNEL_UNITS.get(channel, ""))
        axis.set_xlim(0, 100)
    handles = [
        Patch(color=palette_colour(0), alpha=0.15, label="healthy mean ± 2 SD"),
        Line2D([], [], color="black", linewidth=1.0, label="untouched (truth)"),
        Line2D([], [], color=palette_colour(3), linewidth=1.3, label="abnormal input"),
        Line2D([], [], color=palette_colour(2), linewidth=1.3, linestyle="--", label="normative twin"),
        Patch(color=WINDOW_COLOUR, label="flagged window"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    figure.suptitle(result.condition.label)
    return figure
