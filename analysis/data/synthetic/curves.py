"""The curves of a synthetic cohort: landmarks, shape knots, interpolation, noise.

See :mod:`analysis.data.synthetic.parameters` for the generative model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

from analysis.data.gutenberg import (
    ID_COLUMNS,
    SESSION_KEY,
    SIDES,
)
from analysis.data.synthetic.cohort import CohortStructure
from analysis.data.synthetic.parameters import (
    SIDE_SIGNS,
    STANCE_PERCENT,
    TRIAL_COVARIATES,
    ComponentModel,
    Landmark,
    SyntheticParameters,
    stream_rng,
)

# ---------------------------------------------------------------------------
# Curves.


@dataclass(frozen=True)
class _Indices:
    subject: np.ndarray  # per trial, 0..n_subjects-1
    session: np.ndarray  # per trial, 0..n_sessions-1
    n_subjects: int
    n_sessions: int


def _indices(trials: pd.DataFrame) -> _Indices:
    subject = pd.factorize(trials["SUBJECT_ID"], sort=True)[0]
    session = trials.groupby(list(SESSION_KEY), sort=True).ngroup().to_numpy()
    return _Indices(subject=subject, session=session, n_subjects=int(subject.max()) + 1, n_sessions=int(session.max()) + 1)


@dataclass(frozen=True)
class _Draws:
    """Standard-normal effects of one quantity at each level of the hierarchy."""

    subject: np.ndarray  # (n_subjects, m)
    session: np.ndarray  # (n_sessions, m)
    trial: np.ndarray  # (n_trials, 2, m)

    @classmethod
    def normal(cls, rng: np.random.Generator, index: _Indices, n_trials: int, m: int) -> _Draws:
        return cls(
            subject=rng.standard_normal((index.n_subjects, m)),
            session=rng.standard_normal((index.n_sessions, m)),
            trial=rng.standard_normal((n_trials, 2, m)),
        )


@dataclass(frozen=True)
class _Realisation:
    """What one landmark became in every trial, kept for the ground-truth file."""

    subject_effect: np.ndarray  # (n_trials,) residual subject signature
    session_effect: np.ndarray  # (n_trials,)
    asymmetry: np.ndarray  # (n_trials,) the subject's symmetry index
    value: np.ndarray  # (n_trials, 2) knot value per side
    time_subject_effect: np.ndarray | None = None  # (n_trials,); None where the knot has no time
    time: np.ndarray | None = None  # (n_trials, 2)


def _landmark_values(
    landmarks: Sequence[Landmark],
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values (n, 2, m) per side plus subject, session and asymmetry effects (n, m)."""
    n, m = len(trials), len(landmarks)
    covariates = {
        "speed": trials["speed"].to_numpy() - parameters.reference_speed,
        "age": trials["age"].to_numpy() - parameters.reference_age,
        "mass": trials["body_mass"].to_numpy() - parameters.reference_mass,
        "height": trials["height"].to_numpy() - parameters.reference_height,
        "sex": trials["sex"].to_numpy() - parameters.male_share,
        "shod": trials["shod"].to_numpy(),
    }
    mean = np.empty((n, m))
    sds = np.empty((3, m))
    for j, landmark in enumerate(landmarks):
        slopes = parameters.slopes(landmark)
        mean[:, j] = landmark.value + sum(slopes[name] * covariates[name] for name in covariates)
        sds[:, j] = parameters.residual_sds(landmark)
    draws = _Draws.normal(rng, index, n, m)
    subject_effect = (draws.subject * sds[0])[index.subject]
    session_effect = (draws.session * sds[1])[index.session]
    trial_effect = draws.trial * sds[2] * noise_scale[:, None, None]
    asymmetry_sd = np.array([landmark.asymmetry_sd for landmark in landmarks])
    asymmetry = (rng.standard_normal((index.n_subjects, m)) * asymmetry_sd)[index.subject]
    level = (mean + subject_effect + session_effect)[:, None, :] + trial_effect
    values = level * (1.0 + SIDE_SIGNS[None, :, None] * asymmetry[:, None, :] / 2.0)
    return values, subject_effect, session_effect, asymmetry


