"""The audit's figures: Figure 6 as the code drew it next to true curves, and each switch's effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.audit import switches
from analysis.audit.switches import AuditInputs
from analysis.audit.tables import MODELS, column_label
from analysis.config import MODEL_LABELS
from analysis.engine import training
from analysis.sae import claims
from analysis.style import new_figure, palette_colour, stance_axis, styled


def single_feature_views(run: training.TrainedModel, data: AuditInputs, n_features: int = 3) -> dict[str, np.ndarray]:
    """The ``n_features`` most often active features decoded alone: what the code drew and the true curves.

    Returns ``coefficients`` (k + 1, d) — the code's "time-domain" pattern,
    the decoded coefficient vector after a wavelet decomposition and
    reconstruction, i.e. the vector itself — and ``curves`` (k + 1, 101), the
    first channel (left vertical force for a trial model) through the exact
    inverse transform; the last row is the zero code. ``features`` names them.
    """
    codes = run.encode(data.train)
    order = np.argsort(-(np.abs(codes) > 0).mean(axis=0), kind="stable")[:n_features]
    magnitude = np.percentile(np.abs(codes), 95, axis=0)
    one_hot = np.zeros((len(order) + 1, run.config.latent_dim), dtype=np.float32)
    one_hot[np.arange(len(order)), order] = magnitude[order]
    decoded = run.decode(one_hot)
    coefficients = switches.code_figure_reconstruction(data.raw(decoded))
    curves = switches.to_curves(data, decoded)[:, 0, :]
    return {"features": order, "coefficients": coefficients, "curves": curves}


@styled
def figure6_views(views: dict[str, np.ndarray], first_channel: str) -> Figure:
    """Left: the code's Figure 6 (coefficient vectors plotted as if they were time); right: the true curves."""
    figure = new_figure(7.5, 3.0)
    left, right = figure.subplots(1, 2)
    n = len(views["features"])
    for index, feature in enumerate(views["features"]):
        colour = palette_colour(index)
        left.plot(views["coefficients"][index], color=colour, linewidth=1.0)
        right.plot(stance_axis(views["curves"].shape[1]), views["curves"][index], color=colour, linewidth=1.2, label=f"feature {feature}")
    left.plot(views["coefficients"][n], color="0.3", linewidth=0.9, linestyle="--")
    right.plot(stance_axis(views["curves"].shape[1]), views["curves"][n], color="0.3", linewidth=0.9, linestyle="--", label="zero code")
    left.set_xlabel("position in the coefficient vector")
    left.set_ylabel("coefficient value")
    left.set_title("as the code drew it")
    right.set_xlabel("stance (%)")
    right.set_ylabel(f"{first_channel} (data units)")
    right.set_title("inverse wavelet transform")
    right.legend(loc="best", frameon=False)
    return figure


@styled
def switch_effects(per_seed: pd.DataFrame, configuration_names: list[str]) -> Figure:
    """Four headline measures per configuration; each dot one seed of one model, the study's ranges shaded."""
    panels = (
        ("mse", "MSE (standardised)", claims.PAPER_MSE_RANGE),
        ("mean_activation_rate", "activation rate", (0.07, 0.12)),
        ("max_pairwise_abs_r", "max pairwise |r|", None),
        ("whole_pattern_cosine", "C9 mean cos (whole)", None),
    )
    figure = new_figure(7.5, 0.32 * len(configuration_names) + 1.8)
    axes = figure.subplots(1, len(panels), sharey=True)
    positions = {name: index for index, name in enumerate(configuration_names)}
    for axis, (column, label, band) in zip(axes, panels):
        if band is not None:
            axis.axvspan(*band, color="0.88", zorder=0)
        for model_index, model in enumerate(MODELS):
            part = per_seed[(per_seed["model"] == model) & per_seed["configuration"].isin(positions)]
            y = part["configuration"].map(positions).to_numpy(dtype=float) + (model_index - 1) * 0.22
            axis.scatter(part[column].astype(float), y, s=12, color=palette_colour(model_index), zorder=2)
        axis.set_xlabel(label)
    axes[0].set_yticks(range(len(configuration_names)), [column_label(name) for name in configuration_names])
    axes[0].set_ylabel("switch on")
    axes[0].invert_yaxis()
    handles = [Line2D([], [], marker="o", linestyle="", color=palette_colour(index), label=MODEL_LABELS[model]) for index, model in enumerate(MODELS)]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(MODELS), frameon=False)
    return figure
