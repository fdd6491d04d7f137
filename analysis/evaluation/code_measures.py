"""Measures of one code matrix: activity, bimodality, importance, redundancy.

Nothing here knows which model produced the codes (``(n_inputs, n_features)``,
one row per trial), so every model is measured the same way.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.evaluation.arrays import as_codes

# A feature counts as active on an input when |code| exceeds this fraction of
# the model's code scale (see ``activity_scale``).
ACTIVE_THRESHOLD = 0.1
# Percentile of the non-zero |codes| that defines a model's code scale.
SCALE_PERCENTILE = 99.0
# Sarle's bimodality coefficient of a uniform distribution; larger values
# suggest bimodality (or a point mass next to a tail, see below).
BIMODALITY_THRESHOLD = 5 / 9
# Hartigan's dip test: the family-wise rule and the fewest values it is run on.
DIP_ALPHA = 0.05
DIP_MIN_VALUES = 20

# ---------------------------------------------------------------------------
# Activity and sparsity
# ---------------------------------------------------------------------------


def activity_scale(codes: np.ndarray) -> float:
    """The model's typical code magnitude: a high percentile of the non-zero |codes|.

    Pooled over all features and inputs so one scale serves the whole model;
    zeros are left out so that a very sparse ReLU code (fewer than 1 % of
    entries non-zero) still gets the scale of its active values, not 0.
    Returns 0.0 when every code is zero.
    """
    magnitudes = np.abs(as_codes(codes))
    nonzero = magnitudes[magnitudes > 0]
    if nonzero.size == 0:
        return 0.0
    return float(np.percentile(nonzero, SCALE_PERCENTILE))


def activity_threshold(codes: np.ndarray, threshold: float = ACTIVE_THRESHOLD) -> float:
    """The |code| above which a feature counts as active, in the codes' own units."""
    return threshold * activity_scale(codes)


def is_active(codes: np.ndarray, threshold: float = ACTIVE_THRESHOLD, scale: float | None = None) -> np.ndarray:
    """Boolean ``(n_inputs, n_features)``: is each feature active on each input?

    The one definition of "active" used throughout: |code| > ``threshold`` ×
    the model's code scale (``activity_scale``, or ``scale`` when given, e.g.
    a scale measured on the training set). Why not a fixed rule:

    * an absolute threshold (say 0.1) means different things for models whose
      codes live on different scales, and changes if a model is rescaled;
    * "code > 0" suits ReLU codes but makes almost every feature of a VAE
      active, because μ is real-valued and almost never exactly zero.

    Relative to a per-model scale the rule is unit-free (multiplying all codes
    by a constant changes nothing), ignores numerical dust near zero, and
    treats positive and negative μ alike.
    """
    array = as_codes(codes)
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}")
    model_scale = activity_scale(array) if scale is None else float(scale)
    if model_scale < 0 or not np.isfinite(model_scale):
        raise ValueError(f"scale must be a finite non-negative number, got {scale}")
    if model_scale == 0:
        return np.zeros(array.shape, dtype=bool)
    return np.abs(array) > threshold * model_scale


def activation_rates(codes: np.ndarray, threshold: float = ACTIVE_THRESHOLD, scale: float | None = None) -> np.ndarray:
    """Per feature: the share of inputs on which it is active (see ``is_active``)."""
    return is_active(codes, threshold, scale).mean(axis=0)


def mean_activation_rate(codes: np.ndarray, threshold: float = ACTIVE_THRESHOLD, scale: float | None = None) -> float:
    """The study's "average activation rate": the mean of the per-feature rates."""
    return float(activation_rates(codes, threshold, scale).mean())


def l0_share(codes: np.ndarray) -> float:
    """L0: the share of code entries that are exactly non-zero.

    The thresholded rate asks how often a feature responds clearly; L0 asks
    how often it is not exactly off, which is what a ReLU's sparsity means and
    what a Gaussian code (never exactly zero) cannot offer.
    """
    return float(np.count_nonzero(as_codes(codes)) / np.asarray(codes).size)


