"""The arithmetic of coupled channels: style factors, left-right mixing, pivot levers, impulse balance.

See :mod:`analysis.data.synthetic.mechanics` for the model and its numbers.
Every random number used here comes from its own labelled stream whose shape
depends only on the cohort structure, never on covariate values, so a
counterfactual twin with changed speeds or masses draws exactly the same
numbers (:mod:`analysis.data.synthetic.twins`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.data.synthetic.mechanics import MechanicalCoupling
from analysis.data.synthetic.parameters import SIDE_SIGNS, STANCE_PERCENT, stream_rng

SAMPLE_STEP = float(STANCE_PERCENT[1] - STANCE_PERCENT[0])  # % stance between samples


def style_draws(seed: int, n_subjects: int, mechanics: MechanicalCoupling) -> np.ndarray:
    """One standard-normal value per subject and style factor, (n_subjects, n_factors)."""
    return stream_rng(seed, "coupling", "style").standard_normal((n_subjects, len(mechanics.style_factors)))


def styled(own: np.ndarray, style: np.ndarray, loadings: Sequence[Sequence[tuple[int, float]]]) -> np.ndarray:
    """Subject draws (n_subjects, m) made to share the style factors, each column still standard normal.

    Column ``j`` becomes ``sqrt(1 - sum(l^2)) * own_j + sum(l * style_f)`` over
    its (factor, loading) pairs, so its variance stays 1 and its correlation
    with factor ``f`` is the loading.
    """
    result = own.copy()
    for column, pairs in enumerate(loadings):
        if not pairs:
            continue
        shared = sum(loading**2 for _, loading in pairs)
        if shared >= 1.0:
            raise ValueError(f"style loadings of one landmark must have squares summing below 1, got {shared:.3f}")
        result[:, column] = math.sqrt(1.0 - shared) * own[:, column] + sum(
            loading * style[:, factor] for factor, loading in pairs
        )
    return result


def side_mixed(trial: np.ndarray, angle: float) -> np.ndarray:
    """Trial draws (n, 2, m) rotated so that left and right correlate by sin(2 * angle), variances kept."""
    if angle == 0.0:
        return trial
    cosine, sine = math.cos(angle), math.sin(angle)
    left, right = trial[:, 0, :], trial[:, 1, :]
    return np.stack([cosine * left + sine * right, sine * left + cosine * right], axis=1)


@dataclass(frozen=True)
class PivotDraws:
    """The pivot model's own random quantities, in trial order (both sides where they differ)."""

    pivot_ratio: np.ndarray  # (n,) the subject's pivot height over the reference height
    com_travel: np.ndarray  # (n, 2) centre-of-mass travel during the step's stance, m
    lateral_offset: np.ndarray  # (n, 2) change of the COM's lateral offset from the foot, m (medial +)
    net_impulse_share: np.ndarray  # (n, 2) net AP impulse / braking impulse the step is given


def pivot_draws(
    seed: int,
    subject: np.ndarray,
    session: np.ndarray,
    n_subjects: int,
    n_sessions: int,
    mechanics: MechanicalCoupling,
) -> PivotDraws:
    """Draw pivot heights, COM travel, lateral offsets and net impulses from their own streams."""
    n = subject.size
    rng = stream_rng(seed, "coupling", "pivot")
    pivot_subject = rng.standard_normal(n_subjects)
    travel_subject = rng.standard_normal(n_subjects)
    travel_session = rng.standard_normal(n_sessions)
    travel_trial = side_mixed(rng.standard_normal((n, 2, 1)), mechanics.side_mixing_angle)[..., 0]
    lateral_subject = rng.standard_normal(n_subjects)
    lateral_asymmetry = rng.standard_normal(n_subjects)
    impulse_trial = rng.standard_normal(n)
    impulse_step = rng.standard_normal((n, 2))

    ratio = np.clip(1.0 + mechanics.pivot_height_subject_sd * pivot_subject, 0.6, 1.4)[subject]
    relative_travel = (
        mechanics.com_travel_subject_sd * travel_subject[subject, None]
        + mechanics.com_travel_session_sd * travel_session[session, None]
        + mechanics.com_travel_trial_sd * travel_trial
    )
    lateral = (
        mechanics.lateral_offset_subject_sd * lateral_subject[subject, None]
        + SIDE_SIGNS[None, :] * mechanics.lateral_offset_asymmetry_sd * lateral_asymmetry[subject, None]
    )
    share = mechanics.net_impulse_trial_sd * impulse_trial[:, None] + mechanics.net_impulse_step_sd * impulse_step
    return PivotDraws(
        pivot_ratio=ratio,
        com_travel=mechanics.com_travel * (1.0 + relative_travel),
        lateral_offset=lateral,
        net_impulse_share=share,
    )


def pivot_shear(
    vertical: np.ndarray,
    vertical_mean: np.ndarray,
    shear_mean: np.ndarray,
    lever_change: np.ndarray,
    pivot_ratio: np.ndarray,
    pivot_height: float,
    remainder: np.ndarray,
) -> np.ndarray:
    """A shear force (n, 2, 101) in BW from the vertical force and the lever to the pivot.

    ``F_X = F_V * (h_ref * X_mean / V_mean + lever_change) / (h_ref * pivot_ratio) + remainder``:
    the reference lever is what the trial's covariate-mean templates imply
    (so a trial at its mean gets the calibrated mean shear), ``lever_change``
    (m) is how far this step's COP and centre of mass move the lever from it.
    """
    reference_lever = pivot_height * shear_mean / np.maximum(vertical_mean, 1e-3)  # the mean F_V stays above 0.05 BW
    return vertical * (reference_lever + lever_change) / (pivot_height * pivot_ratio[:, None, None]) + remainder


def stance_integral(curves: np.ndarray) -> np.ndarray:
    """Trapezoidal integral over stance of (..., 101) curves, in unit · % stance."""
    return np.trapezoid(curves, dx=SAMPLE_STEP, axis=-1)


def balanced(shear: np.ndarray, vertical: np.ndarray, net_share: np.ndarray, iterations: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The AP force with its pivot moved horizontally so net impulse = share x |braking impulse|.

    Moving the pivot by ``d`` adds ``-F_V * d / h`` to the force, so the
    shift that removes an excess impulse ``E`` is ``d / h = E / integral(F_V)``.
    The braking impulse itself changes with the shift, so the step is
    repeated a few times (it converges at once: a shift of a few per cent of
    the braking impulse moves the braking impulse by less than that).
    Returns the force and the total shift ``d / h`` per step (n, 2).
    """
    vertical_impulse = stance_integral(vertical)
    total_shift = np.zeros(shear.shape[:-1])
    result = shear
    for _ in range(iterations):
        braking = stance_integral(np.minimum(result, 0.0))
        excess = stance_integral(result) - net_share * np.abs(braking)
        shift = excess / vertical_impulse
        result = result - vertical * shift[..., None]
        total_shift = total_shift + shift
    return result, total_shift
