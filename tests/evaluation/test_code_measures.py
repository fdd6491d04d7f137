"""Metrics on constructed data whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.evaluation import code_measures

from code_tables import blobs, codes, make_trials, trials  # noqa: F401


def test_relu_codes_activation_rates_are_the_share_of_clearly_positive_entries() -> None:
    rng = np.random.default_rng(0)
    n = 1000
    shares = np.array([0.05, 0.1, 0.3, 0.0])
    codes = np.zeros((n, shares.size))
    for feature, share in enumerate(shares):
        active_rows = rng.permutation(n)[: int(share * n)]
        codes[active_rows, feature] = rng.uniform(1.0, 2.0, active_rows.size)
    codes += rng.uniform(0, 1e-4, codes.shape) * (codes == 0)  # numerical dust below the threshold
    np.testing.assert_array_equal(code_measures.activation_rates(codes), shares)
    assert code_measures.mean_activation_rate(codes) == pytest.approx(shares.mean())


def test_activity_is_unchanged_by_rescaling_the_codes() -> None:
    codes = np.maximum(np.random.default_rng(2).normal(0, 1, (300, 8)), 0)
    np.testing.assert_array_equal(code_measures.is_active(codes), code_measures.is_active(1000 * codes))
    assert code_measures.activity_scale(1000 * codes) == pytest.approx(1000 * code_measures.activity_scale(codes))


def test_all_zero_codes_are_never_active() -> None:
    assert not code_measures.is_active(np.zeros((10, 3))).any()
    assert code_measures.activity_scale(np.zeros((10, 3))) == 0.0


def test_vae_like_codes_collapsed_features_are_inactive_and_live_ones_mostly_active() -> None:
    rng = np.random.default_rng(3)
    live = rng.normal(0, 1, (4000, 50))
    collapsed = rng.normal(0, 1e-3, (4000, 50))
    rates = code_measures.activation_rates(np.hstack([live, collapsed]))
    # Pooled 99th percentile of |codes| = 98th percentile of |N(0, 1)| = z(0.99).
    threshold = code_measures.ACTIVE_THRESHOLD * stats.norm.ppf(0.99)
    expected = 2 * stats.norm.sf(threshold)
    assert rates[:50].mean() == pytest.approx(expected, abs=0.01)
    assert (rates[50:] == 0).all()
    assert (np.abs(live) > 0).mean() == 1.0  # the rule "code != 0" would call everything active


def test_explicit_scale_is_used_instead_of_the_codes_own() -> None:
    codes = np.array([[0.5, 2.0], [0.05, 0.0]])
    np.testing.assert_array_equal(code_measures.is_active(codes, scale=1.0), [[True, True], [False, False]])
    np.testing.assert_array_equal(code_measures.is_active(codes, scale=10.0), [[False, True], [False, False]])


def test_codes_with_nan_are_rejected_with_the_row() -> None:
    codes = np.ones((4, 2))
    codes[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"codes has non-finite values in row\(s\) \[2\]"):
        code_measures.activation_rates(codes)
    with pytest.raises(ValueError, match="must be 2-D"):
        code_measures.is_active(np.ones(5))


# --- bimodality -------------------------------------------------------------


def test_bimodality_coefficient_matches_the_formula_on_a_small_sample() -> None:
    values = np.array([0.0, 0.0, 0.1, 1.0, 3.0, 3.2, 2.9, 0.2])
    n = values.size
    m2 = ((values - values.mean()) ** 2).mean()
    m3 = ((values - values.mean()) ** 3).mean()
    m4 = ((values - values.mean()) ** 4).mean()
    g1 = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    g2 = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    expected = (g1**2 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    assert code_measures.bimodality_coefficient(values) == pytest.approx(expected, rel=1e-12)


def test_bimodality_coefficient_separates_mixtures_from_normal_samples() -> None:
    rng = np.random.default_rng(4)
    mixture = np.concatenate([rng.normal(-3, 1, 2000), rng.normal(3, 1, 2000)])
    normal = rng.normal(0, 1, 4000)
    uniform = rng.uniform(0, 1, 20000)
    assert code_measures.bimodality_coefficient(mixture) > code_measures.BIMODALITY_THRESHOLD
    assert code_measures.bimodality_coefficient(normal) < code_measures.BIMODALITY_THRESHOLD
    assert code_measures.bimodality_coefficient(normal) == pytest.approx(1 / 3, abs=0.03)
    assert code_measures.bimodality_coefficient(uniform) == pytest.approx(5 / 9, abs=0.01)


def test_bimodality_coefficient_edge_cases() -> None:
    assert np.isnan(code_measures.bimodality_coefficient(np.ones(10)))
    with pytest.raises(ValueError, match="at least 4 finite values, got 3"):
        code_measures.bimodality_coefficient([1.0, 2.0, 3.0, np.nan])


def test_bimodality_of_active_values_only() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    # Feature 0: zero most of the time, active values from one normal mode.
    # Feature 1: zero most of the time, active values from two modes.
    codes = np.zeros((n, 3))
    codes[: n // 4, 0] = rng.normal(5, 0.5, n // 4)
    codes[: n // 8, 1] = rng.normal(2, 0.2, n // 8)
    codes[n // 8 : n // 4, 1] = rng.normal(6, 0.2, n // 8)
    whole = code_measures.bimodality_coefficients(codes)
    active = code_measures.bimodality_coefficients(codes, active_only=True)
    assert whole[0] > code_measures.BIMODALITY_THRESHOLD  # a spike at zero is enough
    assert active[0] < code_measures.BIMODALITY_THRESHOLD
    assert active[1] > code_measures.BIMODALITY_THRESHOLD
    assert np.isnan(whole[2]) and np.isnan(active[2])


# --- metadata correlations --------------------------------------------------


def test_variance_importance_equals_known_shares() -> None:
    base = np.random.default_rng(7).normal(0, 1, (500, 3))
    base = (base - base.mean(axis=0)) / base.std(axis=0)
    codes = base * np.array([1.0, 2.0, 3.0])
    importance = code_measures.variance_importance(codes)
    np.testing.assert_allclose(importance, np.array([1, 4, 9]) / 14)
    assert importance.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="zero variance in every feature"):
        code_measures.variance_importance(np.ones((5, 2)))


def test_importance_evenness_known_values() -> None:
    assert code_measures.importance_evenness(np.full(100, 0.01)) == pytest.approx(1.0)
    assert code_measures.importance_evenness(np.eye(1, 100).ravel()) == pytest.approx(0.0)
    half = np.r_[np.full(50, 0.02), np.zeros(50)]
    assert code_measures.importance_evenness(half) == pytest.approx(1 - np.log(2) / np.log(100))


def test_feature_correlation_matrix_and_its_largest_off_diagonal_entry() -> None:
    rng = np.random.default_rng(8)
    codes = rng.normal(0, 1, (400, 4))
    codes[:, 3] = 0.0
    matrix = code_measures.feature_correlation_matrix(codes)
    np.testing.assert_allclose(matrix[:3, :3], np.corrcoef(codes[:, :3], rowvar=False), atol=1e-12)
    assert np.isnan(matrix[3]).all() and np.isnan(matrix[:, 3]).all()

    constructed = np.array(
        [
            [1.0, 0.2, -0.7, np.nan],
            [0.2, 1.0, 0.4, 0.1],
            [-0.7, 0.4, 1.0, 0.3],
            [np.nan, 0.1, 0.3, 1.0],
        ]
    )
    assert code_measures.max_abs_offdiagonal(constructed) == pytest.approx(0.7)
    assert code_measures.strongest_pair(constructed) == (0, 2, pytest.approx(-0.7))
    assert code_measures.max_abs_offdiagonal(np.diag([1.0, 1.0])) == 0.0
    assert np.isnan(code_measures.max_abs_offdiagonal(np.array([[1.0, np.nan], [np.nan, 1.0]])))
    assert code_measures.strongest_pair(np.array([[1.0, np.nan], [np.nan, 1.0]]))[:2] == (-1, -1)


def test_pattern_similarity_of_parallel_orthogonal_and_zero_patterns() -> None:
    base = np.zeros((2, 5))
    base[0, 1] = 1.0
    other = np.zeros((2, 5))
    other[1, 3] = 2.0
    patterns = np.stack([base, 3 * base, other, -base, np.zeros((2, 5))])
    similarity = code_measures.pattern_similarity(patterns)
    assert similarity[0, 1] == pytest.approx(1.0)
    assert similarity[0, 2] == pytest.approx(0.0)
    assert similarity[0, 3] == pytest.approx(-1.0)
    assert np.isnan(similarity[4]).all()
    # Off-diagonal pairs among the first four: 1, 0, -1, 0, -1, 0 → mean -1/6.
    assert code_measures.mean_offdiagonal(similarity) == pytest.approx(-1 / 6)


# --- latent-space structure -------------------------------------------------


def test_dip_test_rejects_two_modes_but_not_a_skewed_tail() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    codes = np.column_stack(
        [
            np.maximum(rng.normal(0, 1, n), 0),  # a ReLU code: spike at zero plus a half-normal tail
            np.where(rng.random(n) < 0.5, rng.normal(1, 0.1, n), rng.normal(3, 0.1, n)),  # two modes
            rng.exponential(1, n),  # skewed, one mode
        ]
    )
    pvalues = code_measures.dip_test_pvalues(codes)
    assert pvalues[1] < 0.001
    assert pvalues[0] > 0.05 and pvalues[2] > 0.05  # not rejected
    # Sarle's b calls the exponential bimodal (b > 5/9): the reason the dip test decides C3.
    assert code_measures.bimodality_coefficients(codes, active_only=True)[2] > code_measures.BIMODALITY_THRESHOLD
    assert code_measures.dip_bimodal_share(codes) == pytest.approx(1 / 3)


def test_dip_test_skips_features_with_too_few_values() -> None:
    codes = np.zeros((50, 2))
    codes[:5, 0] = np.arange(1, 6)  # five active values only
    codes[:, 1] = np.linspace(0, 1, 50)
    pvalues = code_measures.dip_test_pvalues(codes, min_values=20)
    assert np.isnan(pvalues[0]) and np.isfinite(pvalues[1])
    assert np.isnan(code_measures.dip_bimodal_share(np.zeros((50, 2))))


def test_dip_test_of_a_signed_code_keeps_its_centre() -> None:
    """Dropping |code| < threshold from a normal code would leave two modes; all values are tested instead."""
    codes = np.random.default_rng(4).normal(0, 1, (3000, 1))
    assert code_measures.dip_test_pvalues(codes)[0] > 0.05
    assert code_measures.dip_test_pvalues(codes, active_only=True, threshold=0.3)[0] < 0.001  # the artefact


def test_l0_counts_exactly_non_zero_entries_unlike_the_thresholded_rate() -> None:
    codes = np.array([[0.0, 1e-9], [2.0, 0.0], [0.0, 0.0], [3.0, 0.0]])
    assert code_measures.l0_share(codes) == 3 / 8
    assert code_measures.mean_activation_rate(codes) == 1 / 4  # 1e-9 is not clearly active
