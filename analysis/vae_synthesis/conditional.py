"""The step beyond the seed: a VAE conditioned on speed, body mass and height, checked against known effects.

A conditional VAE is useful only if changing its conditions changes the
curves the way walking faster or weighing more does. On the synthetic cohort
those effects are known: each landmark moves by a set slope per m/s or per
kg. The check generates trials along a grid of one condition (the others at
the training median), reads the landmark off each generated trial and fits
its slope; the reference slope is fitted the same way on the cohort's trials
(multiple regression on all three conditions). A ratio near 1 means the VAE
learned the effect; near 0 means it ignores the condition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.evaluation import landmarks as landmark_table
from analysis.vae_synthesis.generation import FoldVAE
from analysis.vae_synthesis.samples import CONDITIONS, Samples

# (landmark column, condition it is checked against)
CHECKS: tuple[tuple[str, str], ...] = (
    ("v_first_peak", "WALKING_SPEED"),
    ("v_valley", "WALKING_SPEED"),
    ("v_second_peak", "WALKING_SPEED"),
    ("ap_braking_min", "WALKING_SPEED"),
    ("ap_propulsive_max", "WALKING_SPEED"),
    ("v_second_peak", "BODY_MASS"),
)
GRID_POINTS = 7


def trial_landmarks(curves: np.ndarray, channels: tuple[str, ...]) -> pd.DataFrame:
    """Landmark values per trial, averaged over the two sides."""
    table = landmark_table.landmarks(curves, channels, ml_orientation="as_is")
    return table.groupby("trial")[list(landmark_table.VALUE_COLUMNS)].mean()


def cohort_slopes(samples: Samples) -> dict[tuple[str, str], float]:
    """Slope of every checked landmark on its condition, the other conditions held fixed (OLS on trials)."""
    rows = samples.with_conditions(np.arange(len(samples.trials)))
    values = trial_landmarks(samples.curves[rows], samples.channels)
    design = np.column_stack([np.ones(len(rows)), samples.conditions()[rows]])
    slopes = {}
    for landmark, condition in CHECKS:
        coefficients = np.linalg.lstsq(design, values[landmark].to_numpy(), rcond=None)[0]
        slopes[(landmark, condition)] = float(coefficients[1 + CONDITIONS.index(condition)])
    return slopes


def generated_slopes(model: FoldVAE, samples: Samples, per_point: int, seed: int) -> dict[tuple[str, str], float]:
    """Slope of every checked landmark along a grid of its condition (5th–95th percentile), others at the median."""
    if per_point < 2:
        raise ValueError(f"per_point must be ≥ 2, got {per_point!r}")
    known = samples.conditions()[samples.with_conditions(np.arange(len(samples.trials)))]
    median = np.median(known, axis=0)
    slopes = {}
    for landmark, condition in CHECKS:
        column = CONDITIONS.index(condition)
        grid = np.linspace(*np.percentile(known[:, column], [5, 95]), GRID_POINTS)
        conditions = np.repeat(median[None, :], GRID_POINTS * per_point, axis=0)
        conditions[:, column] = np.repeat(grid, per_point)
        curves = model.curves(len(conditions), seed, noisy=False, conditions=conditions)
        values = trial_landmarks(curves, samples.channels)[landmark].to_numpy()
        slopes[(landmark, condition)] = float(np.polyfit(conditions[:, column], values, 1)[0])
    return slopes


UNITS = {"WALKING_SPEED": "BW per m/s", "BODY_MASS": "BW per kg"}


def slope_table(
    models: list[FoldVAE], samples: Samples, per_point: int, seed: int, generator: dict[tuple[str, str], float] | None = None
) -> pd.DataFrame:
    """Cohort slope, generated slope (mean and range over folds), their ratio, and the generator's parameter if known."""
    reference = cohort_slopes(samples)
    per_fold = [generated_slopes(model, samples, per_point, seed + index) for index, model in enumerate(models)]
    rows = []
    for key in CHECKS:
        generated = np.array([fold[key] for fold in per_fold])
        ratios = generated / reference[key]
        row = {
            "landmark": key[0],
            "condition": key[1],
            "unit": UNITS[key[1]],
            "cohort slope": reference[key],
            "generated slope": float(generated.mean()),
            "ratio": float(ratios.mean()),
            "ratio low": float(ratios.min()),
            "ratio high": float(ratios.max()),
        }
        if generator is not None:
            row["generator parameter"] = generator.get(key, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


# Landmark columns of analysis.evaluation.landmarks → (component, landmark) of the generator's parameters.
GENERATOR_LANDMARKS: dict[str, tuple[str, str]] = {
    "v_first_peak": ("F_V", "first_peak"),
    "v_valley": ("F_V", "valley"),
    "v_second_peak": ("F_V", "second_peak"),
    "ap_braking_min": ("F_AP", "braking_minimum"),
    "ap_propulsive_max": ("F_AP", "propulsive_maximum"),
}
SLOPE_KEYS = {"WALKING_SPEED": "speed", "BODY_MASS": "mass", "HEIGHT": "height"}


def generator_slopes(parameters) -> dict[tuple[str, str], float]:
    """The generator's own slope of each checked landmark (its parameter, before the mechanics couple channels)."""
    slopes = {}
    for landmark, condition in CHECKS:
        component, name = GENERATOR_LANDMARKS[landmark]
        slopes[(landmark, condition)] = float(parameters.slopes(parameters.component(component).landmark(name))[SLOPE_KEYS[condition]])
    return slopes
