"""Load and validate the Gutenberg Gait Database "PRO" files.

Format facts (Horst et al. 2021, Sci Data 8:232, Table 3): ten curve files,
one per force/COP component and side, each row = DATASET_ID, SUBJECT_ID,
SESSION_ID, TRIAL_ID, then 101 samples of the time-normalised stance phase
(read and cross-checked by :mod:`~analysis.data.pro_files`, shared with
GaitRec), plus the session metadata and the measured walking speed of every
trial.

SEX quirk: in the published metadata, 26 subjects have sessions that disagree
on SEX. ``SEX`` keeps the per-session value as published; ``SUBJECT_SEX`` is
the value recorded in most of the subject's sessions (missing on a tie), for
analyses that need one sex per person. Subjects are identified by
``SUBJECT_ID`` alone, which is unique across the whole database.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.cohort import GUTENBERG_TRIAL_KEY, Cohort, channel_lines, describe, sex_line
from analysis.data.pro_files import (
    CHANNEL_UNITS,
    CHANNELS,
    COMPONENTS,
    CURVE_FILES,
    METADATA_FILE,
    METADATA_NUMERIC_COLUMNS,
    MISSING_TOKENS,
    N_SAMPLES,
    SEX_CODES,
    SIDES,
    SUBJECT_COLUMN,
    SUBJECT_SEX_COLUMN,
    DataFormatError,
    IncompleteTrialsWarning,
    attach_metadata,
    check_directory,
    check_unique,
    format_key,
    read_curves,
    read_metadata,
    read_text_table,
)

DATASET = "gutenberg"
TITLE = "Gutenberg"
ID_COLUMNS: tuple[str, ...] = GUTENBERG_TRIAL_KEY
SESSION_KEY: tuple[str, ...] = ID_COLUMNS[:-1]
SPEED_FILE = "GRF_walking_speed.csv"
PUBLISHED_FILES: tuple[str, ...] = (*CURVE_FILES.values(), METADATA_FILE, SPEED_FILE)
SPEED_COLUMN = "WALKING_SPEED"

__all__ = [
    "CHANNEL_UNITS",
    "CHANNELS",
    "COMPONENTS",
    "CURVE_FILES",
    "DATASET",
    "ID_COLUMNS",
    "METADATA_FILE",
    "METADATA_NUMERIC_COLUMNS",
    "MISSING_TOKENS",
    "N_SAMPLES",
    "PUBLISHED_FILES",
    "SESSION_KEY",
    "SEX_CODES",
    "SIDES",
    "SPEED_COLUMN",
    "SPEED_FILE",
    "SUBJECT_COLUMN",
    "SUBJECT_SEX_COLUMN",
    "TITLE",
    "Cohort",
    "DataFormatError",
    "IncompleteTrialsWarning",
    "describe",
    "load",
    "summarize",
]


def _read_speeds(path: Path) -> pd.DataFrame:
    table = read_text_table(path, (*ID_COLUMNS, SPEED_COLUMN))
    speeds = pd.DataFrame({column: table.integer_column(column) for column in ID_COLUMNS})
    speeds[SPEED_COLUMN] = table.number_column(SPEED_COLUMN)
    check_unique(path, speeds[list(ID_COLUMNS)].to_numpy(), ID_COLUMNS, table.line_numbers, "trial")
    return speeds


def _with_speeds(keys: np.ndarray, speeds: pd.DataFrame) -> pd.DataFrame:
    trials = pd.DataFrame(keys, columns=list(ID_COLUMNS))
    joined = trials.merge(speeds, how="left", on=list(ID_COLUMNS), indicator=True, validate="one_to_one")
    unmatched = joined[joined["_merge"] == "left_only"]
    if len(unmatched):
        key = format_key(unmatched.iloc[0][list(ID_COLUMNS)].to_numpy(), ID_COLUMNS)
        raise DataFormatError(
            f"{SPEED_FILE} has no row for trial {key} ({len(unmatched)} trial(s) with curves lack a speed row)"
        )
    return joined.drop(columns="_merge")


def load(directory: str | os.PathLike[str], drop_incomplete: bool = False) -> Cohort:
    """Read and cross-check the twelve Gutenberg files in ``directory``.

    Every problem raises :class:`DataFormatError` naming the file and the line,
    key or column. Trials with a missing or infinite sample in any channel are
    an error unless ``drop_incomplete`` is true; then they are dropped, counted
    in ``Cohort.dropped_trials`` and reported with a warning.
    """
    directory = Path(directory).expanduser().resolve()
    check_directory(directory, PUBLISHED_FILES, TITLE)
    keys, curves, dropped = read_curves(directory, ID_COLUMNS, drop_incomplete)
    metadata = read_metadata(
        directory / METADATA_FILE,
        SESSION_KEY,
        reserved=(*ID_COLUMNS[len(SESSION_KEY) :], SPEED_COLUMN, SUBJECT_SEX_COLUMN),
    )
    speeds = _read_speeds(directory / SPEED_FILE)
    trials = attach_metadata(_with_speeds(keys, speeds), metadata, SESSION_KEY)
    return Cohort(
        curves=curves,
        channels=CHANNELS,
        trials=trials,
        directory=directory,
        dropped_trials=dropped,
        dataset=DATASET,
        trial_key=ID_COLUMNS,
    )


def summarize(cohort: Cohort) -> str:
    """A plain-text report of what was loaded, for ``python -m analysis data check``."""
    trials = cohort.trials
    datasets = sorted(int(value) for value in trials["DATASET_ID"].unique())
    has_speed = trials[SPEED_COLUMN].notna()
    no_speed_datasets = sorted(int(value) for value in trials.loc[~has_speed, "DATASET_ID"].unique())
    speed_line = f"walking speed: {int(has_speed.sum())} of {cohort.n_trials} trials"
    if no_speed_datasets:
        speed_line += f" (missing in DATASET_ID {', '.join(map(str, no_speed_datasets))})"
    lines = [
        f"Gutenberg cohort in {cohort.directory}",
        f"subjects: {cohort.n_subjects}",
        f"sessions: {cohort.n_sessions}",
        f"trials: {cohort.n_trials} ({cohort.dropped_trials} dropped as incomplete)",
        f"datasets: {len(datasets)} (DATASET_ID {', '.join(map(str, datasets))})",
        speed_line,
        sex_line(cohort),
        "",
        *channel_lines(cohort),
    ]
    return "\n".join(lines)
