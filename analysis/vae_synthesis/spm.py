"""Statistical parametric mapping over stance: where, if anywhere, do generated curves differ from the cohort's?

Two-sample t per channel and Hotelling's T² over all ten channels at once,
both with non-parametric inference: group labels are permuted (seeded), and
the 1 − α quantile of the maximum statistic over stance is the critical
threshold, as in spm1d's non-parametric tests. The observed t field is
spm1d's own ``ttest2``; the permutations are done here with the same
formula, all relabellings at once as matrix products (spm1d 0.4's
non-parametric module predates NumPy 2).
Nodes where a channel does not vary (COP AP is zero at sample 0 by the
format's convention) are dropped with a note, because a test statistic is
undefined there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import spm1d

CONSTANT = 1e-12


def _constant_nodes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    pooled = np.concatenate([a, b])
    return pooled.std(axis=0) <= CONSTANT * np.maximum(1.0, np.abs(pooled.mean(axis=0)))


def t_field(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pooled-variance two-sample t at every node (a: (n_a, Q), b: (n_b, Q))."""
    n_a, n_b = len(a), len(b)
    pooled = ((n_a - 1) * a.var(axis=0, ddof=1) + (n_b - 1) * b.var(axis=0, ddof=1)) / (n_a + n_b - 2)
    return (a.mean(axis=0) - b.mean(axis=0)) / np.sqrt(pooled * (1 / n_a + 1 / n_b))


