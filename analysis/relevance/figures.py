"""Figures of the relevance chapter: maps over channel × stance, shares, deletion curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import style
from analysis.relevance.attribution import METHOD_LABELS
from analysis.relevance.data import EARLY_PHASE


@style.styled
def relevance_maps(maps: dict[str, np.ndarray], channels: tuple[str, ...]) -> Figure:
    """One heat map per panel (title → channel × sample map, each scaled to its own maximum)."""
    figure = style.new_figure(7.5, 1.9 * len(maps) + 0.6)
    axes = figure.subplots(len(maps), 1, squeeze=False)[:, 0]
    labels = [style.channel_label(channel) for channel in channels]
    for axis, (title, values) in zip(axes, maps.items()):
        scaled = np.abs(values) / max(np.abs(values).max(), 1e-12)
        image = axis.imshow(scaled, aspect="auto", cmap=style.CONTINUOUS_CMAP, vmin=0, vmax=1, extent=(-0.5, 100.5, len(channels) - 0.5, -0.5))
        axis.axvline(EARLY_PHASE[1] + 0.5, color="white", linewidth=1.2, linestyle="--")
        axis.set_yticks(range(len(channels)), labels)
        axis.grid(False)
        axis.set_title(title)
        figure.colorbar(image, ax=axis, label="share of maximum")
    axes[-1].set_xlabel("stance (%)")
    return figure


@style.styled
def share_bars(shares: pd.DataFrame) -> Figure:
    """Component shares (rows: components; columns: maps), as grouped bars."""
    figure = style.new_figure(7.5, 3.0)
    axis = figure.subplots()
    width = 0.8 / max(len(shares.columns), 1)
    positions = np.arange(len(shares.index))
    for index, column in enumerate(shares.columns):
        axis.bar(positions + index * width, 100 * shares[column].to_numpy(), width, label=column, color=style.palette_colour(index))
    axis.set_xticks(positions + 0.4 - width / 2, [style.component_label(name) for name in shares.index], rotation=15)
    axis.set_ylabel("share of |relevance| (%)")
    axis.legend(frameon=False)
    return figure


@style.styled
def deletion_curves(curves: pd.DataFrame, chance: float) -> Figure:
    """Accuracy after replacing the top fraction of values, per attribution method."""
    figure = style.new_figure(7.0, 3.2)
    axis = figure.subplots()
    for index, column in enumerate(curves.columns):
        axis.plot(100 * curves.index.to_numpy(), curves[column].to_numpy(), marker="o", label=METHOD_LABELS.get(column, column), color=style.palette_colour(index))
    axis.axhline(chance, color="0.5", linestyle=":", label="chance")
    axis.set_xlabel("values replaced by the training mean (%)")
    axis.set_ylabel("test accuracy")
    axis.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure
