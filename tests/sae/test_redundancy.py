"""Importance and redundancy of latent features (Section 4.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.sae import claims, redundancy

from linear_runs import LinearRun, random_run, small_study

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_top_features_are_ranked_by_importance_with_stable_ties():
    assert redundancy.top_features(np.array([0.1, 0.4, 0.1, 0.4]), 3).tolist() == [1, 3, 0]
    assert redundancy.top_features(np.array([0.5, 0.5]), 5).tolist() == [0, 1]
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        redundancy.top_features(np.ones(3), 0)


def test_effective_number_counts_equally_important_features():
    assert redundancy.effective_number(np.full(8, 1 / 8)) == pytest.approx(8.0)
    assert redundancy.effective_number(np.array([1.0, 0.0, 0.0, 0.0])) == pytest.approx(1.0)
    assert redundancy.effective_number(np.array([0.5, 0.5, 0.0, 0.0])) == pytest.approx(2.0)


def test_features_for_share_is_the_fewest_features_reaching_the_share():
    shares = np.array([0.2, 0.5, 0.3])
    assert redundancy.features_for_share(shares, 0.5) == 1
    assert redundancy.features_for_share(shares, 0.6) == 2
    assert redundancy.features_for_share(shares, 1.0) == 3
    with pytest.raises(ValueError, match=r"share must lie in \(0, 1\], got 0"):
        redundancy.features_for_share(shares, 0)
    with pytest.raises(ValueError, match="importance must be a non-empty, finite, non-negative array"):
        redundancy.features_for_share(np.array([0.5, -0.1]))


def test_near_duplicate_pairs_count_each_pair_once_and_skip_nan():
    similarity = np.array(
        [
            [1.0, 0.95, 0.2, np.nan],
            [0.95, 1.0, 0.91, np.nan],
            [0.2, 0.91, 1.0, np.nan],
            [np.nan, np.nan, np.nan, np.nan],
        ]
    )
    assert redundancy.near_duplicate_pairs(similarity) == 2
    assert redundancy.near_duplicate_pairs(similarity, threshold=0.93) == 1


def test_pattern_summary_separates_shared_baseline_from_contributions():
    stance = np.linspace(0, 1, 101)
    baseline = np.stack([np.sin(np.pi * stance) + 1.0] * 10)
    bump = np.zeros((10, 101))
    bump[0] = 0.01 * np.sin(2 * np.pi * stance)
    other = np.zeros((10, 101))
    other[3] = 0.01 * np.cos(2 * np.pi * stance)
    patterns = np.stack([baseline + bump, baseline + 2 * bump, baseline + other, baseline])
    summary = redundancy.pattern_summary(patterns, baseline)
    assert summary["live_patterns"] == 3
    assert summary["near_duplicate_pairs"] == 1
    # pairs: (bump, 2·bump) cos 1, (bump, other) cos 0, twice → mean |cos| 1/3
    assert summary["pattern_similarity"] == pytest.approx(1 / 3)
    assert summary["mean_cosine"] == pytest.approx(1 / 3)
    assert summary["whole_pattern_cosine"] > 0.99


def test_pattern_summary_checks_shapes():
    with pytest.raises(ValueError, match=r"patterns must be \(k, channels, samples\)"):
        redundancy.pattern_summary(np.zeros((2, 10, 101)), np.zeros((10, 100)))


def test_seed_table_measures_every_run_on_a_real_small_study(tmp_path):
    study = small_study(tmp_path / "cohort")
    width = study.features.train.shape[1]
    runs = {"sae": [random_run(width, 5, seed=0), random_run(width, 5, seed=1)], "svae": [random_run(width, 5, seed=2, name="svae")]}
    table = redundancy.seed_table(runs, study)
    assert list(table[["model", "seed"]].itertuples(index=False, name=None)) == [("sae", 0), ("sae", 1), ("svae", 2)]
    assert (table["n_features"] == 5).all()
    assert table["importance_evenness"].between(0, 1).all()
    assert np.allclose(table["effective_features"], 5 ** table["importance_evenness"])
    assert table["max_pairwise_abs_r"].between(0, 1).all()
    assert (table["live_patterns"] == 5).all()


def test_seed_table_decodes_patterns_through_the_inverse_transform(tmp_path):
    """Two features with the same decoder row are exact duplicates."""
    study = small_study(tmp_path / "cohort")
    width = study.features.train.shape[1]
    run = random_run(width, 3, seed=4)
    run.weight[1] = 2.0 * run.weight[0]
    row = redundancy.seed_table({"sae": [LinearRun(run.weight, run.bias)]}, study).iloc[0]
    assert row["near_duplicate_pairs"] >= 1
    assert row["strongest_pair"] == "0–1"
    assert row["max_pairwise_abs_r"] == pytest.approx(1.0)


def per_seed(**means: dict[str, float]) -> pd.DataFrame:
    base = {
        "sae": dict(importance_evenness=0.95, pattern_similarity=0.6, max_pairwise_abs_r=0.40),
        "sae_disentangled": dict(importance_evenness=0.96, pattern_similarity=0.7, max_pairwise_abs_r=0.25),
        "svae": dict(importance_evenness=0.92, pattern_similarity=0.8, max_pairwise_abs_r=0.30),
    }
    rows = []
    for model, values in base.items():
        values = {**values, **means.get(model, {})}
        for seed, jitter in ((0, -0.002), (1, 0.002)):
            row = {key: value + jitter for key, value in values.items()}
            row.update(
                model=model,
                seed=seed,
                effective_features=90.0,
                features_for_half=40,
                n_features=100,
                live_patterns=100,
                mean_cosine=0.1,
                near_duplicate_pairs=0,
                whole_pattern_cosine=0.99,
                strongest_pair="0–1",
            )
            rows.append(row)
    return pd.DataFrame(rows)


def test_claim_checks_apply_the_ledger_rules():
    checks = redundancy.claim_checks(per_seed()).set_index("comparison")["met"]
    # Whole curves alike (0.99) and their deviations alike too (0.6–0.8): C9's explanation does not apply.
    assert list(checks) == ["yes", "yes", "yes", "no", "yes"]
    assert f"> {claims.EVENNESS_UNIFORM:g}" in checks.index[0]
    failing = redundancy.claim_checks(
        per_seed(sae={"importance_evenness": 0.5, "max_pairwise_abs_r": 0.1}, svae={"importance_evenness": 0.99, "pattern_similarity": 0.2})
    )
    assert list(failing["met"]) == ["no", "no", "yes", "no", "no"]


def test_claim_checks_without_the_sparse_vae_are_not_applicable():
    table = per_seed()
    checks = redundancy.claim_checks(table[table["model"] != "svae"])
    assert list(checks["met"]) == ["yes", "n/a", "yes", "no", "n/a"]


def test_model_table_groups_columns_by_claim():
    table = redundancy.model_table(per_seed(), "correlation")
    assert list(table.columns) == ["model", "features", "max pairwise |r|", "study's max |r|"]
    assert list(table["study's max |r|"]) == ["≈0.4", "≈0.25", "between the other two"]
    assert table.loc[0, "max pairwise |r|"] == "0.40 ± 0.00"
    assert redundancy.model_table(per_seed()).shape[1] == 12
    with pytest.raises(ValueError, match="unknown group 'sparsity'"):
        redundancy.model_table(per_seed(), "sparsity")

