"""Folds that keep people apart, and the leaky trial split shown once as an ablation.

People are identifiable from their ground reaction forces, so a split of
trials lets a network recognise the person instead of the group. Every fold
here is stratified by the subject's label and grouped by subject; a
validation set of whole subjects is held out of each training fold for early
stopping.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

Fold = tuple[np.ndarray, np.ndarray]


def check_classes(labels: np.ndarray, subjects: np.ndarray, n_folds: int, class_names: tuple[str, ...] | None = None) -> None:
    """Refuse contrasts that cannot fill ``n_folds`` subject-grouped folds with both groups."""
    if n_folds < 2:
        raise ValueError(f"n_folds must be at least 2, got {n_folds}")
    present = np.unique(labels)
    if present.size < 2:
        named = [class_names[k] if class_names else str(k) for k in present]
        raise ValueError(f"fewer than two classes with data: only {named} has trials")
    for k in present:
        n_subjects = np.unique(subjects[labels == k]).size
        if n_subjects < n_folds:
            name = class_names[k] if class_names else str(k)
            raise ValueError(
                f"class {name!r} has {n_subjects} subject(s), fewer than n_folds={n_folds}: "
                "a test fold would have no subject of it"
            )


def grouped_folds(
    labels: np.ndarray, subjects: np.ndarray, n_folds: int, seed: int, class_names: tuple[str, ...] | None = None
) -> list[Fold]:
    """(train, test) positions of ``n_folds`` folds, stratified by label, no subject on both sides."""
    check_classes(labels, subjects, n_folds, class_names)
    splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    folds = [(train, test) for train, test in splitter.split(np.zeros(labels.size), labels, groups=subjects)]
    for index, (_, test) in enumerate(folds):
        missing = [k for k in np.unique(labels) if not (labels[test] == k).any()]
        if missing:
            name = class_names[missing[0]] if class_names else str(missing[0])
            raise ValueError(f"class {name!r} has no subject in test fold {index}; use fewer folds or more subjects")
    return folds


def trial_folds(labels: np.ndarray, n_folds: int, seed: int) -> list[Fold]:
    """The leaky split: trials stratified by label, a person's trials on both sides (ablation only)."""
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(labels.size), labels))


def validation_split(labels: np.ndarray, subjects: np.ndarray, rows: np.ndarray, share: float, seed: int) -> Fold:
    """Split the training positions ``rows`` into (fit, validation) by whole subjects, stratified by label."""
    if not 0 < share < 0.5:
        raise ValueError(f"validation_share must be between 0 and 0.5, got {share!r}")
    rng = np.random.default_rng(seed)
    validation: list[np.ndarray] = []
    for k in np.unique(labels[rows]):
        ids = np.unique(subjects[rows][labels[rows] == k])
        n = max(1, int(round(share * ids.size)))
        if ids.size - n < 1:
            raise ValueError(f"class {k} has too few training subjects ({ids.size}) for a validation split")
        validation.append(rng.choice(ids, size=n, replace=False))
    held = np.isin(subjects[rows], np.concatenate(validation))
    return rows[~held], rows[held]


def disjoint(folds: list[Fold], subjects: np.ndarray) -> bool:
    """Whether no subject has trials on both sides of any fold."""
    return all(not set(subjects[train]) & set(subjects[test]) for train, test in folds)
