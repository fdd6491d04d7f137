"""Metrics on constructed data whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from analysis import metrics


def make_trials(n_subjects: int = 40, trials_per_subject: int = 6, seed: int = 0) -> pd.DataFrame:
    """Subjects with two sessions each, person-level attributes and per-trial speed."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(1, n_subjects + 1), trials_per_subject)
    position = np.tile(np.arange(trials_per_subject), n_subjects)
    index = subject - 1
    age = rng.uniform(20, 70, n_subjects)[index]
    age[subject == 1] = np.nan
    return pd.DataFrame(
        {
            "DATASET_ID": 1,
            "SUBJECT_ID": subject,
            "SESSION_ID": subject * 10 + position % 2,
            "TRIAL_ID": position,
            "WALKING_SPEED": rng.normal(1.45, 0.15, n_subjects)[index] + rng.normal(0, 0.04, subject.size),
            "AGE": age,
            "HEIGHT": rng.normal(172, 9, n_subjects)[index],
            "BODY_WEIGHT": rng.normal(720, 110, n_subjects)[index],
            "SUBJECT_SEX": (np.arange(n_subjects) % 2).astype(float)[index],
        }
    )


@pytest.fixture
def trials() -> pd.DataFrame:
    return make_trials()


@pytest.fixture
def codes(trials: pd.DataFrame) -> np.ndarray:
    """Feature 0 = speed + noise, feature 1 = −height + noise, feature 4 never active."""
    rng = np.random.default_rng(1)
    values = np.maximum(rng.normal(0, 1, (len(trials), 5)), 0)
    values[:, 0] = 2 * trials["WALKING_SPEED"].to_numpy() + rng.normal(0, 0.05, len(trials))
    values[:, 1] = -0.05 * trials["HEIGHT"].to_numpy() + rng.normal(0, 0.2, len(trials)) + 20
    values[:, 4] = 0.0
    return values


# --- activity ---------------------------------------------------------------


def test_relu_codes_activation_rates_are_the_share_of_clearly_positive_entries() -> None:
    rng = np.random.default_rng(0)
    n = 1000
    shares = np.array([0.05, 0.1, 0.3, 0.0])
    codes = np.zeros((n, shares.size))
    for feature, share in enumerate(shares):
        active_rows = rng.permutation(n)[: int(share * n)]
        codes[active_rows, feature] = rng.uniform(1.0, 2.0, active_rows.size)
    codes += rng.uniform(0, 1e-4, codes.shape) * (codes == 0)  # numerical dust below the threshold
    np.testing.assert_array_equal(metrics.activation_rates(codes), shares)
    assert metrics.mean_activation_rate(codes) == pytest.approx(shares.mean())


def test_activity_is_unchanged_by_rescaling_the_codes() -> None:
    codes = np.maximum(np.random.default_rng(2).normal(0, 1, (300, 8)), 0)
    np.testing.assert_array_equal(metrics.is_active(codes), metrics.is_active(1000 * codes))
    assert metrics.activity_scale(1000 * codes) == pytest.approx(1000 * metrics.activity_scale(codes))


def test_all_zero_codes_are_never_active() -> None:
    assert not metrics.is_active(np.zeros((10, 3))).any()
    assert metrics.activity_scale(np.zeros((10, 3))) == 0.0


def test_vae_like_codes_collapsed_features_are_inactive_and_live_ones_mostly_active() -> None:
    rng = np.random.default_rng(3)
    live = rng.normal(0, 1, (4000, 50))
    collapsed = rng.normal(0, 1e-3, (4000, 50))
    rates = metrics.activation_rates(np.hstack([live, collapsed]))
    # Pooled 99th percentile of |codes| = 98th percentile of |N(0, 1)| = z(0.99).
    threshold = metrics.ACTIVE_THRESHOLD * stats.norm.ppf(0.99)
    expected = 2 * stats.norm.sf(threshold)
    assert rates[:50].mean() == pytest.approx(expected, abs=0.01)
    assert (rates[50:] == 0).all()
    assert (np.abs(live) > 0).mean() == 1.0  # the rule "code != 0" would call everything active


