"""Load and validate the GaitRec "PRO" files: healthy controls and four impairment classes.

GaitRec (Horsak et al. 2020, Sci Data 7:143) publishes its processed curves in
the layout Gutenberg later adopted (:mod:`~analysis.data.pro_files`): ten
curve files, each row = SUBJECT_ID, SESSION_ID, TRIAL_ID, then 101 samples.
Unlike Gutenberg there is no DATASET_ID column and no walking-speed file (the
metadata's ``SPEED`` is a category), so a trial is keyed by subject, session
and trial, and a file with a DATASET_ID column is refused as a Gutenberg file.

The metadata (``GRF_metadata.csv``, one row per session) keeps every column
as published, in particular the class labels the analyses need:

* ``CLASS_LABEL``: HC (healthy control), H (hip), K (knee), A (ankle) or
  C (calcaneus); anything else is an error;
* ``CLASS_LABEL_DETAILED``: the finer diagnosis code, kept as published
  (two sessions spell it ``a_f``); it must be present;
* ``AFFECTED_SIDE``: 0, 1 or 2 for a patient's session (the affected leg, or
  both; the mapping 0 = left, 1 = right, 2 = both follows the data
  descriptor), missing for every healthy control. A control with a side, or
  a patient without one, is an error, since an analysis by side would
  silently misplace that session.

``SEX`` and ``SUBJECT_SEX`` work as for Gutenberg (one GaitRec subject's
sessions disagree on SEX).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data import reference
from analysis.data.cohort import Cohort, channel_lines, sex_line
from analysis.data.pro_files import (
    CHANNELS,
    CURVE_FILES,
    METADATA_FILE,
    METADATA_NUMERIC_COLUMNS,
    SUBJECT_SEX_COLUMN,
    Metadata,
    attach_metadata,
    check_directory,
    read_curves,
    read_metadata,
)

DATASET = "gaitrec"
TITLE = "GaitRec"
ID_COLUMNS: tuple[str, ...] = ("SUBJECT_ID", "SESSION_ID", "TRIAL_ID")
SESSION_KEY: tuple[str, ...] = ID_COLUMNS[:-1]
PUBLISHED_FILES: tuple[str, ...] = (*CURVE_FILES.values(), METADATA_FILE)

CLASS_COLUMN = "CLASS_LABEL"
DETAILED_CLASS_COLUMN = "CLASS_LABEL_DETAILED"
AFFECTED_SIDE_COLUMN = "AFFECTED_SIDE"
HEALTHY_CLASS = "HC"
CLASS_LABELS: dict[str, str] = {"HC": "healthy control", "H": "hip", "K": "knee", "A": "ankle", "C": "calcaneus"}
AFFECTED_SIDE_CODES: dict[int, str] = {0: "left", 1: "right", 2: "both"}
# A column that only Gutenberg files have: pointing this loader at them is a mistake worth naming.
FOREIGN_COLUMNS: dict[str, str] = {"DATASET_ID": "which GaitRec files do not have (is this a Gutenberg file?)"}


def _check_labels(metadata: Metadata) -> None:
    """Class labels from the published set; an affected side exactly for patients."""
    metadata.check_codes(CLASS_COLUMN, CLASS_LABELS, allow_missing=False)
    table, text = metadata.table, metadata.text
    missing_detail = table[DETAILED_CLASS_COLUMN].isna().to_numpy()
    if missing_detail.any():
        row = int(np.flatnonzero(missing_detail)[0])
        raise text.error(row, DETAILED_CLASS_COLUMN, f"{text.cells[DETAILED_CLASS_COLUMN].iat[row]!r}: the detailed class label is missing")
    metadata.check_codes(AFFECTED_SIDE_COLUMN, AFFECTED_SIDE_CODES)
    healthy = (table[CLASS_COLUMN] == HEALTHY_CLASS).to_numpy()
    has_side = table[AFFECTED_SIDE_COLUMN].notna().to_numpy()
    for mismatch, problem in (
        (healthy & has_side, "a healthy control (CLASS_LABEL HC) has no affected side"),
        (~healthy & ~has_side, "every patient session (CLASS_LABEL {label}) names the affected side"),
    ):
        if mismatch.any():
            row = int(np.flatnonzero(mismatch)[0])
            cell = text.cells[AFFECTED_SIDE_COLUMN].iat[row]
            raise text.error(row, AFFECTED_SIDE_COLUMN, f"{cell!r}, but {problem.format(label=table[CLASS_COLUMN].iat[row])}")


def read_gaitrec_metadata(path: Path) -> Metadata:
    """GaitRec's session metadata, every column kept, the class labels checked."""
    metadata = read_metadata(
        path,
        SESSION_KEY,
        required=(CLASS_COLUMN, DETAILED_CLASS_COLUMN),
        number_columns=(*METADATA_NUMERIC_COLUMNS, AFFECTED_SIDE_COLUMN),
        reserved=(ID_COLUMNS[-1], SUBJECT_SEX_COLUMN),
        foreign_columns=FOREIGN_COLUMNS,
    )
    _check_labels(metadata)
    return metadata


