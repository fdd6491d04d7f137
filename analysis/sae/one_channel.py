"""The study's three models on single vertical-force curves, with folds that leave subjects out.

With ten real subjects a fixed train/validation/test split would leave two
people to test on once; instead the subjects are dealt into five folds, each
fold's subjects are tested by models that stopped early on the next fold's
subjects and trained on the rest, so every subject is tested exactly once
(with ten subjects: leave two out). A sample is one curve
(the study's original unit): its 135 db5 level-4 wavelet coefficients,
standardised with the training subjects' statistics. The same function runs
on the real curves and on an equally sized draw of the synthetic cohort's
vertical channel, so the claims that one channel can test (C3, C6 restricted
to speed, C8, C10, C11) are judged both ways in one run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.engine import training
from analysis.evaluation import attribute_correlation, code_measures
from analysis.features import wavelets
from analysis.features.model_inputs import Standardizer
from analysis.sae import calibration, claims
from analysis.sae.models import ModelConfig
from analysis.sae.study import evenness_or_nan, train_config

SPEED = "WALKING_SPEED"
N_FOLDS = 5


def subject_folds(subjects: np.ndarray, n_folds: int = 5, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Row positions of train / validation / test for each fold; every subject is tested once.

    Subjects are shuffled by ``seed`` and dealt into ``n_folds`` groups of
    (nearly) equal size; fold k tests group k and validates on group k + 1
    (cyclically), so at least three groups are needed.
    """
    subjects = np.asarray(subjects)
    labels = np.unique(subjects)
    if n_folds < 3 or len(labels) < n_folds:
        raise ValueError(f"subject folds need at least 3 folds and one subject per fold: {n_folds} folds for {len(labels)} subjects")
    order = np.random.default_rng(seed).permutation(labels)
    groups = np.array_split(order, n_folds)
    folds = []
    for index, test in enumerate(groups):
        validation = groups[(index + 1) % len(groups)]
        folds.append(
            {
                "train": np.flatnonzero(~np.isin(subjects, np.concatenate([test, validation]))),
                "validation": np.flatnonzero(np.isin(subjects, validation)),
                "test": np.flatnonzero(np.isin(subjects, test)),
            }
        )
    return folds


