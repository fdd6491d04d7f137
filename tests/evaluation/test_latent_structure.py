"""Metrics on constructed data whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from analysis.evaluation import latent_structure

from code_tables import blobs, codes, make_trials, trials  # noqa: F401


def test_effective_perplexity_is_clipped_for_small_sets() -> None:
    assert latent_structure.effective_perplexity(1000, 30) == 30
    assert latent_structure.effective_perplexity(40, 30) == 13
    with pytest.raises(ValueError, match="at least 5 inputs, got 4"):
        latent_structure.effective_perplexity(4, 30)


def test_tsne_embedding_is_deterministic() -> None:
    codes = np.random.default_rng(9).normal(0, 1, (30, 5))
    with threadpool_limits(limits=1):
        first = latent_structure.tsne_embedding(codes, perplexity=30, seed=0)
        again = latent_structure.tsne_embedding(codes, perplexity=30, seed=0)
    assert first.shape == (30, 2)
    np.testing.assert_array_equal(first, again)


def test_neighbourhood_agreement_tells_a_gradient_from_noise() -> None:
    rng = np.random.default_rng(10)
    points = rng.uniform(0, 1, (300, 2))
    gradient = points[:, 0] + rng.normal(0, 0.02, 300)
    noise = rng.normal(0, 1, 300)
    assert latent_structure.neighbourhood_agreement(points, gradient) > 0.95
    assert abs(latent_structure.neighbourhood_agreement(points, noise)) < 0.2
    # Each group sits at one spot and shares one value: a gradient only within groups.
    centres = rng.uniform(0, 100, (30, 2))
    group = np.repeat(np.arange(30), 10)
    clumped = centres[group] + rng.normal(0, 0.01, (300, 2))
    value = rng.normal(0, 1, 30)[group]
    assert latent_structure.neighbourhood_agreement(clumped, value) > 0.99
    assert abs(latent_structure.neighbourhood_agreement(clumped, value, groups=group)) < 0.4


def test_cluster_codes_recovers_blobs_ordered_along_pc1() -> None:
    codes, truth = blobs()
    result = latent_structure.cluster_codes(codes, k=3, seed=0)
    assert adjusted_rand_score(truth, result.labels) == 1.0
    assert result.k == 3
    assert np.all(np.diff(result.centroids_pca[:, 0]) > 0)
    assert result.pca_coordinates.shape == (120, 2)
    assert result.explained_variance_ratio[0] > 0.9
    assert result.between_cluster_share[0] > 0.95 > result.between_cluster_share[1]
    again = latent_structure.cluster_codes(codes, k=3, seed=0)
    np.testing.assert_array_equal(result.labels, again.labels)
    with pytest.raises(ValueError, match="cannot form 3 clusters from 2 distinct code vectors"):
        latent_structure.cluster_codes(np.repeat(np.eye(2), 5, axis=0), k=3)


def test_cluster_composition_and_association() -> None:
    codes, truth = blobs()
    trials = make_trials(n_subjects=20, trials_per_subject=6)
    result = latent_structure.cluster_codes(codes, k=3, seed=0)
    composition = latent_structure.cluster_composition(result.labels, trials)
    assert composition["n_trials"].tolist() == [40, 40, 40]
    first = (result.labels == 0)
    assert composition.loc[0, "n_subjects"] == trials.loc[first, "SUBJECT_ID"].nunique()
    assert composition.loc[0, "HEIGHT_mean"] == pytest.approx(trials.loc[first, "HEIGHT"].mean())
    assert composition.loc[0, "share_male"] == pytest.approx(trials.loc[first, "SUBJECT_SEX"].mean())
    # One attribute is the cluster itself; the others are unrelated to it.
    aligned = trials.assign(HEIGHT=truth * 10.0 + 160)
    association = latent_structure.cluster_attribute_association(result, aligned).set_index("attribute")
    assert association.loc["HEIGHT", "ami"] == pytest.approx(1.0)
    assert abs(association.loc["HEIGHT", "pc1_r"]) > 0.95
    assert association.loc["AGE", "n"] == 114
    assert abs(association.loc["BODY_WEIGHT", "ami"]) < 0.15
    assert list(association.index) == ["WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT", "SUBJECT_SEX"]


# --- summaries over seeds ---------------------------------------------------
