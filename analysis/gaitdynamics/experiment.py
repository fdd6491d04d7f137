"""The data side of the chapter: cohort, trial arrays, split, evaluation subset and the trained model.

One call (:func:`prepare`) resolves the data source exactly as every other
chapter does, keeps the subjects the settings ask for (always with some of
the held-out sub-dataset, so the unseen-study check runs at every size),
splits by subject, trains (or loads) the diffusion model on the training
subjects and fixes the evaluation subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import data
from analysis.config import GaitDynamicsSettings
from analysis.data import SUBJECT_COLUMN, source
from analysis.gaitdynamics import curves as layout
from analysis.gaitdynamics import diffusion
from analysis.gaitdynamics.curves import Split

HELD_OUT_SUBJECTS_IN_SUBSETS = 6  # subjects of the held-out sub-dataset kept when max_subjects trims the cohort


@dataclass
class Experiment:
    settings: GaitDynamicsSettings
    source: source.DataSource
    cohort: data.Cohort
    trials: np.ndarray  # (n, 15, 101) in data units
    available: np.ndarray  # (n, 15, 101) bool
    split: Split
    evaluation: np.ndarray  # fixed subset of test-subject trials
    unseen: np.ndarray  # fixed subset of held-out sub-dataset trials
    model: diffusion.DiffusionModel

    @property
    def table(self) -> pd.DataFrame:
        return self.cohort.trials

    def scaled(self, rows: np.ndarray) -> np.ndarray:
        return np.where(self.available[rows], self.model.scaling.transform(self.trials[rows]), 0.0)

    def subjects(self, rows: np.ndarray) -> np.ndarray:
        return self.table[SUBJECT_COLUMN].to_numpy()[rows]


def _subset(cohort: data.Cohort, settings: GaitDynamicsSettings) -> data.Cohort:
    if settings.max_subjects is None:
        return cohort
    subjects = cohort.trials[SUBJECT_COLUMN].to_numpy()
    held = cohort.trials["DATASET_ID"].to_numpy() == settings.held_out_dataset
    kept = cohort.select(~np.isin(subjects, np.unique(subjects[held]))).subset_subjects(settings.max_subjects, seed=settings.split_seed)
    unseen = np.unique(subjects[held])
    unseen = np.random.default_rng(settings.split_seed).permutation(unseen)[:HELD_OUT_SUBJECTS_IN_SUBSETS]
    chosen = np.isin(subjects, kept.trials[SUBJECT_COLUMN].unique()) | np.isin(subjects, unseen)
    return cohort.select(chosen)


def prepare(settings: GaitDynamicsSettings, data_dir: str | None = None, download: bool | None = None) -> Experiment:
    """Data, split, evaluation subsets and the trained (or cached) diffusion model."""
    data_source = source.resolve(data_dir=data_dir, download=download, seed=settings.data_seed)
    cohort = _subset(data.load(data_source.directory), settings)
    trials, available = layout.assemble(cohort.curves, layout.metadata_values(cohort.trials))
    split = layout.split_trials(cohort.trials, settings.split_seed, settings.held_out_dataset)
    model = diffusion.train(settings, trials[split.train], available[split.train])
    evaluation = layout.evaluation_rows(cohort.trials, split.test, settings.n_eval_subjects, settings.trials_per_subject, settings.seed)
    unseen = layout.evaluation_rows(cohort.trials, split.held_out, settings.n_eval_subjects, settings.trials_per_subject, settings.seed)
    return Experiment(settings, data_source, cohort, trials, available, split, evaluation, unseen, model)
