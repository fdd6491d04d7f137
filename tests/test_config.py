"""Run profiles and the parsing of papermill parameters."""

import pytest

from analysis import config


def test_full_profile_matches_the_study_settings():
    settings = config.resolve("full")
    assert settings.latent_dim == 100
    assert settings.batch_size == 32
    assert settings.learning_rate == pytest.approx(1e-3)
    assert settings.epochs == 100
    assert settings.models == config.MODEL_NAMES


def test_none_overrides_keep_the_profile_value():
    assert config.resolve("smoke", epochs=None, seeds=None) == config.PROFILES["smoke"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[3]", (3,)), ("3", (3,)), ("0,1,2", (0, 1, 2)), ([4, 5], (4, 5)), ((7,), (7,)), (2, (2,))],
)
def test_seeds_accept_the_forms_papermill_passes(text, expected):
    assert config.resolve("full", seeds=text).seeds == expected


def test_models_accept_text_and_lists():
    assert config.resolve("full", models="sae,svae").models == ("sae", "svae")
    assert config.resolve("full", models="['svae']").models == ("svae",)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"models": "sae,transformer"}, "unknown model"),
        ({"seeds": "[a]"}, "seeds must be integers"),
        ({"seeds": "[]"}, "must not be empty"),
        ({"learning_rat": 0.1}, "unknown setting"),
    ],
)
def test_bad_overrides_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        config.resolve("full", **overrides)


def test_unknown_profile_lists_the_choices():
    with pytest.raises(ValueError, match="smoke"):
        config.resolve("huge")


def test_model_options_accept_papermill_text_and_reject_unknown_models():
    settings = config.resolve("full", model_options="{'svae': {'kl_weight': 0.001}}")
    assert settings.model_options == {"svae": {"kl_weight": 0.001}}
    with pytest.raises(ValueError, match="unknown model 'vae'"):
        config.resolve("full", model_options={"vae": {"kl_weight": 1}})
    with pytest.raises(ValueError, match="must be a dict"):
        config.resolve("full", model_options="kl_weight=1")


def test_unknown_weight_names_are_reported_with_the_choices():
    from analysis.sae import study

    settings = config.resolve("full", model_options={"sae": {"sparsity": 0.1}})
    with pytest.raises(ValueError, match=r"unknown weight\(s\) \['sparsity'\].*sparsity_weight"):
        study.model_config(settings, "sae", input_dim=10)
    assert study.model_config(config.resolve("full", model_options={"sae": {"l1_weight": 0.5}}), "sae", 10).l1_weight == 0.5
