"""Cross-channel predictability and the AP impulse balance on constructed curves whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import CHANNELS, N_SAMPLES
from analysis.evaluation import coupling

STANCE = np.linspace(0.0, 1.0, N_SAMPLES)
N_SUBJECTS, TRIALS_PER_SUBJECT = 40, 6


def smooth_curves(rng: np.random.Generator, n: int, n_bumps: int = 4) -> np.ndarray:
    """Random smooth curves (n, 101): sums of a few Gaussian bumps with random weights."""
    centres = np.linspace(0.1, 0.9, n_bumps)
    basis = np.exp(-0.5 * ((STANCE[None, :] - centres[:, None]) / 0.12) ** 2)
    return rng.standard_normal((n, n_bumps)) @ basis


def cohort(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Ten channels: F_V_left drives F_AP_left (linearly), every other channel is independent noise."""
    rng = np.random.default_rng(seed)
    n = N_SUBJECTS * TRIALS_PER_SUBJECT
    groups = np.repeat(np.arange(N_SUBJECTS), TRIALS_PER_SUBJECT)
    curves = np.stack([smooth_curves(rng, n) for _ in CHANNELS], axis=1)
    driver = curves[:, CHANNELS.index("F_V_left")]
    curves[:, CHANNELS.index("F_AP_left")] = 0.5 * driver * np.sin(np.pi * STANCE) + 0.05 * smooth_curves(rng, n)
    return curves, groups


def test_a_channel_made_from_another_is_predicted_and_noise_is_not() -> None:
    curves, groups = cohort()
    table = coupling.cross_channel_predictability(curves, groups).set_index("channel")
    assert list(table.index) == list(CHANNELS)
    assert table.loc["F_AP_left", "r2"] > 0.9
    assert table.loc["F_V_left", "r2"] > 0.5  # the relation runs both ways, less well where sin(pi t) is small
    independent = [channel for channel in CHANNELS if channel not in ("F_AP_left", "F_V_left")]
    assert (table.loc[independent, "r2"] < 0.05).all()
    assert (table["n_predictor_channels"] == 9).all()
    assert (table["n_subjects"] == N_SUBJECTS).all()


def test_other_components_leave_out_the_channels_own_other_side() -> None:
    rng = np.random.default_rng(1)
    n = N_SUBJECTS * TRIALS_PER_SUBJECT
    groups = np.repeat(np.arange(N_SUBJECTS), TRIALS_PER_SUBJECT)
    curves = np.stack([smooth_curves(rng, n) for _ in CHANNELS], axis=1)
    curves[:, CHANNELS.index("COP_ML_right")] = curves[:, CHANNELS.index("COP_ML_left")]  # the two sides agree
    nine = coupling.cross_channel_predictability(curves, groups).set_index("channel")
    others = coupling.cross_channel_predictability(curves, groups, predictors="other_components").set_index("channel")
    assert nine.loc["COP_ML_left", "r2"] > 0.99
    assert others.loc["COP_ML_left", "r2"] < 0.05
    assert (others["n_predictor_channels"] == 8).all()


def test_folds_grouped_by_subject_do_not_reward_recognising_the_person() -> None:
    # Every channel carries a fixed pattern per subject and nothing else is shared: a person's
    # other trials would give the target away, but a new person's curves say nothing about it.
    rng = np.random.default_rng(2)
    groups = np.repeat(np.arange(N_SUBJECTS), TRIALS_PER_SUBJECT)
    signatures = np.stack([smooth_curves(rng, N_SUBJECTS) for _ in CHANNELS], axis=1)
    n = groups.size
    noise = np.stack([0.2 * smooth_curves(rng, n) for _ in CHANNELS], axis=1)
    curves = signatures[groups] + noise
    table = coupling.cross_channel_predictability(curves, groups)
    assert (table["r2"] < 0.1).all()


