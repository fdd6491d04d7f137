"""Associations of features with metadata over runs and levels (Section 4.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.sae import associations
from analysis.sae.study import Study

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def cohort(n_subjects: int = 30, trials_per_subject: int = 4, seed: int = 0) -> pd.DataFrame:
    """Trials of ``n_subjects`` people in two sub-datasets; speed missing in dataset 2."""
    rng = np.random.default_rng(seed)
    subjects = np.repeat(np.arange(1, n_subjects + 1), trials_per_subject)
    dataset = np.where(subjects % 3 == 0, 2, 1)
    age = rng.uniform(20, 70, n_subjects)[subjects - 1]
    height = rng.uniform(150, 200, n_subjects)[subjects - 1]
    weight = rng.uniform(500, 1000, n_subjects)[subjects - 1]
    speed = 1.4 + 0.2 * rng.standard_normal(len(subjects))
    speed[dataset == 2] = np.nan
    sex = (np.arange(1, n_subjects + 1) % 2).astype(float)[subjects - 1]
    return pd.DataFrame(
        {
            "DATASET_ID": dataset,
            "SUBJECT_ID": subjects,
            "SESSION_ID": subjects,
            "WALKING_SPEED": speed,
            "AGE": age,
            "HEIGHT": height,
            "BODY_WEIGHT": weight,
            "SUBJECT_SEX": sex,
        }
    )


def codes_tracking_age(trials: pd.DataFrame, n_features: int = 6, seed: int = 1) -> np.ndarray:
    """Noise features, except feature 0 which equals age."""
    rng = np.random.default_rng(seed)
    codes = rng.standard_normal((len(trials), n_features))
    codes[:, 0] = trials["AGE"].to_numpy()
    return codes


class FakeRun:
    def __init__(self, seed: int, scale: float) -> None:
        self.seed = seed
        self.scale = scale

    def encode(self, x: np.ndarray) -> np.ndarray:
        return self.scale * np.asarray(x)


class FakeStudy:
    def __init__(self) -> None:
        self.sizes = {"train": 5, "validation": 2, "test": 3}

    def inputs(self, part: str) -> np.ndarray:
        offset = {"train": 0, "validation": 100, "test": 200}[part]
        return offset + np.arange(self.sizes[part] * 2, dtype=float).reshape(-1, 2)

    def trials(self, part: str) -> pd.DataFrame:
        return pd.DataFrame({"part": [part] * self.sizes[part]})


def test_all_inputs_concatenates_every_part_in_order():
    inputs, trials = Study.all_inputs(FakeStudy())
    assert inputs.shape == (10, 2)
    assert list(trials["part"]) == ["train"] * 5 + ["validation"] * 2 + ["test"] * 3
    assert inputs[5, 0] == 100 and inputs[7, 0] == 200


def test_encode_runs_keys_codes_by_model_and_seed():
    runs = {"sae": [FakeRun(0, 1.0), FakeRun(3, 2.0)], "svae": [FakeRun(0, -1.0)]}
    codes = associations.encode_runs(runs, np.ones((4, 2)))
    assert sorted(codes) == [("sae", 0), ("sae", 3), ("svae", 0)]
    assert np.all(codes[("sae", 3)] == 2.0)


def test_sample_sizes_counts_trials_subjects_and_names_datasets_without_values():
    trials = cohort(n_subjects=9, trials_per_subject=2)
    sizes = associations.sample_sizes(trials).set_index("attribute")
    speed = sizes.loc["WALKING_SPEED"]
    assert speed["trials"] == 12 and speed["of trials"] == 18
    assert speed["subjects"] == 6 and speed["of subjects"] == 9
    assert speed["datasets without values"] == "2"
    assert sizes.loc["AGE", "datasets without values"] == "none"


def test_sample_sizes_lists_several_datasets_as_prose():
    trials = cohort(n_subjects=9, trials_per_subject=2)
    trials.loc[trials["SUBJECT_ID"] == 1, "DATASET_ID"] = 3
    trials.loc[trials["DATASET_ID"] == 3, "WALKING_SPEED"] = np.nan
    sizes = associations.sample_sizes(trials).set_index("attribute")
    assert sizes.loc["WALKING_SPEED", "datasets without values"] == "2 and 3"


def test_sample_sizes_names_a_missing_column():
    with pytest.raises(ValueError, match=r"trials has no column\(s\) \['AGE'\]"):
        associations.sample_sizes(cohort().drop(columns="AGE"))


def test_correlation_table_labels_runs_and_levels_and_finds_the_built_in_feature():
    trials = cohort()
    codes = {("sae", 0): codes_tracking_age(trials), ("svae", 1): codes_tracking_age(trials, seed=2)}
    table = associations.correlation_table(codes, trials)
    assert list(table.columns) == ["model", "seed", "feature", "attribute", "r", "p", "q", "n", "level"]
    assert len(table) == 2 * 2 * 6 * 4
    age = associations.select(table, "sae", 0, "subject")
    first = age[(age["attribute"] == "AGE") & (age["feature"] == 0)].iloc[0]
    assert first["r"] == pytest.approx(1.0)
    assert first["n"] == 30
    speed = associations.select(table, "svae", 1, "trial")
    assert (speed.loc[speed["attribute"] == "WALKING_SPEED", "n"] == 80).all()


def test_select_names_what_is_missing():
    trials = cohort()
    table = associations.correlation_table({("sae", 0): codes_tracking_age(trials)}, trials)
    with pytest.raises(ValueError, match="no correlations for model 'sae', seed 4, level 'trial'"):
        associations.select(table, "sae", 4, "trial")


def test_seed_summary_counts_strong_significant_features_and_observations():
    trials = cohort()
    table = associations.correlation_table({("sae", 0): codes_tracking_age(trials)}, trials)
    summary = associations.seed_summary(table).set_index(["level", "attribute"])
    age_subject = summary.loc[("subject", "AGE")]
    assert age_subject["best_feature"] == 0
    assert age_subject["max_abs_r"] == pytest.approx(1.0)
    assert age_subject["n_strong_and_significant"] >= 1
    assert age_subject["n"] == 30
    assert summary.loc[("trial", "AGE"), "n"] == 120
    both = summary["n_strong_and_significant"]
    assert (both <= summary["n_above_threshold"]).all() and (both <= summary["n_significant"]).all()


def test_chance_level_flags_a_real_association_and_shrinks_with_more_subjects():
    trials = cohort(n_subjects=40)
    result = associations.chance_max_abs_r(codes_tracking_age(trials), trials, n_permutations=200, seed=0)
    age = result.set_index("attribute").loc["AGE"]
    assert age["observed_max_abs_r"] == pytest.approx(1.0)
    assert age["p_max"] == pytest.approx(1 / 201)
    assert 0 < age["chance_max_abs_r"] < 1
    small = cohort(n_subjects=12)
    large = cohort(n_subjects=200)
    noise_small = np.random.default_rng(5).standard_normal((len(small), 20))
    noise_large = np.random.default_rng(5).standard_normal((len(large), 20))
    chance_small = associations.chance_max_abs_r(noise_small, small, ["HEIGHT"], n_permutations=300)
    chance_large = associations.chance_max_abs_r(noise_large, large, ["HEIGHT"], n_permutations=300)
    assert chance_large["chance_max_abs_r"].iloc[0] < chance_small["chance_max_abs_r"].iloc[0]


def test_chance_level_is_deterministic_and_undefined_without_values():
    trials = cohort()
    codes = codes_tracking_age(trials)
    first = associations.chance_max_abs_r(codes, trials, n_permutations=50, seed=3)
    second = associations.chance_max_abs_r(codes, trials, n_permutations=50, seed=3)
    pd.testing.assert_frame_equal(first, second)
    empty = trials.assign(HEIGHT=np.nan)
    row = associations.chance_max_abs_r(codes, empty, ["HEIGHT"], n_permutations=10).iloc[0]
    assert row["n"] == 0 and np.isnan(row["chance_max_abs_r"])


def test_chance_level_rejects_bad_arguments():
    trials = cohort()
    with pytest.raises(ValueError, match="n_permutations must be at least 1, got 0"):
        associations.chance_max_abs_r(codes_tracking_age(trials), trials, n_permutations=0)
    with pytest.raises(ValueError, match=r"quantile must lie in \(0, 1\), got 1.5"):
        associations.chance_max_abs_r(codes_tracking_age(trials), trials, quantile=1.5)


def per_seed_table(svae_scale: float = 0.5, speed_count: int = 3) -> pd.DataFrame:
    """Two seeds of three models; the SVAE's maxima scaled by ``svae_scale``."""
    rows = []
    for model in ("sae", "sae_disentangled", "svae"):
        scale = svae_scale if model == "svae" else 1.0
        for seed in (0, 1):
            for level in ("trial", "subject"):
                for attribute, r in (("WALKING_SPEED", 0.42), ("AGE", 0.25), ("HEIGHT", 0.28), ("BODY_WEIGHT", 0.2)):
                    rows.append(
                        {
                            "model": model,
                            "seed": seed,
                            "level": level,
                            "attribute": attribute,
                            "max_abs_r": r * scale + 0.02 * seed,
                            "best_feature": 0,
                            "best_r": r,
                            "n_above_threshold": speed_count if attribute == "WALKING_SPEED" else 0,
                            "n_significant": 5,
                            "n_strong_and_significant": 1,
                            "n_features": 100,
                            "n": 8000 if level == "trial" else 300,
                        }
                    )
    return pd.DataFrame(rows)


