"""One style for every figure of the book, and the small pieces every figure is drawn with.

Figures are functions that return matplotlib Figures, released from pyplot as
soon as they are made: nothing is shown twice in a notebook, nothing piles up
in pyplot's figure registry, and a chapter shows a figure by making it the
cell's result (or with ``display``). Nothing is written to disk unless
:func:`save_figure` is called with a path.

The style: :func:`style_rc` (seaborn's white-grid theme, readable font sizes,
the colour-blind palette; viridis for continuous values, red–blue for signed
ones). Every figure function is decorated with :func:`styled`, and
:func:`set_style` applies the style globally for a chapter's own plots. Where
colour encodes an attribute, trials with a missing value are drawn in grey
underneath. Each layer keeps its figures beside its code
(``analysis/<layer>/figures*.py``); this module is the only place that
decides how they look.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

PALETTE: list[tuple[float, float, float]] = list(sns.color_palette("colorblind"))
CONTINUOUS_CMAP = "viridis"
SIGNED_CMAP = "RdBu_r"
MISSING_COLOUR = "0.75"
ATTRIBUTE_LABELS: dict[str, str] = {
    "WALKING_SPEED": "walking speed (m/s)",
    "AGE": "age (years)",
    "HEIGHT": "height (cm)",
    "BODY_WEIGHT": "body weight (N)",
    "BODY_MASS": "body mass (kg)",
    "SEX": "sex (0 female, 1 male)",
    "SUBJECT_SEX": "sex (0 female, 1 male)",
}
# What the Gutenberg components measure, for titles (the files' names are codes).
COMPONENT_LABELS: dict[str, str] = {
    "F_V": "vertical force",
    "F_AP": "anterior–posterior force",
    "F_ML": "medio-lateral force",
    "COP_AP": "anterior–posterior COP",
    "COP_ML": "medio-lateral COP",
}
SEX_COLUMNS: tuple[str, ...] = ("SEX", "SUBJECT_SEX")
PART_ORDER: tuple[str, ...] = ("train", "validation", "test")


class Segment(Protocol):
    """Where one channel's wavelet band lies in a coefficient vector."""

    channel: str
    band: str
    start: int
    stop: int


# ---------------------------------------------------------------------------
# Style and output
# ---------------------------------------------------------------------------


def style_rc() -> dict[str, Any]:
    """The rcParams every figure of the book is drawn with."""
    rc: dict[str, Any] = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook", font_scale=0.85))
    rc.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "image.cmap": CONTINUOUS_CMAP,
            "axes.titlesize": "medium",
            "figure.titlesize": "large",
            "legend.frameon": False,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
        }
    )
    return rc


def set_style() -> None:
    """Apply the book's style globally (for a chapter's own plots)."""
    mpl.rcParams.update(style_rc())


F = TypeVar("F", bound=Callable[..., Figure])

# A page shows a figure at most this wide (inches); a wider one is shrunk to fit.
PAGE_WIDTH_INCHES = 7.5
# The smallest text a reader should have to read, after that shrinking (points).
MIN_FONT_POINTS = 8.0
# Set (to anything) to make every styled figure check its own legibility (the tests do).
CHECK_FIGURES_VARIABLE = "LATENT_MOTION_CHECK_FIGURES"


def smallest_text(figure: Figure) -> tuple[float, str]:
    """(size in points as shown at page width, the text) of the figure's smallest visible text."""
    figure.canvas.draw()  # lays out ticks, so their labels exist
    shrink = min(1.0, PAGE_WIDTH_INCHES / figure.get_figwidth())
    smallest = (float("inf"), "")
    for text in figure.findobj(mpl.text.Text):
        content = text.get_text().strip()
        if content and text.get_visible() and text.get_alpha() != 0:
            shown = text.get_fontsize() * shrink
            if shown < smallest[0]:
                smallest = (shown, content)
    return smallest


def check_legible(figure: Figure, name: str = "figure") -> None:
    """Raise when some text of ``figure`` would show smaller than :data:`MIN_FONT_POINTS` at page width."""
    size, content = smallest_text(figure)
    if size < MIN_FONT_POINTS:
        raise ValueError(
            f"{name}: text {content[:40]!r} would show at {size:.1f} pt at page width "
            f"({figure.get_figwidth():.1f} in wide figure); at least {MIN_FONT_POINTS:g} pt is needed"
        )


def styled(function: F) -> F:
    """Draw inside the book's style without touching the global rcParams."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(style_rc()):
            figure = function(*args, **kwargs)
        if os.environ.get(CHECK_FIGURES_VARIABLE):
            check_legible(figure, function.__qualname__)
        return figure

    return wrapper  # type: ignore[return-value]


def save_figure(figure: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix) atomically."""
    target = Path(path)
    suffix = target.suffix.lstrip(".").lower()
    if not suffix:
        raise ValueError(f"cannot tell the image format of {target}: give it a suffix such as .png or .pdf")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".{suffix}")
    os.close(handle)
    try:
        figure.savefig(temporary, format=suffix, dpi=dpi)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


