"""The curves of a synthetic cohort: landmarks, shape knots, interpolation, noise, coupling.

See :mod:`analysis.data.synthetic.parameters` for the generative model and
:mod:`analysis.data.synthetic.mechanics` for the coupling between channels.
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
from analysis.data.synthetic import coupled
from analysis.data.synthetic.cohort import CohortStructure
from analysis.data.synthetic.mechanics import ShearRemainder
from analysis.data.synthetic.parameters import (
    SIDE_SIGNS,
    STANCE_PERCENT,
    TRIAL_COVARIATES,
    ComponentModel,
    Landmark,
    SyntheticParameters,
    stream_rng,
)

# Explicit edits of a counterfactual twin: (component, landmark, "value" or "time") -> per-trial shift.
LandmarkEdits = dict[tuple[str, str, str], np.ndarray]

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
class _Coupling:
    """What coupling changes in the draws of one component (None of it when coupling is off)."""

    component: str
    style: np.ndarray  # (n_subjects, n_factors) standard-normal style factors
    parameters: SyntheticParameters
    remainder: ShearRemainder | None = None  # shear components keep scaled parts of their own deviations

    def subject_draws(self, draws: np.ndarray, names: Sequence[str], timing: bool) -> np.ndarray:
        mechanics = self.parameters.mechanics
        return coupled.styled(draws, self.style, [mechanics.loadings(self.component, name, timing) for name in names])

    def trial_draws(self, draws: np.ndarray) -> np.ndarray:
        return coupled.side_mixed(draws, self.parameters.mechanics.side_mixing_angle)


@dataclass(frozen=True)
class _Realisation:
    """What one landmark became in every trial, kept for the ground-truth file."""

    subject_effect: np.ndarray  # (n_trials,) residual subject signature
    session_effect: np.ndarray  # (n_trials,)
    asymmetry: np.ndarray  # (n_trials,) the subject's symmetry index
    value: np.ndarray  # (n_trials, 2) knot value per side
    time_subject_effect: np.ndarray | None = None  # (n_trials,); None where the knot has no time
    time: np.ndarray | None = None  # (n_trials, 2)


def _covariates(trials: pd.DataFrame, parameters: SyntheticParameters) -> dict[str, np.ndarray]:
    return {
        "speed": trials["speed"].to_numpy() - parameters.reference_speed,
        "age": trials["age"].to_numpy() - parameters.reference_age,
        "mass": trials["body_mass"].to_numpy() - parameters.reference_mass,
        "height": trials["height"].to_numpy() - parameters.reference_height,
        "sex": trials["sex"].to_numpy() - parameters.male_share,
        "shod": trials["shod"].to_numpy(),
    }


def _landmark_means(landmarks: Sequence[Landmark], trials: pd.DataFrame, parameters: SyntheticParameters) -> np.ndarray:
    """Expected knot values (n, m) at each trial's covariates."""
    covariates = _covariates(trials, parameters)
    mean = np.empty((len(trials), len(landmarks)))
    for j, landmark in enumerate(landmarks):
        slopes = parameters.slopes(landmark)
        mean[:, j] = landmark.value + sum(slopes[name] * covariates[name] for name in covariates)
    return mean


