"""The study as a chapter sees it: one call per step, everything cached.

A chapter resolves its :class:`~analysis.config.Settings`, then calls
:func:`prepare` (data source → cohort → features; :func:`analysis.book.chapter.start_study`
does both and shows the page header) and :func:`train_all` (three models ×
seeds, trained once and read from the cache afterwards).
The helpers below turn trained runs into the quantities the results
chapters plot and tabulate, so that every chapter computes them the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from analysis import config, data
from analysis.data import source
from analysis.engine import training
from analysis.engine.device import resolve_device
from analysis.evaluation import attribute_correlation, code_measures, latent_structure
from analysis.features.model_inputs import PARTS, FeatureSet, build_features, to_curves
from analysis.features.wavelets import encode
from analysis.sae import calibration, claims
from analysis.sae.models import DEFAULT_L1_WEIGHT, STUDY_KL_WEIGHT, ModelConfig

ALL_TRIALS = "all"  # seed_metrics on every trial (training, validation and test subjects)

# Attributes the study correlates features with (Section 3.4.2).
ATTRIBUTES = attribute_correlation.ATTRIBUTES
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

    def all_inputs(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Model inputs and aligned metadata of every trial (train, validation, test)."""
        inputs = np.concatenate([self.inputs(part) for part in PARTS])
        trials = pd.concat([self.trials(part) for part in PARTS], ignore_index=True)
        return inputs, trials


def prepare(
    settings: config.Settings,
    data_dir: str | None = None,
    download: bool | None = None,
    unit: str = "trial",
) -> Study:
    """Resolve the data source, load and validate the cohort, build features.

    ``unit="channel"`` makes every curve its own sample, as the study's
    original code did; the book's analyses use one sample per trial.
    """
    data_source = source.resolve(data_dir=data_dir, download=download, seed=settings.data_seed)
    cohort = data.load(data_source.directory)
    if settings.max_subjects is not None:
        cohort = cohort.subset_subjects(settings.max_subjects, seed=settings.split_seed)
    features = build_features(cohort, split_seed=settings.split_seed, unit=unit)
    return Study(
        settings=settings,
        source=data_source,
        cohort=cohort,
        features=features,
        device=resolve_device(settings.device),
    )


def model_config(settings: config.Settings, name: str, input_dim: int) -> ModelConfig:
    """The model of ``name`` with the settings' latent size and λ overrides."""
    options = dict(settings.model_options.get(name, {}))
    allowed = set(ModelConfig.__dataclass_fields__) - {"name", "input_dim", "latent_dim"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"model_options for {name!r} name unknown weight(s) {unknown}; choose from {sorted(allowed)}")
    return ModelConfig(name=name, input_dim=input_dim, latent_dim=settings.latent_dim, **options)


def train_config(settings: config.Settings, seeds: tuple[int, ...] | None = None) -> training.TrainConfig:
    return training.TrainConfig(
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        patience=settings.patience,
        seeds=settings.seeds if seeds is None else seeds,
        device=settings.device,
        warmup_epochs=min(settings.warmup_epochs, settings.epochs - 1),
    )


def calibrated_models(settings: config.Settings) -> tuple[str, ...]:
    """The models whose L1 weight the calibration chooses (not those the settings fix by hand)."""
    if not settings.calibrate_sparsity:
        return ()
    return tuple(
        name
        for name in settings.models
        if name in calibration.CALIBRATED_MODELS and calibration.CALIBRATED_WEIGHT not in settings.model_options.get(name, {})
    )


def calibrate_all(study: Study, progress: bool = False) -> dict[str, calibration.Calibration]:
    """The sparsity calibration of every calibrated model (sweeps trained once, then read from the cache)."""
    settings = study.settings
    return {
        name: calibration.calibrate(
            model_config(settings, name, study.features.train.shape[1]),
            train_config(settings, seeds=settings.calibration_seeds),
            study.features.train,
            study.features.validation,
            study.features.identity,
            settings.sparsity_grid,
            settings.kl_sparsity_grid,
            progress=progress,
        )
        for name in calibrated_models(settings)
    }


def main_config(study: Study, name: str, calibrations: dict[str, calibration.Calibration] | None = None) -> ModelConfig:
    """The configuration the comparison uses: the settings' model, with its calibrated L1 weight where calibrated."""
    base = model_config(study.settings, name, study.features.train.shape[1])
    if calibrations is not None and name in calibrations:
        return replace(base, **{calibration.CALIBRATED_WEIGHT: calibrations[name].chosen})
    return base


