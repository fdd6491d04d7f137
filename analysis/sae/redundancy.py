"""Importance and redundancy of latent features over models and seeds (Section 4.4).

Three of the study's observations are about how the latent features share
the work: importance is "roughly uniform" (C8), reconstructions from single
features "look alike" (C9), and the strongest pairwise correlation of
feature activations is ≈0.4 for the SAE, ≈0.25 with the disentanglement
term and in between for the Sparse VAE (C10). This module computes the
numbers behind each, for every trained model and seed, with the measures of
:mod:`analysis.evaluation` and the reading rules of :mod:`analysis.sae.claims`.

Why single-feature patterns are compared as deviations: a decoded one-hot
code is the decoder's bias (the zero-code reconstruction, close to the mean
gait curve) plus the feature's own contribution. Reconstructions that all
contain the same mean curve look alike whatever the features encode, so the
similarity of the contributions is the measure of redundancy, and the
similarity of the whole reconstructions is reported beside it to show how
much of the study's impression the shared baseline explains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.config import MODEL_LABELS
from analysis.engine.training import TrainedModel
from analysis.evaluation import code_measures, seed_summary
from analysis.sae import claims
from analysis.sae.study import Study, feature_patterns

# Two single-feature patterns with a cosine above this are near duplicates.
NEAR_DUPLICATE_COSINE = 0.9
# Share of the latent variance for "how many features carry half of it".
VARIANCE_SHARE = 0.5
# The study's maximum pairwise |r| (C10); the Sparse VAE lies "in between".
PAPER_MAX_PAIRWISE_R: dict[str, float] = claims.PAPER_MAX_PAIRWISE_R
# C10's order of the maximum pairwise |r|, from lowest to highest.
PAIRWISE_ORDER: tuple[str, ...] = claims.PAIRWISE_ORDER

Runs = Mapping[str, Sequence[TrainedModel]]


def top_features(importance: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` features with the largest importance, largest first (ties: lower index)."""
    shares = np.asarray(importance, dtype=float).ravel()
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return np.argsort(-shares, kind="stable")[: min(k, shares.size)]


def effective_number(importance: np.ndarray) -> float:
    """exp(Shannon entropy) of the importance shares: how many equal features would spread it alike.

    Equals k for a uniform split over k features and 1 when one feature
    carries everything; it is k ** evenness (``code_measures.importance_evenness``).
    """
    shares = np.asarray(importance, dtype=float).ravel()
    return float(shares.size ** code_measures.importance_evenness(shares))


def features_for_share(importance: np.ndarray, share: float = VARIANCE_SHARE) -> int:
    """The fewest features whose importance adds up to at least ``share`` of the total."""
    if not 0 < share <= 1:
        raise ValueError(f"share must lie in (0, 1], got {share}")
    shares = np.asarray(importance, dtype=float).ravel()
    if shares.size == 0 or (shares < 0).any() or not np.isfinite(shares).all() or shares.sum() <= 0:
        raise ValueError("importance must be a non-empty, finite, non-negative array that is not all zero")
    cumulative = np.cumsum(np.sort(shares)[::-1]) / shares.sum()
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


def near_duplicate_pairs(similarity: np.ndarray, threshold: float = NEAR_DUPLICATE_COSINE) -> int:
    """Number of feature pairs (i < j) whose similarity exceeds ``threshold``; NaN entries never count."""
    square = code_measures.as_square(similarity)
    upper = square[np.triu_indices(square.shape[0], k=1)]
    return int((upper[np.isfinite(upper)] > threshold).sum())


def pattern_summary(patterns: np.ndarray, baseline: np.ndarray, threshold: float = NEAR_DUPLICATE_COSINE) -> dict[str, float]:
    """How alike the single-feature patterns of one model are.

    ``patterns`` is ``(k, channels, samples)``, ``baseline`` the zero-code
    reconstruction ``(channels, samples)``. Returns: live_patterns (features
    whose pattern differs from the baseline), mean_cosine and
    pattern_similarity (mean signed and mean absolute off-diagonal cosine of
    the deviations from the baseline), near_duplicate_pairs (deviation
    cosine above ``threshold``) and whole_pattern_cosine (mean cosine of the
    full reconstructions of the live features, baseline included).
    """
    array = np.asarray(patterns, dtype=float)
    base = np.asarray(baseline, dtype=float)
    if array.ndim != 3 or base.shape != array.shape[1:]:
        raise ValueError(f"patterns must be (k, channels, samples) and baseline (channels, samples), got {array.shape} and {base.shape}")
    deviations = array - base
    live = np.linalg.norm(deviations.reshape(len(array), -1), axis=1) > 0
    similarity = code_measures.pattern_similarity(deviations)
    whole = code_measures.pattern_similarity(array[live]) if live.sum() >= 2 else np.full((1, 1), np.nan)
    return {
        "live_patterns": int(live.sum()),
        "mean_cosine": code_measures.mean_offdiagonal(similarity),
        "pattern_similarity": code_measures.mean_offdiagonal(np.abs(similarity)),
        "near_duplicate_pairs": near_duplicate_pairs(similarity, threshold),
        "whole_pattern_cosine": code_measures.mean_offdiagonal(whole),
    }


