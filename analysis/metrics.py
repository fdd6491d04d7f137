"""Numbers the book reports about latent codes: sparsity, correlations, structure.

Every function takes plain arrays (``codes`` is ``(n_inputs, n_features)``,
one row per trial) and, where metadata matter, a ``trials`` DataFrame whose
rows are aligned with the rows of ``codes`` by position. Nothing here knows
which model produced the codes, so the three models are measured the same way.

Trials are nested in sessions and sessions in subjects. Statistics with a
p-value or an interval are therefore offered at the subject level as well:
treating 8,819 trials of 350 people as independent would shrink p-values and
intervals as if the cohort were 25 times larger than it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_mutual_info_score
from sklearn.neighbors import NearestNeighbors

from analysis.data import SESSION_KEY

# A feature counts as active on an input when |code| exceeds this fraction of
# the model's code scale (see ``activity_scale``).
ACTIVE_THRESHOLD = 0.1
# Percentile of the non-zero |codes| that defines a model's code scale.
SCALE_PERCENTILE = 99.0
# Sarle's bimodality coefficient of a uniform distribution; larger values
# suggest bimodality (or a point mass next to a tail, see below).
BIMODALITY_THRESHOLD = 5 / 9

ATTRIBUTES: tuple[str, ...] = ("WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT")
Level = Literal["trial", "session", "subject"]
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "trial": (),
    "session": SESSION_KEY,
    "subject": ("SUBJECT_ID",),
}
CORRELATION_COLUMNS: tuple[str, ...] = ("feature", "attribute", "r", "p", "q", "n", "level")


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def as_codes(codes: np.ndarray, name: str = "codes") -> np.ndarray:
    """A finite 2-D float array, or an error that says what is wrong."""
    array = np.asarray(codes, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (inputs x features), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.isfinite(array).all():
        bad_rows = np.flatnonzero(~np.isfinite(array).all(axis=1))
        raise ValueError(f"{name} has non-finite values in row(s) {bad_rows[:5].tolist()}")
    return array


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str = "trials") -> None:
    """An error naming every missing column (``name`` says which table)."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")


def _check_rows(codes: np.ndarray, trials: pd.DataFrame) -> None:
    if len(trials) != codes.shape[0]:
        raise ValueError(f"codes has {codes.shape[0]} rows but trials has {len(trials)}; rows must be aligned")


