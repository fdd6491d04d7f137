"""A trial as the diffusion model sees it: ten curve rows, five metadata rows, and what is known.

GaitDynamics makes "anything known or unknown" by putting every signal into
one array and masking entries. Here a trial is an array ``(15, 101)``: the
ten Gutenberg channels (forces in BW, COP in m) followed by five constant
metadata rows (walking speed, body mass, height, age, sex). A metadata value
the files do not give (e.g. no speed in datasets 6, 8 and 10) is simply
unknown. Scaling is fitted on training subjects only: each curve channel is
centred on its training mean curve and divided by one SD per channel; each
metadata row is z-scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data import CHANNELS, N_SAMPLES
from analysis.features.model_inputs import subject_split

METADATA_ROWS: tuple[str, ...] = ("WALKING_SPEED", "BODY_MASS", "HEIGHT", "AGE", "SEX")
METADATA_LABELS: dict[str, str] = {
    "WALKING_SPEED": "speed (m/s)",
    "BODY_MASS": "body mass (kg)",
    "HEIGHT": "height (cm)",
    "AGE": "age (years)",
    "SEX": "sex (1 = male)",
}
ROWS: tuple[str, ...] = (*CHANNELS, *METADATA_ROWS)
N_CURVES = len(CHANNELS)
N_ROWS = len(ROWS)
# Reporting units: forces in % body weight, COP in millimetres.
REPORT_FACTOR: dict[str, float] = {channel: (1000.0 if channel.startswith("COP") else 100.0) for channel in CHANNELS}


def metadata_values(trials: pd.DataFrame) -> np.ndarray:
    """``(n, 5)`` metadata per trial in :data:`METADATA_ROWS` order; NaN where the files give none."""
    missing = [column for column in METADATA_ROWS if column not in trials.columns]
    if missing:
        raise ValueError(f"the trial table lacks the metadata column(s) {missing}")
    return trials[list(METADATA_ROWS)].to_numpy(dtype=np.float64)


def assemble(curves: np.ndarray, metadata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 15, 101)`` trial arrays in data units and the availability mask (False where metadata are NaN)."""
    curves = np.asarray(curves, dtype=np.float64)
    if curves.ndim != 3 or curves.shape[1:] != (N_CURVES, N_SAMPLES):
        raise ValueError(f"curves must have shape (n, {N_CURVES}, {N_SAMPLES}), got {curves.shape}")
    metadata = np.asarray(metadata, dtype=np.float64)
    if metadata.shape != (curves.shape[0], len(METADATA_ROWS)):
        raise ValueError(f"metadata must have shape ({curves.shape[0]}, {len(METADATA_ROWS)}), got {metadata.shape}")
    available = np.ones((curves.shape[0], N_ROWS, N_SAMPLES), dtype=bool)
    available[:, N_CURVES:, :] = np.isfinite(metadata)[:, :, None]
    rows = np.repeat(np.nan_to_num(metadata)[:, :, None], N_SAMPLES, axis=2)
    return np.concatenate([curves, rows], axis=1), available


@dataclass(frozen=True)
class Scaling:
    """Per-channel scaling fitted on training trials: ``(x - centre) / scale`` row by row."""

    centre: np.ndarray  # (15, 101): mean curve per channel, constant mean per metadata row
    scale: np.ndarray  # (15, 1)

    @classmethod
    def fit(cls, trials: np.ndarray, available: np.ndarray) -> Scaling:
        if trials.shape[0] < 2:
            raise ValueError(f"scaling needs at least 2 training trials, got {trials.shape[0]}")
        centre = np.zeros((N_ROWS, N_SAMPLES))
        scale = np.ones((N_ROWS, 1))
        centre[:N_CURVES] = trials[:, :N_CURVES].mean(axis=0)
        residual = trials[:, :N_CURVES] - centre[:N_CURVES]
        scale[:N_CURVES, 0] = np.maximum(residual.std(axis=(0, 2)), 1e-9)
        for row in range(N_CURVES, N_ROWS):
            known = available[:, row, 0]
            values = trials[known, row, 0]
            if values.size >= 2:
                centre[row] = values.mean()
                scale[row, 0] = max(values.std(), 1e-9)
        return cls(centre=centre, scale=scale)

    def transform(self, trials: np.ndarray) -> np.ndarray:
        return (trials - self.centre) / self.scale

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        return scaled * self.scale + self.centre


@dataclass(frozen=True)
class Split:
    """Trial rows for training, validation and evaluation, and the held-out sub-dataset."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray  # test subjects of the training sub-datasets
    held_out: np.ndarray  # every trial of the held-out DATASET_ID
    held_out_dataset: int


def split_trials(trials: pd.DataFrame, seed: int, held_out_dataset: int) -> Split:
    """The study's subject split (same seed, same fractions), with one sub-dataset removed from all parts.

    A subject with any trial in the held-out sub-dataset is held out whole, so
    no person is in training and in the unseen study at once.
    """
    datasets = sorted(int(value) for value in trials["DATASET_ID"].unique())
    if held_out_dataset not in datasets:
        raise ValueError(f"held_out_dataset {held_out_dataset!r} is not a DATASET_ID of the cohort; choose one of {datasets}")
    parts = subject_split(trials["SUBJECT_ID"].to_numpy(), seed=seed)
    subjects = trials["SUBJECT_ID"].to_numpy()
    unseen_subjects = np.unique(subjects[trials["DATASET_ID"].to_numpy() == held_out_dataset])
    unseen = np.isin(subjects, unseen_subjects)
    keep = lambda rows: rows[~unseen[rows]]  # noqa: E731
    return Split(
        train=keep(parts.train),
        validation=keep(parts.validation),
        test=keep(parts.test),
        held_out=np.flatnonzero(unseen),
        held_out_dataset=held_out_dataset,
    )


def evaluation_rows(trials: pd.DataFrame, rows: np.ndarray, n_subjects: int, per_subject: int, seed: int) -> np.ndarray:
    """A fixed subset: ``n_subjects`` subjects drawn by ``seed`` from ``rows``, their first ``per_subject`` trials."""
    subjects = np.unique(trials["SUBJECT_ID"].to_numpy()[rows])
    if subjects.size == 0:
        raise ValueError("no subjects to evaluate")
    chosen = np.sort(np.random.default_rng(seed).choice(subjects, size=min(n_subjects, subjects.size), replace=False))
    picked = [rows[trials["SUBJECT_ID"].to_numpy()[rows] == subject][:per_subject] for subject in chosen]
    return np.sort(np.concatenate(picked))