def all_feature_patterns(run: TrainedModel, study: Study) -> tuple[np.ndarray, np.ndarray]:
    """Curves decoded from every feature alone, and the zero-code baseline (``study.feature_patterns``)."""
    return feature_patterns(run, study, np.arange(run.config.latent_dim))


def seed_table(runs: Runs, study: Study, part: str = "test", threshold: float = NEAR_DUPLICATE_COSINE) -> pd.DataFrame:
    """One row per (model, seed): the numbers behind claims C8, C9 and C10.

    Importance and correlations are measured on the codes of ``part``;
    patterns are decoded from every feature at its typical (95th-percentile
    training) activation. Columns: model, seed, importance_evenness,
    effective_features, features_for_half, n_features, max_pairwise_abs_r,
    strongest_pair (text "i–j"), and those of :func:`pattern_summary`.
    """
    inputs = study.inputs(part)
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            codes = run.encode(inputs)
            importance = code_measures.variance_importance(codes)
            correlation = code_measures.feature_correlation_matrix(codes)
            first, second, _ = code_measures.strongest_pair(correlation)
            patterns, baseline = all_feature_patterns(run, study)
            rows.append(
                {
                    "model": name,
                    "seed": int(run.seed),
                    "importance_evenness": code_measures.importance_evenness(importance),
                    "effective_features": effective_number(importance),
                    "features_for_half": features_for_share(importance, VARIANCE_SHARE),
                    "n_features": int(importance.size),
                    "max_pairwise_abs_r": code_measures.max_abs_offdiagonal(correlation),
                    "strongest_pair": f"{first}–{second}" if first >= 0 else "none",
                    **pattern_summary(patterns, baseline, threshold),
                }
            )
    return pd.DataFrame(rows)


def _formatted(per_seed: pd.DataFrame, model: str, column: str, digits: int) -> str:
    summary = seed_summary.summarize_over_seeds(per_seed[per_seed["model"] == model], value_columns=[column]).iloc[0]
    return seed_summary.format_mean_sd(summary["mean"], summary["sd"], digits)


# Column groups of :func:`model_table`, one per claim.
TABLE_GROUPS: dict[str, tuple[str, ...]] = {
    "importance": ("evenness (uniform = 1)", "effective features", f"features for {VARIANCE_SHARE:.0%} of variance"),
    "correlation": ("max pairwise |r|", "study's max |r|"),
    "patterns": (
        "live patterns",
        "mean cos (deviations)",
        "mean |cos| (deviations)",
        f"pairs cos > {NEAR_DUPLICATE_COSINE:g}",
        "mean cos (whole reconstructions)",
    ),
}


def model_table(per_seed: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """Per model, mean ± SD over seeds of the quantities of :func:`seed_table`, for display.

    ``group`` keeps the columns of one claim (a key of ``TABLE_GROUPS``);
    ``None`` keeps them all.
    """
    if group is not None and group not in TABLE_GROUPS:
        raise ValueError(f"unknown group {group!r}; choose one of {list(TABLE_GROUPS)}")
    rows = []
    for model in per_seed["model"].drop_duplicates():
        paper = PAPER_MAX_PAIRWISE_R.get(model)
        rows.append(
            {
                "model": MODEL_LABELS.get(model, model),
                "features": int(per_seed.loc[per_seed["model"] == model, "n_features"].iloc[0]),
                "evenness (uniform = 1)": _formatted(per_seed, model, "importance_evenness", 3),
                "effective features": _formatted(per_seed, model, "effective_features", 1),
                f"features for {VARIANCE_SHARE:.0%} of variance": _formatted(per_seed, model, "features_for_half", 1),
                "max pairwise |r|": _formatted(per_seed, model, "max_pairwise_abs_r", 2),
                "study's max |r|": f"≈{paper:g}" if paper is not None else "between the other two",
                "live patterns": _formatted(per_seed, model, "live_patterns", 1),
                "mean cos (deviations)": _formatted(per_seed, model, "mean_cosine", 2),
                "mean |cos| (deviations)": _formatted(per_seed, model, "pattern_similarity", 2),
                f"pairs cos > {NEAR_DUPLICATE_COSINE:g}": _formatted(per_seed, model, "near_duplicate_pairs", 1),
                "mean cos (whole reconstructions)": _formatted(per_seed, model, "whole_pattern_cosine", 2),
            }
        )
    table = pd.DataFrame(rows)
    if group is None:
        return table
    return table[["model", "features", *TABLE_GROUPS[group]]]


def _text(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def claim_checks(per_seed: pd.DataFrame) -> pd.DataFrame:
    """The comparisons behind C8, C9 and C10 on means over seeds, with the rule each applies.

    They are the ledger's own checks (:mod:`analysis.sae.claims`), so this
    page and the ledger cannot disagree.
    """
    rows = [
        (claim, rule, met)
        for claim, checks in (("C8", claims.c8_checks), ("C9", claims.c9_checks), ("C10", claims.c10_checks))
        for rule, met in checks(per_seed)
    ]
    return pd.DataFrame([{"claim": claim, "comparison": rule, "met": _text(value)} for claim, rule, value in rows])