def numeric_column(trials: pd.DataFrame, column: str) -> np.ndarray:
    """A metadata column as floats (missing → NaN), or an error naming it."""
    require_columns(trials, [column])
    try:
        return pd.to_numeric(trials[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"trials column {column!r} is not numeric: {error}") from None


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
# Metadata correlations
# ---------------------------------------------------------------------------


def level_means(
    codes: np.ndarray,
    trials: pd.DataFrame,
    level: Level = "trial",
    columns: Sequence[str] = (),
) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes and numeric metadata averaged per session or per subject.

    Returns the (possibly averaged) codes and a table with the grouping keys
    and ``columns``; missing metadata are ignored in the averages, so a
    subject's mean age is NaN only when all of their trials lack an age.
    Groups are in sorted key order. ``level="trial"`` returns the inputs.
    """
    array = as_codes(codes)
    _check_rows(array, trials)
    if level not in LEVEL_KEYS:
        raise ValueError(f"unknown level {level!r}; choose one of {list(LEVEL_KEYS)}")
    keys = list(LEVEL_KEYS[level])
    require_columns(trials, [*keys, *columns])
    attributes = pd.DataFrame({column: numeric_column(trials, column) for column in columns})
    if level == "trial":
        return array, attributes
    key_frame = trials[keys].reset_index(drop=True)
    for key in keys:
        if key_frame[key].isna().any():
            rows = np.flatnonzero(key_frame[key].isna().to_numpy())
            raise ValueError(f"trials column {key!r} has missing values in row(s) {rows[:5].tolist()}")
    code_names = [f"code_{feature}" for feature in range(array.shape[1])]
    combined = pd.concat([key_frame, attributes, pd.DataFrame(array, columns=code_names)], axis=1)
    grouped = combined.groupby(keys, sort=True).mean().reset_index()
    return grouped[code_names].to_numpy(), grouped[[*keys, *columns]]


def _correlate(
    features: np.ndarray, values: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """r and two-sided p of every feature column with one attribute.

    Rows where the attribute is missing are dropped. A feature that is
    constant on the remaining rows gets r = p = NaN. Spearman's ρ is Pearson's
    r on ranks with the same t-approximation for p (as scipy does).
    """
    present = np.isfinite(values)
    x = features[present]
    y = values[present]
    n = int(present.sum())
    k = features.shape[1]
    r = np.full(k, np.nan)
    p = np.full(k, np.nan)
    if n < 3 or np.ptp(y) == 0:
        return r, p, n
    if method == "spearman":
        x = stats.rankdata(x, axis=0)
        y = stats.rankdata(y)
    varying = np.ptp(x, axis=0) > 0
    xc = x[:, varying] - x[:, varying].mean(axis=0)
    yc = y - y.mean()
    r_varying = (xc * yc[:, None]).sum(axis=0) / np.sqrt((xc**2).sum(axis=0) * (yc**2).sum())
    r_varying = np.clip(r_varying, -1.0, 1.0)
    degrees = n - 2
    with np.errstate(divide="ignore"):
        t_statistic = np.abs(r_varying) * np.sqrt(degrees / np.maximum(1.0 - r_varying**2, 0.0))
    r[varying] = r_varying
    p[varying] = np.minimum(2 * stats.t.sf(t_statistic, degrees), 1.0)
    return r, p, n


def attribute_correlations(
    codes: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    level: Level = "trial",
    method: Literal["pearson", "spearman"] = "pearson",
) -> pd.DataFrame:
    """Correlation of every feature with every attribute, with BH q-values.

    Columns: feature, attribute, r, p, q, n, level. Missing attribute values
    are dropped per attribute; a feature that is constant (e.g. never active)
    gets r = p = q = NaN and is left out of the Benjamini–Hochberg correction,
    which runs over all remaining feature × attribute pairs of this call.

    ``level`` says what one observation is. At ``"trial"`` level every trial
    counts, but the 20-odd trials of one person share that person's age,
    height and weight and most of their gait, so they are not independent:
    the p-values are pseudo-replicated and far too small for AGE, HEIGHT and
    BODY_WEIGHT. ``"subject"`` first averages codes and attributes per
    SUBJECT_ID (one observation per person, the honest unit for
    person-level attributes); ``"session"`` averages per
    DATASET_ID/SUBJECT_ID/SESSION_ID, which suits walking speed, a property of
    the session as much as of the person.
    """
    if method not in ("pearson", "spearman"):
        raise ValueError(f"unknown method {method!r}; choose 'pearson' or 'spearman'")
    if len(attributes) == 0:
        raise ValueError("attributes is empty")
    features, table = level_means(codes, trials, level, attributes)
    parts = []
    for attribute in attributes:
        r, p, n = _correlate(features, table[attribute].to_numpy(dtype=float), method)
        parts.append(
            pd.DataFrame(
                {
                    "feature": np.arange(features.shape[1]),
                    "attribute": attribute,
                    "r": r,
                    "p": p,
                    "n": n,
                }
            )
        )
    result = pd.concat(parts, ignore_index=True)
    q = np.full(len(result), np.nan)
    tested = result["p"].notna().to_numpy()
    if tested.any():
        q[tested] = stats.false_discovery_control(result.loc[tested, "p"].to_numpy(), method="bh")
    result["q"] = q
    result["level"] = level
    return result[list(CORRELATION_COLUMNS)]


def strongest_correlations(table: pd.DataFrame, attribute: str, k: int = 5) -> pd.DataFrame:
    """The ``k`` rows of ``attribute_correlations`` output with the largest |r|."""
    require_columns(table, ("feature", "attribute", "r"), "table")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    rows = table[(table["attribute"] == attribute) & table["r"].notna()]
    if rows.empty:
        raise ValueError(f"no finite correlations with attribute {attribute!r} in the table")
    order = rows["r"].abs().sort_values(ascending=False, kind="stable").index
    return rows.loc[order[:k]].reset_index(drop=True)


def correlation_summary(table: pd.DataFrame, r_threshold: float = 0.3, alpha: float = 0.05) -> pd.DataFrame:
    """Per attribute: the largest |r|, its feature, and how many features pass.

    Columns: attribute, level, max_abs_r, best_feature, best_r,
    n_above_threshold (|r| > ``r_threshold``), n_significant (q < ``alpha``),
    n_features (with a finite r). For claims C6 and C7.
    """
    require_columns(table, CORRELATION_COLUMNS, "table")
    rows = []
    for (attribute, level), group in table.groupby(["attribute", "level"], sort=False):
        finite = group[group["r"].notna()]
        if finite.empty:
            best_feature, best_r = -1, float("nan")
        else:
            best = finite.loc[finite["r"].abs().idxmax()]
            best_feature, best_r = int(best["feature"]), float(best["r"])
        rows.append(
            {
                "attribute": attribute,
                "level": level,
                "max_abs_r": abs(best_r),
                "best_feature": best_feature,
                "best_r": best_r,
                "n_above_threshold": int((finite["r"].abs() > r_threshold).sum()),
                "n_significant": int((finite["q"] < alpha).sum()),
                "n_features": len(finite),
            }
        )
    return pd.DataFrame(rows)


def _hedges_g(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Bias-corrected standardised mean difference (first − second) per column."""
    n1, n2 = first.shape[0], second.shape[0]
    pooled_variance = ((n1 - 1) * first.var(axis=0, ddof=1) + (n2 - 1) * second.var(axis=0, ddof=1)) / (n1 + n2 - 2)
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    difference = first.mean(axis=0) - second.mean(axis=0)
    g = np.full(first.shape[1], np.nan)
    spread = pooled_variance > 0
    g[spread] = correction * difference[spread] / np.sqrt(pooled_variance[spread])
    return g


def _subject_sex(trials: pd.DataFrame, sex_column: str) -> pd.Series:
    """One sex value per subject (sorted by SUBJECT_ID), NaN where unknown."""
    sex = pd.Series(numeric_column(trials, sex_column), index=trials["SUBJECT_ID"].to_numpy())
    grouped = sex.groupby(level=0, sort=True)
    conflicting = grouped.nunique(dropna=True)
    conflicting = conflicting[conflicting > 1]
    if not conflicting.empty:
        raise ValueError(
            f"trials column {sex_column!r} differs within subject(s) {conflicting.index[:5].tolist()}; "
            "use a per-subject column such as 'SUBJECT_SEX'"
        )
    per_subject = grouped.first()
    unexpected = sorted(set(per_subject.dropna().unique()) - {0.0, 1.0})
    if unexpected:
        raise ValueError(f"trials column {sex_column!r} must be 0 (female) or 1 (male), found {unexpected}")
    return per_subject


def sex_differences(
    codes: np.ndarray,
    trials: pd.DataFrame,
    sex_column: str = "SUBJECT_SEX",
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per feature Hedges' g (male − female) on subject means, with a 95 % CI.

    One value per person: each subject's codes are averaged over trials first,
    so people with many trials do not dominate. The interval is a percentile
    bootstrap that resamples subjects within each sex (deterministic for a
    given ``seed``). Subjects of unknown sex are left out. Columns: feature,
    g, ci_low, ci_high, mean_male, mean_female, n_male, n_female.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    array = as_codes(codes)
    _check_rows(array, trials)
    require_columns(trials, ["SUBJECT_ID", sex_column])
    subject_codes, _ = level_means(array, trials, "subject")
    sex = _subject_sex(trials, sex_column).to_numpy()
    male = subject_codes[sex == 1]
    female = subject_codes[sex == 0]
    if len(male) < 2 or len(female) < 2:
        raise ValueError(f"need at least 2 subjects of each sex, got {len(male)} male and {len(female)} female")
    g = _hedges_g(male, female)
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, array.shape[1]))
    for index in range(n_boot):
        boot[index] = _hedges_g(
            male[rng.integers(0, len(male), len(male))],
            female[rng.integers(0, len(female), len(female))],
        )
    ci_low = np.full(array.shape[1], np.nan)
    ci_high = np.full(array.shape[1], np.nan)
    for feature in range(array.shape[1]):
        finite = boot[np.isfinite(boot[:, feature]), feature]
        if np.isfinite(g[feature]) and finite.size:
            ci_low[feature], ci_high[feature] = np.percentile(finite, [2.5, 97.5])
    return pd.DataFrame(
        {
            "feature": np.arange(array.shape[1]),
            "g": g,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "mean_male": male.mean(axis=0),
            "mean_female": female.mean(axis=0),
            "n_male": len(male),
            "n_female": len(female),
        }
    )


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


