"""The landmarks abnormalities are measured by, and one operator per kind of the catalogue.

An operator edits one side of the chosen trials: it receives that side's
curves per component (rows = trials) and returns the components it changed.
The catalogue, the severity scale and the checks of the arguments are in
:mod:`analysis.data.abnormalities`; the windows, warps and the calibration
in :mod:`analysis.data.abnormality_shapes`. Window sizes are in % stance and
are multiplied by each subject's width scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

from analysis.data.abnormality_shapes import (
    STANCE,
    Resampler,
    blend_warp,
    calibrate,
    delay_warp,
    extreme,
    extreme_time,
    new_time_of,
    plateau,
    ramp_up,
    scale_shear_with_load,
    spike,
    upward_zero_crossing,
)
from analysis.data.stance import LANDMARK_WINDOWS

# ---------------------------------------------------------------------------
# Landmarks


@dataclass(frozen=True)
class Landmark:
    """A landmark an operator targets or moves with it, read per row of one component's curves."""

    name: str
    label: str
    unit: str
    component: str
    read: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (curves (m, 101), lateral sign (m,)) -> (m,)


# Search windows in % stance: the landmark table's own (analysis.data.stance).
FIRST_PEAK_WINDOW = LANDMARK_WINDOWS["v_first_peak"]
VALLEY_WINDOW = LANDMARK_WINDOWS["v_valley"]
SECOND_PEAK_WINDOW = LANDMARK_WINDOWS["v_second_peak"]
BRAKING_WINDOW = LANDMARK_WINDOWS["ap_braking_min"]
PROPULSION_WINDOW = LANDMARK_WINDOWS["ap_propulsive_max"]
LATERAL_WINDOW = (10, 70)
HEEL_STRIKE_SAMPLE = 4  # % stance: where the impact transient peaks (20–40 ms after contact)
PROGRESSION_SAMPLES = (15, 55)  # % stance: the COP_AP progression the flat foot loses


def _braking_index(curves: np.ndarray) -> np.ndarray:
    return extreme(curves, BRAKING_WINDOW, largest=False)[1]


def _zero_crossing(curves: np.ndarray) -> np.ndarray:
    return upward_zero_crossing(curves, _braking_index(curves))


def _progression(curves: np.ndarray) -> np.ndarray:
    early, late = PROGRESSION_SAMPLES
    return curves[:, late] - curves[:, early]


def _lateral_excursion(curves: np.ndarray, lateral: np.ndarray) -> np.ndarray:
    """How far lateral of its own mean the COP goes in mid-stance (offset-free, so any COP origin works)."""
    oriented = lateral[:, None] * (curves - curves.mean(axis=1, keepdims=True))
    return extreme(oriented, LATERAL_WINDOW, largest=True)[0]


LANDMARKS: dict[str, Landmark] = {
    landmark.name: landmark
    for landmark in (
        Landmark("v_first_peak", "vertical first peak", "BW", "F_V", lambda y, _: extreme(y, FIRST_PEAK_WINDOW, True)[0]),
        Landmark("v_first_peak_time", "vertical first-peak time", "% stance", "F_V", lambda y, _: extreme_time(y, FIRST_PEAK_WINDOW, True)),
        Landmark("v_valley", "vertical valley", "BW", "F_V", lambda y, _: extreme(y, VALLEY_WINDOW, False)[0]),
        Landmark("v_second_peak", "vertical second peak", "BW", "F_V", lambda y, _: extreme(y, SECOND_PEAK_WINDOW, True)[0]),
        Landmark("v_heel_strike", "vertical force at 4 % stance", "BW", "F_V", lambda y, _: y[:, HEEL_STRIKE_SAMPLE].copy()),
        Landmark("ap_braking_min", "AP braking minimum", "BW", "F_AP", lambda y, _: extreme(y, BRAKING_WINDOW, False)[0]),
        Landmark("ap_zero_crossing_time", "AP zero-crossing time", "% stance", "F_AP", lambda y, _: _zero_crossing(y)),
        Landmark("ap_propulsive_max", "AP propulsive maximum", "BW", "F_AP", lambda y, _: extreme(y, PROPULSION_WINDOW, True)[0]),
        Landmark("cop_ap_midstance_progression", "COP AP progression, 15–55 % stance", "m", "COP_AP", lambda y, _: _progression(y)),
        Landmark("cop_ml_lateral_excursion", "COP ML lateral excursion", "m", "COP_ML", _lateral_excursion),
    )
}  # fmt: skip


# A calibrated amplitude may exceed its nominal value (target / gain) by at most this factor:
# a landmark that needs more has stopped being the landmark (a flattened peak), and the shortfall is reported.
LARGEST_CORRECTION = 1.5
# The largest share of a force an operator removes: a foot always carries some load.
MOST_UNLOADING = 0.8
# The shortest taper (% stance) a window gets where landmarks crowd it, so no edit turns abruptly.
MIN_TAPER = 8.0


def _change(name: str, before: np.ndarray, after: np.ndarray, lateral: np.ndarray | None = None) -> np.ndarray:
    read = LANDMARKS[name].read
    sign = np.ones(before.shape[0]) if lateral is None else lateral
    return read(after, sign) - read(before, sign)


# ---------------------------------------------------------------------------
# Operators


@dataclass(frozen=True)
class OperatorInput:
    """One side of the edited trials, and how far to move it."""

    foot: dict[str, np.ndarray]  # component -> (m, 101) untouched curves
    severity: float  # healthy SDs of the target
    sds: dict[str, float]  # healthy between-subject SD of every landmark the kind uses
    width_scale: np.ndarray  # (m,) per-subject width scale of every window
    lateral_sign: np.ndarray  # (m,) sign of a lateral COP_ML move
    centred: dict[str, bool]  # COP component -> whether its channel is mean-centred in the cohort

    @property
    def rows(self) -> int:
        return self.width_scale.size

    def shift(self, name: str, share: float = 1.0) -> np.ndarray:
        """The signless size of a landmark change: ``share`` × severity × its healthy SD, per row."""
        return np.full(self.rows, share * self.severity * self.sds[name])

    def tolerance(self, name: str) -> float:
        """How close calibration gets a landmark to its target: 0.2 % of a healthy SD."""
        return 0.002 * self.sds[name]


@dataclass(frozen=True)
class Edit:
    """The components an operator changed, as new ``(m, 101)`` arrays."""

    curves: dict[str, np.ndarray]


def _with_shear_following(data: OperatorInput, vertical_before: np.ndarray, vertical_after: np.ndarray, shear: dict[str, np.ndarray] | None = None) -> Edit:
    """The new vertical force plus F_AP and F_ML scaled with the change of load."""
    shear = shear if shear is not None else {component: data.foot[component] for component in ("F_AP", "F_ML")}
    curves = {"F_V": vertical_after}
    for component, values in shear.items():
        curves[component] = scale_shear_with_load(values, vertical_before, vertical_after)
    return Edit(curves)


def _stack(*columns: np.ndarray) -> np.ndarray:
    return np.stack(columns, axis=1)


def _unloading(curves: np.ndarray, window: np.ndarray, share: np.ndarray) -> np.ndarray:
    """``curves`` carrying ``share`` less force where ``window`` is 1: peaks come down in proportion, nothing turns negative."""
    return curves - share[:, None] * window * curves  # a zero change keeps the sample's bytes


def _bounded(target: np.ndarray, gain: np.ndarray, most: float | None = None) -> np.ndarray:
    """The upper bound of a calibrated size: the nominal size times LARGEST_CORRECTION, and at most ``most``."""
    upper = LARGEST_CORRECTION * target / gain
    return upper if most is None else np.minimum(upper, most)


def antalgic(data: OperatorInput) -> Edit:
    """Unload the side: F_V scaled down from 2 % stance to past the second peak; shear follows the load.

    The window rises from 2 % stance to the first peak, so the loading ramp is
    softer as well as lower; it is flat from the first to the second peak, so
    both peaks drop by the same share (and the valley with them).
    """
    vertical, k, m = data.foot["F_V"], data.width_scale, data.rows
    peak, first = extreme(vertical, FIRST_PEAK_WINDOW, True)
    _, second = extreme(vertical, SECOND_PEAK_WINDOW, True)
    centre, flat_half = (first + second) / 2, (second - first) / 2 + 3 * k
    window = plateau(centre, flat_half, first - 3 * k - 2, 96 - second - 3 * k, m)
    target = -data.shift("v_first_peak")[:, None]
    gain = -peak[:, None]

    def achieved(share: np.ndarray, rows: np.ndarray) -> np.ndarray:
        new = _unloading(vertical[rows], window[rows], share[:, 0])
        return _change("v_first_peak", vertical[rows], new)[:, None]

    share = calibrate(achieved, target, gain, 0.0, _bounded(target, gain, MOST_UNLOADING), data.tolerance("v_first_peak"))
    return _with_shear_following(data, vertical, _unloading(vertical, window, share[:, 0]))


def _scaled_towards_end(curves: np.ndarray, window: np.ndarray, share: np.ndarray) -> np.ndarray:
    """The excursion above the last sample scaled down by ``share`` where ``window`` is 1; the last sample keeps its bytes.

    Scaling the excursion rather than the force lets a window stay 1 up to
    toe-off, so the late decline keeps its shape (no bump before the end).
    """
    return curves - share[:, None] * window * (curves - curves[:, -1:])  # a zero change keeps the sample's bytes


PUSH_OFF_EARLIEST = 34.0  # % stance: push-off never reaches back into loading and early mid-stance