def test_level_comparison_puts_levels_side_by_side_as_mean_and_sd():
    table = associations.level_comparison(per_seed_table())
    assert table.shape == (12, 10)
    row = table.loc[("SAE", "WALKING_SPEED")]
    assert row[("trial", "max |r|")] == "0.43 ± 0.01"
    assert row[("subject", "n")] == "300"
    assert row[("trial", "|r| > 0.3")] == "3.0 ± 0.0"


def test_level_comparison_adds_the_chance_column():
    per_seed = per_seed_table()
    chance = per_seed[["model", "seed", "attribute"]].drop_duplicates().assign(chance_max_abs_r=0.2)
    table = associations.level_comparison(per_seed, chance)
    assert table.loc[("Sparse VAE", "AGE"), ("subject", "chance max |r|")] == "0.20 ± 0.00"


def test_max_r_table_pivots_models_against_attributes():
    table = associations.max_r_table(per_seed_table(), "subject")
    assert list(table.index) == ["SAE", "SAE + disentanglement", "Sparse VAE"]
    assert list(table.columns) == ["WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT"]
    assert table.loc["Sparse VAE", "WALKING_SPEED"] == "0.22 ± 0.01"
    with pytest.raises(ValueError, match="per_seed has no rows of level 'session'"):
        associations.max_r_table(per_seed_table(), "session")


