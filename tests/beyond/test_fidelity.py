"""The frontier's measures: per-subject FVE, paired intervals, the written verdict rule, and the settings."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import config
from analysis.beyond import fidelity
from analysis.beyond.codes import Code


def identity_code(scale: float = 1.0, method: str = "pca") -> Code:
    """A code that returns ``scale`` × the input (FVE = 1 − (1 − scale)²)."""
    return Code(method, 0, "toy", lambda x: np.asarray(x, dtype=float), lambda z: scale * np.asarray(z), n_features=4)


def toy(rows_per_subject: int = 5, n_subjects: int = 12) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    subjects = np.repeat(np.arange(n_subjects), rows_per_subject)
    return rng.normal(size=(subjects.size, 4)), subjects


def test_measure_gives_fve_and_active_count() -> None:
    x, subjects = toy()
    point = fidelity.measure([identity_code(0.5)], x, subjects)
    assert point.fve == pytest.approx(0.75)
    assert point.active_per_row == 4.0 and point.l0_share == 1.0
    assert point.subject_sse.shape == (12,)


def test_compare_applies_the_rule_with_paired_intervals() -> None:
    x, subjects = toy()
    draws = fidelity.subject_draws(12, 200)
    good, poor = fidelity.measure([identity_code(1.0)], x, subjects), fidelity.measure([identity_code(0.5)], x, subjects)
    better = fidelity.compare(good, poor, draws, n_permutations=200)
    assert better["difference"] == pytest.approx(0.25)
    assert better["outcome"] == fidelity.BEATS
    assert better["p_value"] < 0.01
    assert fidelity.compare(poor, good, draws, 200)["outcome"] == fidelity.LOSES
    same = fidelity.compare(good, good, draws, 200)
    assert same["outcome"] == fidelity.UNDECIDED and same["p_value"] == pytest.approx(1.0)


def test_verdict_rule() -> None:
    assert fidelity.verdict(0.01, 0.2) == fidelity.BEATS
    assert fidelity.verdict(-0.2, -0.01) == fidelity.LOSES
    assert fidelity.verdict(-0.1, 0.1) == fidelity.UNDECIDED
    assert fidelity.verdict(float("nan"), 0.1) == fidelity.UNDECIDED


def test_frontier_table_marks_operating_points() -> None:
    x, subjects = toy()
    points = [fidelity.measure([identity_code(0.9, "sae")], x, subjects)]
    table = fidelity.frontier_table(points, fidelity.subject_draws(12, 50), {"sae|toy": "calibrated"})
    assert table["mark"].tolist() == ["calibrated"]
    assert table["fve_low"].iloc[0] <= table["fve"].iloc[0] <= table["fve_high"].iloc[0]


def test_bad_parameters_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="subject bootstrap"):
        fidelity.subject_draws(1, 10)
    with pytest.raises(ValueError, match="at least one"):
        fidelity.measure([], np.ones((2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="unknown profile"):
        config.beyond_settings("huge")


def test_smoke_settings_are_smaller_than_full() -> None:
    full, smoke = config.beyond_settings("full"), config.beyond_settings("smoke")
    assert smoke.n_bootstrap < full.n_bootstrap and smoke.topk_epochs < full.topk_epochs
    assert max(smoke.topk_ks) <= config.PROFILES["smoke"].latent_dim
    assert max(full.topk_ks) <= config.PROFILES["full"].latent_dim