def reduced_push_off(data: OperatorInput) -> Edit:
    """Scale down the propulsive AP peak and the second vertical peak together (weak plantar flexors).

    Both windows are flat from before their peak to toe-off, so neither a broad
    peak nor the late decline can outgrow the lowered peak. The AP window
    rises after the zero crossing, the vertical one after the valley.
    """
    vertical, anterior, k, m = data.foot["F_V"], data.foot["F_AP"], data.width_scale, data.rows
    propulsion, propulsion_time = extreme(anterior, PROPULSION_WINDOW, True)
    second, second_time = extreme(vertical, SECOND_PEAK_WINDOW, True)
    _, valley_time = extreme(vertical, VALLEY_WINDOW, False)
    crossing = np.nan_to_num(_zero_crossing(anterior), nan=55.0)

    def rising(flat: np.ndarray, latest_start: np.ndarray) -> np.ndarray:
        start = np.maximum(np.minimum(flat - MIN_TAPER, latest_start), PUSH_OFF_EARLIEST)
        return ramp_up(start, np.maximum(flat, start + MIN_TAPER / 2), m)

    windows = np.stack([rising(propulsion_time - 8 * k, crossing), rising(second_time - 7 * k, valley_time + 2.0)], axis=1)
    before = np.stack([anterior, vertical], axis=1)
    names = ("ap_propulsive_max", "v_second_peak")
    target = -_stack(data.shift(names[0]), data.shift(names[1]))
    gain = -_stack(propulsion - anterior[:, -1], second - vertical[:, -1])

    def edited(shares: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.stack([_scaled_towards_end(before[rows, j], windows[rows, j], shares[:, j]) for j in range(2)], axis=1)

    def achieved(shares: np.ndarray, rows: np.ndarray) -> np.ndarray:
        new = edited(shares, rows)
        return _stack(*(_change(name, before[rows, j], new[:, j]) for j, name in enumerate(names)))

    tolerance = np.array([data.tolerance(name) for name in names])
    shares = calibrate(achieved, target, gain, 0.0, _bounded(target, gain, MOST_UNLOADING), tolerance)
    new = edited(shares, np.arange(m))
    return Edit({"F_AP": new[:, 0], "F_V": new[:, 1]})


def prolonged_braking(data: OperatorInput) -> Edit:
    """Deepen the braking minimum and delay the AP zero crossing (a warp that ends at the propulsive peak)."""
    anterior, k, m = data.foot["F_AP"], data.width_scale, data.rows
    braking = _braking_index(anterior).astype(np.float64)
    crossing = np.nan_to_num(_zero_crossing(anterior), nan=55.0)
    _, propulsion = extreme(anterior, PROPULSION_WINDOW, True)
    end = np.maximum(propulsion, crossing + 10.0)
    resample = Resampler(anterior)
    names = ("ap_braking_min", "ap_zero_crossing_time")
    target = _stack(-data.shift(names[0]), data.shift(names[1]))
    gain = np.array([[-1.0, 1.0]])

    def edited(parameters: np.ndarray, rows: np.ndarray) -> np.ndarray:
        depth, delay = parameters[:, 0], parameters[:, 1]
        warp = delay_warp(crossing[rows], delay, end[rows])
        braking_now = new_time_of(warp, braking[rows])
        window = plateau(braking_now, 3 * k[rows], braking_now - 3 * k[rows] - 2, 12 * k[rows], rows.size)
        return resample(warp, rows) - depth[:, None] * window

    def achieved(parameters: np.ndarray, rows: np.ndarray) -> np.ndarray:
        new = edited(parameters, rows)
        return _stack(*(_change(name, anterior[rows], new) for name in names))

    # The propulsion rise is compressed at most to 1 / (1 + 0.35·π/2 / 0.65) of its duration's pace: it stays smooth.
    upper = _stack(_bounded(target[:, 0], gain[0, 0]), 0.35 * (end - crossing))
    parameters = calibrate(achieved, target, gain, 0.0, upper, np.array([data.tolerance(name) for name in names]))
    return Edit({"F_AP": edited(parameters, np.arange(m))})


# The flat-foot time course at full strength: new time -> old time (knots in % stance).
# The COP reaches the mid-foot by 10 % (old 22 %), creeps to old 34 % by 55 %, then runs to the toes.
FLAT_FOOT_KNOTS = ((0.0, 0.0), (10.0, 22.0), (55.0, 34.0), (85.0, 88.0), (100.0, 100.0))
FLAT_FOOT_TEMPLATE = PchipInterpolator(*np.array(FLAT_FOOT_KNOTS).T)(STANCE)


def _recentred(curves: np.ndarray, before: np.ndarray, centred: bool) -> np.ndarray:
    """Keep a mean-centred channel mean-centred: the edit's mean is removed from every sample."""
    if not centred:
        return curves
    return curves - (curves.mean(axis=1, keepdims=True) - before.mean(axis=1, keepdims=True))


def flat_foot(data: OperatorInput) -> Edit:
    """Re-time COP_AP towards the flat-foot course; the share of it is calibrated per trial."""
    cop, centred = data.foot["COP_AP"], data.centred["COP_AP"]
    resample = Resampler(cop)
    name = "cop_ap_midstance_progression"
    target = -data.shift(name)[:, None]

    def edited(amount: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _recentred(resample(blend_warp(FLAT_FOOT_TEMPLATE, amount[:, 0]), rows), cop[rows], centred)

    def achieved(amount: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _change(name, cop[rows], edited(amount, rows))[:, None]

    everything = np.arange(data.rows)
    full = achieved(np.ones((data.rows, 1)), everything)
    can_flatten = full < 0  # a COP that does not progress cannot lose progression
    gain = np.where(can_flatten, full, -1.0)
    amount = calibrate(achieved, target, gain, 0.0, np.where(can_flatten, 1.0, 0.0), data.tolerance(name))
    return Edit({"COP_AP": edited(amount, everything)})


LATERAL_CENTRE_RANGE = (25.0, 55.0)  # % stance: where the lateral bow is centred (mid-stance)


def lateral_cop(data: OperatorInput) -> Edit:
    """Bow the COP_ML course laterally through mid-stance; it returns to its usual end."""
    cop, k, m, lateral = data.foot["COP_ML"], data.width_scale, data.rows, data.lateral_sign
    name = "cop_ml_lateral_excursion"
    oriented = lateral[:, None] * (cop - cop.mean(axis=1, keepdims=True))
    _, most_lateral = extreme(oriented, LATERAL_WINDOW, True)
    centre = np.clip(most_lateral, *LATERAL_CENTRE_RANGE)
    window = plateau(centre, 8 * k, centre - 8 * k - 2, 92 - centre - 8 * k, m)  # from 2 % to 92 % stance
    bow = lateral[:, None] * window
    target = data.shift(name)[:, None]

    def edited(size: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _recentred(cop[rows] + size * bow[rows], cop[rows], data.centred["COP_ML"])

    def achieved(size: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _change(name, cop[rows], edited(size, rows), lateral[rows])[:, None]

    gain = 1.0 - window.mean(axis=1, keepdims=True)  # the landmark is read from the trial's mean, which moves too
    size = calibrate(achieved, target, gain, 0.0, _bounded(target, gain), data.tolerance(name))
    return Edit({"COP_ML": edited(size, np.arange(m))})


HEEL_STRIKE_HALF_WIDTH = 2.5  # samples (% stance) from the spike's peak to where it ends


def heel_strike(data: OperatorInput) -> Edit:
    """Add a sharp impact spike to F_V at 4 % stance; the shear spikes with the load."""
    vertical = data.foot["F_V"]
    pulse = spike(float(HEEL_STRIKE_SAMPLE), HEEL_STRIKE_HALF_WIDTH * data.width_scale, data.rows)
    height = data.shift("v_heel_strike")  # the pulse is exactly 1 at its centre: no calibration needed
    return _with_shear_following(data, vertical, vertical + height[:, None] * pulse)


def delayed_loading(data: OperatorInput) -> Edit:
    """Delay the loading response of all three forces (warp up to the valley); the first hump is also unloaded."""
    vertical, k, m = data.foot["F_V"], data.width_scale, data.rows
    peak = LANDMARKS["v_first_peak"].read(vertical, data.lateral_sign)
    first = extreme_time(vertical, FIRST_PEAK_WINDOW, True)
    _, valley = extreme(vertical, VALLEY_WINDOW, False)
    _, second = extreme(vertical, SECOND_PEAK_WINDOW, True)
    end = np.maximum(valley, first + 15.0)
    resample = {component: Resampler(data.foot[component]) for component in ("F_V", "F_AP", "F_ML")}
    names = ("v_first_peak_time", "v_first_peak")
    target = _stack(data.shift(names[0]), -data.shift(names[1], 0.5))
    gain = _stack(np.ones(m), -peak)

    def edited(parameters: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        delay, share = parameters[:, 0], parameters[:, 1]
        warp = delay_warp(first[rows], delay, end[rows])
        moved, scale = first[rows] + delay, k[rows]
        # From 2 % stance to just before the second peak, so a flat mid-stance does not outgrow the lowered peak.
        fall = np.maximum(second[rows] - moved - 6 * scale - 4, 10.0)
        window = plateau(moved + 3 * scale, 6 * scale, moved - 3 * scale - 2, fall, rows.size)
        warped = resample["F_V"](warp, rows)
        return warp, warped, _unloading(warped, window, share)

    def achieved(parameters: np.ndarray, rows: np.ndarray) -> np.ndarray:
        new = edited(parameters, rows)[2]
        return _stack(*(_change(name, vertical[rows], new) for name in names))

    upper = _stack(np.minimum(0.5 * first, end - first - 8.0), _bounded(target[:, 1], gain[:, 1], MOST_UNLOADING))
    parameters = calibrate(achieved, target, gain, 0.0, upper, np.array([data.tolerance(name) for name in names]))
    warp, warped, lowered = edited(parameters, np.arange(m))
    shear = {component: resample[component](warp) for component in ("F_AP", "F_ML")}
    return _with_shear_following(data, warped, lowered, shear)


OPERATORS: dict[str, Callable[[OperatorInput], Edit]] = {
    "antalgic": antalgic,
    "reduced_push_off": reduced_push_off,
    "prolonged_braking": prolonged_braking,
    "flat_foot": flat_foot,
    "lateral_cop": lateral_cop,
    "heel_strike": heel_strike,
    "delayed_loading": delayed_loading,
}
