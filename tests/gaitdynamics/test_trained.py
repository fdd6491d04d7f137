"""The smoke-profile model, trained (or read from the cache) on the synthetic cohort: properties that need training."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import config
from analysis.data import CHANNELS
from analysis.gaitdynamics import counterfactuals, diffusion, experiment, metrics
from analysis.gaitdynamics.curves import N_CURVES

pytestmark = pytest.mark.slow
FORCES = [index for index, channel in enumerate(CHANNELS) if channel.startswith("F_")]


@pytest.fixture(scope="module")
def run() -> experiment.Experiment:
    return experiment.prepare(config.resolve_gaitdynamics("smoke"))


def test_unconditional_mean_curve_is_close_to_the_cohort_mean(run: experiment.Experiment) -> None:
    rows = run.split.test
    samples = diffusion.inpaint(run.model, run.scaled(rows), np.zeros_like(run.available[rows]), 2, seed=0)[:, :, :N_CURVES]
    generated = metrics.to_report_units(samples.reshape(-1, N_CURVES, samples.shape[-1]), run.model.scaling).mean(axis=0)
    cohort = metrics.to_report_units(run.scaled(run.split.train)[:, :N_CURVES], run.model.scaling).mean(axis=0)
    # within 5 % BW at every sample of every force curve (the smoke model is small and briefly trained)
    assert np.abs(generated[FORCES] - cohort[FORCES]).max() < 5.0


def test_speed_factor_one_returns_the_trial_within_noise(run: experiment.Experiment) -> None:
    rows = run.evaluation[:6]
    scaled = run.scaled(rows)
    known = np.zeros_like(run.available[rows])
    known[:, N_CURVES:] = run.available[rows][:, N_CURVES:]
    latent = diffusion.invert(run.model, scaled, known)
    again = diffusion.regenerate(run.model, latent, scaled, known)
    # the edit at factor 1 is the regeneration minus itself: exactly the recorded trial
    assert np.array_equal(again - diffusion.regenerate(run.model, latent, scaled, known), np.zeros_like(again))
    # and the round trip alone stays within the trial-to-trial noise of the forces
    round_trip = np.abs(run.model.scaling.inverse(again)[:, FORCES] - run.trials[rows][:, FORCES]).mean()
    subjects = run.subjects(run.split.train)
    within = np.mean([run.trials[run.split.train][subjects == s][:, FORCES].std(axis=0).mean() for s in np.unique(subjects)[:20]])
    assert round_trip < 2 * within


def test_speed_counterfactual_moves_the_first_peak_the_right_way(run: experiment.Experiment) -> None:
    result = counterfactuals.run(run, "speed")
    slopes = counterfactuals.slope_table(result)
    linear = slopes[(slopes["method"] == "linear population shift") & (slopes["landmark"] == "first vertical peak")]
    edit = slopes[(slopes["method"] == "diffusion edit") & (slopes["landmark"] == "first vertical peak")]
    assert float(linear["effect ratio"].iloc[0]) > 0  # the linear baseline recovers the sign
    assert float(edit["effect ratio"].iloc[0]) > 0  # and so does the smoke model (only the sign: it is tiny)
    assert result["twin"].shape == result["original"].shape
    assert not np.array_equal(result["twin"], result["original"])  # the twins really changed
