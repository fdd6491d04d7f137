"""What if faster, slower or heavier: diffusion edits against the generator's counterfactual twins.

The generator can re-render a trial with only the speed (or body mass)
changed and every random draw kept: the same person walking faster. The
diffusion model gets the analogous operation by DDIM inversion: the trial is
mapped (given its recorded metadata) to the noise from which the sampler
regenerates it, then regenerated from that noise with the new speed. The
predicted change is the difference of the two regenerations from the same
noise, added to the recorded trial; so whatever the round trip loses cancels.

Baselines: the trial unchanged; the population mean at the new covariates
(a linear regression of the curves on the five metadata rows, fitted on the
training trials); and that regression's slope added to the trial (a linear
population shift).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from analysis import paths
from analysis.data import CHANNELS, ID_COLUMNS, synthetic
from analysis.evaluation.landmarks import landmarks
from analysis.gaitdynamics import diffusion
from analysis.gaitdynamics.curves import METADATA_ROWS, N_CURVES
from analysis.gaitdynamics.experiment import Experiment

FACTORS: tuple[float, ...] = (0.75, 0.85, 0.95, 1.05, 1.15, 1.25)
LANDMARKS: dict[str, str] = {
    "v_first_peak": "first vertical peak",
    "v_valley": "vertical valley",
    "v_second_peak": "second vertical peak",
    "ap_braking_min": "braking peak (AP minimum)",
    "ap_propulsive_max": "propulsive peak (AP maximum)",
    "ml_early_min": "early ML minimum",
}
COVARIATES: dict[str, str] = {"speed": "WALKING_SPEED", "mass": "BODY_MASS"}
MIN_TRUE_EFFECT = 0.001  # BW: a smaller mean true change of a landmark gets no slope or ratio
FORCE_ROWS = [index for index, channel in enumerate(CHANNELS) if channel.startswith("F_")]
METHODS: tuple[str, ...] = ("diffusion edit", "linear population shift", "trial unchanged", "population mean at new covariates")


def _twins(experiment: Experiment, rows: np.ndarray, covariate: str, factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(twin curves, twin covariate values) for ``rows``, from the generator with the same seed and structure."""
    table = experiment.table
    subjects = table["SUBJECT_ID"].to_numpy()[rows]
    mapping = {int(subject): float(factor) for subject, factor in zip(subjects, factors)}
    argument = "speed_factor" if covariate == "speed" else "mass_factor"
    twin = synthetic.counterfactual(like=paths.structure_dir(), seed=experiment.settings.data_seed, **{argument: mapping})
    column = "twin_speed" if covariate == "speed" else "twin_body_mass"
    position = pd.Series(np.arange(len(twin.trials)), index=pd.MultiIndex.from_frame(twin.trials[list(ID_COLUMNS)]))
    found = position.loc[pd.MultiIndex.from_frame(table.iloc[rows][list(ID_COLUMNS)])].to_numpy()
    if np.abs(twin.original[found] - experiment.trials[rows][:, :N_CURVES]).max() > 1e-9:
        raise ValueError("the cohort is not the generator's cohort for this seed and structure; no twins can be made")
    return twin.twin[found], twin.trials[column].to_numpy()[found]


def eligible_rows(experiment: Experiment, covariate: str) -> np.ndarray:
    """Evaluation trials whose files give the covariate (a twin's new value must be a known input)."""
    column = COVARIATES[covariate]
    values = experiment.table[column].to_numpy(dtype=float)[experiment.evaluation]
    return experiment.evaluation[np.isfinite(values)]


