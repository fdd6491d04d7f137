"""Figures of the chapter "Beyond the study": the frontier, where the variance is lost, probes, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.style import channel_label, new_figure, palette_colour, panel_grid, styled

MARKS = {"study": "s", "calibrated": "D"}


def _colours(labels: list[str]) -> dict[str, tuple[float, float, float]]:
    return {label: palette_colour(index) for index, label in enumerate(labels)}


@styled
def frontier(table: pd.DataFrame) -> Figure:
    """Test FVE against active features per row, one line per method; bars are subject-bootstrap intervals.

    The SAE's operating points are ringed: a square for the study's λ₂, a diamond for the calibrated one.
    """
    if table.empty:
        raise ValueError("no frontier points to plot")
    figure = new_figure(7.0, 4.2)
    axis = figure.subplots()
    colours = _colours(list(dict.fromkeys(table["label"])))
    for label, rows in table.groupby("label", sort=False):
        rows = rows.sort_values("active_per_row")
        errors = np.vstack([rows["fve"] - rows["fve_low"], rows["fve_high"] - rows["fve"]]).clip(min=0)
        axis.errorbar(rows["active_per_row"], rows["fve"], yerr=errors, color=colours[label], marker="o", markersize=4, linewidth=1.4, capsize=2, label=label)
    for mark, symbol in MARKS.items():
        chosen = table[table["mark"] == mark]
        axis.scatter(chosen["active_per_row"], chosen["fve"], s=140, marker=symbol, facecolors="none", edgecolors="0.1", linewidths=1.5, zorder=6)
    axis.set_xscale("log")
    axis.set_xlabel("active features per trial (L0, test subjects)")
    axis.set_ylabel("explained variance (test subjects)")
    handles, _ = axis.get_legend_handles_labels()
    handles += [
        Line2D([], [], linestyle="none", marker="s", markersize=9, markerfacecolor="none", markeredgecolor="0.1", label="SAE at the study's λ₂"),
        Line2D([], [], linestyle="none", marker="D", markersize=9, markerfacecolor="none", markeredgecolor="0.1", label="SAE at the calibrated λ₂"),
    ]
    figure.legend(handles=handles, loc="outside right center")
    return figure


@styled
def parts(table: pd.DataFrame) -> Figure:
    """FVE per wavelet band (left) and per channel (right) of each matched method."""
    figure = new_figure(7.0, 5.6)
    band_axis, channel_axis = figure.subplots(2, 1, height_ratios=[1.0, 1.3])
    labels = list(dict.fromkeys(table["label"]))
    colours = _colours(labels)
    width = 0.8 / max(len(labels), 1)
    for axis, part in ((band_axis, "band"), (channel_axis, "channel")):
        rows = table[table["part"] == part]
        names = list(dict.fromkeys(rows["name"]))
        positions = np.arange(len(names))
        for index, label in enumerate(labels):
            values = rows[rows["label"] == label].set_index("name").reindex(names)["fve"]
            axis.bar(positions + (index - (len(labels) - 1) / 2) * width, values, width=width, color=colours[label], label=label)
        shown = [channel_label(name) for name in names] if part == "channel" else names
        axis.set_xticks(positions, shown, rotation=35 if part == "channel" else 0, ha="right" if part == "channel" else "center")
        axis.set_ylabel("explained variance (test)")
        axis.axhline(0, color="0.4", linewidth=0.8)
    band_axis.set_title("by wavelet band")
    channel_axis.set_title("by channel")
    handles, names = band_axis.get_legend_handles_labels()
    figure.legend(handles, names, loc="outside upper center", ncols=3)
    return figure


@styled
def probes(table: pd.DataFrame, k: int) -> Figure:
    """Probe scores at ``k`` features per method and target, with subject-bootstrap intervals."""
    rows = table[table["k"] == k]
    targets = list(dict.fromkeys(rows["target"]))
    labels = list(dict.fromkeys(rows["label"]))
    colours = _colours(labels)
    figure = new_figure(7.0, 3.8)
    axes = panel_grid(figure, len(targets), min(len(targets), 3), sharey=False)
    for axis, target in zip(axes, targets):
        values = rows[rows["target"] == target].set_index("label").reindex(labels)
        positions = np.arange(len(labels))
        errors = np.vstack([values["score"] - values["low"], values["high"] - values["score"]]).clip(min=0)
        axis.bar(positions, values["score"], yerr=errors, color=[colours[label] for label in labels], capsize=2)
        axis.set_xticks(positions, [""] * len(labels))
        axis.set_title(target)
        axis.axhline(0.5 if "AUC" in target else 0.0, color="0.4", linewidth=0.8)
    handles = [Line2D([], [], color=colours[label], linewidth=6, label=label) for label in labels]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    return figure


@styled
def stability(table: pd.DataFrame) -> Figure:
    """Matched |cosine| of decoder atoms between seeds per method, with the random-atom chance level."""
    rows = table.dropna(subset=["matched_cosine"])
    figure = new_figure(7.0, 3.0)
    axis = figure.subplots()
    positions = np.arange(len(rows))
    axis.bar(positions, rows["matched_cosine"], color=[palette_colour(index) for index in range(len(rows))], label="mean matched |cosine|")
    axis.scatter(positions, rows["matched_cosine_min"], color="0.1", marker="_", s=200, zorder=5, label="worst pair of seeds")
    axis.scatter(positions, rows["random_cosine"], color="0.5", marker="x", zorder=5, label="random atoms (chance)")
    axis.set_xticks(positions, rows["label"], rotation=20, ha="right")
    axis.set_ylabel("matched |cosine| across seeds")
    axis.set_ylim(0, 1.05)
    figure.legend(loc="outside right center")
    return figure