def test_bad_arguments_are_named() -> None:
    curves, groups = cohort()
    with pytest.raises(ValueError, match=r"predictors must be one of \['other_channels', 'other_components'\], got 'all'"):
        coupling.cross_channel_predictability(curves, groups, predictors="all")
    with pytest.raises(ValueError, match=r"groups must hold one label per trial \(240\)"):
        coupling.cross_channel_predictability(curves, groups[:10])
    with pytest.raises(ValueError, match=r"n_splits must be between 2 and half the number of subjects \(20\), got 30"):
        coupling.cross_channel_predictability(curves, groups, n_splits=30)
    with pytest.raises(ValueError, match=r"curves must have shape \(n_trials, 10 channels, n_samples\)"):
        coupling.cross_channel_predictability(curves[:, :3], groups)
    with pytest.raises(ValueError, match="alphas must be positive"):
        coupling.cross_channel_predictability(curves, groups, alphas=(0.0, 1.0))


def test_compare_predictability_lines_up_before_and_after() -> None:
    before = pd.DataFrame({"channel": ["a", "b"], "predictors": "other_channels", "r2": [0.1, 0.5]})
    after = pd.DataFrame({"channel": ["b", "a"], "predictors": "other_channels", "r2": [0.6, 0.4]})
    merged = coupling.compare_predictability(before, after).set_index("channel")
    assert merged.loc["a", "change"] == pytest.approx(0.3)
    assert merged.loc["b", "r2_after"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="must list the same channels"):
        coupling.compare_predictability(before, after.iloc[:1])


def ap_curves(braking: float, propulsion: float) -> np.ndarray:
    """One trial whose AP force is a negative half-sine then a positive one, scaled per lobe."""
    curves = np.zeros((1, len(CHANNELS), N_SAMPLES))
    lobe = np.abs(np.sin(2 * np.pi * STANCE))
    ap = np.where(STANCE < 0.5, -braking * lobe, propulsion * lobe)
    for side in ("left", "right"):
        curves[0, CHANNELS.index(f"F_AP_{side}")] = ap
    return curves


def test_balanced_steps_have_zero_net_impulse_and_unbalanced_ones_the_expected_share() -> None:
    balance = coupling.ap_impulse_balance(np.concatenate([ap_curves(0.2, 0.2), ap_curves(0.2, 0.3)]))
    assert list(balance["side"]) == ["left", "right", "left", "right"]
    first, second = balance.iloc[0], balance.iloc[2]
    # Each lobe of a half sine over half of stance has area 0.2 * 50 * 2 / pi BW · % stance.
    assert first["braking_impulse"] == pytest.approx(-0.2 * 100 / np.pi, rel=1e-3)
    assert first["net_to_braking"] == pytest.approx(0.0, abs=1e-9)
    assert second["net_to_braking"] == pytest.approx(0.5, rel=1e-3)
    summary = coupling.summarize_impulse_balance(balance)
    assert summary["n_steps"] == 4
    assert summary["share_within_10_percent"] == pytest.approx(0.5)


def test_impulse_balance_needs_the_ap_channels() -> None:
    with pytest.raises(ValueError, match="the AP impulse needs the channel F_AP_left"):
        coupling.ap_impulse_balance(np.zeros((1, 2, N_SAMPLES)), channels=("F_V_left", "F_V_right"))


def test_before_after_table_figure_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from analysis.evaluation import figures

    after, groups = cohort(3)
    rng = np.random.default_rng(4)
    before = np.stack([smooth_curves(rng, after.shape[0]) for _ in CHANNELS], axis=1)
    table = coupling.predictability_before_after(before, after, groups)
    assert len(table) == 2 * len(CHANNELS)
    row = table[(table["channel"] == "F_AP_left") & (table["predictors"] == "other_components")].iloc[0]
    assert row["r2_before"] < 0.05 < 0.9 < row["r2_after"]
    text = coupling.format_predictability(table)
    assert list(text.columns) == ["channel", "R², from the other nine channels", "R², from the other components only"]
    assert "→" in text.iloc[0, 1]
    figure = figures.cross_channel_predictability(table, "independent", "coupled")
    assert len(figure.axes) == 2
    balance = coupling.ap_impulse_balance(np.concatenate([ap_curves(0.2, 0.25), ap_curves(0.2, 0.2)]))
    assert len(figures.impulse_balance(balance, balance).axes) == 1
    with pytest.raises(ValueError, match="before and after must hold the same trials"):
        coupling.predictability_before_after(before[:5], after, groups)