def bimodality_coefficient(values: np.ndarray) -> float:
    """Sarle's bimodality coefficient b = (g² + 1) / (k + 3(n−1)²/((n−2)(n−3))).

    g and k are the sample skewness and excess kurtosis with the usual small-
    sample corrections. b is 1/3 for a normal sample, 5/9 for a uniform one and
    approaches 1 for two well separated modes; b > 5/9 is read as a hint of
    bimodality. Caution: a point mass at zero plus a long tail (a typical
    sparse ReLU code) is also strongly skewed and scores high, so for claim C3
    look at the active values alone as well (``bimodality_coefficients``).
    NaN for a constant sample; an error for fewer than four values.
    """
    sample = np.asarray(values, dtype=float).ravel()
    sample = sample[np.isfinite(sample)]
    n = sample.size
    if n < 4:
        raise ValueError(f"the bimodality coefficient needs at least 4 finite values, got {n}")
    if np.ptp(sample) == 0:
        return float("nan")
    skewness = stats.skew(sample, bias=False)
    excess_kurtosis = stats.kurtosis(sample, fisher=True, bias=False)
    return float((skewness**2 + 1) / (excess_kurtosis + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))


def dip_test_pvalues(
    codes: np.ndarray,
    active_only: bool | None = None,
    threshold: float = ACTIVE_THRESHOLD,
    scale: float | None = None,
    min_values: int = DIP_MIN_VALUES,
) -> np.ndarray:
    """Hartigan's dip test per feature: the p-value against the closest unimodal distribution.

    Unlike Sarle's b, the dip has a null distribution, and a skewed tail
    (what a ReLU's active values usually are) does not make it reject.
    ``active_only=None`` tests the active values of a non-negative code (the
    responses, without the spike of zeros) and all values of a signed code:
    dropping |code| below the threshold would cut the centre out of a signed
    distribution and make two modes where there is one. NaN where a feature
    has fewer than ``min_values`` values or they are all equal.
    """
    import diptest

    array = as_codes(codes)
    if active_only is None:
        active_only = bool(array.min() >= 0)
    active = is_active(array, threshold, scale) if active_only else np.ones(array.shape, dtype=bool)
    result = np.full(array.shape[1], np.nan)
    for feature in range(array.shape[1]):
        values = array[active[:, feature], feature].astype(np.float64)
        if values.size >= min_values and np.ptp(values) > 0:
            result[feature] = float(diptest.diptest(values)[1])
    return result


def dip_bimodal_share(codes: np.ndarray, alpha: float = DIP_ALPHA, **options: object) -> float:
    """Share of testable features whose dip test rejects unimodality, Benjamini–Hochberg q < ``alpha``."""
    pvalues = dip_test_pvalues(codes, **options)
    tested = pvalues[np.isfinite(pvalues)]
    if tested.size == 0:
        return float("nan")
    return float((stats.false_discovery_control(tested) < alpha).mean())


def bimodality_coefficients(
    codes: np.ndarray,
    active_only: bool = False,
    threshold: float = ACTIVE_THRESHOLD,
    scale: float | None = None,
) -> np.ndarray:
    """Per feature bimodality coefficient; NaN where it is undefined.

    ``active_only=True`` uses only the inputs on which the feature is active,
    which asks whether the *responses* have two modes rather than whether the
    feature is often off.
    """
    array = as_codes(codes)
    active = is_active(array, threshold, scale) if active_only else np.ones(array.shape, dtype=bool)
    result = np.full(array.shape[1], np.nan)
    for feature in range(array.shape[1]):
        values = array[active[:, feature], feature]
        if values.size >= 4:
            result[feature] = bimodality_coefficient(values)
    return result



# ---------------------------------------------------------------------------
# Importance and redundancy
# ---------------------------------------------------------------------------


def variance_importance(codes: np.ndarray) -> np.ndarray:
    """Each feature's share of the total latent variance (sums to 1)."""
    variances = as_codes(codes).var(axis=0)
    total = variances.sum()
    if total == 0:
        raise ValueError("codes have zero variance in every feature; importance is undefined")
    return variances / total


