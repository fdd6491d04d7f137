"""The chapter's experiment in a few calls: data and split, training, calibration, evaluation.

The cohort, its subject subset and the train/validation/test split are the
study's own (:func:`analysis.features.model_inputs.subject_split` with the
study profile's seed and fractions), so the study's SAE, which a chapter may
add as one more baseline, never saw the test subjects either.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis import config, data
from analysis.config import GenGaitSettings
from analysis.data import source
from analysis.data.cohort import Cohort
from analysis.features.model_inputs import DEFAULT_FRACTIONS, Split, subject_split
from analysis.gengait import baselines, evaluation, scoring, training
from analysis.gengait.baselines import ChannelScorer


@dataclass(eq=False)
class Experiment:
    settings: GenGaitSettings
    study_settings: config.Settings
    source: source.DataSource
    cohort: Cohort
    split: Split
    design: evaluation.Design
    trained: training.TrainedAutoencoder
    detector: scoring.Detector
    scorers: list[ChannelScorer]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def groups(self) -> np.ndarray:
        """Subject of every evaluation trial (the bootstrap resamples them)."""
        return self.design.subjects[self.design.evaluation]

    def standardised(self, rows: np.ndarray) -> np.ndarray:
        return self.trained.scaler.transform(self.cohort.curves[rows])


CALIBRATION_TRIALS_PER_SUBJECT = 12  # validation trials per subject the thresholds are fitted on


def load_cohort(settings: GenGaitSettings, data_dir: str | None = None, download: bool | None = None) -> tuple[source.DataSource, Cohort, Split, config.Settings]:
    """The study profile's data source, cohort (its subject subset) and subject split."""
    study_settings = config.resolve(settings.study_profile)
    data_source = source.resolve(data_dir=data_dir, download=download, seed=study_settings.data_seed)
    cohort = data.load(data_source.directory)
    if study_settings.max_subjects is not None:
        cohort = cohort.subset_subjects(study_settings.max_subjects, seed=study_settings.split_seed)
    split = subject_split(cohort.trials[data.SUBJECT_COLUMN].to_numpy(), DEFAULT_FRACTIONS, study_settings.split_seed)
    return data_source, cohort, split, study_settings


def setup(settings: GenGaitSettings, data_dir: str | None = None, download: bool | None = None, use_cache: bool = True) -> Experiment:
    """Load, split, train (or read the cached model), calibrate, and fit the baselines."""
    data_source, cohort, split, study_settings = load_cohort(settings, data_dir, download)
    chosen = evaluation.design(cohort, split.train, split.validation, split.test, settings.trials_per_subject,
                               CALIBRATION_TRIALS_PER_SUBJECT, seed=settings.train_seed)  # fmt: skip
    seconds = {}
    started = time.perf_counter()
    trained = training.train(settings, cohort.channels, cohort.curves[split.train], cohort.curves[split.validation], use_cache)
    seconds["train"] = trained.seconds
    seconds["load_or_train"] = time.perf_counter() - started
    started = time.perf_counter()
    detector = scoring.calibrate(trained, cohort.curves[chosen.validation], settings.flag_rate, chosen.subjects[chosen.validation])
    seconds["calibrate"] = time.perf_counter() - started
    train_standardised = trained.scaler.transform(cohort.curves[split.train])
    scorers = [
        baselines.band(train_standardised),
        baselines.symmetry(train_standardised, trained.layout.contralateral()),
        baselines.pca(train_standardised, settings.pca_components, settings.train_seed),
        baselines.leave_one_channel_out(train_standardised, settings.ridge_alpha),
    ]
    return Experiment(settings, study_settings, data_source, cohort, split, chosen, trained, detector, scorers, seconds)


def run(experiment: Experiment, extra: Sequence[ChannelScorer] = ()) -> list[evaluation.ConditionResult]:
    """Every condition, every method (the baselines plus ``extra``, e.g. the study's SAE residual)."""
    settings = experiment.settings
    validation = experiment.standardised(experiment.design.validation)
    calibrated = evaluation.calibrate_baselines([*experiment.scorers, *extra], validation, settings.flag_rate)
    started = time.perf_counter()
    results = evaluation.evaluate(experiment.detector, calibrated, experiment.cohort, experiment.design,
                                  evaluation.conditions(settings), seed=settings.train_seed)  # fmt: skip
    experiment.seconds["evaluate"] = time.perf_counter() - started
    return results


def scoring_seconds(experiment: Experiment, extra: Sequence[ChannelScorer] = (), repeats: int = 1) -> dict[str, float]:
    """Seconds per evaluation trial for each method's scores (the autoencoder: all occlusions of pass 1)."""
    curves = experiment.cohort.curves[experiment.design.evaluation]
    standardised = experiment.trained.scaler.transform(curves)
    timings = {}
    started = time.perf_counter()
    for _ in range(repeats):
        scoring.localise(experiment.detector, curves)
    timings[evaluation.MAE] = (time.perf_counter() - started) / repeats / len(curves)
    for scorer in [*experiment.scorers, *extra]:
        started = time.perf_counter()
        for _ in range(repeats):
            scorer.score(standardised)
        timings[scorer.name] = (time.perf_counter() - started) / repeats / len(curves)
    return timings