def train_all(
    study: Study, progress: bool = True, calibrations: dict[str, calibration.Calibration] | None = None
) -> dict[str, list[training.TrainedModel]]:
    """Every model of the settings, every seed, at its calibrated sparsity: trained, or loaded from the cache."""
    if calibrations is None:
        calibrations = calibrate_all(study, progress=progress)
    return {name: _train(study, main_config(study, name, calibrations), progress) for name in study.settings.models}


def train_variant(study: Study, name: str, progress: bool = False, **options: float) -> list[training.TrainedModel]:
    """Every seed of model ``name`` with some loss weights changed (e.g. the study's literal β).

    The settings' own overrides apply first, then ``options``; the variant is
    cached like any run, under its own key.
    """
    base = model_config(study.settings, name, study.features.train.shape[1])
    return _train(study, replace(base, **options), progress)


def _train(study: Study, config: ModelConfig, progress: bool) -> list[training.TrainedModel]:
    """One model configuration, every seed of the settings, on the study's training and validation rows."""
    return training.train(
        config,
        train_config(study.settings),
        study.features.train,
        study.features.validation,
        data_identity=study.features.identity,
        progress=progress,
    )


def curve_encoder(study: Study, run: training.TrainedModel) -> Callable[[np.ndarray], np.ndarray]:
    """Curves (n, channels, samples) → ``run``'s codes, through the study's own wavelets and standardisation.

    Lets another chapter ask what the study's features make of curves it
    produced (a counterfactual, a reconstruction) without knowing the features.
    """

    def codes(curves: np.ndarray) -> np.ndarray:
        coefficients = encode(np.asarray(curves, dtype=np.float64), "trial")
        return run.encode(study.features.standardizer.transform(coefficients).astype(np.float32))

    return codes


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
    """One row per (model, seed): every quantity the comparison and the claims ledger use.

    All measured on ``part``: the held-out test subjects by default, or
    ``"all"`` for every trial of every subject, as a study without a
    held-out split would measure them:
    reconstruction (mse, fve), sparsity (mean_activation_rate, l0_share: exactly
    non-zero entries), bimodal_share:
    share of features that reject unimodality by Hartigan's dip test,
    Benjamini–Hochberg q < 0.05, see code_measures.dip_test_pvalues), redundancy
    (max_pairwise_abs_r; pattern_similarity and whole_pattern_cosine, see
    :func:`_pattern_measures`), importance_evenness, trial-level max |r| and count of |r| > claims.SPEED_R_THRESHOLD
    per attribute (over the whole cohort, see below), latent-space neighbourhood agreement per attribute
    (neighbours from other subjects only), and the KMeans structure
    (pc1_cluster_share, pc2_cluster_share, max_cluster_ami).
    """
    if part == ALL_TRIALS:
        inputs, trials = study.all_inputs()
    else:
        inputs, trials = study.inputs(part), study.trials(part)
    subjects = trials["SUBJECT_ID"].to_numpy()
    # Attribute correlations use every trial, as the study did: the attributes
    # play no part in training, and the test subjects alone are too few for
    # the maximum of 100 correlations to be stable (Section 4.3).
    cohort_inputs, cohort_trials = study.all_inputs()
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            codes = run.encode(inputs)
            scores = training.evaluate(run, inputs)
            row: dict[str, float | int | str] = {
                "model": name,
                "seed": run.seed,
                "mse": scores["mse"],
                "fve": scores["fve"],
                "mean_activation_rate": code_measures.mean_activation_rate(codes),
                "l0_share": code_measures.l0_share(codes),
                "bimodal_share": code_measures.dip_bimodal_share(codes),
                "max_pairwise_abs_r": code_measures.max_abs_offdiagonal(code_measures.feature_correlation_matrix(codes)),
                **_pattern_measures(run, study),
                "importance_evenness": evenness_or_nan(codes),
                "best_epoch": run.best_epoch,
                "stopped_epoch": run.stopped_epoch,
            }
            correlations = attribute_correlation.attribute_correlations(
                run.encode(cohort_inputs), cohort_trials, attributes=ATTRIBUTES, level="trial"
            )
            for attribute in ATTRIBUTES:
                values = correlations.loc[correlations["attribute"] == attribute, "r"].abs()
                row[f"max_abs_r_{attribute}"] = float(values.max()) if values.notna().any() else float("nan")
                row[f"n_abs_r_above_{claims.SPEED_R_THRESHOLD}_{attribute}"] = int((values > claims.SPEED_R_THRESHOLD).sum())
                row[f"agreement_{attribute}"] = _agreement(codes, trials[attribute].to_numpy(dtype=float), subjects)
            row.update(_cluster_structure(codes, trials, study.settings))
            rows.append(row)
    return pd.DataFrame(rows)