def _fold_inputs(coefficients: np.ndarray, fold: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    scaler = Standardizer().fit(coefficients[fold["train"]])
    return {name: scaler.transform(coefficients[positions]).astype(np.float32) for name, positions in fold.items()}


def calibrate(curves: np.ndarray, subjects: np.ndarray, settings: Settings, identity: str) -> dict[str, calibration.Calibration]:
    """The sparsity calibration of :mod:`analysis.sae.calibration` for single curves, on the first fold.

    The rule is the main comparison's; the grid is
    :attr:`~analysis.config.Settings.curve_sparsity_grid`, since a code of
    100 units for 135 coefficients needs other weights than one for 1,350.
    """
    coefficients = wavelets.encode(np.asarray(curves, dtype=np.float64), unit="channel")
    fold = subject_folds(np.asarray(subjects), N_FOLDS, seed=settings.split_seed)[0]
    part = _fold_inputs(coefficients, fold)
    results = {}
    for name in settings.models:
        if name not in calibration.CALIBRATED_MODELS:
            continue
        base = ModelConfig(name=name, input_dim=coefficients.shape[1], latent_dim=settings.latent_dim)
        results[name] = calibration.calibrate(
            base, train_config(settings, seeds=settings.calibration_seeds), part["train"], part["validation"],
            f"{identity}-fold0", settings.curve_sparsity_grid,
        )  # fmt: skip
    return results


def fold_metrics(
    curves: np.ndarray,
    speeds: np.ndarray,
    subjects: np.ndarray,
    settings: Settings,
    weights: dict[str, dict[str, float]],
    identity: str,
) -> pd.DataFrame:
    """One row per (model, fold, seed): the measures behind C3, C6 (speed), C8, C10 and C11 on the test subjects.

    ``curves`` are ``(n, 101)`` vertical forces in any unit (each curve is
    standardised coefficient by coefficient, so units cancel); ``weights``
    gives each model's loss weights (e.g. from :func:`calibrate`);
    ``identity`` names the data for the model cache.
    """
    speeds = np.asarray(speeds, dtype=np.float64)
    subjects = np.asarray(subjects)
    coefficients = wavelets.encode(np.asarray(curves, dtype=np.float64), unit="channel")
    rows = []
    for fold_index, fold in enumerate(subject_folds(subjects, N_FOLDS, seed=settings.split_seed)):
        part = _fold_inputs(coefficients, fold)
        for name in settings.models:
            config = ModelConfig(name=name, input_dim=coefficients.shape[1], latent_dim=settings.latent_dim)
            config = replace(config, **weights.get(name, {}))
            runs = training.train(
                config, train_config(settings), part["train"], part["validation"],
                data_identity=f"{identity}-fold{fold_index}", progress=False,
            )  # fmt: skip
            for run in runs:
                codes = run.encode(part["test"])
                correlations = attribute_correlation.attribute_correlations(
                    codes, pd.DataFrame({SPEED: speeds[fold["test"]], "SUBJECT_ID": subjects[fold["test"]]}),
                    attributes=(SPEED,), level="trial",
                )  # fmt: skip
                speed_r = correlations["r"].abs()
                rows.append(
                    {
                        "model": name,
                        "fold": fold_index,
                        "seed": run.seed,
                        "fve": training.evaluate(run, part["test"])["fve"],
                        "mean_activation_rate": code_measures.mean_activation_rate(codes),
                        "l0_share": code_measures.l0_share(codes),
                        "bimodal_share": code_measures.dip_bimodal_share(codes),
                        "importance_evenness": evenness_or_nan(codes),
                        "max_pairwise_abs_r": code_measures.max_abs_offdiagonal(code_measures.feature_correlation_matrix(codes)),
                        "max_abs_r_WALKING_SPEED": float(speed_r.max()) if speed_r.notna().any() else float("nan"),
                        f"n_abs_r_above_{claims.SPEED_R_THRESHOLD}_WALKING_SPEED": int((speed_r > claims.SPEED_R_THRESHOLD).sum()),
                    }
                )
    return pd.DataFrame(rows)


def claim_rows(metrics: pd.DataFrame) -> dict[str, str]:
    """Verdicts of the one-channel claims on a :func:`fold_metrics` table (folds and seeds pooled per model)."""
    return {
        "C3": claims.c3_verdict(metrics),
        "C6 (speed only)": claims.c6_speed_verdict(metrics),
        "C8": claims.checks_verdict(claims.c8_checks(metrics)),
        "C10": claims.checks_verdict(claims.c10_checks(metrics)),
        "C11": claims.c11_verdict(metrics),
    }


def claim_table(by_source: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per one-channel claim, a value and a verdict column per data source."""
    rows = []
    for claim in ("C3", "C6 (speed only)", "C8", "C10", "C11"):
        row: dict[str, str] = {"claim": claim}
        for label, metrics in by_source.items():
            row[f"{label}: measured"] = _measured(claim, metrics)
            row[f"{label}: verdict"] = claim_rows(metrics)[claim]
        rows.append(row)
    return pd.DataFrame(rows)


MEASURED_COLUMNS = {
    "C3": "bimodal_share",
    "C6 (speed only)": "max_abs_r_WALKING_SPEED",
    "C8": "importance_evenness",
    "C10": "max_pairwise_abs_r",
    "C11": "mean_activation_rate",
}


def _measured(claim: str, metrics: pd.DataFrame) -> str:
    column = MEASURED_COLUMNS[claim]
    means = metrics.groupby("model", sort=False)[column].mean()
    return "; ".join(f"{claims.MODEL_LABELS.get(model, model)} {value:.2f}" for model, value in means.items())


def model_summary(by_source: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per source and model: test FVE, activation rate and L0 as mean [range] over folds and seeds."""
    rows = []
    for label, metrics in by_source.items():
        for model, group in metrics.groupby("model", sort=False):
            row = {"source": label, "model": claims.MODEL_LABELS.get(model, model)}
            for column, name in (("fve", "test FVE"), ("mean_activation_rate", "activation rate"), ("l0_share", "L0")):
                values = group[column].astype(float)
                row[name] = f"{values.mean():.3f} [{values.min():.3f}, {values.max():.3f}]"
            rows.append(row)
    return pd.DataFrame(rows)


def calibration_table(calibrations: dict[str, dict[str, calibration.Calibration]]) -> pd.DataFrame:
    """Per source and model: the chosen L1 weight, the rule's outcome and the validation rate at that weight."""
    rows = []
    for label, results in calibrations.items():
        for model, result in results.items():
            summary = result.summary()
            chosen = summary[(summary["family"] == calibration.CALIBRATED_WEIGHT) & np.isclose(summary["weight"], result.chosen)].iloc[0]
            rows.append(
                {
                    "source": label,
                    "model": claims.MODEL_LABELS.get(model, model),
                    "λ₂": f"{result.chosen:g}",
                    "outcome": result.outcome,
                    "validation activation rate": f"{chosen['activation_rate']:.3f}",
                    "validation FVE": f"{chosen['fve']:.3f}",
                }
            )
    return pd.DataFrame(rows)