def _clusters(statistic: np.ndarray, threshold: float, null_max: np.ndarray, kept: np.ndarray) -> list[tuple[float, float, float]]:
    """Supra-threshold runs as (start % stance, end % stance, p of the run's peak under the max-statistic null)."""
    above = np.abs(statistic) > threshold
    runs, start = [], None
    nodes = np.flatnonzero(kept)
    for index, flag in enumerate(np.r_[above, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            peak = np.abs(statistic[start:index]).max()
            runs.append((float(nodes[start]), float(nodes[index - 1]), float((null_max >= peak).mean())))
            start = None
    return runs


def _first_group_masks(n: int, n_first: int, permutations: int, seed: int) -> np.ndarray:
    """(permutations, n) indicator rows: which samples each relabelling puts in the first group."""
    order = np.argsort(np.random.default_rng(seed).random((permutations, n)), axis=1)
    masks = np.zeros((permutations, n))
    np.put_along_axis(masks, order[:, :n_first], 1.0, axis=1)
    return masks


def permuted_max_t(pooled: np.ndarray, n_first: int, permutations: int, seed: int) -> np.ndarray:
    """Maximum |t| over nodes for every relabelling, all at once (sums by matrix products)."""
    masks = _first_group_masks(len(pooled), n_first, permutations, seed)
    n_second = len(pooled) - n_first
    centred = pooled - pooled.mean(axis=0)  # t is shift-invariant; centring keeps the sums of squares accurate
    sum_first, square_first = masks @ centred, masks @ centred**2
    sum_all, square_all = centred.sum(axis=0), (centred**2).sum(axis=0)
    mean_first, mean_second = sum_first / n_first, (sum_all - sum_first) / n_second
    ss_first = square_first - n_first * mean_first**2
    ss_second = (square_all - square_first) - n_second * mean_second**2
    pooled_variance = (ss_first + ss_second) / (len(pooled) - 2)
    t = (mean_first - mean_second) / np.sqrt(pooled_variance * (1 / n_first + 1 / n_second))
    return np.abs(t).max(axis=1)


def permutation_ttest(a: np.ndarray, b: np.ndarray, permutations: int, seed: int, alpha: float) -> dict:
    """Two-tailed non-parametric two-sample test of one channel (rows are subjects' curves)."""
    if permutations < 10:
        raise ValueError(f"permutations must be ≥ 10, got {permutations!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    constant = _constant_nodes(a, b)
    kept = ~constant
    a_kept, b_kept = a[:, kept], b[:, kept]
    observed = np.asarray(spm1d.stats.ttest2(a_kept, b_kept).z)
    null_max = permuted_max_t(np.concatenate([a_kept, b_kept]), len(a), permutations, seed)
    threshold = float(np.quantile(null_max, 1 - alpha))
    note = f"{int(constant.sum())} constant node(s) dropped" if constant.any() else ""
    return {
        "max |t|": float(np.abs(observed).max()),
        "critical t": threshold,
        "clusters": _clusters(observed, threshold, null_max, kept),
        "note": note,
    }


def channel_tests(
    cohort: np.ndarray, generated: np.ndarray, channels: tuple[str, ...], permutations: int, seed: int, alpha: float = 0.05
) -> pd.DataFrame:
    """Every channel tested, Bonferroni over channels (α / number of channels each)."""
    if cohort.shape[1:] != generated.shape[1:] or cohort.shape[1] != len(channels):
        raise ValueError(f"curve shapes {cohort.shape} and {generated.shape} do not match {len(channels)} channels")
    rows = []
    for index, channel in enumerate(channels):
        result = permutation_ttest(cohort[:, index], generated[:, index], permutations, seed + index, alpha / len(channels))
        clusters = result["clusters"]
        rows.append(
            {
                "channel": channel,
                "max |t|": result["max |t|"],
                "critical t": result["critical t"],
                "significant": bool(clusters),
                "clusters (% stance, p)": "; ".join(f"{start:.0f}–{end:.0f} % (p = {p:.3f})" for start, end, p in clusters) or "none",
                "note": result["note"],
            }
        )
    return pd.DataFrame(rows)


def hotelling(cohort: np.ndarray, generated: np.ndarray, permutations: int, seed: int, alpha: float = 0.05) -> dict:
    """Hotelling's T² of all channels jointly at each node, max-statistic permutation inference.

    Nodes where any channel is constant are dropped (noted). The permutation
    null uses that the total scatter does not change when labels are
    permuted: with T the total scatter per node and d the mean difference,
    dᵀ S_w⁻¹ d follows from q = dᵀ T⁻¹ d by the Sherman–Morrison identity.
    """
    if permutations < 10:
        raise ValueError(f"permutations must be ≥ 10, got {permutations!r}")
    a = np.transpose(cohort, (0, 2, 1))  # (n, Q, I)
    b = np.transpose(generated, (0, 2, 1))
    constant = _constant_nodes(a, b).any(axis=1)
    a, b = a[:, ~constant], b[:, ~constant]
    n_a, n_b = len(a), len(b)
    pooled = np.concatenate([a, b])
    n = n_a + n_b
    centred = pooled - pooled.mean(axis=0)
    total = np.einsum("nqi,nqj->qij", centred, centred)
    total_inverse = np.linalg.inv(total)
    factor = n_a * n_b / n

    def statistic(first: np.ndarray) -> np.ndarray:
        mean_a = pooled[first].mean(axis=0)
        mean_b = (pooled.sum(axis=0) - pooled[first].sum(axis=0)) / n_b
        d = mean_a - mean_b
        q = np.einsum("qi,qij,qj->q", d, total_inverse, d)
        # S_w = T − factor·d dᵀ; T² = factor (n − 2) dᵀ S_w⁻¹ d
        return factor * (n - 2) * q / (1 - factor * q)

    observed = statistic(np.arange(n_a))
    flat = pooled.reshape(n, -1)
    sums_first = (_first_group_masks(n, n_a, permutations, seed) @ flat).reshape(permutations, *pooled.shape[1:])
    d = sums_first / n_a - (pooled.sum(axis=0) - sums_first) / n_b
    q = np.einsum("pqi,qij,pqj->pq", d, total_inverse, d)
    null_max = (factor * (n - 2) * q / (1 - factor * q)).max(axis=1)
    threshold = float(np.quantile(null_max, 1 - alpha))
    parametric = spm1d.stats.hotellings2(a, b).inference(alpha)
    return {
        "max T²": float(observed.max()),
        "critical T²": threshold,
        "p": float((null_max >= observed.max()).mean()),
        "significant": bool(observed.max() > threshold),
        "parametric (RFT) significant": bool(parametric.h0reject),
        "note": f"{int(constant.sum())} node(s) where a channel is constant dropped" if constant.any() else "",
    }


def plant_bump(curves: np.ndarray, channel: int, centre: np.ndarray, amplitude: float, width: float = 4.0) -> np.ndarray:
    """``curves`` with a smooth Gaussian bump of ``amplitude`` added to ``channel`` at each trial's ``centre`` sample."""
    grid = np.arange(curves.shape[-1])
    planted = curves.copy()
    planted[:, channel] += amplitude * np.exp(-0.5 * ((grid[None, :] - np.asarray(centre, dtype=float)[:, None]) / width) ** 2)
    return planted
