"""Figures of the diffusion chapter, drawn in the book's style."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.data import CHANNELS
from analysis.gaitdynamics.counterfactuals import LANDMARKS, _landmarks
from analysis.style import new_figure, palette_colour, stance_axis, styled


@styled
def inpainting_example(truth: np.ndarray, samples: np.ndarray, known: np.ndarray, channels: tuple[str, ...]) -> Figure:
    """One trial: known curves, the hidden truth and the diffusion samples, for the named channels (report units)."""
    figure = new_figure(7.5, 2.6)
    axes = figure.subplots(1, len(channels), squeeze=False)[0]
    x = stance_axis(truth.shape[-1])
    for axis, channel in zip(axes, channels):
        index = CHANNELS.index(channel)
        if known[index].all():
            axis.plot(x, truth[index], color="black", label="known")
        else:
            for number, sample in enumerate(samples[:, index]):
                axis.plot(x, sample, color=palette_colour(0), alpha=0.5, linewidth=0.8, label="diffusion samples" if number == 0 else None)
            axis.plot(x, truth[index], color="black", linestyle="--", label="hidden truth")
        axis.set_title(channel.replace("_", " "))
        axis.set_xlabel("stance (%)")
    axes[0].set_ylabel("% BW")
    axes[-1].legend(loc="best", fontsize=8)
    return figure


@styled
def missing_inputs(frame: pd.DataFrame) -> Figure:
    """Loss of AP/ML accuracy per lost input group: diffusion inpainting vs median filling (the seed's Fig. 2 analog)."""
    lost = frame[frame["filler"] != "none"]
    summary = lost.groupby(["group", "filler"], sort=False)["loss"].mean().unstack()
    figure = new_figure(7.0, 3.0)
    axis = figure.subplots()
    positions = np.arange(len(summary))
    for number, filler in enumerate(summary.columns):
        axis.bar(positions + (number - 0.5) * 0.38, summary[filler], width=0.36, color=palette_colour(number), label=filler)
    axis.axhline(0, color="black", linewidth=0.6)
    axis.set_xticks(positions, summary.index, rotation=15, ha="right")
    axis.set_ylabel("added AP/ML error (% BW)")
    axis.legend(loc="best")
    return figure


@styled
def counterfactual_changes(speed: dict[str, object]) -> Figure:
    """Predicted against true change of two landmarks under the speed change (one dot per step)."""
    before = _landmarks(speed["original"])
    truth = _landmarks(speed["twin"]) - before
    figure = new_figure(7.0, 3.0)
    axes = figure.subplots(1, 2)
    for axis, column in zip(axes, ("v_first_peak", "ap_braking_min")):
        x = truth[column].to_numpy() * 100
        for number, method in enumerate(("diffusion edit", "linear population shift")):
            y = (_landmarks(speed["predictions"][method])[column] - before[column]).to_numpy() * 100
            axis.scatter(x, y, s=10, color=palette_colour(number), label=method, alpha=0.7)
        limit = np.nanmax(np.abs(x)) * 1.2 if np.size(x) else 1.0
        axis.plot([-limit, limit], [-limit, limit], color="black", linewidth=0.6, label="identity")
        axis.set_xlabel("true change, twin (% BW)")
        axis.set_ylabel("predicted change (% BW)")
        axis.set_title(LANDMARKS[column])
    axes[0].legend(loc="best", fontsize=8)
    return figure
