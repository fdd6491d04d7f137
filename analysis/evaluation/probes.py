"""What a handful of features say about a person: k-sparse probes and re-identification.

A code "contains" an attribute when a simple read-out of a few of its
features predicts it for people the read-out has never seen. Every probe
here therefore

* uses folds grouped by subject (:class:`~sklearn.model_selection.GroupKFold`,
  or :class:`~sklearn.model_selection.StratifiedGroupKFold` for a binary
  target), so no person is in a fold's training and test rows at once;
* chooses its ``k`` features inside each training fold (largest |Pearson r|
  with the target), then fits a ridge regression (R²) or a logistic
  regression (AUC) on those ``k`` standardised features only;
* scores the pooled out-of-fold predictions.

A permutation null (:func:`permutation_null`) reruns the same probe on
shuffled targets: a subject-level attribute is shuffled between subjects
(each person keeps one value), a trial-level one between rows.

Re-identification (:func:`reidentification`) asks whether a trial's nearest
neighbour among the trials of *other* sessions belongs to the same person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

KINDS = ("regression", "classification")
RIDGE_ALPHA = 1.0
LOGISTIC_C = 1.0


@dataclass(frozen=True)
class ProbeResult:
    """Out-of-fold predictions of one probe and the features each fold used."""

    kind: str
    k: int
    score: float  # R² (regression) or AUC (classification) of the pooled out-of-fold predictions
    target: np.ndarray
    predictions: np.ndarray
    groups: np.ndarray
    features: tuple[np.ndarray, ...]  # per fold, the indices of the k features chosen


def grouped_folds(groups: ArrayLike, n_splits: int, target: ArrayLike | None = None, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) per fold with every subject in one test fold; stratified when ``target`` is given."""
    labels = np.asarray(groups)
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"n_splits must be an integer ≥ 2, got {n_splits!r}")
    n_groups = np.unique(labels).size
    if n_groups < n_splits:
        raise ValueError(f"n_splits={n_splits} exceeds the {n_groups} subjects")
    rows = np.zeros(labels.size)
    if target is None:
        splitter = GroupKFold(n_splits=int(n_splits), shuffle=True, random_state=seed)
        return [(train, test) for train, test in splitter.split(rows, groups=labels)]
    splitter = StratifiedGroupKFold(n_splits=int(n_splits), shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(rows, np.asarray(target), groups=labels)]


