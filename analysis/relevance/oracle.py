"""The oracle ceiling: how well the generator's own factors tell the groups apart.

The seed's 91.25 % is no yardstick for our contrasts: how separable two
groups are is set by the data. On a synthetic cohort the generator knows
every trial's landmark values and timings; linear discriminant analysis on
them, with the same subject-grouped folds as the networks, is the accuracy a
classifier of the curves should approach. It is a yardstick, not a strict
bound (a network might exploit curve detail the landmarks do not name).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from analysis.data.gutenberg import ID_COLUMNS

# Per-trial factors that shape the curves; covariates and their split into effects are left out.
_EXCLUDED_PARTS: tuple[str, ...] = ("subject_effect", "session_effect", "asymmetry", "imputed")


def factor_columns(truth: pd.DataFrame) -> list[str]:
    """Landmark values and timings per side, the coupling's per-step factors and per-subject style."""
    columns = []
    for column in truth.columns:
        if any(part in column for part in _EXCLUDED_PARTS):
            continue
        if column.endswith(("_left", "_right")) or column.startswith("style_") or column == "pivot_height":
            columns.append(column)
    return columns


def generator_factors(truth: pd.DataFrame, trials: pd.DataFrame) -> np.ndarray:
    """The factors of ``truth`` for the rows of ``trials`` (matched on the trial key), (n, k)."""
    keys = list(ID_COLUMNS)
    columns = factor_columns(truth)
    merged = trials[keys].astype(int).merge(truth[keys + columns].astype({key: int for key in keys}), on=keys, how="left")
    if merged[columns].isna().any().any():
        raise ValueError("the ground-truth file lacks some trials of the cohort; was it written by the same generator?")
    return merged[columns].to_numpy(dtype=float)


def read_truth(directory: Path) -> pd.DataFrame | None:
    """The generator's ground-truth table of a synthetic cohort directory, or ``None`` for recorded data."""
    from analysis.data.synthetic import GROUND_TRUTH_FILE, read_ground_truth

    if not (Path(directory) / GROUND_TRUTH_FILE).is_file():
        return None
    return read_ground_truth(directory)


def lda_scores(features: np.ndarray, labels: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Class probabilities of the test rows from a shrinkage LDA fitted on the training rows."""
    mean = features[train].mean(axis=0)
    spread = features[train].std(axis=0)
    spread = np.where(spread > 1e-12, spread, 1.0)
    model = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")
    model.fit((features[train] - mean) / spread, labels[train])
    return model.predict_proba((features[test] - mean) / spread)


def oracle_accuracy(features: np.ndarray, labels: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Trial-level accuracy of the LDA oracle pooled over ``folds`` (train, test positions)."""
    correct = 0
    total = 0
    for train, test in folds:
        predicted = lda_scores(features, labels, train, test).argmax(axis=1)
        correct += int((predicted == labels[test]).sum())
        total += test.size
    return correct / max(total, 1)
