"""Can a classifier tell generated trials from the cohort's? Plus spread, landmarks and memorisation.

The classifier two-sample test (C2ST) trains a classifier to separate two
sets and reports its out-of-fold accuracy: 0.5 means indistinguishable. Folds
are grouped by subject: a person's trials are near-duplicates, so with
ungrouped folds a classifier would recognise cohort trials by their siblings.
Each generated trial is its own group. Intervals resample groups (cluster
bootstrap), so they carry the dependence between a subject's trials.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from analysis.evaluation import landmarks as landmark_table

CLASSIFIERS: tuple[str, ...] = ("k-NN (k = 10)", "logistic regression", "gradient boosting")
VIEWS: tuple[str, ...] = ("curves", "first differences")
DETECTED = 0.9  # a generator this easy to spot is clearly unrealistic; the poor control must reach it
N_SPLITS = 5


def _classifier(name: str, seed: int, boosting_iterations: int):
    if name == CLASSIFIERS[0]:
        return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=10))
    if name == CLASSIFIERS[1]:
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    if name == CLASSIFIERS[2]:
        return HistGradientBoostingClassifier(max_iter=boosting_iterations, max_bins=32, random_state=seed, early_stopping=False)
    raise ValueError(f"unknown classifier {name!r}; choose one of {list(CLASSIFIERS)}")


def view(curves: np.ndarray, name: str) -> np.ndarray:
    """A trial as the classifier sees it: the curves, or their first differences (smoothness)."""
    if name == VIEWS[0]:
        return curves.reshape(len(curves), -1)
    if name == VIEWS[1]:
        return np.diff(curves, axis=2).reshape(len(curves), -1)
    raise ValueError(f"unknown view {name!r}; choose one of {list(VIEWS)}")


def c2st_correct(
    first: np.ndarray,
    second: np.ndarray,
    first_groups: np.ndarray,
    second_groups: np.ndarray | None,
    classifier: str,
    seed: int = 0,
    boosting_iterations: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold correctness of every sample (subject-grouped folds), and the groups for the bootstrap.

    ``first`` and ``second`` are sample matrices; ``second_groups`` ``None``
    makes every sample of the second set its own group (generated trials).
    """
    if len(first) < N_SPLITS or len(second) < N_SPLITS:
        raise ValueError(f"a C2ST needs at least {N_SPLITS} samples per set, got {len(first)} and {len(second)}")
    x = np.concatenate([first, second])
    y = np.r_[np.zeros(len(first), dtype=int), np.ones(len(second), dtype=int)]
    first_labels = np.array([f"a{group}" for group in first_groups])
    if second_groups is None:
        second_labels = np.array([f"g{index}" for index in range(len(second))])
    else:
        second_labels = np.array([f"b{group}" for group in second_groups])
    groups = np.r_[first_labels, second_labels]
    # Shuffle group order with the seed so GroupKFold's balancing does not follow the input order.
    codes = pd.factorize(groups)[0]
    permuted = np.random.default_rng(seed).permutation(codes.max() + 1)[codes]
    correct = np.zeros(len(x), dtype=bool)
    for train, test in GroupKFold(n_splits=N_SPLITS).split(x, y, permuted):
        model = _classifier(classifier, seed, boosting_iterations).fit(x[train], y[train])
        correct[test] = model.predict(x[test]) == y[test]
    return correct, groups


def cluster_bootstrap(values: np.ndarray, groups: np.ndarray, n_bootstrap: int, seed: int) -> tuple[float, float, float]:
    """Mean of ``values`` with a 95 % percentile interval from resampling whole groups."""
    codes, uniques = pd.factorize(groups)
    sums = np.bincount(codes, weights=values.astype(float))
    counts = np.bincount(codes)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(uniques), size=(n_bootstrap, len(uniques)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)


