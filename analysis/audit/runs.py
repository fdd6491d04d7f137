"""Training every configuration of the audit and measuring it the same way.

Configurations that train on the same rows and build models of one
architecture are trained together in one stacked pass
(:func:`analysis.engine.training.train_together`); every (configuration,
model, seed) is cached under its own key, so a cached model is never reused
for another switch, and the configuration without switches reads the
pipeline's own models. The measurement switch (7) trains nothing: it
re-measures the models of the same configuration without it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from analysis import config as book_config
from analysis.audit import switches
from analysis.audit.switches import AuditInputs, Configuration
from analysis.audit.tables import column_label
from analysis.data import Cohort
from analysis.engine import training
from analysis.engine.training import json_key
from analysis.evaluation import attribute_correlation, code_measures

ATTRIBUTES = attribute_correlation.ATTRIBUTES
# Each single-feature pattern is decoded at this percentile of |code| on the training rows (as the study chapters do).
PATTERN_PERCENTILE = 95


@dataclass
class AuditRuns:
    """Trained models per training configuration and model, the inputs they saw, and the training time."""

    settings: book_config.Settings
    audit: book_config.AuditSettings
    cohort: Cohort
    configurations: list[Configuration]
    inputs: dict[str, AuditInputs]  # by training-part name
    runs: dict[tuple[str, str], list[training.TrainedModel]]  # (training-part name, model)
    seconds: float = 0.0
    trained_rows: int = 0  # (configuration, seed) rows trained in this call (0: all from the cache)
    groups: list[dict[str, object]] = field(default_factory=list)


def study_settings(audit: book_config.AuditSettings, **overrides: object) -> book_config.Settings:
    """The pipeline's settings of the same profile, sized by the audit's settings.

    The sparsity calibration is off: every configuration uses the models'
    default loss weights, so a switch that sets weights is compared with the
    weights it replaces. ``overrides`` (e.g. ``device``) pass to :func:`analysis.config.resolve`.
    """
    return book_config.resolve(
        audit.profile, seeds=audit.seeds, epochs=audit.epochs, latent_dim=audit.latent_dim,
        max_subjects=audit.max_subjects, calibrate_sparsity=False, **overrides,
    )  # fmt: skip


def train_all(
    cohort: Cohort,
    settings: book_config.Settings,
    audit: book_config.AuditSettings,
    progress: bool = False,
    cache_dir: Path | None | object = training.DEFAULT_CACHE,
) -> AuditRuns:
    """Every configuration of ``audit.switches`` (none, each alone, all) × model × seed: trained or read from the cache.

    ``cache_dir`` as in :func:`analysis.engine.training.train` (``None``: train everything afresh, cache nothing).
    """
    configurations = switches.configurations(audit.switches)
    training_parts: dict[str, Configuration] = {}
    for configuration in configurations:
        part = configuration.training_part()
        training_parts.setdefault(part.name, part)
    inputs = {name: switches.build_inputs(cohort, part, settings.split_seed) for name, part in training_parts.items()}

    # Jobs with the same rows, training settings and architecture train together.
    groups: dict[str, list[tuple[str, str, object, training.TrainConfig]]] = {}
    for name, part in training_parts.items():
        data = inputs[name]
        for model in settings.models:
            model_config = switches.model_config(settings, part, model, data.input_dim)
            train_config = switches.train_config(settings, part, audit.seeds, audit.epochs, model_config)
            structure = model_config.build((0,)).structure()
            key = f"{data.identity}|{train_config}|{sorted(structure.items())}"
            groups.setdefault(key, []).append((name, model, model_config, train_config))
    runs: dict[tuple[str, str], list[training.TrainedModel]] = {}
    started = time.perf_counter()
    trained_rows = 0
    group_records = []
    for jobs in groups.values():
        distinct: dict[str, object] = {}
        for _, _, model_config, _ in jobs:
            distinct.setdefault(json_key(model_config), model_config)
        configs = list(distinct.values())
        name, train_config = jobs[0][0], jobs[0][3]
        data = inputs[name]
        results = training.train_together(
            configs, train_config, data.train, data.validation, data.identity, cache_dir=cache_dir, progress=progress  # type: ignore[arg-type]
        )
        by_key = dict(zip(distinct, results, strict=True))
        fresh = sum(not run.from_cache for seed_runs in results for run in seed_runs)
        trained_rows += fresh
        group_records.append({"configurations": len(configs), "rows": len(configs) * len(audit.seeds), "trained": fresh, "input_dim": data.input_dim})
        for job_name, model, model_config, _ in jobs:
            runs[job_name, model] = by_key[json_key(model_config)]
    seconds = time.perf_counter() - started
    return AuditRuns(settings, audit, cohort, configurations, inputs, runs, seconds, trained_rows, group_records)


# --------------------------------------------------------------------------- measures


def _pattern_measures(run: training.TrainedModel, data: AuditInputs, coefficient_figure: bool) -> dict[str, float]:
    """C9: mean cosine of whole single-feature patterns and mean |cosine| of their deviations from the zero code.

    Patterns are time-domain curves through the exact inverse transform, or,
    under switch 7, the decoded coefficient vectors themselves (what the code drew).
    """
    latent_dim = run.config.latent_dim
    magnitude = np.percentile(np.abs(run.encode(data.train)), PATTERN_PERCENTILE, axis=0)
    one_hot = np.zeros((latent_dim + 1, latent_dim), dtype=np.float32)
    one_hot[np.arange(latent_dim), np.arange(latent_dim)] = magnitude  # last row: the zero code
    decoded = run.decode(one_hot)
    if coefficient_figure:
        patterns = switches.code_figure_reconstruction(data.raw(decoded))
    else:
        patterns = switches.to_curves(data, decoded)
    patterns, baseline = patterns[:-1], patterns[-1]
    deviations = patterns - baseline
    live = np.linalg.norm(deviations.reshape(latent_dim, -1), axis=1) > 1e-9 * max(1.0, float(np.abs(patterns).max()))
    if live.sum() < 2 or not np.isfinite(patterns).all():
        return {"whole_pattern_cosine": math.nan, "pattern_similarity": math.nan}
    return {
        "whole_pattern_cosine": code_measures.mean_offdiagonal(code_measures.pattern_similarity(patterns[live])),
        "pattern_similarity": code_measures.mean_offdiagonal(np.abs(code_measures.pattern_similarity(deviations[live]))),
    }


def _loss_record(run: training.TrainedModel) -> dict[str, float]:
    """Share of training epochs whose total loss was NaN (or infinite), and whether the kept weights are finite."""
    history = run.history
    totals = history[(history["part"] == "train") & (history["term"] == "total")]["value"].to_numpy(dtype=float)
    finite_weights = all(bool(torch.isfinite(parameter).all()) for parameter in run.model.parameters())
    return {
        "nan_loss_share": float(np.mean(~np.isfinite(totals))) if totals.size else math.nan,
        "finite_weights": float(finite_weights),
    }


def _run_row(run: training.TrainedModel, data: AuditInputs, trials: pd.DataFrame, coefficient_figure: bool) -> dict[str, float]:
    row: dict[str, float] = {"seed": run.seed, "best_epoch": run.best_epoch, "stopped_epoch": run.stopped_epoch}
    row.update(_loss_record(run))
    if not row["finite_weights"]:
        return row
    evaluation = data.evaluation
    reconstruction = run.reconstruct(evaluation)
    scores = training.evaluate(run, evaluation)
    row["mse"] = scores["mse"]
    row["fve"] = scores["fve"]
    row["mse_raw"] = float(np.mean((data.raw(evaluation) - data.raw(reconstruction)) ** 2))
    codes = run.encode(evaluation)
    row["mean_activation_rate"] = code_measures.mean_activation_rate(codes)
    row["l0_share"] = code_measures.l0_share(codes)
    row["max_pairwise_abs_r"] = code_measures.max_abs_offdiagonal(code_measures.feature_correlation_matrix(codes))
    correlations = attribute_correlation.attribute_correlations(
        run.encode(data.everything), trials.iloc[data.everything_trials].reset_index(drop=True), attributes=ATTRIBUTES, level="trial"
    )
    for attribute in ATTRIBUTES:
        values = correlations.loc[correlations["attribute"] == attribute, "r"].abs()
        row[f"max_abs_r_{attribute}"] = float(values.max()) if values.notna().any() else math.nan
    row.update(_pattern_measures(run, data, coefficient_figure))
    return row


def metrics(audit_runs: AuditRuns) -> pd.DataFrame:
    """One row per (configuration, model, seed) with every measure of the audit.

    MSE and FVE on the evaluation rows (the held-out test subjects, or every
    training row without a split), ``mse_raw`` the same error in coefficient
    units (the scale of the code's unscaled rows), activation rate and L0 of
    the codes, the largest pairwise |r| between features, the largest |r| of a
    feature with each attribute over every trial, the C9 pattern measures,
    and the training record (share of NaN losses, finite weights, epochs).
    ``same_as_sae_disentangled`` says whether the plain SAE is the
    SAE + disentanglement under another name (same class, same loss weights).
    """
    trials = audit_runs.cohort.trials.reset_index(drop=True)
    rows = []
    cache: dict[tuple[str, str, int, bool], dict[str, float]] = {}
    for configuration in audit_runs.configurations:
        part = configuration.training_part().name
        data = audit_runs.inputs[part]
        figure = configuration.on("coefficient_figure")
        for model in audit_runs.settings.models:
            for position, run in enumerate(audit_runs.runs[part, model]):
                key = (part, model, run.seed, figure)
                if key not in cache:
                    cache[key] = _run_row(run, data, trials, figure)
                row = {"configuration": configuration.name, "model": model, **cache[key]}
                if model == "sae" and (part, "sae_disentangled") in audit_runs.runs:
                    row["same_as_sae_disentangled"] = float(_same_model(run, audit_runs.runs[part, "sae_disentangled"][position]))
                rows.append(row)
    return pd.DataFrame(rows)


def _same_model(first: training.TrainedModel, second: training.TrainedModel) -> bool:
    """Whether two runs are one model under two names: same class, same configuration apart from the name."""
    ours, theirs = first.config.as_dict(), second.config.as_dict()
    ours.pop("name"), theirs.pop("name")
    return type(first.model) is type(second.model) and ours == theirs


def input_widths(audit_runs: AuditRuns) -> pd.DataFrame:
    """Per training configuration: samples per trial, values per curve, coefficients per sample, rows."""
    rows = []
    for name, data in audit_runs.inputs.items():
        values = 101 + (len(switches.ID_COLUMNS) if data.id_columns else 0)
        rows.append(
            {
                "configuration": column_label(name),
                "sample": "one curve" if data.per_curve else "one trial (10 curves)",
                "values per curve": values,
                "coefficients per sample": data.input_dim,
                "training rows": int(data.train.shape[0]),
                "evaluation rows": int(data.evaluation.shape[0]),
            }
        )
    return pd.DataFrame(rows)


def training_speed(audit_runs: AuditRuns) -> dict[str, float]:
    """Seconds spent training (or loading) and (configuration, model) pairs per second."""
    pairs = len(audit_runs.runs)
    return {"seconds": audit_runs.seconds, "pairs": pairs, "pairs_per_second": pairs / audit_runs.seconds if audit_runs.seconds > 0 else math.inf}


def sequence_label(values: Sequence[float], digits: int = 2) -> str:
    return " · ".join("n/a" if not np.isfinite(value) else f"{value:.{digits}f}" for value in values)
