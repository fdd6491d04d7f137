"""Building blocks of the abnormality operators: smooth windows, time warps, landmark readers, calibration.

Every operator in :mod:`analysis.data.abnormalities` is assembled from these
pieces, so the properties the catalogue promises are properties of this
module:

* **Compact, smooth windows.** A window is 1 on a flat top around a landmark
  and falls to exactly 0 through raised-cosine tapers (continuous, with a
  continuous first derivative). It is 0 at samples 0 and 100, so adding a
  multiple of it keeps both end points of stance, and every sample outside
  its support keeps its exact bytes.
* **Monotone time warps.** A warp gives, for every new sample time τ, the old
  time φ(τ) whose value is shown there; φ is smooth, strictly increasing and
  maps 0 to 0 and 100 to 100, so the curve is re-timed without folding back
  and its end points are kept. Curves are resampled with PCHIP, which never
  overshoots its data: a positive vertical force stays positive.
* **Calibration.** Operators do not trust a nominal amplitude to move a
  landmark by the requested amount (a lowered peak may move to a neighbouring
  sample that was lowered less). Each edit is solved per trial by a damped
  fixed-point iteration until the landmark, measured the same way as on the
  healthy cohort, has moved by its target.

Time is in % stance: sample ``i`` of the 101 lies at ``i`` %.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.interpolate import PchipInterpolator

from analysis.data.gutenberg import N_SAMPLES

STANCE = np.arange(N_SAMPLES, dtype=np.float64)
LAST = float(N_SAMPLES - 1)
# A vertical force below this (BW) is treated as this when shear is scaled with load,
# so a ratio never divides by a near-zero force.
MIN_LOAD_BW = 0.05


# ---------------------------------------------------------------------------
# Windows


def raised_cosine(position: np.ndarray) -> np.ndarray:
    """0 at or below 0, 1 at or above 1, a half cosine in between (slope 0 at both ends)."""
    clipped = np.clip(position, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * clipped)


def _column(values: np.ndarray | float, n_rows: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n_rows,))[:, None]


def plateau(
    centre: np.ndarray,
    flat_half: np.ndarray | float,
    rise: np.ndarray | float,
    fall: np.ndarray | float,
    n_rows: int,
    first: float = 1.0,
    last: float = LAST - 1.0,
) -> np.ndarray:
    """Per row, a window that is 1 within ``flat_half`` of ``centre`` and tapers to 0 over ``rise`` / ``fall``.

    The support is cut to [``first``, ``last``] (the tapers shorten rather
    than reach the end points), so the window is 0 at samples 0 and 100.
    Returns ``(n_rows, 101)``.
    """
    centre = _column(centre, n_rows)
    flat_start = np.maximum(centre - _column(flat_half, n_rows), first + 0.5)
    flat_stop = np.minimum(centre + _column(flat_half, n_rows), last - 0.5)
    start = np.maximum(flat_start - np.maximum(_column(rise, n_rows), 1.0), first - 1.0)
    stop = np.minimum(flat_stop + np.maximum(_column(fall, n_rows), 1.0), last + 1.0)
    rising = raised_cosine((STANCE - start) / (flat_start - start))
    falling = raised_cosine((stop - STANCE) / (stop - flat_stop))
    return rising * falling


def ramp_up(start: np.ndarray, flat_start: np.ndarray, n_rows: int) -> np.ndarray:
    """Per row, 0 up to ``start``, a half-cosine rise to 1 at ``flat_start``, then 1 to the end of stance."""
    start, flat_start = _column(start, n_rows), _column(flat_start, n_rows)
    return raised_cosine((STANCE - start) / (flat_start - start))


def spike(centre: np.ndarray | float, half_width: np.ndarray | float, n_rows: int) -> np.ndarray:
    """A narrow raised-cosine pulse: 1 at ``centre``, 0 from ``half_width`` samples away on."""
    distance = np.abs(STANCE[None, :] - _column(centre, n_rows)) / _column(half_width, n_rows)
    return np.where(distance < 1.0, 0.5 + 0.5 * np.cos(np.pi * np.minimum(distance, 1.0)), 0.0)


# ---------------------------------------------------------------------------
# Time warps


def delay_warp(old_time: np.ndarray, delay: np.ndarray, end: np.ndarray) -> np.ndarray:
    """φ that shows the value of ``old_time`` later, at ``old_time + delay``, and is the identity from ``end`` on.

    φ(τ) = τ − delay·h(τ), with h a hump rising by a half cosine from 0 at
    τ = 0 to 1 at the new time and falling back to 0 at ``end``. It is
    strictly increasing while ``delay`` < 2·new time/π, which callers keep.
    Returns old times ``(n_rows, 101)``.
    """
    n_rows = old_time.shape[0]
    new_time = _column(old_time + delay, n_rows)
    end = _column(end, n_rows)
    rising = raised_cosine(STANCE / new_time)
    falling = raised_cosine((end - STANCE) / (end - new_time))
    hump = np.where(STANCE <= new_time, rising, falling)
    return STANCE[None, :] - _column(delay, n_rows) * hump


def blend_warp(template: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """(1 − amount)·τ + amount·template(τ): increasing whenever the template is, for amount in [0, 1]."""
    return STANCE[None, :] + _column(amount, amount.shape[0]) * (template[None, :] - STANCE[None, :])


def new_time_of(warp: np.ndarray, old_time: np.ndarray) -> np.ndarray:
    """Per row, the new time τ at which the increasing warp shows ``old_time`` (linear between samples)."""
    n_rows = warp.shape[0]
    upper = np.clip((warp < old_time[:, None]).sum(axis=1), 1, N_SAMPLES - 1)
    rows = np.arange(n_rows)
    low, high = warp[rows, upper - 1], warp[rows, upper]
    fraction = np.clip((old_time - low) / np.where(high > low, high - low, 1.0), 0.0, 1.0)
    return upper - 1 + fraction


class Resampler:
    """PCHIP through each row's 101 samples, evaluated at per-row times.

    Samples asked for at their own time come back with their exact bytes, so a
    warp that is the identity somewhere leaves the curve untouched there.
    """

    def __init__(self, curves: np.ndarray) -> None:
        self.curves = np.asarray(curves, dtype=np.float64)
        coefficients = PchipInterpolator(STANCE, self.curves, axis=1).c  # (4, 100, n_rows)
        self._coefficients = np.moveaxis(coefficients, 2, 0)  # (n_rows, 4, 100)

    def __call__(self, times: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Values at ``times`` ``(len(rows), 101)`` for the given rows (all rows by default)."""
        rows = np.arange(self.curves.shape[0]) if rows is None else rows
        clipped = np.clip(times, 0.0, LAST)
        segment = np.minimum(np.floor(clipped).astype(np.intp), N_SAMPLES - 2)
        offset = clipped - segment
        c = self._coefficients[rows]
        picked = np.arange(rows.size)[:, None]
        values = ((c[picked, 0, segment] * offset + c[picked, 1, segment]) * offset + c[picked, 2, segment]) * offset
        values = values + c[picked, 3, segment]
        return np.where(times == STANCE[None, :], self.curves[rows], values)


