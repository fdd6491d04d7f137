"""The abnormality catalogue at a glance: each kind at two severities on one trial, the mask shaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.data.abnormalities import ABNORMALITIES, KINDS, inject, mask_runs
from analysis.data.abnormality_operators import LANDMARKS
from analysis.data.gutenberg import CHANNEL_UNITS, SIDES, SUBJECT_COLUMN, Cohort
from analysis.style import component_label, new_figure, palette_colour, stance_axis, styled

MASK_COLOUR = "0.85"


def _second_channel(changed: np.ndarray, channels: Sequence[str], target: str) -> str | None:
    """The channel other than the target whose samples changed most often, or None."""
    counts = {channel: int(changed[index].sum()) for index, channel in enumerate(channels) if channel != target}
    best = max(counts, key=counts.get) if counts else None
    return best if best is not None and counts[best] > 0 else None


@styled
def abnormality_gallery(
    cohort: Cohort,
    subject: Any,
    trial: int = 0,
    side: str = "right",
    severities: Sequence[float] = (1.0, 3.0),
    kinds: Sequence[str] | None = None,
    seed: int = 0,
    reference: Cohort | None = None,
) -> Figure:
    """One row per kind: its target channel and the coupled channel it moves most, untouched and edited.

    ``trial`` counts within ``subject``'s trials. The shaded samples are the
    ground-truth mask at the largest severity; a kind with no coupled channel
    says so in its right-hand panel. ``side`` must be "left" or "right" (one
    trial side is drawn). Severities follow :func:`inject`'s rules.
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {list(SIDES)} for the gallery (one side is drawn), got {side!r}")
    chosen = [kind for kind in KINDS if kind != "none"] if kinds is None else list(kinds)
    unknown = [kind for kind in chosen if kind not in ABNORMALITIES or kind == "none"]
    if unknown or not chosen:
        raise ValueError(f"kinds must be a non-empty selection of {list(KINDS[1:])}, got {kinds!r}")
    levels = sorted(float(severity) for severity in severities)
    if not levels:
        raise ValueError("severities must hold at least one severity")
    rows = np.flatnonzero(cohort.trials[SUBJECT_COLUMN].to_numpy() == subject)
    if rows.size and not 0 <= trial < rows.size:
        raise ValueError(f"trial must be in 0..{rows.size - 1} for subject {subject!r}, got {trial}")
    figure = new_figure(7.5, 1.45 * len(chosen) + 0.9)
    axes = figure.subplots(len(chosen), 2, squeeze=False)
    stance = stance_axis(cohort.curves.shape[-1])
    for row_axes, kind in zip(axes, chosen):
        abnormality = ABNORMALITIES[kind]
        injections = [inject(cohort, kind, level, side, [subject], seed=seed, reference=reference) for level in levels]
        row = rows[trial]  # inject has checked the subject
        target = f"{LANDMARKS[abnormality.target].component}_{side}"
        strongest = injections[-1].mask[row]
        shown = [target, _second_channel(strongest, cohort.channels, target)]
        for axis, channel in zip(row_axes, shown):
            if channel is None:
                axis.set_axis_off()
                axis.text(0.5, 0.5, "no other channel changes", ha="center", va="center", transform=axis.transAxes)
                continue
            index = cohort.channels.index(channel)
            for first, last in mask_runs(strongest[index]):
                axis.axvspan(first - 0.5, last + 0.5, color=MASK_COLOUR, linewidth=0)
            axis.plot(stance, cohort.curves[row, index], color="black", linewidth=1.0)
            for position, injection in enumerate(injections):
                axis.plot(stance, injection.cohort.curves[row, index], color=palette_colour(position), linewidth=1.3)
            component = channel.rpartition("_")[0]
            axis.set_title(f"{abnormality.label}: {component_label(component)}" if channel == target else component_label(component))
            axis.set_ylabel(CHANNEL_UNITS.get(channel, ""))
            axis.set_xlim(0, 100)
        for axis in row_axes:
            if axis is axes[-1][0] or axis is axes[-1][1]:
                axis.set_xlabel("stance (%)")
    handles = [Line2D([], [], color="black", linewidth=1.0, label="untouched")]
    handles += [Line2D([], [], color=palette_colour(position), linewidth=1.3, label=f"{level:g} SD") for position, level in enumerate(levels)]
    handles.append(Patch(color=MASK_COLOUR, label=f"mask at {levels[-1]:g} SD"))
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    figure.suptitle(f"Subject {subject}, trial {trial + 1} of {rows.size}, {side} side")
    return figure