def _landmark_times(
    landmarks: Sequence[Landmark], index: _Indices, n: int, parameters: SyntheticParameters, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Times (n, 2, m) in % stance, kept in order, plus the subject timing effect (n, m)."""
    m = len(landmarks)
    between = np.array([landmark.time_between_sd for landmark in landmarks])
    within = np.array([landmark.time_within_sd for landmark in landmarks])
    share = parameters.session_variance_share
    draws = _Draws.normal(rng, index, n, m)
    subject_effect = (draws.subject * between)[index.subject]
    session_effect = (draws.session * within * math.sqrt(share))[index.session]
    trial_effect = draws.trial * within * math.sqrt(1.0 - share)
    means = np.array([landmark.time for landmark in landmarks])
    times = (means + subject_effect + session_effect)[:, None, :] + trial_effect
    gap = parameters.min_knot_gap
    times[..., 0], times[..., -1] = 0.0, 100.0
    for j in range(1, m - 1):  # forward: leave room after the previous landmark
        times[..., j] = np.maximum(times[..., j], times[..., j - 1] + gap)
    for j in range(m - 2, 0, -1):  # backward: and before the next one
        times[..., j] = np.minimum(times[..., j], times[..., j + 1] - gap)
    return times, subject_effect


def _knots(
    model: ComponentModel,
    values: np.ndarray,
    times: np.ndarray,
    index: _Indices,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks plus shape knots, in time order: (n, 2, K) times and values."""
    names = [landmark.name for landmark in model.landmarks]
    n = values.shape[0]
    n_shape = len(model.shape_knots)
    fractions = np.array([knot.fraction for knot in model.shape_knots])
    draws = _Draws.normal(rng, index, n, n_shape)
    jitter = (draws.subject * parameters.shape_subject_sd)[index.subject][:, None, :]
    jitter = jitter + draws.trial * parameters.shape_trial_sd
    shape_fraction = np.clip(fractions + jitter, 0.02, 0.98)

    knot_times, knot_values = [], []
    for j, name in enumerate(names):
        knot_times.append(times[..., j])
        knot_values.append(values[..., j])
        following = [(s, knot) for s, knot in enumerate(model.shape_knots) if knot.after == name]
        previous_fraction = np.zeros(values.shape[:2])
        for s, knot in sorted(following, key=lambda item: item[1].position):
            fraction = np.maximum(shape_fraction[..., s], previous_fraction)  # stay monotone between landmarks
            previous_fraction = fraction
            knot_times.append(times[..., j] + knot.position * (times[..., j + 1] - times[..., j]))
            knot_values.append(values[..., j] + fraction * (values[..., j + 1] - values[..., j]))
    return np.stack(knot_times, axis=-1), np.stack(knot_values, axis=-1)


def _pchip(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Monotone piecewise cubic through knots (..., K), evaluated at ``grid`` for every row.

    Fritsch-Carlson slopes: zero at every local extremum of the knots, so a
    landmark that is higher (lower) than its neighbours is exactly the curve's
    maximum (minimum) there, and no overshoot appears between knots.
    """
    h = np.diff(x, axis=-1)
    delta = np.diff(y, axis=-1) / h
    slope = np.zeros_like(y)
    w1 = 2 * h[..., 1:] + h[..., :-1]
    w2 = h[..., 1:] + 2 * h[..., :-1]
    same_sign = delta[..., :-1] * delta[..., 1:] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        harmonic = (w1 + w2) / (w1 / delta[..., :-1] + w2 / delta[..., 1:])
    slope[..., 1:-1] = np.where(same_sign, harmonic, 0.0)
    slope[..., 0] = _end_slope(h[..., 0], h[..., 1], delta[..., 0], delta[..., 1])
    slope[..., -1] = _end_slope(h[..., -1], h[..., -2], delta[..., -1], delta[..., -2])

    segment = (grid[:, None] >= x[..., None, 1:-1]).sum(axis=-1)  # (..., G)

    def at(array: np.ndarray) -> np.ndarray:
        return np.take_along_axis(array, segment, axis=-1)

    x0, width = at(x[..., :-1]), at(h)
    t = (grid - x0) / width
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * at(y[..., :-1])
        + (t3 - 2 * t2 + t) * width * at(slope[..., :-1])
        + (-2 * t3 + 3 * t2) * at(y[..., 1:])
        + (t3 - t2) * width * at(slope[..., 1:])
    )


def _end_slope(h0: np.ndarray, h1: np.ndarray, delta0: np.ndarray, delta1: np.ndarray) -> np.ndarray:
    """One-sided three-point slope, limited so the end segment does not overshoot."""
    slope = ((2 * h0 + h1) * delta0 - h0 * delta1) / (h0 + h1)
    slope = np.where(np.sign(slope) != np.sign(delta0), 0.0, slope)
    limit = (np.sign(delta0) != np.sign(delta1)) & (np.abs(slope) > 3 * np.abs(delta0))
    return np.where(limit, 3 * delta0, slope)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...], sd: float, width: float) -> np.ndarray:
    """Gaussian-smoothed white noise with standard deviation ``sd`` (low-pass, no sample-to-sample jitter)."""
    if sd == 0:
        return np.zeros(shape)
    step = STANCE_PERCENT[1] - STANCE_PERCENT[0]
    impulse = np.zeros(8 * int(math.ceil(width / step)) + 1)
    impulse[impulse.size // 2] = 1.0
    gain = float(np.sqrt(np.sum(gaussian_filter1d(impulse, width / step) ** 2)))
    return gaussian_filter1d(rng.standard_normal(shape), width / step, axis=-1, mode="reflect") * (sd / gain)


def _component_curves(
    model: ComponentModel,
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    seed: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Left and right curves (n, 2, 101) of one component and its ground-truth columns."""
    rng = stream_rng(seed, "curves", model.component)
    n = len(trials)
    values, subject_effect, session_effect, asymmetry = _landmark_values(
        model.landmarks, trials, index, noise_scale, parameters, rng
    )
    times, time_subject_effect = _landmark_times(model.landmarks, index, n, parameters, rng)
    knot_times, knot_values = _knots(model, values, times, index, parameters, rng)
    curves = _pchip(knot_times, knot_values, STANCE_PERCENT)

    columns: dict[str, np.ndarray] = {}
    for j, landmark in enumerate(model.landmarks):
        if landmark.varies:
            realisation = _Realisation(
                subject_effect=subject_effect[:, j],
                session_effect=session_effect[:, j],
                asymmetry=asymmetry[:, j],
                value=values[..., j],
                time_subject_effect=time_subject_effect[:, j],
                time=times[..., j],
            )
            _record(columns, f"{model.component}_{landmark.name}", realisation)

    if model.scale is not None:
        scale, scale_subject, scale_session, scale_asymmetry = _landmark_values(
            (model.scale,), trials, index, noise_scale, parameters, rng
        )
        scale = np.maximum(scale[..., 0], 1e-3)  # a length or range stays positive
        curves = curves * scale[..., None]
        realisation = _Realisation(
            subject_effect=scale_subject[:, 0],
            session_effect=scale_session[:, 0],
            asymmetry=scale_asymmetry[:, 0],
            value=scale,
        )
        _record(columns, f"{model.component}_{model.scale.name}", realisation)

    curves = curves + _smooth_noise(rng, curves.shape, model.smooth_noise_sd, parameters.smooth_noise_width)
    return _apply_conventions(model.component, curves, parameters), columns


def _record(columns: dict[str, np.ndarray], prefix: str, realisation: _Realisation) -> None:
    columns[f"{prefix}_subject_effect"] = realisation.subject_effect
    columns[f"{prefix}_session_effect"] = realisation.session_effect
    columns[f"{prefix}_asymmetry"] = realisation.asymmetry
    for k, side in enumerate(SIDES):
        columns[f"{prefix}_{side}"] = realisation.value[:, k]
    if realisation.time is not None and realisation.time_subject_effect is not None:
        columns[f"{prefix}_time_subject_effect"] = realisation.time_subject_effect
        for k, side in enumerate(SIDES):
            columns[f"{prefix}_time_{side}"] = realisation.time[:, k]


def _apply_conventions(component: str, curves: np.ndarray, parameters: SyntheticParameters) -> np.ndarray:
    """Side signs and COP origins, the conventions the published files may use."""
    if component == "F_ML":
        return curves * np.array([parameters.ml_sign_left, parameters.ml_sign_right], dtype=np.float64)[None, :, None]
    if component == "COP_ML":
        signs = np.array([parameters.cop_ml_sign_left, parameters.cop_ml_sign_right], dtype=np.float64)
        origin = curves.mean(axis=-1, keepdims=True) if parameters.cop_ml_centred else curves[..., :1]
        return (curves - origin) * signs[None, :, None]
    if component == "COP_AP":
        origin = curves[..., :1] if parameters.cop_ap_origin == "start" else curves.mean(axis=-1, keepdims=True)
        return curves - origin
    return curves


def generate(cohort: CohortStructure, parameters: SyntheticParameters, seed: int) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Curves per channel (n, 101) and the ground-truth table."""
    trials = cohort.trials
    index = _indices(trials)
    speed = trials["speed"].to_numpy()
    noise_scale = np.clip(1.0 + parameters.noise_speed_gain * (speed - parameters.reference_speed), 0.5, 2.0)
    truth = trials[list(ID_COLUMNS)].copy()
    for column in TRIAL_COVARIATES:
        truth[column] = trials[column].to_numpy()
    truth["noise_scale"] = noise_scale
    channels: dict[str, np.ndarray] = {}
    extra: dict[str, np.ndarray] = {}
    for model in parameters.components:
        curves, columns = _component_curves(model, trials, index, noise_scale, parameters, seed)
        for k, side in enumerate(SIDES):
            channels[f"{model.component}_{side}"] = curves[:, k, :]
        extra.update(columns)
    truth = pd.concat([truth, pd.DataFrame(extra, index=truth.index)], axis=1)
    return channels, truth
