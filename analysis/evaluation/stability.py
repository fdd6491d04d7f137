"""Is a dictionary of features a property of the data or of one training run?

Three questions, each asked of decoder atoms (one row per feature, in the
input space) or of codes (rows = samples, columns = features):

* **Use.** Dead features never fire; dense ones fire on most rows and act as a
  bias rather than a feature (:func:`usage`).
* **Redundancy.** Two atoms that point the same way describe one pattern
  twice (:func:`atom_redundancy`: each atom's largest |cosine| with another).
* **Stability.** Two runs (seeds, or disjoint sets of subjects) learn a set
  of atoms each; the best one-to-one pairing (Hungarian algorithm,
  :func:`scipy.optimize.linear_sum_assignment`) says how many features come
  back (Paulo & Belrose 2025). Atoms are compared by |cosine|, so a feature
  whose sign is arbitrary (PCA, ICA) counts as the same feature. Random atoms
  of the same shape give the chance level (:func:`random_atom_null`).

Clusters get the same treatment: the agreement (adjusted Rand index) of two
partitions of the same rows, and clusters that are one person in disguise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

DENSE_SHARE = 0.5  # a feature active on more than this share of rows is dense
STABLE_COSINE = 0.9  # a matched pair above this |cosine| is the same feature (Paulo & Belrose 2025)
SINGLE_PERSON_SHARE = 0.9  # a cluster with this share of its rows from one subject is that subject


@dataclass(frozen=True)
class Matching:
    """The best one-to-one pairing of two atom sets."""

    rows: np.ndarray  # indices into the first set
    columns: np.ndarray  # the matched indices into the second set
    cosines: np.ndarray  # |cosine| of each matched pair

    @property
    def mean_cosine(self) -> float:
        return float(self.cosines.mean())

    def share_above(self, threshold: float = STABLE_COSINE) -> float:
        return float((self.cosines > threshold).mean())


def _atoms(atoms: ArrayLike, name: str) -> np.ndarray:
    values = np.asarray(atoms, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (atoms, inputs), got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} has non-finite values")
    return values


def _unit(values: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.divide(values, norms, out=np.zeros_like(values), where=norms > 0)


def abs_cosines(first: ArrayLike, second: ArrayLike) -> np.ndarray:
    """|cosine| between every atom of ``first`` and every atom of ``second`` (a zero atom matches nothing)."""
    a, b = _atoms(first, "first"), _atoms(second, "second")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"first has atoms of length {a.shape[1]} but second of length {b.shape[1]}")
    return np.abs(_unit(a) @ _unit(b).T)


def hungarian_match(first: ArrayLike, second: ArrayLike) -> Matching:
    """The one-to-one pairing of atoms that maximises the summed |cosine|.

    With unequal numbers of atoms, the smaller set is matched completely.
    """
    similarity = abs_cosines(first, second)
    rows, columns = linear_sum_assignment(similarity, maximize=True)
    return Matching(rows=rows, columns=columns, cosines=similarity[rows, columns])


def random_atom_null(n_atoms: int, n_inputs: int, n_draws: int = 20, seed: int = 0) -> np.ndarray:
    """Mean matched |cosine| of pairs of random Gaussian atom sets: the chance level of :func:`hungarian_match`."""
    for value, name in ((n_atoms, "n_atoms"), (n_inputs, "n_inputs"), (n_draws, "n_draws")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    return np.array(
        [
            hungarian_match(rng.normal(size=(n_atoms, n_inputs)), rng.normal(size=(n_atoms, n_inputs))).mean_cosine
            for _ in range(n_draws)
        ]
    )


def atom_redundancy(atoms: ArrayLike) -> np.ndarray:
    """Each atom's largest |cosine| with any other atom of the same set (NaN for fewer than two atoms)."""
    values = _atoms(atoms, "atoms")
    if values.shape[0] < 2:
        return np.full(values.shape[0], np.nan)
    similarity = np.abs(_unit(values) @ _unit(values).T)
    np.fill_diagonal(similarity, -np.inf)
    return similarity.max(axis=1)