# ---------------------------------------------------------------------------
# Latent-space structure
# ---------------------------------------------------------------------------


def effective_perplexity(n_inputs: int, perplexity: float) -> float:
    """The perplexity t-SNE actually uses for ``n_inputs`` points.

    Perplexity is roughly the number of neighbours each point attends to, so
    it must stay well below the number of points; it is clipped to (n − 1)/3
    for small sets (e.g. perplexity 30 on 40 points becomes 13).
    """
    if perplexity <= 0:
        raise ValueError(f"perplexity must be positive, got {perplexity}")
    if n_inputs < 5:
        raise ValueError(f"t-SNE needs at least 5 inputs, got {n_inputs}")
    return float(min(perplexity, (n_inputs - 1) / 3))


def tsne_embedding(codes: np.ndarray, perplexity: float = 30.0, seed: int = 0) -> np.ndarray:
    """2-D t-SNE of the codes: PCA initialisation, fixed seed, so reruns agree."""
    array = as_codes(codes)
    model = TSNE(
        n_components=2,
        perplexity=effective_perplexity(array.shape[0], perplexity),
        init="pca",
        learning_rate="auto",
        random_state=seed,
    )
    return model.fit_transform(array)


def neighbourhood_agreement(
    embedding: np.ndarray,
    values: np.ndarray,
    k: int = 10,
    groups: np.ndarray | None = None,
) -> float:
    """How smoothly an attribute varies over a 2-D map (claim C4), as Pearson r.

    Each point's value is compared with the mean value of its ``k`` nearest
    neighbours in the map; r is 1 for a perfect gradient and about 0 when the
    colour is scattered at random. With ``groups`` (e.g. SUBJECT_ID) the
    neighbours are taken from other groups only: a subject's trials sit
    together and share one age, which would otherwise look like a gradient.
    Points with a missing value take no part.
    """
    points = as_codes(embedding, "embedding")
    attribute = np.asarray(values, dtype=float)
    if attribute.shape != (points.shape[0],):
        raise ValueError(f"values must have shape ({points.shape[0]},), got {attribute.shape}")
    present = np.isfinite(attribute)
    points, attribute = points[present], attribute[present]
    labels = None if groups is None else np.asarray(groups)[present]
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    largest_group = 1 if labels is None else int(pd.Series(labels).value_counts().max())
    n_candidates = min(points.shape[0], k + largest_group)
    if points.shape[0] <= largest_group:
        raise ValueError("every point belongs to one group; no neighbours from other groups exist")
    _, neighbours = NearestNeighbors(n_neighbors=n_candidates).fit(points).kneighbors(points)
    neighbour_means = np.empty(points.shape[0])
    for row, candidates in enumerate(neighbours):
        if labels is None:
            chosen = candidates[candidates != row][:k]
        else:
            chosen = candidates[labels[candidates] != labels[row]][:k]
        neighbour_means[row] = attribute[chosen].mean()
    r, _, _ = _correlate(attribute[:, None], neighbour_means, "pearson")
    return float(r[0])