def c2st_table(
    comparisons: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]],
    seed: int,
    boosting_iterations: int,
    n_bootstrap: int,
    classifiers: tuple[str, ...] = CLASSIFIERS,
) -> pd.DataFrame:
    """Accuracy (with 95 % interval) of every classifier on both views, for each named comparison.

    ``comparisons`` maps a name to (first curves, second curves, first groups, second groups or None).
    """
    rows = []
    for name, (first, second, first_groups, second_groups) in comparisons.items():
        for view_name in VIEWS:
            a, b = view(first, view_name), view(second, view_name)
            for classifier in classifiers:
                correct, groups = c2st_correct(a, b, first_groups, second_groups, classifier, seed, boosting_iterations)
                accuracy, low, high = cluster_bootstrap(correct, groups, n_bootstrap, seed)
                rows.append({"comparison": name, "view": view_name, "classifier": classifier, "accuracy": accuracy, "low": low, "high": high, "n": len(correct)})
    return pd.DataFrame(rows)


def headline(table: pd.DataFrame) -> pd.DataFrame:
    """Per comparison, the classifier and view with the highest accuracy (the test's real power)."""
    best = table.loc[table.groupby("comparison", sort=False)["accuracy"].idxmax()]
    return best.reset_index(drop=True)


def has_teeth(table: pd.DataFrame, poor: str, halves: str) -> tuple[bool, str]:
    """The controls' rule: the poor generator detected (best accuracy ≥ 0.9), the halves' best interval covers 0.5."""
    best = headline(table).set_index("comparison")
    poor_ok = bool(best.loc[poor, "accuracy"] >= DETECTED)
    halves_ok = bool(best.loc[halves, "low"] <= 0.5 <= best.loc[halves, "high"])
    if poor_ok and halves_ok:
        return True, "both controls hold: the poor generator is detected and the cohort's halves are not told apart"
    reasons = []
    if not poor_ok:
        reasons.append(f"the poor generator reaches only {best.loc[poor, 'accuracy']:.2f} (< {DETECTED})")
    if not halves_ok:
        reasons.append(f"the cohort's halves are told apart ({best.loc[halves, 'low']:.2f}–{best.loc[halves, 'high']:.2f} excludes 0.5)")
    return False, "; ".join(reasons)


def pca_gaussian(train_scaled: np.ndarray, n: int, components: int, seed: int) -> np.ndarray:
    """A deliberately poor generator: independent normal scores on the first ``components`` principal components."""
    if components < 1 or components > min(train_scaled.shape):
        raise ValueError(f"components must lie in 1..{min(train_scaled.shape)}, got {components!r}")
    pca = PCA(n_components=components, random_state=seed).fit(train_scaled)
    scores = np.random.default_rng(seed).normal(size=(n, components)) * np.sqrt(pca.explained_variance_)
    return pca.inverse_transform(scores)


def sd_ratio(generated: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per-(channel, sample) SD of generated trials over that of the reference (NaN where the reference is constant)."""
    reference_sd = reference.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(reference_sd > 1e-12, generated.std(axis=0) / np.where(reference_sd > 1e-12, reference_sd, 1.0), np.nan)


def landmark_smd(generated: np.ndarray, reference: np.ndarray, channels: tuple[str, ...]) -> pd.DataFrame:
    """Standardised mean difference (generated − reference, pooled SD) of every landmark value and timing, both sides pooled."""
    gen = landmark_table.landmarks(generated, channels, ml_orientation="as_is")
    ref = landmark_table.landmarks(reference, channels, ml_orientation="as_is")
    rows = []
    for column in (*landmark_table.VALUE_COLUMNS, *landmark_table.TIME_COLUMNS):
        a, b = gen[column].to_numpy(dtype=float), ref[column].to_numpy(dtype=float)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) if len(a) > 1 and len(b) > 1 else np.nan
        smd = (a.mean() - b.mean()) / pooled if pooled and pooled > 0 else np.nan
        rows.append({"landmark": column, "generated mean": a.mean(), "cohort mean": b.mean(), "SMD": smd})
    return pd.DataFrame(rows)


def closest_distances(query: np.ndarray, training: np.ndarray) -> np.ndarray:
    """Euclidean distance from every query row to its nearest training row (scaled space)."""
    return NearestNeighbors(n_neighbors=1).fit(training).kneighbors(query)[0][:, 0]
