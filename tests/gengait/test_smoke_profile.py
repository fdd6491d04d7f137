"""The smoke profile end to end on the book's synthetic cohort: controls with teeth."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import config
from analysis.gengait import evaluation, experiment, scoring


@pytest.fixture(scope="module")
def smoke_run():
    settings = config.resolve_gengait("smoke")
    return experiment.setup(settings, use_cache=False)


def run_conditions(run, conditions):
    return evaluation.evaluate(run.detector, {}, run.cohort, run.design, conditions, seed=0)


@pytest.mark.slow
def test_calibration_and_test_subjects_are_disjoint(smoke_run):
    design = smoke_run.design
    calibration_subjects = set(smoke_run.detector.calibration.subjects)
    assert calibration_subjects == set(design.subjects[design.validation].tolist())
    assert calibration_subjects.isdisjoint(design.subjects[design.evaluation].tolist())
    assert set(design.subjects[design.train].tolist()).isdisjoint(design.subjects[design.evaluation].tolist())


@pytest.mark.slow
def test_severity_zero_changes_nothing_and_adds_no_flags(smoke_run):
    control, zero = run_conditions(smoke_run, [evaluation.Condition("none", "right", 0.0), evaluation.Condition("lateral_cop", "right", 0.0)])
    np.testing.assert_array_equal(zero.edited, zero.truth)
    assert not zero.mask.any()
    np.testing.assert_array_equal(zero.methods[evaluation.MAE].flags, control.methods[evaluation.MAE].flags)
    unflagged = ~control.methods[evaluation.MAE].flags.any(axis=1)
    np.testing.assert_array_equal(zero.twin[unflagged], zero.truth[unflagged])
    # On the healthy calibration trials the rate is the calibrated one (by construction, up to ties).
    validation = smoke_run.cohort.curves[smoke_run.design.validation]
    flagged = scoring.localise(smoke_run.detector, validation).part_flags.any(axis=1).mean()
    assert flagged <= smoke_run.settings.flag_rate + 1 / validation.shape[0]


@pytest.mark.slow
def test_a_strong_abnormality_is_localised(smoke_run):
    (strong,) = run_conditions(smoke_run, [evaluation.Condition("lateral_cop", "right", 3.0)])
    method = strong.methods[evaluation.MAE]
    assert evaluation.auroc(method.z, strong.affected) >= 0.9
    assert evaluation.top_k_hit(method.z, strong.affected).mean() >= 0.9
    assert method.flags[:, smoke_run.cohort.channels.index("COP_ML_right")].mean() >= 0.5