def _landmark_values(
    landmarks: Sequence[Landmark],
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
    coupling: _Coupling | None = None,
    shift: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values (n, 2, m) per side plus subject, session and asymmetry effects (n, m).

    ``shift`` (n, m) moves a twin's landmarks as its person would carry them
    (added to the expected value, before the symmetry index applies).
    """
    n, m = len(trials), len(landmarks)
    mean = _landmark_means(landmarks, trials, parameters)
    if shift is not None:
        mean = mean + shift
    sds = np.array([parameters.residual_sds(landmark) for landmark in landmarks]).T
    draws = _Draws.normal(rng, index, n, m)
    subject_draw, trial_draw = draws.subject, draws.trial
    if coupling is not None:
        subject_draw = coupling.subject_draws(subject_draw, [landmark.name for landmark in landmarks], timing=False)
        trial_draw = coupling.trial_draws(trial_draw)
    subject_effect = (subject_draw * sds[0])[index.subject]
    session_effect = (draws.session * sds[1])[index.session]
    trial_effect = trial_draw * sds[2] * noise_scale[:, None, None]
    asymmetry_sd = np.array([landmark.asymmetry_sd for landmark in landmarks])
    asymmetry = (rng.standard_normal((index.n_subjects, m)) * asymmetry_sd)[index.subject]
    if coupling is not None and coupling.remainder is not None:
        kept = [coupling.remainder.of(landmark.name) for landmark in landmarks]
        within = np.array([scale.within for scale in kept])
        subject_effect = subject_effect * np.array([scale.subject for scale in kept])
        asymmetry = asymmetry * np.array([scale.asymmetry for scale in kept])
        session_effect, trial_effect = session_effect * within, trial_effect * within
    level = (mean + subject_effect + session_effect)[:, None, :] + trial_effect
    values = level * (1.0 + SIDE_SIGNS[None, :, None] * asymmetry[:, None, :] / 2.0)
    return values, subject_effect, session_effect, asymmetry


def _landmark_times(
    landmarks: Sequence[Landmark],
    index: _Indices,
    n: int,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
    coupling: _Coupling | None = None,
    shift: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Times (n, 2, m) in % stance, kept in order, plus the subject timing effect (n, m); ``shift`` (n, m) moves a twin's."""
    m = len(landmarks)
    between = np.array([landmark.time_between_sd for landmark in landmarks])
    within = np.array([landmark.time_within_sd for landmark in landmarks])
    share = parameters.session_variance_share
    draws = _Draws.normal(rng, index, n, m)
    subject_draw, trial_draw = draws.subject, draws.trial
    if coupling is not None:
        subject_draw = coupling.subject_draws(subject_draw, [landmark.name for landmark in landmarks], timing=True)
        trial_draw = coupling.trial_draws(trial_draw)
    subject_effect = (subject_draw * between)[index.subject]
    session_effect = (draws.session * within * math.sqrt(share))[index.session]
    trial_effect = trial_draw * within * math.sqrt(1.0 - share)
    means = np.array([landmark.time for landmark in landmarks])
    if shift is not None:
        means = means + shift
    times = (means + subject_effect + session_effect)[:, None, :] + trial_effect
    return _ordered_times(times, parameters.min_knot_gap), subject_effect


def _ordered_times(times: np.ndarray, gap: float) -> np.ndarray:
    """Ends pinned at 0 and 100 % stance, every landmark at least ``gap`` after the one before."""
    m = times.shape[-1]
    times[..., 0], times[..., -1] = 0.0, 100.0
    for j in range(1, m - 1):  # forward: leave room after the previous landmark
        times[..., j] = np.maximum(times[..., j], times[..., j - 1] + gap)
    for j in range(m - 2, 0, -1):  # backward: and before the next one
        times[..., j] = np.minimum(times[..., j], times[..., j + 1] - gap)
    return times


def _knots(
    model: ComponentModel,
    values: np.ndarray,
    times: np.ndarray,
    index: _Indices,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks plus shape knots with jittered fractions, in time order: (n, 2, K) times and values."""
    n = values.shape[0]
    fractions = np.array([knot.fraction for knot in model.shape_knots])
    draws = _Draws.normal(rng, index, n, len(model.shape_knots))
    jitter = (draws.subject * parameters.shape_subject_sd)[index.subject][:, None, :]
    jitter = jitter + draws.trial * parameters.shape_trial_sd
    return _assemble_knots(model, values, times, np.clip(fractions + jitter, 0.02, 0.98))


def _assemble_knots(
    model: ComponentModel, values: np.ndarray, times: np.ndarray, shape_fraction: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks plus shape knots at the given fractions (..., S), in time order."""
    names = [landmark.name for landmark in model.landmarks]
    knot_times, knot_values = [], []
    for j, name in enumerate(names):
        knot_times.append(times[..., j])
        knot_values.append(values[..., j])
        following = [(s, knot) for s, knot in enumerate(model.shape_knots) if knot.after == name]
        previous_fraction = np.zeros(values.shape[:-1])
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


def mean_curves(model: ComponentModel, trials: pd.DataFrame, parameters: SyntheticParameters) -> np.ndarray:
    """The component's curve (n, 2, 101) at each trial's covariates with every random effect at zero.

    Landmarks at their covariate means and mean times, shape knots at their
    template fractions, COP scaled by its mean length or range; both sides
    alike. The coupled shear forces take their reference lever from these.
    """
    values = np.repeat(_landmark_means(model.landmarks, trials, parameters)[:, None, :], 2, axis=1)
    times = np.broadcast_to(np.array([landmark.time for landmark in model.landmarks]), values.shape).copy()
    fractions = np.array([knot.fraction for knot in model.shape_knots])
    shape_fraction = np.broadcast_to(np.clip(fractions, 0.02, 0.98), (*values.shape[:-1], fractions.size))
    knot_times, knot_values = _assemble_knots(model, values, _ordered_times(times, parameters.min_knot_gap), shape_fraction)
    curves = _pchip(knot_times, knot_values, STANCE_PERCENT)
    if model.scale is not None:
        scale = np.maximum(_landmark_means((model.scale,), trials, parameters)[:, 0], 1e-3)
        curves = curves * scale[:, None, None]
    return curves


def _component_curves(
    model: ComponentModel,
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    seed: int,
    coupling: _Coupling | None = None,
    edits: LandmarkEdits | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Left and right curves (n, 2, 101) of one component, before the file conventions, and its ground truth."""
    rng = stream_rng(seed, "curves", model.component)
    n = len(trials)
    values, subject_effect, session_effect, asymmetry = _landmark_values(
        model.landmarks, trials, index, noise_scale, parameters, rng, coupling,
        _shifts(model.component, model.landmarks, "value", edits, n),
    )  # fmt: skip
    times, time_subject_effect = _landmark_times(
        model.landmarks, index, n, parameters, rng, coupling, _shifts(model.component, model.landmarks, "time", edits, n)
    )
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
            (model.scale,), trials, index, noise_scale, parameters, rng, coupling,
            _shifts(model.component, (model.scale,), "value", edits, n),
        )  # fmt: skip
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
    return curves, columns


def _shifts(
    component: str, landmarks: Sequence[Landmark], kind: str, edits: LandmarkEdits | None, n: int
) -> np.ndarray | None:
    """The edits of these landmarks as an (n, m) array, or None where nothing is edited."""
    if not edits:
        return None
    found = [edits.get((component, landmark.name, kind)) for landmark in landmarks]
    if all(shift is None for shift in found):
        return None
    return np.stack([np.zeros(n) if shift is None else shift for shift in found], axis=1)


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


def _coupled_shear(
    raw: dict[str, np.ndarray],
    trials: pd.DataFrame,
    index: _Indices,
    parameters: SyntheticParameters,
    seed: int,
    extra: dict[str, np.ndarray],
) -> None:
    """Replace the independent remainders of F_AP and F_ML in ``raw`` by pivot-coupled shear forces."""
    mechanics = parameters.mechanics
    mean = {name: mean_curves(parameters.component(name), trials, parameters) for name in raw}
    draws = coupled.pivot_draws(seed, index.subject, index.session, index.n_subjects, index.n_sessions, mechanics)
    progress = STANCE_PERCENT / 100.0
    change_ap = (draws.com_travel - mechanics.com_travel)[..., None] * progress - (raw["COP_AP"] - mean["COP_AP"])
    change_ml = draws.lateral_offset[..., None] - (raw["COP_ML"] - mean["COP_ML"])
    for name, change in (("F_AP", change_ap), ("F_ML", change_ml)):
        remainder = raw[name] - mean[name]
        raw[name] = coupled.pivot_shear(
            raw["F_V"], mean["F_V"], mean[name], change, draws.pivot_ratio, mechanics.pivot_height, remainder
        )
    raw["F_AP"], shift = coupled.balanced(raw["F_AP"], raw["F_V"], draws.net_impulse_share)
    extra["pivot_height"] = mechanics.pivot_height * draws.pivot_ratio
    for k, side in enumerate(SIDES):
        extra[f"com_travel_{side}"] = draws.com_travel[:, k]
        extra[f"lateral_offset_change_{side}"] = draws.lateral_offset[:, k]
        extra[f"net_impulse_share_{side}"] = draws.net_impulse_share[:, k]
        extra[f"pivot_shift_{side}"] = shift[:, k] * extra["pivot_height"]


def generate(
    cohort: CohortStructure, parameters: SyntheticParameters, seed: int, edits: LandmarkEdits | None = None
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Curves per channel (n, 101) and the ground-truth table.

    Every random number comes from a stream keyed by seed and purpose whose
    shape depends only on the cohort structure, so changed covariates or
    ``edits`` (a counterfactual twin) leave every draw as it was.
    """
    trials = cohort.trials
    index = _indices(trials)
    speed = trials["speed"].to_numpy()
    noise_scale = np.clip(1.0 + parameters.noise_speed_gain * (speed - parameters.reference_speed), 0.5, 2.0)
    truth = trials[list(ID_COLUMNS)].copy()
    for column in TRIAL_COVARIATES:
        truth[column] = trials[column].to_numpy()
    truth["noise_scale"] = noise_scale
    extra: dict[str, np.ndarray] = {}
    style = coupled.style_draws(seed, index.n_subjects, parameters.mechanics) if parameters.coupling else None
    raw: dict[str, np.ndarray] = {}
    for model in parameters.components:
        coupling = None
        if style is not None:
            remainder = None
            if model.component == "F_AP":
                remainder = parameters.mechanics.anterior_posterior_remainder
            elif model.component == "F_ML":
                remainder = parameters.mechanics.medio_lateral_remainder
            coupling = _Coupling(model.component, style, parameters, remainder)
        raw[model.component], columns = _component_curves(
            model, trials, index, noise_scale, parameters, seed, coupling, edits
        )
        extra.update(columns)
    if style is not None:
        for position, factor in enumerate(parameters.mechanics.style_factors):
            extra[f"style_{factor.name}"] = style[index.subject, position]
        _coupled_shear(raw, trials, index, parameters, seed, extra)
    channels: dict[str, np.ndarray] = {}
    for model in parameters.components:
        curves = _apply_conventions(model.component, raw[model.component], parameters)
        for k, side in enumerate(SIDES):
            channels[f"{model.component}_{side}"] = curves[:, k, :]
    truth = pd.concat([truth, pd.DataFrame(extra, index=truth.index)], axis=1)
    return channels, truth