# ---------------------------------------------------------------------------
# Landmark readers (windows in % stance, both ends included)


def extreme(curves: np.ndarray, window: tuple[int, int], largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """(value, sample index) of each row's maximum (or minimum) inside ``window``."""
    start, stop = window
    part = curves[:, start : stop + 1]
    position = np.argmax(part, axis=1) if largest else np.argmin(part, axis=1)
    return part[np.arange(part.shape[0]), position], position + start


def extreme_time(curves: np.ndarray, window: tuple[int, int], largest: bool) -> np.ndarray:
    """Time of each row's extreme inside ``window``, refined between samples by a parabola.

    Timings move continuously with a warp this way, where the sample index
    would move in whole-percent steps.
    """
    _, index = extreme(curves, window, largest)
    rows = np.arange(curves.shape[0])
    inner = np.clip(index, 1, N_SAMPLES - 2)
    before, centre, after = curves[rows, inner - 1], curves[rows, inner], curves[rows, inner + 1]
    curvature = before - 2.0 * centre + after
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(np.abs(curvature) > 1e-15, 0.5 * (before - after) / curvature, 0.0)
    step = np.where(index == inner, np.clip(step, -0.5, 0.5), 0.0)
    return index + step


def upward_zero_crossing(curves: np.ndarray, after: np.ndarray) -> np.ndarray:
    """First change from negative to non-negative at or after sample ``after``, placed linearly; NaN if none."""
    upward = (curves[:, :-1] < 0) & (curves[:, 1:] >= 0)
    upward &= STANCE[None, :-1] >= np.asarray(after)[:, None]
    found = upward.any(axis=1)
    first = np.argmax(upward, axis=1)
    rows = np.arange(curves.shape[0])
    before, following = curves[rows, first], curves[rows, first + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        times = first + before / (before - following)
    return np.where(found, times, np.nan)


# ---------------------------------------------------------------------------
# Coupling and calibration


def scale_shear_with_load(shear: np.ndarray, load_before: np.ndarray, load_after: np.ndarray) -> np.ndarray:
    """Shear scaled by the change of vertical load, sample by sample: the utilised friction is kept.

    A foot that carries less (more) vertical force transmits proportionally
    less (more) horizontal force through the same contact; where the load is
    unchanged the factor is exactly 1 and the shear keeps its bytes.
    """
    factor = 1.0 + (load_after - load_before) / np.maximum(load_before, MIN_LOAD_BW)
    return shear * factor


def calibrate(
    render: Callable[[np.ndarray, np.ndarray], np.ndarray],
    target: np.ndarray,
    gain: np.ndarray,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    tolerance: np.ndarray | float,
    iterations: int = 60,
) -> np.ndarray:
    """Parameters ``(n_rows, n_params)`` whose landmark changes ``render(parameters, rows)`` match ``target``.

    ``render`` returns the achieved landmark changes of the given rows. Each
    step adds (target − achieved) / gain, with ``gain`` the expected change
    per unit of each parameter, then clips to [lower, upper]. The landmarks
    respond monotonically with a slope between 0 and 2·gain, for which this
    iteration converges; a row that cannot reach its target (a bound, or a
    landmark that jumps, such as the peak of a flat hump) stops after
    ``iterations`` steps, and the caller reports what it achieved. Only rows
    still off target are rendered again, and rows whose landmark cannot be
    measured (NaN) keep their parameters.
    """
    n_rows = target.shape[0]
    gain, lower, upper, tolerance = (np.broadcast_to(value, target.shape) for value in (gain, lower, upper, tolerance))
    parameters = np.clip(target / gain, lower, upper)
    active = np.arange(n_rows)
    for _ in range(iterations):
        error = target[active] - render(parameters[active], active)
        error = np.where(np.isfinite(error), error, 0.0)
        open_rows = np.any(np.abs(error) > tolerance[active], axis=1)
        active, error = active[open_rows], error[open_rows]
        if active.size == 0:
            break
        parameters[active] = np.clip(parameters[active] + error / gain[active], lower[active], upper[active])
    return parameters
