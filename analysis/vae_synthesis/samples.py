"""Trials as samples: 10 channels × 101 values, the seed's outlier step, grouped folds, per-fold scaling.

The seed drew three samples per participant and removed outliers with an
isolation forest before a subject-grouped 5-fold cross-validation
(≈ 70/10/20 train/validation/test) whose scaler was fitted on each training
set. Everything here keeps whole subjects together, so a model is never
scored on a person it saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from analysis.data import Cohort
from analysis.features.model_inputs import Standardizer

SUBJECT = "SUBJECT_ID"
CONDITIONS: tuple[str, ...] = ("WALKING_SPEED", "BODY_MASS", "HEIGHT")


@dataclass(frozen=True)
class Samples:
    """Drawn trials: curves (n, 10, 101), their trial rows, and what the outlier step removed."""

    curves: np.ndarray
    trials: pd.DataFrame
    channels: tuple[str, ...]
    n_drawn: int
    n_outliers: int

    @property
    def flat(self) -> np.ndarray:
        return self.curves.reshape(len(self.curves), -1)

    @property
    def subjects(self) -> np.ndarray:
        return self.trials[SUBJECT].to_numpy()

    def conditions(self) -> np.ndarray:
        """Speed, body mass and height per trial (the conditional VAE's inputs; NaN where unknown)."""
        return self.trials[list(CONDITIONS)].to_numpy(dtype=float)

    def with_conditions(self, rows: np.ndarray) -> np.ndarray:
        """The rows among ``rows`` whose speed, mass and height are all known."""
        return rows[np.isfinite(self.conditions()[rows]).all(axis=1)]


def draw(cohort: Cohort, trials_per_subject: int, seed: int, outlier_trees: int) -> Samples:
    """``trials_per_subject`` random trials of every subject (fewer if it has fewer), then the isolation forest.

    Trials with a missing value in a curve are left out first (missing
    conditions matter only to the conditional VAE, which skips those rows).
    The forest runs with ``contamination="auto"`` (its own score threshold),
    so it removes what it finds rather than a fixed share.
    """
    if trials_per_subject < 1:
        raise ValueError(f"trials_per_subject must be ≥ 1, got {trials_per_subject!r}")
    if outlier_trees < 1:
        raise ValueError(f"outlier_trees must be ≥ 1, got {outlier_trees!r}")
    curves = np.asarray(cohort.curves, dtype=np.float64)
    trials = cohort.trials.reset_index(drop=True)
    usable = np.isfinite(curves).all(axis=(1, 2))
    rng = np.random.default_rng(seed)
    chosen = []
    for _, rows in trials[usable].groupby(SUBJECT, sort=True).indices.items():
        rows = np.flatnonzero(usable)[rows]
        chosen.extend(rng.choice(rows, size=min(trials_per_subject, len(rows)), replace=False))
    chosen = np.sort(np.asarray(chosen, dtype=int))
    flat = curves[chosen].reshape(len(chosen), -1)
    forest = IsolationForest(n_estimators=outlier_trees, contamination="auto", random_state=seed)
    inlier = forest.fit_predict(Standardizer().fit(flat).transform(flat)) == 1
    kept = chosen[inlier]
    return Samples(curves[kept], trials.iloc[kept].reset_index(drop=True), tuple(cohort.channels), len(chosen), int((~inlier).sum()))


@dataclass(frozen=True)
class Fold:
    """Row indices (into :class:`Samples`) of one fold's training, validation and test subjects."""

    index: int
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def grouped_folds(subjects: np.ndarray, n_folds: int, seed: int) -> list[Fold]:
    """Subject-grouped k-fold: each fold tests 1/k of the subjects and stops early on 1/(2k) of the rest.

    With k = 5 this is the seed's ≈ 70/10/20 split; every subject is tested exactly once.
    """
    unique = np.unique(subjects)
    if n_folds < 3:
        raise ValueError(f"n_folds must be at least 3, got {n_folds!r}")
    if unique.size < 2 * n_folds:
        raise ValueError(f"{n_folds} folds need at least {2 * n_folds} subjects, got {unique.size}")
    order = np.random.default_rng(seed).permutation(unique)
    groups = np.array_split(order, n_folds)
    folds = []
    for k in range(n_folds):
        test_subjects = groups[k]
        rest = np.concatenate([groups[j] for j in range(n_folds) if j != k])
        n_validation = max(1, round(len(unique) / (2 * n_folds)))
        validation_subjects, train_subjects = rest[:n_validation], rest[n_validation:]
        folds.append(
            Fold(
                k,
                np.flatnonzero(np.isin(subjects, train_subjects)),
                np.flatnonzero(np.isin(subjects, validation_subjects)),
                np.flatnonzero(np.isin(subjects, test_subjects)),
            )
        )
    return folds


def fewer_subjects(rows: np.ndarray, subjects: np.ndarray, count: int, seed: int) -> np.ndarray:
    """The rows of ``count`` randomly chosen subjects among ``rows`` (0 or more than there are: all)."""
    present = np.unique(subjects[rows])
    if count < 0:
        raise ValueError(f"a subject count must be ≥ 0 (0 = all), got {count!r}")
    if count == 0 or count >= present.size:
        return rows
    kept = np.random.default_rng(seed).choice(present, size=count, replace=False)
    return rows[np.isin(subjects[rows], kept)]


class CurveScaler:
    """Per-(channel, sample) z-scores fitted on training rows; constant columns (COP AP sample 0) are kept exact.

    ``inverse`` puts constant columns back at their training value, so generated
    curves keep the format's conventions (COP AP starts at 0).
    """

    def __init__(self, flat_train: np.ndarray) -> None:
        self.standardizer = Standardizer().fit(flat_train)
        spread = np.asarray(flat_train).std(axis=0)
        self.constant = spread <= 1e-12 * np.maximum(1.0, np.abs(np.asarray(flat_train).mean(axis=0)))

    def transform(self, flat: np.ndarray) -> np.ndarray:
        return self.standardizer.transform(flat).astype(np.float32)

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        flat = self.standardizer.inverse_transform(np.asarray(scaled, dtype=np.float64))
        flat[:, self.constant] = self.standardizer.mean_[self.constant]
        return flat
