"""Relative quantities of vertical force curves: known values, intervals, and the written verdict rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.evaluation import vertical_yardstick as yardstick


def walking_curves(n_subjects: int = 12, per_subject: int = 30, slope: float = 0.3, subject_sd: float = 0.05,
                   trial_sd: float = 0.02, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-hump curves whose first-peak height rises by ``slope`` (relative) per m/s within each subject."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, 101)
    curves, speeds, subjects = [], [], []
    for subject in range(n_subjects):
        usual = 1.3 + 0.2 * rng.normal()
        offset = subject_sd * rng.normal()
        for _ in range(per_subject):
            speed = usual + 0.3 * rng.normal()
            first = 1.0 * (1 + slope * (speed - 1.3) + offset + trial_sd * rng.normal())
            curve = first * np.exp(-((t - 0.25) / 0.1) ** 2) + 1.0 * np.exp(-((t - 0.75) / 0.1) ** 2) + 0.6 * np.sin(np.pi * t)
            curves.append(curve)
            speeds.append(speed)
            subjects.append(subject)
    return np.asarray(curves), np.asarray(speeds), np.asarray(subjects)


def test_relative_slope_recovers_a_within_subject_effect_and_ignores_between_subject_speed() -> None:
    rng = np.random.default_rng(1)
    subjects = np.repeat(np.arange(20), 15)
    usual = rng.normal(1.4, 0.3, 20)[subjects]
    speeds = usual + rng.normal(0, 0.2, subjects.size)
    # Faster people have lower values (a between-subject confound); within a person the value rises 10 %/(m/s).
    values = 2.0 * (1 + 0.1 * (speeds - usual)) - 0.8 * (usual - 1.4)
    assert yardstick.relative_speed_slope(values, speeds, subjects) == pytest.approx(0.1 * 2.0 / values.mean(), rel=1e-9)


def test_between_subject_share_matches_the_variance_components() -> None:
    rng = np.random.default_rng(2)
    subjects = np.repeat(np.arange(400), 20)
    values = rng.normal(0, 2.0, 400)[subjects] + rng.normal(0, 1.0, subjects.size)
    assert yardstick.between_subject_share(values, subjects) == pytest.approx(4 / 5, abs=0.03)
    assert yardstick.between_subject_share(rng.normal(size=subjects.size), subjects) < 0.02


def test_within_sd_and_curve_sd_on_known_noise() -> None:
    rng = np.random.default_rng(3)
    subjects = np.repeat(np.arange(50), 40)
    values = 10 + rng.normal(0, 1, 50)[subjects] + rng.normal(0, 0.5, subjects.size)
    assert yardstick.relative_within_sd(values, subjects) == pytest.approx(0.05, rel=0.05)
    curves = np.ones((subjects.size, 101)) + rng.normal(0, 0.1, (subjects.size, 101))
    assert yardstick.curve_trial_sd(curves, subjects) == pytest.approx(0.1, rel=0.05)


def test_table_intervals_cover_the_truth_and_stay_in_range() -> None:
    curves, speeds, subjects = walking_curves()
    table = yardstick.yardstick_table(curves, speeds, subjects, reference_speed=1.3, n_bootstrap=200)
    assert list(table["quantity"].unique()) == [yardstick.SLOPE, yardstick.SHARE, yardstick.WITHIN_SD, yardstick.CURVE_SD]
    slope = table.query("quantity == @yardstick.SLOPE and landmark == 'v_first_peak'").iloc[0]
    # The hump of height 1 rises by 0.3 per m/s; the peak also carries the broad sine, so relative to
    # the peak's mean height the slope is 0.3 / mean peak.
    peaks = yardstick.vertical_landmarks(curves)["v_first_peak"]
    truth = 0.3 / peaks.mean()
    assert slope["low"] < slope["estimate"] < slope["high"]
    assert slope["low"] < truth < slope["high"] or abs(slope["estimate"] - truth) < 0.1 * truth
    shares = table[table["quantity"] == yardstick.SHARE]
    assert ((shares["low"] >= 0) & (shares["high"] <= 1)).all()


def test_scaling_removes_the_unit() -> None:
    curves, speeds, subjects = walking_curves(n_subjects=6, per_subject=10)
    first = yardstick.yardstick_table(curves, speeds, subjects, 1.3, n_bootstrap=20)
    second = yardstick.yardstick_table(curves * 37.5, speeds, subjects, 1.3, n_bootstrap=20)
    pd.testing.assert_frame_equal(first, second, rtol=1e-9)


def test_mean_shape_interval_narrows_with_more_subjects() -> None:
    small = yardstick.mean_shape(*walking_curves(n_subjects=4)[::2])
    large = yardstick.mean_shape(*walking_curves(n_subjects=40)[::2])
    assert ((large["high"] - large["low"]).mean()) < ((small["high"] - small["low"]).mean())
    assert np.allclose(small["mean"].mean(), 1.0)  # scaled by the stance mean


@pytest.mark.parametrize(
    "generator, real, expected",
    [
        ((0.02, 0.03), [(0.04, 0.06), (0.032, 0.032)], yardstick.RECALIBRATE_UP),
        ((0.07, 0.09), [(0.04, 0.06), (0.032, 0.032)], yardstick.RECALIBRATE_DOWN),
        ((0.03, 0.05), [(0.04, 0.06), (0.032, 0.032)], yardstick.CONSISTENT),
        ((0.045, 0.05), [(0.04, 0.06), (0.032, 0.032)], yardstick.DISAGREE),
        ((0.02, 0.03), [(0.04, 0.06)], yardstick.ONE_SOURCE),
        ((0.03, 0.05), [(0.04, 0.04)], yardstick.ONE_SOURCE_CONSISTENT),
    ],
)
def test_verdict_rule_for_spreads(generator, real, expected) -> None:
    assert yardstick.verdict(yardstick.WITHIN_SD, generator, real) == expected


def test_verdict_rule_for_slopes_checks_directions() -> None:
    assert yardstick.verdict(yardstick.SLOPE, (0.1, 0.2), [(0.3, 0.4), (0.05, 0.1)]) == yardstick.DIRECTION_AGREES
    assert yardstick.verdict(yardstick.SLOPE, (-0.2, -0.1), [(0.3, 0.4), (0.05, 0.1)]) == yardstick.DIRECTION_DIFFERS
    assert yardstick.verdict(yardstick.SLOPE, (0.1, 0.2), [(-0.1, 0.4), (0.05, 0.1)]) == yardstick.DISAGREE
    assert yardstick.verdict(yardstick.SLOPE, (-0.1, 0.2), [(0.3, 0.4), (0.05, 0.1)]) == yardstick.DIRECTION_UNRESOLVED


def test_published_second_source_follows_the_literature_table() -> None:
    published = yardstick.literature_intervals().set_index(["quantity", "landmark"])
    # Between SD 0.061 and within SD 0.035 BW for the first peak: ICC = 0.061² / (0.061² + 0.035²).
    assert published.loc[(yardstick.SHARE, "v_first_peak"), "low"] == pytest.approx(0.061**2 / (0.061**2 + 0.035**2))
    assert published.loc[(yardstick.WITHIN_SD_SELF, "v_valley"), "low"] == pytest.approx(0.027 / 0.77)
    low, high = published.loc[(yardstick.SLOPE, "v_valley"), ["low", "high"]]
    assert low < high < 0


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="must align"):
        yardstick.yardstick_table(np.ones((3, 101)), np.ones(2), np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="positive, finite mean"):
        yardstick.scaled_by_stance_mean(np.zeros((2, 101)))


def test_comparison_judges_a_quantity_the_real_curves_lack_on_the_published_source() -> None:
    curves, speeds, subjects = walking_curves(n_subjects=8, per_subject=10)
    real = yardstick.yardstick_table(curves, speeds, subjects, 1.3, n_bootstrap=20)
    generator = yardstick.yardstick_table(curves, speeds, subjects, 1.3, n_bootstrap=20, self_selected=True)
    table = yardstick.comparison(real, generator)
    assert len(table) == len(generator) == len(real) + 3
    self_selected = table[table["quantity"] == yardstick.WITHIN_SD_SELF]
    assert (self_selected["real curves"] == "–").all() and (self_selected["published"] != "–").all()
    assert table.loc[table["quantity"] == yardstick.CURVE_SD, "published"].item() == "–"
