"""Figures of the VAE-synthesis chapter: generated next to cohort curves, spread over stance, the learning curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.style import channel_label, new_figure, palette_colour, stance_axis, styled
from analysis.vae_synthesis import augmentation

SHOWN_CHANNELS: tuple[str, ...] = ("F_V_left", "F_AP_left", "COP_AP_left", "COP_ML_left")
UNITS = {"F_V": "BW", "F_AP": "BW", "F_ML": "BW", "COP_AP": "m", "COP_ML": "m"}


def _unit(channel: str) -> str:
    return UNITS[channel.rsplit("_", 1)[0]]


def _two_line_label(channel: str, unit: bool = True) -> str:
    """"vertical force, left" as two lines, so neighbouring panel titles do not collide."""
    label = channel_label(channel).replace(", ", "\n", 1)
    return f"{label} ({_unit(channel)})" if unit else label


@styled
def example_curves(sets: dict[str, np.ndarray], channels: tuple[str, ...], n_shown: int = 15, seed: int = 0) -> Figure:
    """A few trials of each source (rows) for four channels (columns), same axes per channel."""
    figure = new_figure(7.5, 1.9 * len(sets))
    axes = figure.subplots(len(sets), len(SHOWN_CHANNELS), squeeze=False, sharex=True, sharey="col")
    rng = np.random.default_rng(seed)
    stance = stance_axis(next(iter(sets.values())).shape[-1])
    for row, (label, curves) in enumerate(sets.items()):
        picks = rng.choice(len(curves), size=min(n_shown, len(curves)), replace=False)
        for column, channel in enumerate(SHOWN_CHANNELS):
            axis = axes[row, column]
            axis.plot(stance, curves[picks, channels.index(channel)].T, color=palette_colour(row), linewidth=0.7, alpha=0.8)
            if row == 0:
                axis.set_title(_two_line_label(channel))
            if column == 0:
                axis.set_ylabel(label)
            if row == len(sets) - 1:
                axis.set_xlabel("stance (%)")
    return figure


@styled
def spread_ratio(ratios: dict[str, np.ndarray], channels: tuple[str, ...]) -> Figure:
    """Per-sample SD of generated trials over the cohort's, channel by channel; 1 is the cohort's spread."""
    figure = new_figure(7.5, 8.0)
    n_rows = -(-len(channels) // 2)
    axes = figure.subplots(n_rows, 2, squeeze=False, sharex=True, sharey=True)
    stance = stance_axis(next(iter(ratios.values())).shape[-1])
    for index, channel in enumerate(channels):
        axis = axes[index // 2, index % 2]
        for colour, (label, ratio) in enumerate(ratios.items()):
            axis.plot(stance, ratio[index], color=palette_colour(colour), label=label)
        axis.axhline(1.0, color="0.3", linewidth=0.8, linestyle="--")
        axis.axhspan(0.8, 1.25, color="0.85", zorder=0)
        axis.set_title(channel_label(channel))
        axis.set_yscale("log")
    for axis in axes[-1]:
        axis.set_xlabel("stance (%)")
    figure.supylabel("SD ratio, generated / cohort (log scale)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    return figure


@styled
def learning_curve(gains: pd.DataFrame, errors: pd.DataFrame) -> Figure:
    """Test MSE against real training subjects per regime (left) and the gain over real-only with 95 % intervals (right)."""
    figure = new_figure(7.5, 3.4)
    left, right = figure.subplots(1, 2)
    order = [regime for regime in augmentation.REGIMES if regime in set(gains["regime"])]
    for colour, regime in enumerate(order):
        rows = gains[gains["regime"] == regime].sort_values("subjects")
        style = {"linestyle": "--"} if regime == augmentation.PCA_LABEL else {}
        marker = "s" if regime == augmentation.LEAKY else "o"
        left.plot(rows["subjects"], rows["test MSE"], marker=marker, color=palette_colour(colour), label=regime, **style)
        if regime != augmentation.REAL_ONLY:
            right.errorbar(
                rows["subjects"] * (1 + 0.04 * (colour - 2)),
                rows["gain"],
                yerr=[rows["gain"] - rows["gain low"], rows["gain high"] - rows["gain"]],
                marker=marker,
                color=palette_colour(colour),
                capsize=2,
                **style,
            )
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_xlabel("real training subjects (cohort)")
    left.set_ylabel("test MSE (z-scored values)")
    left.set_yscale("log")
    right.axhline(1.0, color="0.3", linewidth=0.8)
    right.set_ylabel("gain: MSE real-only / MSE regime")
    figure.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=3, frameon=False)
    return figure