@dataclass(frozen=True)
class ClusterResult:
    """KMeans clusters of the codes and the 2-D PCA view used to draw them.

    Clusters are numbered by the PC1 coordinate of their centre (0 = lowest),
    so the numbering does not depend on KMeans' arbitrary label order.
    ``between_cluster_share`` is, for PC1 and PC2, the share of that
    component's variance explained by cluster membership (η²): clusters that
    "separate mainly along PC1" have a large first and a small second value.
    """

    labels: np.ndarray
    pca_coordinates: np.ndarray
    explained_variance_ratio: np.ndarray
    centroids_pca: np.ndarray
    between_cluster_share: np.ndarray
    inertia: float

    @property
    def k(self) -> int:
        return int(self.centroids_pca.shape[0])


def cluster_codes(codes: np.ndarray, k: int = 5, seed: int = 0) -> ClusterResult:
    """KMeans on the codes themselves (as the study did); PCA only to draw them."""
    array = as_codes(codes)
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    distinct = np.unique(array, axis=0).shape[0]
    if distinct < k:
        raise ValueError(f"cannot form {k} clusters from {distinct} distinct code vectors")
    kmeans = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(array)
    pca = PCA(n_components=2, svd_solver="full").fit(array)
    coordinates = pca.transform(array)
    centroids = pca.transform(kmeans.cluster_centers_)
    order = np.argsort(centroids[:, 0], kind="stable")
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    labels = rank[kmeans.labels_]
    share = np.array([_eta_squared(coordinates[:, component], labels) for component in range(2)])
    return ClusterResult(
        labels=labels,
        pca_coordinates=coordinates,
        explained_variance_ratio=pca.explained_variance_ratio_.copy(),
        centroids_pca=centroids[order],
        between_cluster_share=share,
        inertia=float(kmeans.inertia_),
    )