def load(directory: str | os.PathLike[str], drop_incomplete: bool = False) -> Cohort:
    """Read and cross-check the eleven GaitRec files in ``directory``.

    Every problem raises :class:`~analysis.data.pro_files.DataFormatError`
    naming the file and the line, key or column. Trials with a missing or
    infinite sample are an error unless ``drop_incomplete`` is true; then they
    are dropped, counted in ``Cohort.dropped_trials`` and reported with a warning.
    """
    directory = Path(directory).expanduser().resolve()
    check_directory(directory, PUBLISHED_FILES, TITLE)
    keys, curves, dropped = read_curves(directory, ID_COLUMNS, drop_incomplete, FOREIGN_COLUMNS)
    metadata = read_gaitrec_metadata(directory / METADATA_FILE)
    trials = attach_metadata(pd.DataFrame(keys, columns=list(ID_COLUMNS)), metadata, SESSION_KEY)
    return Cohort(
        curves=curves,
        channels=CHANNELS,
        trials=trials,
        directory=directory,
        dropped_trials=dropped,
        dataset=DATASET,
        trial_key=ID_COLUMNS,
    )


def class_counts(cohort: Cohort) -> pd.DataFrame:
    """Subjects, sessions and trials per CLASS_LABEL, in the published order of the classes."""
    trials = cohort.trials
    rows = []
    for label, meaning in CLASS_LABELS.items():
        of_class = trials[trials[CLASS_COLUMN] == label]
        rows.append(
            {
                CLASS_COLUMN: label,
                "class": meaning,
                "subjects": int(of_class["SUBJECT_ID"].nunique()),
                "sessions": len(of_class[list(SESSION_KEY)].drop_duplicates()),
                "trials": len(of_class),
            }
        )
    return pd.DataFrame(rows).set_index(CLASS_COLUMN)


def summarize(cohort: Cohort) -> str:
    """A plain-text report of what was loaded, for ``python -m analysis data check --dataset gaitrec``."""
    sessions = cohort.trials.drop_duplicates(list(SESSION_KEY))
    sides = sessions[AFFECTED_SIDE_COLUMN]
    side_counts = ", ".join(f"{meaning} {int((sides == code).sum())}" for code, meaning in AFFECTED_SIDE_CODES.items())
    metadata_path = cohort.directory / METADATA_FILE
    if reference.is_published_gaitrec_metadata(metadata_path):
        metadata_line = f"metadata: {METADATA_FILE} is the published file shipped with the package (sha256 verified)"
    else:
        metadata_line = f"metadata: {METADATA_FILE} differs from the published file shipped with the package"
    lines = [
        f"GaitRec cohort in {cohort.directory}",
        f"subjects: {cohort.n_subjects}",
        f"sessions: {cohort.n_sessions}",
        f"trials: {cohort.n_trials} ({cohort.dropped_trials} dropped as incomplete)",
        "per class (subjects / sessions / trials):",
    ]
    for label, row in class_counts(cohort).iterrows():
        lines.append(f"  {label:<3}{row['class']:<16}{row['subjects']:>7}{row['sessions']:>9}{row['trials']:>9}")
    lines += [
        f"affected side (sessions): {side_counts}, none {int(sides.isna().sum())}",
        sex_line(cohort),
        metadata_line,
        "",
        *channel_lines(cohort),
    ]
    return "\n".join(lines)
