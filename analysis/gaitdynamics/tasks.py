"""The inpainting tasks with ground truth: which entries are known, who fills the rest, how well.

Every task hides a fixed pattern of curve entries in the evaluation trials
and asks each method to fill it. All methods see the same inputs: the known
curve entries only (the diffusion model is not told speed or body mass here,
so it has no information the baselines lack). Errors are per trial and
channel in % BW or mm; the diffusion model and the Gaussian-PCA baseline
also give samples, scored by CRPS and range coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import paths
from analysis.data import CHANNELS, N_SAMPLES
from analysis.data.synthetic import SyntheticParameters
from analysis.data.synthetic.curves import generate
from analysis.data.synthetic.writer import build_cohort
from analysis.gaitdynamics import baselines, diffusion, metrics
from analysis.gaitdynamics.curves import N_CURVES, N_ROWS
from analysis.gaitdynamics.experiment import Experiment

DIFFUSION = "diffusion (sample mean)"
REFINEMENT = "refinement regressor (MLP, complete inputs)"
BEST = "best achievable (MLP, fresh generator sample)"
INTERPOLATION = "linear interpolation"
SHRUNK = "diffusion, spread halved (control)"
GAUSSIAN = "Gaussian conditioning (PCA-64)"

INSOLE_INPUTS = tuple(f"{component}_{side}" for component in ("F_V", "COP_AP", "COP_ML") for side in ("left", "right"))
INSOLE_TARGETS = tuple(f"{component}_{side}" for component in ("F_AP", "F_ML") for side in ("left", "right"))
INSOLE_GROUPS: dict[str, tuple[str, ...]] = {
    "vertical force (both sides)": ("F_V_left", "F_V_right"),
    "COP AP (both sides)": ("COP_AP_left", "COP_AP_right"),
    "COP ML (both sides)": ("COP_ML_left", "COP_ML_right"),
    "left insole (all three)": ("F_V_left", "COP_AP_left", "COP_ML_left"),
}
GAPS: dict[str, tuple[int, int]] = {"gap 40–60 % of stance": (40, 61), "gap 0–10 % of stance": (0, 11)}


@dataclass(frozen=True)
class Scenario:
    name: str
    task: str
    known: np.ndarray  # (10, 101) bool over the curves


def _channels_known(names: tuple[str, ...]) -> np.ndarray:
    known = np.zeros((N_CURVES, N_SAMPLES), dtype=bool)
    known[[CHANNELS.index(name) for name in names]] = True
    return known


def scenarios() -> list[Scenario]:
    """Insole, one plate (left → right), each channel alone dropped, two time gaps."""
    result = [
        Scenario("insole: AP and ML force from vertical force and COP", "insole", _channels_known(INSOLE_INPUTS)),
        Scenario("one plate: right step from the left step", "one plate", _channels_known(tuple(c for c in CHANNELS if c.endswith("left")))),
    ]
    for channel in CHANNELS:
        result.append(Scenario(f"{channel} dropped", "single channel", _channels_known(tuple(c for c in CHANNELS if c != channel))))
    for name, (start, stop) in GAPS.items():
        known = np.ones((N_CURVES, N_SAMPLES), dtype=bool)
        known[:, start:stop] = False
        result.append(Scenario(name, "time gap", known))
    return result


def full_known(pattern: np.ndarray, n: int) -> np.ndarray:
    """A curve pattern as the model's (n, 15, 101) known-mask, metadata hidden."""
    known = np.zeros((n, N_ROWS, N_SAMPLES), dtype=bool)
    known[:, :N_CURVES] = pattern
    return known


def fresh_sample(experiment: Experiment) -> np.ndarray | None:
    """Scaled curves of new generator cohorts (other seeds): the "best achievable" training data; None for real data."""
    if not experiment.source.is_synthetic:
        return None
    parameters = SyntheticParameters()
    parts = []
    for seed in experiment.settings.fresh_seeds:
        channels, _ = generate(build_cohort(paths.structure_dir(), seed, parameters, None), parameters, seed)
        parts.append(np.stack([channels[channel] for channel in CHANNELS], axis=1))
    curves = np.concatenate(parts)
    return (curves - experiment.model.scaling.centre[:N_CURVES]) / experiment.model.scaling.scale[:N_CURVES]


def _long(errors: np.ndarray, scenario: Scenario, method: str, subjects: np.ndarray, value: str = "mae") -> pd.DataFrame:
    n = errors.shape[0]
    frame = pd.DataFrame(errors, columns=list(CHANNELS)).assign(trial=np.arange(n), subject=subjects)
    frame = frame.melt(id_vars=["trial", "subject"], var_name="channel", value_name=value).dropna(subset=[value])
    return frame.assign(scenario=scenario.name, task=scenario.task, method=method)


