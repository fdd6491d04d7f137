"""Metrics on constructed data whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.evaluation import attribute_correlation

from code_tables import blobs, codes, make_trials, trials  # noqa: F401


def test_speed_feature_has_the_strongest_speed_correlation(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = attribute_correlation.attribute_correlations(codes, trials)
    assert list(table.columns) == ["feature", "attribute", "r", "p", "q", "n", "level"]
    assert len(table) == 5 * 4
    top = attribute_correlation.strongest_correlations(table, "WALKING_SPEED", k=2)
    assert top.loc[0, "feature"] == 0 and top.loc[0, "r"] > 0.95
    height = attribute_correlation.strongest_correlations(table, "HEIGHT", k=1)
    assert height.loc[0, "feature"] == 1 and height.loc[0, "r"] < -0.8


def test_correlations_match_scipy(trials: pd.DataFrame, codes: np.ndarray) -> None:
    for method, reference in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        table = attribute_correlation.attribute_correlations(codes, trials, method=method)
        row = table[(table["feature"] == 2) & (table["attribute"] == "AGE")].iloc[0]
        present = trials["AGE"].notna().to_numpy()
        expected = reference(codes[present, 2], trials.loc[present, "AGE"])
        assert row["r"] == pytest.approx(expected.statistic, rel=1e-9)
        assert row["p"] == pytest.approx(expected.pvalue, rel=1e-6)


def test_missing_attribute_values_are_dropped_pairwise(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = attribute_correlation.attribute_correlations(codes, trials)
    n_by_attribute = table.groupby("attribute")["n"].unique()
    assert n_by_attribute["AGE"].tolist() == [len(trials) - 6]
    assert n_by_attribute["HEIGHT"].tolist() == [len(trials)]


def test_benjamini_hochberg_q_values(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = attribute_correlation.attribute_correlations(codes, trials)
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
    table = attribute_correlation.attribute_correlations(codes, trials)
    constant = table[table["feature"] == 4]
    assert constant[["r", "p", "q"]].isna().all().all()


def test_subject_level_has_one_observation_per_subject(trials: pd.DataFrame, codes: np.ndarray) -> None:
    subject = attribute_correlation.attribute_correlations(codes, trials, level="subject")
    n = subject.groupby("attribute")["n"].first()
    assert n["HEIGHT"] == trials["SUBJECT_ID"].nunique() == 40
    assert n["AGE"] == 39  # subject 1 has no age
    assert (subject["level"] == "subject").all()
    session = attribute_correlation.attribute_correlations(codes, trials, level="session")
    assert session.groupby("attribute")["n"].first()["HEIGHT"] == 80
    # Averaging removes the trial noise: the speed feature correlates even more strongly.
    best = attribute_correlation.strongest_correlations(subject, "WALKING_SPEED", 1).loc[0]
    assert best["feature"] == 0 and best["r"] > 0.99


def test_level_means_averages_codes_and_attributes(trials: pd.DataFrame, codes: np.ndarray) -> None:
    averaged, table = attribute_correlation.level_means(codes, trials, "subject", ["WALKING_SPEED"])
    assert averaged.shape == (40, 5)
    first = (trials["SUBJECT_ID"] == 1).to_numpy()
    np.testing.assert_allclose(averaged[0], codes[first].mean(axis=0))
    assert table.loc[0, "WALKING_SPEED"] == pytest.approx(trials.loc[first, "WALKING_SPEED"].mean())
    assert list(table.columns) == ["SUBJECT_ID", "WALKING_SPEED"]


def test_correlation_input_errors(trials: pd.DataFrame, codes: np.ndarray) -> None:
    with pytest.raises(ValueError, match="codes has 239 rows but trials has 240"):
        attribute_correlation.attribute_correlations(codes[:-1], trials)
    with pytest.raises(ValueError, match=r"trials has no column\(s\) \['SHOE_SIZE'\]"):
        attribute_correlation.attribute_correlations(codes, trials, attributes=("SHOE_SIZE",))
    with pytest.raises(ValueError, match="unknown level 'person'"):
        attribute_correlation.attribute_correlations(codes, trials, level="person")
    with pytest.raises(ValueError, match="trials column 'AGE' is not numeric"):
        attribute_correlation.attribute_correlations(codes, trials.assign(AGE="old"))


def test_strongest_correlations_rank_by_absolute_r() -> None:
    table = pd.DataFrame(
        {"feature": [0, 1, 2, 3], "attribute": "AGE", "r": [0.1, -0.5, np.nan, 0.3], "p": 0.0, "q": 0.0, "n": 10, "level": "trial"}
    )
    assert attribute_correlation.strongest_correlations(table, "AGE", 3)["feature"].tolist() == [1, 3, 0]
    with pytest.raises(ValueError, match="no finite correlations with attribute 'HEIGHT'"):
        attribute_correlation.strongest_correlations(table, "HEIGHT", 1)


def test_correlation_summary_counts(trials: pd.DataFrame, codes: np.ndarray) -> None:
    table = attribute_correlation.attribute_correlations(codes, trials)
    summary = attribute_correlation.correlation_summary(table).set_index("attribute")
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
    table = attribute_correlation.sex_differences(codes, trials, n_boot=300, seed=1)
    assert table["n_male"].iloc[0] == 300 and table["n_female"].iloc[0] == 300
    assert table.loc[0, "g"] == pytest.approx(0.8, abs=0.15)
    assert table.loc[1, "g"] == pytest.approx(-0.5, abs=0.15)
    assert abs(table.loc[2, "g"]) < 0.2
    assert table.loc[0, "ci_low"] < 0.8 < table.loc[0, "ci_high"]
    assert table.loc[0, "ci_low"] > 0 and table.loc[1, "ci_high"] < 0
    assert table.loc[2, "ci_low"] < 0 < table.loc[2, "ci_high"]


def test_sex_differences_are_deterministic_by_seed(trials: pd.DataFrame, codes: np.ndarray) -> None:
    first = attribute_correlation.sex_differences(codes, trials, n_boot=100, seed=3)
    again = attribute_correlation.sex_differences(codes, trials, n_boot=100, seed=3)
    other = attribute_correlation.sex_differences(codes, trials, n_boot=100, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"].iloc[:4], other["ci_low"].iloc[:4])
    np.testing.assert_array_equal(first["g"], other["g"])
    assert np.isnan(first.loc[4, "g"]) and np.isnan(first.loc[4, "ci_low"])


def test_sex_must_be_constant_within_a_subject(trials: pd.DataFrame, codes: np.ndarray) -> None:
    varying = trials.assign(SEX=trials["SUBJECT_SEX"])
    varying.loc[0, "SEX"] = 1 - varying.loc[0, "SEX"]
    with pytest.raises(ValueError, match=r"trials column 'SEX' differs within subject\(s\) \[1\]"):
        attribute_correlation.sex_differences(codes, varying, sex_column="SEX")


# --- importance and redundancy ----------------------------------------------
