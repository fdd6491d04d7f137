"""How well a code lines up with known generative factors: DCI and MIG.

Only a simulation knows its factors, so these scores are for the synthetic
cohort, where the generator wrote every trial's speed, age, body mass,
height, sex and style draws.

* **DCI** (Eastwood & Williams 2018). A lasso per factor predicts the
  standardised factor from the standardised code; |coefficients| form an
  importance matrix R (features × factors). *Disentanglement* is 1 minus the
  entropy (base = number of factors) of each feature's importance spread
  over factors, averaged with weights by the feature's total importance;
  *completeness* is 1 minus the entropy (base = number of features) of each
  factor's importance spread over features, averaged over factors;
  *informativeness* is the R² of the same lasso on held-out rows.
* **MIG** (Chen et al. 2018). Codes and continuous factors are put into
  equal-count bins; for each factor, the gap between the two largest mutual
  informations with single features, divided by the factor's entropy, then
  averaged over factors.

Both are 1 for a code that gives every factor its own feature and near 0
for a code that mixes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.linear_model import Lasso, LassoCV
from sklearn.metrics import mutual_info_score

DEFAULT_BINS = 20
LASSO_ALPHAS = 20  # alphas tried by the cross-validated lasso
LASSO_FOLDS = 3


@dataclass(frozen=True)
class DCI:
    """Importance matrix and the three DCI scores (with each factor's completeness and R²)."""

    importance: np.ndarray  # (features, factors)
    disentanglement: float
    completeness: float
    informativeness: float
    per_factor: pd.DataFrame  # factor, completeness, r2


def _matrix(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] < 2 or array.shape[1] == 0:
        raise ValueError(f"{name} must be a 2-D array with at least two rows, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has non-finite values")
    return array


def _standardise(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    scale = reference.std(axis=0)
    return np.divide(values - reference.mean(axis=0), scale, out=np.zeros_like(values), where=scale > 0)


def _entropy(shares: np.ndarray, base: int, axis: int) -> np.ndarray:
    """Entropy (log base ``base``) of shares along ``axis``; 0·log 0 = 0."""
    logs = np.log(np.where(shares > 0, shares, 1.0))
    return -(shares * logs).sum(axis=axis) / np.log(base)


def scores_from_importance(importance: ArrayLike) -> tuple[float, float, np.ndarray]:
    """(disentanglement, completeness, completeness per factor) of an importance matrix (features × factors)."""
    matrix = np.abs(_matrix(importance, "importance"))
    n_features, n_factors = matrix.shape
    if n_factors < 2 or n_features < 2:
        raise ValueError(f"DCI needs at least two features and two factors, got {matrix.shape}")
    total = matrix.sum()
    if total == 0:
        raise ValueError("the importance matrix is all zero: no feature predicts any factor")
    feature_total = matrix.sum(axis=1)
    over_factors = np.divide(matrix, feature_total[:, None], out=np.zeros_like(matrix), where=feature_total[:, None] > 0)
    disentanglement_per_feature = 1.0 - _entropy(over_factors, n_factors, axis=1)
    disentanglement = float(np.sum(disentanglement_per_feature * feature_total / total))
    factor_total = matrix.sum(axis=0)
    over_features = np.divide(matrix, factor_total[None, :], out=np.zeros_like(matrix), where=factor_total[None, :] > 0)
    completeness_per_factor = np.where(factor_total > 0, 1.0 - _entropy(over_features, n_features, axis=0), 0.0)
    return disentanglement, float(completeness_per_factor.mean()), completeness_per_factor


def dci(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
    factor_names: Sequence[str] | None = None,
    alpha: float | None = None,
    seed: int = 0,
) -> DCI:
    """DCI of a code: importances from a lasso fitted on the training rows, R² on the test rows.

    ``alpha`` fixes the lasso penalty (standardised units); ``None`` chooses it
    per factor by cross-validation on the training rows.
    """
    x_train, y_train = _matrix(codes_train, "codes_train"), _matrix(factors_train, "factors_train")
    x_test, y_test = _matrix(codes_test, "codes_test"), _matrix(factors_test, "factors_test")
    if x_train.shape[0] != y_train.shape[0] or x_test.shape[0] != y_test.shape[0]:
        raise ValueError("codes and factors need the same number of rows")
    if x_train.shape[1] != x_test.shape[1] or y_train.shape[1] != y_test.shape[1]:
        raise ValueError("training and test rows need the same features and factors")
    names = [f"factor {index}" for index in range(y_train.shape[1])] if factor_names is None else list(factor_names)
    if len(names) != y_train.shape[1]:
        raise ValueError(f"factor_names has {len(names)} names for {y_train.shape[1]} factors")
    if alpha is not None and not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    xs_train, xs_test = _standardise(x_train, x_train), _standardise(x_test, x_train)
    ys_train, ys_test = _standardise(y_train, y_train), _standardise(y_test, y_train)
    importance = np.zeros((x_train.shape[1], y_train.shape[1]))
    r2 = np.full(y_train.shape[1], np.nan)
    for column in range(y_train.shape[1]):
        if ys_train[:, column].std() == 0:
            continue
        if alpha is None:
            model = LassoCV(alphas=LASSO_ALPHAS, cv=LASSO_FOLDS, random_state=seed, max_iter=5000)
        else:
            model = Lasso(alpha=alpha, max_iter=5000)
        model.fit(xs_train, ys_train[:, column])
        importance[:, column] = np.abs(model.coef_)
        residual = ys_test[:, column] - model.predict(xs_test)
        total = np.sum((ys_test[:, column] - ys_test[:, column].mean()) ** 2)
        r2[column] = 1.0 - np.sum(residual**2) / total if total > 0 else np.nan
    disentanglement, completeness, per_factor = scores_from_importance(importance)
    table = pd.DataFrame({"factor": names, "completeness": per_factor, "r2": r2})
    return DCI(importance, disentanglement, completeness, float(np.nanmean(r2)), table)


def discretise(values: ArrayLike, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    """Each column as integer bin labels: as is when it has at most ``n_bins`` distinct values, else equal-count bins."""
    array = _matrix(values, "values")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer ≥ 2, got {n_bins!r}")
    labels = np.empty(array.shape, dtype=np.int64)
    for column in range(array.shape[1]):
        values_j = array[:, column]
        distinct = np.unique(values_j)
        if distinct.size <= n_bins:
            labels[:, column] = np.searchsorted(distinct, values_j)
        else:
            edges = np.unique(np.quantile(values_j, np.linspace(0, 1, n_bins + 1)[1:-1]))
            labels[:, column] = np.searchsorted(edges, values_j, side="right")
    return labels


def mig(codes: ArrayLike, factors: ArrayLike, n_bins: int = DEFAULT_BINS) -> tuple[float, np.ndarray]:
    """Mutual information gap: (mean over factors, per factor); a constant factor is skipped (NaN)."""
    code_bins = discretise(codes, n_bins)
    factor_bins = discretise(factors, n_bins)
    if code_bins.shape[0] != factor_bins.shape[0]:
        raise ValueError("codes and factors need the same number of rows")
    if code_bins.shape[1] < 2:
        raise ValueError("MIG needs at least two features")
    gaps = np.full(factor_bins.shape[1], np.nan)
    for column in range(factor_bins.shape[1]):
        factor = factor_bins[:, column]
        _, counts = np.unique(factor, return_counts=True)
        shares = counts / counts.sum()
        entropy = float(-(shares * np.log(shares)).sum())
        if entropy == 0:
            continue
        information = np.sort([mutual_info_score(factor, code_bins[:, feature]) for feature in range(code_bins.shape[1])])
        gaps[column] = (information[-1] - information[-2]) / entropy
    return float(np.nanmean(gaps)), gaps