def test_explicit_scale_is_used_instead_of_the_codes_own() -> None:
    codes = np.array([[0.5, 2.0], [0.05, 0.0]])
    np.testing.assert_array_equal(metrics.is_active(codes, scale=1.0), [[True, True], [False, False]])
    np.testing.assert_array_equal(metrics.is_active(codes, scale=10.0), [[False, True], [False, False]])


def test_codes_with_nan_are_rejected_with_the_row() -> None:
    codes = np.ones((4, 2))
    codes[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"codes has non-finite values in row\(s\) \[2\]"):
        metrics.activation_rates(codes)
    with pytest.raises(ValueError, match="must be 2-D"):
        metrics.is_active(np.ones(5))


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
    assert metrics.bimodality_coefficient(values) == pytest.approx(expected, rel=1e-12)


def test_bimodality_coefficient_separates_mixtures_from_normal_samples() -> None:
    rng = np.random.default_rng(4)
    mixture = np.concatenate([rng.normal(-3, 1, 2000), rng.normal(3, 1, 2000)])
    normal = rng.normal(0, 1, 4000)
    uniform = rng.uniform(0, 1, 20000)
    assert metrics.bimodality_coefficient(mixture) > metrics.BIMODALITY_THRESHOLD
    assert metrics.bimodality_coefficient(normal) < metrics.BIMODALITY_THRESHOLD
    assert metrics.bimodality_coefficient(normal) == pytest.approx(1 / 3, abs=0.03)
    assert metrics.bimodality_coefficient(uniform) == pytest.approx(5 / 9, abs=0.01)


def test_bimodality_coefficient_edge_cases() -> None:
    assert np.isnan(metrics.bimodality_coefficient(np.ones(10)))
    with pytest.raises(ValueError, match="at least 4 finite values, got 3"):
        metrics.bimodality_coefficient([1.0, 2.0, 3.0, np.nan])


