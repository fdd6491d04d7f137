"""Figures of the shared measures: how channels predict each other, and the AP impulse balance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.evaluation.coupling import PREDICTOR_LABELS
from analysis.style import channel_label, new_figure, palette_colour, styled


@styled
def cross_channel_predictability(table: pd.DataFrame, before_label: str = "before", after_label: str = "after") -> Figure:
    """R² of each channel from the others, before and after (bars), one panel per predictor set.

    ``table`` is :func:`analysis.evaluation.coupling.predictability_before_after`.
    """
    missing = [column for column in ("channel", "predictors", "r2_before", "r2_after") if column not in table.columns]
    if missing:
        raise ValueError(f"table lacks the column(s) {missing}; make it with coupling.predictability_before_after")
    predictor_sets = list(dict.fromkeys(table["predictors"]))
    channels = list(dict.fromkeys(table["channel"]))
    figure = new_figure(7.5, 0.42 * len(channels) + 1.6)
    axes = figure.subplots(1, len(predictor_sets), sharey=True, squeeze=False)[0]
    positions = np.arange(len(channels))
    lowest = min(0.0, float(np.nanmin(table[["r2_before", "r2_after"]].to_numpy())))
    for axis, predictors in zip(axes, predictor_sets):
        part = table[table["predictors"] == predictors].set_index("channel").reindex(channels)
        axis.barh(positions - 0.2, part["r2_before"], height=0.38, color="0.65")
        axis.barh(positions + 0.2, part["r2_after"], height=0.38, color=palette_colour(0))
        axis.axvline(0.0, color="0.3", linewidth=0.8)
        axis.set_xlim(lowest - 0.02, 1.0)
        axis.set_xlabel("out-of-fold R²")
        axis.set_title(PREDICTOR_LABELS.get(predictors, predictors))
    axes[0].set_yticks(positions, [channel_label(channel) for channel in channels])
    axes[0].invert_yaxis()
    figure.legend(
        handles=[Patch(color="0.65", label=before_label), Patch(color=palette_colour(0), label=after_label)],
        loc="outside lower center",
        ncols=2,
    )
    return figure


@styled
def impulse_balance(before: pd.DataFrame, after: pd.DataFrame, before_label: str = "before", after_label: str = "after") -> Figure:
    """Net AP impulse of every step as a share of its braking impulse, two versions overlaid.

    ``before`` and ``after`` are :func:`analysis.evaluation.coupling.ap_impulse_balance` tables.
    """
    for name, table in (("before", before), ("after", after)):
        if "net_to_braking" not in table.columns:
            raise ValueError(f"{name} lacks the column 'net_to_braking'; make it with coupling.ap_impulse_balance")
    ratios = [table["net_to_braking"].dropna().to_numpy() for table in (before, after)]
    if any(ratio.size == 0 for ratio in ratios):
        raise ValueError("every table needs at least one step with a braking impulse")
    figure = new_figure(7.5, 3.2)
    axis = figure.subplots()
    low, high = np.percentile(np.concatenate(ratios), [0.5, 99.5])  # a few steps with tiny braking would stretch the axis
    edges = np.linspace(min(low, -0.2), max(high, 0.2), 61)
    for index, (ratio, label) in enumerate(zip(ratios, (before_label, after_label))):
        colour = "0.55" if index == 0 else palette_colour(0)
        axis.hist(np.clip(ratio, edges[0], edges[-1]), bins=edges, density=True, color=colour, alpha=0.6, label=f"{label} (SD {ratio.std(ddof=1):.2f})")
    axis.axvline(0.0, color="0.3", linewidth=0.8)
    axis.set_xlabel("net AP impulse / braking impulse, per step (outer 1 % piled at the edges)")
    axis.set_ylabel("density")
    axis.legend(loc="upper right")
    return figure
