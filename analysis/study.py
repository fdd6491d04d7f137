"""The study as a chapter sees it: one call per step, everything cached.

A chapter resolves its :class:`~analysis.config.Settings`, then calls
:func:`prepare` (data source → cohort → features) and :func:`train_all`
(three models × seeds, trained once and read from the cache afterwards).
The helpers below turn trained runs into the quantities the results
chapters plot and tabulate, so that every chapter computes them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from analysis import config, data, metrics, source, training
from analysis.features import FeatureSet, build_features, to_curves
from analysis.models import ModelConfig

# Attributes the study correlates features with (Section 3.4.2).
ATTRIBUTES: tuple[str, ...] = ("WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT")
ATTRIBUTE_LABELS: dict[str, str] = {
    "WALKING_SPEED": "walking speed (m/s)",
    "AGE": "age (years)",
    "HEIGHT": "height (cm)",
    "BODY_WEIGHT": "body weight (N)",
}


@dataclass(frozen=True)
class Study:
    """The data side of a run: where the data came from and the model inputs."""

    settings: config.Settings
    source: source.DataSource
    cohort: data.Cohort
    features: FeatureSet
    device: torch.device

    def trials(self, part: str) -> pd.DataFrame:
        """Metadata rows aligned with the feature matrix of ``part``."""
        return self.features.trials.iloc[self.features.rows(part)].reset_index(drop=True)

    def inputs(self, part: str) -> np.ndarray:
        return getattr(self.features, part)


def prepare(
    settings: config.Settings,
    data_dir: str | None = None,
    download: bool | None = None,
) -> Study:
    """Resolve the data source, load and validate the cohort, build features."""
    data_source = source.resolve(data_dir=data_dir, download=download, seed=settings.data_seed)
    cohort = data.load(data_source.directory)
    if settings.max_subjects is not None:
        cohort = cohort.subset_subjects(settings.max_subjects, seed=settings.split_seed)
    features = build_features(cohort, split_seed=settings.split_seed)
    return Study(
        settings=settings,
        source=data_source,
        cohort=cohort,
        features=features,
        device=training.resolve_device(settings.device),
    )


def model_config(settings: config.Settings, name: str, input_dim: int) -> ModelConfig:
    """The model of ``name`` with the settings' latent size and λ overrides."""
    options = dict(settings.model_options.get(name, {}))
    return ModelConfig(name=name, input_dim=input_dim, latent_dim=settings.latent_dim, **options)


def train_config(settings: config.Settings) -> training.TrainConfig:
    return training.TrainConfig(
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        patience=settings.patience,
        seeds=settings.seeds,
        device=settings.device,
    )


def train_all(study: Study, progress: bool = True) -> dict[str, list[training.TrainedModel]]:
    """Every model of the settings, every seed: trained, or loaded from the cache."""
    runs: dict[str, list[training.TrainedModel]] = {}
    for name in study.settings.models:
        runs[name] = training.train(
            model_config(study.settings, name, study.features.train.shape[1]),
            train_config(study.settings),
            study.features.train,
            study.features.validation,
            data_identity=study.features.identity,
            progress=progress,
        )
    return runs


def history_table(runs: dict[str, list[training.TrainedModel]]) -> pd.DataFrame:
    """All learning curves in one long table (model, seed, epoch, part, term, value)."""
    frames = [run.history.assign(model=name, seed=run.seed) for name, seed_runs in runs.items() for run in seed_runs]
    return pd.concat(frames, ignore_index=True)


def feature_patterns(
    run: training.TrainedModel, study: Study, feature_ids: list[int] | np.ndarray, magnitude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Time-domain curves decoded from single features, and the all-zero baseline.

    A feature is switched on at ``magnitude`` (default: its 95th-percentile
    activation on the training set, so each pattern has a typical size) with
    every other feature at zero; decoding goes latent → standardised
    coefficients → coefficients → curves through the exact inverse wavelet
    transform. Returns ``(patterns (k, channels, 101), baseline (channels, 101))``.
    """
    feature_ids = np.asarray(feature_ids, dtype=int)
    if magnitude is None:
        train_codes = run.encode(study.features.train)
        magnitude = np.percentile(np.abs(train_codes), 95, axis=0)[feature_ids]
    latent_dim = run.config.latent_dim
    one_hot = np.zeros((len(feature_ids), latent_dim), dtype=np.float32)
    one_hot[np.arange(len(feature_ids)), feature_ids] = magnitude
    zero = np.zeros((1, latent_dim), dtype=np.float32)
    patterns = to_curves(training.decode_codes(run, one_hot), study.features)
    baseline = to_curves(training.decode_codes(run, zero), study.features)[0]
    return patterns, baseline


def seed_metrics(runs: dict[str, list[training.TrainedModel]], study: Study, part: str = "test") -> pd.DataFrame:
    """One row per (model, seed): the quantities of the comparison table (4.5)."""
    inputs = study.inputs(part)
    trials = study.trials(part)
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            codes = run.encode(inputs)
            scores = training.evaluate(run, inputs)
            correlations = metrics.attribute_correlations(codes, trials, attributes=ATTRIBUTES, level="trial")
            row = {
                "model": name,
                "seed": run.seed,
                "mse": scores["mse"],
                "fve": scores["fve"],
                "mean_activation_rate": metrics.mean_activation_rate(codes),
                "max_pairwise_abs_r": metrics.max_abs_offdiagonal(metrics.feature_correlation_matrix(codes)),
                "importance_evenness": metrics.importance_evenness(metrics.variance_importance(codes)),
                "best_epoch": run.best_epoch,
                "stopped_epoch": run.stopped_epoch,
            }
            for attribute in ATTRIBUTES:
                values = correlations.loc[correlations["attribute"] == attribute, "r"].abs()
                row[f"max_abs_r_{attribute}"] = float(values.max()) if values.notna().any() else float("nan")
            rows.append(row)
    return pd.DataFrame(rows)
