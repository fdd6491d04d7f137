"""The cohort every loader returns: curves aligned row by row with a trial table.

Gutenberg and GaitRec trials are told apart by different ID columns
(GaitRec has no DATASET_ID), so a cohort names its own trial key; the
session key is the trial key without ``TRIAL_ID``. Cohorts built without a
key get Gutenberg's, the project's first data source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.pro_files import CHANNEL_UNITS, SUBJECT_COLUMN, SUBJECT_SEX_COLUMN

GUTENBERG_TRIAL_KEY: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID")


@dataclass(frozen=True, eq=False)
class Cohort:
    """Curves of every trial, aligned row by row with the trial table.

    ``curves[i]`` is trial ``trials.iloc[i]``: an array (channels, samples)
    in ``channels`` order. ``dataset`` names the source ("gutenberg",
    "gaitrec"); ``trial_key`` the columns that identify a trial.
    """

    curves: np.ndarray
    channels: tuple[str, ...]
    trials: pd.DataFrame
    directory: Path
    dropped_trials: int = 0
    dataset: str = "gutenberg"
    trial_key: tuple[str, ...] = GUTENBERG_TRIAL_KEY

    def __post_init__(self) -> None:
        if self.curves.ndim != 3:
            raise ValueError(f"curves must be 3-dimensional (trials, channels, samples), got shape {self.curves.shape}")
        if self.curves.shape[0] != len(self.trials):
            raise ValueError(f"curves hold {self.curves.shape[0]} trials but the trial table has {len(self.trials)} rows")
        if self.curves.shape[1] != len(self.channels):
            raise ValueError(f"curves hold {self.curves.shape[1]} channels but {len(self.channels)} channel names were given")
        missing = [column for column in self.trial_key if column not in self.trials.columns]
        if missing:
            raise ValueError(f"the trial table lacks the trial key column(s) {', '.join(missing)}")

    @property
    def session_key(self) -> tuple[str, ...]:
        return self.trial_key[:-1]

    @property
    def n_trials(self) -> int:
        return len(self.trials)

    @property
    def n_subjects(self) -> int:
        return int(self.trials[SUBJECT_COLUMN].nunique())

    @property
    def n_sessions(self) -> int:
        return len(self.trials[list(self.session_key)].drop_duplicates())

    def select(self, rows: Sequence[int] | Sequence[bool] | np.ndarray | pd.Series) -> Cohort:
        """The trials at integer positions ``rows``, or where a boolean mask is true."""
        index = np.asarray(rows)
        if index.dtype == bool:
            if index.shape != (self.n_trials,):
                raise ValueError(f"a boolean mask must have one entry per trial ({self.n_trials}), got shape {index.shape}")
            index = np.flatnonzero(index)
        elif index.size == 0:
            index = index.astype(np.intp)
        elif not np.issubdtype(index.dtype, np.integer):
            raise ValueError(f"rows must be integer positions or a boolean mask, got dtype {index.dtype}")
        return Cohort(
            curves=self.curves[index],
            channels=self.channels,
            trials=self.trials.iloc[index].reset_index(drop=True),
            directory=self.directory,
            dropped_trials=self.dropped_trials,
            dataset=self.dataset,
            trial_key=self.trial_key,
        )

    def subset_subjects(self, n: int, seed: int) -> Cohort:
        """All trials of ``n`` subjects drawn at random, for quick runs.

        The draw depends only on ``seed`` and the set of subjects, so the same
        call on the same cohort always keeps the same people.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        subjects = np.unique(self.trials[SUBJECT_COLUMN].to_numpy())
        if n >= subjects.size:
            return self
        chosen = np.random.default_rng(seed).choice(subjects, size=n, replace=False)
        return self.select(self.trials[SUBJECT_COLUMN].isin(chosen).to_numpy())


def describe(cohort: Cohort) -> pd.DataFrame:
    """Per channel: unit, minimum, maximum and mean over all trials and samples."""
    rows = []
    for position, channel in enumerate(cohort.channels):
        values = cohort.curves[:, position, :]
        empty = values.size == 0
        rows.append(
            {
                "channel": channel,
                "unit": CHANNEL_UNITS.get(channel, ""),
                "min": np.nan if empty else float(values.min()),
                "max": np.nan if empty else float(values.max()),
                "mean": np.nan if empty else float(values.mean()),
            }
        )
    return pd.DataFrame(rows).set_index("channel")


def sex_line(cohort: Cohort) -> str:
    """How many subjects' sessions disagree on SEX, and how many lack a subject-level sex."""
    sessions = cohort.trials.drop_duplicates(list(cohort.session_key))
    disagreeing = int((sessions.groupby(SUBJECT_COLUMN)["SEX"].nunique() > 1).sum())
    no_subject_sex = int(cohort.trials.drop_duplicates(SUBJECT_COLUMN)[SUBJECT_SEX_COLUMN].isna().sum())
    return f"subjects whose sessions disagree on SEX: {disagreeing} (SUBJECT_SEX missing for {no_subject_sex} subjects)"


def channel_lines(cohort: Cohort) -> list[str]:
    """The per-channel table of :func:`describe` as aligned text, for summaries."""
    lines = ["per channel over all trials and samples:", f"{'channel':<14}{'unit':>5}{'min':>10}{'max':>10}{'mean':>10}"]
    for channel, row in describe(cohort).iterrows():
        lines.append(f"{channel:<14}{row['unit']:>5}{row['min']:>10.4f}{row['max']:>10.4f}{row['mean']:>10.4f}")
    return lines
