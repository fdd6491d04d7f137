"""The real vertical GRF curves of the spm1d package, as a one-channel cohort."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import N_SAMPLES, spm1d_grf


def test_every_subject_and_trial_with_its_speed() -> None:
    cohort = spm1d_grf.load()
    assert cohort.curves.shape == (spm1d_grf.N_SUBJECTS * spm1d_grf.TRIALS_PER_SUBJECT, 1, N_SAMPLES)
    assert cohort.channels == (spm1d_grf.CHANNEL,)
    trials = cohort.trials
    assert sorted(trials["SUBJECT_ID"].unique()) == list(range(1, 11))
    assert (trials.groupby("SUBJECT_ID")["TRIAL_ID"].apply(list) == [list(range(1, 61))] * 10).all()
    # Walking speeds as the study reports them: roughly 0.7 to 2.3 m/s, varied within every subject.
    assert trials["WALKING_SPEED"].between(0.6, 2.4).all()
    assert (trials.groupby("SUBJECT_ID")["WALKING_SPEED"].std() > 0.2).all()
    assert np.isfinite(cohort.curves).all()


def test_the_data_are_the_packages_own() -> None:
    from spm1d.data.uv1d.regress import SpeedGRF

    cohort = spm1d_grf.load(subjects=[3])
    dataset = SpeedGRF(subj=3)
    np.testing.assert_array_equal(cohort.curves[:, 0], dataset.Y)
    np.testing.assert_array_equal(cohort.trials["WALKING_SPEED"], dataset.x)
    assert (cohort.trials["SUBJECT_ID"] == 4).all()


def test_vertical_force_looks_like_walking() -> None:
    """Two peaks around a valley in mid-stance, near zero at heel strike: a real stance phase."""
    mean = spm1d_grf.load().curves[:, 0].mean(axis=0)
    first, valley, second = mean[10:41].max(), mean[35:66].min(), mean[60:91].max()
    assert valley < 0.9 * min(first, second)
    assert mean[0] < 0.2 * first


def test_subject_indices_are_checked() -> None:
    with pytest.raises(ValueError, match="subjects must be indices in 0–9"):
        spm1d_grf.load(subjects=[10])
    with pytest.raises(ValueError, match="subjects must be indices in 0–9"):
        spm1d_grf.load(subjects=[])
