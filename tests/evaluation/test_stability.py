"""Hungarian matching finds permuted atoms, redundancy and usage count what they say, clusters are compared fairly."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.evaluation import stability


def test_hungarian_match_recovers_a_permuted_sign_flipped_copy() -> None:
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=(12, 40))
    order = rng.permutation(12)
    signs = rng.choice([-1.0, 1.0], size=(12, 1))
    copy = 3.0 * signs * atoms[order]  # scaled, re-signed, reordered
    match = stability.hungarian_match(atoms, copy)
    assert match.mean_cosine == pytest.approx(1.0)
    assert match.share_above(0.9) == 1.0
    # Atom i of the first set is atom position j of the copy with order[j] == i.
    assert np.array_equal(order[match.columns], match.rows)


def test_random_atoms_match_far_below_one_and_null_is_reproducible() -> None:
    null = stability.random_atom_null(20, 200, n_draws=4, seed=1)
    assert null.shape == (4,)
    assert (null < 0.3).all()
    assert np.array_equal(null, stability.random_atom_null(20, 200, n_draws=4, seed=1))


def test_unequal_sets_match_the_smaller_one_completely() -> None:
    rng = np.random.default_rng(2)
    atoms = rng.normal(size=(8, 30))
    match = stability.hungarian_match(atoms[:5], atoms)
    assert match.cosines.size == 5
    assert match.mean_cosine == pytest.approx(1.0)


def test_redundancy_is_one_for_a_duplicated_atom_and_zero_for_orthogonal_ones() -> None:
    orthogonal = np.eye(4)
    assert np.allclose(stability.atom_redundancy(orthogonal), 0.0)
    duplicated = np.vstack([orthogonal, -2 * orthogonal[:1]])
    redundancy = stability.atom_redundancy(duplicated)
    assert redundancy[0] == pytest.approx(1.0) and redundancy[-1] == pytest.approx(1.0)


def test_usage_counts_dead_and_dense_features() -> None:
    codes = np.zeros((10, 4))
    codes[:, 1] = 1.0  # always on: dense
    codes[:3, 2] = 1.0  # on 30 %: neither
    # feature 0 and 3: dead
    assert stability.usage(codes) == {"dead_share": 0.5, "dense_share": 0.25}


def test_single_person_clusters_are_named() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    subjects = np.array(["a", "a", "a", "b", "c", "b", "c"])
    table = stability.single_person_clusters(labels, subjects)
    assert table["cluster"].tolist() == [0]
    assert table["subject"].tolist() == ["a"]


def test_partition_agreement_ignores_label_names() -> None:
    assert stability.partition_agreement([0, 0, 1, 1], [5, 5, 2, 2]) == pytest.approx(1.0)


def test_held_out_clusters_agree_on_clearly_separated_groups() -> None:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [10.0, 10.0]])
    codes = np.vstack([centres[index % 2] + rng.normal(scale=0.1, size=2) for index in range(80)])
    subjects = np.repeat(np.arange(16), 5)
    assert stability.held_out_cluster_agreement(codes, subjects, n_clusters=2) == pytest.approx(1.0)


def test_bad_parameters_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="atoms of length"):
        stability.hungarian_match(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="n_atoms"):
        stability.random_atom_null(0, 3)
    with pytest.raises(ValueError, match="dense_share"):
        stability.usage(np.ones((2, 2)), dense_share=1.5)
    with pytest.raises(ValueError, match="n_clusters"):
        stability.cluster_labels(np.ones((5, 2)), n_clusters=1)
    with pytest.raises(ValueError, match="at least 4 subjects"):
        stability.held_out_cluster_agreement(np.ones((6, 2)), np.array([1, 1, 2, 2, 3, 3]), n_clusters=2)