def run(experiment: Experiment, covariate: str) -> dict[str, object]:
    """Predicted and true twins for every eligible evaluation trial; one factor per subject, cycling through FACTORS."""
    if covariate not in COVARIATES:
        raise ValueError(f"covariate must be one of {list(COVARIATES)}, got {covariate!r}")
    if not experiment.source.is_synthetic:
        raise ValueError("counterfactual twins exist only for the synthetic cohort")
    rows = eligible_rows(experiment, covariate)
    subjects = experiment.subjects(rows)
    order = {subject: FACTORS[index % len(FACTORS)] for index, subject in enumerate(pd.unique(subjects))}
    factors = np.array([order[subject] for subject in subjects])  # one factor per subject, cycling through FACTORS
    twin_curves, twin_values = _twins(experiment, rows, covariate, factors)
    original = experiment.trials[rows][:, :N_CURVES]
    row = N_CURVES + METADATA_ROWS.index(COVARIATES[covariate])

    scaling = experiment.model.scaling
    scaled = experiment.scaled(rows)
    known = np.zeros_like(experiment.available[rows])
    known[:, N_CURVES:] = experiment.available[rows][:, N_CURVES:]
    latent = diffusion.invert(experiment.model, scaled, known)
    edited = experiment.trials[rows].copy()
    edited[:, row] = twin_values[:, None]
    regenerated = scaling.inverse(diffusion.regenerate(experiment.model, latent, scaled, known))[:, :N_CURVES]
    changed = scaling.inverse(diffusion.regenerate(experiment.model, latent, scaling.transform(edited), known))[:, :N_CURVES]
    predictions = {"diffusion edit": original + (changed - regenerated)}

    train = experiment.split.train
    complete = experiment.available[train][:, N_CURVES:, 0].all(axis=1)
    covariates = experiment.trials[train][complete][:, N_CURVES:, 0]
    regression = LinearRegression().fit(covariates, experiment.trials[train][complete][:, :N_CURVES].reshape(complete.sum(), -1))
    own = experiment.trials[rows][:, N_CURVES:, 0]
    filled = np.where(np.isfinite(experiment.table[list(METADATA_ROWS)].to_numpy(dtype=float)[rows]), own, covariates.mean(axis=0))
    new = filled.copy()
    new[:, row - N_CURVES] = twin_values
    at_new = regression.predict(new).reshape(original.shape)
    predictions["linear population shift"] = original + at_new - regression.predict(filled).reshape(original.shape)
    predictions["trial unchanged"] = original
    predictions["population mean at new covariates"] = at_new
    return {
        "covariate": covariate,
        "rows": rows,
        "factors": factors,
        "original": original,
        "twin": twin_curves,
        "predictions": predictions,
        "round_trip": regenerated,
    }


def identity_table(result: dict[str, object], experiment: Experiment) -> pd.DataFrame:
    """Per trial and method: force RMSE (% BW) against the twin."""
    twin = result["twin"]
    subjects = experiment.subjects(result["rows"])
    frames = []
    for method, predicted in result["predictions"].items():
        rmse = np.sqrt(((predicted[:, FORCE_ROWS] - twin[:, FORCE_ROWS]) ** 2).mean(axis=(1, 2))) * 100
        frames.append(pd.DataFrame({"method": method, "subject": subjects, "rmse": rmse, "factor": result["factors"]}))
    return pd.concat(frames, ignore_index=True)


def _landmarks(curves: np.ndarray) -> pd.DataFrame:
    return landmarks(curves, ml_orientation="as_is")[list(LANDMARKS)]


def slope_table(result: dict[str, object]) -> pd.DataFrame:
    """Per landmark and method: slope and R² of predicted on true change (both sides pooled), and the effect ratio.

    The effect ratio is the mean predicted change divided by the mean true
    change, both signed by the direction of the covariate change: the
    seed's "≈ 0.8 of the measured change" is this quantity. Landmarks whose
    mean true change is below :data:`MIN_TRUE_EFFECT` get none of the three.
    """
    before = _landmarks(result["original"])
    true_change = _landmarks(result["twin"]) - before
    direction = np.repeat(np.sign(result["factors"] - 1.0), 2)  # landmarks() gives one row per trial and side
    rows = []
    for method in ("diffusion edit", "linear population shift"):
        predicted_change = _landmarks(result["predictions"][method]) - before
        for column, label in LANDMARKS.items():
            x, y = true_change[column].to_numpy(), predicted_change[column].to_numpy()
            slope, intercept = np.polyfit(x, y, 1) if np.ptp(x) > 0 else (np.nan, np.nan)
            r2 = np.corrcoef(x, y)[0, 1] ** 2 if np.ptp(x) > 0 and np.ptp(y) > 0 else np.nan
            true_effect = float(np.mean(x * direction))
            if abs(true_effect) < MIN_TRUE_EFFECT:  # the covariate does not move this landmark: no ratio or slope to read
                slope = r2 = ratio = np.nan
            else:
                ratio = float(np.mean(y * direction)) / true_effect
            rows.append({"method": method, "landmark": label, "mean true change (% BW)": 100 * true_effect, "slope": slope, "r2": r2, "effect ratio": ratio})
    return pd.DataFrame(rows)
