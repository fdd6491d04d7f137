"""Structure of a code matrix: t-SNE maps, neighbourhood agreement, clusters.

Clusters and neighbourhoods are compared with attributes and subjects, so the
rows of ``codes`` are aligned with the rows of a ``trials`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_mutual_info_score
from sklearn.neighbors import NearestNeighbors

from analysis.data.tables import numeric_column, require_columns
from analysis.evaluation.arrays import as_codes
from analysis.evaluation.attribute_correlation import ATTRIBUTES, correlate

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
    r, _, _ = correlate(attribute[:, None], neighbour_means, "pearson")
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
        r, _, n = correlate(pc1, values, "pearson")
        rows.append({"attribute": attribute, "n": n, "ami": ami, "pc1_r": float(r[0])})
    return pd.DataFrame(rows)