def test_bimodality_of_active_values_only() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    # Feature 0: zero most of the time, active values from one normal mode.
    # Feature 1: zero most of the time, active values from two modes.
    codes = np.zeros((n, 3))
    codes[: n // 4, 0] = rng.normal(5, 0.5, n // 4)
    codes[: n // 8, 1] = rng.normal(2, 0.2, n // 8)
    codes[n // 8 : n // 4, 1] = rng.normal(6, 0.2, n // 8)
    whole = metrics.bimodality_coefficients(codes)
    active = metrics.bimodality_coefficients(codes, active_only=True)
    assert whole[0] > metrics.BIMODALITY_THRESHOLD  # a spike at zero is enough
    assert active[0] < metrics.BIMODALITY_THRESHOLD
    assert active[1] > metrics.BIMODALITY_THRESHOLD
    assert np.isnan(whole[2]) and np.isnan(active[2])


# --- metadata correlations --------------------------------------------------


def test_speed_feature_has_the_strongest_speed_correlation(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = metrics.attribute_correlations(codes, trials)
    assert list(table.columns) == ["feature", "attribute", "r", "p", "q", "n", "level"]
    assert len(table) == 5 * 4
    top = metrics.strongest_correlations(table, "WALKING_SPEED", k=2)
    assert top.loc[0, "feature"] == 0 and top.loc[0, "r"] > 0.95
    height = metrics.strongest_correlations(table, "HEIGHT", k=1)
    assert height.loc[0, "feature"] == 1 and height.loc[0, "r"] < -0.8


def test_correlations_match_scipy(trials: pd.DataFrame, codes: np.ndarray) -> None:
    for method, reference in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        table = metrics.attribute_correlations(codes, trials, method=method)
        row = table[(table["feature"] == 2) & (table["attribute"] == "AGE")].iloc[0]
        present = trials["AGE"].notna().to_numpy()
        expected = reference(codes[present, 2], trials.loc[present, "AGE"])
        assert row["r"] == pytest.approx(expected.statistic, rel=1e-9)
        assert row["p"] == pytest.approx(expected.pvalue, rel=1e-6)


def test_missing_attribute_values_are_dropped_pairwise(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = metrics.attribute_correlations(codes, trials)
    n_by_attribute = table.groupby("attribute")["n"].unique()
    assert n_by_attribute["AGE"].tolist() == [len(trials) - 6]
    assert n_by_attribute["HEIGHT"].tolist() == [len(trials)]


def test_benjamini_hochberg_q_values(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = metrics.attribute_correlations(codes, trials)
    tested = table[table["p"].notna()].sort_values("p")
    assert (tested["q"] >= tested["p"] - 1e-15).all()
    assert np.all(np.diff(tested["q"].to_numpy()) >= -1e-15)
    # Independent BH: q_(i) = min over j >= i of p_(j) m / j, with m = tested pairs only.
    p = tested["p"].to_numpy()
    m = p.size
    expected = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(tested["q"].to_numpy(), np.minimum(expected, 1), rtol=1e-12)
    assert m == 4 * 4  # the constant feature 4 is left out of the correction


def test_constant_feature_gets_nan_not_an_error(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = metrics.attribute_correlations(codes, trials)
    constant = table[table["feature"] == 4]
    assert constant[["r", "p", "q"]].isna().all().all()


def test_subject_level_has_one_observation_per_subject(trials: pd.DataFrame, codes: np.ndarray) -> None:
    subject = metrics.attribute_correlations(codes, trials, level="subject")
    n = subject.groupby("attribute")["n"].first()
    assert n["HEIGHT"] == trials["SUBJECT_ID"].nunique() == 40
    assert n["AGE"] == 39  # subject 1 has no age
    assert (subject["level"] == "subject").all()
    session = metrics.attribute_correlations(codes, trials, level="session")
    assert session.groupby("attribute")["n"].first()["HEIGHT"] == 80
    # Averaging removes the trial noise: the speed feature correlates even more strongly.
    best = metrics.strongest_correlations(subject, "WALKING_SPEED", 1).loc[0]
    assert best["feature"] == 0 and best["r"] > 0.99


def test_level_means_averages_codes_and_attributes(trials: pd.DataFrame, codes: np.ndarray) -> None:
    averaged, table = metrics.level_means(codes, trials, "subject", ["WALKING_SPEED"])
    assert averaged.shape == (40, 5)
    first = (trials["SUBJECT_ID"] == 1).to_numpy()
    np.testing.assert_allclose(averaged[0], codes[first].mean(axis=0))
    assert table.loc[0, "WALKING_SPEED"] == pytest.approx(trials.loc[first, "WALKING_SPEED"].mean())
    assert list(table.columns) == ["SUBJECT_ID", "WALKING_SPEED"]


def test_correlation_input_errors(trials: pd.DataFrame, codes: np.ndarray) -> None:
    with pytest.raises(ValueError, match="codes has 239 rows but trials has 240"):
        metrics.attribute_correlations(codes[:-1], trials)
    with pytest.raises(ValueError, match=r"trials has no column\(s\) \['SHOE_SIZE'\]"):
        metrics.attribute_correlations(codes, trials, attributes=("SHOE_SIZE",))
    with pytest.raises(ValueError, match="unknown level 'person'"):
        metrics.attribute_correlations(codes, trials, level="person")
    with pytest.raises(ValueError, match="trials column 'AGE' is not numeric"):
        metrics.attribute_correlations(codes, trials.assign(AGE="old"))


def test_strongest_correlations_rank_by_absolute_r() -> None:
    table = pd.DataFrame(
        {"feature": [0, 1, 2, 3], "attribute": "AGE", "r": [0.1, -0.5, np.nan, 0.3], "p": 0.0, "q": 0.0, "n": 10, "level": "trial"}
    )
    assert metrics.strongest_correlations(table, "AGE", 3)["feature"].tolist() == [1, 3, 0]
    with pytest.raises(ValueError, match="no finite correlations with attribute 'HEIGHT'"):
        metrics.strongest_correlations(table, "HEIGHT", 1)


def test_correlation_summary_counts(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = metrics.attribute_correlations(codes, trials)
    summary = metrics.correlation_summary(table).set_index("attribute")
    speed = summary.loc["WALKING_SPEED"]
    assert speed["best_feature"] == 0
    assert speed["max_abs_r"] == pytest.approx(table.loc[(table.attribute == "WALKING_SPEED") & (table.feature == 0), "r"].iloc[0])
    assert speed["n_features"] == 4
    assert speed["n_above_threshold"] == int((table[table.attribute == "WALKING_SPEED"]["r"].abs() > 0.3).sum())


# --- sex differences --------------------------------------------------------


def test_hedges_g_recovers_the_shift_between_two_groups() -> None:
    rng = np.random.default_rng(6)
    n_subjects = 600
    sex = (np.arange(n_subjects) % 2).astype(float)
    trials = pd.DataFrame({"SUBJECT_ID": np.repeat(np.arange(n_subjects), 2), "SUBJECT_SEX": np.repeat(sex, 2)})
    subject_values = rng.normal(0, 1, (n_subjects, 3))
    subject_values[:, 0] += 0.8 * sex
    subject_values[:, 1] -= 0.5 * sex
    codes = np.repeat(subject_values, 2, axis=0)  # trials repeat their subject's value
    table = metrics.sex_differences(codes, trials, n_boot=300, seed=1)
    assert table["n_male"].iloc[0] == 300 and table["n_female"].iloc[0] == 300
    assert table.loc[0, "g"] == pytest.approx(0.8, abs=0.15)
    assert table.loc[1, "g"] == pytest.approx(-0.5, abs=0.15)
    assert abs(table.loc[2, "g"]) < 0.2
    assert table.loc[0, "ci_low"] < 0.8 < table.loc[0, "ci_high"]
    assert table.loc[0, "ci_low"] > 0 and table.loc[1, "ci_high"] < 0
    assert table.loc[2, "ci_low"] < 0 < table.loc[2, "ci_high"]


def test_sex_differences_are_deterministic_by_seed(trials: pd.DataFrame, codes: np.ndarray) -> None:
    first = metrics.sex_differences(codes, trials, n_boot=100, seed=3)
    again = metrics.sex_differences(codes, trials, n_boot=100, seed=3)
    other = metrics.sex_differences(codes, trials, n_boot=100, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"].iloc[:4], other["ci_low"].iloc[:4])
    np.testing.assert_array_equal(first["g"], other["g"])
    assert np.isnan(first.loc[4, "g"]) and np.isnan(first.loc[4, "ci_low"])


def test_sex_must_be_constant_within_a_subject(trials: pd.DataFrame, codes: np.ndarray) -> None:
    varying = trials.assign(SEX=trials["SUBJECT_SEX"])
    varying.loc[0, "SEX"] = 1 - varying.loc[0, "SEX"]
    with pytest.raises(ValueError, match=r"trials column 'SEX' differs within subject\(s\) \[1\]"):
        metrics.sex_differences(codes, varying, sex_column="SEX")


# --- importance and redundancy ----------------------------------------------


def test_variance_importance_equals_known_shares() -> None:
    base = np.random.default_rng(7).normal(0, 1, (500, 3))
    base = (base - base.mean(axis=0)) / base.std(axis=0)
    codes = base * np.array([1.0, 2.0, 3.0])
    importance = metrics.variance_importance(codes)
    np.testing.assert_allclose(importance, np.array([1, 4, 9]) / 14)
    assert importance.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="zero variance in every feature"):
        metrics.variance_importance(np.ones((5, 2)))


def test_importance_evenness_known_values() -> None:
    assert metrics.importance_evenness(np.full(100, 0.01)) == pytest.approx(1.0)
    assert metrics.importance_evenness(np.eye(1, 100).ravel()) == pytest.approx(0.0)
    half = np.r_[np.full(50, 0.02), np.zeros(50)]
    assert metrics.importance_evenness(half) == pytest.approx(1 - np.log(2) / np.log(100))


def test_feature_correlation_matrix_and_its_largest_off_diagonal_entry() -> None:
    rng = np.random.default_rng(8)
    codes = rng.normal(0, 1, (400, 4))
    codes[:, 3] = 0.0
    matrix = metrics.feature_correlation_matrix(codes)
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
    assert metrics.max_abs_offdiagonal(constructed) == pytest.approx(0.7)
    assert metrics.strongest_pair(constructed) == (0, 2, pytest.approx(-0.7))
    assert metrics.max_abs_offdiagonal(np.diag([1.0, 1.0])) == 0.0
    assert np.isnan(metrics.max_abs_offdiagonal(np.array([[1.0, np.nan], [np.nan, 1.0]])))
    assert metrics.strongest_pair(np.array([[1.0, np.nan], [np.nan, 1.0]]))[:2] == (-1, -1)


def test_pattern_similarity_of_parallel_orthogonal_and_zero_patterns() -> None:
    base = np.zeros((2, 5))
    base[0, 1] = 1.0
    other = np.zeros((2, 5))
    other[1, 3] = 2.0
    patterns = np.stack([base, 3 * base, other, -base, np.zeros((2, 5))])
    similarity = metrics.pattern_similarity(patterns)
    assert similarity[0, 1] == pytest.approx(1.0)
    assert similarity[0, 2] == pytest.approx(0.0)
    assert similarity[0, 3] == pytest.approx(-1.0)
    assert np.isnan(similarity[4]).all()
    # Off-diagonal pairs among the first four: 1, 0, -1, 0, -1, 0 → mean -1/6.
    assert metrics.mean_offdiagonal(similarity) == pytest.approx(-1 / 6)


# --- latent-space structure -------------------------------------------------


def test_effective_perplexity_is_clipped_for_small_sets() -> None:
    assert metrics.effective_perplexity(1000, 30) == 30
    assert metrics.effective_perplexity(40, 30) == 13
    with pytest.raises(ValueError, match="at least 5 inputs, got 4"):
        metrics.effective_perplexity(4, 30)


def test_tsne_embedding_is_deterministic() -> None:
    codes = np.random.default_rng(9).normal(0, 1, (30, 5))
    with threadpool_limits(limits=1):
        first = metrics.tsne_embedding(codes, perplexity=30, seed=0)
        again = metrics.tsne_embedding(codes, perplexity=30, seed=0)
    assert first.shape == (30, 2)
    np.testing.assert_array_equal(first, again)


def test_neighbourhood_agreement_tells_a_gradient_from_noise() -> None:
    rng = np.random.default_rng(10)
    points = rng.uniform(0, 1, (300, 2))
    gradient = points[:, 0] + rng.normal(0, 0.02, 300)
    noise = rng.normal(0, 1, 300)
    assert metrics.neighbourhood_agreement(points, gradient) > 0.95
    assert abs(metrics.neighbourhood_agreement(points, noise)) < 0.2
    # Each group sits at one spot and shares one value: a gradient only within groups.
    centres = rng.uniform(0, 100, (30, 2))
    group = np.repeat(np.arange(30), 10)
    clumped = centres[group] + rng.normal(0, 0.01, (300, 2))
    value = rng.normal(0, 1, 30)[group]
    assert metrics.neighbourhood_agreement(clumped, value) > 0.99
    assert abs(metrics.neighbourhood_agreement(clumped, value, groups=group)) < 0.4


def blobs(seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], 40)
    centres = np.array([[0.0, 0, 0, 0], [6, 0, 0, 0], [12, 1, 0, 0]])
    return centres[truth] + rng.normal(0, 0.5, (120, 4)), truth


def test_cluster_codes_recovers_blobs_ordered_along_pc1() -> None:
    codes, truth = blobs()
    result = metrics.cluster_codes(codes, k=3, seed=0)
    assert adjusted_rand_score(truth, result.labels) == 1.0
    assert result.k == 3
    assert np.all(np.diff(result.centroids_pca[:, 0]) > 0)
    assert result.pca_coordinates.shape == (120, 2)
    assert result.explained_variance_ratio[0] > 0.9
    assert result.between_cluster_share[0] > 0.95 > result.between_cluster_share[1]
    again = metrics.cluster_codes(codes, k=3, seed=0)
    np.testing.assert_array_equal(result.labels, again.labels)
    with pytest.raises(ValueError, match="cannot form 3 clusters from 2 distinct code vectors"):
        metrics.cluster_codes(np.repeat(np.eye(2), 5, axis=0), k=3)


def test_cluster_composition_and_association() -> None:
    codes, truth = blobs()
    trials = make_trials(n_subjects=20, trials_per_subject=6)
    result = metrics.cluster_codes(codes, k=3, seed=0)
    composition = metrics.cluster_composition(result.labels, trials)
    assert composition["n_trials"].tolist() == [40, 40, 40]
    first = (result.labels == 0)
    assert composition.loc[0, "n_subjects"] == trials.loc[first, "SUBJECT_ID"].nunique()
    assert composition.loc[0, "HEIGHT_mean"] == pytest.approx(trials.loc[first, "HEIGHT"].mean())
    assert composition.loc[0, "share_male"] == pytest.approx(trials.loc[first, "SUBJECT_SEX"].mean())
    # One attribute is the cluster itself; the others are unrelated to it.
    aligned = trials.assign(HEIGHT=truth * 10.0 + 160)
    association = metrics.cluster_attribute_association(result, aligned).set_index("attribute")
    assert association.loc["HEIGHT", "ami"] == pytest.approx(1.0)
    assert abs(association.loc["HEIGHT", "pc1_r"]) > 0.95
    assert association.loc["AGE", "n"] == 114
    assert abs(association.loc["BODY_WEIGHT", "ami"]) < 0.15
    assert list(association.index) == ["WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT", "SUBJECT_SEX"]


# --- summaries over seeds ---------------------------------------------------


def test_summarize_over_seeds_numbers() -> None:
    table = pd.DataFrame(
        {"model": ["sae"] * 3 + ["svae"], "seed": [0, 1, 2, 0], "mse": [1.0, 2.0, 3.0, 5.0], "rate": [0.1, 0.1, 0.1, np.nan]}
    )
    summary = metrics.summarize_over_seeds(table).set_index(["model", "quantity"])
    sae = summary.loc[("sae", "mse")]
    half_width = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (sae["n"], sae["mean"], sae["sd"]) == (3, 2.0, 1.0)
    assert sae["ci_low"] == pytest.approx(2 - half_width) and sae["ci_high"] == pytest.approx(2 + half_width)
    assert half_width == pytest.approx(2.484, abs=1e-3)
    single = summary.loc[("svae", "mse")]
    assert single["n"] == 1 and single["mean"] == 5.0
    assert np.isnan(single["sd"]) and np.isnan(single["ci_low"])
    assert summary.loc[("svae", "rate"), "n"] == 0
    assert summary.loc[("sae", "rate"), "sd"] == pytest.approx(0.0)
    assert set(summary.index.get_level_values("quantity")) == {"mse", "rate"}


def test_format_mean_sd() -> None:
    assert metrics.format_mean_sd(0.0712, 0.0149) == "0.07 ± 0.01"
    assert metrics.format_mean_sd(0.0712, 0.0149, digits=3) == "0.071 ± 0.015"
    assert metrics.format_mean_sd(0.0712, float("nan")) == "0.07 ± n/a"
    assert metrics.format_mean_sd(float("nan"), 1.0) == "n/a"