def importance_evenness(importance: np.ndarray) -> float:
    """Normalised Shannon entropy of the importance shares, in [0, 1].

    1 means every feature carries the same share (the study's "roughly
    uniform", claim C8); 0 means a single feature carries everything. As a
    reading aid: if half the features share the variance equally and the
    rest carry none, the evenness is 1 − log 2 / log k (0.85 for k = 100).
    """
    shares = np.asarray(importance, dtype=float).ravel()
    if shares.size < 2:
        raise ValueError(f"evenness needs at least 2 features, got {shares.size}")
    if (shares < 0).any() or not np.isfinite(shares).all() or shares.sum() <= 0:
        raise ValueError("importance must be finite, non-negative and not all zero")
    shares = shares / shares.sum()
    positive = shares[shares > 0]
    return float(-(positive * np.log(positive)).sum() / np.log(shares.size))


def feature_correlation_matrix(codes: np.ndarray) -> np.ndarray:
    """Pearson r between every pair of features; NaN rows/columns for constant features."""
    array = as_codes(codes)
    centred = array - array.mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    varying = np.ptp(array, axis=0) > 0
    scaled = np.zeros_like(centred)
    scaled[:, varying] = centred[:, varying] / norms[varying]
    matrix = np.clip(scaled.T @ scaled, -1.0, 1.0)
    matrix[~varying, :] = np.nan
    matrix[:, ~varying] = np.nan
    return matrix


def as_square(matrix: np.ndarray) -> np.ndarray:
    """A square float matrix, or an error giving the shape."""
    array = np.asarray(matrix, dtype=float)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {array.shape}")
    return array


def strongest_pair(matrix: np.ndarray) -> tuple[int, int, float]:
    """(i, j, value) of the off-diagonal entry with the largest |value|, i < j.

    NaN entries and the diagonal are ignored; (-1, -1, nan) when nothing is left.
    """
    array = as_square(matrix)
    magnitude = np.abs(array)
    magnitude[~np.isfinite(magnitude)] = -1.0
    np.fill_diagonal(magnitude, -1.0)
    flat = int(np.argmax(magnitude))
    i, j = divmod(flat, array.shape[1])
    if magnitude[i, j] < 0:
        return -1, -1, float("nan")
    return min(i, j), max(i, j), float(array[i, j])


def max_abs_offdiagonal(matrix: np.ndarray) -> float:
    """Largest |entry| off the diagonal, ignoring NaN (claim C10); NaN if none."""
    return abs(strongest_pair(matrix)[2])


def pattern_similarity(patterns: np.ndarray) -> np.ndarray:
    """Cosine similarity between flattened single-feature patterns (claim C9).

    ``patterns`` is ``(k, ...)``, e.g. ``(k, 10, 101)`` decoded curves. Pass
    each pattern as its deviation from the zero-code reconstruction: absolute
    reconstructions all contain the mean gait curve and would look alike
    whatever the features encode. Zero patterns get NaN rows and columns.
    """
    array = np.asarray(patterns, dtype=float)
    if array.ndim < 2 or array.shape[0] < 2:
        raise ValueError(f"patterns must hold at least 2 patterns along axis 0, got shape {array.shape}")
    flat = array.reshape(array.shape[0], -1)
    if not np.isfinite(flat).all():
        raise ValueError("patterns contain non-finite values")
    norms = np.linalg.norm(flat, axis=1)
    nonzero = norms > 0
    unit = np.zeros_like(flat)
    unit[nonzero] = flat[nonzero] / norms[nonzero, None]
    similarity = np.clip(unit @ unit.T, -1.0, 1.0)
    similarity[~nonzero, :] = np.nan
    similarity[:, ~nonzero] = np.nan
    return similarity


def mean_offdiagonal(matrix: np.ndarray) -> float:
    """Mean of the off-diagonal entries, ignoring NaN; NaN if none."""
    array = as_square(matrix)
    values = array[~np.eye(array.shape[0], dtype=bool)]
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")