def _eta_squared(values: np.ndarray, labels: np.ndarray) -> float:
    """Between-group sum of squares over total sum of squares."""
    total = ((values - values.mean()) ** 2).sum()
    if total == 0:
        return float("nan")
    between = sum(
        (labels == label).sum() * (values[labels == label].mean() - values.mean()) ** 2 for label in np.unique(labels)
    )
    return float(between / total)


def _check_labels(labels: np.ndarray, trials: pd.DataFrame) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim != 1 or len(array) != len(trials):
        raise ValueError(f"labels must be 1-D with one entry per trial ({len(trials)}), got shape {array.shape}")
    return array


def cluster_composition(
    labels: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    sex_column: str = "SUBJECT_SEX",
) -> pd.DataFrame:
    """Who is in each cluster: trial and subject counts, attribute mean ± SD, share male.

    Columns: cluster, n_trials, n_subjects, ``<ATTRIBUTE>_mean`` and
    ``<ATTRIBUTE>_sd`` for each attribute (missing values ignored), share_male
    (among trials of known sex). Trial-level: a subject contributes as many
    times as they have trials in the cluster.
    """
    cluster_labels = _check_labels(labels, trials)
    require_columns(trials, ["SUBJECT_ID", *attributes, sex_column])
    values = pd.DataFrame({column: numeric_column(trials, column) for column in [*attributes, sex_column]})
    values["cluster"] = cluster_labels
    values["SUBJECT_ID"] = trials["SUBJECT_ID"].to_numpy()
    rows = []
    for cluster, members in values.groupby("cluster", sort=True):
        row: dict[str, float | int] = {
            "cluster": int(cluster),
            "n_trials": len(members),
            "n_subjects": int(members["SUBJECT_ID"].nunique()),
        }
        for attribute in attributes:
            row[f"{attribute}_mean"] = float(members[attribute].mean())
            row[f"{attribute}_sd"] = float(members[attribute].std(ddof=1))
        row["share_male"] = float(members[sex_column].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def cluster_attribute_association(
    result: ClusterResult,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    sex_column: str = "SUBJECT_SEX",
    n_bins: int = 3,
) -> pd.DataFrame:
    """Do the clusters map onto demographic groups? (claim C5)

    For each attribute, the adjusted mutual information (AMI) between cluster
    labels and the attribute's quantile bins (tertiles by default; sex as is):
    0 means no more agreement than chance, 1 means the clusters are exactly
    the groups. ``pc1_r`` is Pearson's r between the PC1 coordinate and the
    attribute (for sex: the point-biserial r of male = 1). Trial-level, with
    missing values dropped per attribute; columns: attribute, n, ami, pc1_r.
    """
    cluster_labels = _check_labels(result.labels, trials)
    if n_bins < 2:
        raise ValueError(f"n_bins must be at least 2, got {n_bins}")
    require_columns(trials, [*attributes, sex_column])
    pc1 = result.pca_coordinates[:, :1]
    rows = []
    for attribute in [*attributes, sex_column]:
        values = numeric_column(trials, attribute)
        present = np.isfinite(values)
        if attribute == sex_column:
            groups = values[present]
        else:
            groups = pd.qcut(values[present], n_bins, labels=False, duplicates="drop")
        ami = (
            float(adjusted_mutual_info_score(cluster_labels[present], groups))
            if present.sum() >= 2
            else float("nan")
        )
        r, _, n = _correlate(pc1, values, "pearson")
        rows.append({"attribute": attribute, "n": n, "ami": ami, "pc1_r": float(r[0])})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Summaries over seeds
# ---------------------------------------------------------------------------


def summarize_over_seeds(
    table: pd.DataFrame,
    by: str | Sequence[str] = "model",
    value_columns: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, SD and a t-interval over seeds for every value column.

    ``table`` has one row per model and seed. Returns one row per group and
    quantity with columns ``*by``, quantity, n, mean, sd, ci_low, ci_high.
    The interval is mean ± t(1 − α/2, n − 1)·SD/√n; it is wide for few seeds
    on purpose. With a single seed (n = 1) SD and the interval are NaN: one
    run says nothing about the spread between runs. Missing values are
    dropped per quantity; ``value_columns`` defaults to every numeric column
    other than the grouping columns and ``seed``.
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(table, keys, "table")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if value_columns is None:
        numeric = table.select_dtypes(include="number").columns
        value_columns = [column for column in numeric if column not in keys and column != "seed"]
    require_columns(table, value_columns, "table")
    if not value_columns:
        raise ValueError("no value columns to summarise")
    rows = []
    for group, members in table.groupby(keys, sort=False):
        group_values = group if isinstance(group, tuple) else (group,)
        for column in value_columns:
            try:
                values = pd.to_numeric(members[column], errors="raise").dropna().to_numpy(dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"table column {column!r} is not numeric") from None
            n = values.size
            mean = float(values.mean()) if n else float("nan")
            sd = float(values.std(ddof=1)) if n > 1 else float("nan")
            if n > 1:
                half_width = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
                ci_low, ci_high = mean - half_width, mean + half_width
            else:
                ci_low = ci_high = float("nan")
            rows.append(
                {
                    **dict(zip(keys, group_values)),
                    "quantity": column,
                    "n": n,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": ci_low,
                    "ci_high": ci_high,
                }
            )
    return pd.DataFrame(rows)


def format_mean_sd(mean: float, sd: float, digits: int = 2) -> str:
    """'0.07 ± 0.01'; 'n/a' for a missing SD (a single seed) or mean."""
    if not np.isfinite(mean):
        return "n/a"
    if not np.isfinite(sd):
        return f"{mean:.{digits}f} ± n/a"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"
