"""Probes keep subjects apart, use exactly k features, find real signal and not shuffled signal."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.evaluation import probes


def cohort(n_subjects: int = 30, trials: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes with one informative feature for a subject-level attribute, plus a 0/1 label and sessions."""
    rng = np.random.default_rng(seed)
    subjects = np.repeat(np.arange(n_subjects), trials)
    attribute = rng.normal(size=n_subjects)[subjects]
    codes = rng.normal(size=(subjects.size, 12))
    codes[:, 3] = attribute + 0.1 * rng.normal(size=subjects.size)
    sessions = np.tile(np.repeat([1, 2], trials // 2), n_subjects)
    return codes, attribute, subjects, sessions


def test_grouped_folds_never_share_a_subject() -> None:
    _, _, subjects, _ = cohort()
    for train, test in probes.grouped_folds(subjects, 5):
        assert not set(subjects[train]) & set(subjects[test])
    label = (subjects % 2).astype(float)
    for train, test in probes.grouped_folds(subjects, 5, target=label):
        assert not set(subjects[train]) & set(subjects[test])


def test_sparse_probe_uses_exactly_k_features_and_finds_the_informative_one() -> None:
    codes, attribute, subjects, _ = cohort()
    for k in (1, 5):
        result = probes.sparse_probe(codes, attribute, subjects, k=k)
        assert all(features.size == k for features in result.features)
    one = probes.sparse_probe(codes, attribute, subjects, k=1)
    assert all(features.tolist() == [3] for features in one.features)
    assert one.score > 0.9


def test_classification_probe_scores_auc() -> None:
    codes, attribute, subjects, _ = cohort()
    label = (attribute > 0).astype(float)
    result = probes.sparse_probe(codes, label, subjects, k=1, kind="classification")
    assert result.score > 0.9


def test_permutation_null_stays_near_zero() -> None:
    codes, attribute, subjects, _ = cohort()
    null = probes.permutation_null(codes, attribute, subjects, k=1, n_permutations=5)
    assert null.shape == (5,)
    assert null.max() < 0.3


def test_reidentification_of_subject_signatures() -> None:
    rng = np.random.default_rng(1)
    subjects = np.repeat(np.arange(10), 4)
    sessions = np.tile([1, 1, 2, 2], 10)
    signature = rng.normal(size=(10, 6))[subjects]
    correct, chance, queried = probes.reidentification(signature + 0.01 * rng.normal(size=signature.shape), subjects, sessions)
    assert correct.all()
    assert chance == pytest.approx(np.full(40, 2 / 38))
    assert queried.size == 40


def test_bad_parameters_raise_clear_errors() -> None:
    codes, attribute, subjects, sessions = cohort()
    with pytest.raises(ValueError, match="k must be"):
        probes.sparse_probe(codes, attribute, subjects, k=13)
    with pytest.raises(ValueError, match="kind"):
        probes.sparse_probe(codes, attribute, subjects, k=1, kind="ranking")
    with pytest.raises(ValueError, match="0/1"):
        probes.sparse_probe(codes, attribute, subjects, k=1, kind="classification")
    with pytest.raises(ValueError, match="n_splits"):
        probes.grouped_folds(subjects, 1)
    with pytest.raises(ValueError, match="exceeds"):
        probes.grouped_folds(subjects[:8], 5)
    with pytest.raises(ValueError, match="one entry per row"):
        probes.sparse_probe(codes, attribute[:-1], subjects, k=1)
    with pytest.raises(ValueError, match="two or more sessions"):
        probes.reidentification(codes, subjects, np.ones_like(sessions))
