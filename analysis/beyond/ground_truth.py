"""The synthetic cohort's known factors: DCI and MIG of each code, and a lesson in confounding.

The generator gives every landmark a direct sex effect of zero; sex reaches
the curves only through body mass and height (men are heavier and taller).
A feature that "differs by sex" is therefore a body-size feature, which the
lesson shows by testing each feature's sex difference before and after
adjusting for mass and height.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis.beyond.codes import Code
from analysis.beyond.fidelity import interval
from analysis.evaluation import disentanglement
from analysis.features.model_inputs import FeatureSet

KEYS = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID")
# Generative factors scored by DCI and MIG (those present and varying are used).
FACTORS: dict[str, str] = {
    "speed": "walking speed",
    "age": "age",
    "body_mass": "body mass",
    "height": "height",
    "sex": "sex",
    "style_vertical_excursion": "style: vertical excursion",
    "style_roll_over": "style: roll-over",
    "style_loading_rate": "style: loading rate",
    "pivot_height": "pivot height",
}
ALPHA = 0.05


def factors_for(features: FeatureSet, ground_truth: pd.DataFrame, part: str) -> pd.DataFrame:
    """The generator's factors of the rows of ``part``, in row order (columns of :data:`FACTORS` that vary)."""
    trials = features.trials.iloc[features.rows(part)][list(KEYS)].reset_index(drop=True)
    columns = [name for name in FACTORS if name in ground_truth.columns]
    merged = trials.merge(ground_truth[[*KEYS, *columns]], on=list(KEYS), how="left", validate="many_to_one")
    if merged[columns].isna().any().any():
        raise ValueError(f"the ground truth lacks factors for some {part} trials")
    varying = [name for name in columns if merged[name].nunique() > 1]
    return merged[varying]


def read(directory: Path) -> pd.DataFrame | None:
    """The ground-truth table of a synthetic cohort, or None for real data."""
    from analysis.data.synthetic import read_ground_truth

    try:
        return read_ground_truth(directory)
    except FileNotFoundError:
        return None


def disentanglement_table(
    methods: dict[str, Code], features: FeatureSet, ground_truth: pd.DataFrame, alpha: float, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DCI (lasso importances from the training rows, R² on the test rows) and MIG (test rows) per method.

    A control row per method gives the same code after a random rotation,
    which mixes its features and must lower D, C and MIG while keeping R².
    """
    train_factors, test_factors = factors_for(features, ground_truth, "train"), factors_for(features, ground_truth, "test")
    names = [FACTORS[name] for name in train_factors.columns]
    rows, per_factor = [], []
    rng = np.random.default_rng(seed)
    for method, code in methods.items():
        train_codes, test_codes = code.encode(features.train), code.encode(features.test)
        rotation = np.linalg.qr(rng.normal(size=(train_codes.shape[1], train_codes.shape[1])))[0]
        for variant, (a, b) in (("as learned", (train_codes, test_codes)), ("randomly rotated (control)", (train_codes @ rotation, test_codes @ rotation))):
            result = disentanglement.dci(a, train_factors.to_numpy(), b, test_factors.to_numpy(), names, alpha=alpha, seed=seed)
            gap, _ = disentanglement.mig(b, test_factors.to_numpy())
            rows.append(
                {
                    "method": method,
                    "label": code.label,
                    "variant": variant,
                    "disentanglement": result.disentanglement,
                    "completeness": result.completeness,
                    "informativeness": result.informativeness,
                    "mig": gap,
                }
            )
            if variant == "as learned":
                per_factor.append(result.per_factor.assign(label=code.label))
    return pd.DataFrame(rows), pd.concat(per_factor, ignore_index=True)


def _subject_means(codes: np.ndarray, trials: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    frame = pd.DataFrame(codes)
    frame["SUBJECT_ID"] = trials["SUBJECT_ID"].to_numpy()
    means = frame.groupby("SUBJECT_ID", sort=True).mean()
    covariates = trials.groupby("SUBJECT_ID", sort=True)[["SEX", "BODY_MASS", "HEIGHT"]].mean()
    return means.to_numpy(), covariates


def _sex_t(features: np.ndarray, design: np.ndarray) -> np.ndarray:
    """t statistic of the design's second column (sex) for every feature column by least squares."""
    beta, _, rank, _ = np.linalg.lstsq(design, features, rcond=None)
    residual = features - design @ beta
    dof = design.shape[0] - rank
    sigma2 = (residual**2).sum(axis=0) / max(dof, 1)
    inverse = np.linalg.pinv(design.T @ design)
    se = np.sqrt(sigma2 * inverse[1, 1])
    return np.divide(beta[1], se, out=np.zeros_like(se), where=se > 0)


def _significant_share(t: np.ndarray, dof: int) -> float:
    """Share of features whose sex effect survives Benjamini–Hochberg at :data:`ALPHA`."""
    p = 2 * stats.t.sf(np.abs(t), dof)
    order = np.sort(p)
    passed = order <= ALPHA * np.arange(1, p.size + 1) / p.size
    return float((np.max(np.flatnonzero(passed)) + 1) / p.size) if passed.any() else 0.0


def confounding_table(code: Code, x: np.ndarray, trials: pd.DataFrame, n_bootstrap: int, seed: int = 0) -> pd.DataFrame:
    """Share of a code's features that differ by sex (subject means, BH q < 0.05) before and after adjusting for body mass and height.

    Each share comes with a subject-bootstrap interval.
    """
    means, covariates = _subject_means(code.encode(x), trials)
    usable = covariates.notna().all(axis=1).to_numpy()
    means, covariates = means[usable], covariates[usable]
    live = means.std(axis=0) > 0
    means = means[:, live]
    ones = np.ones(len(covariates))
    designs = {
        "sex only": np.column_stack([ones, covariates["SEX"]]),
        "sex + body mass + height": np.column_stack([ones, covariates["SEX"], covariates["BODY_MASS"], covariates["HEIGHT"]]),
    }
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(covariates), size=(n_bootstrap, len(covariates)))
    rows = []
    for model, design in designs.items():
        share = _significant_share(_sex_t(means, design), design.shape[0] - design.shape[1])
        boot = [_significant_share(_sex_t(means[draw], design[draw]), design.shape[0] - design.shape[1]) for draw in draws]
        low, high = interval(np.asarray(boot))
        rows.append({"label": code.label, "model": model, "share": share, "low": low, "high": high, "features": int(live.sum()), "subjects": int(len(covariates))})
    return pd.DataFrame(rows)