# ---------------------------------------------------------------------------
# Small shared pieces
# ---------------------------------------------------------------------------


def new_figure(width: float, height: float) -> Figure:
    """A figure made by pyplot (so a notebook knows how to show it), then released.

    Closing it at once takes it out of pyplot's registry: it is not shown
    automatically at the end of a cell, and displaying the returned figure
    shows it exactly once. A figure asked for wider than the page is made
    page-wide with the same aspect ratio, so that its text is not shrunk on
    the page below the size it is set in.
    """
    if width > PAGE_WIDTH_INCHES:  # drawn at page width, so its text shows at the size it is set in
        width, height = PAGE_WIDTH_INCHES, height * PAGE_WIDTH_INCHES / width
    figure = plt.figure(figsize=(width, height), layout="constrained")
    plt.close(figure)
    return figure


def panel_grid(figure: Figure, n_panels: int, n_columns: int, **kwargs: Any) -> list[Axes]:
    """``n_panels`` axes in rows of ``n_columns``; unused cells are removed."""
    n_rows = -(-n_panels // n_columns)
    axes = figure.subplots(n_rows, n_columns, squeeze=False, **kwargs).ravel()
    for extra in axes[n_panels:]:
        figure.delaxes(extra)
    return list(axes[:n_panels])


def palette_colour(index: int) -> tuple[float, float, float]:
    return PALETTE[index % len(PALETTE)]




def attribute_label(attribute: str) -> str:
    return ATTRIBUTE_LABELS.get(attribute, attribute)


def component_label(component: str) -> str:
    """"F_V" → "vertical force"; unknown names are kept."""
    return COMPONENT_LABELS.get(component, component)


def channel_label(channel: str) -> str:
    """"F_V_left" → "vertical force, left"; a channel without a side keeps its component's label."""
    component, _, side = channel.rpartition("_")
    if component in COMPONENT_LABELS and side in ("left", "right"):
        return f"{COMPONENT_LABELS[component]}, {side}"
    return component_label(channel)


def channel_units(channels: Sequence[str], units: Mapping[str, str] | Sequence[str]) -> list[str]:
    if isinstance(units, Mapping):
        missing = [channel for channel in channels if channel not in units]
        if missing:
            raise ValueError(f"units has no entry for channel(s) {missing}")
        return [units[channel] for channel in channels]
    unit_list = list(units)
    if len(unit_list) != len(channels):
        raise ValueError(f"got {len(unit_list)} units for {len(channels)} channels")
    return unit_list


def curve_array(curves: np.ndarray, channels: Sequence[str], name: str, ndim: int = 3) -> np.ndarray:
    """Curves as floats with the channel axis second to last, checked against ``channels``."""
    array = np.asarray(curves, dtype=float)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if array.shape[-2] != len(channels):
        raise ValueError(f"{name} has {array.shape[-2]} channels but {len(channels)} channel names were given")
    return array


def stance_axis(n_samples: int) -> np.ndarray:
    return np.linspace(0, 100, n_samples)


def nan_mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD over axis 0 ignoring NaN, NaN where fewer than 1 (2) values exist."""
    present = np.isfinite(values)
    count = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    mean = np.divide(filled.sum(axis=0), count, out=np.full(count.shape, np.nan), where=count > 0)
    squares = np.where(present, (values - np.where(np.isfinite(mean), mean, 0.0)) ** 2, 0.0)
    variance = np.divide(squares.sum(axis=0), count - 1, out=np.full(count.shape, np.nan), where=count > 1)
    return mean, np.sqrt(variance)


def channel_axes(figure: Figure, channels: Sequence[str]) -> list[Axes]:
    """One panel per channel, two per row: the left and right side of a component side by side."""
    return panel_grid(figure, len(channels), 2, sharex=True)


def label_channel_axes(axes: Sequence[Axes], channels: Sequence[str], units: Sequence[str], prefix: str = "") -> None:
    for index, (axis, channel, unit) in enumerate(zip(axes, channels, units)):
        axis.set_title(channel_label(channel))
        axis.set_ylabel(f"{prefix}{unit}")
        if index >= len(axes) - 2:
            axis.set_xlabel("stance (%)")





def marker_size(n_points: int) -> float:
    return float(np.clip(2000 / max(n_points, 1), 2, 25))


def missing_handle(n_missing: int) -> Line2D:
    return Line2D([], [], marker="o", linestyle="", color=MISSING_COLOUR, label=f"missing ({n_missing})")
