"""Figures of how the models were set up before the comparison (Section 3.2): the sparsity calibration."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.config import MODEL_LABELS
from analysis.sae.calibration import CALIBRATED_WEIGHT, TARGET_RATE, TARGET_TOLERANCE, WORKING_FVE, Calibration
from analysis.style import new_figure, palette_colour, panel_grid, styled

BAND_COLOUR = "0.88"


@styled
def calibration_sweep(calibrations: Mapping[str, Calibration]) -> Figure:
    """Validation activation rate and FVE against the L1 weight, one line per model.

    Thin markers are single seeds, lines the means over seeds; the grey band
    is the target rate ± tolerance (left) and the FVE below which a run does
    not count as working (right); a ring marks each model's chosen weight.
    """
    if not calibrations:
        raise ValueError("no calibration to plot")
    figure = new_figure(7.0, 3.0)
    rate_axis, fve_axis = panel_grid(figure, 2, 2)
    rate_axis.axhspan(TARGET_RATE - TARGET_TOLERANCE, TARGET_RATE + TARGET_TOLERANCE, color=BAND_COLOUR, zorder=0)
    rate_axis.axhline(TARGET_RATE, color="0.5", linewidth=0.8, linestyle="--")
    fve_axis.axhspan(min(0.0, WORKING_FVE), WORKING_FVE, color=BAND_COLOUR, zorder=0)
    for index, (name, result) in enumerate(calibrations.items()):
        colour = palette_colour(index)
        rows = result.sweep[result.sweep["family"] == CALIBRATED_WEIGHT]
        means = rows.groupby("weight", sort=True)[["activation_rate", "fve"]].mean()
        for axis, column in ((rate_axis, "activation_rate"), (fve_axis, "fve")):
            axis.scatter(rows["weight"], rows[column], color=colour, s=12, alpha=0.5, linewidths=0)
            axis.plot(means.index, means[column], color=colour, linewidth=1.8, marker="o", markersize=3.5)
            axis.scatter(
                [result.chosen], [means.loc[result.chosen, column]], s=110, facecolors="none", edgecolors=colour, linewidths=1.6, zorder=5
            )
    for axis in (rate_axis, fve_axis):
        axis.set_xscale("log")
        axis.set_xlabel("L1 weight λ₂")
    rate_axis.set_ylabel("mean activation rate\n(validation subjects)")
    fve_axis.set_ylabel("explained variance\n(validation subjects)")
    rate_axis.set_ylim(bottom=0)
    fve_axis.set_ylim(bottom=min(0.0, float(np.nanmin([c.sweep["fve"].min() for c in calibrations.values()]))))
    handles = [
        Line2D([], [], color=palette_colour(index), linewidth=1.8, marker="o", markersize=3.5, label=MODEL_LABELS.get(name, name))
        for index, name in enumerate(calibrations)
    ]
    handles += [
        Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none", markeredgecolor="0.3", label="chosen"),
        Patch(color=BAND_COLOUR, label=f"target {TARGET_RATE:g} ± {TARGET_TOLERANCE:g} / not working"),
    ]
    figure.legend(handles=handles, loc="outside upper center", ncols=2)
    return figure
