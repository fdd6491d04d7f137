"""Is an explanation right? Truth agreement, randomisation sanity, faithfulness and statistics.

* Truth agreement: Spearman's ρ between the class-mean |relevance| map
  (channel × time) and the generator's true discriminability map, and the
  share of |relevance| inside the planted window (relevance-mass accuracy,
  Arras et al. 2022), next to the share a uniform map would put there.
* Sanity (Adebayo et al. 2018): maps of a model whose weights were re-drawn
  must differ from the trained model's; ρ near 0 passes.
* Faithfulness: the most relevant values are replaced by the training mean,
  in order of relevance, and the accuracy is re-measured; a faithful map
  makes it fall faster than a random order does.
* Statistics: ``spm1d`` two-sample t-tests per channel on subject-mean
  curves, and the overlap (Dice) of their supra-threshold samples with the
  most relevant ones.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import spearmanr

from analysis.relevance.training import probabilities


def class_mean_map(relevance: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean |relevance| per (channel, sample), averaged within each class, then over classes."""
    maps = [np.abs(relevance[labels == k]).mean(axis=0) for k in np.unique(labels)]
    return np.mean(maps, axis=0)


def rank_agreement(first: np.ndarray, second: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Spearman's ρ between two maps over the valid cells (a constant map gives NaN)."""
    a, b = first.ravel(), second.ravel()
    if valid is not None:
        a, b = a[valid.ravel()], b[valid.ravel()]
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def mass_inside(relevance_map: np.ndarray, mask: np.ndarray) -> float:
    """Share of the map's |relevance| inside ``mask``."""
    total = np.abs(relevance_map).sum()
    return float(np.abs(relevance_map)[mask].sum() / total) if total > 0 else float("nan")


def top_mask(relevance_map: np.ndarray, share: float) -> np.ndarray:
    """The ``share`` of cells with the largest |relevance|."""
    if not 0 < share < 1:
        raise ValueError(f"top_share must be between 0 and 1, got {share!r}")
    flat = np.abs(relevance_map).ravel()
    k = max(1, int(round(share * flat.size)))
    mask = np.zeros(flat.size, dtype=bool)
    mask[np.argsort(flat)[::-1][:k]] = True
    return mask.reshape(relevance_map.shape)


def dice(first: np.ndarray, second: np.ndarray) -> float:
    total = first.sum() + second.sum()
    return float(2 * (first & second).sum() / total) if total > 0 else float("nan")


def deletion_curve(
    model, x: np.ndarray, labels: np.ndarray, ranking: np.ndarray, baseline: np.ndarray, fractions: tuple[float, ...]
) -> np.ndarray:
    """Accuracy after replacing each trial's top ``fraction`` of values (by ``ranking``) with ``baseline``."""
    n, size = len(x), x[0].size
    order = np.argsort(-ranking.reshape(n, -1), axis=1)
    flat_base = np.broadcast_to(baseline, x.shape[1:]).ravel()
    accuracy = []
    for fraction in fractions:
        k = int(round(fraction * size))
        edited = x.reshape(n, -1).copy()
        if k:
            rows = np.repeat(np.arange(n), k)
            cols = order[:, :k].ravel()
            edited[rows, cols] = flat_base[cols]
        predicted = probabilities(model, edited.reshape(x.shape)).argmax(axis=1)
        accuracy.append(float((predicted == labels).mean()))
    return np.array(accuracy)


def subject_means(curves: np.ndarray, labels: np.ndarray, subjects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One mean curve per subject (channels × samples) and the subject's label."""
    ids = np.unique(subjects)
    means = np.stack([curves[subjects == s].mean(axis=0) for s in ids])
    groups = np.array([labels[subjects == s][0] for s in ids])
    return means, groups


def spm_tests(
    curves: np.ndarray, labels: np.ndarray, subjects: np.ndarray, alpha: float, channels: tuple[str, ...] | None = None
) -> tuple[np.ndarray, list[dict], list[str]]:
    """spm1d two-sample t-tests per channel on subject means (Bonferroni over channels).

    Returns the supra-threshold mask (channels × samples), one row per
    cluster (channel, start %, end %, p) and notes on dropped constant nodes:
    spm1d cannot test a sample with no variance (COP AP at 0 % stance,
    re-zeroed in every trial), so it is left out of that channel's test.
    """
    import spm1d

    means, groups = subject_means(curves, labels, subjects)
    n_channels, n_samples = curves.shape[1:]
    per_channel = alpha / n_channels
    mask = np.zeros((n_channels, n_samples), dtype=bool)
    clusters: list[dict] = []
    notes: list[str] = []
    for channel in range(n_channels):
        a, b = means[groups == 0, channel], means[groups == 1, channel]
        keep = (a.std(axis=0) > 1e-12) & (b.std(axis=0) > 1e-12)
        if not keep.all():
            name = channels[channel] if channels else f"channel {channel}"
            dropped = ", ".join(f"{int(position)} %" for position in np.flatnonzero(~keep))
            notes.append(f"{name}: sample at {dropped}")
        positions = np.flatnonzero(keep)
        # spm1d needs a contiguous field; the constant nodes sit at the curve ends.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = spm1d.stats.ttest2(a[:, positions], b[:, positions], equal_var=False).inference(
                per_channel, two_tailed=True
            )
        mask[channel, positions] = np.abs(result.z) > result.zstar
        for cluster in result.clusters:
            start, end = cluster.endpoints
            clusters.append(
                {
                    "channel": channel,
                    "start": int(positions[int(np.floor(start))]),
                    "end": int(positions[min(int(np.ceil(end)), positions.size - 1)]),
                    "p": float(cluster.P),
                }
            )
    return mask, clusters, notes


def atom_agreement(relevance_map: np.ndarray, atoms: np.ndarray, chosen: int) -> tuple[float, float]:
    """Spearman's ρ between |relevance| and the |atom| of feature ``chosen``, and the share of all atoms it beats.

    ``atoms`` (features, channels, samples) are curve patterns of other
    features; the share says whether the chosen one resembles the map more
    than a feature picked at random would.
    """
    if not 0 <= chosen < len(atoms):
        raise ValueError(f"chosen feature {chosen} is not among the {len(atoms)} atoms")
    rhos = np.array([rank_agreement(np.abs(relevance_map), np.abs(atom)) for atom in atoms])
    rho = float(rhos[chosen])
    others = np.delete(rhos, chosen)
    others = others[np.isfinite(others)]
    beaten = float((others < rho).mean()) if others.size else float("nan")
    return rho, beaten