def top_features(codes: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` features with the largest |Pearson r| with ``target`` (constant features last)."""
    centred = codes - codes.mean(axis=0)
    target_centred = target - target.mean()
    spread = np.sqrt((centred**2).sum(axis=0) * (target_centred**2).sum())
    r = np.divide(centred.T @ target_centred, spread, out=np.zeros(codes.shape[1]), where=spread > 0)
    return np.argsort(-np.abs(r), kind="stable")[:k]


def sparse_probe(
    codes: ArrayLike,
    target: ArrayLike,
    groups: ArrayLike,
    k: int,
    kind: str = "regression",
    n_splits: int = 5,
    seed: int = 0,
) -> ProbeResult:
    """A k-sparse probe of ``target`` from ``codes`` with subject-grouped cross-validation (module notes)."""
    values, y, labels = _inputs(codes, target, groups)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= values.shape[1]:
        raise ValueError(f"k must be an integer in [1, {values.shape[1]}] (the number of features), got {k!r}")
    if kind == "classification" and set(np.unique(y)) - {0.0, 1.0}:
        raise ValueError("a classification probe needs a 0/1 target")
    folds = grouped_folds(labels, n_splits, y if kind == "classification" else None, seed)
    predictions = np.empty_like(y)
    chosen = []
    for train, test in folds:
        features = top_features(values[train], y[train], int(k))
        chosen.append(features)
        x_train, x_test = values[np.ix_(train, features)], values[np.ix_(test, features)]
        mean, scale = x_train.mean(axis=0), x_train.std(axis=0)
        scale[scale == 0] = 1.0
        x_train, x_test = (x_train - mean) / scale, (x_test - mean) / scale
        if kind == "regression":
            predictions[test] = Ridge(alpha=RIDGE_ALPHA).fit(x_train, y[train]).predict(x_test)
        elif np.unique(y[train]).size < 2:
            predictions[test] = y[train].mean()
        else:
            model = LogisticRegression(C=LOGISTIC_C, max_iter=1000).fit(x_train, y[train])
            predictions[test] = model.predict_proba(x_test)[:, 1]
    score = probe_score(kind, y, predictions)
    return ProbeResult(kind, int(k), score, y, predictions, labels, tuple(chosen))


def probe_score(kind: str, target: np.ndarray, predictions: np.ndarray) -> float:
    """R² around the target's own mean, or AUC; NaN when undefined (constant target, one class)."""
    if kind == "regression":
        total = float(np.sum((target - target.mean()) ** 2))
        return float("nan") if total == 0 else 1.0 - float(np.sum((target - predictions) ** 2)) / total
    if np.unique(target).size < 2:
        return float("nan")
    return float(roc_auc_score(target, predictions))


def permutation_null(
    codes: ArrayLike,
    target: ArrayLike,
    groups: ArrayLike,
    k: int,
    kind: str = "regression",
    n_permutations: int = 20,
    n_splits: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Scores of the same probe on shuffled targets (between subjects when the target is constant within subjects)."""
    values, y, labels = _inputs(codes, target, groups)
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 1:
        raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
    rng = np.random.default_rng(seed)
    people, inverse = np.unique(labels, return_inverse=True)
    per_subject = np.array([y[inverse == index][0] for index in range(people.size)])
    subject_level = np.allclose(per_subject[inverse], y)
    scores = []
    for _ in range(n_permutations):
        shuffled = per_subject[rng.permutation(people.size)][inverse] if subject_level else rng.permutation(y)
        scores.append(sparse_probe(values, shuffled, labels, k, kind, n_splits, seed).score)
    return np.asarray(scores)


def reidentification(codes: ArrayLike, subjects: ArrayLike, sessions: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-1 re-identification across sessions by cosine similarity of standardised codes.

    Every trial of a subject with at least two sessions is a query; its
    gallery is every trial outside its own session (all subjects). Returns
    per query: whether the nearest gallery trial is the same person, the
    chance of that for a random gallery trial, and the query's subject.
    """
    values, _, people = _inputs(codes, np.zeros(np.asarray(codes).shape[0]), subjects)
    visits = np.asarray(sessions)
    if visits.shape[0] != values.shape[0]:
        raise ValueError(f"sessions has {visits.shape[0]} entries but codes has {values.shape[0]} rows")
    scale = values.std(axis=0)
    standard = np.divide(values - values.mean(axis=0), scale, out=np.zeros_like(values), where=scale > 0)
    norms = np.linalg.norm(standard, axis=1, keepdims=True)
    unit = np.divide(standard, norms, out=np.zeros_like(standard), where=norms > 0)
    visit_keys = np.array([f"{person}\x1f{visit}" for person, visit in zip(people, visits)])
    sessions_per_subject = {person: np.unique(visit_keys[people == person]).size for person in np.unique(people)}
    queries = np.flatnonzero([sessions_per_subject[person] >= 2 for person in people])
    if queries.size == 0:
        raise ValueError("no subject has two or more sessions, so there is nothing to re-identify")
    correct, chance = np.empty(queries.size, dtype=bool), np.empty(queries.size)
    for start in range(0, queries.size, 512):
        block = queries[start : start + 512]
        similarity = unit[block] @ unit.T
        same_visit = visit_keys[block][:, None] == visit_keys[None, :]
        similarity[same_visit] = -np.inf
        nearest = similarity.argmax(axis=1)
        correct[start : start + block.size] = people[nearest] == people[block]
        same_person = (people[block][:, None] == people[None, :]) & ~same_visit
        chance[start : start + block.size] = same_person.sum(axis=1) / (~same_visit).sum(axis=1)
    return correct, chance, people[queries]


def _inputs(codes: ArrayLike, target: ArrayLike, groups: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = np.asarray(codes, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"codes must be a non-empty 2-D array (rows, features), got shape {values.shape}")
    y = np.asarray(target, dtype=np.float64)
    labels = np.asarray(groups)
    if y.shape != (values.shape[0],) or labels.shape != (values.shape[0],):
        raise ValueError(
            f"target and groups need one entry per row of codes ({values.shape[0]}), got {y.shape} and {labels.shape}"
        )
    if not (np.isfinite(values).all() and np.isfinite(y).all()):
        raise ValueError("codes and target must be finite (drop rows with a missing target first)")
    return values, y, labels
