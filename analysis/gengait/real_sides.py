"""Real patients (GaitRec): does pass 1 point at the affected side?

Only with the user's GaitRec files (``GAITREC_DATA_DIR``); there is no
synthetic stand-in. The normal model is trained on GaitRec's healthy
controls only (their subjects split into training and calibration groups),
and each patient with one affected leg (AFFECTED_SIDE 0 = left, 1 = right)
gets a side score: the largest calibrated channel score of the right side
minus that of the left. AUROC of that difference for right- against
left-affected patients, with a subject-bootstrap interval; 0.5 = no
information about the side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import GenGaitSettings
from analysis.data import gaitrec
from analysis.data.cohort import Cohort
from analysis.data.gutenberg import SUBJECT_COLUMN
from analysis.gengait import evaluation, scoring, training

HEALTHY_FRACTION_FOR_TRAINING = 0.8
MAX_PATIENTS = 400


@dataclass(frozen=True)
class SideResult:
    auroc: float
    low: float
    high: float
    accuracy: float
    patients: int
    controls_train: int
    controls_calibration: int
    per_class: pd.DataFrame


def side_localisation(settings: GenGaitSettings, cohort: Cohort, n_bootstrap: int, seed: int = 0) -> SideResult:
    """Train on healthy controls, calibrate on other controls, score one trial per patient with one affected side."""
    trials = cohort.trials
    if cohort.dataset != gaitrec.DATASET or gaitrec.AFFECTED_SIDE_COLUMN not in trials:
        raise ValueError(f"side localisation needs a GaitRec cohort with {gaitrec.AFFECTED_SIDE_COLUMN}, got a {cohort.dataset!r} cohort: is it GaitRec?")
    subjects = trials[SUBJECT_COLUMN].to_numpy()
    healthy = (trials[gaitrec.CLASS_COLUMN] == gaitrec.HEALTHY_CLASS).to_numpy()
    rng = np.random.default_rng(seed)
    controls = rng.permutation(np.unique(subjects[healthy]))
    cut = int(min(round(HEALTHY_FRACTION_FOR_TRAINING * controls.size), controls.size - 2))
    if cut < 2 or controls.size - cut < 2:
        raise ValueError(f"side localisation needs at least 4 healthy control subjects, got {controls.size}")
    train_rows = np.flatnonzero(healthy & np.isin(subjects, controls[:cut]))
    calibration_rows = np.flatnonzero(healthy & np.isin(subjects, controls[cut:]))
    trained = training.train(settings, cohort.channels, cohort.curves[train_rows], cohort.curves[calibration_rows])
    detector = scoring.calibrate(trained, cohort.curves[calibration_rows], settings.flag_rate, subjects[calibration_rows])

    side = trials[gaitrec.AFFECTED_SIDE_COLUMN].to_numpy(dtype=float)
    one_sided = ~healthy & np.isin(side, (0.0, 1.0))
    patients = np.unique(subjects[one_sided])
    patients = rng.choice(patients, size=min(MAX_PATIENTS, patients.size), replace=False)
    rows = np.array([rng.choice(np.flatnonzero(one_sided & (subjects == patient))) for patient in patients], dtype=int)
    localisation = scoring.localise(detector, cohort.curves[rows])
    is_right = np.array([channel.endswith("_right") for channel in cohort.channels])
    difference = localisation.channel_score[:, is_right].max(axis=1) - localisation.channel_score[:, ~is_right].max(axis=1)
    right_affected = side[rows] == 1.0
    value = evaluation.auroc(difference, right_affected)
    draws = [evaluation.auroc(difference[index], right_affected[index]) for index in evaluation.bootstrap_rows(subjects[rows], n_bootstrap, seed)]
    low, high = evaluation.interval(draws)
    classes = trials[gaitrec.CLASS_COLUMN].to_numpy()[rows]
    per_class = (
        pd.DataFrame({"class": classes, "correct": (difference > 0) == right_affected, "flagged": localisation.channel_flags.any(axis=1)})
        .groupby("class")
        .agg(patients=("correct", "size"), side_correct=("correct", "mean"), any_flag=("flagged", "mean"))
        .reset_index()
    )
    per_class["class"] = per_class["class"].map(gaitrec.CLASS_LABELS)
    return SideResult(value, low, high, float(((difference > 0) == right_affected).mean()), int(rows.size),
                      int(np.unique(subjects[train_rows]).size), int(np.unique(subjects[calibration_rows]).size), per_class)  # fmt: skip
