"""The GaitDynamics settings: profiles and clear errors."""

from __future__ import annotations

import pytest

from analysis import config


def test_profiles_resolve_and_gpu_is_the_seed_size() -> None:
    assert config.resolve_gaitdynamics("smoke").profile == "smoke"
    gpu = config.resolve_gaitdynamics("gpu")
    assert (gpu.patch, gpu.width, gpu.layers, gpu.heads, gpu.feedforward) == (1, 256, 4, 4, 1024)
    assert config.resolve_gaitdynamics("full", n_samples=4, fresh_seeds="[5, 6]").fresh_seeds == (5, 6)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_samples": 1}, "n_samples must be at least 2.*got 1"),
        ({"train_steps": 0}, "train_steps must be a positive integer, got 0"),
        ({"width": 30, "heads": 4}, r"width \(30\) must be divisible by heads \(4\)"),
        ({"sampler": "euler"}, "sampler must be one of.*got 'euler'"),
        ({"condition_dropout": 1.0}, r"condition_dropout must lie in \[0.0, 1.0\), got 1.0"),
        ({"guidance": -1.0}, "guidance must be non-negative, got -1.0"),
        ({"colour": 1}, "unknown GaitDynamics setting"),
    ],
)
def test_bad_settings_name_the_value(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        config.resolve_gaitdynamics("smoke", **overrides)


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile 'huge'"):
        config.resolve_gaitdynamics("huge")