def test_claim_c6_checks_several_features_and_speed_strongest():
    table = associations.claim_c6(per_seed_table()).set_index(["model", "level"])
    assert (table["≥ 2 features above 0.3"] == "yes").all()
    assert (table["speed strongest"] == "yes").all()
    assert table.loc[("SAE", "trial"), "speed: max |r| (study 0.42)"] == pytest.approx(0.43)
    weak = associations.claim_c6(per_seed_table(speed_count=1))
    assert (weak["≥ 2 features above 0.3"] == "no").all()


def test_claim_c6_without_speed_cannot_compare():
    per_seed = per_seed_table()
    table = associations.claim_c6(per_seed[per_seed["attribute"] != "WALKING_SPEED"])
    assert (table["speed strongest"] == "n/a").all()


def test_claim_c7_compares_the_sparse_vae_with_every_deterministic_model():
    assert (associations.claim_c7(per_seed_table(svae_scale=0.5))["Sparse VAE weakest"] == "yes").all()
    assert (associations.claim_c7(per_seed_table(svae_scale=1.5))["Sparse VAE weakest"] == "no").all()
    per_seed = per_seed_table()
    without = associations.claim_c7(per_seed[per_seed["model"] != "svae"])
    assert (without["Sparse VAE weakest"] == "n/a").all()


def test_sex_counts_ignore_subjects_of_unknown_sex():
    trials = cohort(n_subjects=7)
    trials.loc[trials["SUBJECT_ID"] == 7, "SUBJECT_SEX"] = np.nan
    assert associations.sex_counts(trials) == (3, 3)


def test_sex_difference_table_finds_a_feature_that_differs_between_sexes():
    trials = cohort(n_subjects=40)
    codes = np.random.default_rng(0).standard_normal((len(trials), 5))
    codes[:, 2] += 3.0 * trials["SUBJECT_SEX"].to_numpy()
    table = associations.sex_difference_table({("sae", 0): codes}, trials, n_boot=200)
    row = table.iloc[0]
    assert row["n_excluding_zero"] >= 1
    assert row["max_abs_g"] > 2
    assert (row["n_male"], row["n_female"]) == (20, 20)


def test_sex_summary_table_formats_counts_and_effects_per_model():
    per_seed = pd.DataFrame(
        {
            "model": ["sae", "sae", "svae"],
            "seed": [0, 1, 0],
            "n_excluding_zero": [2, 4, 1],
            "max_abs_g": [0.5, 0.7, 0.3],
            "n_features": [10, 10, 10],
            "n_male": [5, 5, 5],
            "n_female": [5, 5, 5],
        }
    )
    table = associations.sex_summary_table(per_seed)
    assert list(table["model"]) == ["SAE", "Sparse VAE"]
    assert list(table["features with CI excluding 0"]) == ["3.0 ± 1.4", "1.0 ± n/a"]
    assert list(table["max |g|"]) == ["0.60 ± 0.14", "0.30 ± n/a"]
