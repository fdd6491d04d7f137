"""The per-model measurements of the feature-learning and latent-space chapters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from analysis.engine.training import HISTORY_COLUMNS, TrainedModel
from analysis.evaluation import attribute_correlation, code_measures
from analysis.features.wavelets import layout
from analysis.sae import latent
from analysis.sae.models import ModelConfig, build_model

INPUT_DIM = 12
LATENT_DIM = 5


def untrained(name: str, seed: int = 0, input_dim: int = INPUT_DIM) -> TrainedModel:
    """A freshly initialised single-seed model wrapped like a trained one."""
    config = ModelConfig(name=name, input_dim=input_dim, latent_dim=LATENT_DIM)
    return TrainedModel(
        config=config,
        seed=seed,
        model=build_model(config, (seed,)).eval(),
        history=pd.DataFrame(columns=list(HISTORY_COLUMNS)),
        best_epoch=1,
        stopped_epoch=1,
        seconds=0.0,
        device="cpu",
        from_cache=False,
    )


@pytest.fixture
def inputs() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(60, INPUT_DIM)).astype(np.float32)


@pytest.fixture
def trials() -> pd.DataFrame:
    """Six subjects of ten trials; speed varies within subjects, age does not."""
    generator = np.random.default_rng(1)
    subjects = np.repeat(np.arange(6), 10)
    age = np.repeat(generator.uniform(20, 70, 6), 10)
    return pd.DataFrame(
        {
            "SUBJECT_ID": subjects,
            "WALKING_SPEED": generator.uniform(1.0, 1.8, 60),
            "AGE": age,
            "HEIGHT": np.repeat(generator.uniform(150, 190, 6), 10),
            "BODY_WEIGHT": np.full(60, np.nan),
            "SUBJECT_SEX": np.repeat([0.0, 1.0], 30),
        }
    )


@pytest.mark.parametrize("name", ["sae", "sae_disentangled", "svae"])
def test_encoder_weight_matrix_reproduces_the_codes(name: str, inputs: np.ndarray) -> None:
    run = untrained(name)
    weights = latent.encoder_weight_matrix(run)
    assert weights.shape == (LATENT_DIM, INPUT_DIM)
    # Biases start at zero, so the codes are the weights applied to the inputs.
    pre_activation = inputs.astype(float) @ weights.T
    expected = np.maximum(pre_activation, 0) if name != "svae" else pre_activation
    np.testing.assert_allclose(run.encode(inputs), expected, rtol=1e-4, atol=1e-5)


def test_encoder_weight_matrix_rejects_a_seed_stack() -> None:
    run = untrained("sae")
    run.model = build_model(run.config, (0, 1))
    with pytest.raises(ValueError, match="expected a single-seed model, got one holding 2 seeds"):
        latent.encoder_weight_matrix(run)


def test_initial_encoder_weights_are_the_untrained_ones() -> None:
    run = untrained("sae_disentangled", seed=3)
    np.testing.assert_array_equal(latent.initial_encoder_weights(run), latent.encoder_weight_matrix(run))
    with torch.no_grad():
        run.model.weight.add_(1.0)
    assert not np.allclose(latent.initial_encoder_weights(run), latent.encoder_weight_matrix(run))


def test_weight_shares_known_values() -> None:
    segments = layout(("F_V_left", "F_V_right"))
    weights = np.zeros((3, 270))
    weights[0, 0] = 2.0  # all in the approximation band of F_V_left
    weights[1, 20] = 1.0  # a detail coefficient of F_V_left ...
    weights[1, 135 + 20] = 1.0  # ... and the same of F_V_right: split evenly
    shares = latent.weight_shares(weights, segments)
    assert shares.loc[0, "channel_concentration"] == 1.0 and shares.loc[0, "approximation_share"] == 1.0
    assert shares.loc[1, "channel_concentration"] == 0.5 and shares.loc[1, "approximation_share"] == 0.0
    assert shares.loc[0, "dominant_channel"] == "F_V_left"
    assert shares.loc[[2], ["channel_concentration", "approximation_share"]].isna().all(axis=None)
    with pytest.raises(ValueError, match="layout does not cover the 300 weight columns"):
        latent.weight_shares(np.zeros((3, 300)), segments)


def test_weight_summary_compares_with_initialisation() -> None:
    segments = layout(("F_V_left", "F_V_right"))
    runs = {"sae": [untrained("sae", 0, input_dim=270)], "svae": [untrained("svae", 1, input_dim=270)]}
    with torch.no_grad():  # "train" the SAE onto the first channel
        runs["sae"][0].model.weight[0, :, 135:] = 0.0
    summary = latent.weight_summary(runs, segments).set_index("model")
    assert summary.loc["sae", "channel_concentration"] == pytest.approx(1.0)
    assert 0.5 < summary.loc["sae", "initial_channel_concentration"] < 0.8
    # The untouched VAE is still at its initial weights.
    assert summary.loc["svae", "channel_concentration"] == pytest.approx(summary.loc["svae", "initial_channel_concentration"])
    assert summary.loc["svae", "approximation_share"] == pytest.approx(summary.loc["svae", "initial_approximation_share"])


def test_showcase_features_picks_feature_0_most_and_least_active_live() -> None:
    codes = np.zeros((100, 4))
    codes[:50, 1] = 1.0  # most active
    codes[:5, 2] = 1.0  # least active live feature; feature 3 is dead
    codes[:20, 0] = 1.0
    assert latent.showcase_features(codes) == [0, 1, 2]
    only_feature_0 = np.zeros((10, 3))
    only_feature_0[:4, 0] = 2.0
    assert latent.showcase_features(only_feature_0) == [0]


def test_activation_summary_counts_dead_features(inputs: np.ndarray) -> None:
    runs = {"sae": [untrained("sae", 0), untrained("sae", 1)], "svae": [untrained("svae", 0)]}
    with torch.no_grad():  # kill feature 4 of the first SAE: its pre-activation is always negative
        runs["sae"][0].model.encoder_bias[0, 4] = -1e3
    summary = latent.activation_summary(runs, inputs)
    assert list(summary[["model", "seed"]].itertuples(index=False, name=None)) == [("sae", 0), ("sae", 1), ("svae", 0)]
    first = summary.iloc[0]
    rates = code_measures.activation_rates(runs["sae"][0].encode(inputs))
    assert first["dead_features"] == 1 and rates[4] == 0
    assert first["mean_activation_rate"] == pytest.approx(rates.mean())
    assert first["min_live_rate"] == pytest.approx(rates[rates > 0].min())
    assert first["n_features"] == LATENT_DIM
    assert summary["bimodal_share"].between(0, 1).all()


def test_sparsity_order_per_seed() -> None:
    summary = pd.DataFrame(
        {
            "model": ["sae", "sae_disentangled", "svae"] * 2,
            "seed": [0, 0, 0, 1, 1, 1],
            "mean_activation_rate": [0.05, 0.07, 0.2, 0.09, 0.07, 0.2],
        }
    )
    order = latent.sparsity_order(summary)
    assert order["in_order"].tolist() == [True, False]
    assert list(order.columns) == ["seed", "sae", "sae_disentangled", "svae", "in_order"]
    two_models = latent.sparsity_order(summary[summary["model"] != "sae_disentangled"])
    assert list(two_models.columns) == ["seed", "sae", "svae", "in_order"]
    with pytest.raises(ValueError, match="needs at least two of the models"):
        latent.sparsity_order(summary[summary["model"] == "sae"])


def test_gradient_strengths_separate_subject_and_trial_attributes(trials: pd.DataFrame) -> None:
    # A map laid out by speed alone: speed is a near-perfect gradient.
    by_speed = np.column_stack([trials["WALKING_SPEED"], np.zeros(len(trials))])
    speed = latent.gradient_strengths(by_speed, trials).set_index("attribute")
    assert speed.loc["WALKING_SPEED", "all_neighbours"] > 0.9
    assert speed.loc["WALKING_SPEED", "other_subjects"] > 0.9
    # A map that only separates subjects: age looks like a perfect gradient with any neighbours...
    by_subject = np.column_stack([trials["SUBJECT_ID"] * 100.0, np.random.default_rng(2).normal(size=len(trials))])
    table = latent.gradient_strengths(by_subject, trials).set_index("attribute")
    assert table.loc["AGE", "all_neighbours"] > 0.99
    # ...which neighbours from other subjects expose.
    assert table.loc["AGE", "other_subjects"] < 0.9
    assert abs(table.loc["WALKING_SPEED", "all_neighbours"]) < 0.5
    assert np.isnan(table.loc["BODY_WEIGHT", "all_neighbours"]) and table.loc["BODY_WEIGHT", "n"] == 0
    assert latent.clearest_gradient(table.reset_index(), "all_neighbours") in {"AGE", "HEIGHT"}
    assert latent.clearest_gradient(speed.reset_index()) == "WALKING_SPEED"
    with pytest.raises(ValueError, match="points has 59 rows but trials has 60"):
        latent.gradient_strengths(by_speed[:-1], trials)


def test_gradient_strengths_single_subject_has_no_other_subjects(trials: pd.DataFrame) -> None:
    one = trials[trials["SUBJECT_ID"] == 0].reset_index(drop=True)
    table = latent.gradient_strengths(np.column_stack([one["WALKING_SPEED"], np.zeros(len(one))]), one)
    assert table["other_subjects"].isna().all()
    assert latent.clearest_gradient(table) is None
    assert latent.attribute_name(None) == "none"
    assert latent.attribute_name("WALKING_SPEED") == "walking speed"


def test_subject_concentration_known_values() -> None:
    subjects = np.repeat([0, 1, 2, 3], 5)
    by_subject = np.repeat([0, 0, 1, 1], 5)  # every subject inside one cluster
    result = latent.subject_concentration(by_subject, subjects, n_permutations=50, seed=0)
    assert result["majority_share"] == 1.0
    assert 0.5 <= result["chance_majority_share"] < 1.0
    assert result["subject_ami"] > 0.5
    mixed = np.tile([0, 1, 0, 1, 0], 4)  # every subject split 3:2
    assert latent.subject_concentration(mixed, subjects)["majority_share"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="labels and subjects must be 1-D and aligned"):
        latent.subject_concentration(mixed[:-1], subjects)


def test_cluster_table_rows_and_collapsed_codes(inputs: np.ndarray, trials: pd.DataFrame) -> None:
    runs = {"sae": [untrained("sae")], "svae": [untrained("svae")]}
    with torch.no_grad():  # a dead SAE: every code is zero, nothing to cluster
        runs["sae"][0].model.encoder_bias[0] = -1e3
    table = latent.cluster_table(runs, inputs, trials, k=3)
    assert list(table.columns) == ["model", "seed", *latent.CLUSTER_COLUMNS]
    assert table.loc[0, list(latent.CLUSTER_COLUMNS)].isna().all()
    svae = table.iloc[1]
    assert 0 <= svae["pc2_cluster_share"] <= 1 and 0 < svae["pc1_variance"] <= 1
    assert 0 < svae["majority_share"] <= 1


def test_mean_sd_table_formats_models_in_order() -> None:
    per_seed = pd.DataFrame(
        {
            "model": ["svae", "svae", "sae"],
            "seed": [0, 1, 0],
            "rate": [0.1, 0.3, 0.05],
            "dead": [1.0, 3.0, 0.0],
        }
    )
    table = latent.mean_sd_table(per_seed, {"dead": "dead features", "rate": "activation rate"}, digits=2)
    assert list(table.columns) == ["model", "seeds", "dead features", "activation rate"]
    assert table["model"].tolist() == ["Sparse VAE", "SAE"]
    assert table["seeds"].tolist() == [2, 1]
    assert table.iloc[0]["activation rate"] == "0.20 ± 0.14"
    assert table.iloc[1]["dead features"] == "0.00 ± n/a"


def test_clearest_over_seeds_and_gradient_overview(trials: pd.DataFrame) -> None:
    per_seed = pd.DataFrame(
        {
            "model": ["sae", "sae", "svae"],
            "seed": [0, 1, 0],
            "agreement_WALKING_SPEED": [0.5, 0.3, np.nan],
            "agreement_AGE": [0.2, 0.8, np.nan],
            "agreement_HEIGHT": [0.1, 0.1, np.nan],
            "agreement_BODY_WEIGHT": [np.nan, np.nan, np.nan],
        }
    )
    assert latent.clearest_over_seeds(per_seed) == {"sae": "AGE", "svae": None}
    negative = per_seed.assign(**{column: -per_seed[column] for column in per_seed.columns if column.startswith("agreement_")})
    assert latent.clearest_over_seeds(negative) == {"sae": None, "svae": None}
    with pytest.raises(ValueError, match="per_seed has no column"):
        latent.clearest_over_seeds(per_seed.drop(columns="agreement_AGE"))
    by_speed = np.column_stack([trials["WALKING_SPEED"], np.zeros(len(trials))])
    overview = latent.gradient_overview({"sae": latent.gradient_strengths(by_speed, trials)}, per_seed)
    assert overview["attribute"].tolist() == list(attribute_correlation.ATTRIBUTES)
    speed = overview.iloc[0]
    assert speed["model"] == "SAE" and speed["trials with a value"] == 60
    assert speed["latent space, other subjects"] == "0.40 ± 0.14"
    assert overview.iloc[3]["map, all neighbours"] == "n/a"