def usage(codes: ArrayLike, dense_share: float = DENSE_SHARE) -> dict[str, float]:
    """Shares of dead features (never non-zero) and dense ones (non-zero on more than ``dense_share`` of rows).

    For dense codes (PCA, ICA) every feature is "dense" by this rule; that is
    what they are.
    """
    values = np.asarray(codes, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"codes must be a non-empty 2-D array (rows, features), got shape {values.shape}")
    if not 0.0 < dense_share < 1.0:
        raise ValueError(f"dense_share must lie in (0, 1), got {dense_share}")
    firing = (values != 0).mean(axis=0)
    return {"dead_share": float((firing == 0).mean()), "dense_share": float((firing > dense_share).mean())}


def cluster_labels(codes: ArrayLike, n_clusters: int, seed: int = 0) -> np.ndarray:
    """KMeans labels of standardised codes (features scaled to unit variance; constant ones dropped)."""
    values = np.asarray(codes, dtype=np.float64)
    return _kmeans(values, n_clusters, seed).labels_


def _kmeans(values: np.ndarray, n_clusters: int, seed: int) -> KMeans:
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or n_clusters < 2:
        raise ValueError(f"n_clusters must be an integer ≥ 2, got {n_clusters!r}")
    if values.ndim != 2 or values.shape[0] < n_clusters:
        raise ValueError(f"codes must be 2-D with at least n_clusters={n_clusters} rows, got shape {values.shape}")
    return KMeans(n_clusters=int(n_clusters), n_init=4, random_state=seed).fit(values)


def standardised(codes: ArrayLike, reference: ArrayLike | None = None) -> np.ndarray:
    """Codes centred and scaled by the columns of ``reference`` (default: themselves); constant columns → 0."""
    values = np.asarray(codes, dtype=np.float64)
    basis = values if reference is None else np.asarray(reference, dtype=np.float64)
    scale = basis.std(axis=0)
    return np.divide(values - basis.mean(axis=0), scale, out=np.zeros_like(values), where=scale > 0)


def partition_agreement(first: ArrayLike, second: ArrayLike) -> float:
    """Adjusted Rand index of two labelings of the same rows (1 identical, about 0 chance)."""
    a, b = np.asarray(first), np.asarray(second)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"labelings must be 1-D and of equal length, got shapes {a.shape} and {b.shape}")
    return float(adjusted_rand_score(a, b))


def held_out_cluster_agreement(codes: ArrayLike, subjects: ArrayLike, n_clusters: int, seed: int = 0) -> float:
    """Do clusters found on one half of the subjects describe the other half?

    Subjects are split in two at random; KMeans fitted on half A labels half
    B's rows, and is compared (ARI) with KMeans fitted on half B itself. The
    codes are standardised on all rows first.
    """
    values = standardised(codes)
    people = np.asarray(subjects)
    if people.shape[0] != values.shape[0]:
        raise ValueError(f"subjects has {people.shape[0]} entries but codes has {values.shape[0]} rows")
    unique = np.unique(people)
    if unique.size < 4:
        raise ValueError(f"held-out cluster agreement needs at least 4 subjects, got {unique.size}")
    half = np.random.default_rng(seed).permutation(unique)[: unique.size // 2]
    in_a = np.isin(people, half)
    from_a = _kmeans(values[in_a], n_clusters, seed).predict(values[~in_a])
    own = _kmeans(values[~in_a], n_clusters, seed).labels_
    return partition_agreement(from_a, own)


def single_person_clusters(labels: ArrayLike, subjects: ArrayLike, share: float = SINGLE_PERSON_SHARE) -> pd.DataFrame:
    """Clusters whose rows come (≥ ``share``) from one subject: columns cluster, rows, subject, subject_share."""
    cluster, people = np.asarray(labels), np.asarray(subjects)
    if cluster.shape != people.shape:
        raise ValueError(f"labels and subjects differ in length: {cluster.shape} vs {people.shape}")
    rows = []
    for value in np.unique(cluster):
        members = people[cluster == value]
        names, counts = np.unique(members, return_counts=True)
        top = int(np.argmax(counts))
        if counts[top] / members.size >= share:
            rows.append({"cluster": value, "rows": int(members.size), "subject": names[top], "subject_share": counts[top] / members.size})
    return pd.DataFrame(rows, columns=["cluster", "rows", "subject", "subject_share"])