# The variant analyses of the ledger's sensitivity column, as the page names them.
LITERAL_BETA = "β = 1"
DEFAULT_SPARSITY = "default λ₂"
ALL_TRIALS_LABEL = "all trials"


def sensitivity_metrics(
    study: Study, runs: dict[str, list[training.TrainedModel]], per_seed: pd.DataFrame, progress: bool = False
) -> dict[str, pd.DataFrame]:
    """:func:`seed_metrics` tables of the variant analyses, each differing from ``per_seed`` in one respect.

    * β = 1: the Sparse VAE trained with the study's literal β;
    * default λ₂: the calibrated models trained with the default L1 weight instead;
    * all trials: the main models measured on every trial, not only the held-out subjects.

    A variant that does not apply to this run (its model was not trained) is left out.
    """
    variants: dict[str, pd.DataFrame] = {}
    if "svae" in runs:
        literal = train_variant(study, "svae", progress, kl_weight=STUDY_KL_WEIGHT)
        variants[LITERAL_BETA] = _replace_models(per_seed, seed_metrics({"svae": literal}, study))
    calibrated = [name for name in calibrated_models(study.settings) if name in runs]
    if calibrated:
        default_runs = {name: train_variant(study, name, progress, l1_weight=DEFAULT_L1_WEIGHT) for name in calibrated}
        variants[DEFAULT_SPARSITY] = _replace_models(per_seed, seed_metrics(default_runs, study))
    variants[ALL_TRIALS_LABEL] = seed_metrics(runs, study, part=ALL_TRIALS)
    return variants


def _replace_models(per_seed: pd.DataFrame, replacement: pd.DataFrame) -> pd.DataFrame:
    """``per_seed`` with the rows of the models in ``replacement`` swapped for its rows, model order kept."""
    kept = per_seed[~per_seed["model"].isin(replacement["model"].unique())]
    order = {model: index for index, model in enumerate(per_seed["model"].unique())}
    combined = pd.concat([kept, replacement], ignore_index=True)
    return combined.sort_values(["model", "seed"], key=lambda column: column.map(order) if column.name == "model" else column, kind="stable").reset_index(drop=True)


def evenness_or_nan(codes: np.ndarray) -> float:
    """Importance evenness of a code matrix; NaN when no feature varies (nothing to share)."""
    try:
        return code_measures.importance_evenness(code_measures.variance_importance(codes))
    except ValueError:  # every feature constant: no variance to share
        return float("nan")


def _pattern_measures(run: training.TrainedModel, study: Study) -> dict[str, float]:
    """Claim C9: how alike the single-feature curves are, as deviations from the zero code and whole.

    pattern_similarity is the mean |cosine| between the deviations of all live
    features (what each feature adds); whole_pattern_cosine the mean cosine
    between their whole reconstructions, the curves the study looked at.
    """
    patterns, baseline = feature_patterns(run, study, np.arange(run.config.latent_dim))
    deviations = patterns - baseline
    live = np.linalg.norm(deviations.reshape(len(deviations), -1), axis=1) > 0
    if live.sum() < 2:
        return {"pattern_similarity": float("nan"), "whole_pattern_cosine": float("nan")}
    return {
        "pattern_similarity": code_measures.mean_offdiagonal(np.abs(code_measures.pattern_similarity(deviations[live]))),
        "whole_pattern_cosine": code_measures.mean_offdiagonal(code_measures.pattern_similarity(patterns[live])),
    }


def _agreement(codes: np.ndarray, values: np.ndarray, subjects: np.ndarray) -> float:
    """Latent-space gradient strength of an attribute; NaN when it cannot be measured."""
    present = np.isfinite(values)
    if present.sum() < 4 or np.unique(subjects[present]).size < 2 or np.ptp(values[present]) == 0:
        return float("nan")
    k = int(min(10, max(1, present.sum() // 4)))
    return latent_structure.neighbourhood_agreement(codes, values, k=k, groups=subjects)


def _cluster_structure(codes: np.ndarray, trials: pd.DataFrame, settings: config.Settings) -> dict[str, float]:
    """How the KMeans clusters lie along the principal components (claim C5)."""
    empty = {"pc1_cluster_share": float("nan"), "pc2_cluster_share": float("nan"), "max_cluster_ami": float("nan")}
    try:
        result = latent_structure.cluster_codes(codes, k=settings.n_clusters, seed=settings.split_seed)
    except ValueError:  # fewer distinct codes than clusters (e.g. a collapsed model)
        return empty
    association = latent_structure.cluster_attribute_association(result, trials)
    return {
        "pc1_cluster_share": float(result.between_cluster_share[0]),
        "pc2_cluster_share": float(result.between_cluster_share[1]),
        "max_cluster_ami": float(association["ami"].max()),
    }