def run_tasks(
    experiment: Experiment, rows: np.ndarray, chosen: list[Scenario], fresh: np.ndarray | None, best_for: tuple[str, ...] = ("insole", "one plate", "time gap")
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Errors (long: scenario, task, method, trial, subject, channel, mae) and calibration (crps, coverage) per scenario."""
    settings = experiment.settings
    scaling = experiment.model.scaling
    train = experiment.scaled(experiment.split.train)[:, :N_CURVES]
    scaled = experiment.scaled(rows)
    truth = scaled[:, :N_CURVES]
    truth_units = metrics.to_report_units(truth, scaling)
    subjects = experiment.subjects(rows)
    gaussian = baselines.GaussianPCA.fit(train)
    errors, calibration = [], []
    for number, scenario in enumerate(chosen):
        unknown = np.broadcast_to(~scenario.known, truth.shape)
        samples = diffusion.inpaint(experiment.model, scaled, full_known(scenario.known, len(rows)), settings.n_samples, seed=settings.seed + number)[:, :, :N_CURVES]
        predictions = {DIFFUSION: samples.mean(axis=0)}
        for name, filler in baselines.FILLERS.items():
            predictor = gaussian.posterior(truth, scenario.known)[0] if name == GAUSSIAN else filler(train, truth, scenario.known)
            predictions[name] = baselines.fill(train, truth, scenario.known, predictor)
        if scenario.task == "time gap":
            predictions[INTERPOLATION] = baselines.fill(train, truth, scenario.known, baselines.interpolation(train, truth, scenario.known))
        if scenario.task == "insole":
            predictions[REFINEMENT] = baselines.fill(train, truth, scenario.known, baselines.mlp_filler(settings.refine_epochs, settings.seed)(train, truth, scenario.known))
        if fresh is not None and scenario.task in best_for:
            predictions[BEST] = baselines.fill(train, truth, scenario.known, baselines.mlp_filler(settings.refine_epochs, settings.seed)(fresh, truth, scenario.known))
        for method, predicted in predictions.items():
            errors.append(_long(metrics.channel_errors(metrics.to_report_units(predicted, scaling), truth_units, unknown), scenario, method, subjects))
        gaussian_samples = gaussian.samples(truth, scenario.known, settings.n_samples, seed=settings.seed + number)
        sampled = {
            "diffusion": samples,
            SHRUNK: metrics.shrunk(samples),
            "Gaussian conditioning (PCA-64)": np.stack([baselines.fill(train, truth, scenario.known, draw) for draw in gaussian_samples]),
        }
        for method, draws in sampled.items():
            units = metrics.to_report_units(draws, scaling)
            score = _long(metrics.crps(units, truth_units, unknown), scenario, method, subjects, "crps")
            cover = _long(metrics.range_coverage(units, truth_units, unknown), scenario, method, subjects, "coverage")
            calibration.append(score.merge(cover, on=["trial", "subject", "channel", "scenario", "task", "method"]))
    return pd.concat(errors, ignore_index=True), pd.concat(calibration, ignore_index=True)


def missing_insole_inputs(experiment: Experiment, rows: np.ndarray) -> pd.DataFrame:
    """The seed's Fig. 2 analog: AP/ML error of the refinement regressor when input groups are lost and filled.

    One row per (trial, lost group, filler) with the mean error over the four
    targets in % BW and the loss against complete inputs.
    """
    settings = experiment.settings
    scaling = experiment.model.scaling
    train = experiment.scaled(experiment.split.train)[:, :N_CURVES]
    scaled = experiment.scaled(rows)
    truth = scaled[:, :N_CURVES]
    inputs = [CHANNELS.index(name) for name in INSOLE_INPUTS]
    targets = [CHANNELS.index(name) for name in INSOLE_TARGETS]
    flat = lambda array, channels: array[:, channels].reshape(array.shape[0], -1)  # noqa: E731
    refinement = baselines.MLPRegressor(settings.refine_epochs, settings.seed).fit(flat(train, inputs), flat(train, targets))
    truth_targets = metrics.to_report_units(truth, scaling)[:, targets]

    def target_error(filled: np.ndarray) -> np.ndarray:
        predicted = truth.copy()
        predicted[:, targets] = refinement.predict(flat(filled, inputs)).reshape(len(rows), len(targets), N_SAMPLES)
        return np.abs(metrics.to_report_units(predicted, scaling)[:, targets] - truth_targets).mean(axis=(1, 2))

    complete = target_error(truth)
    median = np.median(train, axis=0)
    subjects = experiment.subjects(rows)
    frames = []
    for number, (group, lost) in enumerate(INSOLE_GROUPS.items()):
        known = _channels_known(tuple(name for name in INSOLE_INPUTS if name not in lost))
        lost_rows = [CHANNELS.index(name) for name in lost]
        samples = diffusion.inpaint(experiment.model, scaled, full_known(known, len(rows)), settings.n_samples, seed=settings.seed + 100 + number)
        fillings = {"diffusion inpainting": samples.mean(axis=0)[:, :N_CURVES], "median filling": np.broadcast_to(median, truth.shape)}
        for filler, filled_values in fillings.items():
            filled = truth.copy()
            filled[:, lost_rows] = filled_values[:, lost_rows]
            error = target_error(filled)
            frames.append(pd.DataFrame({"subject": subjects, "group": group, "filler": filler, "mae": error, "loss": error - complete}))
    frames.append(pd.DataFrame({"subject": subjects, "group": "none (complete inputs)", "filler": "none", "mae": complete, "loss": 0.0}))
    return pd.concat(frames, ignore_index=True)
