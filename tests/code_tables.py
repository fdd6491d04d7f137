"""Constructed trials and codes whose associations are known, for the evaluation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_trials(n_subjects: int = 40, trials_per_subject: int = 6, seed: int = 0) -> pd.DataFrame:
    """Subjects with two sessions each, person-level attributes and per-trial speed."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(1, n_subjects + 1), trials_per_subject)
    position = np.tile(np.arange(trials_per_subject), n_subjects)
    index = subject - 1
    age = rng.uniform(20, 70, n_subjects)[index]
    age[subject == 1] = np.nan
    return pd.DataFrame(
        {
            "DATASET_ID": 1,
            "SUBJECT_ID": subject,
            "SESSION_ID": subject * 10 + position % 2,
            "TRIAL_ID": position,
            "WALKING_SPEED": rng.normal(1.45, 0.15, n_subjects)[index] + rng.normal(0, 0.04, subject.size),
            "AGE": age,
            "HEIGHT": rng.normal(172, 9, n_subjects)[index],
            "BODY_WEIGHT": rng.normal(720, 110, n_subjects)[index],
            "SUBJECT_SEX": (np.arange(n_subjects) % 2).astype(float)[index],
        }
    )


@pytest.fixture
def trials() -> pd.DataFrame:
    return make_trials()


@pytest.fixture
def codes(trials: pd.DataFrame) -> np.ndarray:
    """Feature 0 = speed + noise, feature 1 = −height + noise, feature 4 never active."""
    rng = np.random.default_rng(1)
    values = np.maximum(rng.normal(0, 1, (len(trials), 5)), 0)
    values[:, 0] = 2 * trials["WALKING_SPEED"].to_numpy() + rng.normal(0, 0.05, len(trials))
    values[:, 1] = -0.05 * trials["HEIGHT"].to_numpy() + rng.normal(0, 0.2, len(trials)) + 20
    values[:, 4] = 0.0
    return values


# --- activity ---------------------------------------------------------------


def blobs(seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], 40)
    centres = np.array([[0.0, 0, 0, 0], [6, 0, 0, 0], [12, 1, 0, 0]])
    return centres[truth] + rng.normal(0, 0.5, (120, 4)), truth
